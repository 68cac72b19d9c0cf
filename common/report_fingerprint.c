/* report_fingerprint: the fingerprint every report, SARIF upload and baseline carries. It is a
 * keyed hash of what the finding IS, never of the secret's value: the rule, where it is (path or
 * target, layer, container) and, for a secret, the label in front of it (the variable or key
 * name the detector saw before it, else the message up to its first ": "). Someone holding a report cannot test guesses of the
 * value against it, because the value is not in it. The key comes from a per-repository salt
 * (SECURITY.md), so two repositories with the same secret at the same place differ. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "common.h"

static unsigned char fp_key[crypto_generichash_KEYBYTES];
static int fp_key_set;
static void (*fp_salt_loader)(void);
static pthread_mutex_t fp_lock = PTHREAD_MUTEX_INITIALIZER;

void
report_fingerprint_salt_lazy(void (*load)(void))
{
    pthread_mutex_lock(&fp_lock);
    fp_salt_loader = load;
    fp_key_set = 0;
    pthread_mutex_unlock(&fp_lock);
}

void
report_fingerprint_salt(const char *salt, size_t len)
{
    static const char domain[] = "secrets-suite report fingerprint v2";
    crypto_generichash_state st;

    if (sodium_init() < 0)
        abort(); /* libsodium cannot start: never fingerprint without it */
    crypto_generichash_init(&st, NULL, 0, sizeof(fp_key));
    crypto_generichash_update(&st, (const unsigned char *)domain, sizeof(domain));
    if (salt != NULL)
        crypto_generichash_update(&st, (const unsigned char *)salt, len);
    crypto_generichash_final(&st, fp_key, sizeof(fp_key));
    fp_key_set = 1;
}

/* The value-free label of a secret finding the detector gave no name for: "ENV DB_PASSWORD" of
 * "ENV DB_PASSWORD: ..." (what follows the first ": " may describe the value), else the message
 * without its digits (no line numbers or estimates). */
static void
update_label(crypto_generichash_state *st, const struct finding *x)
{
    static const unsigned char sep = 0;
    const char *m = x->message, *colon;

    if (x->label != NULL) {
        crypto_generichash_update(st, (const unsigned char *)x->label, strlen(x->label));
    } else if ((x->secret_redacted != NULL || x->secret_fingerprint != NULL) && m != NULL &&
               strncmp(m, "value '", 7) != 0 /* --show-secrets */) {
        colon = strstr(m, ": ");
        for (const char *p = m; *p && (colon == NULL || p < colon); p++)
            if (*p < '0' || *p > '9')
                crypto_generichash_update(st, (const unsigned char *)p, 1);
    }
    crypto_generichash_update(st, &sep, 1);
}

static void
update_field(crypto_generichash_state *st, const char *s, size_t len)
{
    static const unsigned char sep = 0;

    if (s != NULL)
        crypto_generichash_update(st, (const unsigned char *)s, len);
    crypto_generichash_update(st, &sep, 1);
}

void
report_fingerprint(const struct finding *x, char out[65])
{
    /* Paths inside an image layer are absolute in the image, not on this machine. */
    const char *where = x->path == NULL ? x->target : x->path;
    char rel[4096];
    crypto_generichash_state st;
    unsigned char h[32];

    pthread_mutex_lock(&fp_lock);
    if (!fp_key_set) {
        /* The salt may cost a `git rev-list` run: only paid when a report needs a fingerprint. */
        void (*load)(void) = fp_salt_loader;
        fp_salt_loader = NULL;
        if (load != NULL)
            load();
        if (!fp_key_set)
            report_fingerprint_salt(NULL, 0);
    }
    pthread_mutex_unlock(&fp_lock);
    if (x->path != NULL && x->layer == NULL && x->container == NULL &&
        report_path_rel(x->path, rel, sizeof(rel)) == 0)
        where = rel;
    crypto_generichash_init(&st, fp_key, sizeof(fp_key), sizeof(h));
    update_field(&st, x->rule, x->rule ? strlen(x->rule) : 0);
    update_field(&st, where, where ? strlen(where) : 0);
    update_field(&st, x->layer, x->layer ? strlen(x->layer) : 0);
    update_field(&st, x->container, x->container ? strlen(x->container) : 0);
    update_label(&st, x);
    if (x->vuln != NULL) {
        /* one file (a dpkg status) lists every package: which vulnerability of which package */
        update_field(&st, x->vuln->id, x->vuln->id ? strlen(x->vuln->id) : 0);
        update_field(&st, x->vuln->package, x->vuln->package ? strlen(x->vuln->package) : 0);
        update_field(&st, x->vuln->installed, x->vuln->installed ? strlen(x->vuln->installed) : 0);
    }
    crypto_generichash_final(&st, h, sizeof(h));
    sodium_bin2hex(out, 65, h, sizeof(h));
}

/* Sorting indices by (fingerprint, position) for report_occurrences. */
static const char (*occ_fps)[65];

static int
cmp_occ(const void *a, const void *b)
{
    size_t i = *(const size_t *)a, j = *(const size_t *)b;
    int c = strcmp(occ_fps[i], occ_fps[j]);

    return c != 0 ? c : (i > j) - (i < j);
}

int
report_occurrences(const char (*fps)[65], size_t n, unsigned *occ)
{
    size_t *idx = malloc((n ? n : 1) * sizeof(*idx));

    if (idx == NULL)
        return err_set(ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < n; i++)
        idx[i] = i;
    occ_fps = fps;
    qsort(idx, n, sizeof(*idx), cmp_occ);
    for (size_t k = 0; k < n; k++)
        occ[idx[k]] = k > 0 && strcmp(fps[idx[k]], fps[idx[k - 1]]) == 0 ? occ[idx[k - 1]] + 1 : 1;
    free(idx);
    return 0;
}
