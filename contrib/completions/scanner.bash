# bash completion for `scanner`: targets and options are read from the program's own --help.
_scanner_complete() {
    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]} words
    case $prev in
    --format|-f) COMPREPLY=($(compgen -W "text json sarif" -- "$cur")); return ;;
    --fail-on|--min-severity) COMPREPLY=($(compgen -W "critical high medium low info" -- "$cur")); return ;;
    --dockerfile|--compose|--report|--baseline|--write-baseline|--image) COMPREPLY=($(compgen -f -- "$cur")); return ;;
    --path|--k8s) COMPREPLY=($(compgen -f -- "$cur")); return ;;
    esac
    words=$("${COMP_WORDS[0]}" --help 2>/dev/null | grep -oE -- '--[a-z][a-z0-9-]*' | sort -u)
    COMPREPLY=($(compgen -W "$words" -- "$cur"))
}
complete -F _scanner_complete scanner
