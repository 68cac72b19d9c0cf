/* Unit tests of scanner/packages: every version order against the test vectors its reference
 * implementation publishes (dpkg, apk-tools, rpm, pypa/packaging, semver.org), hostile version
 * strings, the ecosystem → order table, and the OSV index (same matches as reading every record;
 * a damaged, truncated or foreign index refused). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <cjson/cJSON.h>

#include "db_index.h"
#include "helper.h"
#include "packages.h"
#include "packages_internal.h"

struct vec {
    const char *a, *b;
    int want;
};

static void
check(enum pkg_order o, const char *name, const struct vec *v, size_t n)
{
    size_t bad = 0;
    for (size_t i = 0; i < n; i++) {
        int got = 99, back = 99;
        if (pkgver_cmp(o, v[i].a, v[i].b, &got) < 0 || pkgver_cmp(o, v[i].b, v[i].a, &back) < 0) {
            print_message("%s: %s vs %s: not parsed\n", name, v[i].a, v[i].b);
            bad++;
            continue;
        }
        if (got != v[i].want || back != -v[i].want) {
            print_message("%s: %s vs %s: got %d (reverse %d), want %d\n", name, v[i].a, v[i].b,
                          got, back, v[i].want);
            bad++;
        }
    }
    print_message("%s: %zu of %zu vectors right\n", name, n - bad, n);
    assert_int_equal(bad, 0);
}

/* dpkg's own test vectors (scripts/t/Dpkg_Version.t). */
static void
test_dpkg_order(void **state)
{
    static const struct vec v[] = {
        {"1.0-1", "2.0-2", -1}, {"2.2~rc-4", "2.2-1", -1}, {"2.2-1", "2.2~rc-4", 1},
        {"1.0000-1", "1.0-1", 0}, {"1", "0:1", 0}, {"0", "0:0-0", 0}, {"2:2.5", "1:7.5", 1},
        {"1:0foo", "0foo", 1}, {"0:0foo", "0foo", 0}, {"0foo", "0foo", 0}, {"0foo-0", "0foo", 0},
        {"0foo", "0foo-0", 0}, {"0foo", "0fo", 1}, {"0foo-0", "0foo+", -1}, {"0foo~1", "0foo", -1},
        {"0foo~foo+Bar", "0foo~foo+bar", -1}, {"0foo~~", "0foo~", -1}, {"1~", "1", -1},
        {"12345+that-really-is-some-ver-0", "12345+that-really-is-some-ver-10", -1},
        {"0foo-0", "0foo-01", -1}, {"0foo.bar", "0foobar", 1}, {"0foo.bar", "0foo1bar", 1},
        {"0foo.bar", "0foo0bar", 1}, {"0foo1bar-1", "0foobar-1", -1}, {"0foo2.0", "0foo2", 1},
        {"0foo2.0.0", "0foo2.10.0", -1}, {"0foo2.0", "0foo2.0.0", -1}, {"0foo2.0", "0foo2.10", -1},
        {"0foo2.1", "0foo2.10", -1}, {"1.09", "1.9", 0}, {"1.0.8+nmu1", "1.0.8", 1},
        {"3.11", "3.10+nmu1", 1}, {"0.9j-20080306-4", "0.9i-20070324-2", 1},
        {"1.2.0~b7-1", "1.2.0~b6-1", 1}, {"1.011-1", "1.06-2", 1},
        {"0.0.9+dfsg1-1", "0.0.8+dfsg1-3", 1}, {"4.6.99+svn6582-1", "4.6.99+svn6496-1", 1},
        {"53", "52", 1}, {"0.9.9~pre122-1", "0.9.9~pre111-1", 1},
        {"2:2.3.2-2+lenny2", "2:2.3.2-2", 1}, {"1:3.8.1-1", "3.8.GA-1", 1},
        {"1.0.1+gpl-1", "1.0.1-2", 1}, {"1a", "1000a", -1},
        /* Debian security fixes as they appear in OSV records */
        {"1.1.1n-0+deb11u5", "1.1.1n-0+deb11u4", 1}, {"3.0.11-1~deb12u2", "3.0.11-1", -1},
    };
    (void)state;
    check(ORDER_DPKG, "dpkg", v, sizeof(v) / sizeof(v[0]));
}

static void
test_dpkg_invalid(void **state)
{
    static const char *const bad[] = {"", "0:", ":1.0", "1.0-", "-1:0-1", "a:0-0",
                                      "99999999999999999999:1", "1.0 2", "1.0-1$"};
    int c;
    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(pkgver_dpkg_cmp(bad[i], "1.0", &c), -1);
}

/* apk-tools' test/unit/version.data (a selection). */
static void
test_apk_order(void **state)
{
    static const struct vec v[] = {
        {"2.34", "0.1.0_alpha", 1}, {"0.1.0_alpha2", "0.1.0_alpha", 1}, {"1.1", "1.1_alpha1", 1},
        {"1.0.4-r3", "1.0.4-r4", -1}, {"1.2.1", "1.2", 1}, {"0.12.3", "0.12", 1},
        {"2.3.0b-r1", "2.3.0b-r2", -1}, {"3.1_p16", "3.1_p17", -1}, {"4.5_p1-r1", "4.5_p1", 1},
        {"1.8.5", "1.8.5_p2", -1}, {"0.10.0", "0.10.1_rc1", -1}, {"2.1_pre20", "2.1_pre26", -1},
        {"1.3_pre1-r1", "1.3.2", -1}, {"1.0_p10-r0", "1.0_p9-r0", 1},
        {"0.1.0_alpha_pre2", "0.1.0_alpha", -1}, {"6.0_pre1", "6.0", -1}, {"6.0_p1", "6.0", 1},
        {"8.2.0", "8.2.001", -1}, {"8.2.0015", "8.2.002", -1}, {"1.0~1234", "1.0~2345", -1},
        {"1.0~1234-r1", "1.0~1234-r0", 1}, {"3.0.8-r0", "3.0.10-r0", -1},
        {"1.2.3-r0", "1.2.3-r0", 0},
    };
    (void)state;
    check(ORDER_APK, "apk", v, sizeof(v) / sizeof(v[0]));
}

static void
test_apk_validity(void **state)
{
    static const char *const good[] = {"1.2", "0.1_pre2", "0.1_pre2~1234abcd", "0.1_p1_pre2",
                                       "0.1_git20240101_pre1"};
    static const char *const bad[] = {"0.1bc", "0.1a1", "0.1a.1", "0.1_foobar", "0.1-pre1.1",
                                      "0.1-r", "0.1-r2_pre1", "0.1-r2-r3", ".1", "a", "_pre1",
                                      "-r1", "0.1_", "0.1__alpha", ""};
    (void)state;
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
        if (!pkgver_apk_valid(good[i]))
            fail_msg("apk: %s should be valid", good[i]);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        if (pkgver_apk_valid(bad[i]))
            fail_msg("apk: %s should be invalid", bad[i]);
}

/* rpm's tests/rpmvercmp.at. */
static void
test_rpmvercmp(void **state)
{
    static const struct vec v[] = {
        {"1.0", "2.0", -1}, {"2.0.1", "2.0", 1}, {"2.0.1a", "2.0.1", 1}, {"5.5p1", "5.5p10", -1},
        {"10xyz", "10.1xyz", -1}, {"xyz.4", "8", -1}, {"8", "xyz.4", 1}, {"6.0.rc1", "6.0", 1},
        {"10b2", "10a1", 1}, {"1.0a", "1.0aa", -1}, {"10.0001", "10.1", 0},
        {"10.0001", "10.0039", -1}, {"4.999.9", "5.0", -1}, {"2_0", "2.0", 0}, {"a+", "a_", 0},
        {"+_", "_+", 0}, {"1.0~rc1", "1.0", -1}, {"1.0~rc1", "1.0~rc2", -1},
        {"1.0~rc1~git123", "1.0~rc1", -1}, {"1.0^", "1.0", 1}, {"1.0^git1", "1.0^git2", -1},
    };
    size_t bad = 0;
    (void)state;
    for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        int got = pkgver_rpmvercmp(v[i].a, v[i].b), back = pkgver_rpmvercmp(v[i].b, v[i].a);
        if (got != v[i].want || back != -v[i].want) {
            print_message("rpm: %s vs %s: got %d/%d, want %d\n", v[i].a, v[i].b, got, back,
                          v[i].want);
            bad++;
        }
    }
    assert_int_equal(bad, 0);
}

static void
test_rpm_evr(void **state)
{
    static const struct vec v[] = {
        {"1:1.0-1", "2.0-1", 1}, {"0:1.0-1.el8", "1.0-2.el8", -1},
        {"3.0.7-27.el9", "3.0.7-24.el9", 1}, {"1.2.3", "1.2.3-5", 0},
    };
    (void)state;
    check(ORDER_RPM, "rpm", v, sizeof(v) / sizeof(v[0]));
}

/* pypa/packaging's ordered VERSIONS list (tests/test_version.py): each sorts before the next. */
static void
test_pep440_order(void **state)
{
    static const char *const chain[] = {
        "1.0.dev0", "1.0.dev456", "1.0.dev456+local", "1.0a0", "1.0a0.post0.dev0", "1.0a0.post0",
        "1.0a1.dev1", "1.0a1", "1.0a1+local", "1.0b0", "1.0b1.dev456", "1.0b2",
        "1.0b2.post345.dev456", "1.0b2.post345", "1.0b2-346", "1.0rc0", "1.0rc1.dev1", "1.0c1",
        "1.0rc2", "1.0", "1.0.post0.dev0", "1.0.post0", "1.0.post456.dev34", "1.0.post456",
        "1.0.post456+local", "1.0.1.dev1", "1.0.1a1", "1.0.1", "1.0.1+local", "1.0.1.post1",
        "1.1.dev1", "1.2+a", "1.2+abc", "1.2+abcdef", "1.2+def", "1.2+0", "1.2+1", "1.2+1.abc",
        "1.2+1.1", "1.2+1.1.0", "1.2+2", "1.2+123", "1.2+123456", "1.2.r32+123456",
        "1.2.rev33+123456", "1!1.0.dev0",
    };
    static const struct vec eq[] = {
        {"1.0rc1", "1.0c1", 0}, {"1.0", "1.0.0", 0}, {"1.0RC1", "1.0rc1", 0}, {"v1.0", "1.0", 0},
        {"1.0alpha1", "1.0a1", 0}, {"1.0-1", "1.0.post1", 0}, {"1.01", "1.1", 0},
        {"2.0", "10.0", -1},
    };
    size_t n = sizeof(chain) / sizeof(chain[0]), bad = 0;
    (void)state;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++) {
            int c = 99;
            if (pkgver_pep440_cmp(chain[i], chain[j], &c) < 0 ||
                c != ((i > j) - (i < j))) {
                print_message("pep440: %s vs %s: got %d\n", chain[i], chain[j], c);
                bad++;
            }
        }
    print_message("pep440: %zu pairs of the ordered list, %zu wrong\n", n * n, bad);
    assert_int_equal(bad, 0);
    check(ORDER_PEP440, "pep440", eq, sizeof(eq) / sizeof(eq[0]));
}

static void
test_semver_order(void **state)
{
    static const char *const chain[] = {"1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta",
                                        "1.0.0-beta", "1.0.0-beta.2", "1.0.0-beta.11",
                                        "1.0.0-rc.1", "1.0.0", "1.26.0-0", "1.26.0",
                                        "2.0.0", "10.0.0"};
    static const struct vec eq[] = {
        {"v1.2.3", "1.2.3", 0}, {"1.2.3+build.5", "1.2.3", 0}, {"go1.21.5", "1.21.5", 0},
        {"1.2", "1.2.0", 0}, {"99999999999999999999999.0.0", "1.0.0", 1},
    };
    size_t n = sizeof(chain) / sizeof(chain[0]), bad = 0;
    (void)state;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++) {
            int c = 99;
            if (pkgver_semver_cmp(chain[i], chain[j], &c) < 0 || c != ((i > j) - (i < j))) {
                print_message("semver: %s vs %s: got %d\n", chain[i], chain[j], c);
                bad++;
            }
        }
    assert_int_equal(bad, 0);
    check(ORDER_SEMVER, "semver", eq, sizeof(eq) / sizeof(eq[0]));
}

/* Strings that break naive comparators: huge numbers, long runs, odd bytes. None may crash or
 * read past the end; every scheme either orders them or refuses them. */
static void
test_hostile_versions(void **state)
{
    char longnum[5000], longalpha[5000];
    const char *samples[] = {longnum, longalpha, "1.", ".", "~", "1~~~~~~~", "1:", "::", "\xff\xfe",
                             "1.0-r99999999999999999999", "0!0!0", "1.0+", "1.0-", "1..2",
                             "1.2.3-", "1.2.3+", "v", "go"};
    (void)state;
    memset(longnum, '9', sizeof(longnum) - 1);
    longnum[sizeof(longnum) - 1] = '\0';
    memset(longalpha, 'z', sizeof(longalpha) - 1);
    longalpha[0] = '1';
    longalpha[sizeof(longalpha) - 1] = '\0';
    for (int o = ORDER_DPKG; o <= ORDER_SEMVER; o++)
        for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
            int c = 0;
            if (pkgver_cmp((enum pkg_order)o, samples[i], "1.0", &c) == 0)
                assert_true(c >= -1 && c <= 1);
        }
}

static void
test_ecosystem_orders(void **state)
{
    (void)state;
    assert_int_equal(pkgver_order_of("Debian:12"), ORDER_DPKG);
    assert_int_equal(pkgver_order_of("Ubuntu:22.04:LTS"), ORDER_DPKG);
    assert_int_equal(pkgver_order_of("Alpine:v3.19"), ORDER_APK);
    assert_int_equal(pkgver_order_of("PyPI"), ORDER_PEP440);
    assert_int_equal(pkgver_order_of("npm"), ORDER_SEMVER);
    assert_int_equal(pkgver_order_of("Go"), ORDER_SEMVER);
    assert_int_equal(pkgver_order_of("Rocky Linux:9"), ORDER_RPM);
    assert_int_equal(pkgver_order_of("Maven"), -1);
    assert_int_equal(pkgver_order_of(""), -1);
}


static const struct pkg *
find_pkg(const struct pkg_list *l, const char *name)
{
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->v[i].name, name) == 0)
            return &l->v[i];
    return NULL;
}

static void
test_dpkg_status(void **state)
{
    static const char st[] =
        "Package: libcurl4\nStatus: install ok installed\nVersion: 7.88.1-10+deb12u3\n"
        "Source: curl\nDescription: x\n continuation: Version: 1.0\n\n"
        "Package: gone\nStatus: deinstall ok config-files\nVersion: 1.0\n\n"
        "Package: binnmu\nStatus: install ok installed\nVersion: 1.2-3+b1\n"
        "Source: binsrc (1.2-3)\n\n"
        "Package: noversion\nStatus: install ok installed\n\n"
        "garbage line without colon\n\xff\xfe\n\n"
        "Package: last\r\nVersion: 2\r\n";
    struct pkg_list l = {0};
    const struct pkg *p;
    (void)state;
    assert_int_equal(pkg_inventory_wants("var/lib/dpkg/status"), 'd');
    assert_int_equal(pkg_inventory_wants("var/lib/dpkg/status.d/base"), 'd');
    assert_int_equal(pkg_inventory_wants("var/lib/dpkg/status.d/base.md5sums"), 0);
    assert_int_equal(pkg_inventory_parse("var/lib/dpkg/status", st, sizeof(st) - 1, &l), 0);
    assert_non_null(p = find_pkg(&l, "libcurl4"));
    assert_string_equal(p->version, "7.88.1-10+deb12u3");
    assert_string_equal(p->source, "curl");
    assert_null(find_pkg(&l, "gone"));
    assert_null(find_pkg(&l, "noversion"));
    assert_non_null(p = find_pkg(&l, "binnmu"));
    assert_string_equal(p->source, "binsrc");
    assert_string_equal(p->source_version, "1.2-3");
    assert_non_null(p = find_pkg(&l, "last"));
    assert_string_equal(p->version, "2");
    pkg_list_free(&l);
}

static void
test_apk_python_npm(void **state)
{
    static const char apk[] = "P:musl\nV:1.2.4-r4\no:musl\n\nP:libssl3\nV:3.1.4-r0\no:openssl\n"
                              "\nP:only-name\n\nV:only-version\n";
    static const char meta[] = "Metadata-Version: 2.1\nName: Requests\nVersion: 2.28.1\n\n"
                               "Version: 9.9.9\n";
    static const char pj[] = "{\"dependencies\": {\"version\": \"9\"}, \"name\": \"@scope/x\","
                             " \"version\": \"1.0.0-rc.1\", \"v\": \"\\\"\"}";
    struct pkg_list l = {0};
    const struct pkg *p;
    (void)state;
    assert_int_equal(pkg_inventory_parse("lib/apk/db/installed", apk, sizeof(apk) - 1, &l), 0);
    assert_int_equal(l.n, 2);
    assert_string_equal(find_pkg(&l, "libssl3")->source, "openssl");
    assert_int_equal(pkg_inventory_wants("usr/lib/python3/site-packages/x-1.dist-info/METADATA"),
                     'p');
    assert_int_equal(pkg_inventory_parse("a/site-packages/requests-2.28.1.dist-info/METADATA",
                                         meta, sizeof(meta) - 1, &l),
                     0);
    assert_string_equal(find_pkg(&l, "Requests")->version, "2.28.1");
    assert_int_equal(pkg_inventory_wants("app/node_modules/@scope/x/package.json"), 'n');
    assert_int_equal(pkg_inventory_wants("app/node_modules/x/lib/package.json"), 0);
    assert_int_equal(pkg_inventory_wants("app/package.json"), 0);
    assert_int_equal(pkg_inventory_parse("app/node_modules/@scope/x/package.json", pj,
                                         sizeof(pj) - 1, &l),
                     0);
    assert_non_null(p = find_pkg(&l, "@scope/x"));
    assert_string_equal(p->version, "1.0.0-rc.1");
    pkg_list_free(&l);
}

/* A huge status file is read in linear time and its count is bounded. */
static void
test_inventory_bounds(void **state)
{
    size_t n = 300000, len = 0;
    char *big = malloc(n * 64);
    struct pkg_list l = {0};
    (void)state;
    assert_non_null(big);
    for (size_t i = 0; i < n; i++)
        len += (size_t)sprintf(big + len, "Package: p%zu\nVersion: 1.%zu\n\n", i, i);
    assert_int_equal(pkg_inventory_parse("var/lib/dpkg/status", big, len, &l), 0);
    assert_int_equal(l.n, PKG_MAX_PER_FILE);
    pkg_list_free(&l);
    free(big);
}

static void
test_purls(void **state)
{
    struct pkg deb = {PKG_DEB, "libcurl4", "1:7.88.1-10+deb12u3", "curl", NULL, "x", 0};
    struct pkg npm = {PKG_NPM, "@babel/core", "7.0.0", NULL, NULL, "x", 0};
    struct pkg py = {PKG_PYPI, "Foo_Bar.baz", "1.0", NULL, NULL, "x", 0};
    char out[256], eco[64];
    (void)state;
    assert_int_equal(pkg_purl(&deb, "debian", "12", out, sizeof(out)), 0);
    assert_string_equal(out, "pkg:deb/debian/libcurl4@1%3A7.88.1-10%2Bdeb12u3?distro=debian-12");
    assert_int_equal(pkg_purl(&npm, NULL, NULL, out, sizeof(out)), 0);
    assert_string_equal(out, "pkg:npm/%40babel/core@7.0.0");
    assert_int_equal(pkg_purl(&py, NULL, NULL, out, sizeof(out)), 0);
    assert_string_equal(out, "pkg:pypi/foo-bar-baz@1.0");
    assert_int_equal(pkg_ecosystem(&deb, "ubuntu", "22.04", eco, sizeof(eco)), 0);
    assert_string_equal(eco, "Ubuntu:22.04:LTS");
    assert_int_equal(pkg_ecosystem(&deb, "ubuntu", "23.10", eco, sizeof(eco)), 0);
    assert_string_equal(eco, "Ubuntu:23.10");
    deb.kind = PKG_APK;
    assert_int_equal(pkg_ecosystem(&deb, "alpine", "3.19.1", eco, sizeof(eco)), 0);
    assert_string_equal(eco, "Alpine:v3.19");
    assert_int_equal(pkg_ecosystem(&deb, "debian", "12", eco, sizeof(eco)), -1);
}

/* CVSS v3 base scores of vectors whose scores FIRST's calculator gives. */
static void
test_cvss3(void **state)
{
    (void)state;
    assert_true(osv_cvss3_score("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H") == 9.8);
    assert_true(osv_cvss3_score("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H") == 10.0);
    assert_true(osv_cvss3_score("CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N") == 6.1);
    assert_true(osv_cvss3_score("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N") == 7.5);
    assert_true(osv_cvss3_score("CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H") == 7.8);
    assert_true(osv_cvss3_score("CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N") == 0.0);
    assert_true(osv_cvss3_score("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H") < 0);
    assert_true(osv_cvss3_score("CVSS:3.1/AV:X/AC:L") < 0);
    assert_true(osv_cvss3_score("") < 0);
}

static void
test_osv_evaluation(void **state)
{
    static const char rec[] =
        "{\"id\":\"T-1\",\"affected\":[{\"package\":{\"ecosystem\":\"PyPI\",\"name\":\"Foo.Bar\"},"
        "\"ranges\":[{\"type\":\"ECOSYSTEM\",\"events\":[{\"fixed\":\"2.0\"},{\"introduced\":\"1.0\"},"
        "{\"introduced\":\"3.0\"},{\"last_affected\":\"3.2\"}]},"
        "{\"type\":\"GIT\",\"repo\":\"x\",\"events\":[{\"introduced\":\"0\"}]}],"
        "\"versions\":[\"0.5\"]},"
        "{\"package\":{\"ecosystem\":\"Debian:12\",\"name\":\"src\"},\"ranges\":[{\"type\":"
        "\"ECOSYSTEM\",\"events\":[{\"introduced\":\"0\"},{\"limit\":\"5.0\"}]}]}]}";
    static const struct {
        const char *eco, *name, *version;
        int affected;
        const char *fixed;
    } cases[] = {
        {"PyPI", "foo-bar", "0.5", 1, ""},     {"PyPI", "foo_bar", "0.9", 0, ""},
        {"PyPI", "foo-bar", "1.0", 1, "2.0"},  {"PyPI", "foo-bar", "1.9.9", 1, "2.0"},
        {"PyPI", "foo-bar", "2.0", 0, ""},     {"PyPI", "foo-bar", "3.2", 1, ""},
        {"PyPI", "foo-bar", "3.2.1", 0, ""},   {"PyPI", "other", "1.5", 0, ""},
        {"Debian:12", "src", "4.9", 1, ""},    {"Debian:12", "src", "5.0", 0, ""},
        {"Debian:11", "src", "1.0", 0, ""},
    };
    cJSON *j = cJSON_Parse(rec);
    (void)state;
    assert_non_null(j);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct osv_verdict v;
        assert_int_equal(osv_evaluate(j, cases[i].eco, cases[i].name, cases[i].version, &v), 0);
        if (v.affected != cases[i].affected || strcmp(v.fixed, cases[i].fixed) != 0)
            fail_msg("%s %s %s: affected %d fixed '%s', want %d '%s'", cases[i].eco,
                     cases[i].name, cases[i].version, v.affected, v.fixed, cases[i].affected,
                     cases[i].fixed);
    }
    {
        struct osv_verdict v;
        assert_int_equal(osv_evaluate(j, "Maven", "x", "1", &v), -1);
    }
    cJSON_Delete(j);
}

/* ---- The OSV index ---------------------------------------------------------------------------- */
static const char *const idx_records[][2] = {
    {"a.json", "{\"id\":\"GHSA-aaaa\",\"aliases\":[\"CVE-1\",\"PYSEC-1\"],\"summary\":\"first\","
               "\"details\":\"long text\",\"references\":[{\"url\":\"x\"}],"
               "\"severity\":[{\"type\":\"CVSS_V3\",\"score\":\"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H\"}],"
               "\"affected\":[{\"package\":{\"ecosystem\":\"PyPI\",\"name\":\"Foo.Bar\"},"
               "\"ranges\":[{\"type\":\"ECOSYSTEM\",\"events\":[{\"introduced\":\"0\"},{\"fixed\":\"2.0\"}]},"
               "{\"type\":\"GIT\",\"repo\":\"r\",\"events\":[{\"introduced\":\"abc\"}]}]}]}"},
    /* the same vulnerability under another id: one match */
    {"b.json", "{\"id\":\"PYSEC-1\",\"aliases\":[\"GHSA-aaaa\"],\"affected\":[{\"package\":"
               "{\"ecosystem\":\"PyPI\",\"name\":\"foo_bar\"},\"versions\":[\"1.0\"]}]}"},
    {"c.json", "{\"id\":\"DEBIAN-CVE-2\",\"affected\":[{\"package\":{\"ecosystem\":\"Debian:12\","
               "\"name\":\"Curl\"},\"ranges\":[{\"type\":\"ECOSYSTEM\",\"events\":[{\"introduced\":"
               "\"0\"},{\"fixed\":\"7.88.1-10+deb12u4\"}]}],\"ecosystem_specific\":{\"urgency\":\"high\"}},"
               "{\"package\":{\"ecosystem\":\"Debian\",\"name\":\"curl\"},\"versions\":[\"7.88.1-10+deb12u3\"]}]}"},
    {"d.json", "{\"id\":\"W-1\",\"withdrawn\":\"2024-01-01\",\"affected\":[{\"package\":"
               "{\"ecosystem\":\"npm\",\"name\":\"minimist\"},\"versions\":[\"1.2.5\"]}]}"},
    {"e.json", "{\"id\":\"GHSA-mmmm\",\"database_specific\":{\"severity\":\"CRITICAL\"},"
               "\"affected\":{\"x\":{\"package\":{\"ecosystem\":\"npm\",\"name\":\"minimist\"},"
               "\"ranges\":[{\"type\":\"SEMVER\",\"events\":[{\"introduced\":\"0\",\"fixed\":\"1.2.6\"}]}]}}}"},
    /* a summary too long to show, then a second one: neither is shown (the first key wins) */
    {"h.json", "{\"id\":\"GHSA-ssss\",\"summary\":\"@LONG@\",\"summary\":\"second\","
               "\"affected\":[{\"package\":{\"ecosystem\":\"npm\",\"name\":\"minimist\"},"
               "\"versions\":[\"1.2.5\"]}]}"},
    {"f.json", "{not json"},
    {"g.json", "{\"id\":7}"},
};

static void
idx_fill(const char *dir)
{
    for (size_t i = 0; i < sizeof(idx_records) / sizeof(idx_records[0]); i++) {
        char path[512];
        FILE *f;
        snprintf(path, sizeof(path), "%s/%s", dir, idx_records[i][0]);
        const char *t = idx_records[i][1], *at = strstr(t, "@LONG@");
        assert_non_null(f = fopen(path, "w"));
        if (at != NULL) {
            fwrite(t, 1, (size_t)(at - t), f);
            for (int k = 0; k < 600; k++)
                fputc('x', f);
            fputs(at + 6, f);
        } else {
            fputs(t, f);
        }
        fclose(f);
    }
}

static void
idx_pkgs(struct pkg_list *l)
{
    static struct pkg v[] = {
        {PKG_PYPI, "foo-bar", "1.0", NULL, NULL, "m", 0},
        {PKG_DEB, "libcurl4", "7.88.1-10+deb12u3", "curl", NULL, "s", 0},
        {PKG_NPM, "minimist", "1.2.5", NULL, NULL, "p", 0},
        {PKG_DEB, "curl", "7.88.1-10+deb12u4", NULL, NULL, "s", 0},
        /* a binary whose own version is not its source's: matched by the source version */
        {PKG_DEB, "curl-tools", "8.0.0-1", "curl", "7.88.1-10+deb12u3", "s", 0},
    };
    l->v = v;
    l->n = l->cap = sizeof(v) / sizeof(v[0]);
}

static void
match_with(const char *dir, const char *no_index, struct pkg_matches *m, struct osv_db_stats *st)
{
    struct pkg_list l;
    idx_pkgs(&l);
    if (no_index != NULL)
        setenv("SCANNER_OSV_NO_INDEX", no_index, 1);
    else
        unsetenv("SCANNER_OSV_NO_INDEX");
    memset(m, 0, sizeof(*m));
    assert_int_equal(osv_db_match(dir, &l, "debian", "12", m, st), 0);
    unsetenv("SCANNER_OSV_NO_INDEX");
}

static void
same_matches(const struct pkg_matches *a, const struct pkg_matches *b)
{
    assert_int_equal(a->n, b->n);
    for (size_t i = 0; i < a->n; i++) {
        assert_int_equal(a->v[i].pkg, b->v[i].pkg);
        assert_string_equal(a->v[i].id, b->v[i].id);
        assert_string_equal(a->v[i].fixed, b->v[i].fixed);
        assert_string_equal(a->v[i].ecosystem, b->v[i].ecosystem);
        assert_int_equal(a->v[i].severity, b->v[i].severity);
        assert_true(a->v[i].score == b->v[i].score);
        assert_true((a->v[i].aliases == NULL) == (b->v[i].aliases == NULL));
        if (a->v[i].aliases != NULL)
            assert_string_equal(a->v[i].aliases, b->v[i].aliases);
        assert_true((a->v[i].summary == NULL) == (b->v[i].summary == NULL));
        if (a->v[i].summary != NULL)
            assert_string_equal(a->v[i].summary, b->v[i].summary);
    }
}

static void
test_index_same_matches(void **state)
{
    char dir[256], path[300];
    struct pkg_matches walk, cold, warm;
    struct osv_db_stats s1, s2, s3;
    (void)state;
    assert_int_equal(test_mkdtemp(dir, sizeof(dir), "pkgidx"), 0);
    idx_fill(dir);
    match_with(dir, "1", &walk, &s1);
    snprintf(path, sizeof(path), "%s/.index-v1", dir);
    assert_int_not_equal(access(path, F_OK), 0); /* SCANNER_OSV_NO_INDEX: none written */
    match_with(dir, NULL, &cold, &s2);
    assert_int_equal(access(path, F_OK), 0);
    match_with(dir, NULL, &warm, &s3);
    /* foo-bar once (GHSA-aaaa, not its alias PYSEC-1), libcurl4 by its source, minimist by the
     * object-shaped affected list and not by the withdrawn record; curl deb12u4 is fixed;
     * curl-tools by its source version */
    assert_int_equal(walk.n, 5);
    same_matches(&walk, &cold);
    same_matches(&walk, &warm);
    assert_int_equal(s1.records, 8);
    assert_int_equal(s1.skipped, 2);
    assert_int_equal(s2.records, s1.records);
    assert_int_equal(s3.skipped, s1.skipped);
    assert_true(s3.newest == s1.newest);
    pkg_matches_free(&walk);
    pkg_matches_free(&cold);
    pkg_matches_free(&warm);
    test_rmtree(dir);
}

/* A database whose names would take more memory than the build may use: read without an index,
 * with a note, and the same matches. */
static void
test_index_over_its_memory_bound(void **state)
{
    char dir[256], path[300];
    struct pkg_matches walk, capped;
    struct osv_db_stats s1, s2;
    size_t saved = osv_index_mem_limit;
    (void)state;
    assert_int_equal(test_mkdtemp(dir, sizeof(dir), "pkgidx"), 0);
    idx_fill(dir);
    match_with(dir, "1", &walk, &s1);
    osv_index_mem_limit = 2048;
    match_with(dir, NULL, &capped, &s2);
    osv_index_mem_limit = saved;
    snprintf(path, sizeof(path), "%s/.index-v1", dir);
    assert_int_not_equal(access(path, F_OK), 0);
    same_matches(&walk, &capped);
    assert_int_equal(s2.records, s1.records);
    /* nothing half-written left beside the database */
    {
        char cmd[400];
        snprintf(cmd, sizeof(cmd), "test -z \"$(ls -A %s | grep '^\\.')\"", dir);
        assert_int_equal(system(cmd), 0);
    }
    pkg_matches_free(&walk);
    pkg_matches_free(&capped);
    test_rmtree(dir);
}

/* Reads the index of the fixture database into *data. */
static size_t
idx_bytes(const char *dir, unsigned char **data)
{
    char path[300];
    struct buf b = {0};
    struct osv_db_stats st;
    char where[4096];
    assert_int_equal(osv_db_index(dir, where, sizeof(where), &st), 0);
    snprintf(path, sizeof(path), "%s/.index-v1", dir);
    assert_string_equal(where, path);
    assert_int_equal(file_read_all(path, 1 << 20, FILE_READ_NOFOLLOW, &b), 0);
    *data = (unsigned char *)b.data;
    return b.len;
}

static void
test_index_damage_refused(void **state)
{
    char dir[256];
    unsigned char *data, *copy;
    size_t len;
    struct osv_index *ix;
    (void)state;
    assert_int_equal(test_mkdtemp(dir, sizeof(dir), "pkgidx"), 0);
    idx_fill(dir);
    len = idx_bytes(dir, &data);
    assert_int_equal(osv_index_open_mem(data, len, NULL, &ix), 0);
    osv_index_close(ix);
    {
        unsigned char other[32] = {1};
        assert_int_equal(osv_index_open_mem(data, len, other, &ix), 1); /* stale */
        osv_index_close(ix);
    }
    /* every truncation, and a flipped byte anywhere in the header and tables */
    for (size_t n = 0; n < len; n += 7)
        assert_int_equal(osv_index_open_mem(data, n, NULL, &ix), ERR_PARSE);
    assert_non_null(copy = malloc(len));
    for (size_t i = 0; i < len; i++) {
        memcpy(copy, data, len);
        copy[i] ^= 0x20;
        if (osv_index_open_mem(copy, len, NULL, &ix) == 0) {
            /* only the records are checked when read: the flip must be in one */
            struct idx_header h;
            memcpy(&h, data, sizeof(h));
            assert_true(i >= h.blobs_off && i < h.blobs_off + h.blobs_len);
            osv_index_close(ix);
        }
    }
    /* a foreign file */
    memset(copy, 'A', len);
    assert_int_equal(osv_index_open_mem(copy, len, NULL, &ix), ERR_PARSE);
    free(copy);
    free(data);
    test_rmtree(dir);
}

static void
test_index_keys(void **state)
{
    char k[400];
    (void)state;
    assert_int_equal(osv_index_key("PyPI", "Foo__Bar.baz", k, sizeof(k)), 16);
    assert_string_equal(k, "PyPI\x1f" "foo-bar-baz");
    assert_true(osv_index_key("Debian:12", "Curl", k, sizeof(k)) > 0);
    assert_string_equal(k, "Debian\x1f" "curl");
    assert_true(osv_index_key("Ubuntu:22.04:LTS", "openssl", k, sizeof(k)) > 0);
    assert_string_equal(k, "Ubuntu\x1f" "openssl");
    assert_int_equal(osv_index_key(":12", "x", k, sizeof(k)), -1);
    assert_int_equal(osv_index_key("npm", "", k, sizeof(k)), -1);
    {
        char longname[300];
        memset(longname, 'a', sizeof(longname) - 1);
        longname[sizeof(longname) - 1] = '\0';
        assert_int_equal(osv_index_key("npm", longname, k, sizeof(k)), -1);
    }
}

/* A record's severity: its CVSS vector first, the distribution's word, and for Red Hat-style
 * advisories that rate nothing else, the summary's leading label. */
static void
test_osv_severity(void **state)
{
    static const struct {
        const char *rec;
        enum severity want;
    } cases[] = {
        {"{\"summary\": \"Low: openssl security update\"}", SEV_LOW},
        {"{\"summary\": \"Important: kernel security update\"}", SEV_HIGH},
        {"{\"summary\": \"Critical: sudo security update\"}", SEV_CRITICAL},
        {"{\"summary\": \"Moderate: curl security update\"}", SEV_MEDIUM},
        {"{\"summary\": \"Lowercase: not a label\"}", SEV_MEDIUM},
        {"{\"summary\": \"Low:no space\"}", SEV_MEDIUM},
        {"{\"summary\": \"Low\"}", SEV_MEDIUM},
        {"{\"summary\": \"Low: x\", \"severity\": [{\"type\": \"CVSS_V3\", \"score\": "
         "\"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H\"}]}", SEV_CRITICAL},
        {"{}", SEV_MEDIUM},
    };
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        cJSON *j = cJSON_Parse(cases[i].rec);
        double score;
        assert_non_null(j);
        if (osv_severity(j, &score) != cases[i].want)
            fail_msg("case %zu: %s", i, cases[i].rec);
        cJSON_Delete(j);
    }
}

/* A VULN001 message shows the aliases the id does not already name. */
static void
test_alias_note(void **state)
{
    char out[64];

    (void)state;
    pkg_vuln_alias_note("DEBIAN-CVE-2023-38545", "CVE-2023-38545", out, sizeof(out));
    assert_string_equal(out, "");
    pkg_vuln_alias_note("DSA-5523-1", "CVE-2023-38545,CVE-2023-38546", out, sizeof(out));
    assert_string_equal(out, " (CVE-2023-38545,CVE-2023-38546)");
    pkg_vuln_alias_note("GHSA-xvch-5gv4-984h", "CVE-2021-44906", out, sizeof(out));
    assert_string_equal(out, " (CVE-2021-44906)");
    pkg_vuln_alias_note("XCVE-1", "CVE-1", out, sizeof(out)); /* a tail, but not after '-' */
    assert_string_equal(out, " (CVE-1)");
    pkg_vuln_alias_note("UBUNTU-CVE-1", "CVE-1,,USN-2", out, sizeof(out));
    assert_string_equal(out, " (USN-2)");
    pkg_vuln_alias_note("A", NULL, out, sizeof(out));
    assert_string_equal(out, "");
    pkg_vuln_alias_note("A", "CVE-2023-38545,CVE-2023-38546", out, 20); /* too long: dropped */
    assert_string_equal(out, " (CVE-2023-38545)");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_alias_note),
        cmocka_unit_test(test_osv_severity),
        cmocka_unit_test(test_dpkg_order),     cmocka_unit_test(test_dpkg_invalid),
        cmocka_unit_test(test_apk_order),      cmocka_unit_test(test_apk_validity),
        cmocka_unit_test(test_rpmvercmp),      cmocka_unit_test(test_rpm_evr),
        cmocka_unit_test(test_pep440_order),   cmocka_unit_test(test_semver_order),
        cmocka_unit_test(test_hostile_versions), cmocka_unit_test(test_ecosystem_orders),
        cmocka_unit_test(test_dpkg_status),    cmocka_unit_test(test_apk_python_npm),
        cmocka_unit_test(test_inventory_bounds), cmocka_unit_test(test_purls),
        cmocka_unit_test(test_cvss3),          cmocka_unit_test(test_osv_evaluation),
        cmocka_unit_test(test_index_keys),     cmocka_unit_test(test_index_same_matches),
        cmocka_unit_test(test_index_damage_refused), cmocka_unit_test(test_index_over_its_memory_bound),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
