/* dockerfile_context: the build context: .dockerignore (`**`, `!` exceptions, leading `/`),
 * which files COPY/ADD would bring in, and secrets in them (file names and contents). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "detect.h"
#include "dockerfile.h"
#include "envcheck.h"

#define CTX_MAX_FILES  20000
#define CTX_MAX_DEPTH  64
#define CTX_MAX_BYTES  (64u << 20) /* contents scanned in total */
#define CTX_FILE_MAX   (1u << 20)  /* per file, unless --max-file-size */

/* ---- glob matching (no recursion, O(pattern x path)) ----------------------------------------- */
enum tok { T_LIT, T_ANY, T_CLASS, T_STAR, T_DSTAR, T_DSTAR_SLASH };

struct ptok {
    enum tok t;
    char c;
    const char *cls; /* for T_CLASS: the text between [ ] */
    size_t clen;
};

static int
class_match(const struct ptok *t, char ch)
{
    const char *s = t->cls;
    size_t n = t->clen, i = 0;
    int neg = 0, hit = 0;

    if (n > 0 && (s[0] == '^' || s[0] == '!')) {
        neg = 1;
        i = 1;
    }
    for (; i < n; i++) {
        char lo = s[i], hi = lo;
        if (lo == '\\' && i + 1 < n)
            lo = hi = s[++i];
        if (i + 2 < n && s[i + 1] == '-') {
            hi = s[i + 2];
            i += 2;
        }
        if (ch >= lo && ch <= hi)
            hit = 1;
    }
    return hit != neg && ch != '/';
}

int
df_glob_match(const char *pat, const char *path, int dstar)
{
    size_t pl = strlen(pat), L = strlen(path), T = 0;
    struct ptok *tk;
    unsigned char *next, *cur;
    int res;

    if (pl > 4096 || L > 8192)
        return 0;
    tk = malloc((pl + 1) * sizeof(*tk));
    next = malloc(L + 2);
    cur = malloc(L + 2);
    if (tk == NULL || next == NULL || cur == NULL) {
        free(tk);
        free(next);
        free(cur);
        return 0;
    }
    for (size_t i = 0; i < pl; i++) {
        struct ptok *t = &tk[T++];
        memset(t, 0, sizeof(*t));
        if (pat[i] == '*') {
            if (dstar && i + 1 < pl && pat[i + 1] == '*') {
                i++;
                if (i + 1 < pl && pat[i + 1] == '/') {
                    i++;
                    t->t = T_DSTAR_SLASH;
                } else
                    t->t = T_DSTAR;
            } else
                t->t = T_STAR;
        } else if (pat[i] == '?') {
            t->t = T_ANY;
        } else if (pat[i] == '[') {
            const char *e = strchr(pat + i + 1, ']');
            if (e == NULL) {
                t->t = T_LIT;
                t->c = '[';
            } else {
                t->t = T_CLASS;
                t->cls = pat + i + 1;
                t->clen = (size_t)(e - pat - i - 1);
                i = (size_t)(e - pat);
            }
        } else if (pat[i] == '\\' && i + 1 < pl) {
            t->t = T_LIT;
            t->c = pat[++i];
        } else {
            t->t = T_LIT;
            t->c = pat[i];
        }
    }
    /* next = row for token i+1; cur = row for token i. */
    for (size_t j = 0; j <= L; j++)
        next[j] = j == L;
    for (size_t i = T; i-- > 0;) {
        const struct ptok *t = &tk[i];
        unsigned char aux = 0;
        cur[L + 1] = 0;
        for (size_t j = L + 1; j-- > 0;) {
            int ok = 0, more = j < L;
            switch (t->t) {
            case T_LIT:
                ok = more && path[j] == t->c && next[j + 1];
                break;
            case T_ANY:
                ok = more && path[j] != '/' && next[j + 1];
                break;
            case T_CLASS:
                ok = more && class_match(t, path[j]) && next[j + 1];
                break;
            case T_STAR:
                ok = next[j] || (more && path[j] != '/' && cur[j + 1]);
                break;
            case T_DSTAR:
                ok = next[j] || (more && cur[j + 1]);
                break;
            case T_DSTAR_SLASH:
                aux = more && ((path[j] == '/' && next[j + 1]) || aux);
                ok = next[j] || aux;
                break;
            }
            cur[j] = (unsigned char)ok;
        }
        unsigned char *sw = next;
        next = cur;
        cur = sw;
    }
    res = next[0];
    free(tk);
    free(next);
    free(cur);
    return res;
}

/* ---- .dockerignore -------------------------------------------------------------------------- */
struct ignore {
    char **pat;
    int *neg;
    size_t n;
    int present;
    int has_neg;
    char file[4096];
};

static void
clean_path(char *p)
{
    /* drop leading "/" and "./", collapse "//", drop trailing "/" */
    char *r = p, *w = p;
    while (*r == '/' || (r[0] == '.' && r[1] == '/'))
        r += *r == '/' ? 1 : 2;
    for (; *r; r++) {
        if (*r == '/' && (w == p || w[-1] == '/'))
            continue;
        if (*r == '/' && r[1] == '.' && (r[2] == '/' || r[2] == '\0')) {
            r++;
            continue;
        }
        *w++ = *r;
    }
    while (w > p && w[-1] == '/')
        w--;
    *w = '\0';
    if (strcmp(p, ".") == 0)
        p[0] = '\0';
}

static int
ignore_load(struct ignore *ig, const char *ctx, const char *dockerfile)
{
    struct buf b = {0};

    memset(ig, 0, sizeof(*ig));
    /* BuildKit reads <Dockerfile>.dockerignore next to the Dockerfile first. */
    if (dockerfile != NULL && strcmp(dockerfile, "-") != 0 &&
        str_format(ig->file, sizeof(ig->file), "%s.dockerignore", dockerfile) == 0 &&
        access(ig->file, R_OK) == 0)
        ;
    else if (str_format(ig->file, sizeof(ig->file), "%s/.dockerignore", ctx) < 0)
        return 0;
    if (file_read_all(ig->file, 1 << 20, 0, &b) < 0)
        return 0;
    ig->present = 1;
    for (char *line = b.data, *nx; line != NULL && *line; line = nx) {
        nx = strchr(line, '\n');
        if (nx != NULL)
            *nx++ = '\0';
        size_t n = strlen(line);
        while (n > 0 && (line[n - 1] == '\r' || line[n - 1] == ' ' || line[n - 1] == '\t'))
            line[--n] = '\0';
        while (*line == ' ' || *line == '\t')
            line++;
        if (*line == '\0' || *line == '#')
            continue;
        int neg = 0;
        if (*line == '!') {
            neg = 1;
            line++;
            while (*line == ' ')
                line++;
        }
        char **np = realloc(ig->pat, (ig->n + 1) * sizeof(*np));
        int *nn = realloc(ig->neg, (ig->n + 1) * sizeof(*nn));
        if (np != NULL)
            ig->pat = np;
        if (nn != NULL)
            ig->neg = nn;
        if (np == NULL || nn == NULL)
            break;
        ig->pat[ig->n] = strdup(line);
        if (ig->pat[ig->n] == NULL)
            break;
        clean_path(ig->pat[ig->n]);
        ig->neg[ig->n] = neg;
        ig->has_neg |= neg;
        ig->n++;
    }
    buf_free(&b);
    return 0;
}

static void
ignore_free(struct ignore *ig)
{
    for (size_t i = 0; i < ig->n; i++)
        free(ig->pat[i]);
    free(ig->pat);
    free(ig->neg);
}

/* A pattern matches the path or one of its parent directories. */
static int
pattern_hits(const char *pat, const char *rel)
{
    char tmp[4096];
    size_t n = strlen(rel);

    if (pat[0] == '\0')
        return 0;
    if (n >= sizeof(tmp))
        return 0;
    memcpy(tmp, rel, n + 1);
    for (;;) {
        if (df_glob_match(pat, tmp, 1))
            return 1;
        char *s = strrchr(tmp, '/');
        if (s == NULL)
            return 0;
        *s = '\0';
    }
}

static int
ignored(const struct ignore *ig, const char *rel)
{
    int ex = 0;

    for (size_t i = 0; i < ig->n; i++)
        if (pattern_hits(ig->pat[i], rel))
            ex = !ig->neg[i];
    return ex;
}

/* ---- COPY/ADD sources --------------------------------------------------------------------------- */
struct source {
    const struct df_instr *in;
    size_t word;  /* index into in->words, or (size_t)-1 for exec form */
    char *path;   /* cleaned, "" = whole context */
};

static int
is_remote(const char *s)
{
    return strstr(s, "://") != NULL || strncmp(s, "git@", 4) == 0;
}

static size_t
collect_sources(struct df_ctx *c, struct source **out)
{
    struct source *v = NULL;
    size_t n = 0;

    for (size_t i = 0; i < c->df->n; i++) {
        const struct df_instr *in = &c->df->instrs[i];
        if (in->kind == DF_ONBUILD && in->sub != NULL)
            in = in->sub;
        if ((in->kind != DF_COPY && in->kind != DF_ADD) || df_flag_get(in, "from") != NULL)
            continue;
        size_t na = in->json ? in->njargs : in->nwords - in->first_arg;
        for (size_t k = 0; k + 1 < na; k++) {
            const char *s = in->json ? in->jargs[k] : in->words[in->first_arg + k].x;
            if (strncmp(s, "<<", 2) == 0 || is_remote(s) || strchr(s, '$') != NULL)
                continue;
            struct source *nv = realloc(v, (n + 1) * sizeof(*v));
            if (nv == NULL)
                break;
            v = nv;
            v[n].in = in;
            v[n].word = in->json ? (size_t)-1 : in->first_arg + k;
            v[n].path = strdup(s);
            if (v[n].path == NULL)
                break;
            clean_path(v[n].path);
            n++;
        }
    }
    *out = v;
    return n;
}

static int
source_includes(const struct source *s, const char *rel)
{
    size_t n = strlen(s->path);

    if (n == 0)
        return 1;
    if (strncmp(rel, s->path, n) == 0 && (rel[n] == '\0' || rel[n] == '/'))
        return 1;
    if (strpbrk(s->path, "*?[") == NULL)
        return 0;
    /* A glob matches the file or a directory above it. */
    char tmp[4096];
    size_t rl = strlen(rel);
    if (rl >= sizeof(tmp))
        return 0;
    memcpy(tmp, rel, rl + 1);
    for (;;) {
        if (df_glob_match(s->path, tmp, 0))
            return 1;
        char *sl = strrchr(tmp, '/');
        if (sl == NULL)
            return 0;
        *sl = '\0';
    }
}

/* ---- contents -------------------------------------------------------------------------------- */
struct file_hit {
    struct df_ctx *c;
    const struct source *src;
    const char *rel;
    const char *data;
    int count;
};

static void
offset_pos(const char *d, size_t off, int *l, int *col)
{
    int line = 1, cc = 1;
    for (size_t i = 0; i < off; i++) {
        if (d[i] == '\n') {
            line++;
            cc = 1;
        } else
            cc++;
    }
    *l = line;
    *col = cc;
}

static const char *
sev_id(const struct df_ctx *c, const struct df_instr *in, const char *final_id)
{
    return (in->stage < 0 || (size_t)in->stage >= c->df->nstages ||
            c->df->stages[in->stage].in_final) ? final_id : "DF016";
}

static int
file_on_hit(const struct detect_hit *hit, void *user)
{
    struct file_hit *fh = user;
    struct finding_extra x;
    char path[4096];
    int l, col;

    memset(&x, 0, sizeof(x));
    x.secret_redacted = hit->redacted;
    x.secret_fingerprint = hit->fingerprint;
    if (hit->is_example) {
        x.override_severity = 1;
        x.severity = SEV_INFO;
    }
    offset_pos(fh->data, hit->secret_start, &l, &col);
    snprintf(path, sizeof(path), "%s/%s", fh->c->ctx_dir, fh->rel);
    fh->c->path_override = path;
    df_report(fh->c, sev_id(fh->c, fh->src->in, "DF007"), fh->src->in, l, col, &x,
              "%s (%s) in %s would be copied into the image by %s at %s:%d",
              hit->rule && hit->rule->title ? hit->rule->title : "secret",
              hit->rule && hit->rule->id ? hit->rule->id : "secret", fh->rel,
              fh->src->in->keyword, fh->c->df->path, fh->src->in->line);
    fh->c->path_override = NULL;
    fh->count++;
    return 0;
}

/* Entries of an env file (lexed by envcheck, Compose semantics) with a secret-like key and a
 * literal value, unless the engine already reported that line. */
static void
env_names(struct df_ctx *c, const struct source *src, const char *rel, const char *d, size_t len)
{
    char path[4096];
    struct env_file ef;

    if (str_format(path, sizeof(path), "%s/%s", c->ctx_dir, rel) < 0)
        return;
    memset(&ef, 0, sizeof(ef));
    if (env_lex(d, len, path, &ef) < 0) {
        env_file_free(&ef);
        return;
    }
    for (size_t i = 0; i < ef.n; i++) {
        const struct env_entry *e = &ef.entries[i];
        int line = e->value_span.line, col = e->value_span.column, dup = 0;
        if (e->value_len == 0 || (e->flags & ENV_F_REFS) ||
            !detect_name_is_secret(e->key, e->key_len) ||
            detect_value_is_placeholder(e->value, e->value_len))
            continue;
        for (size_t k = c->f->n; k-- > 0 && !dup;) {
            const struct finding *prev = &c->f->items[k];
            dup = prev->line == line && prev->path != NULL && strcmp(prev->path, path) == 0;
        }
        if (dup)
            continue;
        char red[64], fp[65];
        struct finding_extra x;
        memset(&x, 0, sizeof(x));
        detect_redact(e->value, e->value_len, red, sizeof(red));
        detect_fingerprint(e->value, e->value_len, fp);
        x.secret_redacted = red;
        x.secret_fingerprint = fp;
        c->path_override = path;
        df_report(c, sev_id(c, src->in, "DF007"), src->in, line, col, &x,
                  "%s in env file %s is set to a literal and would be copied into the image by "
                  "%s at %s:%d",
                  e->key, rel, src->in->keyword, c->df->path, src->in->line);
        c->path_override = NULL;
    }
    env_file_free(&ef);
}

static int
has_credentials(const char *rel, const char *d)
{
    const char *b = strrchr(rel, '/');
    b = b ? b + 1 : rel;
    if (strcmp(b, ".npmrc") == 0 || strcmp(b, ".yarnrc.yml") == 0)
        return strstr(d, "_authToken") || strstr(d, "_auth") || strstr(d, "_password") ||
               strstr(d, "npmAuthToken");
    if (strcmp(b, ".git-credentials") == 0)
        return strchr(d, '@') != NULL;
    if (strstr(rel, "config.json") || strcmp(b, ".dockercfg") == 0)
        return strstr(d, "\"auth\"") != NULL;
    return strstr(d, "password") != NULL || strstr(d, "token") != NULL;
}

static void
scan_file(struct df_ctx *c, const struct source *src, const char *rel, int literal,
          size_t *budget)
{
    char path[4096];
    struct buf b = {0};
    int kind = df_secret_file_name(rel);
    size_t max = c->o && c->o->max_file_size > 0 ? (size_t)c->o->max_file_size : CTX_FILE_MAX;
    int l, col;

    if (src->word != (size_t)-1)
        df_pos(c->df, src->in, src->in->words[src->word].off, &l, &col);
    else
        l = src->in->line, col = src->in->col;
    if (str_format(path, sizeof(path), "%s/%s", c->ctx_dir, rel) < 0)
        return;
    int readable = *budget > 0 && file_read_all(path, max, FILE_READ_NOFOLLOW, &b) == 0;
    if (readable)
        *budget = *budget > b.len ? *budget - b.len : 0;
    if (kind == 1 || (kind == 2 && (!readable || has_credentials(rel, b.data ? b.data : ""))))
        df_report(c, sev_id(c, src->in, "DF005"), src->in, l, col, NULL,
                  "%s%s from the build context would be copied into the image%s", rel,
                  kind == 2 ? " (holds credentials)" : "",
                  literal ? "" : " (through a directory or pattern source)");
    if (!readable || b.len == 0 || memchr(b.data, '\0', b.len < 8000 ? b.len : 8000) != NULL) {
        buf_free(&b);
        return;
    }
    if (kind != 1 || strstr(rel, ".env") != NULL) {
        struct file_hit fh = {c, src, rel, b.data, 0};
        if (c->engine != NULL)
            detect_scan(c->engine, b.data, b.len, file_on_hit, &fh);
        const char *bn = strrchr(rel, '/');
        bn = bn ? bn + 1 : rel;
        if (strncmp(bn, ".env", 4) == 0 || (strlen(bn) > 4 && strcmp(bn + strlen(bn) - 4, ".env") == 0))
            env_names(c, src, rel, b.data, b.len);
    }
    buf_free(&b);
}

/* ---- walk ------------------------------------------------------------------------------------ */
struct walk {
    char **files;
    size_t n, cap;
    int truncated;
};

static int
walk_ctx(const char *root, const struct ignore *ig, struct walk *w)
{
    char **stack = NULL;
    size_t sn = 0, scap = 0;
    char path[8192];

    stack = malloc(sizeof(*stack) * 16);
    if (stack == NULL)
        return ERR_NOMEM;
    scap = 16;
    stack[sn++] = strdup("");
    while (sn > 0) {
        char *rel = stack[--sn];
        if (rel == NULL)
            continue;
        snprintf(path, sizeof(path), "%s%s%s", root, rel[0] ? "/" : "", rel);
        int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
        if (d == NULL) {
            if (fd >= 0)
                close(fd);
            free(rel);
            continue;
        }
        struct dirent *de;
        while ((de = readdir(d)) != NULL) {
            if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                continue;
            char sub[4096];
            if (str_format(sub, sizeof(sub), "%s%s%s", rel, rel[0] ? "/" : "", de->d_name) < 0)
                continue;
            struct stat st;
            if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                continue;
            if (S_ISDIR(st.st_mode)) {
                size_t depth = 1;
                for (const char *p = sub; *p; p++)
                    depth += *p == '/';
                if (depth > CTX_MAX_DEPTH || (ig->n && !ig->has_neg && ignored(ig, sub)))
                    continue;
                if (sn == scap) {
                    char **ns = realloc(stack, scap * 2 * sizeof(*stack));
                    if (ns == NULL)
                        continue;
                    stack = ns;
                    scap *= 2;
                }
                stack[sn++] = strdup(sub);
                continue;
            }
            if (!S_ISREG(st.st_mode) || ignored(ig, sub))
                continue;
            if (w->n >= CTX_MAX_FILES) {
                w->truncated = 1;
                break;
            }
            if (w->n == w->cap) {
                size_t nc = w->cap ? w->cap * 2 : 64;
                char **nf = realloc(w->files, nc * sizeof(*nf));
                if (nf == NULL)
                    break;
                w->files = nf;
                w->cap = nc;
            }
            w->files[w->n] = strdup(sub);
            if (w->files[w->n] != NULL)
                w->n++;
        }
        closedir(d);
        free(rel);
    }
    while (sn > 0)
        free(stack[--sn]);
    free(stack);
    return 0;
}

/* ---- the rule family ------------------------------------------------------------------------- */
static void
dockerignore_rule(struct df_ctx *c, const struct ignore *ig, const struct source *src, size_t ns)
{
    const struct source *broad = NULL;
    char full[4096];
    struct stat st;

    for (size_t i = 0; i < ns && broad == NULL; i++) {
        if (src[i].path[0] == '\0' || strpbrk(src[i].path, "*?[") != NULL)
            broad = &src[i];
        else if (str_format(full, sizeof(full), "%s/%s", c->ctx_dir, src[i].path) == 0 &&
                 stat(full, &st) == 0 && S_ISDIR(st.st_mode))
            broad = &src[i];
    }
    if (broad == NULL)
        return;
    if (!ig->present) {
        df_report(c, "DF027", broad->in, 0, 0, NULL,
                  "%s copies a directory of the build context and there is no .dockerignore: "
                  ".git, .env and keys go into the image",
                  broad->in->keyword);
        return;
    }
    static const struct {
        const char *probe, *what;
    } probes[] = {
        {".git/config", ".git"},  {".env", ".env"},     {".env.production", ".env.*"},
        {"tls.key", "*.key"},     {"cert.pem", "*.pem"}, {"id_rsa", "id_rsa"},
    };
    char missing[256] = "";
    size_t ml = 0;
    for (size_t i = 0; i < sizeof(probes) / sizeof(probes[0]); i++)
        if (!ignored(ig, probes[i].probe)) {
            int k = snprintf(missing + ml, sizeof(missing) - ml, "%s%s", ml ? ", " : "",
                             probes[i].what);
            if (k > 0 && (size_t)k < sizeof(missing) - ml)
                ml += (size_t)k;
        }
    if (ml > 0)
        df_report(c, "DF027", broad->in, 0, 0, NULL, "%s does not exclude %s", ig->file, missing);
}

void
df_rules_context(struct df_ctx *c)
{
    struct source *src = NULL;
    size_t ns = collect_sources(c, &src);
    struct ignore ig;
    struct walk w = {0};
    size_t budget = CTX_MAX_BYTES;
    struct stat st;
    unsigned char *reported = NULL;

    memset(&ig, 0, sizeof(ig));
    int have_ctx = c->ctx_dir != NULL && stat(c->ctx_dir, &st) == 0 && S_ISDIR(st.st_mode);
    if (have_ctx) {
        ignore_load(&ig, c->ctx_dir, strcmp(c->df->path, "<stdin>") ? c->df->path : NULL);
        dockerignore_rule(c, &ig, src, ns);
        if (ns > 0)
            walk_ctx(c->ctx_dir, &ig, &w);
    }
    reported = calloc(ns ? ns : 1, 1);
    /* The Dockerfile itself is scanned as a Dockerfile, not again as a context file. */
    char *self = strcmp(c->df->path, "<stdin>") ? realpath(c->df->path, NULL) : NULL;
    /* Files the sources bring in: the first source in the final image wins, else the first. */
    for (size_t i = 0; i < w.n; i++) {
        const struct source *pick = NULL;
        size_t pi = 0;
        for (size_t k = 0; k < ns; k++) {
            if (!source_includes(&src[k], w.files[i]))
                continue;
            int fin = src[k].in->stage < 0 || (size_t)src[k].in->stage >= c->df->nstages ||
                      c->df->stages[src[k].in->stage].in_final;
            if (pick == NULL || (fin && !(pick->in->stage < 0 ||
                                          c->df->stages[pick->in->stage].in_final))) {
                pick = &src[k];
                pi = k;
            }
        }
        if (pick == NULL)
            continue;
        if (self != NULL) {
            char full[4096], *rp;
            if (str_format(full, sizeof(full), "%s/%s", c->ctx_dir, w.files[i]) == 0 &&
                (rp = realpath(full, NULL)) != NULL) {
                int same = strcmp(rp, self) == 0;
                free(rp);
                if (same)
                    continue;
            }
        }
        int literal = strcmp(pick->path, w.files[i]) == 0;
        if (literal && reported != NULL)
            reported[pi] = 1;
        scan_file(c, pick, w.files[i], literal, &budget);
    }
    /* Sources named literally that the walk did not see (stdin, missing context, no file). */
    for (size_t k = 0; k < ns; k++) {
        if (reported != NULL && reported[k])
            continue;
        int kind = df_secret_file_name(src[k].path);
        if (kind == 0)
            continue;
        if (have_ctx) {
            char full[4096];
            if (str_format(full, sizeof(full), "%s/%s", c->ctx_dir, src[k].path) == 0 &&
                lstat(full, &st) == 0)
                continue; /* seen by the walk, excluded by .dockerignore, or not a file */
        }
        int l, col;
        if (src[k].word != (size_t)-1)
            df_pos(c->df, src[k].in, src[k].in->words[src[k].word].off, &l, &col);
        else
            l = src[k].in->line, col = src[k].in->col;
        df_report(c, sev_id(c, src[k].in, "DF005"), src[k].in, l, col, NULL,
                  "%s %s copies %s into the image%s", src[k].in->keyword, src[k].path,
                  kind == 1 ? "a secret file" : "a file that often holds credentials",
                  have_ctx ? "" : " (build context not read)");
    }
    if (w.truncated)
        diag_warn("%s: build context has more than %d files; the rest was not checked",
                  c->df->path, CTX_MAX_FILES);
    for (size_t i = 0; i < w.n; i++)
        free(w.files[i]);
    free(w.files);
    for (size_t k = 0; k < ns; k++)
        free(src[k].path);
    free(src);
    free(reported);
    free(self);
    ignore_free(&ig);
}
