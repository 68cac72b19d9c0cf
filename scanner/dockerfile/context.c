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
#define CTX_THREAD_MIN 16          /* fewer files to read: no --jobs threads */

/* ---- .dockerignore -------------------------------------------------------------------------- */
struct ignore {
    struct dockerignore d;
    int present;
    char file[4096];
};

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
    dockerignore_parse(&ig->d, b.data ? b.data : "", b.len); /* on ENOMEM: the lines read so far */
    buf_free(&b);
    return 0;
}

static void
ignore_free(struct ignore *ig)
{
    dockerignore_free(&ig->d);
}

static int
ignored(const struct ignore *ig, const char *rel)
{
    return dockerignore_match(&ig->d, rel);
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
            path_clean_rel(v[n].path);
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
        if (glob_match(s->path, tmp, 0))
            return 1;
        char *sl = strrchr(tmp, '/');
        if (sl == NULL)
            return 0;
        *sl = '\0';
    }
}

/* ---- contents -------------------------------------------------------------------------------- */
/* What one context file holds, read and scanned once per run whatever the number of
 * Dockerfiles that copy it; each Dockerfile turns it into its own findings. */
struct ctx_hit {
    int line, col, example;
    const char *title, *id; /* the engine's rule strings: live as long as the engine */
    char redacted[64], fingerprint[65];
};

struct ctx_file {
    dev_t dev;
    ino_t ino;
    off_t size;   /* as the walk saw it: what the contents budget is charged in advance */
    int done;     /* contents looked at */
    int kind;     /* df_secret_file_name */
    int readable; /* read within the size and total budgets */
    int creds;    /* a kind-2 credential file that holds credentials */
    struct ctx_hit *hits; /* detector hits, then literal secrets of env files (id == NULL) */
    size_t nhits;
    char **env_keys;      /* for the env literals: their keys, parallel to hits[nhits - nenv..] */
    size_t nenv;
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

/* The rule of a secret: `final` when the instruction is in the final image, else DF016. */
static const struct rule_meta *
stage_rule(const struct df_ctx *c, const struct df_instr *in, const struct rule_meta *final)
{
    return (in->stage < 0 || (size_t)in->stage >= c->df->nstages ||
            c->df->stages[in->stage].in_final) ? final : DF_RULE(DF016);
}

static struct ctx_hit *
hit_push(struct ctx_file *f)
{
    struct ctx_hit *h = realloc(f->hits, (f->nhits + 1) * sizeof(*h));

    if (h == NULL)
        return NULL;
    f->hits = h;
    memset(&h[f->nhits], 0, sizeof(h[f->nhits]));
    return &h[f->nhits++];
}

struct file_scan {
    struct ctx_file *f;
    const char *data;
};

static int
file_on_hit(const struct detect_hit *hit, void *user)
{
    struct file_scan *fs = user;
    struct detect_finding d;
    struct ctx_hit *h = hit_push(fs->f);
    int ml, mc;

    if (h == NULL)
        return ERR_NOMEM;
    detect_finding_from_hit(&d, hit);
    offset_pos(fs->data, hit->secret_start, &h->line, &h->col);
    offset_pos(fs->data, hit->match_start, &ml, &mc);
    if (ml < h->line) { /* a private key: its BEGIN line */
        h->line = ml;
        h->col = mc;
    }
    h->example = hit->is_example;
    h->title = d.title;
    h->id = d.id;
    memcpy(h->redacted, d.redacted, sizeof(h->redacted));
    memcpy(h->fingerprint, d.fingerprint, sizeof(h->fingerprint));
    return 0;
}

/* Entries of an env file (lexed by envcheck, Compose semantics) with a secret-like key and a
 * literal value. */
static void
env_names(struct ctx_file *f, const char *path, const char *d, size_t len)
{
    struct env_file ef;

    memset(&ef, 0, sizeof(ef));
    if (env_lex(d, len, path, &ef) < 0) {
        env_file_free(&ef);
        return;
    }
    for (size_t i = 0; i < ef.n; i++) {
        const struct env_entry *e = &ef.entries[i];
        if ((e->flags & ENV_F_REFS) ||
            !detect_literal_secret(e->key, e->key_len, e->value, e->value_len))
            continue;
        char **k = realloc(f->env_keys, (f->nenv + 1) * sizeof(*k));
        if (k == NULL)
            break;
        f->env_keys = k;
        struct ctx_hit *h = hit_push(f);
        if (h == NULL || (k[f->nenv] = strndup(e->key, e->key_len)) == NULL) {
            if (h != NULL)
                f->nhits--;
            break;
        }
        f->nenv++;
        struct detect_finding df;
        detect_finding_from_value(&df, e->value, e->value_len);
        h->line = e->value_span.line;
        h->col = e->value_span.column;
        memcpy(h->redacted, df.redacted, sizeof(h->redacted));
        memcpy(h->fingerprint, df.fingerprint, sizeof(h->fingerprint));
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

/* Reads and scans one context file, once; `readable` says whether the budget let it be read.
 * Runs on a --jobs worker: it touches only `f` (and the shared, thread-safe engine). */
static void
file_contents(struct detect_engine *engine, size_t max, const char *root, const char *rel,
              struct ctx_file *f, int readable)
{
    char path[4096];
    struct buf b = {0};
    int kind = df_secret_file_name(rel);

    f->done = 1;
    f->kind = kind;
    if (str_format(path, sizeof(path), "%s/%s", root, rel) < 0)
        return;
    f->readable = readable && file_read_all(path, max, FILE_READ_NOFOLLOW, &b) == 0;
    f->creds = kind == 2 && (!f->readable || has_credentials(rel, b.data ? b.data : ""));
    if (!f->readable || b.len == 0 || memchr(b.data, '\0', b.len < 8000 ? b.len : 8000) != NULL) {
        buf_free(&b);
        return;
    }
    if (kind != 1 || strstr(rel, ".env") != NULL) {
        struct file_scan fs = {f, b.data};
        if (engine != NULL)
            detect_scan(engine, b.data, b.len, file_on_hit, &fs);
        const char *bn = strrchr(rel, '/');
        bn = bn ? bn + 1 : rel;
        if (strncmp(bn, ".env", 4) == 0 || (strlen(bn) > 4 && strcmp(bn + strlen(bn) - 4, ".env") == 0))
            env_names(f, path, b.data, b.len);
    }
    buf_free(&b);
}

/* The files of a context to read, handed to --jobs threads (common/workq.c); each one's
 * results stay in its own ctx_file, reported afterwards in walk order by the one thread. */
struct ctx_read {
    struct detect_engine *engine;
    size_t max;
    const char *root;
    struct ctx_tree *t;
};
struct ctx_job {
    size_t i;
    int readable;
};

static void ctx_job_run(void *item, void *arg);

static int
ctx_job_retire(void *item, int rc, void *arg)
{
    (void)rc;
    (void)arg;
    free(item);
    return 0;
}

static void
file_free(struct ctx_file *f)
{
    for (size_t i = 0; i < f->nenv; i++)
        free(f->env_keys[i]);
    free(f->env_keys);
    free(f->hits);
}

/* The findings of one context file for the COPY/ADD that brings it in. */
static void
scan_file(struct df_ctx *c, const struct source *src, const char *rel, int literal,
          const struct ctx_file *f)
{
    char path[4096];
    int kind = f->kind;
    int l, col;

    if (kind == 0 && f->nhits == 0)
        return; /* most files: nothing to say, and nothing to format */
    if (src->word != (size_t)-1)
        df_pos(c->df, src->in, src->in->words[src->word].off, &l, &col);
    else
        l = src->in->line, col = src->in->col;
    if (str_format(path, sizeof(path), "%s/%s", c->ctx_dir, rel) < 0)
        return;
    if (kind == 1 || (kind == 2 && f->creds))
        df_report(c, stage_rule(c, src->in, DF_RULE(DF005)), src->in, l, col, NULL,
                  "%s%s from the build context would be copied into the image%s", rel,
                  kind == 2 ? " (holds credentials)" : "",
                  literal ? "" : " (through a directory or pattern source)");
    size_t nd = f->nhits - f->nenv;
    for (size_t i = 0; i < f->nhits; i++) {
        const struct ctx_hit *h = &f->hits[i];
        struct finding_extra x;
        memset(&x, 0, sizeof(x));
        x.secret_redacted = h->redacted;
        x.secret_fingerprint = h->fingerprint;
        if (h->example) {
            x.override_severity = 1;
            x.severity = SEV_INFO;
        }
        if (i >= nd) { /* an env literal, unless the engine already reported that line */
            int dup = 0;
            for (size_t k = c->f->n; k-- > c->first && !dup;) {
                const struct finding *prev = &c->f->items[k];
                dup = prev->line == h->line && prev->path != NULL && strcmp(prev->path, path) == 0;
            }
            if (dup)
                continue;
        }
        c->path_override = path;
        if (i < nd)
            df_report(c, stage_rule(c, src->in, DF_RULE(DF007)), src->in, h->line, h->col, &x,
                      "%s (%s) in %s would be copied into the image by %s at %s:%d", h->title,
                      h->id, rel, src->in->keyword, c->df->path, src->in->line);
        else
            df_report(c, stage_rule(c, src->in, DF_RULE(DF007)), src->in, h->line, h->col, &x,
                      "%s in env file %s is set to a literal and would be copied into the image "
                      "by %s at %s:%d",
                      f->env_keys[i - nd], rel, src->in->keyword, c->df->path, src->in->line);
        c->path_override = NULL;
    }
}

/* ---- walk ------------------------------------------------------------------------------------ */
struct walk {
    char **files;
    struct ctx_file *info; /* parallel to files: what the contents hold (filled lazily) */
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
                if (depth > CTX_MAX_DEPTH || (ig->d.n && !ig->d.has_neg && ignored(ig, sub)))
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
                struct ctx_file *ni = realloc(w->info, nc * sizeof(*ni));
                if (ni == NULL)
                    break;
                w->info = ni;
                w->cap = nc;
            }
            w->files[w->n] = strdup(sub);
            memset(&w->info[w->n], 0, sizeof(w->info[w->n]));
            w->info[w->n].dev = st.st_dev;
            w->info[w->n].ino = st.st_ino;
            w->info[w->n].size = st.st_size;
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
        df_report(c, DF_RULE(DF027), broad->in, 0, 0, NULL,
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
        df_report(c, DF_RULE(DF027), broad->in, 0, 0, NULL, "%s does not exclude %s", ig->file, missing);
}

/* ---- the context of a run: walked and read once per directory and .dockerignore ------------- */
#define CTX_CACHE 8

struct ctx_tree {
    char *dir;
    struct ignore ig;
    struct stat ig_st;  /* identity of the .dockerignore read (all zero: none) */
    struct walk w;
    size_t budget;      /* contents read so far count against CTX_MAX_BYTES */
    unsigned long used; /* for eviction: the least recently used goes */
};

static struct ctx_tree *trees[CTX_CACHE];
static unsigned long tree_clock;

static void
ctx_job_run(void *item, void *arg)
{
    const struct ctx_job *j = item;
    const struct ctx_read *r = arg;

    file_contents(r->engine, r->max, r->root, r->t->w.files[j->i], &r->t->w.info[j->i],
                  j->readable);
}

static void
tree_free(struct ctx_tree *t)
{
    if (t == NULL)
        return;
    for (size_t i = 0; i < t->w.n; i++) {
        free(t->w.files[i]);
        file_free(&t->w.info[i]);
    }
    free(t->w.files);
    free(t->w.info);
    ignore_free(&t->ig);
    free(t->dir);
    free(t);
}

void
dockerfile_context_cache_reset(void)
{
    for (size_t i = 0; i < CTX_CACHE; i++) {
        tree_free(trees[i]);
        trees[i] = NULL;
    }
}

/* The walked context `dir` with the .dockerignore this Dockerfile uses; NULL on ENOMEM. */
static struct ctx_tree *
tree_get(const char *dir, const char *dockerfile)
{
    struct ignore ig;
    struct stat st;
    size_t slot = 0;

    ignore_load(&ig, dir, dockerfile);
    memset(&st, 0, sizeof(st));
    if (ig.present && stat(ig.file, &st) < 0)
        memset(&st, 0, sizeof(st));
    for (size_t i = 0; i < CTX_CACHE; i++) {
        struct ctx_tree *t = trees[i];
        if (t != NULL && strcmp(t->dir, dir) == 0 && t->ig.present == ig.present &&
            strcmp(t->ig.file, ig.file) == 0 && t->ig_st.st_ino == st.st_ino &&
            t->ig_st.st_size == st.st_size && t->ig_st.st_mtim.tv_sec == st.st_mtim.tv_sec &&
            t->ig_st.st_mtim.tv_nsec == st.st_mtim.tv_nsec) {
            ignore_free(&ig);
            t->used = ++tree_clock;
            return t;
        }
        if (trees[slot] != NULL && (t == NULL || t->used < trees[slot]->used))
            slot = i;
    }
    struct ctx_tree *t = calloc(1, sizeof(*t));
    if (t == NULL || (t->dir = strdup(dir)) == NULL) {
        free(t);
        ignore_free(&ig);
        return NULL;
    }
    t->ig = ig;
    t->ig_st = st;
    t->budget = CTX_MAX_BYTES;
    walk_ctx(dir, &t->ig, &t->w);
    tree_free(trees[slot]);
    trees[slot] = t;
    t->used = ++tree_clock;
    return t;
}

void
df_rules_context(struct df_ctx *c)
{
    struct source *src = NULL;
    size_t ns = collect_sources(c, &src);
    struct ctx_tree *t = NULL;
    struct stat st, self;
    unsigned char *reported = NULL;

    int have_ctx = c->ctx_dir != NULL && stat(c->ctx_dir, &st) == 0 && S_ISDIR(st.st_mode);
    if (have_ctx && (t = tree_get(c->ctx_dir, strcmp(c->df->path, "<stdin>") ? c->df->path
                                                                             : NULL)) == NULL) {
        c->rc = c->rc ? c->rc : err_set(ERR_NOMEM, "out of memory");
        have_ctx = 0;
    }
    if (have_ctx)
        dockerignore_rule(c, &t->ig, src, ns);
    reported = calloc(ns ? ns : 1, 1);
    /* The Dockerfile itself is scanned as a Dockerfile, not again as a context file. */
    int have_self = strcmp(c->df->path, "<stdin>") != 0 && stat(c->df->path, &self) == 0;
    /* Files the sources bring in: the first source in the final image wins, else the first. */
    size_t *pick = have_ctx && ns > 0 ? calloc(t->w.n ? t->w.n : 1, sizeof(*pick)) : NULL;
    if (have_ctx && ns > 0 && pick == NULL) {
        c->rc = c->rc ? c->rc : err_set(ERR_NOMEM, "out of memory");
        have_ctx = 0;
    }
    for (size_t i = 0; have_ctx && ns > 0 && i < t->w.n; i++) {
        size_t pi = (size_t)-1;
        for (size_t k = 0; k < ns; k++) {
            if (!source_includes(&src[k], t->w.files[i]))
                continue;
            int fin = src[k].in->stage < 0 || (size_t)src[k].in->stage >= c->df->nstages ||
                      c->df->stages[src[k].in->stage].in_final;
            if (pi == (size_t)-1 || (fin && !(src[pi].in->stage < 0 ||
                                              c->df->stages[src[pi].in->stage].in_final)))
                pi = k;
        }
        if (pi != (size_t)-1 && have_self && t->w.info[i].dev == self.st_dev &&
            t->w.info[i].ino == self.st_ino)
            pi = (size_t)-1;
        pick[i] = pi;
    }
    /* Read and scan the files not read yet on --jobs threads. The contents budget is charged
     * here, in walk order, with the sizes the walk saw: the same files are read for any N. */
    if (have_ctx && ns > 0) {
        size_t max = c->o && c->o->max_file_size > 0 ? (size_t)c->o->max_file_size : CTX_FILE_MAX;
        struct ctx_read rd = {c->engine, max, t->dir, t};
        struct workq *q = NULL;
        unsigned jobs = c->o && c->o->jobs > 0 ? c->o->jobs : workq_default_threads();
        size_t need = 0;
        for (size_t i = 0; i < t->w.n; i++)
            need += pick[i] != (size_t)-1 && !t->w.info[i].done;
        if (need < CTX_THREAD_MIN)
            jobs = 1; /* starting threads would cost more than reading a few files */
        if (workq_open(&q, jobs, ctx_job_run, ctx_job_retire, &rd) < 0)
            q = NULL;
        for (size_t i = 0; i < t->w.n; i++) {
            struct ctx_file *f = &t->w.info[i];
            struct ctx_job *j;
            if (pick[i] == (size_t)-1 || f->done)
                continue;
            int readable = t->budget > 0 && (size_t)f->size <= max;
            if (readable)
                t->budget = t->budget > (size_t)f->size ? t->budget - (size_t)f->size : 0;
            if (q == NULL || (j = malloc(sizeof(*j))) == NULL) {
                file_contents(c->engine, max, t->dir, t->w.files[i], f, readable);
                continue;
            }
            j->i = i;
            j->readable = readable;
            workq_submit(q, j); /* a worker fills `f` in before workq_close returns */
        }
        workq_close(q);
    }
    for (size_t i = 0; have_ctx && ns > 0 && i < t->w.n; i++) {
        if (pick[i] == (size_t)-1)
            continue;
        const struct source *sp = &src[pick[i]];
        int literal = strcmp(sp->path, t->w.files[i]) == 0;
        if (literal && reported != NULL)
            reported[pick[i]] = 1;
        scan_file(c, sp, t->w.files[i], literal, &t->w.info[i]);
    }
    free(pick);
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
        df_report(c, stage_rule(c, src[k].in, DF_RULE(DF005)), src[k].in, l, col, NULL,
                  "%s %s copies %s into the image%s", src[k].in->keyword, src[k].path,
                  kind == 1 ? "a secret file" : "a file that often holds credentials",
                  have_ctx ? "" : " (build context not read)");
    }
    if (have_ctx && t->w.truncated)
        diag_warn("%s: build context has more than %d files; the rest was not checked",
                  c->df->path, CTX_MAX_FILES);
    for (size_t k = 0; k < ns; k++)
        free(src[k].path);
    free(src);
    free(reported);
}
