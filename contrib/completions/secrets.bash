# bash completion for `secrets`: commands and options are read from the program's own --help, so
# they stay true as commands are added.
_secrets_complete() {
    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]} cmd words
    case $prev in
    --charset) COMPREPLY=($(compgen -W "alnum alpha digits hex base64 base64url ascii custom:" -- "$cur")); return ;;
    --format|-f) COMPREPLY=($(compgen -W "text json sarif" -- "$cur")); return ;;
    --fail-on|--min-severity) COMPREPLY=($(compgen -W "critical high medium low info" -- "$cur")); return ;;
    --env-file|--vault|--key-file|--identity|--report|--from-file|--output|--dir) COMPREPLY=($(compgen -f -- "$cur")); return ;;
    esac
    if [ "$COMP_CWORD" -eq 1 ]; then
        words=$("${COMP_WORDS[0]}" --help 2>/dev/null | awk '/^Run /{exit} /^  [a-z][a-z-]* /{print $1}')
        COMPREPLY=($(compgen -W "$words --help --version" -- "$cur"))
        return
    fi
    cmd=${COMP_WORDS[1]}
    words=$("${COMP_WORDS[0]}" "$cmd" --help 2>/dev/null | grep -oE -- '--[a-z][a-z0-9-]*' | sort -u)
    COMPREPLY=($(compgen -W "$words" -- "$cur"))
}
complete -F _secrets_complete secrets
