/* Unit tests of --merge-report (scanner/packages/merge*.c): Trivy and Grype reports read field by
 * field, JSON checked strictly with the position of the first fault, and the fold into findings
 * (ids, aliases and distribution prefixes meeting; package and version; sources; filters). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "packages.h"

static const char trivy[] =
    "{\"SchemaVersion\": 2, \"ArtifactName\": \"app:1\",\n"
    " \"Metadata\": {\"DiffIDs\": [\"sha256:aa\", \"sha256:bb\"]},\n"
    " \"Results\": [{\"Target\": \"app:1 (debian 12)\", \"Packages\": [{\"Name\": \"x\", \"n\": [1.5e3, -0, true, null]}],\n"
    "   \"Vulnerabilities\": [\n"
    "    {\"VulnerabilityID\": \"CVE-2023-38545\", \"VendorIDs\": [\"DSA-5523-1\"], \"PkgName\": \"curl\",\n"
    "     \"InstalledVersion\": \"7.88.1-10+deb12u3\", \"FixedVersion\": \"7.88.1-10+deb12u4\",\n"
    "     \"Severity\": \"CRITICAL\", \"Layer\": {\"DiffID\": \"sha256:aa\"},\n"
    "     \"PkgIdentifier\": {\"PURL\": \"pkg:deb/debian/curl@7.88.1-10%2Bdeb12u3\"}, \"Title\": \"t\\u00e9\"},\n"
    "    {\"VulnerabilityID\": \"CVE-2023-4039\", \"PkgName\": \"libgcc-s1\", \"InstalledVersion\": \"12.2.0-14\",\n"
    "     \"FixedVersion\": \"\", \"Severity\": \"UNKNOWN\"}],\n"
    "   \"Type\": \"debian\"}]}\n";

static const char grype[] =
    "{\"matches\": [{\"vulnerability\": {\"id\": \"GHSA-j8r2-6x86-q33q\", \"severity\": \"Negligible\",\n"
    "   \"fix\": {\"versions\": [\"2.31.0\"], \"state\": \"fixed\"}},\n"
    "  \"relatedVulnerabilities\": [{\"id\": \"CVE-2023-32681\"}],\n"
    "  \"artifact\": {\"name\": \"requests\", \"version\": \"2.28.1\", \"type\": \"python\",\n"
    "   \"locations\": [{\"path\": \"/usr/lib/r.dist-info/METADATA\", \"layerID\": \"sha256:bb\"}]}},\n"
    " {\"vulnerability\": {\"id\": \"CVE-1\", \"fix\": {\"versions\": [\"9\"], \"state\": \"wont-fix\"}},\n"
    "  \"artifact\": {\"name\": \"a\", \"version\": \"1\"}}],\n"
    " \"source\": {\"type\": \"image\", \"target\": {\"userInput\": \"app:1\", \"layers\": [{\"digest\": \"sha256:aa\"}]}},\n"
    " \"descriptor\": {\"name\": \"grype\"}}";

static void
test_trivy_fields(void **state)
{
    struct pkg_peer_report r;

    (void)state;
    assert_int_equal(pkg_merge_parse("t.json", trivy, strlen(trivy), &r), 0);
    assert_int_equal(r.tool, PEER_TRIVY);
    assert_string_equal(r.artifact, "app:1");
    assert_int_equal(r.nlayers, 2);
    assert_string_equal(r.layers[1], "sha256:bb");
    assert_int_equal(r.n, 2);
    assert_string_equal(r.v[0].id, "CVE-2023-38545");
    assert_string_equal(r.v[0].aliases, "DSA-5523-1");
    assert_string_equal(r.v[0].package, "curl");
    assert_string_equal(r.v[0].fixed, "7.88.1-10+deb12u4");
    assert_string_equal(r.v[0].layer, "sha256:aa");
    assert_string_equal(r.v[0].purl, "pkg:deb/debian/curl@7.88.1-10%2Bdeb12u3");
    assert_string_equal(r.v[0].type, "debian"); /* the Type came after the vulnerabilities */
    assert_string_equal(r.v[0].title, "t\xc3\xa9");
    assert_int_equal(r.v[0].severity, SEV_CRITICAL);
    assert_null(r.v[1].fixed); /* "" is no fix */
    assert_int_equal(r.v[1].severity, SEV_MEDIUM); /* UNKNOWN */
    pkg_merge_free(&r);

    /* nothing found: Results null, or no Results at all */
    assert_int_equal(pkg_merge_parse("n.json", "{\"Results\": null}", 17, &r), 0);
    assert_int_equal(r.n, 0);
    pkg_merge_free(&r);
    assert_int_equal(pkg_merge_parse("n.json", "{\"SchemaVersion\": 2}", 20, &r), 0);
    assert_int_equal(r.tool, PEER_TRIVY);
    pkg_merge_free(&r);

    /* a Go binary's result: its Target is the file; a title's escape codes become spaces */
    {
        static const char go[] =
            "{\"Results\": [{\"Vulnerabilities\": [{\"VulnerabilityID\": \"CVE-2023-45288\",\n"
            "  \"PkgName\": \"golang.org/x/net\", \"InstalledVersion\": \"v0.17.0\",\n"
            "  \"Title\": \"a\\u001b[2Jb\\nc\"}], \"Target\": \"usr/local/bin/app\", \"Type\": \"gobinary\"}]}";
        assert_int_equal(pkg_merge_parse("go.json", go, strlen(go), &r), 0);
        assert_int_equal(r.n, 1);
        assert_string_equal(r.v[0].path, "usr/local/bin/app");
        assert_string_equal(r.v[0].title, "a [2Jb c");
        pkg_merge_free(&r);
    }
}

static void
test_grype_fields(void **state)
{
    struct pkg_peer_report r;

    (void)state;
    assert_int_equal(pkg_merge_parse("g.json", grype, strlen(grype), &r), 0);
    assert_int_equal(r.tool, PEER_GRYPE);
    assert_string_equal(r.artifact, "app:1");
    assert_int_equal(r.nlayers, 1);
    assert_int_equal(r.n, 2);
    assert_string_equal(r.v[0].aliases, "CVE-2023-32681");
    assert_string_equal(r.v[0].fixed, "2.31.0");
    assert_string_equal(r.v[0].path, "usr/lib/r.dist-info/METADATA");
    assert_string_equal(r.v[0].layer, "sha256:bb");
    assert_int_equal(r.v[0].severity, SEV_LOW); /* Negligible */
    assert_null(r.v[1].fixed); /* wont-fix: versions listed, but no fix */
    pkg_merge_free(&r);
}

static void
test_bad_json_and_positions(void **state)
{
    static const struct {
        const char *text, *msg;
        int code;
    } cases[] = {
        {"", "x.json:1:1: expected an object", ERR_PARSE},
        {"{\"descriptor\": [01]}", "x.json:1:18: expected ',' or ']'", ERR_PARSE},
        {"{\"descriptor\": [1.]}", "x.json:1:17: bad number", ERR_PARSE},
        {"{\"descriptor\": [-]}", "x.json:1:17: bad number", ERR_PARSE},
        {"{\"matches\": [0]}", "x.json:1:14: a match is not an object", ERR_PARSE},
        {"{\"descriptor\": tru}", "x.json:1:16: expected a JSON value", ERR_PARSE},
        {"{\"descriptor\": \"a\tb\"}", "x.json:1:18: control character", ERR_PARSE},
        {"{\"descriptor\": \"\\u12\"}", "x.json:1:17: bad \\u escape", ERR_PARSE},
        {"{\"descriptor\": [1,]}", "x.json:1:19: expected a JSON value", ERR_PARSE},
        {"{\"descriptor\": {\"a\" 1}}", "x.json:1:21: expected ':'", ERR_PARSE},
        {"{\"descriptor\": \"open", "x.json:1:16: unterminated string", ERR_PARSE},
        {"{\"matches\": []", "x.json:1:15: expected ',' or '}'", ERR_PARSE},
        {"{\"matches\": [],\n\n \"Results\": []}", "x.json:3:12: has keys of both", ERR_PARSE},
        {"{\"Results\": [{\"Vulnerabilities\": [\n  {\"VulnerabilityID\": 1}]}]}",
         "x.json:2:3: \"VulnerabilityID\" is not a string", ERR_PARSE},
        {"{\"Metadata\": {\"DiffIDs\": [1]}}", "x.json:1:14: an array item is not a string", ERR_PARSE},
        {"{\"matches\": [{\"vulnerability\": {\"id\": \"X\"}}]}", "x.json:1:14: a match without \"artifact\"",
         ERR_PARSE},
        {"{\"source\": {\"target\": 5}, \"matches\": []}", "neither a string nor an object", ERR_PARSE},
        {"{\"Results\": nul}", "x.json:1:13: expected a JSON value", ERR_PARSE},
        {"{\"Results\": \"x\"}", "x.json:1:13: expected an array", ERR_PARSE},
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct pkg_peer_report r;
        int rc = pkg_merge_parse("x.json", cases[i].text, strlen(cases[i].text), &r);
        if (rc != cases[i].code || strstr(err_message(), cases[i].msg) == NULL)
            fail_msg("case %zu: rc %d, '%s'; want %d, '%s'", i, rc, err_message(), cases[i].code,
                     cases[i].msg);
    }
}

static void
test_nesting_is_bounded(void **state)
{
    size_t n = 200000;
    char *s = malloc(2 * n + 6000);
    struct pkg_peer_report r;
    size_t at = 0;

    (void)state;
    assert_non_null(s);
    at += (size_t)sprintf(s, "{\"descriptor\": ");
    memset(s + at, '[', n);
    at += n;
    memset(s + at, ']', n);
    at += n;
    at += (size_t)sprintf(s + at, ", \"matches\": []}");
    assert_int_equal(pkg_merge_parse("deep.json", s, at, &r), ERR_LIMIT);
    assert_non_null(strstr(err_message(), "deep.json:1:"));
    /* 60 levels are fine */
    at = (size_t)sprintf(s, "{\"descriptor\": ");
    memset(s + at, '[', 60);
    memset(s + at + 60, ']', 60);
    at += 120;
    at += (size_t)sprintf(s + at, ", \"matches\": []}");
    assert_int_equal(pkg_merge_parse("ok.json", s, at, &r), 0);
    pkg_merge_free(&r);
    /* one value past its bound: a result's Type over 4096 bytes */
    at = (size_t)sprintf(s, "{\"Results\": [{\"Type\": \"");
    memset(s + at, 'a', 5000);
    at += 5000;
    at += (size_t)sprintf(s + at, "\"}]}");
    assert_int_equal(pkg_merge_parse("big.json", s, at, &r), ERR_LIMIT);
    assert_non_null(strstr(err_message(), "big.json:1:23: one value is larger than 4096 bytes"));
    free(s);
}

/* One finding of ours, as VULN001 makes it. */
static void
add_ours(struct findings *f, const char *id, const char *aliases, const char *pkg, const char *ver)
{
    struct finding_vuln v = {(char *)id, (char *)aliases, (char *)pkg, "Debian:12", (char *)ver,
                             "9", NULL, NULL, "scanner"};
    struct location loc = {"var/lib/dpkg/status", 0, 0, 0, 0, -1, NULL, NULL};

    assert_int_equal(findings_add(f, &pkg_rule_vuln, &loc, NULL, "%s in %s", id, pkg), 0);
    assert_int_equal(findings_set_vuln(f, f->n - 1, &v), 0);
}

static void
test_fold(void **state)
{
    char l0[] = "sha256:aa", l1[] = "sha256:bb";
    char *const layers[] = {l0, l1};
    const int is_base[] = {0, 1};
    struct pkg_merge_image img = {"app:1", layers, is_base, 2, "debian", "12", 0, 0};
    struct pkg_peer_report t, g;
    struct findings f;

    (void)state;
    assert_int_equal(pkg_merge_parse("t.json", trivy, strlen(trivy), &t), 0);
    assert_int_equal(pkg_merge_parse("g.json", grype, strlen(grype), &g), 0);
    assert_int_equal(pkg_merge_check_image(&t, &img), 0);
    assert_int_equal(pkg_merge_check_image(&g, &img), ERR_USAGE); /* lists one layer of two */
    findings_init(&f);
    assert_int_equal(findings_use_pool(&f), 0);
    add_ours(&f, "DEBIAN-CVE-2023-38545", NULL, "curl", "7.88.1-10+deb12u3");
    add_ours(&f, "GHSA-j8r2-6x86-q33q", "CVE-2023-32681,PYSEC-2023-74", "Requests", "2.28.1");
    add_ours(&f, "CVE-2023-4039", NULL, "libgcc-s1", "12.2.0-15"); /* another version */
    {
        struct pkg_peer_report both[] = {t, g, t};
        assert_int_equal(pkg_merge_fold(&f, 0, both, 3, &img), 0);
    }
    /* curl: the DEBIAN- prefix dropped; the same report twice adds trivy once */
    assert_string_equal(f.items[0].vuln->sources, "scanner,trivy");
    /* requests: the GHSA's CVE alias, the package name in another case */
    assert_string_equal(f.items[1].vuln->sources, "scanner,grype");
    assert_string_equal(f.items[2].vuln->sources, "scanner");
    /* libgcc-s1 12.2.0-14 (Trivy) and Grype's CVE-1 are findings of their own, once each */
    assert_int_equal(f.n, 5);
    assert_string_equal(f.items[3].vuln->id, "CVE-2023-4039");
    assert_string_equal(f.items[3].vuln->sources, "trivy");
    assert_null(f.items[3].vuln->fixed);
    assert_string_equal(f.items[3].vuln->ecosystem, "Debian:12");
    assert_string_equal(f.items[3].path, "var/lib/dpkg/status");
    assert_non_null(strstr(f.items[3].message, "(reported by Trivy)"));
    assert_string_equal(f.items[4].vuln->id, "CVE-1");
    assert_string_equal(f.items[4].vuln->ecosystem, "unknown");
    findings_free(&f);

    /* --ignore-unfixed drops the peers' unfixed results; --skip-base those in base layers */
    findings_init(&f);
    img.ignore_unfixed = 1;
    assert_int_equal(pkg_merge_fold(&f, 0, &t, 1, &img), 0);
    assert_int_equal(f.n, 1);
    img.ignore_unfixed = 0;
    img.skip_base = 1;
    assert_int_equal(pkg_merge_fold(&f, 0, &g, 1, &img), 0);
    assert_int_equal(f.n, 2); /* requests is in layer 1, a base layer here: only CVE-1 */
    assert_string_equal(f.items[1].vuln->id, "CVE-1");
    findings_free(&f);
    pkg_merge_free(&t);
    pkg_merge_free(&g);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_trivy_fields),       cmocka_unit_test(test_grype_fields),
        cmocka_unit_test(test_bad_json_and_positions), cmocka_unit_test(test_nesting_is_bounded),
        cmocka_unit_test(test_fold),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
