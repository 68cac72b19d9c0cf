/* Unit tests of detect/: every rule compiles one way or another, names and placeholders,
 * redaction and fingerprints, streams across every border, hostile input, allow comments,
 * baselines, and the fixture quality test that prints recall and false positives. */
#include <sys/stat.h>
#include <sys/time.h>

#include <ctype.h>
#include <dirent.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "helper.h"

#include "detect.h"
#include "detect_internal.h"

static struct detect_engine *eng;

static int
setup(void **state)
{
    (void)state;
    return detect_open(&eng) == 0 ? 0 : -1;
}

static int
teardown(void **state)
{
    (void)state;
    detect_close(eng);
    return 0;
}

/* ---- Collecting hits ------------------------------------------------------------------- */

struct got {
    char rule[96];
    size_t s0, s1, m0, m1;
    int line, column, example;
    char fp[65];
    char redacted[64];
    double confidence;
};

struct hits {
    struct got *v;
    size_t n, cap;
};

static int
collect(const struct detect_hit *h, void *user)
{
    struct hits *hs = user;
    if (hs->n == hs->cap) {
        hs->cap = hs->cap ? hs->cap * 2 : 16;
        hs->v = realloc(hs->v, hs->cap * sizeof(*hs->v));
        assert_non_null(hs->v);
    }
    struct got *g = &hs->v[hs->n++];
    memset(g, 0, sizeof(*g));
    snprintf(g->rule, sizeof(g->rule), "%s", h->rule->id);
    g->s0 = h->secret_start;
    g->s1 = h->secret_end;
    g->m0 = h->match_start;
    g->m1 = h->match_end;
    g->line = h->line;
    g->column = h->column;
    g->example = h->is_example;
    g->confidence = h->confidence;
    memcpy(g->fp, h->fingerprint, 65);
    memcpy(g->redacted, h->redacted, sizeof(g->redacted));
    return 0;
}

static struct hits
scan_str(const char *s)
{
    struct hits hs = {0};
    assert_int_equal(detect_scan(eng, s, strlen(s), collect, &hs), 0);
    return hs;
}

static int
has_rule(const struct hits *hs, const char *id)
{
    for (size_t i = 0; i < hs->n; i++)
        if (strcmp(hs->v[i].rule, id) == 0)
            return 1;
    return 0;
}

/* ---- Rules -------------------------------------------------------------------------------- */

static void
test_every_rule_compiles(void **state)
{
    const unsigned char *modes = detect_rule_modes(eng);
    size_t vs = 0, kw = 0;

    (void)state;
    assert_true(detect_rule_count(eng) >= 150);
    for (size_t i = 0; i < detect_rule_count(eng); i++) {
        const struct detect_rule *r = &detect_rules[i];
        /* PCRE2 must compile every rule: it extracts the secret of each one. */
        if (detect_rule_pcre_check(eng, i) != 0)
            fail_msg("%s: PCRE2 cannot compile its pattern", r->meta.id);
        if (modes[i] == DETECT_MODE_VS) {
            vs++;
        } else if (modes[i] == DETECT_MODE_KW) {
            /* Fallback rules run behind their keywords: they must have some. */
            if (r->keywords == NULL || r->keywords[0] == '\0')
                fail_msg("%s: not in Vectorscan and no keywords", r->meta.id);
            kw++;
        } else {
            fail_msg("%s: neither in Vectorscan nor behind keywords (mode %d)", r->meta.id,
                     modes[i]);
        }
        assert_non_null(r->meta.title);
        assert_non_null(r->provider);
        assert_string_equal(r->meta.category, "secret");
        assert_true(strncmp(r->meta.id, "secret.", 7) == 0);
        for (size_t j = 0; j < i; j++)
            if (strcmp(detect_rules[j].meta.id, r->meta.id) == 0)
                fail_msg("duplicate rule id %s", r->meta.id);
    }
    printf("rules: %zu (%zu as whole patterns in Vectorscan, %zu behind their keywords)\n", vs + kw,
           vs, kw);
}

/* Every rule id is documented in docs/rules.md. */
static void
test_every_rule_documented(void **state)
{
    struct buf doc = {0};
    (void)state;
    assert_int_equal(file_read_all("docs/rules.md", 4u << 20, 0, &doc), 0);
    for (size_t i = 0; i < detect_rule_count(eng); i++) {
        char needle[128];
        snprintf(needle, sizeof(needle), "`%s`", detect_rules[i].meta.id);
        if (strstr(doc.data, needle) == NULL)
            fail_msg("%s is not documented in docs/rules.md", detect_rules[i].meta.id);
    }
    buf_free(&doc);
}

/* ---- Names and values --------------------------------------------------------------------- */

static int
name_secret(const char *s)
{
    return detect_name_is_secret(s, strlen(s));
}

static void
test_names(void **state)
{
    (void)state;
    const char *yes[] = {"PASSWORD", "DB_PASSWORD", "db_passwd", "MYSQL_PWD", "apiKey", "API_KEY",
                         "api-key", "SECRET", "client_secret", "GITHUB_TOKEN", "token",
                         "AWS_SECRET_ACCESS_KEY", "private_key", "SSH_KEY", "credentials",
                         "smtpPassword", "PASSPHRASE", "ENCRYPTION_KEY", "SECRET_KEY_BASE",
                         "password_hash", "auth_token", "x-api-key"};
    const char *no[] = {"PASSWORD_FILE", "TOKEN_URL", "DB_PASSWORD_FILE", "SECRET_NAME",
                        "KEY_ID", "AWS_ACCESS_KEY_ID", "PUBLIC_KEY", "primary_key", "KEY",
                        "csrf_token", "MAX_TOKENS", "PWD", "OLDPWD", "token_type",
                        "PASSWORD_MIN_LENGTH", "username", "HOME", "keyboard", "monkey",
                        "secrets", "password_policy", "next_page_token", ""};
    for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
        if (!name_secret(yes[i]))
            fail_msg("%s should be a secret-holding name", yes[i]);
    for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
        if (name_secret(no[i]))
            fail_msg("%s should not be a secret-holding name", no[i]);
}

static int
placeholder(const char *s)
{
    return detect_value_is_placeholder(s, strlen(s));
}

static void
test_placeholders(void **state)
{
    (void)state;
    const char *yes[] = {"${VAR}", "$VAR", "${DB_PASSWORD:-}", "{{ x }}", "{{.Values.secret}}",
                         "%VAR%", "<your-token>", "***", "********", "xxx", "XXXXXXXX",
                         "your-api-key-here", "", "   ", "$(cat /run/secrets/x)", "${{ secrets.X }}",
                         "null", "None", "REDACTED", "@SECRET@", "{0}", "%s", "abcdef", "123456",
                         "aaaaaaaa", "[REDACTED]", "placeholder", "<insert token>",
                         "replace_me", "..."};
    const char *no[] = {"changeme", "hunter2", "S3cr3tPass", "ghp_aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW",
                        "password123", "letmein", "admin", "p@ss"};
    for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
        if (!placeholder(yes[i]))
            fail_msg("'%s' should be a placeholder", yes[i]);
    for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
        if (placeholder(no[i]))
            fail_msg("'%s' is a literal, not a placeholder", no[i]);
}

static void
test_filters(void **state)
{
    (void)state;
    assert_true(detect_is_uuid("123e4567-e89b-12d3-a456-426614174000", 36));
    assert_false(detect_is_uuid("123e4567-e89b-12d3-a456-42661417400g", 36));
    assert_true(detect_is_sequential("abcdefgh", 8));
    assert_true(detect_is_sequential("987654", 6));
    assert_false(detect_is_sequential("a8Kz3q", 6));
    assert_true(detect_is_repeated("0000000", 7));
    assert_true(detect_entropy("aaaa", 4) < 0.01);
    assert_true(detect_entropy("abcd", 4) > 1.99 && detect_entropy("abcd", 4) < 2.01);
    assert_true(detect_is_example("AKIAIOSFODNN7EXAMPLE", 20));
    assert_true(detect_path_is_lockfile("web/package-lock.json"));
    assert_true(detect_path_is_lockfile("go.sum"));
    assert_false(detect_path_is_lockfile("package.json"));
}

/* ---- Redaction and fingerprints ------------------------------------------------------------ */

static void
test_redact_fingerprint(void **state)
{
    char out[64], fp1[65], fp2[65], fp3[65];
    const char *tok = "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";

    (void)state;
    detect_redact(tok, strlen(tok), out, sizeof(out));
    assert_string_equal(out, "ghp_\xe2\x80\xa6(40 chars)");
    assert_null(strstr(out, "aB3d"));
    detect_redact("changeme", 8, out, sizeof(out));
    assert_string_equal(out, "\xe2\x80\xa6(8 chars)"); /* short: nothing of it shown */
    detect_redact("hunter2abc", 10, out, sizeof(out));
    assert_string_equal(out, "hu\xe2\x80\xa6(10 chars)");
    detect_fingerprint(tok, strlen(tok), fp1);
    detect_fingerprint(tok, strlen(tok), fp2);
    detect_fingerprint("changeme", 8, fp3);
    assert_int_equal(strlen(fp1), 64);
    assert_string_equal(fp1, fp2);
    assert_string_not_equal(fp1, fp3);
    /* Keyed: not the plain BLAKE2b-256 of the value. */
    assert_string_not_equal(fp3, "8a2a8e3f7ad1cf4f35c4a4ef5bdb9a1c4cc32b0f61d6e4a38dccc8a9d6a4e1b5");
}

/* ---- Scanning ------------------------------------------------------------------------------ */

static void
test_scan_basics(void **state)
{
    (void)state;
    const char *text = "# config\n"
                       "GITHUB_TOKEN=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\n"
                       "AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE\n"
                       "DB_PASSWORD=changeme\n"
                       "DB_PASSWORD=${DB_PASSWORD}\n";
    struct hits hs = scan_str(text);

    assert_int_equal(hs.n, 3);
    /* In order of position, the provider rule (not the generic one) on the token. */
    assert_string_equal(hs.v[0].rule, "secret.github-pat");
    assert_int_equal(hs.v[0].line, 2);
    assert_int_equal(hs.v[0].column, 14);
    assert_int_equal(hs.v[0].s1 - hs.v[0].s0, 40);
    assert_memory_equal(text + hs.v[0].s0, "ghp_", 4);
    assert_true(hs.v[0].m0 <= hs.v[0].s0 && hs.v[0].m1 >= hs.v[0].s1);
    assert_string_equal(hs.v[1].rule, "secret.aws-access-key-id");
    assert_int_equal(hs.v[1].example, 1); /* the documented EXAMPLE key: info, not dropped */
    assert_string_equal(hs.v[2].rule, "secret.generic-password");
    assert_int_equal(hs.v[2].line, 4);
    assert_int_equal(hs.v[2].s1 - hs.v[2].s0, 8); /* DB_PASSWORD=changeme is a finding */
    free(hs.v);

    /* Credentials for RFC 2606 example hosts are documentation: reported as examples. */
    hs = scan_str("see https://admin:Xk3p9Lq2@db.example.com/ for the layout\n");
    assert_int_equal(hs.n, 1);
    assert_int_equal(hs.v[0].example, 1);
    free(hs.v);

    hs = scan_str("");
    assert_int_equal(hs.n, 0);
    free(hs.v);
}

static void
test_generic_rules(void **state)
{
    (void)state;
    struct {
        const char *text;
        const char *rule; /* NULL: nothing */
    } cases[] = {
        {"password = \"hunter2\"\n", "secret.generic-password"},
        {"  password: S3cr3t!x\n", "secret.generic-password"},
        {"\"db_password\": \"letmein99\",\n", "secret.generic-password"},
        {"MYSQL_ROOT_PASSWORD=rootpw\n", "secret.generic-password"},
        {"password = getpass.getpass()\n", NULL},
        {"password := os.Getenv(\"PW\")\n", NULL},
        {"password: str\n", NULL},
        {"def f(password: str = None):\n", NULL},
        {"password = self.password\n", NULL},
        {"password=\"\"\n", NULL},
        {"PASSWORD_FILE=/run/secrets/db\n", NULL},
        {"password: ${DB_PASSWORD}\n", NULL},
        {"api_key = \"9f8Kq2LmZ7xR4tW1vB6nC3hJ\"\n", "secret.generic-secret"},
        {"client_secret: 'Zk9qR2x3TnBzVjV0WThkRjFh'\n", "secret.generic-secret"},
        {"api_key = \"not-a-real-value\"\n", NULL},
        {"token = \"123e4567-e89b-12d3-a456-426614174000\"\n", NULL},
        {"\"key\": \"ctrl+shift+down\"\n", NULL},
        {"secret_key = \"Zk9qR2x3TnBzVjV0WThkRjFhSGc0TWs3\" # secrets:allow\n", NULL},
        {"secret_key = \"Zk9qR2x3TnBzVjV0WThkRjFhSGc0TWs3\" # gitleaks:allow\n", NULL},
        {"secret_key = \"Zk9qR2x3TnBzVjV0WThkRjFhSGc0TWs3\"  # pragma: allowlist secret\n", NULL},
        {"# secrets:allow-next-line\nsecret_key = \"Zk9qR2x3TnBzVjV0WThkRjFhSGc0TWs3\"\n", NULL},
        {"# pragma: allowlist nextline secret\ntoken: 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\n",
         NULL},
        /* Prose and code around secret-named words (seen in /usr/include and /usr/share/doc). */
        {" * @G_PASSWORD_SAVE_NEVER: never save a password.\n", NULL},
        {"    SEC_ERROR_BAD_PASSWORD = SEC_ERROR_BASE + 15,\n", NULL},
        {"    GPG_ERR_NO_PASSPHRASE = 177,\n", NULL},
        {"   Password : pchar = 'geen';\n", NULL},
        {"const password = 'Password used to generate key';\n", NULL},
        {"label: \"Enter your password\"\n", NULL},
        {"passphrase: 'top secret',\n", "secret.generic-password"},
        {"password = hunter2  # ini style\n", "secret.generic-password"},
        {"new URL('https://abc:xyz@example.com')\n", NULL},
        {"# com.sun.management.jmxremote.password.toHashes = true|false\n", NULL},
        {"#password_encryption = scram-sha-256\n", NULL},
        {"        self._passphrase_userdata = userdata\n", NULL},
        {"    AttributeOID.CHALLENGE_PASSWORD: \"challengePassword\",\n", NULL},
        {"    username, password = split\n", NULL},
        {">>> client.prepare_request_body(username='foo', password='bar')\n", NULL},
        {"return f'machine {host} login {self.username} password {self.password}'\n", NULL},
        {"url = 'https://deploy:Xk3p9Lq2@git.internal/repo'\n", "secret.url-credentials"},
        /* Kebab-case names (CLI flags, YAML keys, Helm values) as well as snake case. */
        {"aws-secret-access-key: Hq7vR2mN9xK4pL8sT3wZ6yB1cF5gJ0dA2eU7iO9r\n",
         "secret.aws-secret-access-key"},
        {"--aws-secret-access-key=Hq7vR2mN9xK4pL8sT3wZ6yB1cF5gJ0dA2eU7iO9r\n",
         "secret.aws-secret-access-key"},
        {"aws-session-token: FwoGZXIvYXdzEBYaDHKq3pR7vN2mX9zL4sT8wY1bC6fG0jH5dA3eU7iO2rQ9kM4nP8vB1xZ6yW3tS5gJ0hFKq3pR7vN2mX9zL4sT8wY1bC6fG0jH5dA3eU7iO2rQ9kM4nP8vB1xZ6yW3tS5gJ0hF\n", "secret.aws-session-token"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct hits hs = scan_str(cases[i].text);
        if (cases[i].rule == NULL && hs.n != 0)
            fail_msg("case %zu: unexpected %s in: %s", i, hs.v[0].rule, cases[i].text);
        if (cases[i].rule != NULL && !has_rule(&hs, cases[i].rule))
            fail_msg("case %zu: %s not found in: %s", i, cases[i].rule, cases[i].text);
        free(hs.v);
    }
}

/* A sample with secrets of several shapes, for the stream tests. */
static const char stream_sample[] =
    "line one\n"
    "GITHUB_TOKEN=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\n"
    "url = \"postgres://app:S3cr3tPass@db.internal:5432/app\"\n"
    "slack: xoxb-1234567890123-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx\n"
    "DB_PASSWORD=changeme\n"
    "stripe sk_live_4bC9dE8fG7hJ6kL5mN4pQ3rS\n";

struct stream_hits {
    struct hits hs;
};

static void
assert_same_hits(const struct hits *a, const struct hits *b, const char *what)
{
    if (a->n != b->n)
        fail_msg("%s: %zu hits, whole-buffer scan has %zu", what, a->n, b->n);
    for (size_t i = 0; i < a->n; i++) {
        if (strcmp(a->v[i].rule, b->v[i].rule) != 0 || a->v[i].s0 != b->v[i].s0 ||
            a->v[i].s1 != b->v[i].s1 || a->v[i].line != b->v[i].line ||
            a->v[i].column != b->v[i].column || strcmp(a->v[i].fp, b->v[i].fp) != 0)
            fail_msg("%s: hit %zu differs (%s %zu-%zu line %d vs %s %zu-%zu line %d)", what, i,
                     a->v[i].rule, a->v[i].s0, a->v[i].s1, a->v[i].line, b->v[i].rule,
                     b->v[i].s0, b->v[i].s1, b->v[i].line);
    }
}

/* Every split point of the sample, with a window so small that each split is a border. */
static void
test_stream_every_split(void **state)
{
    size_t len = sizeof(stream_sample) - 1;
    struct hits whole = {0};

    (void)state;
    assert_int_equal(detect_scan(eng, stream_sample, len, collect, &whole), 0);
    assert_int_equal(whole.n, 5);
    for (size_t chunk = 1; chunk <= 64; chunk *= 4) {
        for (size_t split = 0; split <= len; split++) {
            struct detect_stream *s;
            struct hits hs = {0};
            char what[64];

            assert_int_equal(detect_stream_open(eng, collect, &hs, &s), 0);
            /* The overlap must exceed the longest match here (about 60 bytes). */
            detect_stream_tune(s, chunk, 128);
            assert_int_equal(detect_stream_feed(s, stream_sample, split), 0);
            assert_int_equal(detect_stream_feed(s, stream_sample + split, len - split), 0);
            assert_int_equal(detect_stream_close(s), 0);
            snprintf(what, sizeof(what), "chunk %zu split %zu", chunk, split);
            assert_same_hits(&hs, &whole, what);
            free(hs.v);
        }
    }
    free(whole.v);
}

/* Default stream settings over 3 MiB with secrets at random places (some on 1 MiB borders),
 * fed in random chunk sizes: the same hits as one scan of the whole. */
static void
test_stream_large(void **state)
{
    size_t len = 3u << 20, pos = 0;
    char *big = malloc(len);
    struct hits whole = {0}, hs = {0};
    struct detect_stream *s;
    unsigned seed = 12345;

    (void)state;
    assert_non_null(big);
    for (size_t i = 0; i < len; i++)
        big[i] = (i % 61 == 60) ? '\n' : (char)('a' + (i * 7 % 26));
    for (int k = 0; k < 40; k++) {
        size_t at = (k % 4 == 0) ? ((size_t)((k / 4) % 2 + 1) << 20) - 30 + (size_t)k
                                 : (size_t)(rand_r(&seed) % (len - 200));
        memcpy(big + at, " 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 ", 42);
    }
    assert_int_equal(detect_scan(eng, big, len, collect, &whole), 0);
    assert_true(whole.n >= 30);
    assert_int_equal(detect_stream_open(eng, collect, &hs, &s), 0);
    while (pos < len) {
        size_t n = 1 + (size_t)(rand_r(&seed) % 300000);
        if (n > len - pos)
            n = len - pos;
        assert_int_equal(detect_stream_feed(s, big + pos, n), 0);
        pos += n;
    }
    assert_int_equal(detect_stream_close(s), 0);
    assert_same_hits(&hs, &whole, "3 MiB stream");
    free(hs.v);
    free(whole.v);
    free(big);
}

static double
now_sec(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Inputs built to make backtracking engines explode: the scan must end quickly. */
static void
test_hostile_input(void **state)
{
    size_t len = 4u << 20;
    char *buf = malloc(len + 1);
    const char *pieces[] = {
        "password=", "-----BEGIN RSA PRIVATE KEY-----\n", "postgres://a:", "Authorization: Bearer ",
        "api_key = \"", "eyJhbGciOiJIUzI1NiJ9.eyJ", "sv=2020-01-01&", "jdbc:mysql://h/d?",
        "Server=x;", "curl -u a:", "machine m login l password ",
    };
    struct hits hs = {0};
    double t0, dt;

    (void)state;
    assert_non_null(buf);
    /* 1: a long run of key-body characters after a key header, never closed. */
    for (size_t k = 0; k < sizeof(pieces) / sizeof(pieces[0]); k++) {
        size_t n = 0, pl = strlen(pieces[k]);
        while (n + pl + 200 < len) {
            memcpy(buf + n, pieces[k], pl);
            n += pl;
            for (size_t j = 0; j < 190; j++)
                buf[n++] = "Aa0+/=\n"[j % 7];
        }
        t0 = now_sec();
        assert_int_equal(detect_scan(eng, buf, n, collect, &hs), 0);
        dt = now_sec() - t0;
        if (dt > 20.0)
            fail_msg("hostile input %zu took %.1f s", k, dt);
        free(hs.v);
        memset(&hs, 0, sizeof(hs));
    }
    /* 2: one 4 MiB line of base64 after "-----BEGIN PRIVATE KEY-----", no footer. */
    memcpy(buf, "-----BEGIN PRIVATE KEY-----", 27);
    for (size_t j = 27; j < len; j++)
        buf[j] = "ABCDEFGHabcdefgh0123+/"[j % 22];
    t0 = now_sec();
    assert_int_equal(detect_scan(eng, buf, len, collect, &hs), 0);
    dt = now_sec() - t0;
    assert_int_equal(hs.n, 0);
    if (dt > 20.0)
        fail_msg("unterminated key took %.1f s", dt);
    free(hs.v);
    memset(&hs, 0, sizeof(hs));
    /* 3: NUL bytes and high bytes everywhere. */
    for (size_t j = 0; j < len; j++)
        buf[j] = (char)(j * 131 % 256);
    assert_int_equal(detect_scan(eng, buf, len, collect, &hs), 0);
    free(hs.v);
    free(buf);
}

/* ---- Findings and baselines --------------------------------------------------------------- */

struct add_ctx {
    struct findings *f;
    const char *path;
};

static int
add_cb(const struct detect_hit *h, void *user)
{
    struct add_ctx *a = user;
    struct location loc = {a->path, 0, 0, 0, 0, -1, NULL, NULL};
    return detect_add_finding(a->f, h, &loc, "in test") < 0 ? -1 : 0;
}

static void
test_findings_and_baseline(void **state)
{
    struct findings f;
    struct add_ctx a;
    char dir[64], path[128];
    const char *v1 = "x\nGITHUB_TOKEN=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\nAKIAIOSFODNN7EXAMPLE\n";
    /* The same secret moved down three lines, plus a new one. */
    const char *v2 = "x\n\n\n\nGITHUB_TOKEN=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\n"
                     "NEW=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\n";
    struct buf b = {0};

    (void)state;
    assert_int_equal(test_mkdtemp(dir, sizeof(dir), "test_detect"), 0);
    snprintf(path, sizeof(path), "%s/baseline.json", dir);
    findings_init(&f);
    a.f = &f;
    a.path = "app.env";
    assert_int_equal(detect_scan(eng, v1, strlen(v1), add_cb, &a), 0);
    assert_int_equal(f.n, 2);
    assert_string_equal(f.items[0].rule, "secret.github-pat");
    assert_int_equal(f.items[0].severity, SEV_CRITICAL);
    assert_int_equal(f.items[0].line, 2);
    assert_non_null(f.items[0].secret_fingerprint);
    assert_non_null(strstr(f.items[0].message, "in test: "));
    assert_null(strstr(f.items[0].message, "aB3dE5"));
    assert_int_equal(f.items[1].severity, SEV_INFO); /* documented example */
    assert_int_equal(detect_baseline_write(&f, path), 0);
    assert_int_equal(file_read_all(path, 1u << 20, 0, &b), 0);
    assert_null(strstr(b.data, "aB3dE5")); /* no secret in the baseline */
    assert_null(strstr(b.data, "\"line\""));
    buf_free(&b);
    findings_free(&f);

    findings_init(&f);
    assert_int_equal(detect_scan(eng, v2, strlen(v2), add_cb, &a), 0);
    assert_int_equal(f.n, 2);
    assert_int_equal(detect_baseline_filter(&f, path), 0);
    /* The moved secret stays known; the new one is reported. */
    assert_int_equal(f.n, 1);
    assert_int_equal(f.items[0].line, 6);
    findings_free(&f);

    /* Another path: not covered by the baseline. */
    findings_init(&f);
    a.path = "other.env";
    assert_int_equal(detect_scan(eng, v1, strlen(v1), add_cb, &a), 0);
    assert_int_equal(detect_baseline_filter(&f, path), 0);
    assert_int_equal(f.n, 2);
    findings_free(&f);

    /* A broken baseline is an error, not "nothing known". */
    snprintf(path, sizeof(path), "%s/bad.json", dir);
    assert_int_equal(file_write_new(path, "{\"findings\": 3", 14, 0644), 0);
    findings_init(&f);
    assert_int_equal(detect_baseline_filter(&f, path), ERR_PARSE);
    findings_free(&f);
    assert_int_equal(test_rmtree(dir), 0);
}

/* ---- Quality: the fixtures ----------------------------------------------------------------- */

#define FIX "tests/fixtures/detect"

struct expect {
    char file[128];
    int line;
    char rule[96];
    int found;
};

struct qctx {
    struct expect *exp;
    size_t nexp;
    const char *file;
    size_t hits, unexpected;
};

static int
quality_cb(const struct detect_hit *h, void *user)
{
    struct qctx *q = user;
    q->hits++;
    for (size_t i = 0; i < q->nexp; i++) {
        if (strcmp(q->exp[i].file, q->file) == 0 && q->exp[i].line == h->line &&
            strcmp(q->exp[i].rule, h->rule->id) == 0) {
            q->exp[i].found = 1;
            return 0;
        }
    }
    q->unexpected++;
    printf("  unexpected: %s:%d:%d %s (%s)\n", q->file, h->line, h->column, h->rule->id,
           h->redacted);
    return 0;
}

static void
scan_fixture(struct qctx *q, const char *dir, const char *rel)
{
    char path[512];
    struct buf b = {0};

    snprintf(path, sizeof(path), "%s/%s", dir, rel);
    assert_int_equal(file_read_all(path, 8u << 20, 0, &b), 0);
    q->file = rel;
    assert_int_equal(detect_scan(eng, b.data != NULL ? b.data : "", b.len, quality_cb, q), 0);
    buf_free(&b);
}

/* Lists regular files under dir (one level of subdirectories). */
static size_t
list_files(const char *dir, char names[][128], size_t max)
{
    size_t n = 0;
    DIR *d = opendir(dir);
    struct dirent *de;

    assert_non_null(d);
    while ((de = readdir(d)) != NULL && n < max) {
        char p[512];
        struct stat st;
        if (de->d_name[0] == '.' && (de->d_name[1] == '\0' || de->d_name[1] == '.'))
            continue;
        if (strcmp(de->d_name, "MANIFEST") == 0)
            continue;
        snprintf(p, sizeof(p), "%s/%s", dir, de->d_name);
        if (stat(p, &st) < 0)
            continue;
        if (S_ISDIR(st.st_mode)) {
            DIR *s = opendir(p);
            struct dirent *se;
            while (s != NULL && (se = readdir(s)) != NULL && n < max) {
                if (strcmp(se->d_name, ".") == 0 || strcmp(se->d_name, "..") == 0)
                    continue;
                snprintf(names[n++], 128, "%.60s/%.60s", de->d_name, se->d_name);
            }
            if (s != NULL)
                closedir(s);
        } else {
            snprintf(names[n++], 128, "%.120s", de->d_name);
        }
    }
    closedir(d);
    return n;
}

static void
test_quality_fixtures(void **state)
{
    static char names[256][128];
    struct qctx q;
    struct buf man = {0};
    size_t nfiles, found = 0, covered = 0, neg_hits, neg_files;
    char *line, *save = NULL;
    double t0 = now_sec();

    (void)state;
    memset(&q, 0, sizeof(q));
    assert_int_equal(file_read_all(FIX "/positives/MANIFEST", 1u << 20, 0, &man), 0);
    q.exp = calloc(1024, sizeof(*q.exp));
    assert_non_null(q.exp);
    for (line = strtok_r(man.data, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
        if (line[0] == '#' || q.nexp >= 1024)
            continue;
        assert_int_equal(sscanf(line, "%127[^\t]\t%d\t%95s", q.exp[q.nexp].file,
                                &q.exp[q.nexp].line, q.exp[q.nexp].rule),
                         3);
        q.nexp++;
    }
    buf_free(&man);

    printf("positives:\n");
    nfiles = list_files(FIX "/positives", names, 256);
    for (size_t i = 0; i < nfiles; i++)
        scan_fixture(&q, FIX "/positives", names[i]);
    for (size_t i = 0; i < q.nexp; i++) {
        if (q.exp[i].found)
            found++;
        else
            printf("  missed: %s:%d %s\n", q.exp[i].file, q.exp[i].line, q.exp[i].rule);
    }
    for (size_t r = 0; r < detect_rule_count(eng); r++) {
        int has = 0;
        for (size_t i = 0; i < q.nexp && !has; i++)
            has = q.exp[i].found && strcmp(q.exp[i].rule, detect_rules[r].meta.id) == 0;
        if (has)
            covered++;
        else
            printf("  rule without a found positive: %s\n", detect_rules[r].meta.id);
    }
    size_t pos_unexpected = q.unexpected, nexp = q.nexp;

    printf("negatives:\n");
    q.nexp = 0;
    q.unexpected = 0;
    q.hits = 0;
    neg_files = list_files(FIX "/negatives", names, 256);
    for (size_t i = 0; i < neg_files; i++)
        scan_fixture(&q, FIX "/negatives", names[i]);
    neg_hits = q.hits;

    printf("quality: recall %zu/%zu (%.1f%%) over %zu positive files; rules with a found "
           "positive %zu/%zu; extra hits in positives %zu; false positives %zu in %zu negative "
           "files; %.2f s\n",
           found, nexp, nexp > 0 ? 100.0 * (double)found / (double)nexp : 0.0, nfiles, covered,
           detect_rule_count(eng), pos_unexpected, neg_hits, neg_files, now_sec() - t0);
    assert_int_equal(found, nexp);
    assert_int_equal(covered, detect_rule_count(eng));
    assert_int_equal(pos_unexpected, 0);
    assert_int_equal(neg_hits, 0);
    assert_true(neg_files >= 10);
    free(q.exp);
}

/* ---- Provider samples: every provider rule in a dozen surrounding forms ---------------------- */

/* Forms a value is written in. %K: the key in upper case, %k: the key, %s: the value. Context
 * rules need their provider's name in the key, so the bare forms are for "token" rows only. */
static const struct {
    const char *name, *fmt;
    int token_only;
} provider_forms[] = {
    {"bare", "%s\n", 1},
    {"env", "%K=%s\n", 0},
    {"env-quoted", "%K=\"%s\"\n", 0},
    {"export", "export %K='%s'\n", 0},
    {"json", "{\n  \"%k\": \"%s\"\n}\n", 0},
    {"json-escaped", "{\"config.ini\": \"%K=%s\\nDEBUG=1\"}\n", 0},
    {"yaml", "env:\n  %k: %s\n", 0},
    {"yaml-quoted", "  %k: '%s'\n", 0},
    {"python", "%k = \"%s\"\n", 0},
    {"go", "\t%k := \"%s\"\n", 0},
    {"xml", "<%k>%s</%k>\n", 0},
    {"xml-multiline", "<%k>\n    %s\n</%k>\n", 0},
    {"dockerfile", "ENV %K=%s\n", 0},
    {"makefile", "%K ?= %s\n", 0},
    {"url-query", "curl 'https://api.example.invalid/v1/items?%k=%s&page=2'\n", 0},
    {"header", "X-Api-Key: %s\n", 1},
};

static void
provider_form(char *out, size_t outsz, const char *fmt, const char *key, const char *val)
{
    size_t o = 0;

    for (const char *f = fmt; *f != '\0' && o + 1 < outsz; f++) {
        if (*f == '%' && (f[1] == 'K' || f[1] == 'k' || f[1] == 's')) {
            const char *src = f[1] == 's' ? val : key;
            for (; *src != '\0' && o + 1 < outsz; src++)
                out[o++] = f[1] == 'K' ? (char)toupper((unsigned char)*src) : *src;
            f++;
        } else {
            out[o++] = *f;
        }
    }
    out[o] = '\0';
}

struct family_score {
    char provider[48];
    size_t forms, found, negs, flagged;
};

static struct family_score *
family_of(struct family_score *fam, size_t *nfam, size_t cap, const char *provider)
{
    for (size_t i = 0; i < *nfam; i++)
        if (strcmp(fam[i].provider, provider) == 0)
            return &fam[i];
    assert_true(*nfam < cap);
    memset(&fam[*nfam], 0, sizeof(fam[*nfam]));
    snprintf(fam[*nfam].provider, sizeof(fam[*nfam].provider), "%s", provider);
    return &fam[(*nfam)++];
}

/* Is the value at [t0, t1) reported by rule `id`, and by no other rule? */
static int
found_by_exactly(const struct hits *hs, const char *id, size_t t0, size_t t1, char *other,
                 size_t othersz)
{
    int mine = 0;
    other[0] = '\0';
    for (size_t i = 0; i < hs->n; i++) {
        if (hs->v[i].s1 <= t0 || hs->v[i].s0 >= t1)
            continue;
        if (strcmp(hs->v[i].rule, id) == 0 && !hs->v[i].example)
            mine = 1;
        else
            snprintf(other, othersz, "%s", hs->v[i].rule);
    }
    return mine && other[0] == '\0';
}

static void
test_provider_samples(void **state)
{
    static struct family_score fam[256];
    struct buf tsv = {0};
    char *line, *save = NULL;
    size_t nfam = 0, rows = 0, forms = 0, found = 0, negs = 0, flagged = 0;

    (void)state;
    assert_int_equal(file_read_all(FIX "/provider-samples.tsv", 4u << 20, 0, &tsv), 0);
    for (line = strtok_r(tsv.data, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
        char *field[32], *fs = NULL, *tok;
        size_t nf = 0, ri;
        struct family_score *fs_score;
        int ctx;

        if (line[0] == '#')
            continue;
        for (tok = strtok_r(line, "\t", &fs); tok != NULL && nf < 32;
             tok = strtok_r(NULL, "\t", &fs))
            field[nf++] = tok;
        assert_true(nf >= 4);
        for (ri = 0; ri < detect_rule_count(eng); ri++)
            if (strcmp(detect_rules[ri].meta.id, field[0]) == 0)
                break;
        if (ri == detect_rule_count(eng))
            fail_msg("provider-samples.tsv: no rule %s", field[0]);
        fs_score = family_of(fam, &nfam, 256, detect_rules[ri].provider);
        ctx = strcmp(field[1], "ctx") == 0;
        rows++;
        for (size_t k = 0; k < sizeof(provider_forms) / sizeof(provider_forms[0]); k++) {
            char text[2048], other[96];
            const char *at;
            struct hits hs;

            if (ctx && provider_forms[k].token_only)
                continue;
            provider_form(text, sizeof(text), provider_forms[k].fmt, field[2], field[3]);
            at = strstr(text, field[3]);
            assert_non_null(at);
            hs = scan_str(text);
            forms++;
            fs_score->forms++;
            if (found_by_exactly(&hs, field[0], (size_t)(at - text),
                                 (size_t)(at - text) + strlen(field[3]), other, sizeof(other))) {
                found++;
                fs_score->found++;
            } else {
                printf("  missed: %s in form %s%s%s\n", field[0], provider_forms[k].name,
                       other[0] != '\0' ? ", reported as " : "", other);
            }
            free(hs.v);
        }
        for (size_t k = 4; k < nf; k++) {
            char text[2048];
            size_t o = 0;
            struct hits hs;

            /* "\n" in a negative stands for a line break. */
            for (const char *p = field[k]; *p != '\0' && o + 2 < sizeof(text); p++) {
                if (p[0] == '\\' && p[1] == 'n') {
                    text[o++] = '\n';
                    p++;
                } else {
                    text[o++] = *p;
                }
            }
            text[o++] = '\n';
            text[o] = '\0';
            hs = scan_str(text);
            negs++;
            fs_score->negs++;
            for (size_t i = 0; i < hs.n; i++) {
                if (!hs.v[i].example) {
                    flagged++;
                    fs_score->flagged++;
                    printf("  false positive: %s on a negative of %s: %s", hs.v[i].rule, field[0],
                           text);
                    break;
                }
            }
            free(hs.v);
        }
    }
    buf_free(&tsv);
    printf("provider samples by family (positives found in their forms / negatives flagged):\n");
    for (size_t i = 0; i < nfam; i++)
        printf("  %-22s recall %3zu/%-3zu %5.1f%%  false positives %zu/%zu\n", fam[i].provider,
               fam[i].found, fam[i].forms, 100.0 * (double)fam[i].found / (double)fam[i].forms,
               fam[i].flagged, fam[i].negs);
    printf("provider samples: %zu rules, recall %zu/%zu (%.1f%%), false positives %zu/%zu\n",
           rows, found, forms, forms > 0 ? 100.0 * (double)found / (double)forms : 0.0, flagged,
           negs);
    assert_true(rows >= 100);
    assert_int_equal(found, forms);
    assert_int_equal(flagged, 0);
}

/* Name/value forms the generic rules understand, and values they must not report. */
static void
test_generic_forms(void **state)
{
    (void)state;
    struct {
        const char *text;
        const char *rule; /* NULL: nothing */
    } cases[] = {
        {"<config>\n  <apiKey>\n    Zk9qR2x3TnBzVjV0WThk\n  </apiKey>\n</config>\n",
         "secret.generic-secret"},
        {"<password>Vq8rT2mXw41k</password>\n", "secret.generic-password"},
        {"<add key=\"ApiKey\" value=\"Zk9qR2x3TnBzVjV0WThk\" />\n", "secret.generic-secret"},
        {"{\"cfg\": \"{\\\"password\\\": \\\"Vq8rT2mXw41k\\\"}\"}\n", "secret.generic-password"},
        {"{\"env\": \"A=1\\nDB_PASSWORD=Vq8rT2mXw41k\\nB=2\"}\n", "secret.generic-password"},
        {"$password .= 'Vq8rT2mXw41k';\n", "secret.generic-password"},
        {"DB_PASSWORD ::= Vq8rT2mXw41k\n", "secret.generic-password"},
        {"DB_PASSWORD :::= Vq8rT2mXw41k\n", "secret.generic-password"},
        {"DB_PASSWORD ?= Vq8rT2mXw41k\n", "secret.generic-password"},
        {"db:\n  password: |\n    Vq8rT2mXw41k\n", "secret.generic-password"},
        {"db:\n  password: >-\n    Vq8rT2mXw41k\n", "secret.generic-password"},
        {"spring.datasource.password Vq8rT2mXw41k\n", "secret.generic-password"},
        {"set -x DB_PASSWORD Vq8rT2mXw41k\n", "secret.generic-password"},
        {"$env:API_TOKEN = \"Zk9qR2x3TnBzVjV0WThk\"\n", "secret.generic-secret"},
        {"./deploy --db-password Vq8rT2mXw41k --verbose\n", "secret.generic-password"},
        {"./deploy --api-token=Zk9qR2x3TnBzVjV0WThk --verbose\n", "secret.generic-secret"},
        {"curl -H 'X-Api-Key: Zk9qR2x3TnBzVjV0WThk' https://api.internal\n",
         "secret.generic-secret"},
        {"mysqldump -u backup -pVq8rT2mXw41k orders\n", "secret.cli-password"},
        {"sqlcmd -S db -U sa -P Vq8rT2mXw41k -i a.sql\n", "secret.cli-password"},
        {"proxy_set_header Authorization \"Bearer Zk9qR2x3TnBzVjV0WThkRjFh\";\n",
         "secret.authorization-bearer"},
        {"amqp_url = 'nats://app:Vq8rT2mXw41k@bus.internal:4222'\n", "secret.url-credentials"},
        {"redis://:Vq8rT2mXw41k@cache.internal:6379/0\n", "secret.database-connection-string"},
        /* Not secrets. */
        {"api_key = \"fake-Zk9qR2x3TnBzVjV0\"\n", NULL},
        {"DB_PASSWORD=dummy_Vq8rT2mX\n", NULL},
        {"client_secret = \"myExampleSecret123\"\n", NULL},
        {"password = \"doesnt start right\"\n", NULL},
        {"[DEBUG] Using API_KEY=<masked>\n", NULL},
        {"[DEBUG] Using API_KEY=****wxyz\n", NULL},
        {"token = \"tokenizer_v2_config\"\n", NULL},
        {"id = K1WcrsV882aK-AIzapIlg4snTa68YpnJjnWfvzbZPWyqdl0gZ72Q\n", NULL},
        {"password = \"#{ENV['DB_PASSWORD']}\"\n", NULL},
        {"api_key: \"op://vault/item/api-key\"\n", NULL},
        {"mysql -u root -p app\n", NULL},
        {"pg_dump --no-password --host db.internal app\n", NULL},
        {"<serviceUrl>\n  postgres://app:<password>@db.internal/main\n</serviceUrl>\n", NULL},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct hits hs = scan_str(cases[i].text);
        if (cases[i].rule == NULL && hs.n != 0)
            fail_msg("case %zu: unexpected %s in: %s", i, hs.v[0].rule, cases[i].text);
        if (cases[i].rule != NULL && !has_rule(&hs, cases[i].rule))
            fail_msg("case %zu: %s not found in: %s", i, cases[i].rule, cases[i].text);
        free(hs.v);
    }
}

/* Dense keywords (Python sources): every generic hit's PCRE2 search starts near its keyword,
 * so a megabyte of `token = self.token` lines scans fast and finds the one real value. */
static void
test_generic_dense_keywords(void **state)
{
    (void)state;
    const char line[] = "        token = self.token_for(request.auth_token, secret=None)\n";
    size_t n = (1u << 20) / (sizeof(line) - 1), len = n * (sizeof(line) - 1);
    char *buf = malloc(len + 64);
    struct hits hs = {0};
    double t0;

    assert_non_null(buf);
    for (size_t i = 0; i < n; i++)
        memcpy(buf + i * (sizeof(line) - 1), line, sizeof(line) - 1);
    memcpy(buf + len / 2 - (len / 2) % (sizeof(line) - 1), "API_TOKEN=Zk9qR2x3TnBzVjV0WThk\n", 31);
    t0 = now_sec();
    assert_int_equal(detect_scan(eng, buf, len, collect, &hs), 0);
    printf("dense keywords: %zu bytes in %.3f s, %zu hits\n", len, now_sec() - t0, hs.n);
    assert_int_equal(hs.n, 1);
    assert_string_equal(hs.v[0].rule, "secret.generic-secret");
    free(hs.v);
    free(buf);
}

/* ---- One engine, many threads (--jobs) --------------------------------------------------- */
struct th_arg {
    struct detect_engine *e;
    const char *text;
    size_t len;
    size_t n;       /* hits of the last round */
    size_t sum;     /* a digest of them: rule index, offsets */
    int rc, differs;
};

static int
th_collect(const struct detect_hit *h, void *user)
{
    struct th_arg *a = user;
    a->n++;
    a->sum = a->sum * 31 + h->secret_start * 7 + h->secret_end + (size_t)h->line +
             (size_t)(uintptr_t)h->rule;
    return 0;
}

static void *
th_scan(void *p)
{
    struct th_arg *a = p;
    size_t first_n = 0, first_sum = 0;

    for (int round = 0; round < 12 && a->rc == 0; round++) {
        a->n = a->sum = 0;
        if (round % 2 == 0) {
            a->rc = detect_scan(a->e, a->text, a->len, th_collect, a);
        } else {
            struct detect_stream *st;
            a->rc = detect_stream_open(a->e, th_collect, a, &st);
            for (size_t off = 0; a->rc == 0 && off < a->len; off += 4093)
                a->rc = detect_stream_feed(st, a->text + off, a->len - off < 4093 ? a->len - off : 4093);
            int rc2 = detect_stream_close(st);
            if (a->rc == 0)
                a->rc = rc2;
        }
        if (round == 0) {
            first_n = a->n;
            first_sum = a->sum;
        } else if (a->n != first_n || a->sum != first_sum) {
            a->differs = 1;
        }
    }
    return NULL;
}

static void
test_threads_share_one_engine(void **state)
{
    struct detect_engine *e;
    struct buf text = {0};
    struct th_arg a[6], ref;
    pthread_t th[6];
    (void)state;

    /* Many rule kinds, so the threads race to compile their PCRE2 code lazily on a new engine. */
    for (int i = 0; i < 300; i++)
        assert_int_equal(buf_printf(&text,
                                    "GITHUB_TOKEN=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\n"
                                    "aws_access_key_id = AKIAZ7Q4RT2WX9LM%04d\n"
                                    "db_password = \"Zq8vN3xL5tR7wK%04d\"\n"
                                    "url = postgres://app:Pw%04dxYz@db.internal/app\n"
                                    "glpat-Xq7Rw2Lp9Vt4Kz8Mn3Bc plain text line %d\n",
                                    i, i, i, i),
                         0);
    assert_int_equal(detect_open(&e), 0);
    for (int t = 0; t < 6; t++) {
        a[t] = (struct th_arg){e, text.data, text.len, 0, 0, 0, 0};
        assert_int_equal(pthread_create(&th[t], NULL, th_scan, &a[t]), 0);
    }
    for (int t = 0; t < 6; t++)
        pthread_join(th[t], NULL);
    /* The same hits on every thread, in every round, as one thread alone finds. */
    ref = (struct th_arg){eng, text.data, text.len, 0, 0, 0, 0};
    assert_int_equal(detect_scan(eng, text.data, text.len, th_collect, &ref), 0);
    assert_true(ref.n >= 1200);
    for (int t = 0; t < 6; t++) {
        assert_int_equal(a[t].rc, 0);
        assert_int_equal(a[t].differs, 0);
        assert_int_equal(a[t].n, ref.n);
        assert_true(a[t].sum == ref.sum);
    }
    detect_close(e);
    buf_free(&text);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_rule_compiles),
        cmocka_unit_test(test_every_rule_documented),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_placeholders),
        cmocka_unit_test(test_filters),
        cmocka_unit_test(test_redact_fingerprint),
        cmocka_unit_test(test_scan_basics),
        cmocka_unit_test(test_generic_rules),
        cmocka_unit_test(test_stream_every_split),
        cmocka_unit_test(test_stream_large),
        cmocka_unit_test(test_hostile_input),
        cmocka_unit_test(test_findings_and_baseline),
        cmocka_unit_test(test_quality_fixtures),
        cmocka_unit_test(test_provider_samples),
        cmocka_unit_test(test_generic_forms),
        cmocka_unit_test(test_generic_dense_keywords),
        cmocka_unit_test(test_threads_share_one_engine),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
