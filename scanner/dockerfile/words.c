/* words: the one shell-word tokenizer, for the builder's words of an instruction (parse.c) and
 * for the shell commands of RUN (run.c): '...' literal, "..." with escapes, the escape character
 * escaping the next one outside single quotes. Linear, no recursion. */
#include <string.h>

#include "dockerfile.h"

size_t
df_word_next(const char *t, size_t n, size_t *pos, char esc, int shell, char *out, char *open_q)
{
    size_t i = *pos, tl = 0;
    char q = 0;
    int depth = 0; /* $( ... ) nesting, shell mode */

    while (i < n) {
        char ch = t[i];
        if (q == 0 && depth == 0 &&
            (ch == ' ' || ch == '\t' ||
             (shell && (ch == '\n' || ch == '\r' || ch == ';' || ch == '&' || ch == '|'))))
            break;
        if (q != '\'' && ch == esc && i + 1 < n) {
            if (!(shell && t[i + 1] == '\n'))
                out[tl++] = t[i + 1];
            i += 2;
            continue;
        }
        if (q == 0 && (ch == '\'' || ch == '"')) {
            q = ch;
            i++;
            continue;
        }
        if (q != 0 && ch == q) {
            q = 0;
            i++;
            continue;
        }
        if (shell && q != '\'' && ch == '$' && i + 1 < n && t[i + 1] == '(')
            depth++;
        else if (shell && q != '\'' && ch == ')' && depth > 0)
            depth--;
        out[tl++] = ch;
        i++;
    }
    *pos = i;
    if (open_q != NULL)
        *open_q = q;
    return tl;
}
