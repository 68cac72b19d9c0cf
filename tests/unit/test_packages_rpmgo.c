/* Unit tests of scanner/packages' RPM and Go readers: the RPM header blob parser and the Go
 * build info parser on blobs written here from their documented formats (rpm's header format,
 * Go's debug/buildinfo layout), every truncation and hostile count, the ELF stream search fed
 * in odd chunk sizes, the rpmdb file kinds, and RPM ecosystems, OSV names and purls. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "packages.h"

/* ---- RPM header blobs ------------------------------------------------------------------------ */

struct hb {
    unsigned char b[4096];
    size_t n;
};

static void
put32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

/* A header of `n` entries (tag, type, offset, count) over the data store `data`. */
static void
hdr_build(struct hb *h, const uint32_t (*e)[4], size_t n, const void *data, size_t dl)
{
    put32(h->b, (uint32_t)n);
    put32(h->b + 4, (uint32_t)dl);
    for (size_t i = 0; i < n; i++)
        for (int k = 0; k < 4; k++)
            put32(h->b + 8 + i * 16 + (size_t)k * 4, e[i][k]);
    memcpy(h->b + 8 + n * 16, data, dl);
    h->n = 8 + n * 16 + dl;
}

/* openssl-devel 1:3.0.7-24.el9 noarch, as rpm lays it out: strings, then the int32 epoch at a
 * 4-byte boundary; a region tag (63, BIN) first, as stored headers have. */
static const char store[] = "openssl-devel\0" "3.0.7\0" "24.el9\0" "noarch\0"
                            "openssl-3.0.7-24.el9.src.rpm\0" "AlmaLinux\0" "\0\0\0\0\0\0\0"
                            "\0\0\0\1" "\0\0\0\x3f\0\0\0\x07\xff\xff\xff\xb0\0\0\0\x10";
#define OFF_EPOCH 80
static const uint32_t good_entries[][4] = {
    {63, 7, 84, 16},   {1000, 6, 0, 1},  {1001, 6, 14, 1}, {1002, 6, 20, 1},
    {1022, 6, 27, 1},  {1044, 6, 34, 1}, {1011, 6, 63, 1}, {1003, 4, OFF_EPOCH, 1},
};

static void
test_rpm_header_good(void **state)
{
    struct hb h;
    struct pkg_rpm_hdr r;
    const char *why;
    (void)state;
    hdr_build(&h, good_entries, 8, store, sizeof(store) - 1);
    assert_int_equal(pkg_rpm_header_parse(h.b, h.n, &r, &why), 0);
    assert_string_equal(r.name, "openssl-devel");
    assert_string_equal(r.version, "3.0.7");
    assert_string_equal(r.release, "24.el9");
    assert_string_equal(r.arch, "noarch");
    assert_string_equal(r.sourcerpm, "openssl-3.0.7-24.el9.src.rpm");
    assert_string_equal(r.vendor, "AlmaLinux");
    assert_int_equal(r.epoch, 1);
}

static void
test_rpm_header_hostile(void **state)
{
    struct hb h, m;
    struct pkg_rpm_hdr r;
    const char *why;
    (void)state;
    hdr_build(&h, good_entries, 8, store, sizeof(store) - 1);
    /* every truncation fails cleanly */
    for (size_t n = 0; n < h.n; n++) {
        assert_int_equal(pkg_rpm_header_parse(h.b, n, &r, &why), -1);
        assert_non_null(why);
    }
    /* huge index count and data length: 8 + 16 * il + dl computed without wrapping */
    m = h;
    put32(m.b, 0xffffffffu);
    assert_int_equal(pkg_rpm_header_parse(m.b, m.n, &r, &why), -1);
    put32(m.b, 0x0000ffffu);
    put32(m.b + 4, 0x0fffffffu);
    assert_int_equal(pkg_rpm_header_parse(m.b, m.n, &r, &why), -1);
    put32(m.b, 0);
    assert_int_equal(pkg_rpm_header_parse(m.b, m.n, &r, &why), -1);
    /* NAME's offset past the data store; VERSION pointing at its last byte (no NUL after) */
    m = h;
    put32(m.b + 8 + 16 * 1 + 8, 0x7fffffffu);
    assert_int_equal(pkg_rpm_header_parse(m.b, m.n, &r, &why), -1);
    assert_string_equal(why, "no NAME or VERSION tag");
    m = h;
    put32(m.b + 8 + 16 * 2 + 8, (uint32_t)(sizeof(store) - 2));
    assert_int_equal(pkg_rpm_header_parse(m.b, m.n, &r, &why), -1);
    /* NAME as an int32: not a string */
    m = h;
    put32(m.b + 8 + 16 * 1 + 4, 4);
    assert_int_equal(pkg_rpm_header_parse(m.b, m.n, &r, &why), -1);
    /* an epoch misaligned or past the end is no epoch; a count of 0 no string */
    m = h;
    put32(m.b + 8 + 16 * 7 + 8, OFF_EPOCH + 1);
    assert_int_equal(pkg_rpm_header_parse(m.b, m.n, &r, &why), 0);
    assert_int_equal(r.epoch, -1);
    put32(m.b + 8 + 16 * 7 + 8, (uint32_t)(sizeof(store) - 1));
    assert_int_equal(pkg_rpm_header_parse(m.b, m.n, &r, &why), 0);
    assert_int_equal(r.epoch, -1);
    m = h;
    put32(m.b + 8 + 16 * 4 + 12, 0);
    assert_int_equal(pkg_rpm_header_parse(m.b, m.n, &r, &why), 0);
    assert_null(r.arch);
    /* every single-byte change of the index: no crash, and strings stay inside the blob */
    for (size_t i = 0; i < 8 + 8 * 16; i++) {
        m = h;
        m.b[i] ^= 0xa5;
        if (pkg_rpm_header_parse(m.b, m.n, &r, &why) == 0) {
            assert_true((const unsigned char *)r.name >= m.b &&
                        (const unsigned char *)r.name < m.b + m.n);
            assert_true((const unsigned char *)r.version + strlen(r.version) < m.b + m.n);
        }
    }
}

/* ---- Go build info --------------------------------------------------------------------------- */

struct gb {
    unsigned char b[8192];
    size_t n;
};

static size_t
put_uvarint(unsigned char *p, size_t v)
{
    size_t k = 0;
    while (v >= 0x80) {
        p[k++] = (unsigned char)(v | 0x80);
        v >>= 7;
    }
    p[k++] = (unsigned char)v;
    return k;
}

/* The Go >= 1.18 blob: magic, pointer size, flags (2: inline strings), padding to 32 bytes,
 * then the version and the modinfo, each with its uvarint length; modinfo framed by 16-byte
 * sentinels (any 16 bytes; the parser checks the '\n' 17 bytes from the end). */
static void
go_build(struct gb *g, int flags, const char *version, const char *modinfo)
{
    static const char start[17] = "0123456789abcdef", end[18] = "\nfedcba987654321";
    size_t ml = modinfo != NULL ? strlen(modinfo) + 32 : 0, vl = strlen(version);

    memset(g->b, 0, 32);
    memcpy(g->b, "\xff Go buildinf:", 14);
    g->b[14] = 8;
    g->b[15] = (unsigned char)flags;
    g->n = 32;
    g->n += put_uvarint(g->b + g->n, vl);
    memcpy(g->b + g->n, version, vl);
    g->n += vl;
    g->n += put_uvarint(g->b + g->n, ml);
    if (modinfo != NULL) {
        memcpy(g->b + g->n, start, 16);
        memcpy(g->b + g->n + 16, modinfo, strlen(modinfo));
        memcpy(g->b + g->n + 16 + strlen(modinfo), end, 16);
        g->n += ml;
    }
}

static const char modinfo[] = "path\texample.com/app/cmd/app\n"
                              "mod\texample.com/app\t(devel)\t\n"
                              "dep\tgolang.org/x/text\tv0.14.0\th1:abc=\n"
                              "dep\tgithub.com/old/name\tv1.0.0\th1:def=\n"
                              "=>\tgithub.com/new/name\tv1.2.3\th1:ghi=\n"
                              "dep\texample.com/local\tv0.1.0\n"
                              "=>\t../local\t(devel)\t\n"
                              "build\t-compiler=gc\n"
                              "build\tCGO_ENABLED=0\n";

static const struct pkg *
find(const struct pkg_list *l, const char *name)
{
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->v[i].name, name) == 0)
            return &l->v[i];
    return NULL;
}

static void
check_modules(const struct pkg_list *l, const char *stdlib)
{
    assert_int_equal(l->n, 5);
    assert_string_equal(find(l, "stdlib")->version, stdlib);
    assert_string_equal(find(l, "example.com/app")->version, "(devel)");
    assert_string_equal(find(l, "golang.org/x/text")->version, "v0.14.0");
    assert_null(find(l, "github.com/old/name"));
    assert_string_equal(find(l, "github.com/new/name")->version, "v1.2.3");
    assert_string_equal(find(l, "example.com/local")->version, "(devel)");
    for (size_t i = 0; i < l->n; i++)
        assert_int_equal(l->v[i].kind, PKG_GO);
}

static void
test_go_buildinfo(void **state)
{
    struct gb g;
    struct pkg_list l = {0};
    const char *why;
    (void)state;
    go_build(&g, 2, "go1.21.5 X:boringcrypto", modinfo);
    assert_int_equal(pkg_go_buildinfo_parse(g.b, g.n, "usr/bin/app", &l, &why), 1);
    check_modules(&l, "1.21.5");
    assert_string_equal(l.v[0].path, "usr/bin/app");
    pkg_list_free(&l);
    go_build(&g, 2, "go1.22.1-X:nocoverageredesign", NULL); /* no module info: stdlib only */
    assert_int_equal(pkg_go_buildinfo_parse(g.b, g.n, "x", &l, &why), 1);
    assert_int_equal(l.n, 1);
    assert_string_equal(l.v[0].version, "1.22.1");
    pkg_list_free(&l);
    /* a replacement without a path (found by the fuzzer: once a false out-of-memory) */
    go_build(&g, 2, "go1.21.5", "dep\texample.com/a\tv1.0.0\n=>\t\tv1.2.0\t\n");
    assert_int_equal(pkg_go_buildinfo_parse(g.b, g.n, "x", &l, &why), 1);
    assert_string_equal(find(&l, "example.com/a")->version, "v1.0.0");
    pkg_list_free(&l);
    /* before Go 1.18 (pointers, no flag 2): not read, and not an error */
    go_build(&g, 0, "go1.16", modinfo);
    assert_int_equal(pkg_go_buildinfo_parse(g.b, g.n, "x", &l, &why), 0);
    assert_int_equal(l.n, 0);
    /* every truncation: -1 with a reason, nothing added */
    go_build(&g, 2, "go1.21.5", modinfo);
    for (size_t n = 0; n < g.n; n++) {
        assert_int_equal(pkg_go_buildinfo_parse(g.b, n, "x", &l, &why), -1);
        assert_non_null(why);
        assert_int_equal(l.n, 0);
    }
    /* lengths that run past the data, and a varint over 32 bits */
    go_build(&g, 2, "go1.21.5", modinfo);
    memcpy(g.b + 32 + 1 + 8, "\xff\xff\xff\xff\x0f", 5);
    assert_int_equal(pkg_go_buildinfo_parse(g.b, g.n, "x", &l, &why), -1);
    memcpy(g.b + 32, "\xff\xff\xff\xff\xff\x01", 6);
    assert_int_equal(pkg_go_buildinfo_parse(g.b, g.n, "x", &l, &why), -1);
    assert_int_equal(l.n, 0);
}

/* ---- The stream search over an ELF file ------------------------------------------------------ */

#define ELF_SIZE (0x30000)
#define RW_OFF 0x21000 /* past the 64 KiB head */

static unsigned char *
elf_build(int decoys)
{
    unsigned char *f = calloc(1, ELF_SIZE);
    struct gb g;
    assert_non_null(f);
    memcpy(f, "\x7f" "ELF\x02\x01\x01", 7); /* 64-bit, little-endian */
    f[32] = 64;                             /* e_phoff */
    f[54] = 56;                             /* e_phentsize */
    f[56] = 2;                              /* e_phnum */
    /* a read-only segment over the head, then the writable one */
    unsigned char *ph = f + 64;
    ph[0] = 1;
    ph[4] = 5; /* R X */
    ph[32 + 2] = 0x01; /* p_filesz 0x10000 */
    ph += 56;
    ph[0] = 1;
    ph[4] = 6; /* R W */
    ph[8 + 1] = (RW_OFF >> 8) & 0xff;
    ph[8 + 2] = (RW_OFF >> 16) & 0xff;
    ph[32 + 1] = 0x80; /* p_filesz 0x8000 */
    go_build(&g, 2, "go1.21.5", modinfo);
    if (decoys) {
        memcpy(f + 0x1000, g.b, g.n);          /* in the read-only segment */
        memcpy(f + RW_OFF + 0x88, g.b, 14);    /* writable, not 16-byte aligned */
    }
    memcpy(f + RW_OFF + 0x100, g.b, g.n);
    return f;
}

static void
feed_in_chunks(const unsigned char *f, size_t n, size_t chunk, struct pkg_list *l, char *warn)
{
    struct pkg_stream *s = pkg_stream_open("usr/local/bin/app", 0755);
    assert_non_null(s);
    for (size_t at = 0; at < n; at += chunk)
        pkg_stream_feed(s, f + at, at + chunk <= n ? chunk : n - at);
    assert_int_equal(pkg_stream_close(s, l, warn, 256), 0);
}

static void
test_go_stream(void **state)
{
    static const size_t chunks[] = {1, 7, 13, 4096, 65539, ELF_SIZE};
    unsigned char *f = elf_build(1);
    struct pkg_list l = {0};
    char warn[256];
    (void)state;
    for (size_t i = 0; i < sizeof(chunks) / sizeof(chunks[0]); i++) {
        feed_in_chunks(f, ELF_SIZE, chunks[i], &l, warn);
        assert_string_equal(warn, "");
        check_modules(&l, "1.21.5");
        pkg_list_free(&l);
    }
    /* cut inside the build info: a warning, nothing listed */
    feed_in_chunks(f, RW_OFF + 0x100 + 40, 4096, &l, warn);
    assert_non_null(strstr(warn, "usr/local/bin/app: Go build info not read: truncated"));
    assert_int_equal(l.n, 0);
    /* not ELF, or program headers claiming more than the head holds: nothing, no warning */
    f[0] = '#';
    feed_in_chunks(f, ELF_SIZE, 4096, &l, warn);
    assert_int_equal(l.n, 0);
    f[0] = 0x7f;
    f[56] = 0xff;
    f[57] = 0xff;
    feed_in_chunks(f, ELF_SIZE, 4096, &l, warn);
    assert_int_equal(l.n, 0);
    assert_string_equal(warn, "");
    free(f);
    /* a file that is not executable is not streamed */
    assert_null(pkg_stream_open("usr/lib/libx.so", 0644));
}

/* ---- rpmdb files ------------------------------------------------------------------------------ */

static void
stream_bytes(const char *path, const void *d, size_t n, char *warn)
{
    struct pkg_list l = {0};
    struct pkg_stream *s = pkg_stream_open(path, 0644);
    assert_non_null(s);
    pkg_stream_feed(s, d, n);
    assert_int_equal(pkg_stream_close(s, &l, warn, 512), 0);
    assert_int_equal(l.n, 0);
}

static void
test_rpmdb_kinds(void **state)
{
    char warn[512];
    (void)state;
    stream_bytes("var/lib/rpm/Packages", "\0\0\0\0\0\0\0\0\0\0\0\0\x61\x15\x06\0xx", 18, warn);
    assert_non_null(strstr(warn, "var/lib/rpm/Packages: a Berkeley DB rpmdb, not read"));
    stream_bytes("usr/lib/sysimage/rpm/Packages.db", "RpmP\0\0\0\0", 8, warn);
    assert_non_null(strstr(warn, "an ndb rpmdb, not read"));
    stream_bytes("var/lib/rpm/Packages", "", 0, warn);
    assert_string_equal(warn, ""); /* an empty placeholder */
    stream_bytes("var/lib/rpm/rpmdb.sqlite", "", 0, warn);
    assert_string_equal(warn, "var/lib/rpm/rpmdb.sqlite: empty file, not an rpmdb: not read");
    stream_bytes("usr/share/rpm/rpmdb.sqlite", "SQLite format 2\0 and more bytes", 31, warn);
    assert_non_null(strstr(warn, "not a sqlite database"));
    assert_null(pkg_stream_open("etc/rpm/Packages", 0644));
    assert_null(pkg_stream_open("var/lib/rpm/Index.db", 0644));
}

/* ---- RPM ecosystems, OSV names, purls -------------------------------------------------------- */

static void
test_rpm_ecosystems(void **state)
{
    static const struct {
        const char *id, *ver, *eco;
    } cases[] = {
        {"almalinux", "9.3", "AlmaLinux:9"},
        {"rocky", "8.9", "Rocky Linux:8"},
        {"opensuse-leap", "15.5", "openSUSE:Leap 15.5"},
        {"opensuse-tumbleweed", "20240101", "openSUSE:Tumbleweed"},
        {"sles", "15.5", "SUSE:Linux Enterprise Server 15 SP5"},
        {"sles", "15", "SUSE:Linux Enterprise Server 15"},
        {"mageia", "9", "Mageia:9"},
        {"photon", "5.0", "Photon OS:5.0"},
        {"rhel", "9.3", NULL},
        {"fedora", "39", NULL},
        {"centos", "7", NULL},
        {"almalinux", "", NULL},
    };
    struct pkg p = {0};
    char eco[64], purl[512];
    (void)state;
    p.kind = PKG_RPM;
    p.name = "openssl-devel";
    p.version = "1:3.0.7-24.el9";
    p.source = "openssl";
    p.arch = "x86_64";
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int rc = pkg_ecosystem(&p, cases[i].id, cases[i].ver, eco, sizeof(eco));
        if (cases[i].eco == NULL) {
            assert_int_equal(rc, -1);
        } else {
            assert_int_equal(rc, 0);
            assert_string_equal(eco, cases[i].eco);
        }
    }
    assert_string_equal(pkg_osv_name(&p, "AlmaLinux:9"), "openssl-devel");
    assert_string_equal(pkg_osv_name(&p, "SUSE:Linux Enterprise Server 15 SP5"), "openssl");
    assert_string_equal(pkg_osv_name(&p, "openSUSE:Leap 15.5"), "openssl");
    assert_int_equal(pkg_purl(&p, "almalinux", "9.3", purl, sizeof(purl)), 0);
    assert_string_equal(purl, "pkg:rpm/almalinux/openssl-devel@3.0.7-24.el9"
                              "?arch=x86_64&distro=almalinux-9.3&epoch=1");
    p.version = "2.5^post1-1";
    p.arch = NULL;
    assert_int_equal(pkg_purl(&p, NULL, NULL, purl, sizeof(purl)), 0);
    assert_string_equal(purl, "pkg:rpm/openssl-devel@2.5%5Epost1-1");
    assert_int_equal(pkg_purl(&p, "almalinux", "9.3", purl, 20), -1); /* too small: no overflow */
    /* Go: a version OSV cannot order is not matched at all */
    p.kind = PKG_GO;
    p.name = "example.com/app";
    p.version = "(devel)";
    assert_int_equal(pkg_ecosystem(&p, NULL, NULL, eco, sizeof(eco)), -1);
    p.version = "v0.0.0-20230101000000-abcdefabcdef";
    assert_int_equal(pkg_ecosystem(&p, NULL, NULL, eco, sizeof(eco)), 0);
    assert_string_equal(eco, "Go");
    assert_int_equal(pkg_purl(&p, NULL, NULL, purl, sizeof(purl)), 0);
    assert_string_equal(purl, "pkg:golang/example.com/app@v0.0.0-20230101000000-abcdefabcdef");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rpm_header_good), cmocka_unit_test(test_rpm_header_hostile),
        cmocka_unit_test(test_go_buildinfo),    cmocka_unit_test(test_go_stream),
        cmocka_unit_test(test_rpmdb_kinds),     cmocka_unit_test(test_rpm_ecosystems),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
