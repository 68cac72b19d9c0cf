/* runtime_desc: memory of a runtime description (a string pool and growable lists) and the small
 * normalisations both sources share: paths, users, capability names, security options. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime.h"

void
runtime_desc_init(struct runtime_desc *d, enum rt_kind kind)
{
    memset(d, 0, sizeof(*d));
    d->kind = kind;
}

static void
list_free(struct rt_list *l)
{
    free(l->items);
    memset(l, 0, sizeof(*l));
}

void
runtime_desc_free(struct runtime_desc *d)
{
    for (size_t i = 0; i < d->npool; i++) {
        /* Environment values may be secrets: wipe before freeing. */
        volatile char *p = d->pool[i];
        while (*p != '\0')
            *p++ = '\0';
        free(d->pool[i]);
    }
    free(d->pool);
    list_free(&d->mounts);
    list_free(&d->ports);
    list_free(&d->env);
    list_free(&d->cap_add);
    list_free(&d->cap_drop);
    list_free(&d->devices);
    memset(d, 0, sizeof(*d));
}

const char *
rt_strdup(struct runtime_desc *d, const char *s, size_t len)
{
    char *copy;

    if (s == NULL)
        return NULL;
    if (len == (size_t)-1)
        len = strlen(s);
    if (d->npool == d->pool_cap) {
        size_t cap = d->pool_cap ? d->pool_cap * 2 : 64;
        char **p = realloc(d->pool, cap * sizeof(*p));
        if (p == NULL)
            return NULL;
        d->pool = p;
        d->pool_cap = cap;
    }
    copy = malloc(len + 1);
    if (copy == NULL)
        return NULL;
    memcpy(copy, s, len);
    copy[len] = '\0';
    d->pool[d->npool++] = copy;
    return copy;
}

const char *
rt_printf(struct runtime_desc *d, const char *fmt, ...)
{
    char tmp[512];
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
    va_end(ap);
    if (n < 0)
        return NULL;
    if ((size_t)n >= sizeof(tmp)) /* field paths only: shorten with a marker */
        memcpy(tmp + sizeof(tmp) - 4, "...", 4);
    return rt_strdup(d, tmp, (size_t)-1);
}

int
rt_pool_adopt(struct runtime_desc *dst, struct runtime_desc *src)
{
    if (dst->npool + src->npool > dst->pool_cap) {
        size_t cap = dst->npool + src->npool;
        char **p = realloc(dst->pool, cap * sizeof(*p));
        if (p == NULL)
            return err_set(ERR_NOMEM, "out of memory");
        dst->pool = p;
        dst->pool_cap = cap;
    }
    if (src->npool > 0)
        memcpy(dst->pool + dst->npool, src->pool, src->npool * sizeof(*src->pool));
    dst->npool += src->npool;
    src->npool = 0;
    return 0;
}

void *
rt_list_add(struct rt_list *l, size_t size)
{
    char *p;

    if (l->n >= RT_MAX_ITEMS)
        return NULL;
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 8;
        void *items = realloc(l->items, cap * size);
        if (items == NULL)
            return NULL;
        l->items = items;
        l->cap = cap;
    }
    p = (char *)l->items + l->n * size;
    memset(p, 0, size);
    l->n++;
    return p;
}

void
rt_path_normalise(const char *in, char *out, size_t outsz)
{
    size_t o = 0;
    const char *p = in;

    if (outsz == 0)
        return;
    /* Components are copied one by one; ".." pops the last one, never above "/". */
    while (*p != '\0' && o + 1 < outsz) {
        const char *start;
        size_t len;

        while (*p == '/')
            p++;
        start = p;
        while (*p != '\0' && *p != '/')
            p++;
        len = (size_t)(p - start);
        if (len == 0 || (len == 1 && start[0] == '.'))
            continue;
        if (len == 2 && start[0] == '.' && start[1] == '.') {
            while (o > 0 && out[o - 1] != '/')
                o--;
            if (o > 0)
                o--;
            continue;
        }
        if (o + 1 + len + 1 > outsz)
            break;
        out[o++] = '/';
        memcpy(out + o, start, len);
        o += len;
    }
    if (o == 0)
        out[o++] = '/';
    out[o] = '\0';
}

void
rt_cap_name(const char *in, char *out, size_t outsz)
{
    size_t o = 0;

    if (outsz == 0)
        return;
    while (isspace((unsigned char)*in))
        in++;
    if (strncasecmp(in, "CAP_", 4) == 0)
        in += 4;
    for (; *in != '\0' && !isspace((unsigned char)*in) && o + 1 < outsz; in++)
        out[o++] = (char)toupper((unsigned char)*in);
    out[o] = '\0';
}

static void
set_value(struct rt_value *v, const char *text, const struct rt_at *at)
{
    v->set = 1;
    v->on = 1;
    v->text = text;
    v->at = *at;
}

void
rt_apply_security_opt(struct runtime_desc *d, const char *opt, const struct rt_at *at)
{
    char key[64];
    const char *val;
    size_t n = strcspn(opt, "=:");

    if (n >= sizeof(key))
        return;
    memcpy(key, opt, n);
    key[n] = '\0';
    val = opt[n] != '\0' ? opt + n + 1 : "";
    if (strcasecmp(key, "no-new-privileges") == 0) {
        /* "no-new-privileges" alone, ":true" and "=true" all switch it on; ":false" does not. */
        d->no_new_privileges.set = 1;
        d->no_new_privileges.on = val[0] == '\0' || strcasecmp(val, "true") == 0 ||
                                  strcmp(val, "1") == 0;
        d->no_new_privileges.text = opt;
        d->no_new_privileges.at = *at;
    } else if (strcasecmp(key, "seccomp") == 0 && strcasecmp(val, "unconfined") == 0) {
        set_value(&d->seccomp_unconfined, opt, at);
    } else if (strcasecmp(key, "apparmor") == 0 && strcasecmp(val, "unconfined") == 0) {
        set_value(&d->apparmor_unconfined, opt, at);
    } else if (strcasecmp(key, "label") == 0 && strcasecmp(val, "disable") == 0) {
        set_value(&d->label_disabled, opt, at);
    } else if (strcasecmp(key, "systempaths") == 0 && strcasecmp(val, "unconfined") == 0) {
        set_value(&d->systempaths_unconfined, opt, at);
    }
}
