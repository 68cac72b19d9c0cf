#!/usr/bin/env bash
# `make fuzz` and `make fuzz-long`: runs every libFuzzer target (built with AddressSanitizer and
# UndefinedBehaviorSanitizer) for SECONDS each, starting from its seed corpus
# (tests/fuzz/corpus/<name>/). Any crash, leak, timeout or sanitizer report fails the run and
# leaves the reproducer in BUILD/crashes/<name>/.
# `grow` (make fuzz-long): afterwards the inputs that reach new coverage are merged into the kept
# corpus (libFuzzer -merge=1), so the next run starts from where this one got.
# usage: tests/fuzz/run.sh BUILD_DIR SECONDS [grow]   (FUZZ_ONLY=name runs one target)
set -u
BUILD=${1:-build/fuzz}
SECONDS_EACH=${2:-20}
MODE=${3:-}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT" || exit 2
passed=0
failed=0
for f in "$BUILD"/fuzzers/fuzz_*; do
    [ -x "$f" ] || continue
    name=$(basename "$f")
    name=${name#fuzz_}
    [ -z "${FUZZ_ONLY:-}" ] || [ "$FUZZ_ONLY" = "$name" ] || continue
    work=$(mktemp -d)
    crashes=$BUILD/crashes/$name
    corpus=tests/fuzz/corpus/$name
    mkdir -p "$crashes"
    [ -d "$corpus" ] && cp -r "$corpus/." "$work/"
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
    if [ "$MODE" = grow ]; then
        mkdir -p "$corpus"
        before=$(ls "$corpus" | wc -l)
        if "$f" -merge=1 -timeout=10 -rss_limit_mb=2048 "$corpus" "$work" >"$work.merge" 2>&1; then
            echo "   corpus $corpus: $before -> $(ls "$corpus" | wc -l) files"
        else
            tail -5 "$work.merge"
            echo "!! fuzz $name: merging into $corpus failed"
            failed=$((failed + 1))
        fi
        rm -f "$work.merge"
    fi
    rm -rf "$work" "$work.log"
done
echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ $((passed + failed)) -gt 0 ]
