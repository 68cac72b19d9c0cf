#!/usr/bin/env bash
# The man pages' OPTIONS sections and the bash and zsh completions are generated from the option
# tables (docs/gen/cli_docs.py, `make docs`): they must be current, name every option --help
# names, and work in the real shells.
. "$(dirname "$0")/lib.sh"
GEN=$ROOT/docs/gen/cli_docs.py

# every_option PROG: "--long" of every option of every command, from the programs themselves.
every_option() {
    if [ "$1" = scanner ]; then
        "$SCANNER" --options-spec | cut -f2
        return
    fi
    local c
    for c in $("$SECRETS" --help | sed -n 's/^  \([a-z][a-z-]*\)\b.*/\1/p' | sort -u); do
        "$SECRETS" "$c" --help | sed -n 's/^ \{1,8\}\(-[A-Za-z], \)\{0,1\}\(--[a-z][a-z0-9-]*\).*/\2/p'
    done | sort -u
}

t_generated_files_are_current() {
    run python3 "$GEN" "$BUILD" --check
    expect_rc 0
}

t_stale_files_are_caught() {
    mkdir -p docs/gen contrib/completions
    cp "$GEN" docs/gen/
    cp "$ROOT"/docs/*.1 docs/
    cp "$ROOT"/contrib/completions/* contrib/completions/
    sed -i '/--ignore/d' contrib/completions/scanner.zsh
    run python3 docs/gen/cli_docs.py "$BUILD" --check
    expect_rc 1
    expect_err 'stale.*scanner\.zsh'
}

t_every_option_is_in_the_man_page_and_completions() {
    local prog o n=0
    for prog in scanner secrets; do
        groff -mandoc -Tascii -P-c "$ROOT/docs/$prog.1" 2>/dev/null | col -b >"$prog.txt"
        for o in $(every_option $prog); do
            n=$((n + 1))
            grep -qE -- "(^|[ ,])$o( |$)" "$prog.txt" || fail "$prog.1 lacks $o"
            grep -qF -- "$o" "$ROOT/contrib/completions/$prog.bash" || fail "$prog.bash lacks $o"
            grep -qF -- "$o" "$ROOT/contrib/completions/$prog.zsh" || fail "$prog.zsh lacks $o"
        done
    done
    [ "$n" -gt 60 ] || fail "only $n options found: the extraction is broken"
    for prog in scanner secrets; do
        groff -mandoc -Tutf8 -ww -z "$ROOT/docs/$prog.1" >warn 2>&1 || fail "$prog.1 does not render"
        [ -s warn ] && fail "$prog.1 warnings: $(head -3 warn)"
    done
}

t_bash_completion_completes() {
    # shellcheck disable=SC1091
    out=$(bash -c '
        . "$1"; . "$2"
        COMP_WORDS=(scanner --fo); COMP_CWORD=1; _scanner_complete; echo "A:${COMPREPLY[*]}"
        COMP_WORDS=(scanner --format ""); COMP_CWORD=2; _scanner_complete; echo "B:${COMPREPLY[*]}"
        COMP_WORDS=(secrets ro); COMP_CWORD=1; _secrets_complete; echo "C:${COMPREPLY[*]}"
        COMP_WORDS=(secrets generate --char); COMP_CWORD=2; _secrets_complete; echo "D:${COMPREPLY[*]}"
        COMP_WORDS=(secrets validate --fail-on h); COMP_CWORD=3; _secrets_complete; echo "E:${COMPREPLY[*]}"
    ' _ "$ROOT/contrib/completions/scanner.bash" "$ROOT/contrib/completions/secrets.bash")
    grep -qx 'A:--format' <<<"$out" || fail "scanner --fo: $out"
    grep -qx 'B:text json sarif junit gitlab' <<<"$out" || fail "scanner --format: $out"
    grep -qx 'C:rollback rotate' <<<"$out" || fail "secrets ro: $out"
    grep -qx 'D:--charset' <<<"$out" || fail "secrets generate --char: $out"
    grep -qx 'E:high' <<<"$out" || fail "secrets validate --fail-on h: $out"
}

t_zsh_completion_loads() {
    command -v zsh >/dev/null || { fail "zsh missing (make deps)"; return; }
    for prog in scanner secrets; do
        zsh -n "$ROOT/contrib/completions/$prog.zsh" || fail "$prog.zsh: syntax error"
    done
    # Loaded by compinit from a directory on fpath, as an installed completion is.
    mkdir fp && cp "$ROOT/contrib/completions/scanner.zsh" fp/_scanner
    cp "$ROOT/contrib/completions/secrets.zsh" fp/_secrets
    run zsh -f -c 'fpath=(./fp $fpath); autoload -Uz compinit; compinit -u -d ./zcd; print -r -- ${_comps[scanner]} ${_comps[secrets]}'
    expect_rc 0
    expect_out '^_scanner _secrets$'
}

e2e_main
