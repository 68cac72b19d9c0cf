/* dockerfile_parse: turns any bytes into instructions with exact spans: parser directives, BOM,
 * CRLF, continuations with either escape character, comments inside them, heredocs, flags and
 * JSON (exec) form with the builder's shell-form fallback. It never aborts on bad syntax. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "dockerfile.h"

/* ---- arena ---------------------------------------------------------------------------------- */
struct df_block {
    struct df_block *next;
    size_t used, cap;
    max_align_t data[];
};

/* Memory from the arena, not cleared. */
static void *
arena_take(struct df_arena *a, size_t n)
{
    struct df_block *b = a->head;

    n = (n + sizeof(max_align_t) - 1) / sizeof(max_align_t) * sizeof(max_align_t);
    if (n == 0)
        n = sizeof(max_align_t);
    if (b == NULL || b->cap - b->used < n) {
        size_t cap = n > 65536 ? n : 65536;
        b = malloc(sizeof(*b) + cap);
        if (b == NULL) {
            a->failed = 1;
            return NULL;
        }
        b->used = 0;
        b->cap = cap;
        b->next = a->head;
        a->head = b;
    }
    void *p = (char *)b->data + b->used;
    b->used += n;
    return p;
}

void *
df_alloc(struct df_arena *a, size_t n)
{
    void *p = arena_take(a, n);

    if (p != NULL)
        memset(p, 0, n);
    return p;
}

char *
df_strndup(struct df_arena *a, const char *s, size_t n)
{
    char *p = arena_take(a, n + 1); /* every byte is written: no need to clear it first */

    if (p == NULL)
        return NULL;
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

static void
arena_free(struct df_arena *a)
{
    while (a->head != NULL) {
        struct df_block *n = a->head->next;
        free(a->head);
        a->head = n;
    }
}

void
dockerfile_free(struct dockerfile *df)
{
    free(df->line_starts);
    free(df->instrs);
    free(df->problems);
    free(df->stages);
    arena_free(&df->arena);
    memset(df, 0, sizeof(*df));
}

/* ---- positions and problems ----------------------------------------------------------------- */
void
df_file_pos(const struct dockerfile *df, size_t off, int *line, int *col)
{
    size_t lo = 0, hi = df->nlines;

    while (hi - lo > 1) {
        size_t mid = (lo + hi) / 2;
        if (df->line_starts[mid] <= off)
            lo = mid;
        else
            hi = mid;
    }
    *line = (int)lo + 1;
    *col = (int)(off - (df->nlines ? df->line_starts[lo] : 0)) + 1;
}

void
df_pos(const struct dockerfile *df, const struct df_instr *in, size_t off, int *line, int *col)
{
    size_t t = in->text_base + off, lo = 0, hi = in->nsegs;

    if (in->nsegs == 0) {
        *line = in->line;
        *col = in->col;
        return;
    }
    while (hi - lo > 1) {
        size_t mid = (lo + hi) / 2;
        if (in->segs[mid].text_off <= t)
            lo = mid;
        else
            hi = mid;
    }
    df_file_pos(df, in->segs[lo].file_off + (t - in->segs[lo].text_off), line, col);
}

int
df_problem(struct dockerfile *df, int line, int col, const char *fmt, ...)
{
    char msg[256];
    va_list ap;

    if (df->nproblems >= 10000)
        return 0;
    if (df->nproblems == df->pcap) {
        size_t cap = df->pcap ? df->pcap * 2 : 16;
        struct df_problem *p = realloc(df->problems, cap * sizeof(*p));
        if (p == NULL)
            return ERR_NOMEM;
        df->problems = p;
        df->pcap = cap;
    }
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    df->problems[df->nproblems].line = line;
    df->problems[df->nproblems].col = col;
    df->problems[df->nproblems].msg = df_strndup(&df->arena, msg, strlen(msg));
    df->nproblems++;
    return 0;
}

/* ---- instruction names and flags -------------------------------------------------------------- */
static const struct {
    const char *name;
    enum df_kind kind;
    const char *flags; /* known flags, space-separated, NULL = none */
} kinds[] = {
    {"FROM", DF_FROM, "platform"},
    {"RUN", DF_RUN, "mount network security device"},
    {"CMD", DF_CMD, NULL},
    {"LABEL", DF_LABEL, NULL},
    {"MAINTAINER", DF_MAINTAINER, NULL},
    {"EXPOSE", DF_EXPOSE, NULL},
    {"ENV", DF_ENV, NULL},
    {"ADD", DF_ADD, "chown chmod link checksum keep-git-dir unpack exclude parents"},
    {"COPY", DF_COPY, "from chown chmod link parents exclude"},
    {"ENTRYPOINT", DF_ENTRYPOINT, NULL},
    {"VOLUME", DF_VOLUME, NULL},
    {"USER", DF_USER, NULL},
    {"WORKDIR", DF_WORKDIR, NULL},
    {"ARG", DF_ARG, NULL},
    {"ONBUILD", DF_ONBUILD, NULL},
    {"STOPSIGNAL", DF_STOPSIGNAL, NULL},
    {"HEALTHCHECK", DF_HEALTHCHECK, "interval timeout start-period start-interval retries"},
    {"SHELL", DF_SHELL, NULL},
};

const char *
df_kind_name(enum df_kind k)
{
    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
        if (kinds[i].kind == k)
            return kinds[i].name;
    return "UNKNOWN";
}

static int
kind_index(const char *kw, size_t len)
{
    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
        if (strlen(kinds[i].name) == len && strncasecmp(kinds[i].name, kw, len) == 0)
            return (int)i;
    return -1;
}

static int
flag_known(const char *list, const char *name)
{
    size_t n = strlen(name);

    for (const char *p = list; p != NULL && *p != '\0';) {
        const char *e = strchr(p, ' ');
        size_t l = e ? (size_t)(e - p) : strlen(p);
        if (l == n && strncmp(p, name, n) == 0)
            return 1;
        p = e ? e + 1 : p + l;
    }
    return 0;
}

const struct df_flag *
df_flag_get(const struct df_instr *in, const char *name)
{
    for (size_t i = 0; i < in->nflags; i++)
        if (strcasecmp(in->flags[i].name, name) == 0)
            return &in->flags[i];
    return NULL;
}

/* ---- words ---------------------------------------------------------------------------------- */
/* Splits text into words with the builder's quoting: '...' literal, "..." with escapes, the
 * escape character escaping the next character outside single quotes. */
static int
split_words(struct dockerfile *df, struct df_instr *in)
{
    const char *t = in->text;
    size_t n = in->text_len, i = 0, cap = 0;
    char esc = df->escape;
    char *tmp = NULL;

    in->words = NULL;
    in->nwords = 0;
    tmp = malloc(n + 1); /* one scratch for every word: no allocation per word */
    if (tmp == NULL)
        return ERR_NOMEM;
    while (i < n) {
        while (i < n && (t[i] == ' ' || t[i] == '\t'))
            i++;
        if (i >= n)
            break;
        size_t start = i;
        char q;
        size_t tl = df_word_next(t, n, &i, esc, 0, tmp, &q);
        if (q != 0) {
            int l, c;
            df_pos(df, in, start, &l, &c);
            df_problem(df, l, c, "unterminated %s quote in %s", q == '"' ? "double" : "single",
                       in->keyword);
        }
        if (in->nwords >= DF_MAX_WORDS) {
            int l, c;
            df_pos(df, in, start, &l, &c);
            df_problem(df, l, c, "more than %d words in %s; the rest is not analysed",
                       DF_MAX_WORDS, in->keyword);
            break;
        }
        if (in->nwords == cap) {
            cap = cap ? cap * 2 : 8;
            struct df_word *w = df_alloc(&df->arena, cap * sizeof(*w));
            if (w == NULL) {
                free(tmp);
                return ERR_NOMEM;
            }
            if (in->nwords)
                memcpy(w, in->words, in->nwords * sizeof(*w));
            in->words = w;
        }
        struct df_word *w = &in->words[in->nwords++];
        w->raw = df_strndup(&df->arena, t + start, i - start);
        w->text = df_strndup(&df->arena, tmp, tl);
        w->x = w->text;
        w->off = start;
        w->len = i - start;
        if (w->raw == NULL || w->text == NULL) {
            free(tmp);
            return ERR_NOMEM;
        }
    }
    free(tmp);
    return 0;
}

/* Leading --flags of FROM, RUN, COPY, ADD, HEALTHCHECK; unknown ones are info problems. */
static int
parse_flags(struct dockerfile *df, struct df_instr *in, const char *known)
{
    size_t i = 0;

    in->first_arg = 0;
    in->args_off = in->text_len;
    if (known == NULL) {
        if (in->nwords > 0)
            in->args_off = in->words[0].off;
        return 0;
    }
    while (i < in->nwords && strncmp(in->words[i].text, "--", 2) == 0 && in->words[i].text[2])
        i++;
    in->nflags = i;
    in->flags = i ? df_alloc(&df->arena, i * sizeof(*in->flags)) : NULL;
    if (i && in->flags == NULL)
        return ERR_NOMEM;
    for (size_t k = 0; k < i; k++) {
        const char *s = in->words[k].text + 2, *eq = strchr(s, '=');
        struct df_flag *fl = &in->flags[k];
        fl->name = df_strndup(&df->arena, s, eq ? (size_t)(eq - s) : strlen(s));
        fl->value = eq ? eq + 1 : NULL;
        fl->off = in->words[k].off;
        if (fl->name == NULL)
            return ERR_NOMEM;
        if (!flag_known(known, fl->name)) {
            int l, c;
            df_pos(df, in, fl->off, &l, &c);
            df_problem(df, l, c, "unknown flag --%s for %s (ignored, parsing goes on)",
                       fl->name, in->keyword);
        }
    }
    in->first_arg = i;
    if (i < in->nwords)
        in->args_off = in->words[i].off;
    return 0;
}

/* Exec form: a JSON array of strings; anything else falls back to shell form as the builder does. */
static int
parse_json(struct dockerfile *df, struct df_instr *in)
{
    const char *s = in->text + in->args_off;
    size_t n = in->text_len - in->args_off;
    cJSON *j, *it;
    size_t k = 0;

    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    if (n == 0 || s[0] != '[')
        return 0;
    j = cJSON_ParseWithLength(s, n);
    if (j == NULL || !cJSON_IsArray(j)) {
        int l, c;
        cJSON_Delete(j);
        df_pos(df, in, in->args_off, &l, &c);
        return df_problem(df, l, c, "%s: not a valid JSON array, treated as shell form",
                          in->keyword);
    }
    cJSON_ArrayForEach(it, j) {
        if (!cJSON_IsString(it)) {
            cJSON_Delete(j);
            return 0;
        }
        k++;
    }
    in->jargs = df_alloc(&df->arena, (k ? k : 1) * sizeof(*in->jargs));
    if (in->jargs == NULL) {
        cJSON_Delete(j);
        return ERR_NOMEM;
    }
    k = 0;
    cJSON_ArrayForEach(it, j) {
        in->jargs[k++] = df_strndup(&df->arena, it->valuestring, strlen(it->valuestring));
    }
    in->njargs = k;
    in->json = 1;
    cJSON_Delete(j);
    return 0;
}

/* ---- key=value forms ------------------------------------------------------------------------ */
static int
parse_kvs(struct dockerfile *df, struct df_instr *in)
{
    size_t nw = in->nwords - in->first_arg;
    struct df_word *w;

    if (nw == 0 || in->words == NULL)
        return 0;
    w = in->words + in->first_arg;
    in->kvs = df_alloc(&df->arena, nw * sizeof(*in->kvs));
    if (in->kvs == NULL)
        return ERR_NOMEM;
    /* Legacy `ENV key value...`: one variable, the value is the rest of the line. */
    if ((in->kind == DF_ENV || in->kind == DF_LABEL) && strchr(w[0].raw, '=') == NULL) {
        struct df_kv *kv = &in->kvs[0];
        kv->key = w[0].text;
        kv->key_off = w[0].off;
        if (nw > 1) {
            size_t vo = w[1].off, ve = in->text_len;
            while (ve > vo && (in->text[ve - 1] == ' ' || in->text[ve - 1] == '\t'))
                ve--;
            kv->value = df_strndup(&df->arena, in->text + vo, ve - vo);
            kv->value_off = vo;
        } else {
            kv->value = "";
            kv->value_off = w[0].off + w[0].len;
            int l, c;
            df_pos(df, in, w[0].off, &l, &c);
            df_problem(df, l, c, "%s %s has no value", in->keyword, w[0].text);
        }
        in->nkvs = 1;
        return 0;
    }
    for (size_t i = 0; i < nw; i++) {
        const char *eq = strchr(w[i].raw, '=');
        struct df_kv *kv = &in->kvs[in->nkvs++];
        kv->key_off = w[i].off;
        if (eq == NULL) {
            kv->key = w[i].text;
            kv->value = NULL;
            if (in->kind != DF_ARG) {
                int l, c;
                df_pos(df, in, w[i].off, &l, &c);
                df_problem(df, l, c, "%s: '%s' is not key=value", in->keyword, w[i].text);
            }
            continue;
        }
        size_t kl = (size_t)(eq - w[i].raw);
        const char *tq = strchr(w[i].text, '=');
        /* The key as written (quotes around keys are rare); the value unquoted. */
        kv->key = df_strndup(&df->arena, w[i].raw, kl);
        if (kv->key != NULL && (kv->key[0] == '"' || kv->key[0] == '\''))
            kv->key = df_strndup(&df->arena, w[i].text, tq ? (size_t)(tq - w[i].text) : kl);
        kv->value = tq ? tq + 1 : "";
        /* Raw value with quotes, kept for expansion; stored in xvalue until resolve. */
        kv->xvalue = eq + 1;
        kv->value_off = w[i].off + kl + 1;
        if (kv->key == NULL)
            return ERR_NOMEM;
    }
    return 0;
}

/* ---- heredocs ------------------------------------------------------------------------------- */
struct lines {
    const char *data;
    size_t len;
    size_t *starts;
    size_t n;
};

/* Line i without its terminator (\n, \r\n). */
static void
line_at(const struct lines *L, size_t i, size_t *s, size_t *e)
{
    *s = L->starts[i];
    *e = i + 1 < L->n ? L->starts[i + 1] - 1 : L->len;
    if (i + 1 >= L->n && *e > *s && L->data[*e - 1] == '\n')
        (*e)--;
    if (*e > *s && L->data[*e - 1] == '\r')
        (*e)--;
}

static int
find_heredocs(struct dockerfile *df, struct df_instr *in, const struct lines *L, size_t *next)
{
    size_t cap = 0;

    for (size_t i = in->first_arg; i < in->nwords; i++) {
        const char *r = in->words[i].raw;
        while (isdigit((unsigned char)*r))
            r++;
        if (r[0] != '<' || r[1] != '<' || r[2] == '<')
            continue;
        r += 2;
        int strip = 0;
        if (*r == '-') {
            strip = 1;
            r++;
        }
        if (*r == '\0' || strchr(r, '<') != NULL)
            continue;
        if (in->nheredocs >= DF_MAX_HEREDOCS) {
            df_problem(df, in->line, in->col, "more than %d heredocs in one instruction",
                       DF_MAX_HEREDOCS);
            break;
        }
        if (in->nheredocs == cap) {
            cap = cap ? cap * 2 : 2;
            struct df_heredoc *h = df_alloc(&df->arena, cap * sizeof(*h));
            if (h == NULL)
                return ERR_NOMEM;
            if (in->nheredocs)
                memcpy(h, in->heredocs, in->nheredocs * sizeof(*h));
            in->heredocs = h;
        }
        struct df_heredoc *h = &in->heredocs[in->nheredocs++];
        char *d = df_alloc(&df->arena, strlen(r) + 1);
        size_t dl = 0;
        if (d == NULL)
            return ERR_NOMEM;
        memset(h, 0, sizeof(*h));
        for (const char *p = r; *p; p++) {
            if (*p == '"' || *p == '\'' || *p == df->escape) {
                h->quoted = 1;
                continue;
            }
            d[dl++] = *p;
        }
        d[dl] = '\0';
        h->delim = d;
        h->strip_tabs = strip;
    }
    /* Bodies follow the instruction, in order. */
    for (size_t k = 0; k < in->nheredocs; k++) {
        struct df_heredoc *h = &in->heredocs[k];
        struct buf b = {0};
        size_t dlen = strlen(h->delim);
        h->line = (int)*next + 1;
        while (*next < L->n) {
            size_t s, e;
            line_at(L, *next, &s, &e);
            (*next)++;
            if (h->strip_tabs)
                while (s < e && L->data[s] == '\t')
                    s++;
            if (e - s == dlen && memcmp(L->data + s, h->delim, dlen) == 0) {
                h->terminated = 1;
                break;
            }
            if (buf_append(&b, L->data + s, e - s) < 0 || buf_append(&b, "\n", 1) < 0) {
                buf_free(&b);
                return ERR_NOMEM;
            }
        }
        if (!h->terminated)
            df_problem(df, h->line - 1, 1, "unterminated heredoc: no line '%s' before the end",
                       h->delim);
        h->body = df_strndup(&df->arena, b.data ? b.data : "", b.len);
        h->body_len = b.len;
        buf_free(&b);
        if (h->body == NULL)
            return ERR_NOMEM;
    }
    return 0;
}

/* ---- directives and pragmas ----------------------------------------------------------------- */
/* `# key = value` at the very top. Returns 1 when the line was a directive. */
static int
directive(struct dockerfile *df, const char *s, size_t n, int line, int *seen)
{
    size_t i = 0, ks, ke, vs, ve;

    if (n == 0 || s[0] != '#')
        return 0;
    i = 1;
    while (i < n && (s[i] == ' ' || s[i] == '\t'))
        i++;
    ks = i;
    while (i < n && isalpha((unsigned char)s[i]))
        i++;
    ke = i;
    while (i < n && (s[i] == ' ' || s[i] == '\t'))
        i++;
    if (ke == ks || i >= n || s[i] != '=')
        return 0;
    i++;
    while (i < n && (s[i] == ' ' || s[i] == '\t'))
        i++;
    vs = i;
    ve = n;
    while (ve > vs && (s[ve - 1] == ' ' || s[ve - 1] == '\t'))
        ve--;
    size_t kl = ke - ks;
    int bit;
    if (kl == 6 && strncasecmp(s + ks, "syntax", 6) == 0)
        bit = 1;
    else if (kl == 6 && strncasecmp(s + ks, "escape", 6) == 0)
        bit = 2;
    else if (kl == 5 && strncasecmp(s + ks, "check", 5) == 0)
        bit = 4;
    else
        return 0;
    if (*seen & bit)
        return 0;
    *seen |= bit;
    const char *v = df_strndup(&df->arena, s + vs, ve - vs);
    if (bit == 1)
        df->syntax = v;
    else if (bit == 4)
        df->check = v;
    else if (ve - vs == 1 && (s[vs] == '\\' || s[vs] == '`'))
        df->escape = s[vs];
    else
        df_problem(df, line, (int)vs + 1, "escape directive must be \\ or ` (kept \\)");
    return 1;
}

/* `# scanner ignore=A,B`, `# hadolint ignore=DL1`, `# hadolint global ignore=`,
 * `# trivy:ignore:DS-0001`. Returns the ids (arena) or NULL; *global for file-wide. */
static const char *
pragma(struct dockerfile *df, const char *s, size_t n, int *global)
{
    size_t i = 1;
    const char *ids = NULL;
    size_t idl = 0;

    *global = 0;
    while (i < n && (s[i] == ' ' || s[i] == '\t'))
        i++;
    s += i;
    n -= i;
    if (n > 13 && strncmp(s, "trivy:ignore:", 13) == 0) {
        ids = s + 13;
        idl = n - 13;
    } else {
        const char *kw = NULL;
        if (n > 8 && strncmp(s, "scanner ", 8) == 0)
            kw = s + 8;
        else if (n > 9 && strncmp(s, "hadolint ", 9) == 0)
            kw = s + 9;
        if (kw == NULL)
            return NULL;
        size_t rest = n - (size_t)(kw - s);
        while (rest > 0 && *kw == ' ') {
            kw++;
            rest--;
        }
        if (rest > 7 && strncmp(kw, "global ", 7) == 0) {
            *global = 1;
            kw += 7;
            rest -= 7;
            while (rest > 0 && *kw == ' ') {
                kw++;
                rest--;
            }
        }
        if (rest < 7 || strncmp(kw, "ignore", 6) != 0)
            return NULL;
        kw += 6;
        rest -= 6;
        while (rest > 0 && (*kw == ' ' || *kw == '=')) {
            kw++;
            rest--;
        }
        ids = kw;
        idl = rest;
    }
    /* Ids end at whitespace-after-list or a second '#'. */
    char *out = df_alloc(&df->arena, idl + 1);
    size_t o = 0;
    if (out == NULL)
        return NULL;
    for (size_t k = 0; k < idl && ids[k] != '#'; k++)
        if (ids[k] != ' ' && ids[k] != '\t')
            out[o++] = ids[k];
    out[o] = '\0';
    return o ? out : NULL;
}

/* ---- instructions --------------------------------------------------------------------------- */
static int
push_instr(struct dockerfile *df, struct df_instr **out)
{
    if (df->n == df->cap) {
        size_t cap = df->cap ? df->cap * 2 : 32;
        struct df_instr *p = realloc(df->instrs, cap * sizeof(*p));
        if (p == NULL)
            return ERR_NOMEM;
        df->instrs = p;
        df->cap = cap;
    }
    *out = &df->instrs[df->n++];
    memset(*out, 0, sizeof(**out));
    (*out)->stage = -1;
    return 0;
}

/* Everything after the keyword: words, flags, JSON, key=values, heredocs, ONBUILD's inner one. */
static int
analyse(struct dockerfile *df, struct df_instr *in, const struct lines *L, size_t *next,
        int depth)
{
    int idx;
    int rc;

    if ((rc = split_words(df, in)) < 0)
        return rc;
    idx = in->kind == DF_UNKNOWN ? -1 : kind_index(in->keyword, strlen(in->keyword));
    if ((rc = parse_flags(df, in, idx >= 0 ? kinds[idx].flags : NULL)) < 0)
        return rc;
    switch (in->kind) {
    case DF_RUN:
    case DF_CMD:
    case DF_ENTRYPOINT:
    case DF_SHELL:
    case DF_ADD:
    case DF_COPY:
    case DF_VOLUME:
        if ((rc = parse_json(df, in)) < 0)
            return rc;
        break;
    case DF_ENV:
    case DF_ARG:
    case DF_LABEL:
        if ((rc = parse_kvs(df, in)) < 0)
            return rc;
        break;
    case DF_ONBUILD: {
        size_t i = 0;
        while (i < in->text_len && (in->text[i] == ' ' || in->text[i] == '\t'))
            i++;
        size_t ks = i;
        while (i < in->text_len && isalpha((unsigned char)in->text[i]))
            i++;
        if (i == ks) {
            df_problem(df, in->line, in->col, "ONBUILD without an instruction");
            break;
        }
        if (depth > 0)
            break; /* ONBUILD ONBUILD: flagged by a rule, not parsed deeper */
        struct df_instr *sub = df_alloc(&df->arena, sizeof(*sub));
        if (sub == NULL)
            return ERR_NOMEM;
        memset(sub, 0, sizeof(*sub));
        int k = kind_index(in->text + ks, i - ks);
        sub->kind = k >= 0 ? kinds[k].kind : DF_UNKNOWN;
        sub->keyword = df_strndup(&df->arena, in->text + ks, i - ks);
        while (i < in->text_len && (in->text[i] == ' ' || in->text[i] == '\t'))
            i++;
        sub->text = in->text + i;
        sub->text_len = in->text_len - i;
        sub->text_base = in->text_base + i;
        sub->segs = in->segs;
        sub->nsegs = in->nsegs;
        df_pos(df, in, ks, &sub->line, &sub->col);
        sub->end_line = in->end_line;
        sub->stage = in->stage;
        if (sub->kind == DF_UNKNOWN)
            df_problem(df, sub->line, sub->col, "unknown instruction %s in ONBUILD",
                       sub->keyword);
        if ((rc = analyse(df, sub, L, next, depth + 1)) < 0)
            return rc;
        in->sub = sub;
        in->end_line = sub->end_line;
        return 0;
    }
    default:
        break;
    }
    if ((in->kind == DF_RUN || in->kind == DF_COPY || in->kind == DF_ADD) && !in->json) {
        if ((rc = find_heredocs(df, in, L, next)) < 0)
            return rc;
        if (in->nheredocs > 0)
            in->end_line = (int)*next;
    }
    return 0;
}

/* Does physical line [s,e) end with a continuation (escape as last non-blank, not escaped)? */
static int
continues(const char *d, size_t s, size_t e, char esc, size_t *cut)
{
    while (e > s && (d[e - 1] == ' ' || d[e - 1] == '\t'))
        e--;
    if (e == s || d[e - 1] != esc)
        return 0;
    if (e - 1 > s && d[e - 2] == esc)
        return 0;
    *cut = e - 1;
    return 1;
}

static int
build_lines(struct dockerfile *df, struct lines *L)
{
    size_t n = 1;
    const char *d = df->data, *end = d + df->len, *p;

    /* memchr, not a byte loop: this ran over every file twice. */
    for (p = d; (p = memchr(p, '\n', (size_t)(end - p))) != NULL && p + 1 < end; p++)
        n++;
    L->starts = malloc(n * sizeof(*L->starts));
    if (L->starts == NULL)
        return ERR_NOMEM;
    L->starts[0] = 0;
    L->n = 1;
    for (p = d; (p = memchr(p, '\n', (size_t)(end - p))) != NULL && p + 1 < end; p++)
        L->starts[L->n++] = (size_t)(p - d) + 1;
    L->data = df->data;
    L->len = df->len;
    if (df->len == 0)
        L->n = 0;
    df->line_starts = L->starts;
    df->nlines = L->n;
    return 0;
}

int
dockerfile_parse(struct dockerfile *df, const char *path, const char *data, size_t len)
{
    struct lines L;
    int seen = 0, in_directives = 1, rc;
    const char *pending = NULL;
    int pending_line = 0;
    char *copy;

    memset(df, 0, sizeof(*df));
    df->escape = '\\';
    df->path = path;
    if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0) {
        data += 3;
        len -= 3;
    }
    copy = df_alloc(&df->arena, len + 1);
    if (copy == NULL)
        return err_set(ERR_NOMEM, "out of memory");
    memcpy(copy, data, len);
    copy[len] = '\0';
    int nul = 0;
    for (size_t i = 0; i < len; i++)
        if (copy[i] == '\0') {
            copy[i] = ' ';
            nul = 1;
        }
    df->data = copy;
    df->len = len;
    if ((rc = build_lines(df, &L)) < 0)
        return err_set(rc, "out of memory");
    if (nul)
        df_problem(df, 1, 1, "the file contains NUL bytes (binary?); they were read as spaces");

    size_t i = 0;
    while (i < L.n) {
        size_t s, e;
        line_at(&L, i, &s, &e);
        size_t ls = s;
        while (s < e && (copy[s] == ' ' || copy[s] == '\t'))
            s++;
        if (in_directives) {
            if (directive(df, copy + s, e - s, (int)i + 1, &seen)) {
                i++;
                continue;
            }
            in_directives = 0;
            if (i == 0 && e - s >= 2 && copy[s] == '#' && copy[s + 1] == '!') {
                i++;
                continue; /* shebang */
            }
        }
        if (s == e) {
            i++;
            continue;
        }
        if (copy[s] == '#') {
            int global;
            const char *ids = pragma(df, copy + s, e - s, &global);
            if (ids != NULL && global)
                df->global_ignore = ids;
            else if (ids != NULL) {
                pending = ids;
                pending_line = (int)i + 1;
            }
            i++;
            continue;
        }
        if (df->n >= DF_MAX_INSTRS) {
            df_problem(df, (int)i + 1, 1, "more than %d instructions; the rest is not read",
                       DF_MAX_INSTRS);
            break;
        }
        /* An instruction: keyword, then arguments over continuation lines. */
        struct df_instr *in;
        if ((rc = push_instr(df, &in)) < 0)
            goto nomem;
        in->line = (int)i + 1;
        in->col = (int)(s - ls) + 1;
        if (pending != NULL && pending_line == in->line - 1)
            in->ignore = pending;
        pending = NULL;
        size_t k = s;
        while (k < e && (isalnum((unsigned char)copy[k]) || copy[k] == '-' || copy[k] == '_'))
            k++;
        if (k == s)
            k = s + 1;
        in->keyword = df_strndup(&df->arena, copy + s, k - s);
        int idx = kind_index(copy + s, k - s);
        in->kind = idx >= 0 ? kinds[idx].kind : DF_UNKNOWN;
        if (idx < 0)
            df_problem(df, in->line, in->col, "unknown instruction '%.40s' (skipped)",
                       in->keyword ? in->keyword : "");
        while (k < e && (copy[k] == ' ' || copy[k] == '\t'))
            k++;

        struct buf text = {0};
        size_t nsegs = 0, segcap = 4;
        struct df_seg *segs = malloc(segcap * sizeof(*segs));
        if (segs == NULL)
            goto nomem;
        size_t cs = k, ce = e, cut;
        size_t cur = i;
        for (;;) {
            int more = continues(copy, cs, ce, df->escape, &cut);
            size_t end = more ? cut : ce;
            if (nsegs == segcap) {
                segcap *= 2;
                struct df_seg *ns = realloc(segs, segcap * sizeof(*segs));
                if (ns == NULL) {
                    free(segs);
                    buf_free(&text);
                    goto nomem;
                }
                segs = ns;
            }
            segs[nsegs].text_off = text.len;
            segs[nsegs].file_off = cs;
            nsegs++;
            if (end > cs && buf_append(&text, copy + cs, end - cs) < 0) {
                free(segs);
                buf_free(&text);
                goto nomem;
            }
            cur++;
            if (!more)
                break;
            /* Next non-comment line continues it; empty lines are tolerated with a note. */
            while (cur < L.n) {
                size_t s2, e2;
                line_at(&L, cur, &s2, &e2);
                size_t t2 = s2;
                while (t2 < e2 && (copy[t2] == ' ' || copy[t2] == '\t'))
                    t2++;
                if (t2 < e2 && copy[t2] == '#') {
                    cur++;
                    continue;
                }
                if (t2 == e2) {
                    df_problem(df, (int)cur + 1, 1, "empty continuation line");
                    cur++;
                    continue;
                }
                break;
            }
            if (cur >= L.n)
                break;
            line_at(&L, cur, &cs, &ce);
        }
        in->end_line = (int)cur;
        /* Trailing blanks are not part of the arguments. */
        while (text.len > 0 && (text.data[text.len - 1] == ' ' || text.data[text.len - 1] == '\t'))
            text.len--;
        in->text = df_strndup(&df->arena, text.data ? text.data : "", text.len);
        in->text_len = text.len;
        buf_free(&text);
        struct df_seg *asegs = df_alloc(&df->arena, nsegs * sizeof(*asegs));
        if (asegs == NULL || in->text == NULL || in->keyword == NULL) {
            free(segs);
            goto nomem;
        }
        memcpy(asegs, segs, nsegs * sizeof(*segs));
        free(segs);
        in->segs = asegs;
        in->nsegs = nsegs;
        if (in->kind != DF_UNKNOWN) {
            if ((rc = analyse(df, in, &L, &cur, 0)) < 0)
                goto nomem;
        }
        i = cur;
    }
    if (df->arena.failed)
        goto nomem;
    return 0;
nomem:
    return err_set(ERR_NOMEM, "out of memory parsing %s", path);
}
