/* buf: a growable byte buffer and small string helpers. Buffers are wiped before they are
 * freed or moved, because they often carry file contents with secrets in them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"

static void
wipe(void *p, size_t n)
{
    explicit_bzero(p, n); /* not optimised away, and word-at-a-time fast */
}

int
buf_reserve(struct buf *b, size_t extra)
{
    size_t need, cap;
    char *p;

    if (extra > (size_t)-1 - b->len - 1)
        return err_set(ERR_NOMEM, "buffer size overflow");
    need = b->len + extra + 1;
    if (need <= b->cap)
        return 0;
    cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap = cap > ((size_t)-1) / 2 ? need : cap * 2;
    p = malloc(cap);
    if (p == NULL)
        return err_set(ERR_NOMEM, "out of memory (%zu bytes)", cap);
    if (b->data != NULL) {
        memcpy(p, b->data, b->len);
        wipe(b->data, b->cap);
        free(b->data);
    }
    b->data = p;
    b->cap = cap;
    return 0;
}

int
buf_append(struct buf *b, const void *data, size_t len)
{
    int rc = buf_reserve(b, len);
    if (rc < 0)
        return rc;
    if (len)
        memcpy(b->data + b->len, data, len);
    b->len += len;
    b->data[b->len] = '\0';
    return 0;
}

int
buf_printf(struct buf *b, const char *fmt, ...)
{
    va_list ap;
    int n, rc;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return err_set(ERR_INTERNAL, "format error");
    rc = buf_reserve(b, (size_t)n);
    if (rc < 0)
        return rc;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return 0;
}

void
buf_free(struct buf *b)
{
    if (b->data != NULL) {
        wipe(b->data, b->cap);
        free(b->data);
    }
    b->data = NULL;
    b->len = b->cap = 0;
}

char *
xstrdup_or_null(const char *s)
{
    return s == NULL ? NULL : strdup(s);
}

unsigned long long
str_hash(const char *s, size_t n)
{
    unsigned long long h = 1469598103934665603ULL;

    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
    return h;
}

int
str_format(char *dst, size_t size, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(dst, size, fmt, ap);
    va_end(ap);
    if (n < 0)
        return err_set(ERR_INTERNAL, "format error");
    if ((size_t)n >= size)
        return err_set(ERR_LIMIT, "string too long (%d bytes, limit %zu)", n, size - 1);
    return 0;
}
