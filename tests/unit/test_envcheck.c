/* Unit tests of envcheck/: the lexer (the dialect table's vectors, spans, recovery, hostile
 * input), resolution, portability triggers, the hygiene helpers, and every rule both ways. */
#include <sys/stat.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "helper.h"

#include "common.h"
#include "envcheck.h"
#include "envcheck_internal.h"

static char tmpdir[256];

static int
setup(void **state)
{
    (void)state;
    return test_mkdtemp(tmpdir, sizeof(tmpdir), "test_envcheck");
}

static int
teardown(void **state)
{
    (void)state;
    return test_rmtree(tmpdir);
}

static void
lex_str(const char *s, struct env_file *f)
{
    assert_int_equal(env_lex(s, strlen(s), "t.env", f), 0);
}

static const struct env_entry *
get(const struct env_file *f, const char *key)
{
    const struct env_entry *e = env_file_get(f, key);
    if (e == NULL)
        fail_msg("no entry %s", key);
    return e;
}

/* ---- Lexer -------------------------------------------------------------------------------- */

/* The rows of the reference's table of disagreements: Compose's reading of each. */
static void
test_lex_dialect_vectors(void **state)
{
    struct env_file f;
    (void)state;
    lex_str("B= spaced\n"
            "E=val # comment\n"
            "F=val# notcomment\n"
            "G=\"line1\\nline2\"\n"
            "H='line1\\nline2'\n"
            "I=\"has $HOME\"\n"
            "J='has $HOME'\n"
            "K=${HOME}/x\n"
            "L=\"multi\nline\"\n"
            "export M=x\n"
            "N=\"esc \\\"q\\\"\"\n"
            "O='it\\'s'\n"
            "P=a b c\n"
            "Q=`backtick`\n",
            &f);
    assert_int_equal(f.nerrors, 0);
    assert_int_equal(f.n, 14);
    assert_string_equal(get(&f, "B")->value, "spaced");
    assert_string_equal(get(&f, "E")->value, "val");
    assert_true(get(&f, "E")->flags & ENV_F_COMMENT);
    assert_string_equal(get(&f, "F")->value, "val# notcomment");
    assert_string_equal(get(&f, "G")->value, "line1\nline2");
    assert_int_equal(get(&f, "G")->quote, ENV_QUOTE_DOUBLE);
    assert_string_equal(get(&f, "H")->value, "line1\\nline2");
    assert_int_equal(get(&f, "H")->quote, ENV_QUOTE_SINGLE);
    assert_string_equal(get(&f, "I")->value, "has $HOME");
    assert_int_equal(get(&f, "I")->nrefs, 1);
    assert_string_equal(get(&f, "J")->value, "has $HOME");
    assert_int_equal(get(&f, "J")->nrefs, 0);
    assert_string_equal(get(&f, "K")->value, "${HOME}/x");
    assert_int_equal(get(&f, "K")->nrefs, 1);
    assert_true(get(&f, "K")->refs[0].braced);
    assert_string_equal(get(&f, "L")->value, "multi\nline");
    assert_true(get(&f, "L")->flags & ENV_F_MULTILINE);
    assert_string_equal(get(&f, "M")->value, "x");
    assert_true(get(&f, "M")->flags & ENV_F_EXPORT);
    assert_string_equal(get(&f, "N")->value, "esc \"q\"");
    assert_string_equal(get(&f, "O")->value, "it's");
    assert_string_equal(get(&f, "P")->value, "a b c");
    assert_string_equal(get(&f, "Q")->value, "`backtick`");
    env_file_free(&f);

    /* R: an unterminated quote is an error; Compose rejects the file, we go on */
    lex_str("A=1\nR=\"unterminated\nZ=2\n", &f);
    assert_int_equal(f.nerrors, 1);
    assert_int_equal(f.diags[0].kind, ENV_DIAG_ERROR);
    assert_int_equal(f.diags[0].line, 2);
    assert_int_equal(f.diags[0].column, 3);
    assert_non_null(strstr(f.diags[0].message, "unterminated"));
    assert_null(env_file_get(&f, "R"));
    assert_string_equal(get(&f, "Z")->value, "2");
    env_file_free(&f);
}

static void
test_lex_spans(void **state)
{
    struct env_file f;
    const struct env_entry *e;
    (void)state;
    lex_str("# c\n  KEY = 'v w' # x\nexport  EX=\"a\nbc\"\nLAST=z", &f);
    e = get(&f, "KEY");
    assert_int_equal(e->key_span.line, 2);
    assert_int_equal(e->key_span.column, 3);
    assert_int_equal(e->key_span.end_column, 6);
    assert_int_equal(e->value_span.column, 9);
    assert_int_equal(e->value_span.end_column, 14);
    assert_int_equal(e->value_span.end - e->value_span.start, 5);
    assert_int_equal(e->stmt.column, 3);
    assert_true(e->flags & ENV_F_COMMENT);
    e = get(&f, "EX");
    assert_int_equal(e->stmt.line, 3);
    assert_int_equal(e->key_span.column, 9);
    assert_int_equal(e->value_span.line, 3);
    assert_int_equal(e->value_span.end_line, 4);
    assert_int_equal(e->value_span.end_column, 4);
    e = get(&f, "LAST");
    assert_int_equal(e->stmt.line, 5);
    assert_int_equal(f.nlines, 5);
    env_file_free(&f);
}

static void
test_lex_bom_crlf_forms(void **state)
{
    struct env_file f;
    (void)state;
    lex_str("\xef\xbb\xbf"
            "A=1\r\nB=\"x\"\r\nC\r\nD: yaml\r\nexport\r\n",
            &f);
    assert_true(f.has_bom);
    assert_int_equal(f.ncrlf, 5);
    assert_int_equal(f.nerrors, 0);
    assert_int_equal(f.diags[0].kind, ENV_DIAG_BOM);
    assert_int_equal(f.diags[1].kind, ENV_DIAG_CRLF);
    assert_int_equal(f.diags[1].line, 1);
    assert_string_equal(get(&f, "A")->value, "1");
    assert_int_equal(get(&f, "A")->key_span.column, 1); /* columns start after the BOM */
    assert_true(get(&f, "A")->flags & ENV_F_CRLF);
    assert_string_equal(get(&f, "B")->value, "x");
    assert_true(get(&f, "C")->flags & ENV_F_NO_EQUALS);
    assert_string_equal(get(&f, "C")->value, "");
    assert_true(get(&f, "D")->flags & ENV_F_COLON);
    assert_string_equal(get(&f, "D")->value, "yaml");
    assert_true(get(&f, "export")->flags & ENV_F_NO_EQUALS);
    env_file_free(&f);
}

static void
test_lex_refs_and_escapes(void **state)
{
    struct env_file f;
    const struct env_entry *e;
    (void)state;
    lex_str("S=${A:-${B}x}y$$z\nT=\"a\\$b $$c \\t\"\nU=${BAD\nV=$1x ${C?need} ${D+alt}\n", &f);
    e = get(&f, "S");
    assert_string_equal(e->value, "${A:-${B}x}y$z");
    assert_int_equal(e->nrefs, 1);
    assert_string_equal(e->refs[0].op, ":-");
    assert_int_equal(e->refs[0].name_len, 1);
    assert_memory_equal(e->value + e->refs[0].arg_start, "${B}x", 5);
    assert_true(e->flags & ENV_F_DOLLAR_ESC);
    e = get(&f, "T");
    assert_string_equal(e->value, "a$b $c \t");
    assert_int_equal(e->nrefs, 0);
    e = get(&f, "U");
    assert_true(e->flags & ENV_F_BAD_REF);
    assert_int_equal(f.nerrors, 0);
    e = get(&f, "V");
    assert_int_equal(e->nrefs, 2);
    assert_string_equal(e->refs[0].op, "?");
    assert_string_equal(e->refs[1].op, "+");
    env_file_free(&f);
}

static void
test_lex_errors_recover(void **state)
{
    struct env_file f;
    (void)state;
    lex_str("GOOD1=a\nbad key=1\n=x\nK!=1\nV=\"x\"junk\nGOOD2=b\n", &f);
    assert_int_equal(f.nerrors, 4);
    assert_int_equal(f.diags[0].line, 2);
    assert_int_equal(f.diags[0].column, 5);
    assert_non_null(strstr(f.diags[0].message, "space"));
    assert_int_equal(f.diags[1].line, 3);
    assert_int_equal(f.diags[2].line, 4);
    assert_int_equal(f.diags[2].column, 2);
    assert_int_equal(f.diags[3].line, 5);
    assert_int_equal(f.n, 2);
    assert_string_equal(get(&f, "GOOD2")->value, "b");
    /* messages never quote the value */
    assert_null(strstr(f.diags[3].message, "junk"));
    env_file_free(&f);
}

/* Every kind of error, each followed by a good line the lexer must still read. */
static void
test_lex_error_kinds(void **state)
{
    static const struct {
        const char *line;
        const char *message;
        int column;
    } cases[] = {
        {"bad key=1", "the variable name contains a space", 5},
        {"DEBUG_HTTP true", "no '=' after the variable name", 12},
        {"=1", "missing variable name before '='", 1},
        {": x", "missing variable name before ':'", 1},
        {"*A=1", "a statement must start with a variable name", 1},
        {"K*Y=1", "unexpected character '*' in the variable name", 2},
        {"K\x01=1", "unexpected byte 0x01 in the variable name", 2},
        {"V=\"x\"junk", "unexpected text after the closing quote of V", 6},
        {"V='x' y", "unexpected text after the closing quote of V", 7},
        {"V=\"open", "unterminated double-quoted value", 3},
        {"V='open", "unterminated single-quoted value", 3},
    };
    char buf[256];
    struct env_file f;
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        snprintf(buf, sizeof(buf), "A=1\n%s\nGOOD=2\n", cases[i].line);
        lex_str(buf, &f);
        if (f.nerrors != 1 || f.ndiags != 1 || strstr(f.diags[0].message, cases[i].message) == NULL)
            fail_msg("%s: %zu errors, first '%s'", cases[i].line, f.nerrors,
                     f.ndiags ? f.diags[0].message : "");
        assert_int_equal(f.diags[0].line, 2);
        assert_int_equal(f.diags[0].column, cases[i].column);
        assert_int_equal(f.n, 2);
        assert_string_equal(get(&f, "GOOD")->value, "2");
        assert_int_equal(get(&f, "GOOD")->stmt.line, 3);
        env_file_free(&f);
    }
}

/* How far an open quote runs: to its closing quote when only blanks or a comment follow it,
 * never more than ENV_MAX_QUOTE_LINES lines; otherwise it is unterminated and the lexer goes on
 * at the line after it. */
static void
test_lex_open_quote_recovery(void **state)
{
    struct env_file f;
    struct buf b = {0};
    (void)state;
    /* a multi-line value that closes properly */
    lex_str("A=\"one\ntwo\" # c\nB=2\n", &f);
    assert_int_equal(f.nerrors, 0);
    assert_string_equal(get(&f, "A")->value, "one\ntwo");
    env_file_free(&f);
    /* the next quote opens another statement: A is unterminated, B, C and D are read */
    lex_str("A=\"open\nB=2\nC=\"x\"\nD=4\n", &f);
    assert_int_equal(f.nerrors, 1);
    assert_int_equal(f.diags[0].line, 1);
    assert_non_null(strstr(f.diags[0].message, "on line 3, is followed by text"));
    assert_int_equal(f.n, 3);
    assert_string_equal(get(&f, "C")->value, "x");
    assert_int_equal(get(&f, "D")->stmt.line, 4);
    env_file_free(&f);
    /* exactly ENV_MAX_QUOTE_LINES lines: accepted; one more: unterminated, the rest read */
    buf_append(&b, "A=\"", 3);
    for (unsigned i = 1; i < ENV_MAX_QUOTE_LINES; i++)
        buf_append(&b, "x\n", 2);
    buf_append(&b, "end\"\nB=1\n", 8);
    assert_int_equal(env_lex(b.data, b.len, "t.env", &f), 0);
    assert_int_equal(f.nerrors, 0);
    assert_int_equal(get(&f, "B")->stmt.line, (int)ENV_MAX_QUOTE_LINES + 1);
    env_file_free(&f);
    b.len = 3;
    for (unsigned i = 1; i <= ENV_MAX_QUOTE_LINES; i++)
        buf_append(&b, "x\n", 2);
    buf_append(&b, "end\"\nB=1\n", 8);
    assert_int_equal(env_lex(b.data, b.len, "t.env", &f), 0);
    assert_int_equal(f.nerrors, 2); /* the open quote, and the stray one at the end */
    assert_non_null(strstr(f.diags[0].message, "not closed within"));
    assert_int_equal(f.diags[0].line, 1);
    assert_string_equal(f.entries[0].key, "x");
    assert_int_equal(f.entries[0].stmt.line, 2);
    assert_int_equal(get(&f, "B")->stmt.line, (int)ENV_MAX_QUOTE_LINES + 2);
    env_file_free(&f);
    buf_free(&b);
}

static void
test_lex_binary_and_limits(void **state)
{
    struct env_file f;
    static const char nul[] = "A=1\nB=x\0y\nC=\xff\xfe\nD=2\n";
    char *big;
    size_t n = 3 * 1024 * 1024;
    (void)state;
    assert_int_equal(env_lex(nul, sizeof(nul) - 1, "b.env", &f), 0);
    assert_int_equal(f.n, 3);
    assert_int_equal(f.diags[0].kind, ENV_DIAG_UTF8);
    assert_int_equal(f.diags[0].line, 3);
    assert_int_equal(f.diags[1].kind, ENV_DIAG_NUL);
    assert_int_equal(f.diags[1].line, 2);
    env_file_free(&f);

    /* many bad lines: diags are bounded, every error still counted */
    big = malloc(n);
    assert_non_null(big);
    for (size_t i = 0; i < n; i += 2) {
        big[i] = '=';
        big[i + 1] = '\n';
    }
    assert_int_equal(env_lex(big, n, "big.env", &f), 0);
    assert_int_equal(f.ndiags, ENV_MAX_DIAGS);
    assert_int_equal(f.nerrors, n / 2);
    env_file_free(&f);
    /* one huge line: over ENV_MAX_VALUE_LEN, an error, and never copied */
    memset(big, 'a', n);
    memcpy(big, "K=", 2);
    assert_int_equal(env_lex(big, n, "big.env", &f), 0);
    assert_int_equal(f.nerrors, 1);
    assert_int_equal(f.n, 0);
    assert_true(f.strings_cap < 16);
    env_file_free(&f);
    free(big);
    assert_int_equal(env_lex("x", (size_t)ENV_MAX_FILE_SIZE + 1, "huge", &f), ERR_LIMIT);
    env_file_free(&f);
}

/* Every prefix of a file with every construct: no crash, spans inside the data. */
static void
test_lex_truncations(void **state)
{
    static const char s[] = "\xef\xbb\xbf# c\nexport A=\"x\\n${B:-${C}}\"\r\nD='it\\'s' # c\n"
                            "E=${F\nG: y\nH\nI=\"multi\nline\" \nJ=a # b\n";
    (void)state;
    for (size_t n = 0; n <= sizeof(s) - 1; n++) {
        struct env_file f;
        assert_int_equal(env_lex(s, n, "t.env", &f), 0);
        for (size_t i = 0; i < f.n; i++) {
            const struct env_entry *e = &f.entries[i];
            assert_true(e->value_span.end <= n);
            assert_true(e->key_span.start < e->key_span.end);
            assert_int_equal(strlen(e->key), e->key_len);
            for (size_t k = 0; k < e->nrefs; k++)
                assert_true(e->refs[k].end <= e->value_len);
        }
        env_file_free(&f);
    }
}

static void
test_lex_file_refuses_symlink(void **state)
{
    char p[300], l[300];
    struct env_file f;
    (void)state;
    snprintf(p, sizeof(p), "%s/real.env", tmpdir);
    snprintf(l, sizeof(l), "%s/link.env", tmpdir);
    assert_int_equal(file_write_atomic(p, "A=1\n", 4, 0600), 0);
    assert_int_equal(symlink(p, l), 0);
    assert_int_equal(env_lex_file(l, &f), ERR_UNSAFE);
    env_file_free(&f);
    assert_int_equal(env_lex_file(tmpdir, &f), ERR_IO);
    env_file_free(&f);
    assert_int_equal(env_lex_file(p, &f), 0);
    assert_string_equal(get(&f, "A")->value, "1");
    env_file_free(&f);
}

/* ---- Resolution --------------------------------------------------------------------------- */

static const char *
lookup_env(const char *name, void *user)
{
    (void)user;
    return strcmp(name, "FROM_OS") == 0 ? "os" : strcmp(name, "A") == 0 ? "os-wins" : NULL;
}

static void
resolve(const struct env_file *f, const char *key, const char *want)
{
    struct buf b = {0};
    assert_int_equal(env_resolve(f, get(f, key), lookup_env, NULL, &b), 0);
    assert_string_equal(b.data, want);
    buf_free(&b);
}

static void
test_resolve_like_compose(void **state)
{
    struct env_file f;
    struct buf b = {0};
    (void)state;
    lex_str("A=file\nB=x${A}y\nC=${NOPE:-d${B}}\nD=${B:+alt}${NOPE+no}\nE=$FROM_OS/$$\n"
            "F='${A}'\nG=${NOPE?must be set}\nH=${EMPTY:-e}${EMPTY-u}\nEMPTY=\nI=${EMPTY:-e}|${EMPTY-u}\n",
            &f);
    resolve(&f, "B", "xos-winsy");
    resolve(&f, "C", "dxos-winsy");
    resolve(&f, "D", "alt");
    resolve(&f, "E", "os/$");
    resolve(&f, "F", "${A}");
    resolve(&f, "H", "eu");
    resolve(&f, "I", "e|");
    assert_int_equal(env_resolve(&f, get(&f, "G"), NULL, NULL, &b), ERR_NOTFOUND);
    assert_non_null(strstr(err_message(), "NOPE"));
    buf_free(&b);
    env_file_free(&f);
    /* KEY alone: from the environment */
    lex_str("FROM_OS\nNOT_SET\nX=${FROM_OS}${NOT_SET:-none}\n", &f);
    resolve(&f, "FROM_OS", "os");
    resolve(&f, "NOT_SET", "");
    resolve(&f, "X", "osnone");
    env_file_free(&f);
}

/* ---- Portability -------------------------------------------------------------------------- */

struct port_seen {
    char ids[64][32];
    unsigned dia[64];
    int n;
};

static int
port_cb(const struct env_portability *p, void *user)
{
    struct port_seen *s = user;
    if (s->n < 64) {
        snprintf(s->ids[s->n], sizeof(s->ids[0]), "%s", p->id);
        s->dia[s->n++] = p->dialects;
    }
    return 0;
}

static unsigned
port_of(const char *line, const char *id)
{
    struct env_file f;
    struct port_seen s;
    unsigned d = 0;
    memset(&s, 0, sizeof(s));
    lex_str(line, &f);
    assert_int_equal(env_portability_scan(&f, port_cb, &s), 0);
    env_file_free(&f);
    for (int i = 0; i < s.n; i++)
        if (strcmp(s.ids[i], id) == 0)
            d |= s.dia[i] | 0x80000000u;
    return d;
}

#define DOCKER (1u << ENV_DIALECT_DOCKER_RUN)
#define BASH   (1u << ENV_DIALECT_BASH)
#define PY     (1u << ENV_DIALECT_PYTHON)
#define NODE   (1u << ENV_DIALECT_NODE)

static void
test_portability_vectors(void **state)
{
    (void)state;
    assert_true(port_of("B= spaced\n", "space-after-equals") & DOCKER);
    assert_true(port_of("B= spaced\n", "space-after-equals") & BASH);
    assert_true(port_of("E=val # comment\n", "inline-comment") & DOCKER);
    assert_true(port_of("F=val# notcomment\n", "hash-no-space") & NODE);
    assert_false(port_of("F=val#x\n", "hash-no-space") & BASH);
    assert_true(port_of("G=\"line1\\nline2\"\n", "double-escapes") & BASH);
    assert_true(port_of("G=\"line1\\nline2\"\n", "quotes") & DOCKER);
    assert_true(port_of("I=\"has $HOME\"\n", "interpolation") & PY);
    assert_true(port_of("J='has ${HOME}'\n", "single-interpolation") & PY);
    assert_false(port_of("J='has $HOME'\n", "single-interpolation"));
    assert_true(port_of("K=${HOME}/x\n", "interpolation") & NODE);
    assert_false(port_of("K=${HOME}/x\n", "interpolation") & PY);
    assert_true(port_of("L=\"multi\nline\"\n", "multiline") & DOCKER);
    assert_true(port_of("export M=x\n", "export") & DOCKER);
    assert_true(port_of("N=\"esc \\\"q\\\"\"\n", "double-escapes") & NODE);
    assert_true(port_of("O='it\\'s'\n", "single-escape") & BASH);
    assert_true(port_of("O='it\\'s'\n", "single-escape") & NODE);
    assert_true(port_of("P=a b c\n", "unquoted-space") & BASH);
    assert_true(port_of("Q=`backtick`\n", "command-substitution") & BASH);
    assert_true(port_of("Q=$(id)\n", "command-substitution") & BASH);
    assert_true(port_of("T\n", "no-equals") & PY);
    assert_true(port_of("U: yaml\n", "colon") & DOCKER);
    assert_true(port_of("a.b=1\n", "key-chars") & BASH);
    assert_true(port_of("A$=$$\n", "dollar-escape") == 0); /* a syntax error, not lexed */
    assert_true(port_of("A=$$\n", "dollar-escape") & BASH);
    assert_true(port_of("\xef\xbb\xbf" "A=1\n", "bom") & PY);
    /* plain lines agree everywhere */
    assert_int_equal(port_of("PLAIN=value\n", "quotes"), 0);
    assert_int_equal(port_of("PLAIN=value\n", "unquoted-space"), 0);
}

/* The real readers, run on each line: bash (no PATH, so nothing external can run) and
 * python-dotenv. Where one's value differs from Compose's (our lexer and env_resolve), the
 * portability scan must name it, and where it agrees it must not. */
static const char *
home_lookup(const char *name, void *user)
{
    (void)user;
    return strcmp(name, "HOME") == 0 ? "/home/u" : NULL;
}

/* The table: each line in a file of its own, read by Compose's rules (our lexer and
 * env_resolve) and by each real reader; a reader whose value differs must be named by the
 * portability scan, and one that agrees must not. docker run --env-file is checked the same
 * way with Podman in tests/e2e/test_validate.sh (it needs the engine service). */
static const char *const reader_lines[] = {
    "KEY= spaced", "KEY=val # comment", "KEY=val# notcomment", "KEY=\"line1\\nline2\"",
    "KEY='line1\\nline2'", "KEY=\"has $HOME\"", "KEY='has $HOME'", "KEY=${HOME}/x",
    "KEY=\"multi\nline\"", "export KEY=x", "KEY=\"esc \\\"q\\\"\"", "KEY='it\\'s'",
    "KEY=a b c", "KEY=`backtick`", "KEY=$$", "KEY=x\\y", "KEY=plain", "KEY='${HOME}'",
    "KEY=\"a'b\"", "KEY=a'b'c", "KEY=\"tab\\there\"", "KEY=\"d\\$x\"", "KEY=$(id)",
    "KEY=\"x\" # c", "KEY=", "KEY: yaml", "KEY", "KEY = x", "KEY=a;b", "KEY=#x",
    "KEY= #x", "KEY=a&&b", "KEY=\"q \\` r\"", "KEY=\"${HOME:-d}\"", "KEY=${NOPE:-d}",
    "KEY=${NOPE-d}", "KEY=${HOME:+alt}", "KEY=\"${HOME}\"", "KEY='a \"b\"'",
    /* issue 17 */
    "KEY=cost$5", "KEY=~/dir", "KEY=\"$(echo hi)\"", "KEY=\"val\"# comment", "KEY=val\t# c",
    "\xef\xbb\xbfKEY=1",
    /* around them */
    "KEY=x:~/y", "KEY=a~b", "KEY=\"~/dir\"", "KEY=\"`echo hi`\"", "KEY=\"a$1b\"", "KEY=a$?b",
    "KEY='val'#c", "KEY=\"val\" #c", "KEY=val\t#c", "KEY=v\tw", "KEY=a\t b # c", "KEY=$HOME",
    NULL};

#define NREADERS 3
static const char *const reader_names[NREADERS] = {"bash", "python-dotenv", "node dotenv"};
static const unsigned reader_bits[NREADERS] = {BASH, PY, NODE};

/* Runs `cmd` (it reads every file given after it) and splits its NUL-separated output. */
static void
read_all(const char *cmd, char **val, size_t n)
{
    static char out[65536];
    FILE *fp = popen(cmd, "r");
    size_t got, k = 0;
    char *p = out;

    assert_non_null(fp);
    got = fread(out, 1, sizeof(out) - 1, fp);
    out[got] = '\0';
    pclose(fp);
    for (size_t i = 0; i < n; i++) {
        if (k >= got)
            fail_msg("reader gave %zu values for %zu files: %s", i, n, cmd);
        val[i] = strdup(p);
        k += strlen(p) + 1;
        p = out + k;
    }
}

static void
test_portability_against_real_readers(void **state)
{
    enum { MAXL = 64 };
    char *got[NREADERS][MAXL], files[8192] = "", cmd[12000], mod[512], py[64];
    const char *root = getenv("ROOT");
    size_t n = 0, flen = 0;
    int bad = 0;
    (void)state;
    for (; reader_lines[n] != NULL; n++) {
        char path[300];
        FILE *fp;
        snprintf(path, sizeof(path), "%s/rd%02zu.env", tmpdir, n);
        assert_non_null(fp = fopen(path, "w"));
        fprintf(fp, "%s\n", reader_lines[n]);
        fclose(fp);
        flen += (size_t)snprintf(files + flen, sizeof(files) - flen, " '%s'", path);
    }
    assert_true(n <= MAXL);
    /* bash, with no PATH (nothing external runs; a syntax error ends the subshell: unset);
     * python-dotenv of Debian (python3-dotenv);
     * node's dotenv from tests/package.json */
    snprintf(cmd, sizeof(cmd),
             "env -i HOME=/home/u PATH=/nonexistent /bin/bash -c 'for f; do (set -a; . \"$f\" "
             "2>/dev/null; printf \"%%s\\0\" \"${KEY-<unset>}\") || printf \"<unset>\\0\"; "
             "done' bash %s 2>/dev/null",
             files);
    read_all(cmd, got[0], n);
    snprintf(py, sizeof(py), "/usr/bin/python3");
    if (access(py, X_OK) != 0 || system("/usr/bin/python3 -s -c 'import dotenv' 2>/dev/null") != 0)
        fail_msg("python3-dotenv is missing (make deps)");
    snprintf(cmd, sizeof(cmd),
             "env -i HOME=/home/u %s -s -c 'import sys\nfrom dotenv import dotenv_values\n"
             "for f in sys.argv[1:]:\n    v = dotenv_values(f).get(\"KEY\", \"<unset>\")\n"
             "    sys.stdout.write((\"<none>\" if v is None else v) + \"\\0\")' %s 2>/dev/null",
             py, files);
    read_all(cmd, got[1], n);
    snprintf(mod, sizeof(mod), "%s/tests/node_modules/dotenv", root != NULL ? root : ".");
    if (access(mod, F_OK) != 0)
        fail_msg("%s is missing (make deps: npm ci in tests/)", mod);
    snprintf(cmd, sizeof(cmd),
             "env -i HOME=/home/u M='%s' node -e 'const fs = require(\"fs\"), "
             "d = require(process.env.M); for (const f of process.argv.slice(1)) { "
             "const v = d.parse(fs.readFileSync(f, \"utf8\")).KEY; "
             "process.stdout.write((v === undefined ? \"<unset>\" : v) + \"\\0\") }' %s "
             "2>/dev/null",
             mod, files);
    read_all(cmd, got[2], n);
    for (size_t i = 0; i < n; i++) {
        struct env_file f;
        struct port_seen seen;
        struct buf want = {0};
        unsigned flagged = 0;
        char row[1024];
        size_t o;
        lex_str(reader_lines[i], &f);
        assert_int_equal(env_resolve(&f, get(&f, "KEY"), home_lookup, NULL, &want), 0);
        memset(&seen, 0, sizeof(seen));
        assert_int_equal(env_portability_scan(&f, port_cb, &seen), 0);
        for (int k = 0; k < seen.n; k++)
            flagged |= seen.dia[k];
        o = (size_t)snprintf(row, sizeof(row), "%-22.22s | compose <%s>", reader_lines[i],
                             want.data);
        for (int r = 0; r < NREADERS; r++) {
            int differs = strcmp(got[r][i], want.data) != 0;
            int named = (flagged & reader_bits[r]) != 0;
            o += (size_t)snprintf(row + o, sizeof(row) - o, " | %s <%s>%s", reader_names[r],
                                  got[r][i], differs == named ? "" : named ? " NAMED, AGREES"
                                                                           : " DIFFERS, NOT NAMED");
            bad |= differs != named;
        }
        for (int k = 0; k < seen.n && o < sizeof(row); k++)
            o += (size_t)snprintf(row + o, sizeof(row) - o, "%s%s", k ? "," : " | ", seen.ids[k]);
        for (char *c = row; *c; c++)
            if (*c == '\n' || *c == '\t')
                *c = ' ';
        print_message("%s\n", row);
        buf_free(&want);
        env_file_free(&f);
    }
    for (int r = 0; r < NREADERS; r++)
        for (size_t i = 0; i < n; i++)
            free(got[r][i]);
    if (bad)
        fail_msg("a finding names a reader that agrees, or misses one that differs (above)");
}

/* ---- Hygiene helpers ---------------------------------------------------------------------- */

static void
test_secret_names(void **state)
{
    static const char *const yes[] = {"DB_PASSWORD", "PASSWORD", "MYSQL_ROOT_PASSWD", "API_KEY",
                                      "STRIPE_SECRET_KEY", "GITHUB_TOKEN", "PRIVATE_KEY",
                                      "GOOGLE_CREDENTIALS", "DB_PWD", "REDIS_PASS", "jwt_secret",
                                      "AWS_SECRET_ACCESS_KEY", "client-secret", NULL};
    static const char *const no[] = {"PWD", "OLDPWD", "PASSWORD_FILE", "TOKEN_URL", "DB_USER",
                                     "API_KEY_ID", "AWS_ACCESS_KEY_ID", "PUBLIC_KEY",
                                     "STRIPE_PUBLISHABLE_KEY", "SECRET_NAME", "PASSPORT_ID",
                                     "BYPASS_CACHE", "APP_NAME", "TOKEN_TTL", NULL};
    struct envcheck_config *c = envcheck_config_new();
    (void)state;
    for (int i = 0; yes[i] != NULL; i++)
        if (!envcheck_name_is_secret(c, yes[i], strlen(yes[i])))
            fail_msg("%s should name a secret", yes[i]);
    for (int i = 0; no[i] != NULL; i++)
        if (envcheck_name_is_secret(c, no[i], strlen(no[i])))
            fail_msg("%s should not name a secret", no[i]);
    assert_false(envcheck_name_is_secret(c, "LICENSE_BLOB", 12));
    assert_int_equal(envcheck_config_set(c, "secret_names", "license,dsn"), 0);
    assert_true(envcheck_name_is_secret(c, "LICENSE_BLOB", 12));
    assert_true(envcheck_name_is_secret(c, "SENTRY_DSN", 10));
    envcheck_config_free(c);
}

static void
test_value_classes(void **state)
{
    static const char *const placeholders[] = {"your_api_key_here", "<token>", "{{ secret }}",
                                               "%DB_PASS%", "xxxxxxxx", "********", "TODO",
                                               "replace-me", "example-secret", "null", NULL};
    static const char *const deny[] = {"changeme", "CHANGE_ME", "password", "P@ssw0rd!",
                                       "admin123", "123456", "root", "postgres", "letmein",
                                       "Secret", NULL};
    static const char *const repet[] = {"aaaaaaaaaaaa", "abcabcabcabc", "123456789",
                                        "abcdefgh", "qwertyuiop", "987654", NULL};
    static const char *const fine[] = {"Xk9mP2vL7qRt8wZs", "hunter-lamp-0x7", "c2VjcmV0IGRhdGE",
                                       NULL};
    (void)state;
    for (int i = 0; placeholders[i] != NULL; i++)
        if (!envcheck_is_placeholder(placeholders[i], strlen(placeholders[i])))
            fail_msg("%s should be a placeholder", placeholders[i]);
    for (int i = 0; deny[i] != NULL; i++)
        if (!envcheck_is_denylisted(deny[i], strlen(deny[i])))
            fail_msg("%s should be denylisted", deny[i]);
    for (int i = 0; repet[i] != NULL; i++)
        if (!envcheck_is_repetitive(repet[i], strlen(repet[i])))
            fail_msg("%s should be repetitive", repet[i]);
    for (int i = 0; fine[i] != NULL; i++) {
        size_t n = strlen(fine[i]);
        if (envcheck_is_placeholder(fine[i], n) || envcheck_is_denylisted(fine[i], n) ||
            envcheck_is_repetitive(fine[i], n))
            fail_msg("%s should pass the cheap checks", fine[i]);
    }
    /* zxcvbn: rates placeholders strong, which is why the cheap checks run first */
    assert_true(envcheck_strength_bits("password") < 10.0);
    assert_true(envcheck_strength_bits("your_api_key_here") > 40.0);
    assert_true(envcheck_strength_bits("Xk9mP2vL7qRt8wZs") > 60.0);
}

static void
test_redaction(void **state)
{
    char out[64];
    (void)state;
    envcheck_redact("supersecretvalue", 16, out, sizeof(out));
    assert_string_equal(out, "supe…(16 chars)");
    envcheck_redact("admin", 5, out, sizeof(out));
    assert_string_equal(out, "a…(5 chars)");
    envcheck_redact("abc", 3, out, sizeof(out));
    assert_string_equal(out, "…(3 chars)");
}

static void
test_dockerignore_and_dockerfile(void **state)
{
    static const char ign[] = "# comment\nnode_modules\n**/.env*\n!.env.example\n";
    (void)state;
    assert_true(envcheck_dockerignore_excludes(ign, strlen(ign), ".env"));
    assert_true(envcheck_dockerignore_excludes(ign, strlen(ign), "app/.env.local"));
    assert_false(envcheck_dockerignore_excludes(ign, strlen(ign), ".env.example"));
    assert_true(envcheck_dockerignore_excludes("/.env\n", 6, ".env"));
    assert_false(envcheck_dockerignore_excludes("/.env\n", 6, "sub/.env"));
    assert_true(envcheck_dockerignore_excludes("sub\n", 4, "sub/.env"));
    assert_true(envcheck_dockerignore_excludes("*.env\r\n", 7, "prod.env"));
    assert_false(envcheck_dockerignore_excludes("", 0, ".env"));
    assert_int_equal(envcheck_dockerfile_copies_context("FROM a\nCOPY . /app\n", 19), 2);
    assert_int_equal(envcheck_dockerfile_copies_context("FROM a\ncopy --chown=1:1 ./ /app\n", 32),
                     2);
    assert_int_equal(envcheck_dockerfile_copies_context("ADD [\".\", \"/app\"]\n", 18), 1);
    assert_int_equal(envcheck_dockerfile_copies_context("COPY src/ /app\nCOPY --from=b . /x\n",
                                                        35),
                     0);
}

/* ---- Rules, both ways, through envcheck_validate ------------------------------------------ */

struct rule_case {
    const char *rule;    /* id expected (or not) */
    const char *content; /* the .env */
    int fires;
    int line; /* expected line when it fires (0: any) */
};

static const struct rule_case cases[] = {
    {"ENV001", "A=1\nbad key=2\n", 1, 2},
    {"ENV001", "A=1\nB=2\n", 0, 0},
    {"ENV002", "\xef\xbb\xbf" "A=1\n", 1, 1},
    {"ENV002", "A=1\n", 0, 0},
    {"ENV003", "A=1\r\nB=2\r\n", 1, 1},
    {"ENV003", "A=1\nB=2\n", 0, 0},
    {"ENV004", "A=\xff\n", 1, 1},
    {"ENV004", "A=\xc3\xa9t\xc3\xa9\n", 0, 0},
    {"ENV010", "A=\"quoted\"\n", 1, 1},
    {"ENV010", "A=plain\n", 0, 0},
    {"ENV100", "DB_PASSWORD=changeme\n", 1, 1},
    {"ENV100", "DB_PASSWORD=qwerty123\n", 1, 1},
    {"ENV100", "API_TOKEN=aaaaaaaaaaaaaaaaaaaa\n", 1, 1},
    {"ENV100", "APP_SECRET=sunflower\n", 1, 1},
    {"ENV100", "DATABASE_URL=postgres://u:hunter2@db/app\n", 1, 1},
    {"ENV100", "DB_PASSWORD=Xk9mP2vL7qRt8wZs4NcY\n", 0, 0},
    {"ENV100", "APP_NAME=changeme\n", 0, 0},
    {"ENV101", "DB_PASSWORD=Xk9#mP2vL7q\n", 1, 1},
    {"ENV101", "DB_PASSWORD=Xk9mP2vL7qRt8wZs4NcY\n", 0, 0},
    {"ENV102", "DB_PASSWORD=Xk9mP2vL7qRt8wZs4NcY\n", 1, 1},
    {"ENV102", "DB_PASSWORD=${DB_PASSWORD_FROM_ENV}\n", 0, 0},
    {"ENV102", "DB_PASSWORD_FILE=/run/secrets/db\n", 0, 0},
    {"ENV102", "DB_PASSWORD=\n", 0, 0},
    {"ENV103", "TLS_KEY=\"-----BEGIN RSA PRIVATE KEY-----\\nMIIEowIBAAKCAQEAzx1\\n"
               "-----END RSA PRIVATE KEY-----\"\n", 1, 1},
    {"ENV103", "TLS_CERT=\"-----BEGIN CERTIFICATE-----\\nMIIE\\n-----END CERTIFICATE-----\"\n",
     0, 0},
    {"ENV104", "API_KEY=your_api_key_here\n", 1, 1},
    {"ENV104", "API_KEY=<insert key>\n", 1, 1},
    {"ENV104", "API_KEY=Xk9mP2vL7qRt8wZs4NcY\n", 0, 0},
    {"ENV200", "A=1\nB=2\nA=3\n", 1, 3},
    {"ENV200", "A=1\nB=2\n", 0, 0},
    {"ENV201", "lower=1\n", 1, 1},
    {"ENV201", "UPPER=1\n", 0, 0},
    {"ENV202", "MY-KEY=1\n", 1, 1},
    {"ENV202", "MY_KEY=1\n", 0, 0},
    {"ENV203", " A=1\n", 1, 1},
    {"ENV203", "1A=1\n", 1, 1},
    {"ENV203", "A=1\nexport B=2\n", 0, 0},
    {"ENV204", "A=1\nB\n", 1, 2},
    {"ENV204", "A=1\nB=\n", 0, 0},
    {"ENV205", "A=\"x\"\n", 1, 1},
    {"ENV205", "A=\"x y\"\n", 0, 0},
    {"ENV206", "A = 1\n", 1, 1},
    {"ENV206", "A=1\n", 0, 0},
    {"ENV207", "A=${B\n", 1, 1},
    {"ENV207", "A=${B}\n", 0, 0},
    {"ENV208", "A=1 \n", 1, 1},
    {"ENV208", "A=1\n", 0, 0},
    {"ENV209", "B=1\nA=2\n", 1, 2},
    {"ENV209", "A=1\nB=2\n\nA2=3\n", 0, 0},
    {"ENV209", "B=1\nA=${B}\n", 0, 0},
    {"ENV210", "A=x y\n", 1, 1},
    {"ENV210", "A=\"x y\"\n", 0, 0},
    {"ENV210", "A=x # comment\n", 0, 0},
    {"ENV211", "A=1\n\n\nB=2\n", 1, 3},
    {"ENV211", "A=1\n\nB=2\n", 0, 0},
    {"ENV211", "A=\"x\n\n\ny\"\n", 0, 0},
    {"ENV212", "A=1", 1, 1},
    {"ENV212", "A=1\n", 0, 0},
    /* dotenv-linter's semantics where they are subtle */
    {"ENV211", "A=1\n\n", 1, 3},          /* a blank last line: the empty one after it */
    {"ENV211", "A=1\n", 0, 0},
    {"ENV207", "Q=$NAME}\n", 1, 1},        /* a closing brace alone */
    {"ENV207", "Q=${NAME!}\n", 1, 1},      /* not a name inside */
    {"ENV207", "Q=${NAME:-dflt}\n", 1, 1}, /* dotenv-linter knows only ${NAME} */
    {"ENV207", "Q=\\${NAME\n", 0, 0},       /* escaped */
    {"ENV207", "Q='${NAME'\n", 0, 0},       /* single quotes */
    {"ENV207", "Q=$A-$B{${C}\n", 0, 0},
    {"ENV209", "M=1\nZ=2\nQ=$Z\nB=3\n", 0, 0},   /* Q refers to Z: Q starts no group */
    {"ENV209", "M=1\nZ=2\nQ=$Z\nD=3\nC=4\n", 1, 5},
    {"ENV209", "M=1\n# dotenv-linter:on\nB=2\n", 0, 0}, /* a control comment ends a group */
    {"ENV209", "M=1\n# just a comment\nB=2\n", 1, 3},
    {"ENV201", "A=1\n# dotenv-linter:off LowercaseKey\nb=2\n", 0, 0},
    {"ENV201", "# dotenv-linter:off LowercaseKey\n# dotenv-linter:on LowercaseKey\nb=2\n", 1, 3},
    {"ENV201", "#dotenv-linter:off UnorderedKey,LowercaseKey\nb=1\n", 0, 0},
    {"ENV201", "# dotenv-linter:off\nb=1\n", 1, 2},  /* no names: nothing off */
    {"ENV201", "# dotenv-linter:disable LowercaseKey\nb=1\n", 1, 2},
    {"ENV200", "# dotenv-linter:off DuplicatedKey\nA=1\nA=2\n", 0, 0},
    /* lines our lexer cannot read still get dotenv-linter's key checks */
    {"ENV202", "A*B=1\n", 1, 1},
    {"ENV204", "DEBUG_HTTP true\n", 1, 1},
    {"ENV201", "DEBUG_HTTP true\n", 1, 1},
    /* ignore comments, same line and line above */
    {"ENV100", "DB_PASSWORD=changeme # secrets:ignore\n", 0, 0},
    {"ENV100", "# secrets:ignore ENV100\nDB_PASSWORD=changeme\n", 0, 0},
    {"ENV101", "# secrets:ignore weak-value\nDB_PASSWORD=changeme\n", 0, 0},
    {"ENV100", "# secrets:ignore short-value\nDB_PASSWORD=changeme\n", 1, 2},
};

static int
has_finding(const struct findings *f, const char *rule, int line)
{
    for (size_t i = 0; i < f->n; i++)
        if (strcmp(f->items[i].rule, rule) == 0 && (line == 0 || f->items[i].line == line))
            return 1;
    return 0;
}

static int
validate_content(const char *content, struct envcheck_config *cfg, struct findings *f,
                 const char *name)
{
    char p[300];
    snprintf(p, sizeof(p), "%s/%s", tmpdir, name);
    unlink(p);
    assert_int_equal(file_write_new(p, content, strlen(content), 0600), 0);
    findings_init(f);
    return envcheck_validate(cfg, p, f);
}

static void
test_rules_both_ways(void **state)
{
    struct envcheck_config *cfg = envcheck_config_new();
    (void)state;
    envcheck_config_set(cfg, "no_example", "true");
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct findings f;
        int rc = validate_content(cases[i].content, cfg, &f, "case.env");
        assert_true(rc >= 0);
        if (has_finding(&f, cases[i].rule, cases[i].fires ? cases[i].line : 0) != cases[i].fires)
            fail_msg("case %zu: %s should %sfire on %s", i, cases[i].rule,
                     cases[i].fires ? "" : "not ", cases[i].content);
        /* no finding ever carries a value in its message */
        for (size_t k = 0; k < f.n; k++) {
            assert_null(strstr(f.items[k].message, "changeme"));
            assert_null(strstr(f.items[k].message, "hunter2"));
            assert_null(strstr(f.items[k].message, "Xk9mP2vL7q"));
        }
        findings_free(&f);
    }
    envcheck_config_free(cfg);
}

static void
test_validate_returns_parse_errors(void **state)
{
    struct envcheck_config *cfg = envcheck_config_new();
    struct findings f;
    char p[300];
    (void)state;
    envcheck_config_set(cfg, "no_example", "true");
    assert_int_equal(validate_content("A=1\n=x\nB=\"open\n", cfg, &f, "pe.env"), 2);
    findings_free(&f);
    assert_int_equal(validate_content("A=1\n", cfg, &f, "ok.env"), 0);
    findings_free(&f);
    snprintf(p, sizeof(p), "%s/missing.env", tmpdir);
    findings_init(&f);
    assert_int_equal(envcheck_validate(cfg, p, &f), ERR_NOTFOUND);
    findings_free(&f);
    envcheck_config_free(cfg);
}

/* Findings are capped per rule and per file; what is over a cap is counted in one summary
 * finding per rule, at the highest severity dropped (so --fail-on still sees it). */
static void
test_validate_caps_findings(void **state)
{
    struct envcheck_config *cfg = envcheck_config_new();
    struct findings f;
    struct buf b = {0};
    size_t env201 = 0, env209 = 0, summaries = 0;
    (void)state;
    envcheck_config_set(cfg, "no_example", "true");
    assert_int_equal(envcheck_config_set(cfg, "max_findings_per_rule", "10"), 0);
    assert_int_equal(envcheck_config_set(cfg, "max_findings", "25"), 0);
    assert_int_equal(envcheck_config_set(cfg, "max_findings", "0"), ERR_USAGE);
    assert_int_equal(envcheck_config_set(cfg, "max_findings_per_rule", "x"), ERR_USAGE);
    /* 100 lowercase keys in reverse order: 100 ENV201, 99 ENV209 */
    for (int i = 100; i > 0; i--) {
        char line[32];
        int n = snprintf(line, sizeof(line), "k%03d=v\n", i);
        buf_append(&b, line, (size_t)n);
    }
    buf_append(&b, "", 1);
    assert_int_equal(validate_content(b.data, cfg, &f, "caps.env"), 0);
    for (size_t i = 0; i < f.n; i++) {
        const struct finding *x = &f.items[i];
        if (x->line == 0 && strstr(x->message, "more") != NULL) {
            summaries++;
            if (strcmp(x->rule, "ENV201") == 0)
                assert_non_null(strstr(x->message, "90 more ENV201 findings"));
            else if (strcmp(x->rule, "ENV209") == 0)
                /* 10 ENV201 and 10 ENV209 listed, then 5 ENV210... the file cap is 25 */
                assert_int_equal(x->severity, SEV_INFO);
            continue;
        }
        env201 += strcmp(x->rule, "ENV201") == 0;
        env209 += strcmp(x->rule, "ENV209") == 0;
    }
    assert_int_equal(env201, 10);
    assert_int_equal(env209, 10);
    assert_true(f.n - summaries <= 25);
    assert_int_equal(summaries, 2);
    findings_free(&f);
    /* a severity override carries over to the summary */
    assert_int_equal(envcheck_config_set(cfg, "severity.lowercase-key", "high"), 0);
    assert_int_equal(validate_content(b.data, cfg, &f, "caps.env"), 0);
    for (size_t i = 0; i < f.n; i++)
        if (f.items[i].line == 0 && strcmp(f.items[i].rule, "ENV201") == 0)
            assert_int_equal(f.items[i].severity, SEV_HIGH);
    findings_free(&f);
    buf_free(&b);
    envcheck_config_free(cfg);
}

/* A huge key or value is not copied: it is a syntax error and the rest is read. */
static void
test_lex_length_limits(void **state)
{
    struct env_file f;
    size_t n = ENV_MAX_VALUE_LEN + 64;
    char *big = malloc(n + 64);
    (void)state;
    assert_non_null(big);
    /* unquoted value one byte over */
    memcpy(big, "A=", 2);
    memset(big + 2, 'v', ENV_MAX_VALUE_LEN + 1);
    memcpy(big + 3 + ENV_MAX_VALUE_LEN, "\nB=1\n", 6);
    assert_int_equal(env_lex(big, ENV_MAX_VALUE_LEN + 9, "t.env", &f), 0);
    assert_int_equal(f.nerrors, 1);
    assert_non_null(strstr(f.diags[0].message, "the value of A is longer than"));
    assert_int_equal(f.n, 1);
    assert_string_equal(f.entries[0].key, "B");
    assert_true(f.strings_cap < 64); /* nothing of the big value copied */
    env_file_free(&f);
    /* exactly the limit: kept */
    memcpy(big + 2 + ENV_MAX_VALUE_LEN, "\nB=1\n", 6);
    assert_int_equal(env_lex(big, ENV_MAX_VALUE_LEN + 8, "t.env", &f), 0);
    assert_int_equal(f.nerrors, 0);
    assert_int_equal(get(&f, "A")->value_len, ENV_MAX_VALUE_LEN);
    env_file_free(&f);
    /* a quoted one over several lines, then a good line */
    memcpy(big, "A=\"", 3);
    memset(big + 3, 'v', ENV_MAX_VALUE_LEN + 1);
    big[1000] = '\n';
    memcpy(big + 4 + ENV_MAX_VALUE_LEN, "\"\nB=1\n", 7);
    assert_int_equal(env_lex(big, ENV_MAX_VALUE_LEN + 11, "t.env", &f), 0);
    assert_int_equal(f.nerrors, 1);
    assert_int_equal(f.diags[0].line, 1);
    assert_int_equal(f.diags[0].column, 3);
    assert_int_equal(get(&f, "B")->stmt.line, 3);
    env_file_free(&f);
    /* a key over ENV_MAX_KEY_LEN */
    memset(big, 'K', ENV_MAX_KEY_LEN + 1);
    memcpy(big + ENV_MAX_KEY_LEN + 1, "=1\nB=1\n", 8);
    assert_int_equal(env_lex(big, ENV_MAX_KEY_LEN + 9, "t.env", &f), 0);
    assert_int_equal(f.nerrors, 1);
    assert_non_null(strstr(f.diags[0].message, "longer than 1024"));
    assert_int_equal(f.n, 1);
    env_file_free(&f);
    free(big);
}

/* The findings arena validate uses: same fields as plain findings, repeated strings stored
 * once, long messages whole, filtering and sorting as before. */
static void
test_findings_pool(void **state)
{
    static const struct rule_meta r1 = {"T001", SEV_LOW, "lint", "Title one", "fix it", "a:B"};
    static const struct rule_meta r2 = {"T002", SEV_HIGH, NULL, NULL, NULL, NULL};
    struct findings plain, pooled;
    struct location loc;
    struct finding_extra ex;
    char longmsg[2000];
    (void)state;
    memset(&loc, 0, sizeof(loc));
    memset(&ex, 0, sizeof(ex));
    memset(longmsg, 'm', sizeof(longmsg) - 1);
    longmsg[sizeof(longmsg) - 1] = '\0';
    findings_init(&plain);
    findings_init(&pooled);
    assert_int_equal(findings_use_pool(&pooled), 0);
    for (int k = 0; k < 2; k++) {
        struct findings *f = k ? &pooled : &plain;
        assert_int_equal(findings_add_target(f, "env-file", "t.env"), 0);
        for (int i = 0; i < 3000; i++) {
            char path[32];
            snprintf(path, sizeof(path), "p%d.env", i % 3);
            loc.path = path;
            loc.line = 3000 - i;
            ex.secret_redacted = i % 2 ? "ab…(9 chars)" : NULL;
            if (i % 2)
                assert_int_equal(findings_add(f, &r1, &loc, &ex, "finding %d of %s", i, "x"), 0);
            else
                assert_int_equal(findings_add_msg(f, &r2, &loc, NULL, "plain message"), 0);
        }
        assert_int_equal(findings_add(f, &r1, NULL, NULL, "%s", longmsg), 0);
        assert_int_equal(f->n, 3001);
        findings_filter_min(f, SEV_MEDIUM);
        assert_int_equal(f->n, 1500);
        findings_sort(f);
        assert_int_equal(f->items[0].line, 6); /* p0.env, i = 2994 */
        assert_string_equal(f->items[0].rule, "T002");
        assert_string_equal(f->items[0].category, "general");
        assert_string_equal(f->items[0].title, "T002");
        assert_null(f->items[0].remediation);
        assert_string_equal(f->items[0].target, "t.env");
        assert_string_equal(f->items[0].message, "plain message");
        assert_null(f->items[0].secret_redacted);
    }
    /* the pool keeps one copy of a repeated string */
    assert_ptr_equal(pooled.items[0].rule, pooled.items[1].rule);
    assert_ptr_equal(pooled.items[0].target, pooled.items[1].target);
    assert_int_equal(findings_use_pool(&plain), ERR_INTERNAL); /* not on a list with findings */
    findings_free(&plain);
    findings_free(&pooled);
    /* a long message (over the one-pass buffer), both ways */
    findings_init(&plain);
    findings_init(&pooled);
    assert_int_equal(findings_use_pool(&pooled), 0);
    assert_int_equal(findings_add(&plain, &r1, NULL, NULL, "%s!", longmsg), 0);
    assert_int_equal(findings_add(&pooled, &r1, NULL, NULL, "%s!", longmsg), 0);
    assert_int_equal(strlen(plain.items[0].message), sizeof(longmsg));
    assert_string_equal(plain.items[0].message, pooled.items[0].message);
    assert_string_equal(pooled.items[0].aliases, "a:B");
    assert_null(pooled.items[0].path);
    findings_free(&plain);
    findings_free(&pooled);
}

/* --fix: what each mechanical fix does, what it must leave alone, and the backup. */
static void
test_fix_cases(void **state)
{
    static const struct {
        const char *in, *out;
    } fixes[] = {
        {"b=1\n", "B=1\n"},                                  /* case */
        {"B=1\nA=2\n\nD=3\nC=4\n", "A=2\nB=1\n\nC=4\nD=3\n"}, /* order, per group */
        {"B=1\n# about a\nA=2\n", "# about a\nA=2\nB=1\n"},   /* a comment moves with it */
        {"A = 1\n  B=2\n", "A=1\nB=2\n"},                     /* spacing */
        {"A=\"x\"\nB='y'\n", "A=x\nB=y\n"},                   /* needless quotes */
        {"A=a b\nB=c\\d e\n", "A=\"a b\"\nB='c\\d e'\n"},   /* quotes where needed */
        {"A=$B c\n", "A=\"$B c\"\n"},                         /* interpolated the same */
        {"A=1\nA=2\n", "A=2\n"},                              /* the last definition stays */
        {"A=1   \n# c  \n", "A=1\n# c\n"},                    /* trailing blanks */
        {"A=1\n\n\n\nB=2\n\n\n", "A=1\n\nB=2\n"},              /* blank lines */
        {"A=1", "A=1\n"},                                     /* final newline */
        {"A=1\r\n\r\n\r\nB=2\r\n", "A=1\r\n\r\nB=2\r\n"},      /* CRLF kept */
        /* left alone: a group with a forward reference, a referenced lowercase key, a
         * value that would read differently unquoted or quoted, KEY alone */
        {"B=${A}\nA=1\n", NULL},
        {"db=1\nURL=x${db}\n", NULL},
        {"A=\"x\\ny\"\nB=\"$C\"\nD='#'\n", NULL},
        {"A=c\\d $e\n", NULL},
        {"KEY\n", NULL},
        {"A=1\nB=${A}\nA=2\n", NULL}, /* B sees the first A: both stay */
        {"A=\"multi\nline\"\n", NULL},
    };
    struct envcheck_config *cfg = envcheck_config_new();
    char p[300], bak[310];
    (void)state;
    snprintf(p, sizeof(p), "%s/fix.env", tmpdir);
    snprintf(bak, sizeof(bak), "%s.bak", p);
    for (size_t i = 0; i < sizeof(fixes) / sizeof(fixes[0]); i++) {
        struct buf rep = {0}, got = {0};
        struct stat st;
        int rc;
        unlink(p);
        unlink(bak);
        assert_int_equal(file_write_new(p, fixes[i].in, strlen(fixes[i].in), 0640), 0);
        rc = envcheck_fix(cfg, p, 0, &rep);
        assert_int_equal(file_read_all(p, 1 << 20, 0, &got), 0);
        if (fixes[i].out == NULL) {
            if (rc != 0)
                fail_msg("case %zu: changed: %s", i, got.data);
            assert_int_equal(access(bak, F_OK), -1);
        } else {
            if (rc != 1 || got.len != strlen(fixes[i].out) ||
                memcmp(got.data, fixes[i].out, got.len) != 0)
                fail_msg("case %zu: rc %d, got '%s'", i, rc, got.data ? got.data : "");
            assert_int_equal(stat(bak, &st), 0);
            assert_int_equal(st.st_mode & 07777, 0640);
            assert_int_equal((size_t)st.st_size, strlen(fixes[i].in));
            assert_int_equal(stat(p, &st), 0);
            assert_int_equal(st.st_mode & 07777, 0640);
            /* fixing again finds nothing */
            buf_free(&rep);
            assert_int_equal(envcheck_fix(cfg, p, 0, &rep), 0);
        }
        buf_free(&rep);
        buf_free(&got);
    }
    /* a file with a syntax error is refused, and nothing is written */
    unlink(p);
    unlink(bak);
    assert_int_equal(file_write_new(p, "b=1\nbad key=2\n", 15, 0600), 0);
    {
        struct buf rep = {0};
        assert_int_equal(envcheck_fix(cfg, p, 0, &rep), ERR_PARSE);
        assert_int_equal(access(bak, F_OK), -1);
        buf_free(&rep);
    }
    /* the dry run: a diff, secrets redacted, nothing written */
    unlink(p);
    assert_int_equal(file_write_new(p, "DB_PASSWORD=s3cr3t v\nA=1\n", 25, 0600), 0);
    {
        struct buf rep = {0}, got = {0};
        assert_int_equal(envcheck_fix(cfg, p, 1, &rep), 1);
        assert_non_null(strstr(rep.data, "+A=1\n"));
        assert_non_null(strstr(rep.data, "-DB_PASSWORD=<redacted"));
        assert_null(strstr(rep.data, "s3cr3t"));
        assert_int_equal(access(bak, F_OK), -1);
        assert_int_equal(file_read_all(p, 1 << 20, 0, &got), 0);
        assert_int_equal(got.len, 25);
        buf_free(&rep);
        buf_free(&got);
    }
    envcheck_config_free(cfg);
}

/* UnorderedKey names the smallest greater key of the group, across group resets. */
static void
test_unordered_key_messages(void **state)
{
    static const struct {
        const char *content;
        int line;
        const char *message;
    } want[] = {
        {"FOO=1\nBAR=2\nDDD=3\nABC=4\nZOO=5\n", 2, "The BAR key should go before the FOO key"},
        {"FOO=1\nBAR=2\nDDD=3\nABC=4\nZOO=5\n", 3, "The DDD key should go before the FOO key"},
        {"FOO=1\nBAR=2\nDDD=3\nABC=4\nZOO=5\n", 4, "The ABC key should go before the BAR key"},
        /* a second group: the first one's keys are gone from the answer */
        {"M=1\nA=2\n\nZ=1\nQ=2\nB=3\n", 6, "The B key should go before the Q key"},
        {"M=1\nA=2\nR=${M}\nZ=1\nC=2\n", 5, "The C key should go before the Z key"},
    };
    struct envcheck_config *cfg = envcheck_config_new();
    (void)state;
    envcheck_config_set(cfg, "no_example", "true");
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        struct findings f;
        int found = 0;
        assert_true(validate_content(want[i].content, cfg, &f, "order.env") >= 0);
        for (size_t k = 0; k < f.n; k++)
            if (strcmp(f.items[k].rule, "ENV209") == 0 && f.items[k].line == want[i].line)
                found = strcmp(f.items[k].message, want[i].message) == 0;
        if (!found)
            fail_msg("case %zu: no '%s' on line %d", i, want[i].message, want[i].line);
        findings_free(&f);
    }
    envcheck_config_free(cfg);
}

/* validate reads big files in chunks of ENVCHECK_CHUNK statements: what looks across
 * statements must see across chunks too. */
static void
test_validate_across_chunks(void **state)
{
    struct envcheck_config *cfg = envcheck_config_new();
    struct findings f;
    struct buf b = {0}, ex = {0};
    char p[300], line[64];
    int n = 3 * (int)ENVCHECK_CHUNK, dup = 0, unordered = 0, extra = 0, missing = 0, ref = 0;
    (void)state;
    for (int i = 0; i < n; i++) {
        int k = snprintf(line, sizeof(line), "K%05d=v\n", i);
        if (i == (int)ENVCHECK_CHUNK + 7)
            k = snprintf(line, sizeof(line), "A_LATE=v\n"); /* after the first chunk */
        else if (i == 2 * (int)ENVCHECK_CHUNK + 3)
            k = snprintf(line, sizeof(line), "K00001=again\n"); /* first in chunk 1 */
        else if (i == n - 1)
            k = snprintf(line, sizeof(line), "LAST=${K00002}\n"); /* a key two chunks up */
        buf_append(&b, line, (size_t)k);
        if (i != 5)
            buf_append(&ex, line, (size_t)k);
    }
    buf_append(&ex, "ONLY_IN_EXAMPLE=x\n", 18);
    buf_append(&b, "", 1);
    buf_append(&ex, "", 1);
    snprintf(p, sizeof(p), "%s/chunks.env.example", tmpdir);
    unlink(p);
    assert_int_equal(file_write_new(p, ex.data, ex.len - 1, 0600), 0);
    envcheck_config_example(cfg, p);
    assert_int_equal(validate_content(b.data, cfg, &f, "chunks.env"), 0);
    for (size_t i = 0; i < f.n; i++) {
        const struct finding *x = &f.items[i];
        if (strcmp(x->rule, "ENV200") == 0 && x->line == 2 * (int)ENVCHECK_CHUNK + 4 &&
            strstr(x->message, "The K00001 key is duplicated (first at line 2)") != NULL)
            dup++;
        if (strcmp(x->rule, "ENV209") == 0 && x->line == (int)ENVCHECK_CHUNK + 8) {
            unordered++;
            assert_string_equal(x->message, "The A_LATE key should go before the K00000 key");
        } else if (strcmp(x->rule, "ENV209") == 0 && x->line == 2 * (int)ENVCHECK_CHUNK + 4) {
            unordered++;
            assert_string_equal(x->message, "The K00001 key should go before the K00002 key");
        } else if (strcmp(x->rule, "ENV209") == 0) {
            fail_msg("ENV209 on line %d: %s", x->line, x->message);
        }
        if (strcmp(x->rule, "ENV121") == 0) {
            extra++;
            assert_non_null(strstr(x->message, "K00005 is not documented"));
        }
        if (strcmp(x->rule, "ENV120") == 0) {
            missing++;
            assert_non_null(strstr(x->message, "ONLY_IN_EXAMPLE is in"));
        }
        ref += strcmp(x->rule, "ENV209") == 0 && x->line == n;
    }
    assert_int_equal(dup, 1);
    assert_int_equal(unordered, 2); /* LAST refers to K00002: it starts no group, no finding */
    assert_int_equal(extra, 1);
    assert_int_equal(missing, 1);
    assert_int_equal(ref, 0);
    findings_free(&f);
    buf_free(&b);
    buf_free(&ex);
    envcheck_config_free(cfg);
}

static void
test_permissions_and_backups(void **state)
{
    struct envcheck_config *cfg = envcheck_config_new();
    struct findings f;
    char p[300], b[300];
    (void)state;
    envcheck_config_set(cfg, "no_example", "true");
    snprintf(p, sizeof(p), "%s/perm.env", tmpdir);
    snprintf(b, sizeof(b), "%s/perm.env.bak", tmpdir);
    assert_int_equal(validate_content("A=1\n", cfg, &f, "perm.env"), 0);
    assert_false(has_finding(&f, "ENV114", 0));
    assert_false(has_finding(&f, "ENV115", 0));
    assert_false(has_finding(&f, "ENV116", 0));
    findings_free(&f);
    assert_int_equal(chmod(p, 0646), 0);
    assert_int_equal(file_write_new(b, "A=1\n", 4, 0600), 0);
    findings_init(&f);
    assert_int_equal(envcheck_validate(cfg, p, &f), 0);
    assert_true(has_finding(&f, "ENV114", 0));
    assert_true(has_finding(&f, "ENV115", 0));
    assert_true(has_finding(&f, "ENV116", 0));
    findings_free(&f);
    unlink(b);
    envcheck_config_free(cfg);
}

static void
test_example_comparison(void **state)
{
    struct envcheck_config *cfg = envcheck_config_new();
    struct findings f;
    char ex[300], sub[300];
    (void)state;
    snprintf(sub, sizeof(sub), "%s/exdir", tmpdir);
    assert_int_equal(mkdir(sub, 0700), 0);
    snprintf(ex, sizeof(ex), "%s/exdir/.env.example", tmpdir);
    assert_int_equal(file_write_new(ex, "A=\nSHARED_PASSWORD=changeme-please-now\nMISSING=\n",
                                    47, 0600),
                     0);
    assert_int_equal(validate_content("A=1\nSHARED_PASSWORD=changeme-please-now\nEXTRA=1\n", cfg,
                                      &f, "exdir/.env"),
                     0);
    assert_true(has_finding(&f, "ENV120", 0));
    assert_true(has_finding(&f, "ENV121", 3));
    assert_false(has_finding(&f, "ENV121", 1));
    assert_true(has_finding(&f, "ENV104", 2));
    findings_free(&f);
    /* the example itself is not held to the secret rules */
    findings_init(&f);
    assert_int_equal(envcheck_validate(cfg, ex, &f), 0);
    assert_false(has_finding(&f, "ENV102", 0));
    assert_false(has_finding(&f, "ENV100", 0));
    findings_free(&f);
    envcheck_config_free(cfg);
}

static void
test_config_ini(void **state)
{
    struct envcheck_config *cfg = envcheck_config_new();
    struct findings f;
    char ini[300];
    static const char text[] = "[other]\nx = 1\n[validate]\nmin_length = 8\n"
                               "disable = unordered-key, ENV201\nseverity.ENV102 = high\n"
                               "severity.ENV010 = off\nmin_strength_bits = 20\nno_example = true\n";
    (void)state;
    snprintf(ini, sizeof(ini), "%s/.secrets.ini", tmpdir);
    assert_int_equal(file_write_new(ini, text, sizeof(text) - 1, 0600), 0);
    assert_int_equal(envcheck_config_load(cfg, ini), 0);
    assert_int_equal(validate_content("b=\"1\"\nAPI_TOKEN=Zq8vK2pw\n", cfg, &f, "cfg.env"), 0);
    assert_false(has_finding(&f, "ENV209", 0));
    assert_false(has_finding(&f, "ENV201", 0));
    assert_false(has_finding(&f, "ENV010", 0));
    assert_false(has_finding(&f, "ENV101", 0)); /* 8 characters is enough now */
    for (size_t i = 0; i < f.n; i++)
        if (strcmp(f.items[i].rule, "ENV102") == 0)
            assert_int_equal(f.items[i].severity, SEV_HIGH);
    assert_true(has_finding(&f, "ENV102", 2));
    findings_free(&f);
    envcheck_config_free(cfg);
    /* errors name the file and line */
    cfg = envcheck_config_new();
    unlink(ini);
    assert_int_equal(file_write_new(ini, "[validate]\nmin_length = lots\n", 29, 0600), 0);
    assert_int_equal(envcheck_config_load(cfg, ini), ERR_USAGE);
    assert_non_null(strstr(err_message(), ".secrets.ini:2"));
    assert_int_equal(envcheck_config_set(cfg, "disable", "NoSuchRule"), ERR_USAGE);
    assert_int_equal(envcheck_config_set(cfg, "disable", "DuplicatedKey"), 0);
    assert_int_equal(envcheck_config_set(cfg, "severity.ENV100", "loud"), ERR_USAGE);
    assert_int_equal(envcheck_config_set(cfg, "colour", "red"), ERR_USAGE);
    envcheck_config_free(cfg);
}

static void
test_rule_table(void **state)
{
    (void)state;
    assert_int_equal(envcheck_rule_count(), R_COUNT);
    for (size_t i = 0; i < envcheck_rule_count(); i++) {
        const struct rule_meta *m = envcheck_rule_at(i);
        assert_non_null(m->id);
        assert_non_null(m->title);
        assert_non_null(m->remediation);
        assert_int_equal(envcheck_rule_find(m->id, strlen(m->id)), (int)i);
        assert_int_equal(envcheck_rule_find(envcheck_rule_names[i],
                                            strlen(envcheck_rule_names[i])),
                         (int)i);
        for (size_t j = 0; j < i; j++)
            assert_string_not_equal(m->id, envcheck_rule_at(j)->id);
    }
    assert_null(envcheck_rule_at(R_COUNT));
}

/* docs/rules.md documents every rule (id, default severity, name). */
static void
test_rules_documented(void **state)
{
    const char *root = getenv("ROOT");
    char path[512], row[128];
    struct buf doc = {0};
    (void)state;
    snprintf(path, sizeof(path), "%s/docs/rules.md", root != NULL ? root : ".");
    assert_int_equal(file_read_all(path, 1 << 20, 0, &doc), 0);
    for (size_t i = 0; i < envcheck_rule_count(); i++) {
        const struct rule_meta *m = envcheck_rule_at(i);
        snprintf(row, sizeof(row), "| %s | %s | %s", m->id, severity_name(m->severity),
                 envcheck_rule_names[i]);
        if (strstr(doc.data, row) == NULL)
            fail_msg("docs/rules.md has no row starting '%s'", row);
    }
    buf_free(&doc);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lex_dialect_vectors),
        cmocka_unit_test(test_lex_spans),
        cmocka_unit_test(test_lex_bom_crlf_forms),
        cmocka_unit_test(test_lex_refs_and_escapes),
        cmocka_unit_test(test_lex_errors_recover),
        cmocka_unit_test(test_lex_error_kinds),
        cmocka_unit_test(test_lex_open_quote_recovery),
        cmocka_unit_test(test_lex_binary_and_limits),
        cmocka_unit_test(test_lex_truncations),
        cmocka_unit_test(test_lex_file_refuses_symlink),
        cmocka_unit_test(test_resolve_like_compose),
        cmocka_unit_test(test_portability_vectors),
        cmocka_unit_test(test_portability_against_real_readers),
        cmocka_unit_test(test_secret_names),
        cmocka_unit_test(test_value_classes),
        cmocka_unit_test(test_redaction),
        cmocka_unit_test(test_dockerignore_and_dockerfile),
        cmocka_unit_test(test_rules_both_ways),
        cmocka_unit_test(test_validate_returns_parse_errors),
        cmocka_unit_test(test_validate_caps_findings),
        cmocka_unit_test(test_lex_length_limits),
        cmocka_unit_test(test_findings_pool),
        cmocka_unit_test(test_fix_cases),
        cmocka_unit_test(test_unordered_key_messages),
        cmocka_unit_test(test_validate_across_chunks),
        cmocka_unit_test(test_permissions_and_backups),
        cmocka_unit_test(test_example_comparison),
        cmocka_unit_test(test_config_ini),
        cmocka_unit_test(test_rule_table),
        cmocka_unit_test(test_rules_documented),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
