/* merge_json: a validating pull reader over a JSON text that keeps nothing. The peer-report
 * readers walk a report's top levels with it and give cJSON one array item at a time, so a
 * 200 MB report never becomes a 2 GB tree; every byte is still checked as JSON (RFC 8259). */
#include <string.h>

#include "merge_internal.h"

int
mj_fail(struct mj *j, size_t at, int code, const char *what)
{
    size_t line = 1, col = 1;

    for (size_t i = 0; i < at && i < j->len; i++) {
        if (j->p[i] == '\n') {
            line++;
            col = 1;
        } else {
            col++;
        }
    }
    return err_set(code, "%s:%zu:%zu: %s", j->name, line, col, what);
}

static void
ws(struct mj *j)
{
    while (j->pos < j->len && (j->p[j->pos] == ' ' || j->p[j->pos] == '\t' ||
                               j->p[j->pos] == '\n' || j->p[j->pos] == '\r'))
        j->pos++;
}

static int
is_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* A string at pos; its raw bytes (escapes as written) into out when out != NULL. */
static int
string(struct mj *j, char *out, size_t size)
{
    size_t n = 0, start = j->pos;
    int overflow = 0;

    if (j->pos >= j->len || j->p[j->pos] != '"')
        return mj_fail(j, j->pos, ERR_PARSE, "expected a string");
    j->pos++;
    for (;;) {
        unsigned char c;
        if (j->pos >= j->len)
            return mj_fail(j, start, ERR_PARSE, "unterminated string");
        c = (unsigned char)j->p[j->pos];
        if (c == '"')
            break;
        if (c < 0x20)
            return mj_fail(j, j->pos, ERR_PARSE, "control character in a string");
        if (c == '\\') {
            char e = j->pos + 1 < j->len ? j->p[j->pos + 1] : '\0';
            if (e == 'u') {
                for (int k = 2; k < 6; k++)
                    if (j->pos + (size_t)k >= j->len || !is_hex(j->p[j->pos + (size_t)k]))
                        return mj_fail(j, j->pos, ERR_PARSE, "bad \\u escape in a string");
            } else if (e == '\0' || strchr("\"\\/bfnrt", e) == NULL) {
                return mj_fail(j, j->pos, ERR_PARSE, "bad escape in a string");
            }
            /* a key with an escape is none of the ones read: kept as written, never matched */
            overflow |= out != NULL;
            j->pos += e == 'u' ? 6 : 2;
            continue;
        }
        if (out != NULL && n + 1 < size)
            out[n++] = (char)c;
        else if (out != NULL)
            overflow = 1; /* too long: matches no key */
        j->pos++;
    }
    j->pos++;
    if (out != NULL && size > 0)
        out[overflow ? 0 : n] = '\0';
    return 0;
}

static size_t
digits(struct mj *j)
{
    size_t n = 0;

    while (j->pos < j->len && j->p[j->pos] >= '0' && j->p[j->pos] <= '9') {
        j->pos++;
        n++;
    }
    return n;
}

static int
number(struct mj *j)
{
    size_t start = j->pos;

    if (j->p[j->pos] == '-')
        j->pos++;
    if (j->pos < j->len && j->p[j->pos] == '0')
        j->pos++;
    else if (digits(j) == 0)
        return mj_fail(j, start, ERR_PARSE, "bad number");
    if (j->pos < j->len && j->p[j->pos] == '.') {
        j->pos++;
        if (digits(j) == 0)
            return mj_fail(j, start, ERR_PARSE, "bad number");
    }
    if (j->pos < j->len && (j->p[j->pos] == 'e' || j->p[j->pos] == 'E')) {
        j->pos++;
        if (j->pos < j->len && (j->p[j->pos] == '+' || j->p[j->pos] == '-'))
            j->pos++;
        if (digits(j) == 0)
            return mj_fail(j, start, ERR_PARSE, "bad number");
    }
    return 0;
}

static int
literal(struct mj *j)
{
    static const char *const words[] = {"true", "false", "null"};

    for (size_t i = 0; i < 3; i++) {
        size_t n = strlen(words[i]);
        if (j->len - j->pos >= n && memcmp(j->p + j->pos, words[i], n) == 0) {
            j->pos += n;
            return 0;
        }
    }
    return mj_fail(j, j->pos, ERR_PARSE, "expected a JSON value");
}

static int
enter(struct mj *j)
{
    if (++j->depth > MJ_MAX_DEPTH)
        return mj_fail(j, j->pos, ERR_LIMIT, "nested deeper than 64 levels");
    j->pos++;
    return 0;
}

int
mj_object_begin(struct mj *j)
{
    ws(j);
    if (j->pos >= j->len || j->p[j->pos] != '{')
        return mj_fail(j, j->pos, ERR_PARSE, "expected an object");
    return enter(j);
}

int
mj_array_begin(struct mj *j)
{
    ws(j);
    if (j->pos >= j->len || j->p[j->pos] != '[')
        return mj_fail(j, j->pos, ERR_PARSE, "expected an array");
    return enter(j);
}

/* After `{`/`[` or an item: the closing byte (0), or a separator then more (1). */
static int
next(struct mj *j, int *first, char close)
{
    ws(j);
    if (j->pos < j->len && j->p[j->pos] == close) {
        j->pos++;
        j->depth--;
        return 0;
    }
    if (!*first) {
        if (j->pos >= j->len || j->p[j->pos] != ',')
            return mj_fail(j, j->pos, ERR_PARSE,
                           close == '}' ? "expected ',' or '}'" : "expected ',' or ']'");
        j->pos++;
        ws(j);
    }
    *first = 0;
    return 1;
}

int
mj_object_next(struct mj *j, int *first, char *key, size_t size)
{
    int rc = next(j, first, '}');

    if (rc <= 0)
        return rc;
    if ((rc = string(j, key, size)) < 0)
        return rc;
    ws(j);
    if (j->pos >= j->len || j->p[j->pos] != ':')
        return mj_fail(j, j->pos, ERR_PARSE, "expected ':'");
    j->pos++;
    return 1;
}

int
mj_array_next(struct mj *j, int *first)
{
    return next(j, first, ']');
}

int
mj_skip(struct mj *j)
{
    int first = 1, rc;

    ws(j);
    if (j->pos >= j->len)
        return mj_fail(j, j->pos, ERR_PARSE, "unexpected end of the file");
    switch (j->p[j->pos]) {
    case '{':
        if ((rc = mj_object_begin(j)) < 0)
            return rc;
        while ((rc = mj_object_next(j, &first, NULL, 0)) > 0)
            if ((rc = mj_skip(j)) < 0)
                return rc;
        return rc;
    case '[':
        if ((rc = mj_array_begin(j)) < 0)
            return rc;
        while ((rc = mj_array_next(j, &first)) > 0)
            if ((rc = mj_skip(j)) < 0)
                return rc;
        return rc;
    case '"':
        return string(j, NULL, 0);
    case '-':
    case '0': case '1': case '2': case '3': case '4':
    case '5': case '6': case '7': case '8': case '9':
        return number(j);
    default:
        return literal(j);
    }
}

int
mj_value(struct mj *j, size_t max, cJSON **out)
{
    size_t start;
    int rc;

    *out = NULL;
    ws(j);
    start = j->pos;
    if ((rc = mj_skip(j)) < 0)
        return rc;
    if (j->pos - start > max) {
        char what[80];
        (void)str_format(what, sizeof(what), "one value is larger than %zu bytes", max);
        return mj_fail(j, start, ERR_LIMIT, what);
    }
    if ((*out = cJSON_ParseWithLength(j->p + start, j->pos - start)) == NULL)
        return err_set(ERR_NOMEM, "out of memory reading %s", j->name);
    return 0;
}

int
mj_end(struct mj *j)
{
    ws(j);
    return j->pos == j->len ? 0 : mj_fail(j, j->pos, ERR_PARSE, "data after the JSON value");
}

int
mj_peek(struct mj *j)
{
    ws(j);
    return j->pos < j->len ? (unsigned char)j->p[j->pos] : 0;
}
