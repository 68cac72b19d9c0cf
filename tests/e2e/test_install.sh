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
    expect_file "$TMP/root/opt/suite/share/man/man1/secrets.1"
    expect_file "$TMP/root/opt/suite/share/man/man1/scanner.1"
    run "$TMP/root/opt/suite/bin/secrets" --version
    expect_rc 0
    run make --no-print-directory -C "$ROOT" uninstall DESTDIR="$TMP/root" PREFIX=/opt/suite
    expect_rc 0
    expect_no_file "$TMP/root/opt/suite/bin/secrets"
}

t_man_pages_render_and_list_every_command() {
    local page cmd
    for page in secrets scanner; do
        groff -mandoc -Tutf8 -ww -z "$ROOT/docs/$page.1" >"$TMP/warn" 2>&1 ||
            fail "$page.1 does not render"
        [ -s "$TMP/warn" ] && fail "$page.1 warnings: $(head -3 "$TMP/warn")"
    done
    # Every command the program lists in --help has a synopsis line in the page.
    for cmd in $("$SECRETS" --help | awk '/^Run /{exit} /^  [a-z][a-z-]* /{print $1}'); do
        grep -q "^\.Cm .*\b$cmd\b" "$ROOT/docs/secrets.1" || fail "secrets.1 lacks $cmd"
    done
    for cmd in $("$SCANNER" --help | sed -n 's/^      --\([a-z]*\) .*/\1/p' | head -5); do
        grep -q -- "-$cmd" "$ROOT/docs/scanner.1" || fail "scanner.1 lacks --$cmd"
    done
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
