/* dockerfile_image: base image references (registry, repository, tag, digest) and end-of-life
 * lookup: Debian and Ubuntu from distro-info-data, a dated table of our own for the rest. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dockerfile.h"

void
df_image_parse(struct df_arena *a, const char *ref, struct df_image *out)
{
    const char *at = strchr(ref, '@'), *slash = strchr(ref, '/');
    size_t end = at ? (size_t)(at - ref) : strlen(ref);
    size_t rs = 0;

    memset(out, 0, sizeof(*out));
    out->registry = out->repo = out->tag = out->digest = "";
    if (at != NULL)
        out->digest = df_strndup(a, at + 1, strlen(at + 1));
    /* A first component with '.' or ':' or "localhost" is a registry. */
    if (slash != NULL && (size_t)(slash - ref) < end) {
        size_t fl = (size_t)(slash - ref);
        if (memchr(ref, '.', fl) || memchr(ref, ':', fl) ||
            (fl == 9 && strncmp(ref, "localhost", 9) == 0)) {
            out->registry = df_strndup(a, ref, fl);
            rs = fl + 1;
        }
    }
    /* The tag is after the last ':' that follows the last '/'. */
    const char *last_slash = NULL;
    for (size_t i = rs; i < end; i++)
        if (ref[i] == '/')
            last_slash = ref + i;
    const char *colon = NULL;
    for (const char *p = last_slash ? last_slash : ref + rs; p < ref + end; p++)
        if (*p == ':')
            colon = p;
    size_t re = colon ? (size_t)(colon - ref) : end;
    if (colon != NULL)
        out->tag = df_strndup(a, colon + 1, (size_t)(ref + end - colon - 1));
    const char *repo = ref + rs;
    size_t rl = re - rs;
    if (rl > 8 && strncmp(repo, "library/", 8) == 0) {
        repo += 8;
        rl -= 8;
    }
    out->repo = df_strndup(a, repo, rl);
    int hub = out->registry[0] == '\0' || strcmp(out->registry, "docker.io") == 0 ||
              strcmp(out->registry, "index.docker.io") == 0 ||
              strcmp(out->registry, "registry-1.docker.io") == 0;
    out->official = hub && out->repo != NULL && strchr(out->repo, '/') == NULL;
    if (out->repo == NULL)
        out->repo = "";
    if (out->tag == NULL)
        out->tag = "";
    if (out->digest == NULL)
        out->digest = "";
}

/* Runtimes distro-info-data lacks: end of upstream support, from each project's release page
 * (python.org/downloads, nodejs.org release schedule, alpinelinux.org/releases, go.dev/doc/devel
 * /release, centos.org). Table as of 2026-11; see docs/rules.md DF025. */
static const struct {
    const char *repo;
    const char *version;
    const char *eol;
} eol_table[] = {
    {"alpine", "3.10", "2021-05-01"}, {"alpine", "3.11", "2021-11-01"},
    {"alpine", "3.12", "2022-05-01"}, {"alpine", "3.13", "2022-11-01"},
    {"alpine", "3.14", "2023-05-01"}, {"alpine", "3.15", "2023-11-01"},
    {"alpine", "3.16", "2024-05-23"}, {"alpine", "3.17", "2024-11-22"},
    {"alpine", "3.18", "2025-05-09"}, {"alpine", "3.19", "2025-11-01"},
    {"alpine", "3.20", "2026-04-01"}, {"alpine", "3.21", "2026-11-01"},
    {"alpine", "3.22", "2027-05-01"},
    {"node", "8", "2019-12-31"},  {"node", "10", "2021-04-30"}, {"node", "12", "2022-04-30"},
    {"node", "14", "2023-04-30"}, {"node", "16", "2023-09-11"}, {"node", "17", "2022-06-01"},
    {"node", "18", "2025-04-30"}, {"node", "19", "2023-06-01"}, {"node", "20", "2026-04-30"},
    {"node", "21", "2024-06-01"}, {"node", "22", "2027-04-30"}, {"node", "23", "2025-06-01"},
    {"python", "2.7", "2020-01-01"}, {"python", "3.5", "2020-09-30"},
    {"python", "3.6", "2021-12-23"}, {"python", "3.7", "2023-06-27"},
    {"python", "3.8", "2024-10-07"}, {"python", "3.9", "2025-10-31"},
    {"python", "3.10", "2026-10-31"}, {"python", "3.11", "2027-10-31"},
    {"golang", "1.18", "2023-02-01"}, {"golang", "1.19", "2023-08-08"},
    {"golang", "1.20", "2024-02-06"}, {"golang", "1.21", "2024-08-13"},
    {"golang", "1.22", "2025-02-11"}, {"golang", "1.23", "2025-08-12"},
    {"golang", "1.24", "2026-02-10"},
    {"centos", "6", "2020-11-30"}, {"centos", "7", "2024-06-30"}, {"centos", "8", "2021-12-31"},
    {"php", "7.4", "2022-11-28"}, {"php", "8.0", "2023-11-26"}, {"php", "8.1", "2025-12-31"},
    {"ruby", "2.7", "2023-03-31"}, {"ruby", "3.0", "2024-04-23"}, {"ruby", "3.1", "2025-03-26"},
};

/* Does the tag start with `v` followed by a non-digit/non-dot (so "3.1" does not match "3.14")? */
static int
tag_has_version(const char *tag, const char *v)
{
    size_t n = strlen(v);

    if (strncmp(tag, v, n) != 0)
        return 0;
    return tag[n] == '\0' || tag[n] == '-' || tag[n] == '.';
}

/* distro-info CSV: version,codename,series,created,release,eol[,eol-lts[,eol-elts]] */
static const char *
distro_eol(struct df_arena *a, const char *csv, const char *tag)
{
    struct buf b = {0};
    const char *res = NULL;
    char t[64];
    size_t tl = 0;

    while (tag[tl] && tag[tl] != '-' && tl + 1 < sizeof(t)) {
        t[tl] = (char)tolower((unsigned char)tag[tl]);
        tl++;
    }
    t[tl] = '\0';
    if (tl == 0 || file_read_all(csv, 1 << 20, 0, &b) < 0)
        return NULL;
    for (char *line = b.data, *next; line != NULL && *line; line = next) {
        next = strchr(line, '\n');
        if (next != NULL)
            *next++ = '\0';
        char *f[8] = {0};
        int nf = 0;
        for (char *p = line; nf < 8;) {
            f[nf++] = p;
            p = strchr(p, ',');
            if (p == NULL)
                break;
            *p++ = '\0';
        }
        if (nf < 6 || f[5][0] == '\0')
            continue;
        char ver[32];
        snprintf(ver, sizeof(ver), "%s", f[0]);
        char *sp = strchr(ver, ' ');
        if (sp != NULL)
            *sp = '\0'; /* "24.04 LTS" */
        int hit = strcmp(t, f[2]) == 0 || (ver[0] && strcmp(t, ver) == 0);
        /* "11.5" names Debian 11. */
        if (!hit && ver[0] && strchr(ver, '.') == NULL && strncmp(t, ver, strlen(ver)) == 0 &&
            t[strlen(ver)] == '.')
            hit = 1;
        if (hit) {
            const char *e = nf >= 7 && f[6][0] ? f[6] : f[5];
            res = df_strndup(a, e, strlen(e));
            break;
        }
    }
    buf_free(&b);
    return res;
}

const char *
df_image_eol(struct df_arena *a, const struct df_image *img, const char *today, char *what,
             size_t whatsz)
{
    const char *repo = img->repo, *eol = NULL;

    if (!img->official)
        return NULL; /* only official images: others name their versions freely */
    if (img->tag[0] == '\0')
        return NULL;
    if (strcmp(repo, "debian") == 0)
        eol = distro_eol(a, "/usr/share/distro-info/debian.csv", img->tag);
    else if (strcmp(repo, "ubuntu") == 0)
        eol = distro_eol(a, "/usr/share/distro-info/ubuntu.csv", img->tag);
    else {
        const char *tag = img->tag;
        if (strcmp(repo, "centos") == 0 && strncmp(tag, "centos", 6) == 0)
            tag += 6;
        for (size_t i = 0; i < sizeof(eol_table) / sizeof(eol_table[0]); i++)
            if (strcmp(eol_table[i].repo, repo) == 0 && tag_has_version(tag, eol_table[i].version)) {
                eol = eol_table[i].eol;
                break;
            }
    }
    if (eol == NULL || strcmp(eol, today) >= 0)
        return NULL;
    snprintf(what, whatsz, "%s:%s", repo, img->tag);
    return eol;
}
