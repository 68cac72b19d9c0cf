#!/usr/bin/env bash
# End-to-end: `secrets generate` and the program-level contract of `secrets` (help, version,
# unknown commands, exit codes).
. "$(dirname "$0")/lib.sh"

t_default_is_32_alnum() {
    run "$SECRETS" generate --length 32
    expect_rc 0
    [[ $OUT =~ ^[A-Za-z0-9]{32}$ ]] || fail "not 32 alphanumerics: '$OUT'"
    [ -z "$ERR" ] || fail "unexpected stderr: $ERR"
}

t_each_charset() {
    local cs re
    for cs in alnum:'[A-Za-z0-9]' alpha:'[A-Za-z]' digits:'[0-9]' hex:'[0-9a-f]' \
        base64:'[A-Za-z0-9+/]' base64url:'[A-Za-z0-9_-]' ascii:'[!-~]' 'custom:xyz:[xyz]'; do
        re=${cs##*:}
        run "$SECRETS" generate --length 200 --charset "${cs%:*}"
        expect_rc 0
        [[ $OUT =~ ^${re}{200}$ ]] || fail "charset ${cs%:*}: '$OUT'"
    done
}

t_count_one_per_line() {
    run "$SECRETS" generate --count 5 --length 40
    expect_rc 0
    [ "$(printf '%s\n' "$OUT" | wc -l)" -eq 5 ] || fail "expected 5 lines"
    [ "$(printf '%s\n' "$OUT" | sort -u | wc -l)" -eq 5 ] || fail "expected 5 distinct secrets"
}

t_no_newline() {
    "$SECRETS" generate --length 16 --charset hex --no-newline >out 2>/dev/null
    [ "$(stat -c %s out)" -eq 16 ] || fail "expected exactly 16 bytes"
    run "$SECRETS" generate --count 2 --no-newline
    expect_rc 2
    expect_err 'single secret'
}

t_verbose_and_weak_warning() {
    run "$SECRETS" generate --length 32 --verbose
    expect_rc 0
    expect_err '190\.5 bits'
    run "$SECRETS" generate --length 8
    expect_rc 0
    expect_err 'warning: .*47\.6 bits.*under 128'
}

t_bad_values_exit_2() {
    local args
    for args in "--length 0" "--length 5000" "--length abc" "--length -3" "--charset nope" \
        "--charset custom:" "--charset custom:a" "--charset custom:abca" "--count 0" "--bogus" \
        "extra-arg"; do
        # shellcheck disable=SC2086
        run "$SECRETS" generate $args
        expect_rc 2
        [ -z "$OUT" ] || fail "'$args' printed on stdout: $OUT"
        [ -n "$ERR" ] || fail "'$args' gave no message"
    done
    run "$SECRETS" generate --charset custom:abca
    expect_err "'a' appears twice"
    run "$SECRETS" generate --length 5000
    expect_err 'from 1 to 4096'
}

t_help_version_usage() {
    run "$SECRETS" --help
    expect_rc 0
    expect_out 'usage: secrets COMMAND'
    run "$SECRETS" generate --help
    expect_rc 0
    expect_out 'usage: secrets generate'
    run "$SECRETS" --version
    expect_rc 0
    expect_out '^secrets [0-9]+\.[0-9]+\.[0-9]+$'
    run "$SECRETS" frobnicate
    expect_rc 2
    expect_err "unknown command 'frobnicate'"
    run "$SECRETS"
    expect_rc 2
    expect_err 'usage:'
}

t_stdout_full_is_an_error() {
    [ -w /dev/full ] || return 0
    "$SECRETS" generate --count 1000 >/dev/full 2>err
    local rc=$?
    [ "$rc" -eq 2 ] || fail "writing to a full disk gave status $rc, expected 2"
    grep -q 'write failure' err || fail "no write-failure message"
}

t_scanner_usage() {
    run "$SCANNER" --help
    expect_rc 0
    expect_out 'usage: scanner'
    run "$SCANNER" --version
    expect_rc 0
    expect_out '^scanner [0-9]'
    run "$SCANNER"
    expect_rc 2
    expect_err 'no target'
    run "$SCANNER" --no-such-option
    expect_rc 2
    run "$SCANNER" --fail-on severe
    expect_rc 2
    expect_err 'unknown severity'
}

e2e_main
