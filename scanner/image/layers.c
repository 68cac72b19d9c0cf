/* image_layers: places each layer's findings in the image (index, digest, history entry, base
 * or not), finds secrets deleted or overwritten by a later layer, and runs the rules on the
 * final filesystem the whiteouts leave: setuid/setgid, world-writable, shadow, passwd, EOL OS. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "image.h"

enum removal { REM_NONE = 0, REM_DELETED, REM_OVERWRITTEN };

/* Does a layer above `from` delete or replace `path`? Returns the layer and how, or -1. */
static int
removed_by(const struct img_resolved *r, size_t from, const char *path, enum removal *how)
{
    char key[IMG_MAX_PATH + 2];
    size_t plen = strlen(path);

    for (size_t j = from + 1; j < r->nlayers; j++) {
        const struct img_map *ix = &r->layers[j]->index;
        size_t e;
        if (img_map_get(ix, path, NULL)) {
            *how = REM_OVERWRITTEN;
            return (int)j;
        }
        if (img_map_get(ix, "\x02", NULL)) { /* opaque root */
            *how = REM_DELETED;
            return (int)j;
        }
        /* Every ancestor (and the path itself): a whiteout of it, an opaque marker on it, or
         * a non-directory put in its place. */
        for (size_t k = 0; k <= plen; k++) {
            if (k < plen && path[k] != '/')
                continue;
            snprintf(key, sizeof(key), "\x01%.*s", (int)k, path);
            if (img_map_get(ix, key, NULL)) {
                *how = REM_DELETED;
                return (int)j;
            }
            if (k == plen)
                break;
            key[0] = '\x02';
            if (img_map_get(ix, key, NULL)) {
                *how = REM_DELETED;
                return (int)j;
            }
            if (img_map_get(ix, key + 1, &e) && (r->layers[j]->entries[e].mode & 0170000) != 0040000) {
                *how = REM_OVERWRITTEN;
                return (int)j;
            }
        }
    }
    *how = REM_NONE;
    return -1;
}

void
image_short_digest(const char *d, char *out, size_t size)
{
    const char *colon = strchr(d, ':');
    snprintf(out, size, "%.12s", colon != NULL ? colon + 1 : d);
}

const char *
image_created_by(const struct img_resolved *r, size_t i)
{
    return r->shown_by[i] != NULL ? r->shown_by[i] : "(no history entry)";
}

/* Does layer j hold the same secret at the same path (a chmod or a re-COPY)? */
static int
same_secret_in(const struct img_layer *l, const struct img_pending *p)
{
    for (size_t k = 0; k < l->npending; k++)
        if (strcmp(l->pending[k].path, p->path) == 0 &&
            strcmp(l->pending[k].fingerprint, p->fingerprint) == 0 && p->fingerprint[0] != '\0')
            return 1;
    return 0;
}

static int
emit_pending(const struct img_resolved *r, struct img_ctx *c, struct findings *f,
             const char *target, size_t i, const struct img_pending *p)
{
    struct location loc;
    struct finding_extra x;
    char d1[16], d2[16];
    enum removal how = REM_NONE;
    int j = p->is_secret ? removed_by(r, i, p->path, &how) : -1;
    const char *base = r->is_base[i] ? " [base image layer]" : "";

    if (r->is_base[i] && c->opts != NULL && c->opts->skip_base)
        return 0;
    memset(&loc, 0, sizeof(loc));
    memset(&x, 0, sizeof(x));
    loc.path = p->path;
    loc.line = p->line;
    loc.column = p->column;
    loc.layer_index = (int)i;
    loc.layer = r->digests[i];
    x.target = target;
    if (p->redacted[0] != '\0')
        x.secret_redacted = p->redacted;
    if (p->fingerprint[0] != '\0')
        x.secret_fingerprint = p->fingerprint;
    image_short_digest(r->digests[i], d1, sizeof(d1));
    if (j < 0)
        return findings_add(f, p->rule, &loc, &x, "%s; added in layer %zu (%s) by `%s`%s%s%s%s",
                            p->message, i, d1, image_created_by(r, i), base,
                            p->clear ? "; value '" : "", p->clear ? p->clear : "",
                            p->clear ? "'" : "");
    if (how == REM_OVERWRITTEN && same_secret_in(r->layers[j], p))
        return 0; /* the later layer reports the same secret itself */
    image_short_digest(r->digests[j], d2, sizeof(d2));
    return findings_add(f, &img_rule_removed_secret, &loc, &x,
                        "[%s] %s; added in layer %zu (%s) by `%s`, %s in layer %d (%s) by `%s`: "
                        "still readable from layer %zu%s%s%s%s",
                        p->rule->id, p->message, i, d1, image_created_by(r, i),
                        how == REM_DELETED ? "deleted" : "overwritten", j, d2,
                        image_created_by(r, (size_t)j), i, base, p->clear ? "; value '" : "",
                        p->clear ? p->clear : "", p->clear ? "'" : "");
}

/* Setuid/setgid programs distributions ship on purpose (Dockle's CIS-DI-0008 reports them all). */
static const char *const suid_allow[] = {
    "bin/su", "bin/mount", "bin/umount", "bin/ping", "bin/ping6", "usr/bin/su",
    "usr/bin/sudo", "usr/bin/passwd", "usr/bin/chsh", "usr/bin/chfn", "usr/bin/gpasswd",
    "usr/bin/newgrp", "usr/bin/mount", "usr/bin/umount", "usr/bin/chage", "usr/bin/expiry",
    "usr/bin/ssh-agent", "usr/bin/wall", "usr/bin/write", "usr/bin/bsd-write", "usr/bin/crontab",
    "usr/bin/dotlockfile", "usr/bin/ping", "usr/bin/newuidmap", "usr/bin/newgidmap",
    "usr/bin/fusermount", "usr/bin/fusermount3", "usr/bin/pkexec", "usr/bin/at",
    "sbin/unix_chkpwd", "usr/sbin/unix_chkpwd", "usr/lib/openssh/ssh-keysign",
    "usr/libexec/openssh/ssh-keysign", "usr/lib/dbus-1.0/dbus-daemon-launch-helper",
    "usr/sbin/pam_extrausers_chkpwd", "usr/bin/mail-lock", "usr/bin/mail-unlock",
    "usr/bin/mail-touchlock", NULL,
};

static int
suid_allowed(const char *path)
{
    for (size_t i = 0; suid_allow[i] != NULL; i++)
        if (strcmp(path, suid_allow[i]) == 0)
            return 1;
    return 0;
}

static int
add_fs(struct findings *f, const struct rule_meta *rule, const struct img_resolved *r, size_t i,
       const char *path, int line, const char *target, const char *fmt, const char *arg)
{
    struct location loc;
    struct finding_extra x;
    char d[16];

    memset(&loc, 0, sizeof(loc));
    memset(&x, 0, sizeof(x));
    loc.path = path;
    loc.line = line;
    loc.layer_index = (int)i;
    loc.layer = r->digests[i];
    x.target = target;
    image_short_digest(r->digests[i], d, sizeof(d));
    return findings_add(f, rule, &loc, &x, "%s; from layer %zu (%s) by `%s`%s", arg ? arg : fmt, i,
                        d, image_created_by(r, i), r->is_base[i] ? " [base image layer]" : "");
}

static int
check_entry(const struct img_resolved *r, struct img_ctx *c, struct findings *f,
            const char *target, size_t i, const struct img_entry *e)
{
    char msg[IMG_MAX_PATH + 128];
    uint32_t type = e->mode & 0170000, perm = e->mode & 07777;
    int rc;

    if (r->is_base[i] && c->opts != NULL && c->opts->skip_base)
        return 0;
    if (type == 0100000 && (perm & 06000) != 0 && !suid_allowed(e->path)) {
        snprintf(msg, sizeof(msg), "%s%s%s file %s (mode %04o)", perm & 04000 ? "setuid" : "",
                 (perm & 06000) == 06000 ? "+" : "", perm & 02000 ? "setgid" : "", e->path,
                 (unsigned)perm);
        if ((rc = add_fs(f, &img_rule_setuid, r, i, e->path, 0, target, NULL, msg)) < 0)
            return rc;
    }
    if ((type == 0100000 || type == 0040000) && mode_world_writable(perm, type == 0040000)) {
        snprintf(msg, sizeof(msg), "world-writable %s %s (mode %04o)",
                 type == 0040000 ? "directory without the sticky bit" : "file", e->path,
                 (unsigned)perm);
        if ((rc = add_fs(f, &img_rule_world_writable, r, i, e->path, 0, target, NULL, msg)) < 0)
            return rc;
    }
    return 0;
}

/* /etc/shadow: empty password field (not '*', '!' or a hash) means no password at all. */
static int
check_shadow(const struct img_resolved *r, struct findings *f, const char *target, size_t i,
             const struct buf *b)
{
    int line = 0, rc;
    char msg[256];

    for (const char *p = b->data, *end = b->data + b->len; p < end;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p)), *c1;
        if (nl == NULL)
            nl = end;
        line++;
        c1 = memchr(p, ':', (size_t)(nl - p));
        if (c1 != NULL && c1 > p && c1 + 1 <= nl && (c1 + 1 == nl || c1[1] == ':')) {
            snprintf(msg, sizeof(msg), "account '%.*s' has an empty password in /etc/shadow",
                     (int)(c1 - p < 64 ? c1 - p : 64), p);
            if ((rc = add_fs(f, &img_rule_empty_password, r, i, "etc/shadow", line, target, NULL,
                             msg)) < 0)
                return rc;
        }
        p = nl + 1;
    }
    return 0;
}

static int
check_passwd(const struct img_resolved *r, struct findings *f, const char *target, size_t i,
             const struct buf *b)
{
    int line = 0, rc;
    char msg[256];

    for (const char *p = b->data, *end = b->data + b->len; p < end;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p)), *c1, *c2;
        if (nl == NULL)
            nl = end;
        line++;
        c1 = memchr(p, ':', (size_t)(nl - p));
        c2 = c1 != NULL ? memchr(c1 + 1, ':', (size_t)(nl - c1 - 1)) : NULL;
        if (c2 != NULL && nl - c2 >= 3 && c2[1] == '0' && c2[2] == ':' &&
            !(c1 - p == 4 && strncmp(p, "root", 4) == 0)) {
            snprintf(msg, sizeof(msg), "account '%.*s' has UID 0 besides root in /etc/passwd",
                     (int)(c1 - p < 64 ? c1 - p : 64), p);
            if ((rc = add_fs(f, &img_rule_dup_uid0, r, i, "etc/passwd", line, target, NULL,
                             msg)) < 0)
                return rc;
        }
        p = nl + 1;
    }
    return 0;
}

static void
os_field(const struct buf *b, const char *key, char *out, size_t size)
{
    size_t klen = strlen(key);

    out[0] = '\0';
    for (const char *p = b->data, *end = b->data + b->len; p < end;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (nl == NULL)
            nl = end;
        if ((size_t)(nl - p) > klen && strncmp(p, key, klen) == 0 && p[klen] == '=') {
            const char *v = p + klen + 1, *ve = nl;
            if (ve > v && (*v == '"' || *v == '\''))
                v++;
            while (ve > v && (ve[-1] == '"' || ve[-1] == '\'' || ve[-1] == '\r'))
                ve--;
            snprintf(out, size, "%.*s", (int)(ve - v), v);
            return;
        }
        p = nl + 1;
    }
}

/* End of support from Debian's distro-info-data (LTS/server dates when listed), and a small
 * dated table for Alpine, which distro-info-data lacks. "" when unknown. */
static void
eol_date(const char *id, const char *version, char out[16])
{
    static const char *const alpine[][2] = {
        {"3.10", "2021-05-01"}, {"3.11", "2021-11-01"}, {"3.12", "2022-05-01"},
        {"3.13", "2022-11-01"}, {"3.14", "2023-05-01"}, {"3.15", "2023-11-01"},
        {"3.16", "2024-05-23"}, {"3.17", "2024-11-22"}, {"3.18", "2025-05-09"},
        {"3.19", "2025-11-01"}, {"3.20", "2026-04-01"}, {"3.21", "2026-11-01"},
        {"3.22", "2027-05-01"},
    };
    const char *csv = NULL;
    char line[512];
    FILE *fp;

    out[0] = '\0';
    if (strcmp(id, "alpine") == 0) {
        for (size_t i = 0; i < sizeof(alpine) / sizeof(alpine[0]); i++)
            if (strncmp(version, alpine[i][0], strlen(alpine[i][0])) == 0 &&
                (version[strlen(alpine[i][0])] == '\0' || version[strlen(alpine[i][0])] == '.'))
                snprintf(out, 16, "%s", alpine[i][1]);
        return;
    }
    if (strcmp(id, "debian") == 0)
        csv = "/usr/share/distro-info/debian.csv";
    else if (strcmp(id, "ubuntu") == 0)
        csv = "/usr/share/distro-info/ubuntu.csv";
    if (csv == NULL || (fp = fopen(csv, "re")) == NULL)
        return;
    while (fgets(line, sizeof(line), fp) != NULL) {
        char *fields[9] = {0};
        int n = 0;
        for (char *p = line, *s; n < 9 && (s = strsep(&p, ",\n")) != NULL;)
            fields[n++] = s;
        if (n < 6)
            continue;
        /* "22.04 LTS" -> "22.04"; Debian lists "12" for VERSION_ID 12 */
        size_t vl = strcspn(fields[0], " ");
        if (strlen(version) != vl || strncmp(fields[0], version, vl) != 0)
            continue;
        const char *d = (n >= 7 && fields[6][0] != '\0') ? fields[6] : fields[5];
        snprintf(out, 16, "%.10s", d);
    }
    fclose(fp);
}

static int
check_os(const struct img_resolved *r, struct findings *f, const char *target, size_t i,
         const struct buf *b)
{
    char id[64], ver[64], pretty[128], eol[16], today[16], msg[320];
    time_t now = time(NULL);
    struct tm tm;

    os_field(b, "ID", id, sizeof(id));
    os_field(b, "VERSION_ID", ver, sizeof(ver));
    os_field(b, "PRETTY_NAME", pretty, sizeof(pretty));
    if (id[0] == '\0' || ver[0] == '\0')
        return 0;
    eol_date(id, ver, eol);
    gmtime_r(&now, &tm);
    strftime(today, sizeof(today), "%Y-%m-%d", &tm);
    if (eol[0] == '\0' || strcmp(eol, today) >= 0)
        return 0;
    snprintf(msg, sizeof(msg), "%s (%s %s) reached end of life on %s",
             pretty[0] ? pretty : id, id, ver, eol);
    return add_fs(f, &img_rule_eol, r, i, "etc/os-release", 0, target, NULL, msg);
}

int
image_check_layers(const struct img_resolved *r, struct img_ctx *c, struct findings *f,
                   const char *target)
{
    int rc;
    long cap_layer[IMG_CAP_N];

    for (int k = 0; k < IMG_CAP_N; k++)
        cap_layer[k] = -1;
    for (size_t i = 0; i < r->nlayers; i++) {
        const struct img_layer *l = r->layers[i];
        for (size_t k = 0; k < l->npending; k++)
            if ((rc = emit_pending(r, c, f, target, i, &l->pending[k])) < 0)
                return rc;
        for (size_t k = 0; k < l->nentries; k++) {
            enum removal how;
            const struct img_entry *e = &l->entries[k];
            if (e->wh != IMG_WH_NONE || removed_by(r, i, e->path, &how) >= 0)
                continue; /* not in the final filesystem */
            if ((rc = check_entry(r, c, f, target, i, e)) < 0)
                return rc;
        }
        for (int k = 0; k < IMG_CAP_N; k++) {
            enum removal how;
            static const char *const cap_path[IMG_CAP_N] = {"etc/passwd", "etc/shadow",
                                                            "etc/os-release"};
            if (l->has_capture[k] && removed_by(r, i, cap_path[k], &how) < 0)
                cap_layer[k] = (long)i;
            else if (l->has_capture[k] && k == IMG_CAP_OSRELEASE)
                cap_layer[k] = (long)i; /* usr/lib/os-release: the link target */
        }
    }
    for (int k = 0; k < IMG_CAP_N; k++) {
        size_t i = (size_t)cap_layer[k];
        if (cap_layer[k] < 0 || (r->is_base[i] && c->opts != NULL && c->opts->skip_base))
            continue;
        const struct buf *b = &r->layers[i]->capture[k];
        if (b->data == NULL)
            continue;
        rc = k == IMG_CAP_SHADOW ? check_shadow(r, f, target, i, b)
             : k == IMG_CAP_PASSWD ? check_passwd(r, f, target, i, b)
                                   : check_os(r, f, target, i, b);
        if (rc < 0)
            return rc;
    }
    return 0;
}

int
image_final_packages(const struct img_resolved *r, struct pkg_list *out, char *os_id,
                     size_t idsz, char *os_ver, size_t versz)
{
    const struct buf *osrel = NULL;

    os_id[0] = os_ver[0] = '\0';
    for (size_t i = 0; i < r->nlayers; i++) {
        const struct img_layer *l = r->layers[i];
        enum removal how;
        if (l == NULL)
            continue;
        if (l->has_capture[IMG_CAP_OSRELEASE] && l->capture[IMG_CAP_OSRELEASE].data != NULL)
            osrel = &l->capture[IMG_CAP_OSRELEASE];
        for (size_t k = 0; k < l->pkgs.n; k++) {
            const struct pkg *p = &l->pkgs.v[k];
            struct pkg *q;
            if (removed_by(r, i, p->path, &how) >= 0)
                continue; /* deleted or replaced later: not installed */
            if (out->n == out->cap) {
                size_t cap = out->cap ? out->cap * 2 : 64;
                struct pkg *v = realloc(out->v, cap * sizeof(*v));
                if (v == NULL)
                    return err_set(ERR_NOMEM, "out of memory");
                out->v = v;
                out->cap = cap;
            }
            q = &out->v[out->n];
            memset(q, 0, sizeof(*q));
            q->kind = p->kind;
            q->layer = (int)i;
            if ((q->name = strdup(p->name)) == NULL || (q->version = strdup(p->version)) == NULL ||
                (q->path = strdup(p->path)) == NULL ||
                (p->source != NULL && (q->source = strdup(p->source)) == NULL) ||
                (p->source_version != NULL &&
                 (q->source_version = strdup(p->source_version)) == NULL) ||
                (p->arch != NULL && (q->arch = strdup(p->arch)) == NULL) ||
                (p->vendor != NULL && (q->vendor = strdup(p->vendor)) == NULL)) {
                out->n++;
                return err_set(ERR_NOMEM, "out of memory");
            }
            out->n++;
        }
    }
    if (osrel != NULL) {
        os_field(osrel, "ID", os_id, idsz);
        os_field(osrel, "VERSION_ID", os_ver, versz);
    }
    return 0;
}
