#!/usr/bin/env bash
# `make bench`: runs every tests/bench/bench_*.sh against the programs in BUILD. Each prints its
# own figures and ratios against peer tools measured in the same run; nothing here asserts a time.
# usage: tests/bench/run.sh BUILD_DIR   (BENCH=pattern runs only matching scripts)
set -u
BUILD=${1:-build}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT" || exit 2
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
export BUILD ROOT
status=0
if [ -z "${SUITE_TEST_BUS:-}" ] && command -v dbus-run-session >/dev/null 2>&1; then
    export SUITE_TEST_BUS=1
    exec dbus-run-session -- "$0" "$@"
fi
. "$ROOT/tests/services.sh"
services_start
trap services_stop EXIT
for b in tests/bench/bench_*.sh; do
    [ -f "$b" ] || continue
    case $(basename "$b") in *"${BENCH:-}"*) ;; *) continue ;; esac
    echo "== bench $(basename "$b" .sh)"
    bash "$b" "$BUILD" || { echo "!! $(basename "$b") failed"; status=1; }
done
exit $status
