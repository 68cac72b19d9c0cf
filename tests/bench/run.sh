#!/usr/bin/env bash
# Runs every tests/bench/bench_*.sh against the programs in BUILD (`make bench`). Benchmarks print
# figures and ratios against peers; they never fail on timings.
# usage: tests/bench/run.sh [BUILD_DIR]
set -u
BUILD=${1:-build}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
status=0
for b in "$ROOT"/tests/bench/bench_*.sh; do
    [ -e "$b" ] || continue
    echo "== $(basename "$b")"
    bash "$b" "$BUILD" || status=1
done
exit $status
