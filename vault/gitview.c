/* gitview: the text git diff shows for a vault file (through a textconv driver): members,
 * removals, and each secret's name, versions and dates; never a value. */
#include <stdlib.h>
#include <time.h>

#include "vault_internal.h"

static void
iso(long long t, char *out, size_t size)
{
    time_t tt = (time_t)t;
    struct tm tm;

    if (t <= 0 || gmtime_r(&tt, &tm) == NULL ||
        strftime(out, size, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        (void)str_format(out, size, "-");
}

int
vault_text_view(struct vault *v, struct buf *out)
{
    struct vault_member *m = NULL;
    struct vault_removed *r = NULL;
    struct vault_info *x = NULL;
    size_t nm = 0, nr = 0, nx = 0;
    char a[32], b[32];
    int rc;

    if ((rc = vault_member_list(v, &m, &nm)) < 0 || (rc = vault_removed_list(v, &r, &nr)) < 0 ||
        (rc = vault_list(v, 1, &x, &nx)) < 0)
        goto out;
    rc = buf_printf(out, "# secrets vault %s (format %u; values are never shown)\n", v->id_hex,
                    (unsigned)v->hdr.version);
    for (size_t i = 0; i < nm && rc == 0; i++)
        rc = buf_printf(out, "member %s %s\n", m[i].name, m[i].recipient);
    for (size_t i = 0; i < nr && rc == 0; i++) {
        iso(r[i].at, a, sizeof(a));
        rc = buf_printf(out, "removed-member %s %s\n", r[i].name, a);
    }
    for (size_t i = 0; i < nx && rc == 0; i++) {
        iso(x[i].created, a, sizeof(a));
        iso(x[i].updated, b, sizeof(b));
        rc = buf_printf(out, "secret %s version %d (%zu kept) created %s updated %s%s%s%s\n",
                        x[i].name, x[i].version, x[i].nversions, a, b,
                        x[i].deleted ? " removed" : "", x[i].tags[0] ? " tags " : "", x[i].tags);
        if (rc == 0 && x[i].expires > 0) {
            iso(x[i].expires, a, sizeof(a));
            rc = buf_printf(out, "  expires %s\n", a);
        }
    }
out:
    free(m);
    free(r);
    vault_infos_free(x, nx);
    return rc;
}
