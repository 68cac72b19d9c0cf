/* gobin: the Go build info of an executable (go version -m's data), found in the stream of an
 * ELF file's writable segments without holding the file, and read into packages: the toolchain
 * as "stdlib", the main module, every dependency, replacements applied. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "packages.h"
#include "packages_internal.h"

static const unsigned char go_magic[14] = "\xff Go buildinf:";

#define HEAD_MAX (64u << 10) /* the ELF and program headers must lie in the first 64 KiB */
#define MAX_RANGES 16

/* ---- The build info itself ----------------------------------------------------------------- */

/* An unsigned LEB128 varint; 0 on success, -1 when it runs past `len` or over 32 bits. */
static int
uvarint(const unsigned char *d, size_t len, size_t *at, uint64_t *v)
{
    uint64_t x = 0;

    for (unsigned shift = 0; shift < 35; shift += 7) {
        if (*at >= len)
            return -1;
        unsigned char c = d[(*at)++];
        x |= (uint64_t)(c & 0x7f) << shift;
        if ((c & 0x80) == 0) {
            *v = x;
            return x <= 0xffffffffu ? 0 : -1;
        }
    }
    return -1;
}

/* The bytes the inline format needs (header, two length-prefixed strings); 0 while the lengths
 * are not yet all in `len` bytes. */
static size_t
info_need(const unsigned char *d, size_t len)
{
    size_t at = 32;
    uint64_t n;

    if (len < 32)
        return 0;
    if ((d[15] & 2) == 0)
        return 32;
    if (uvarint(d, len, &at, &n) < 0)
        return 0;
    at += n;
    if (at > len || uvarint(d, len, &at, &n) < 0)
        return at > PKG_GO_INFO_MAX ? PKG_GO_INFO_MAX : 0;
    return at + n;
}

static char *
dup_field(const char *s, size_t n)
{
    return n > 0 ? strndup(s, n) : NULL;
}

/* Splits a tab-separated line into up to 4 fields; returns how many. */
static int
fields(const char *s, size_t n, const char *f[4], size_t fl[4])
{
    int k = 0;
    const char *end = s + n;

    while (k < 4) {
        const char *tab = memchr(s, '\t', (size_t)(end - s));
        f[k] = s;
        fl[k] = tab != NULL ? (size_t)(tab - s) : (size_t)(end - s);
        k++;
        if (tab == NULL)
            break;
        s = tab + 1;
    }
    return k;
}

/* "go1.21.5 X:boringcrypto" -> "1.21.5"; other forms ("devel go1.22-abc") are kept whole. */
static char *
stdlib_version(const char *v, size_t n)
{
    size_t cut = 0;

    if (n > 2 && v[0] == 'g' && v[1] == 'o' && v[2] >= '0' && v[2] <= '9') {
        v += 2;
        n -= 2;
    }
    while (cut < n && v[cut] != ' ' && !(cut + 3 <= n && memcmp(v + cut, "-X:", 3) == 0))
        cut++;
    return dup_field(v, cut);
}

static int
read_modinfo(const char *m, size_t n, const char *path, struct pkg_list *out)
{
    const char *end = m + n;
    size_t count = 0, last = (size_t)-1;
    int rc = 0;

    while (m < end && rc == 0 && count < PKG_MAX_PER_FILE) {
        const char *nl = memchr(m, '\n', (size_t)(end - m)), *f[4];
        size_t len = nl != NULL ? (size_t)(nl - m) : (size_t)(end - m), fl[4];
        int k = fields(m, len, f, fl);
        m += len + (nl != NULL);
        if (k < 3)
            continue;
        if ((fl[0] == 3 && memcmp(f[0], "mod", 3) == 0) ||
            (fl[0] == 3 && memcmp(f[0], "dep", 3) == 0)) {
            size_t before = out->n;
            rc = pkg_push(out, PKG_GO, path, dup_field(f[1], fl[1]), dup_field(f[2], fl[2]), NULL,
                          NULL);
            last = out->n > before ? out->n - 1 : (size_t)-1;
            count++;
        } else if (fl[0] == 2 && memcmp(f[0], "=>", 2) == 0 && last != (size_t)-1 && fl[1] > 0) {
            /* the line replaces the module just listed: a module path and version, or a local
             * directory with no version, whose code came from no registry: "(devel)" */
            struct pkg *p = &out->v[last];
            char *nv;
            if (fl[2] > 0 && !(fl[2] == 7 && memcmp(f[2], "(devel)", 7) == 0)) {
                char *nn = dup_field(f[1], fl[1]);
                nv = dup_field(f[2], fl[2]);
                if (nn == NULL || nv == NULL) {
                    free(nn);
                    free(nv);
                    return err_set(ERR_NOMEM, "out of memory");
                }
                free(p->name);
                p->name = nn;
            } else if ((nv = strdup("(devel)")) == NULL) {
                return err_set(ERR_NOMEM, "out of memory");
            }
            free(p->version);
            p->version = nv;
            last = (size_t)-1;
        }
    }
    return rc;
}

int
pkg_go_buildinfo_parse(const void *data, size_t len, const char *path, struct pkg_list *out,
                       const char **why)
{
    const unsigned char *d = data;
    size_t at = 32, before = out->n;
    uint64_t vl, ml;
    const char *ver, *mod;
    int rc;

    *why = NULL;
    if (len < 32 || memcmp(d, go_magic, sizeof(go_magic)) != 0) {
        *why = "truncated header";
        return -1;
    }
    if ((d[15] & 2) == 0)
        return 0; /* before Go 1.18: pointers into the data segment; not read */
    if (uvarint(d, len, &at, &vl) < 0 || vl > len - at) {
        *why = "truncated Go version string";
        return -1;
    }
    ver = (const char *)d + at;
    at += vl;
    if (uvarint(d, len, &at, &ml) < 0 || ml > len - at) {
        *why = "truncated module information";
        return -1;
    }
    mod = (const char *)d + at;
    if (vl > 0 && (rc = pkg_push(out, PKG_GO, path, strdup("stdlib"),
                                 stdlib_version(ver, (size_t)vl), NULL, NULL)) < 0)
        return rc;
    /* module information is framed by 16-byte sentinels; without them there is none */
    if (ml >= 33 && mod[ml - 17] == '\n' &&
        (rc = read_modinfo(mod + 16, (size_t)ml - 32, path, out)) < 0)
        return rc;
    return out->n > before || vl > 0 ? 1 : 0;
}

/* ---- Finding it in a streamed ELF file ----------------------------------------------------- */

enum { G_HEAD, G_SCAN, G_CAPTURE, G_DONE };

struct gobin_scan {
    int state;
    struct buf head;     /* the first HEAD_MAX bytes, until the ranges are known */
    uint64_t lo[MAX_RANGES], hi[MAX_RANGES]; /* writable PT_LOAD file ranges */
    int nranges;
    uint64_t scanned;
    unsigned char blk[16]; /* the 16-byte aligned block being filled across chunks */
    struct buf cap;       /* the build info from its magic on */
};

struct gobin_scan *
gobin_open(void)
{
    struct gobin_scan *g = calloc(1, sizeof(*g));
    if (g == NULL)
        err_set(ERR_NOMEM, "out of memory");
    return g;
}

void
gobin_free(struct gobin_scan *g)
{
    if (g == NULL)
        return;
    buf_free(&g->head);
    buf_free(&g->cap);
    free(g);
}

static uint64_t
rd(const unsigned char *p, int size, int big)
{
    uint64_t v = 0;
    for (int i = 0; i < size; i++)
        v |= (uint64_t)p[big ? size - 1 - i : i] << (8 * i);
    return v;
}

/* The ELF header and program headers from the head: the writable loadable segments' file
 * ranges. Not ELF, or headers past the head: nothing to scan. */
static void
elf_ranges(struct gobin_scan *g)
{
    const unsigned char *h = (const unsigned char *)g->head.data;
    size_t n = g->head.len;
    int is64, big;
    uint64_t phoff, phentsize, phnum;

    g->nranges = 0;
    if (n < 52 || memcmp(h, "\x7f" "ELF", 4) != 0 || (h[4] != 1 && h[4] != 2) ||
        (h[5] != 1 && h[5] != 2))
        return;
    is64 = h[4] == 2;
    big = h[5] == 2;
    if (is64 && n < 64)
        return;
    phoff = is64 ? rd(h + 32, 8, big) : rd(h + 28, 4, big);
    phentsize = rd(h + (is64 ? 54 : 42), 2, big);
    phnum = rd(h + (is64 ? 56 : 44), 2, big);
    if (phentsize < (is64 ? 56u : 32u) || phoff > n || phnum > (n - phoff) / phentsize)
        return;
    for (uint64_t i = 0; i < phnum && g->nranges < MAX_RANGES; i++) {
        const unsigned char *p = h + phoff + i * phentsize;
        uint64_t type = rd(p, 4, big), flags = rd(p + (is64 ? 4 : 24), 4, big);
        uint64_t off = is64 ? rd(p + 8, 8, big) : rd(p + 4, 4, big);
        uint64_t filesz = is64 ? rd(p + 32, 8, big) : rd(p + 16, 4, big);
        if (type != 1 /* PT_LOAD */ || (flags & 2 /* PF_W */) == 0 || filesz == 0 ||
            off > UINT64_MAX - filesz)
            continue;
        g->lo[g->nranges] = off;
        g->hi[g->nranges++] = off + filesz;
    }
}

/* The first range start at or after `at`, or `at` itself when inside a range; UINT64_MAX when
 * none is left. */
static uint64_t
next_in_range(const struct gobin_scan *g, uint64_t at)
{
    uint64_t best = UINT64_MAX;
    for (int r = 0; r < g->nranges; r++) {
        if (at >= g->lo[r] && at < g->hi[r])
            return at;
        if (g->lo[r] > at && g->lo[r] < best)
            best = g->lo[r];
    }
    return best;
}

static void
capture(struct gobin_scan *g, const unsigned char *d, size_t n)
{
    size_t room = PKG_GO_INFO_MAX - g->cap.len, need;

    if (n > room)
        n = room;
    if (buf_append(&g->cap, d, n) < 0) {
        g->state = G_DONE;
        return;
    }
    need = info_need((const unsigned char *)g->cap.data, g->cap.len);
    if (g->cap.len >= PKG_GO_INFO_MAX || (need > 0 && g->cap.len >= need))
        g->state = G_DONE;
}

static void
scan(struct gobin_scan *g, uint64_t pos, const unsigned char *d, size_t n)
{
    size_t i = 0;

    while (i < n && g->state == G_SCAN) {
        uint64_t at = pos + i, k = at % 16;
        if (k == 0) {
            uint64_t next = next_in_range(g, at);
            if (next != at) { /* skip to the next writable range, on a 16-byte boundary */
                if (next == UINT64_MAX) {
                    g->state = G_DONE;
                    return;
                }
                next = (next + 15) & ~(uint64_t)15;
                if (next - pos >= n)
                    return;
                i = (size_t)(next - pos);
                continue;
            }
            if (g->scanned >= PKG_ELF_SCAN_MAX) {
                g->state = G_DONE;
                return;
            }
            g->scanned += 16;
            if (n - i >= 16) {
                if (d[i] == 0xff && memcmp(d + i, go_magic, sizeof(go_magic)) == 0) {
                    g->state = G_CAPTURE;
                    capture(g, d + i, n - i);
                    return;
                }
                i += 16;
                continue;
            }
        }
        /* a block split between chunks: gather it */
        size_t take = (size_t)(16 - k) < n - i ? (size_t)(16 - k) : n - i;
        memcpy(g->blk + k, d + i, take);
        i += take;
        if (k + take == 16 && next_in_range(g, at - k) == at - k &&
            memcmp(g->blk, go_magic, sizeof(go_magic)) == 0) {
            g->state = G_CAPTURE;
            capture(g, g->blk, 16);
            if (g->state == G_CAPTURE)
                capture(g, d + i, n - i);
            return;
        }
    }
}

void
gobin_feed(struct gobin_scan *g, unsigned long long pos, const unsigned char *d, size_t n)
{
    if (g->state == G_HEAD) {
        size_t take = HEAD_MAX - g->head.len < n ? HEAD_MAX - g->head.len : n;
        if (buf_append(&g->head, d, take) < 0) {
            g->state = G_DONE;
            return;
        }
        if (g->head.len >= 4 && memcmp(g->head.data, "\x7f" "ELF", 4) != 0) {
            g->state = G_DONE; /* not an ELF file: nothing more to look at */
            return;
        }
        if (g->head.len < HEAD_MAX)
            return;
        elf_ranges(g);
        g->state = G_SCAN;
        scan(g, 0, (const unsigned char *)g->head.data, g->head.len);
        if (n > take && g->state == G_SCAN)
            scan(g, pos + take, d + take, n - take);
        else if (n > take && g->state == G_CAPTURE)
            capture(g, d + take, n - take);
        return;
    }
    if (g->state == G_SCAN)
        scan(g, pos, d, n);
    else if (g->state == G_CAPTURE)
        capture(g, d, n);
}

int
gobin_close(struct gobin_scan *g, const char *path, struct pkg_list *out, char *warn,
            size_t warnsz)
{
    const char *why;
    int rc = 0;

    if (g->state == G_HEAD && g->head.len >= 4 &&
        memcmp(g->head.data, "\x7f" "ELF", 4) == 0) { /* a file smaller than the head */
        elf_ranges(g);
        g->state = G_SCAN;
        scan(g, 0, (const unsigned char *)g->head.data, g->head.len);
    }
    if (g->cap.len > 0 &&
        (rc = pkg_go_buildinfo_parse(g->cap.data, g->cap.len, path, out, &why)) < 0) {
        if (rc == ERR_NOMEM)
            return rc;
        (void)str_format(warn, warnsz, "%s: Go build info not read: %s", path, why);
        rc = 0;
    }
    return rc < 0 ? rc : 0;
}
