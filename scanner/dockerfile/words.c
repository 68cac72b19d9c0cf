/* words: the one shell-word tokenizer, for the builder's words of an instruction (parse.c) and
 * for the shell commands of RUN (run.c): '...' literal, "..." with escapes, the escape character
 * escaping the next one outside single quotes. Linear, no recursion. */
#include <string.h>

#include "dockerfile.h"

/* Characters the loop below must look at one by one, in any mode (the escape character is
 * checked apart: it is per file); any other character outside quotes is copied as it is. */
static const unsigned char word_stop[256] = {
    [' '] = 1, ['\t'] = 1, ['\''] = 1, ['"'] = 1, ['$'] = 1, [')'] = 1,
    ['\n'] = 1, ['\r'] = 1, [';'] = 1, ['&'] = 1, ['|'] = 1,
};

size_t
df_word_next(const char *t, size_t n, size_t *pos, char esc, int shell, char *out, char *open_q)
{
    size_t i = *pos, tl = 0;
    char q = 0;
    int depth = 0; /* $( ... ) nesting, shell mode */

    while (i < n) {
        char ch = t[i];
        if (q == 0 && depth == 0 && !word_stop[(unsigned char)ch] && ch != esc) {
            /* A run of plain characters (most of a word): copied at once. */
            size_t j = i + 1;
            while (j < n && !word_stop[(unsigned char)t[j]] && t[j] != esc)
                j++;
            memcpy(out + tl, t + i, j - i);
            tl += j - i;
            i = j;
            continue;
        }
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
