# Sourced by every end-to-end script: runs the built programs exactly as a user would and checks
# stdout, stderr, exit status and files. A script defines functions t_<name> and ends with
# `e2e_main`. Each test runs in a subshell in its own temp directory.
set -u
ROOT=${ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
BUILD=${BUILD:-$ROOT/build}
SECRETS=$BUILD/secrets
SCANNER=$BUILD/scanner
FIXTURES=$ROOT/tests/fixtures
export NO_COLOR=1

_fails=0
fail() {
    echo "    FAIL: $*"
    _fails=$((_fails + 1))
}

# run CMD ARGS... : stdout -> $OUT, stderr -> $ERR, status -> $RC; stdin is empty.
run() {
    "$@" >"$TMP/.out" 2>"$TMP/.err" </dev/null
    RC=$?
    OUT=$(cat "$TMP/.out")
    ERR=$(cat "$TMP/.err")
    _validate_sarif_outputs "$@"
}
# run_stdin DATA CMD ARGS... : like run, with DATA on stdin.
run_stdin() {
    local data=$1
    shift
    printf '%s' "$data" | "$@" >"$TMP/.out" 2>"$TMP/.err"
    RC=$?
    OUT=$(cat "$TMP/.out")
    ERR=$(cat "$TMP/.err")
    _validate_sarif_outputs "$@"
}
# skip WHY: ends the current test as skipped (a component it needs is missing). tests/run.sh
# counts skips, and under CI (CI=true) a skip counts as a failure: nothing is skipped there.
skip() {
    echo "    SKIP: $*"
    exit 77
}
expect_rc() { [ "$RC" -eq "$1" ] || fail "exit status $RC, expected $1 (stderr: ${ERR:0:300})"; }
expect_out() { grep -Eq -- "$1" "$TMP/.out" || fail "stdout lacks /$1/: ${OUT:0:400}"; }
expect_err() { grep -Eq -- "$1" "$TMP/.err" || fail "stderr lacks /$1/: ${ERR:0:400}"; }
expect_no_out() { ! grep -Eq -- "$1" "$TMP/.out" || fail "stdout has /$1/"; }
expect_no_err() { ! grep -Eq -- "$1" "$TMP/.err" || fail "stderr has /$1/"; }
expect_file() { [ -f "$1" ] || fail "file $1 missing"; }
expect_no_file() { [ ! -e "$1" ] || fail "file $1 exists"; }
expect_mode() {
    local m
    m=$(stat -c %a "$1" 2>/dev/null)
    [ "$m" = "$2" ] || fail "$1 has mode $m, expected $2"
}
# A secret must never appear in clear in any output or report.
expect_nowhere() {
    local s=$1
    shift
    for f in "$TMP/.out" "$TMP/.err" "$@"; do
        ! grep -qF -- "$s" "$f" 2>/dev/null || fail "secret value printed in clear in $f"
    done
}

e2e_main() {
    local passed=0 failed=0 skipped=0 rc name script
    script=$(basename "$0" .sh)
    for name in $(declare -F | awk '{print $3}' | grep '^t_'); do
        TMP=$(mktemp -d /tmp/e2e.XXXXXX)
        (
            cd "$TMP" || exit 1
            _fails=0
            "$name"
            exit $_fails
        )
        rc=$?
        if [ $rc -eq 0 ]; then
            echo "  ok   $script: ${name#t_}"
            passed=$((passed + 1))
        elif [ $rc -eq 77 ]; then
            echo "  skip $script: ${name#t_}"
            skipped=$((skipped + 1))
        else
            echo "  FAIL $script: ${name#t_}"
            failed=$((failed + 1))
        fi
        rm -rf "$TMP"
    done
    [ -n "${E2E_COUNTS:-}" ] && echo "$passed $failed $skipped" >"$E2E_COUNTS"
    [ "$failed" -eq 0 ]
}

# expect_valid_sarif FILE: the official SARIF 2.1.0 schema accepts FILE, and so does
# sarif-multitool with its GitHub rule set (no result at error level).
expect_valid_sarif() {
    local v=$ROOT/tests/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool
    node "$ROOT/tests/sarif-validate.js" "$1" >"$TMP/.sarif-errors" 2>&1 ||
        fail "invalid SARIF $1: $(head -c 600 "$TMP/.sarif-errors")"
    if [ ! -x "$v" ]; then
        fail "sarif-multitool missing (make deps)"
        return
    fi
    local try
    for try in 1 2; do
        rm -f "$TMP/.sarif-val.json"
        "$v" validate "$1" --rule-kind "Gh;Sarif" -o "$TMP/.sarif-val.json" --log ForceOverwrite \
            >"$TMP/.sarif-errors" 2>&1
        # ERR998 is the validator's own exception (seen now and then loading a rule's schema),
        # not a verdict on the file: run it once more before believing it.
        grep -q 'ERR998' "$TMP/.sarif-errors" || break
    done
    if grep -q 'ERR998' "$TMP/.sarif-errors" || [ ! -s "$TMP/.sarif-val.json" ]; then
        fail "sarif-multitool could not run on $1: $(head -c 300 "$TMP/.sarif-errors")"
        return
    fi
    if grep -q '"level": *"error"' "$TMP/.sarif-val.json" 2>/dev/null; then
        fail "sarif-multitool (GitHub rules) rejects $1: $(grep -m3 ' error ' "$TMP/.sarif-errors")"
    fi
}

# Every SARIF a test makes the scanner write (stdout with --format sarif, a --report file in
# SARIF) goes through both validators: run and run_stdin call this.
_validate_sarif_outputs() {
    local prev="" a fmt="" rfmt="" report=""
    for a in "$@"; do
        case $prev in
        --format | -f) fmt=$a ;;
        --report-format) rfmt=$a ;;
        --report) report=$a ;;
        esac
        case $a in --format=*) fmt=${a#--format=} ;; esac
        prev=$a
    done
    if [ "$fmt" = sarif ] && [ -s "$TMP/.out" ]; then
        cp "$TMP/.out" "$TMP/.stdout.sarif"
        expect_valid_sarif "$TMP/.stdout.sarif"
    fi
    if [ -n "$report" ] && [ -s "$report" ] &&
        { [ "$rfmt" = sarif ] || { [ -z "$rfmt" ] && [ "${report%.sarif}" != "$report" ]; }; }; then
        expect_valid_sarif "$report"
    fi
}
