#!/usr/bin/env bash
# `make fuzz`: runs every libFuzzer target for a short, fixed time on a scratch copy of its seed
# corpus (tests/fuzz/corpus/<name>/). Any crash, leak or sanitizer report fails the run and
# leaves the reproducer in build/fuzz/crashes/<name>/.
# usage: tests/fuzz/run.sh BUILD_DIR SECONDS
set -u
BUILD=${1:-build/fuzz}
SECONDS_EACH=${2:-20}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT" || exit 2
passed=0
failed=0
for f in "$BUILD"/fuzzers/fuzz_*; do
    [ -x "$f" ] || continue
    name=$(basename "$f")
    name=${name#fuzz_}
    work=$(mktemp -d)
    crashes=$BUILD/crashes/$name
    mkdir -p "$crashes"
    [ -d "tests/fuzz/corpus/$name" ] && cp -r "tests/fuzz/corpus/$name/." "$work/"
    echo "== fuzz $name for ${SECONDS_EACH}s (seeds: $(ls "$work" | wc -l))"
    if "$f" -max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=2048 \
        -artifact_prefix="$crashes/" -print_final_stats=1 "$work" >"$work.log" 2>&1; then
        grep -E '^stat::number_of_executed_units|^#[0-9]+.*DONE' "$work.log" | tail -2
        passed=$((passed + 1))
    else
        tail -40 "$work.log"
        echo "!! fuzz $name failed; reproducer in $crashes"
        failed=$((failed + 1))
    fi
    rm -rf "$work" "$work.log"
done
echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
