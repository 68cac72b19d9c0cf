/* lex: the strict .env lexer. One forward pass, no recursion, Compose (compose-go) semantics as
 * the reference; every statement keeps exact spans, and a bad statement never stops the pass. */
#include <sys/mman.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "envcheck.h"
#include "envcheck_internal.h"

struct lexer {
    const char *d;
    size_t len;
    size_t pos;
    int line;          /* line of pos */
    size_t line_start; /* offset of the first byte of that line (after a BOM on line 1) */
    struct env_file *f;
    char *arena;       /* key and value copies; never reallocated */
    size_t arena_used, arena_cap;
    char *tmp;         /* scratch for escape decoding, 2 * len + 2 bytes */
    size_t tmp_used;   /* high-water mark, to wipe */
    struct env_ref *refs;
    size_t nrefs, refs_cap;
    size_t entries_cap, diags_cap;
    int crlf_reported;
};

/* Big buffers (a large .env) on huge pages where the kernel offers them on request: first
 * touches of fresh 4 KiB pages dominate the lexer's time on virtual machines otherwise. The
 * memory is an ordinary malloc block either way (free() releases it). */
void *
envcheck_big_alloc(size_t n)
{
    void *p;

    if (n < ((size_t)4 << 20))
        return malloc(n);
    if (posix_memalign(&p, (size_t)2 << 20, n) != 0)
        return NULL;
    (void)madvise(p, n & ~(((size_t)2 << 20) - 1), MADV_HUGEPAGE);
    return p;
}

void *
envcheck_big_calloc(size_t n, size_t size)
{
    void *p;

    if (size != 0 && n > (size_t)-1 / size)
        return NULL;
    if ((p = envcheck_big_alloc(n * size)) != NULL)
        memset(p, 0, n * size);
    return p;
}

static int
is_blank(char c)
{
    return c == ' ' || c == '\t';
}

static int
is_key_char(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           c == '_' || c == '.' || c == '-' || c == '[' || c == ']';
}

static int
is_name_start(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}

static int
is_name_char(unsigned char c)
{
    return is_name_start(c) || (c >= '0' && c <= '9');
}

static int
col_of(const struct lexer *lx, size_t pos)
{
    return (int)(pos - lx->line_start) + 1;
}

static int
add_diag(struct lexer *lx, enum env_diag_kind kind, int line, int column, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static int
add_diag(struct lexer *lx, enum env_diag_kind kind, int line, int column, const char *fmt, ...)
{
    struct env_file *f = lx->f;
    struct env_diag *d;
    va_list ap;

    if (kind == ENV_DIAG_ERROR)
        f->nerrors++;
    if (f->ndiags >= ENV_MAX_DIAGS)
        return 0; /* counted, not kept: bounded memory on hostile input */
    if (f->ndiags == lx->diags_cap) {
        size_t cap = lx->diags_cap ? lx->diags_cap * 2 : 8;
        d = realloc(f->diags, cap * sizeof(*d));
        if (d == NULL)
            return err_set(ERR_NOMEM, "out of memory");
        f->diags = d;
        lx->diags_cap = cap;
    }
    d = &f->diags[f->ndiags++];
    d->kind = kind;
    d->line = line;
    d->column = column;
    va_start(ap, fmt);
    vsnprintf(d->message, sizeof(d->message), fmt, ap);
    va_end(ap);
    return 0;
}

/* Moves pos to the first byte after the current physical line. */
static void
skip_line(struct lexer *lx)
{
    const char *nl = memchr(lx->d + lx->pos, '\n', lx->len - lx->pos);

    if (nl == NULL) {
        lx->pos = lx->len;
        return;
    }
    lx->pos = (size_t)(nl - lx->d) + 1;
    lx->line++;
    lx->line_start = lx->pos;
}

/* End of the current line's content: before "\n" or "\r\n", or len. */
static size_t
line_content_end(const struct lexer *lx, size_t from)
{
    const char *nl = memchr(lx->d + from, '\n', lx->len - from);
    size_t e = nl == NULL ? lx->len : (size_t)(nl - lx->d);

    if (e > from && lx->d[e - 1] == '\r')
        e--;
    return e;
}

static char *
arena_put(struct lexer *lx, const char *s, size_t n)
{
    char *p = lx->arena + lx->arena_used;

    /* The arena is sized so this cannot overflow (see env_lex); keep the check anyway. */
    if (lx->arena_used + n + 1 > lx->arena_cap)
        return NULL;
    memcpy(p, s, n);
    p[n] = '\0';
    lx->arena_used += n + 1;
    return p;
}

static int
push_ref(struct lexer *lx, const struct env_ref *r)
{
    if (lx->nrefs == lx->refs_cap) {
        size_t cap = lx->refs_cap ? lx->refs_cap * 2 : 16;
        struct env_ref *n = realloc(lx->refs, cap * sizeof(*n));
        if (n == NULL)
            return err_set(ERR_NOMEM, "out of memory");
        lx->refs = n;
        lx->refs_cap = cap;
    }
    lx->refs[lx->nrefs++] = *r;
    return 0;
}

/* Parses `${NAME[op arg]}` at s[i] == '$', s[i+1] == '{'. Returns the length of the reference
 * text, or 0 when malformed. Nested `${` in the argument are counted, not parsed (no recursion). */
static size_t
scan_braced(const char *s, size_t n, size_t i, struct env_ref *r)
{
    size_t j = i + 2, depth = 1;

    r->braced = 1;
    if (j >= n || !is_name_start((unsigned char)s[j]))
        return 0;
    r->name_start = j;
    while (j < n && is_name_char((unsigned char)s[j]))
        j++;
    r->name_len = j - r->name_start;
    if (j >= n)
        return 0;
    r->op[0] = '\0';
    if (s[j] == '}') {
        r->arg_start = r->arg_end = j;
        return j + 1 - i;
    }
    if (s[j] == ':' && j + 1 < n && (s[j + 1] == '-' || s[j + 1] == '?' || s[j + 1] == '+')) {
        r->op[0] = ':';
        r->op[1] = s[j + 1];
        r->op[2] = '\0';
        j += 2;
    } else if (s[j] == '-' || s[j] == '?' || s[j] == '+') {
        r->op[0] = s[j];
        r->op[1] = '\0';
        j++;
    } else {
        return 0;
    }
    r->arg_start = j;
    for (; j < n; j++) {
        if (s[j] == '$' && j + 1 < n && s[j + 1] == '{') {
            depth++;
            j++;
        } else if (s[j] == '}' && --depth == 0) {
            r->arg_end = j;
            return j + 1 - i;
        }
    }
    return 0;
}

size_t
env_ref_scan(const char *s, size_t n, size_t i, struct env_ref *r)
{
    size_t j = i + 1;

    memset(r, 0, sizeof(*r));
    if (i + 1 >= n || s[i] != '$')
        return 0;
    if (s[i + 1] == '{')
        return scan_braced(s, n, i, r);
    if (!is_name_start((unsigned char)s[i + 1]))
        return 0;
    while (j < n && is_name_char((unsigned char)s[j]))
        j++;
    r->name_start = i + 1;
    r->name_len = j - i - 1;
    r->arg_start = r->arg_end = j;
    r->start = i;
    r->end = j;
    return j - i;
}

/* Copies an interpolated text (unquoted, or double-quoted after escapes) into the arena:
 * `$$` -> `$`, references kept verbatim and recorded. Returns 0, or 1 when a `${` is malformed
 * (kept as text; the caller flags it), or a negative error. */
static int
put_interpolated(struct lexer *lx, const char *s, size_t n, struct env_entry *e, size_t ref0)
{
    char *out = lx->arena + lx->arena_used;
    size_t o = 0, i = 0;
    int bad = 0, rc;

    if (lx->arena_used + n + 1 > lx->arena_cap)
        return err_set(ERR_INTERNAL, "lexer arena overflow");
    while (i < n) {
        const char *dollar = memchr(s + i, '$', n - i);
        size_t k = dollar == NULL ? n : (size_t)(dollar - s);
        memcpy(out + o, s + i, k - i);
        o += k - i;
        i = k;
        if (i >= n)
            break;
        if (i + 1 < n && s[i + 1] == '$') {
            out[o++] = '$';
            e->flags |= ENV_F_DOLLAR_ESC;
            i += 2;
            continue;
        }
        {
            struct env_ref r;
            size_t rl = env_ref_scan(s, n, i, &r);
            if (rl == 0) {
                if (i + 1 < n && s[i + 1] == '{')
                    bad = 1;
                out[o++] = s[i++];
                continue;
            }
            /* shift the offsets from s to out */
            r.name_start = r.name_start - i + o;
            r.arg_start = r.arg_start - i + o;
            r.arg_end = r.arg_end - i + o;
            r.start = o;
            r.end = o + rl;
            memcpy(out + o, s + i, rl);
            o += rl;
            i += rl;
            if ((rc = push_ref(lx, &r)) < 0)
                return rc;
            continue;
        }
        out[o++] = s[i++];
    }
    out[o] = '\0';
    e->value = out;
    e->value_len = o;
    lx->arena_used += o + 1;
    if (lx->nrefs > ref0)
        e->flags |= ENV_F_REFS;
    return bad;
}

/* Decodes the escapes of a double-quoted body into lx->tmp; `\$` becomes `$$` so that the
 * interpolation pass reads it as a literal dollar (as compose-go does). */
static size_t
decode_double(struct lexer *lx, const char *s, size_t n, struct env_entry *e)
{
    char *t = lx->tmp;
    size_t o = 0;

    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c != '\\' || i + 1 >= n) {
            t[o++] = c;
            continue;
        }
        c = s[++i];
        e->flags |= ENV_F_ESCAPES;
        switch (c) {
        case 'a': t[o++] = '\a'; break;
        case 'b': t[o++] = '\b'; break;
        case 'f': t[o++] = '\f'; break;
        case 'n': t[o++] = '\n'; break;
        case 'r': t[o++] = '\r'; break;
        case 't': t[o++] = '\t'; break;
        case 'v': t[o++] = '\v'; break;
        case '$':
            t[o++] = '$';
            t[o++] = '$';
            break;
        default:
            t[o++] = c; /* \\ \" \' and unknown escapes: the character itself */
            break;
        }
    }
    return o;
}

/* Single quotes: literal, except that `\'` is a quote (Compose; not valid shell). */
static size_t
decode_single(struct lexer *lx, const char *s, size_t n, struct env_entry *e)
{
    char *t = lx->tmp;
    size_t o = 0;

    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\\' && i + 1 < n && s[i + 1] == '\'') {
            e->flags |= ENV_F_ESCAPES;
            i++;
        }
        t[o++] = s[i];
    }
    return o;
}

static int
push_entry(struct lexer *lx, const struct env_entry *e)
{
    struct env_file *f = lx->f;

    if (f->n >= ENV_MAX_ENTRIES)
        return err_set(ERR_LIMIT, "%s: more than %u entries", f->path, ENV_MAX_ENTRIES);
    if (f->n == lx->entries_cap) {
        size_t cap = lx->entries_cap ? lx->entries_cap * 2 : 64;
        struct env_entry *n = realloc(f->entries, cap * sizeof(*n));
        if (n == NULL)
            return err_set(ERR_NOMEM, "out of memory");
        f->entries = n;
        lx->entries_cap = cap;
    }
    f->entries[f->n++] = *e;
    return 0;
}

static void
span_set_start(const struct lexer *lx, struct env_span *sp, size_t pos)
{
    sp->start = pos;
    sp->line = lx->line;
    sp->column = col_of(lx, pos);
}

static void
span_set_end(const struct lexer *lx, struct env_span *sp, size_t pos)
{
    sp->end = pos;
    sp->end_line = lx->line;
    sp->end_column = col_of(lx, pos);
}

static int
is_trail_blank(char c)
{
    return is_blank(c) || c == '\r' || c == '\v' || c == '\f';
}

/* After a closing quote at from - 1: is there only blanks and an optional comment? */
static int
quote_closes_line(const struct lexer *lx, size_t from)
{
    size_t end = line_content_end(lx, from);

    while (from < end && is_trail_blank(lx->d[from]))
        from++;
    return from >= end || lx->d[from] == '#';
}

/* After a statement's value: blanks, then an optional comment, then the end of the line.
 * Returns 0, or 1 when something else follows (the caller reports it). */
static int
finish_line(struct lexer *lx, struct env_entry *e)
{
    size_t p = lx->pos, end = line_content_end(lx, lx->pos);

    while (p < end && (is_blank(lx->d[p]) || lx->d[p] == '\r' || lx->d[p] == '\v' ||
                       lx->d[p] == '\f'))
        p++;
    if (p < end && lx->d[p] == '#')
        e->flags |= ENV_F_COMMENT;
    else if (p < end) {
        lx->pos = p;
        return 1;
    }
    if (end < lx->len && lx->d[end] == '\r')
        e->flags |= ENV_F_CRLF;
    lx->pos = end;
    skip_line(lx);
    return 0;
}

static int
lex_statement(struct lexer *lx)
{
    const char *d = lx->d;
    struct env_entry e;
    size_t p = lx->pos, key_start, key_end, end, ref0 = lx->nrefs, a0 = lx->arena_used;
    int rc, line0 = lx->line;

    memset(&e, 0, sizeof(e));
    span_set_start(lx, &e.stmt, p);
    if (lx->len - p > 7 && memcmp(d + p, "export", 6) == 0 && is_blank(d[p + 6])) {
        size_t q = p + 6;
        while (q < lx->len && is_blank(d[q]))
            q++;
        /* `export` alone, or `export =`: then "export" is the key itself */
        if (q < lx->len && is_key_char((unsigned char)d[q])) {
            e.flags |= ENV_F_EXPORT;
            p = q;
        }
    }
    key_start = p;
    while (p < lx->len && is_key_char((unsigned char)d[p]))
        p++;
    key_end = p;
    while (p < lx->len && is_blank(d[p]))
        p++;
    end = line_content_end(lx, p);
    if (p < end && d[p] != '=' && d[p] != ':') {
        unsigned char c = (unsigned char)d[p];
        if (key_end == key_start)
            add_diag(lx, c == 0 ? ENV_DIAG_NUL : ENV_DIAG_ERROR, lx->line, col_of(lx, p),
                     c == 0 ? "NUL byte in a line" : "a statement must start with a variable name");
        else if (p > key_end && is_key_char(c) && memchr(d + p, '=', end - p) == NULL &&
                 memchr(d + p, ':', end - p) == NULL)
            add_diag(lx, ENV_DIAG_ERROR, lx->line, col_of(lx, p),
                     "no '=' after the variable name (a name cannot contain a space)");
        else if (p > key_end && is_key_char(c))
            add_diag(lx, ENV_DIAG_ERROR, lx->line, col_of(lx, p),
                     "the variable name contains a space");
        else if (c >= 0x20 && c < 0x7f)
            add_diag(lx, ENV_DIAG_ERROR, lx->line, col_of(lx, p),
                     "unexpected character '%c' in the variable name", c);
        else
            add_diag(lx, c == 0 ? ENV_DIAG_NUL : ENV_DIAG_ERROR, lx->line, col_of(lx, p),
                     "unexpected byte 0x%02x in the variable name", c);
        skip_line(lx);
        return 0;
    }
    if (key_end == key_start) {
        add_diag(lx, ENV_DIAG_ERROR, lx->line, col_of(lx, p), "missing variable name before '%c'",
                 p < end ? d[p] : '=');
        skip_line(lx);
        return 0;
    }
    if (key_end - key_start > ENV_MAX_KEY_LEN) {
        add_diag(lx, ENV_DIAG_ERROR, lx->line, col_of(lx, key_start),
                 "the variable name is longer than %u bytes", ENV_MAX_KEY_LEN);
        skip_line(lx);
        return 0;
    }
    span_set_start(lx, &e.key_span, key_start);
    span_set_end(lx, &e.key_span, key_end);
    e.key = arena_put(lx, d + key_start, key_end - key_start);
    e.key_len = key_end - key_start;

    if (p >= end) { /* KEY alone */
        e.flags |= ENV_F_NO_EQUALS | ENV_F_EMPTY;
        e.value = arena_put(lx, "", 0);
        span_set_start(lx, &e.value_span, key_end);
        span_set_end(lx, &e.value_span, key_end);
        span_set_end(lx, &e.stmt, key_end);
        lx->pos = end;
        if (end < lx->len && d[end] == '\r')
            e.flags |= ENV_F_CRLF;
        skip_line(lx);
        return push_entry(lx, &e);
    }
    if (d[p] == ':')
        e.flags |= ENV_F_COLON;
    p++;
    while (p < end && (is_blank(d[p]) || d[p] == '\v' || d[p] == '\f' || d[p] == '\r'))
        p++;

    if (p < end && (d[p] == '"' || d[p] == '\'')) {
        char q = d[p];
        size_t i = p + 1, tl;
        int esc = 0, qline = lx->line;
        size_t qline_start = lx->line_start;

        span_set_start(lx, &e.value_span, p);
        e.quote = q == '"' ? ENV_QUOTE_DOUBLE : ENV_QUOTE_SINGLE;
        /* Bounded: a quote runs over at most ENV_MAX_QUOTE_LINES lines. A scan that fails goes
         * back to the line after the opening quote, and the region it covered holds no
         * unescaped quote of its kind (an opener there would have closed it), so no byte is
         * scanned by more than one failed scan per quote kind: linear on any input. */
        for (; i < lx->len; i++) {
            char c = d[i];
            if (c == '\n') {
                if ((unsigned)(lx->line - qline) + 1 >= ENV_MAX_QUOTE_LINES)
                    break;
                lx->line++;
                lx->line_start = i + 1;
                e.flags |= ENV_F_MULTILINE;
            }
            if (c == '\0')
                break;
            if (esc) {
                esc = 0;
                continue;
            }
            if (c == '\\')
                esc = 1;
            else if (c == q)
                break;
        }
        if (i >= lx->len || d[i] != q) {
            int nul = i < lx->len && d[i] == '\0';
            int toolong = i < lx->len && d[i] == '\n';
            lx->line = qline;
            lx->line_start = qline_start;
            if (nul)
                add_diag(lx, ENV_DIAG_NUL, qline, col_of(lx, p), "NUL byte in a quoted value");
            else if (toolong)
                add_diag(lx, ENV_DIAG_ERROR, qline, col_of(lx, p),
                         "unterminated %s-quoted value (not closed within %u lines)",
                         q == '"' ? "double" : "single", ENV_MAX_QUOTE_LINES);
            else
                add_diag(lx, ENV_DIAG_ERROR, qline, col_of(lx, p), "unterminated %s-quoted value",
                         q == '"' ? "double" : "single");
            lx->arena_used = a0;
            lx->nrefs = ref0;
            lx->pos = p;
            skip_line(lx);
            return 0;
        }
        if (lx->line != qline && !quote_closes_line(lx, i + 1)) {
            /* The next quote of this kind, lines below, is followed by text: it opens or sits
             * inside another statement, so this quote was never closed. Report it here and go
             * on at the next line instead of losing every line up to that quote. */
            int cline = lx->line;
            lx->line = qline;
            lx->line_start = qline_start;
            add_diag(lx, ENV_DIAG_ERROR, qline, col_of(lx, p),
                     "unterminated %s-quoted value (the next %c, on line %d, is followed by text)",
                     q == '"' ? "double" : "single", q, cline);
            lx->arena_used = a0;
            lx->nrefs = ref0;
            lx->pos = p;
            skip_line(lx);
            return 0;
        }
        if (i - p - 1 > ENV_MAX_VALUE_LEN) {
            int cline = lx->line;
            size_t cstart = lx->line_start;
            lx->line = qline;
            lx->line_start = qline_start;
            add_diag(lx, ENV_DIAG_ERROR, qline, col_of(lx, p),
                     "the value of %s is longer than %u bytes", e.key, ENV_MAX_VALUE_LEN);
            lx->line = cline;
            lx->line_start = cstart;
            lx->arena_used = a0;
            lx->nrefs = ref0;
            lx->pos = i + 1;
            skip_line(lx);
            return 0;
        }
        span_set_end(lx, &e.value_span, i + 1);
        span_set_end(lx, &e.stmt, i + 1);
        if (e.quote == ENV_QUOTE_SINGLE) {
            tl = decode_single(lx, d + p + 1, i - p - 1, &e);
            if (tl > lx->tmp_used)
                lx->tmp_used = tl;
            e.value = arena_put(lx, lx->tmp, tl);
            e.value_len = tl;
        } else {
            tl = decode_double(lx, d + p + 1, i - p - 1, &e);
            if (tl > lx->tmp_used)
                lx->tmp_used = tl;
            rc = put_interpolated(lx, lx->tmp, tl, &e, ref0);
            if (rc < 0)
                return rc;
            if (rc > 0)
                e.flags |= ENV_F_BAD_REF;
        }
        lx->pos = i + 1;
        if (finish_line(lx, &e) != 0) {
            add_diag(lx, ENV_DIAG_ERROR, lx->line, col_of(lx, lx->pos),
                     "unexpected text after the closing quote of %s", e.key);
            lx->arena_used = a0;
            lx->nrefs = ref0;
            skip_line(lx);
            return 0;
        }
    } else {
        /* Unquoted: up to the end of the line, cut at " #", trailing whitespace trimmed. */
        size_t vend = end, vs = p;
        for (size_t i = vs; i + 1 < end; i++) {
            if (d[i] == ' ' && d[i + 1] == '#') {
                vend = i;
                e.flags |= ENV_F_COMMENT;
                break;
            }
        }
        while (vend > vs && (is_blank(d[vend - 1]) || d[vend - 1] == '\r' ||
                             d[vend - 1] == '\v' || d[vend - 1] == '\f'))
            vend--;
        if (vend - vs > ENV_MAX_VALUE_LEN) {
            add_diag(lx, ENV_DIAG_ERROR, lx->line, col_of(lx, vs),
                     "the value of %s is longer than %u bytes", e.key, ENV_MAX_VALUE_LEN);
            lx->arena_used = a0;
            skip_line(lx);
            return 0;
        }
        if (memchr(d + vs, '\0', vend - vs) != NULL) {
            add_diag(lx, ENV_DIAG_NUL, lx->line, col_of(lx, vs), "NUL byte in the value of %s",
                     e.key);
            lx->arena_used = a0;
            skip_line(lx);
            return 0;
        }
        span_set_start(lx, &e.value_span, vs);
        span_set_end(lx, &e.value_span, vend);
        span_set_end(lx, &e.stmt, vend);
        if (vend == vs)
            e.flags |= ENV_F_EMPTY;
        rc = put_interpolated(lx, d + vs, vend - vs, &e, ref0);
        if (rc < 0)
            return rc;
        if (rc > 0)
            e.flags |= ENV_F_BAD_REF;
        if (end < lx->len && d[end] == '\r')
            e.flags |= ENV_F_CRLF;
        lx->pos = end;
        skip_line(lx);
    }
    (void)line0;
    /* e.refs is set once lexing is over (realloc may move the array); entries' refs are
     * consecutive in it, in entry order */
    e.nrefs = lx->nrefs - ref0;
    return push_entry(lx, &e);
}

/* Counts lines and CRLFs, and flags lines with invalid UTF-8 (one diag per line). */
static int
prescan(struct lexer *lx, size_t from)
{
    const unsigned char *d = (const unsigned char *)lx->d;
    size_t i = from, ls = from;
    int line = 1, bad_line = 0, rc;

    while (i < lx->len) {
        unsigned char c = d[i];
        if (c < 0x80) {
            if (c == '\n') {
                if (i > ls && d[i - 1] == '\r') {
                    lx->f->ncrlf++;
                    if (!lx->crlf_reported) {
                        lx->crlf_reported = 1;
                        if ((rc = add_diag(lx, ENV_DIAG_CRLF, line, (int)(i - ls),
                                           "CRLF line endings (Windows); bash keeps the \\r in "
                                           "values")) < 0)
                            return rc;
                    }
                }
                line++;
                ls = i + 1;
                bad_line = 0;
            }
            i++;
            continue;
        }
        {
            size_t n = c >= 0xf0 && c <= 0xf4 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 && c < 0xe0 ? 2 : 0;
            int ok = n > 0 && i + n <= lx->len && c < 0xf5;
            for (size_t k = 1; ok && k < n; k++)
                ok = (d[i + k] & 0xc0) == 0x80;
            if (ok && n == 3 && ((c == 0xe0 && d[i + 1] < 0xa0) || (c == 0xed && d[i + 1] >= 0xa0)))
                ok = 0;
            if (ok && n == 4 && ((c == 0xf0 && d[i + 1] < 0x90) || (c == 0xf4 && d[i + 1] >= 0x90)))
                ok = 0;
            if (!ok) {
                if (!bad_line) {
                    bad_line = 1;
                    if ((rc = add_diag(lx, ENV_DIAG_UTF8, line, (int)(i - ls) + 1,
                                       "invalid UTF-8 (docker run --env-file rejects the file)")) <
                        0)
                        return rc;
                }
                i++;
                continue;
            }
            i += n;
        }
    }
    lx->f->nlines = line - (lx->len > from && d[lx->len - 1] == '\n' ? 1 : 0);
    if (lx->len == from)
        lx->f->nlines = 0;
    return 0;
}

/* Lexes `data` (len bytes + a NUL), which out takes over (and frees, on error too). */
/* Points each entry's refs into the refs array (entries' refs are consecutive in it). */
static void
set_refs(struct env_file *out, struct env_ref *refs)
{
    for (size_t i = 0, r0 = 0; i < out->n; i++) {
        struct env_entry *e = &out->entries[i];
        e->refs = e->nrefs > 0 ? refs + r0 : NULL;
        r0 += e->nrefs;
    }
}

/* Chunked lexing (env_lex_file_chunked): the entries go to cb `chunk` at a time, then their
 * strings and refs are wiped and their room used again. */
struct chunking {
    size_t chunk;
    env_chunk_fn cb;
    void *user;
};

static int
hand_over(struct lexer *lx, const struct chunking *ch)
{
    struct env_file *f = lx->f;
    int rc;

    set_refs(f, lx->refs);
    rc = ch->cb(f, ch->user);
    explicit_bzero(lx->arena, lx->arena_used);
    lx->arena_used = 0;
    lx->nrefs = 0;
    f->n = 0;
    return rc;
}

static int
lex_owned_chunked(char *data, size_t len, const char *path, struct env_file *out,
                  const struct chunking *ch)
{
    struct lexer lx;
    int rc = 0;

    memset(&lx, 0, sizeof(lx));
    out->data = data;
    out->len = len;
    out->path = strdup(path == NULL ? "<input>" : strcmp(path, "-") == 0 ? "<stdin>" : path);
    /* every key and value copy is no longer than its raw text, plus a NUL each; untouched
     * pages of these cost nothing */
    lx.arena_cap = 2 * len + 16;
    lx.arena = envcheck_big_alloc(lx.arena_cap);
    lx.tmp = malloc(2 * len + 2); /* `\$` doubles */
    if (out->path == NULL || lx.arena == NULL || lx.tmp == NULL) {
        free(lx.arena);
        free(lx.tmp);
        return err_set(ERR_NOMEM, "out of memory");
    }
    lx.d = out->data;
    lx.len = len;
    lx.f = out;
    lx.line = 1;
    if (len >= 3 && memcmp(lx.d, "\xef\xbb\xbf", 3) == 0) {
        out->has_bom = 1;
        lx.pos = 3;
        rc = add_diag(&lx, ENV_DIAG_BOM, 1, 1, "UTF-8 byte order mark at the start of the file");
    }
    lx.line_start = lx.pos;
    if (rc == 0)
        rc = prescan(&lx, lx.pos);
    if (rc == 0 && out->nlines > 0) {
        /* at most one statement per line: one allocation, no copying as entries are added */
        size_t cap = (size_t)out->nlines < ENV_MAX_ENTRIES ? (size_t)out->nlines : ENV_MAX_ENTRIES;
        if (ch != NULL && cap > ch->chunk)
            cap = ch->chunk;
        out->entries = envcheck_big_alloc(cap * sizeof(*out->entries));
        if (out->entries == NULL)
            rc = err_set(ERR_NOMEM, "out of memory");
        else
            lx.entries_cap = cap;
    }
    while (rc == 0 && lx.pos < len) {
        char c = lx.d[lx.pos];
        if (is_blank(c) || c == '\r' || c == '\v' || c == '\f') {
            lx.pos++;
        } else if (c == '\n') {
            lx.pos++;
            lx.line++;
            lx.line_start = lx.pos;
        } else if (c == '#') {
            skip_line(&lx);
        } else {
            rc = lex_statement(&lx);
            if (rc == 0 && ch != NULL && out->n >= ch->chunk)
                rc = hand_over(&lx, ch);
        }
    }
    if (rc == 0 && ch != NULL && out->n > 0)
        rc = hand_over(&lx, ch);
    set_refs(out, lx.refs);
    if (lx.nrefs == 0) {
        free(lx.refs);
        lx.refs = NULL;
    }
    out->strings = lx.arena;
    out->strings_cap = lx.arena_used; /* what env_file_free wipes */
    out->refs_all = lx.refs;
    explicit_bzero(lx.tmp, lx.tmp_used);
    free(lx.tmp);
    return rc;
}

static int
lex_owned(char *data, size_t len, const char *path, struct env_file *out)
{
    return lex_owned_chunked(data, len, path, out, NULL);
}

int
env_lex(const char *data, size_t len, const char *path, struct env_file *out)
{
    char *copy;

    memset(out, 0, sizeof(*out));
    if (len > ENV_MAX_FILE_SIZE)
        return err_set(ERR_LIMIT, "%s: larger than %u bytes", path ? path : "<input>",
                       ENV_MAX_FILE_SIZE);
    if ((copy = envcheck_big_alloc(len + 1)) == NULL)
        return err_set(ERR_NOMEM, "out of memory");
    if (len > 0)
        memcpy(copy, data, len);
    copy[len] = '\0';
    return lex_owned(copy, len, path, out);
}

/* A regular file read in one allocation of its size (file_read_all grows its buffer by
 * doubling: twice the memory touched on big files). 1 = not a regular file: use file_read_all,
 * which also gives the errors their words. */
static int
read_regular(const char *path, char **data, size_t *len)
{
    struct stat st;
    size_t got = 0;
    char *p;
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);

    if (fd < 0)
        return 1;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
        (unsigned long long)st.st_size > ENV_MAX_FILE_SIZE) {
        close(fd);
        return 1;
    }
    if ((p = envcheck_big_alloc((size_t)st.st_size + 1)) == NULL) {
        close(fd);
        return err_set(ERR_NOMEM, "out of memory");
    }
    while (got < (size_t)st.st_size) {
        ssize_t r = read(fd, p + got, (size_t)st.st_size - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            int rc = err_set_errno(ERR_IO, "%s: read failed", path);
            explicit_bzero(p, got);
            free(p);
            close(fd);
            return rc;
        }
        if (r == 0)
            break; /* shrank while we read: take what is there */
        got += (size_t)r;
    }
    close(fd);
    p[got] = '\0';
    *data = p;
    *len = got;
    return 0;
}

static int
lex_file(const char *path, struct env_file *out, const struct chunking *ch)
{
    struct buf b = {0};
    char *data = NULL;
    size_t len = 0;
    int rc;

    memset(out, 0, sizeof(*out));
    if (strcmp(path, "-") != 0) {
        rc = read_regular(path, &data, &len);
        if (rc < 0)
            return rc;
        if (rc == 0)
            return lex_owned_chunked(data, len, path, out, ch);
    }
    rc = file_read_all(path, ENV_MAX_FILE_SIZE, FILE_READ_NOFOLLOW, &b);
    if (rc < 0) {
        buf_free(&b);
        return rc;
    }
    if (b.data == NULL && (rc = buf_append(&b, "", 0)) < 0)
        return rc;
    /* the buffer moves into the env_file: no second copy of the secrets */
    return lex_owned_chunked(b.data, b.len, path, out, ch);
}

int
env_lex_file(const char *path, struct env_file *out)
{
    return lex_file(path, out, NULL);
}

int
env_lex_file_chunked(const char *path, size_t chunk, env_chunk_fn cb, void *user,
                     struct env_file *out)
{
    struct chunking ch = {chunk > 0 ? chunk : 1, cb, user};

    return lex_file(path, out, &ch);
}
