/* merge_fold: other scanners' results folded into our findings. One finding per (vulnerability,
 * package, installed version): a result we (or an earlier report) already have, under its id or
 * any alias, only adds its tool to the finding's sources; the rest become VULN001 findings said
 * to be "reported by Trivy" or "by Grype". Distribution ids such as DEBIAN-CVE-2023-38545 are the
 * same vulnerability as CVE-2023-38545. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "merge_internal.h"

#define DPKG_DB "var/lib/dpkg/status"
#define APK_DB "lib/apk/db/installed"

/* The peer's package type -> the kind of our inventory (for the OSV ecosystem name), and the
 * database an OS package is listed in (Trivy gives no path for those). */
static const struct {
    const char *type;
    enum pkg_kind kind;
    const char *db;
} peer_types[] = {
    /* Trivy result Types */
    {"debian", PKG_DEB, DPKG_DB}, {"ubuntu", PKG_DEB, DPKG_DB}, {"alpine", PKG_APK, APK_DB},
    {"python-pkg", PKG_PYPI, NULL}, {"pip", PKG_PYPI, NULL}, {"pipenv", PKG_PYPI, NULL},
    {"poetry", PKG_PYPI, NULL}, {"node-pkg", PKG_NPM, NULL}, {"npm", PKG_NPM, NULL},
    {"yarn", PKG_NPM, NULL}, {"pnpm", PKG_NPM, NULL}, {"gobinary", PKG_GO, NULL},
    {"gomod", PKG_GO, NULL},
    /* Grype (Syft) artifact types */
    {"deb", PKG_DEB, DPKG_DB}, {"apk", PKG_APK, APK_DB}, {"python", PKG_PYPI, NULL},
    {"go-module", PKG_GO, NULL},
};

static const char *
db_of(const struct pkg_peer_vuln *v)
{
    for (size_t i = 0; v->type != NULL && i < sizeof(peer_types) / sizeof(peer_types[0]); i++)
        if (strcmp(v->type, peer_types[i].type) == 0)
            return peer_types[i].db;
    return NULL;
}

static void
ecosystem_of(const struct pkg_peer_vuln *v, const struct pkg_merge_image *img, char *out,
             size_t size)
{
    out[0] = '\0';
    for (size_t i = 0; v->type != NULL && i < sizeof(peer_types) / sizeof(peer_types[0]); i++)
        if (strcmp(v->type, peer_types[i].type) == 0) {
            struct pkg p = {peer_types[i].kind, v->package, v->installed, NULL, NULL, NULL, -1};
            if (pkg_ecosystem(&p, img->os_id, img->os_version, out, size) == 0 && out[0] != '\0')
                return;
            break;
        }
    (void)str_format(out, size, "%s", v->type != NULL ? v->type : "unknown");
}

/* An id without a distribution's prefix when what follows is a CVE id. */
static void
id_core(const char **s, size_t *n)
{
    static const char *const prefixes[] = {"DEBIAN-", "UBUNTU-", "ALPINE-"};

    for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
        size_t pl = strlen(prefixes[i]);
        if (*n > pl + 4 && strncasecmp(*s, prefixes[i], pl) == 0 &&
            strncasecmp(*s + pl, "CVE-", 4) == 0) {
            *s += pl;
            *n -= pl;
            return;
        }
    }
}

/* Next item of a comma-separated list (json_list_next), trailing blanks and a distribution's
 * prefix dropped: 1 with [*s, *s + *n), 0 at the end. */
static int
list_next(const char **cur, const char **s, size_t *n)
{
    if ((*s = json_list_next(cur, n)) == NULL)
        return 0;
    while (*n > 0 && (*s)[*n - 1] == ' ')
        (*n)--;
    id_core(s, n);
    return 1;
}

/* Does id/aliases (one side) name a vulnerability the other side names? */
static int
ids_meet(const char *id1, const char *al1, const char *id2, const char *al2)
{
    const char *lists1[2] = {id1, al1}, *lists2[2] = {id2, al2};

    for (int a = 0; a < 2; a++) {
        const char *c1 = lists1[a], *s1;
        size_t n1;
        while (c1 != NULL && list_next(&c1, &s1, &n1)) {
            for (int b = 0; b < 2; b++) {
                const char *c2 = lists2[b], *s2;
                size_t n2;
                while (c2 != NULL && list_next(&c2, &s2, &n2))
                    if (n1 == n2 && strncasecmp(s1, s2, n1) == 0)
                        return 1;
            }
        }
    }
    return 0;
}

/* Findings by (package, installed version, id): one entry per id and alias of each finding, so
 * a package with hundreds of vulnerabilities (a kernel) is still one probe per id. */
struct vent {
    size_t finding, next; /* next: entry index + 1; 0 ends a chain */
};
struct vindex {
    size_t *head; /* per bucket: entry index + 1 */
    struct vent *e;
    size_t n, cap, mask;
};

static size_t
fnv(size_t h, const char *s, size_t n, int fold)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (fold && c >= 'A' && c <= 'Z')
            c = (unsigned char)(c + 32);
        h = (h ^ c) * 0x100000001b3u;
    }
    return (h ^ 0xff) * 0x100000001b3u;
}

static size_t
key_hash(const char *pkg, const char *ver, const char *id, size_t idn)
{
    size_t h = 0xcbf29ce484222325u;

    h = fnv(h, pkg, strlen(pkg), 1);
    h = fnv(h, ver, strlen(ver), 0);
    h = fnv(h, id, idn, 1);
    return h ^ (h >> 31);
}

/* Ids in an id and its alias list (at most). */
static size_t
count_ids(const char *aliases)
{
    size_t n = 1;

    for (const char *p = aliases; p != NULL && *p; p++)
        n += *p == ',';
    return n + (aliases != NULL);
}

static void
vindex_put(struct vindex *x, const struct findings *f, size_t i)
{
    const struct finding_vuln *v = f->items[i].vuln;
    const char *lists[2] = {v->id, v->aliases};

    for (int k = 0; k < 2; k++) {
        const char *c = lists[k], *s;
        size_t n;
        while (c != NULL && list_next(&c, &s, &n) && x->n < x->cap) {
            size_t h = key_hash(v->package, v->installed, s, n) & x->mask;
            x->e[x->n] = (struct vent){i, x->head[h]};
            x->head[h] = ++x->n;
        }
    }
}

static int
same_package(const struct finding_vuln *a, const struct pkg_peer_vuln *b)
{
    return a->package != NULL && a->installed != NULL && strcasecmp(a->package, b->package) == 0 &&
           strcmp(a->installed, b->installed) == 0;
}

static long
find(const struct vindex *x, const struct findings *f, const struct pkg_peer_vuln *v)
{
    const char *lists[2] = {v->id, v->aliases};

    for (int k = 0; k < 2; k++) {
        const char *c = lists[k], *s;
        size_t n;
        while (c != NULL && list_next(&c, &s, &n)) {
            size_t h = key_hash(v->package, v->installed, s, n) & x->mask;
            for (size_t e = x->head[h]; e != 0; e = x->e[e - 1].next) {
                const struct finding_vuln *fv = f->items[x->e[e - 1].finding].vuln;
                if (same_package(fv, v) && ids_meet(fv->id, fv->aliases, v->id, v->aliases))
                    return (long)x->e[e - 1].finding;
            }
        }
    }
    return -1;
}

/* Adds `tool` to the finding's sources, once. */
static int
add_source(struct finding_vuln *fv, const char *tool)
{
    const char *c = fv->sources, *s;
    size_t n, len = fv->sources != NULL ? strlen(fv->sources) : 0;
    char *ns;

    while (c != NULL && list_next(&c, &s, &n))
        if (n == strlen(tool) && strncmp(s, tool, n) == 0)
            return 0;
    if ((ns = realloc(fv->sources, len + strlen(tool) + 2)) == NULL)
        return err_set(ERR_NOMEM, "out of memory");
    (void)str_format(ns + len, strlen(tool) + 2, "%s%s", len > 0 ? "," : "", tool);
    fv->sources = ns;
    return 0;
}

static long
layer_of(const struct pkg_merge_image *img, const char *diff_id)
{
    for (size_t i = 0; diff_id != NULL && i < img->nlayers; i++)
        if (strcmp(img->layers[i], diff_id) == 0)
            return (long)i;
    return -1;
}

/* A finding of its own for a result only the peer has. */
static int
add_peer(struct findings *f, const struct pkg_peer_report *rep, const struct pkg_peer_vuln *v,
         const struct pkg_merge_image *img)
{
    long layer = layer_of(img, v->layer);
    struct location loc;
    struct finding_extra x;
    struct finding_vuln fv;
    char eco[64], aliases[200] = "", fix[300], where[64] = "";
    int rc;

    if (layer >= 0 && img->skip_base && img->is_base != NULL && img->is_base[layer])
        return 0;
    memset(&loc, 0, sizeof(loc));
    memset(&x, 0, sizeof(x));
    loc.path = v->path != NULL ? v->path : db_of(v);
    loc.layer_index = (int)layer;
    loc.layer = layer >= 0 ? img->layers[layer] : NULL;
    x.target = img->ref;
    x.severity = v->severity;
    x.override_severity = 1;
    ecosystem_of(v, img, eco, sizeof(eco));
    pkg_vuln_alias_note(v->id, v->aliases, aliases, sizeof(aliases));
    if (v->fixed != NULL)
        (void)str_format(fix, sizeof(fix), "fixed in %s", v->fixed);
    else
        (void)str_format(fix, sizeof(fix), "no fix published");
    if (layer >= 0)
        (void)str_format(where, sizeof(where), "; installed by layer %ld", layer);
    rc = findings_add(f, &pkg_rule_vuln, &loc, &x, "%s%s in %s %s (%s): %s%s (reported by %s)%s%s",
                      v->id, aliases, v->package, v->installed, eco, fix, where,
                      rep->tool == PEER_TRIVY ? "Trivy" : "Grype", v->title ? ": " : "",
                      v->title ? v->title : "");
    if (rc < 0)
        return rc;
    fv = (struct finding_vuln){v->id,    v->aliases, v->package, eco,
                               v->installed, v->fixed, v->purl,  v->layer,
                               (char *)pkg_peer_name(rep->tool)};
    return findings_set_vuln(f, f->n - 1, &fv);
}

int
pkg_merge_fold(struct findings *f, size_t from, const struct pkg_peer_report *reps, size_t n,
               const struct pkg_merge_image *img)
{
    struct vindex x;
    size_t total = 0, buckets = 64;
    int rc = 0;

    if (from > f->n)
        from = f->n;
    /* room for every id of every finding there is and every one the reports may add */
    for (size_t i = from; i < f->n; i++)
        if (f->items[i].vuln != NULL)
            total += count_ids(f->items[i].vuln->aliases);
    for (size_t r = 0; r < n; r++)
        for (size_t i = 0; i < reps[r].n; i++)
            total += count_ids(reps[r].v[i].aliases);
    while (buckets < total)
        buckets *= 2;
    memset(&x, 0, sizeof(x));
    x.cap = total;
    x.mask = buckets - 1;
    x.head = calloc(buckets, sizeof(*x.head));
    x.e = calloc(total + 1, sizeof(*x.e));
    if (x.head == NULL || x.e == NULL) {
        rc = err_set(ERR_NOMEM, "out of memory");
        goto out;
    }
    for (size_t i = from; i < f->n; i++)
        if (f->items[i].vuln != NULL && strcmp(f->items[i].rule, pkg_rule_vuln.id) == 0)
            vindex_put(&x, f, i);
    for (size_t r = 0; r < n && rc == 0; r++) {
        for (size_t i = 0; i < reps[r].n && rc == 0; i++) {
            const struct pkg_peer_vuln *v = &reps[r].v[i];
            long at = find(&x, f, v);
            size_t before = f->n;
            if (at >= 0) {
                rc = add_source(f->items[at].vuln, pkg_peer_name(reps[r].tool));
                continue;
            }
            if (img->ignore_unfixed && v->fixed == NULL)
                continue;
            if ((rc = add_peer(f, &reps[r], v, img)) == 0 && f->n > before)
                vindex_put(&x, f, f->n - 1);
        }
    }
out:
    free(x.head);
    free(x.e);
    return rc;
}
