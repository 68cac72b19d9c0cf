#!/usr/bin/env bash
# End-to-end: `make install` with DESTDIR and PREFIX puts the programs and completions in place,
# and the completions offer the commands the programs list in --help.
. "$(dirname "$0")/lib.sh"

t_install_destdir() {
    # SUITE_MAKE_VARS: the build's own settings (make check sets the sanitizer ones), so install
    # reuses the binaries under test instead of relinking them with other flags.
    # shellcheck disable=SC2086
    run make --no-print-directory -C "$ROOT" install DESTDIR="$TMP/root" PREFIX=/opt/suite \
        BUILD="$BUILD" ${SUITE_MAKE_VARS:-}
    expect_rc 0
    [ -x "$TMP/root/opt/suite/bin/secrets" ] || fail "secrets not installed"
    [ -x "$TMP/root/opt/suite/bin/scanner" ] || fail "scanner not installed"
    expect_file "$TMP/root/opt/suite/share/bash-completion/completions/secrets"
    run "$TMP/root/opt/suite/bin/secrets" --version
    expect_rc 0
    run make --no-print-directory -C "$ROOT" uninstall DESTDIR="$TMP/root" PREFIX=/opt/suite
    expect_rc 0
    expect_no_file "$TMP/root/opt/suite/bin/secrets"
}

t_completion_lists_commands() {
    local out
    out=$(PATH="$BUILD:$PATH" bash -c '. "$1"; COMP_WORDS=(secrets ""); COMP_CWORD=1;
        _secrets_complete; echo "${COMPREPLY[*]}"' _ "$ROOT/contrib/completions/secrets.bash")
    [[ " $out " == *" generate "* ]] || fail "completion lacks generate: $out"
    out=$(PATH="$BUILD:$PATH" bash -c '. "$1"; COMP_WORDS=(secrets generate --cha); COMP_CWORD=2;
        _secrets_complete; echo "${COMPREPLY[*]}"' _ "$ROOT/contrib/completions/secrets.bash")
    [ "$out" = "--charset" ] || fail "option completion gave '$out'"
}

e2e_main
