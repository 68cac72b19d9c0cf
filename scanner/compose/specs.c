/* compose_specs: the short string forms of Compose `ports:` ("127.0.0.1:8080:80/tcp") and
 * `volumes:` ("/host:/ctr:ro,z"), split the way Compose splits them. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "compose.h"

static int
copy_span(char *dst, size_t dstsz, const char *s, size_t n)
{
    if (n >= dstsz)
        return ERR_LIMIT;
    memcpy(dst, s, n);
    dst[n] = '\0';
    return 0;
}

/* "80" or "8000-8010"; empty gives 0-0 (the engine picks). */
static int
port_range(const char *s, size_t n, long *lo, long *hi)
{
    char tmp[16], *end;
    const char *dash;

    *lo = *hi = 0;
    if (n == 0)
        return 0;
    if (n >= sizeof(tmp))
        return ERR_PARSE;
    memcpy(tmp, s, n);
    tmp[n] = '\0';
    *lo = strtol(tmp, &end, 10);
    if (end == tmp || *lo < 0 || *lo > 65535)
        return ERR_PARSE;
    *hi = *lo;
    dash = end;
    if (*dash == '-') {
        *hi = strtol(dash + 1, &end, 10);
        if (end == dash + 1 || *hi < *lo || *hi > 65535)
            return ERR_PARSE;
    }
    return *end == '\0' ? 0 : ERR_PARSE;
}

int
compose_port_parse(const char *spec, struct rt_port *p, char *ip, size_t ipsz, char *proto,
                   size_t protosz)
{
    const char *slash = strrchr(spec, '/'), *end, *c1, *c2 = NULL;
    long clo, chi;

    ip[0] = '\0';
    if (copy_span(proto, protosz, slash ? slash + 1 : "tcp", strlen(slash ? slash + 1 : "tcp")) < 0)
        return ERR_PARSE;
    end = slash ? slash : spec + strlen(spec);
    if (spec[0] == '[') { /* [IPv6]:host:container */
        const char *rb = memchr(spec, ']', (size_t)(end - spec));
        if (rb == NULL || rb[1] != ':' || copy_span(ip, ipsz, spec + 1, (size_t)(rb - spec - 1)) < 0)
            return ERR_PARSE;
        spec = rb + 2;
    }
    /* container is after the last ':', host before it, the address before that. */
    c1 = NULL;
    for (const char *q = end; q > spec; q--)
        if (q[-1] == ':') {
            c1 = q - 1;
            break;
        }
    if (c1 != NULL)
        for (const char *q = c1; q > spec; q--)
            if (q[-1] == ':') {
                c2 = q - 1;
                break;
            }
    if (c1 == NULL) {
        if (port_range(spec, (size_t)(end - spec), &clo, &chi) < 0)
            return ERR_PARSE;
        p->host_port = p->host_port_end = 0;
    } else {
        const char *hs = c2 != NULL ? c2 + 1 : spec;
        if (port_range(c1 + 1, (size_t)(end - c1 - 1), &clo, &chi) < 0 ||
            port_range(hs, (size_t)(c1 - hs), &p->host_port, &p->host_port_end) < 0)
            return ERR_PARSE;
        if (c2 != NULL && ip[0] == '\0' && copy_span(ip, ipsz, spec, (size_t)(c2 - spec)) < 0)
            return ERR_PARSE;
    }
    if (clo == 0)
        return ERR_PARSE;
    p->container_port = clo;
    return 0;
}

int
compose_volume_split(const char *spec, char *src, size_t srcsz, char *dst, size_t dstsz,
                     char *opts, size_t optsz)
{
    const char *c1, *c2;
    size_t n = strlen(spec);

    src[0] = dst[0] = opts[0] = '\0';
    c1 = memchr(spec, ':', n);
    /* A Windows drive ("C:\x:/data") is not a separator. */
    if (c1 == spec + 1 && isalpha((unsigned char)spec[0]) && (spec[2] == '\\' || spec[2] == '/'))
        c1 = memchr(c1 + 1, ':', n - 2);
    if (c1 == NULL) /* an anonymous volume: target only */
        return copy_span(dst, dstsz, spec, n);
    if (copy_span(src, srcsz, spec, (size_t)(c1 - spec)) < 0)
        return ERR_LIMIT;
    c2 = strchr(c1 + 1, ':');
    if (c2 == NULL)
        return copy_span(dst, dstsz, c1 + 1, strlen(c1 + 1));
    if (copy_span(dst, dstsz, c1 + 1, (size_t)(c2 - c1 - 1)) < 0)
        return ERR_LIMIT;
    return copy_span(opts, optsz, c2 + 1, strlen(c2 + 1));
}
