/* dockerfile_expand: stages, ARG/ENV scopes and the builder's variable expansion: global ARGs
 * only in FROM, stage ARGs from their line on, ENV over ARG, values taken before the instruction. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "dockerfile.h"

/* The index has twice as many slots as the scope has room for variables (16, 32, ... up to
 * DF_MAX_VARS), rebuilt when it grows: a fixed 8,192-slot index per scope was 64 KB to clear
 * for every stage of every file. */
static size_t
slot_of(const char *name, size_t len, int is_env, size_t nslots)
{
    return (size_t)(str_hash(name, len) ^ (unsigned long long)is_env) & (nslots - 1);
}

/* Index in s->v of (name, is_env), or -1; *slot receives the free slot when absent. */
static int
find(const struct df_scope *s, const char *name, size_t len, int is_env, size_t *slot)
{
    size_t mask = s->nslots - 1, k;

    if (s->idx == NULL)
        return -1;
    k = slot_of(name, len, is_env, s->nslots);
    for (size_t probes = 0; probes < s->nslots; probes++, k = (k + 1) & mask) {
        int i = s->idx[k];
        if (i < 0) {
            if (slot)
                *slot = k;
            return -1;
        }
        const struct df_var *v = &s->v[i];
        if (v->is_env == is_env && strncmp(v->name, name, len) == 0 && v->name[len] == '\0')
            return i;
    }
    return -1;
}

/* Room for `cap` variables: a new array and an index of 2 * cap slots holding the old ones. */
static int
scope_grow(struct df_arena *a, struct df_scope *s, size_t cap)
{
    struct df_var *v = df_alloc(a, cap * sizeof(*v));
    int *idx = df_alloc(a, 2 * cap * sizeof(*idx));

    if (v == NULL || idx == NULL)
        return ERR_NOMEM;
    if (s->n)
        memcpy(v, s->v, s->n * sizeof(*v));
    memset(idx, 0xff, 2 * cap * sizeof(*idx));
    s->v = v;
    s->cap = cap;
    s->idx = idx;
    s->nslots = 2 * cap;
    for (size_t i = 0; i < s->n; i++) {
        size_t k = slot_of(v[i].name, strlen(v[i].name), v[i].is_env, s->nslots);
        while (idx[k] >= 0)
            k = (k + 1) & (s->nslots - 1);
        idx[k] = (int)i;
    }
    return 0;
}

const struct df_var *
df_scope_get(const struct df_scope *s, const char *name, size_t len)
{
    int i;

    if (s == NULL)
        return NULL;
    if ((i = find(s, name, len, 1, NULL)) >= 0)
        return &s->v[i];
    if ((i = find(s, name, len, 0, NULL)) >= 0)
        return &s->v[i];
    return NULL;
}

int
df_scope_set(struct df_arena *a, struct df_scope *s, const char *name, const char *value,
             int is_env)
{
    size_t slot = 0, len = strlen(name);
    int i;

    if (s->idx == NULL && scope_grow(a, s, 16) < 0)
        return ERR_NOMEM;
    if ((i = find(s, name, len, is_env, &slot)) >= 0) {
        s->v[i].value = value;
        return 0;
    }
    if (s->n >= DF_MAX_VARS)
        return 0;
    if (s->n == s->cap) {
        if (scope_grow(a, s, s->cap * 2) < 0)
            return ERR_NOMEM;
        (void)find(s, name, len, is_env, &slot); /* its free slot in the new index */
    }
    s->v[s->n].name = name;
    s->v[s->n].value = value;
    s->v[s->n].is_env = is_env;
    s->idx[slot] = (int)s->n;
    s->n++;
    return 0;
}

static int
is_name(char c, int first)
{
    return isalpha((unsigned char)c) || c == '_' || (!first && isdigit((unsigned char)c));
}

/* One expansion's output: at most `room` more bytes; past that it is cut. */
struct xout {
    struct buf b;
    size_t room;
    int cut;
};

static void
put(struct xout *o, const char *p, size_t n)
{
    if (n > o->room) {
        n = o->room;
        o->cut = 1;
    }
    if (n > 0 && buf_append(&o->b, p, n) == 0)
        o->room -= n;
}

/* A variable's value: once the room is spent, not even its length is computed (a reference
 * costs the same whatever the value's size). */
static void
put_value(struct xout *o, const char *v)
{
    if (o->room == 0) {
        o->cut |= v[0] != '\0';
        return;
    }
    put(o, v, strnlen(v, o->room + 1));
}

/* Expands `raw` into `out`. Depth bounds ${a:-${b:-...}} nesting (a constant, not the input). */
static void
expand_into(struct xout *out, const struct df_scope *s, const char *raw, size_t n, char esc,
            int *unresolved, int depth)
{
    char q = 0;

    for (size_t i = 0; i < n; i++) {
        char c = raw[i];
        if (q == 0 && (c == '\'' || c == '"')) {
            q = c;
            continue;
        }
        if (q != 0 && c == q) {
            q = 0;
            continue;
        }
        if (c == esc && q != '\'' && i + 1 < n) {
            put(out, raw + i + 1, 1);
            i++;
            continue;
        }
        if (c != '$' || q == '\'' || i + 1 >= n) {
            put(out, &c, 1);
            continue;
        }
        /* $name or ${name[op word]} */
        size_t ns, ne, j;
        const char *op = NULL, *word = NULL;
        size_t oplen = 0, wordlen = 0;
        if (raw[i + 1] == '{') {
            ns = j = i + 2;
            while (j < n && is_name(raw[j], j == ns))
                j++;
            ne = j;
            int lvl = 1;
            size_t ws = j;
            while (j < n) {
                if (raw[j] == '{')
                    lvl++;
                else if (raw[j] == '}' && --lvl == 0)
                    break;
                j++;
            }
            if (j >= n || ne == ns) { /* unterminated or no name: literal */
                put(out, &c, 1);
                continue;
            }
            if (ws < j) {
                op = raw + ws;
                oplen = (raw[ws] == ':' && ws + 1 < j) ? 2 : 1;
                word = raw + ws + oplen;
                wordlen = j - ws - oplen;
            }
            i = j;
        } else if (is_name(raw[i + 1], 1)) {
            ns = j = i + 1;
            while (j < n && is_name(raw[j], j == ns))
                j++;
            ne = j;
            i = j - 1;
        } else {
            put(out, &c, 1);
            continue;
        }
        const struct df_var *v = df_scope_get(s, raw + ns, ne - ns);
        int set = v != NULL && v->value != NULL;
        int nonempty = set && v->value[0] != '\0';
        if (op == NULL) {
            if (set)
                put_value(out, v->value);
            else
                *unresolved = 1;
            continue;
        }
        char o = op[oplen - 1];
        int colon = oplen == 2 && op[0] == ':';
        int use_word = 0, use_val = 0;
        if (o == '-')
            (colon ? nonempty : set) ? (use_val = 1) : (use_word = 1);
        else if (o == '+')
            use_word = colon ? nonempty : set;
        else { /* #, %, / and others: keep the value; pattern edits are not modelled */
            use_val = set;
            if (!set)
                *unresolved = 1;
        }
        if (use_val)
            put_value(out, v->value);
        if (use_word && depth < 8)
            expand_into(out, s, word, wordlen, esc, unresolved, depth + 1);
    }
}

/* `raw` expanded into at most `room` bytes; *cut set when the value was longer. */
static char *
expand_capped(struct df_arena *a, const struct df_scope *s, const char *raw, char esc,
              int *unresolved, size_t room, int *cut)
{
    struct xout o = {{0}, room, 0};
    char *r;
    int dummy = 0;

    expand_into(&o, s, raw, strlen(raw), esc, unresolved ? unresolved : &dummy, 0);
    r = df_strndup(a, o.b.data ? o.b.data : "", o.b.len);
    buf_free(&o.b);
    *cut = o.cut;
    return r;
}

char *
df_expand(struct df_arena *a, const struct df_scope *s, const char *raw, char esc,
          int *unresolved)
{
    int cut;

    return expand_capped(a, s, raw, esc, unresolved, DF_MAX_EXPANDED, &cut);
}

/* What is left of a Dockerfile's expansion budget, and whether each bound was reported. */
struct xbudget {
    size_t left;
    int said_value, said_total;
};

/* An instruction's word or value expanded within the budget: cut at DF_MAX_EXPANDED, and once
 * DF_MAX_EXPANDED_TOTAL is spent, kept as written. Each bound is reported once per file. */
static char *
expand_in(struct dockerfile *df, const struct df_instr *in, struct xbudget *bg,
          const struct df_scope *s, const char *raw)
{
    size_t room = bg->left < DF_MAX_EXPANDED ? bg->left : DF_MAX_EXPANDED;
    char *r;
    int cut = 0;

    if (room == 0)
        return df_strndup(&df->arena, raw, strlen(raw));
    r = expand_capped(&df->arena, s, raw, df->escape, NULL, room, &cut);
    if (r == NULL)
        return NULL;
    bg->left -= strlen(r);
    if (cut && bg->left > 0 && !bg->said_value) {
        bg->said_value = 1;
        df_problem(df, in->line, in->col,
                   "a variable expands to more than %u bytes (variables that double each other: "
                   "an expansion bomb?); the value is cut there",
                   DF_MAX_EXPANDED);
    }
    if (bg->left == 0 && !bg->said_total) {
        bg->said_total = 1;
        df_problem(df, in->line, in->col,
                   "variable expansion of this Dockerfile passed %u bytes in total (an expansion "
                   "bomb?); later values are not expanded",
                   DF_MAX_EXPANDED_TOTAL);
    }
    return r;
}

static int
has_ref(const char *raw)
{
    char q = 0;

    for (const char *p = raw; *p; p++) {
        if (q == 0 && (*p == '\'' || *p == '"'))
            q = *p;
        else if (q == *p)
            q = 0;
        else if (*p == '$' && q != '\'' && (p[1] == '{' || is_name(p[1], 1)))
            return 1;
    }
    return 0;
}

static int
builder_expands(enum df_kind k)
{
    switch (k) {
    case DF_ADD:
    case DF_COPY:
    case DF_ENV:
    case DF_EXPOSE:
    case DF_FROM:
    case DF_LABEL:
    case DF_STOPSIGNAL:
    case DF_USER:
    case DF_VOLUME:
    case DF_WORKDIR:
    case DF_ARG:
        return 1;
    default:
        return 0;
    }
}

static int
copy_scope(struct df_arena *a, struct df_scope *dst, const struct df_scope *src, int env_only)
{
    for (size_t i = 0; i < src->n; i++)
        if ((!env_only || src->v[i].is_env) &&
            df_scope_set(a, dst, src->v[i].name, src->v[i].value, src->v[i].is_env) < 0)
            return ERR_NOMEM;
    return 0;
}

/* Expands one instruction in scope and applies its ARG/ENV to the scope. */
static int
apply(struct dockerfile *df, struct df_instr *in, struct df_scope *scope,
      const struct df_scope *global, struct xbudget *bg)
{
    struct df_arena *a = &df->arena;

    if (builder_expands(in->kind))
        for (size_t i = 0; i < in->nwords; i++)
            if (strchr(in->words[i].raw, '$') != NULL)
                in->words[i].x = expand_in(df, in, bg, scope, in->words[i].raw);
    if (in->kind == DF_ENV || in->kind == DF_LABEL || in->kind == DF_ARG) {
        /* All values first, from the scope before this instruction. */
        for (size_t i = 0; i < in->nkvs; i++) {
            struct df_kv *kv = &in->kvs[i];
            const char *raw = kv->xvalue != NULL ? kv->xvalue : kv->value;
            if (raw == NULL) {
                kv->xvalue = NULL;
                kv->literal = 0;
                continue;
            }
            kv->literal = !has_ref(raw);
            kv->xvalue = expand_in(df, in, bg, scope, raw);
            if (kv->xvalue == NULL)
                return ERR_NOMEM;
        }
        if (in->kind == DF_LABEL)
            return 0;
        for (size_t i = 0; i < in->nkvs; i++) {
            struct df_kv *kv = &in->kvs[i];
            const char *val = kv->xvalue;
            if (in->kind == DF_ARG && kv->value == NULL && global != NULL) {
                const struct df_var *g = df_scope_get(global, kv->key, strlen(kv->key));
                val = g ? g->value : NULL;
            }
            if (df_scope_set(a, scope, kv->key, val, in->kind == DF_ENV) < 0)
                return ERR_NOMEM;
        }
    }
    return 0;
}

int
dockerfile_resolve(struct dockerfile *df)
{
    struct df_arena *a = &df->arena;
    struct df_scope global = {0};
    struct df_scope *scopes;
    struct xbudget bg = {DF_MAX_EXPANDED_TOTAL, 0, 0};
    static const char *const platform[][2] = {
        {"TARGETPLATFORM", "linux/amd64"}, {"TARGETOS", "linux"}, {"TARGETARCH", "amd64"},
        {"TARGETVARIANT", ""}, {"BUILDPLATFORM", "linux/amd64"}, {"BUILDOS", "linux"},
        {"BUILDARCH", "amd64"}, {"BUILDVARIANT", ""},
    };
    size_t nst = 0;

    for (size_t i = 0; i < df->n; i++)
        if (df->instrs[i].kind == DF_FROM)
            nst++;
    if (nst > DF_MAX_STAGES) {
        df_problem(df, 1, 1, "more than %d stages; later ones are not resolved", DF_MAX_STAGES);
        nst = DF_MAX_STAGES;
    }
    df->stages = calloc(nst ? nst : 1, sizeof(*df->stages));
    scopes = calloc(nst ? nst : 1, sizeof(*scopes));
    if (df->stages == NULL || scopes == NULL) {
        free(scopes);
        return err_set(ERR_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < sizeof(platform) / sizeof(platform[0]); i++)
        df_scope_set(a, &global, platform[i][0], platform[i][1], 0);

    int cur = -1;
    for (size_t i = 0; i < df->n; i++) {
        struct df_instr *in = &df->instrs[i];
        if (in->kind == DF_FROM && df->nstages < nst) {
            struct df_stage *st = &df->stages[df->nstages];
            cur = (int)df->nstages++;
            if (cur > 0)
                df->stages[cur - 1].end = i;
            st->from = i;
            st->end = df->n;
            st->base_stage = -1;
            in->stage = cur;
            for (size_t w = 0; w < in->nwords; w++)
                if (strchr(in->words[w].raw, '$') != NULL)
                    in->words[w].x = expand_in(df, in, &bg, &global, in->words[w].raw);
            size_t fa = in->first_arg;
            st->image = fa < in->nwords ? in->words[fa].x : "";
            if (fa + 2 < in->nwords && strcasecmp(in->words[fa + 1].text, "as") == 0) {
                char *nm = df_strndup(a, in->words[fa + 2].x, strlen(in->words[fa + 2].x));
                for (char *p = nm; p && *p; p++)
                    *p = (char)tolower((unsigned char)*p);
                st->name = nm;
            }
            for (int k = 0; k < cur; k++)
                if (df->stages[k].name != NULL && strcasecmp(df->stages[k].name, st->image) == 0) {
                    st->base_stage = k;
                    if (copy_scope(a, &scopes[cur], &scopes[k], 1) < 0)
                        goto nomem;
                }
            continue;
        }
        in->stage = cur;
        if (in->sub != NULL)
            in->sub->stage = cur;
        if (cur < 0) {
            if (apply(df, in, &global, NULL, &bg) < 0)
                goto nomem;
            continue;
        }
        if (apply(df, in, &scopes[cur], &global, &bg) < 0)
            goto nomem;
        if (in->sub != NULL && apply(df, in->sub, &scopes[cur], &global, &bg) < 0)
            goto nomem;
    }
    /* The final image is the last stage and every stage it is built FROM. */
    if (df->nstages > 0) {
        int s = (int)df->nstages - 1;
        for (size_t guard = 0; s >= 0 && guard < df->nstages; guard++) {
            df->stages[s].in_final = 1;
            s = df->stages[s].base_stage;
        }
    }
    free(scopes);
    return a->failed ? err_set(ERR_NOMEM, "out of memory") : 0;
nomem:
    free(scopes);
    return err_set(ERR_NOMEM, "out of memory");
}
