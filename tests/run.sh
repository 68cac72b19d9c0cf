#!/usr/bin/env bash
# Runs every unit test driver and every end-to-end script against the programs in BUILD, with the
# services they need (tests/services.sh), and ends with one line: "N passed, N failed, N skipped".
# A test skips only when a component it needs is missing; under CI (CI=true) every skip is also
# counted as a failure, so nothing is skipped there unnoticed.
# usage: tests/run.sh [BUILD_DIR]   (TESTS=pattern runs only matching files)
set -u
BUILD=${1:-build}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 2
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
export BUILD ROOT

# The keyring daemon needs a session bus: re-run ourselves inside a private one.
if [ -z "${SUITE_TEST_BUS:-}" ] && command -v dbus-run-session >/dev/null 2>&1; then
    export SUITE_TEST_BUS=1
    exec dbus-run-session -- "$0" "$@"
fi

. "$ROOT/tests/services.sh"
services_start
trap services_stop EXIT

passed=0
failed=0
skipped=0
failed_names=()
timings=()
pattern=${TESTS:-}
log=$(mktemp)

# count_skips NAME: adds $s skipped tests of NAME; under CI they are failures as well.
count_skips() {
    [ "$s" -gt 0 ] || return 0
    skipped=$((skipped + s))
    if [ "${CI:-}" = true ]; then
        echo "!! $1: $s test(s) skipped under CI, where every component must be there"
        f=$((f + s))
    fi
}

for t in "$BUILD"/tests/test_*; do
    [ -x "$t" ] || continue
    case $(basename "$t") in *"$pattern"*) ;; *) continue ;; esac
    echo "== unit: $(basename "$t")"
    t0=$SECONDS
    "$t" >"$log" 2>&1
    rc=$?
    timings+=("$((SECONDS - t0))s unit:$(basename "$t")")
    cat "$log"
    p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test(s)\..*/\1/p' "$log" | tail -1)
    f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test(s).*/\1/p' "$log" | tail -1)
    s=$(sed -n 's/^\[  SKIPPED \] \([0-9]*\) test(s).*/\1/p' "$log" | tail -1)
    p=${p:-0}
    f=${f:-0}
    s=${s:-0}
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
        # Crashed, sanitizer report, or no summary: count the driver as one failure.
        echo "!! $(basename "$t") exited with status $rc"
        f=1
    fi
    count_skips "unit:$(basename "$t")"
    passed=$((passed + p))
    failed=$((failed + f))
    [ "$f" -eq 0 ] || failed_names+=("unit:$(basename "$t")")
done

for script in "$ROOT"/tests/e2e/*.sh; do
    case $(basename "$script") in lib.sh) continue ;; esac
    case $(basename "$script") in *"$pattern"*) ;; *) continue ;; esac
    echo "== e2e: $(basename "$script")"
    counts=$(mktemp)
    t0=$SECONDS
    E2E_COUNTS=$counts bash "$script"
    rc=$?
    timings+=("$((SECONDS - t0))s e2e:$(basename "$script")")
    read -r p f s <"$counts" 2>/dev/null || { p=0; f=0; s=0; }
    rm -f "$counts"
    p=${p:-0}
    f=${f:-0}
    s=${s:-0}
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
        echo "!! $(basename "$script") exited with status $rc"
        f=1
    fi
    count_skips "e2e:$(basename "$script")"
    passed=$((passed + p))
    failed=$((failed + f))
    [ "$f" -eq 0 ] || failed_names+=("e2e:$(basename "$script")")
done
rm -f "$log"

echo "time per file (total ${SECONDS}s): ${timings[*]}"
if [ ${#failed_names[@]} -gt 0 ]; then
    echo "failing: ${failed_names[*]}"
fi
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
