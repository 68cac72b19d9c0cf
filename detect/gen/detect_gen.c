/* detect_gen: build-time generator. Compiles every rule of detect/rules.c into one Vectorscan
 * block database, serializes it, and writes it with each rule's mode as the detector's blob. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hs/hs.h>

#include "detect_internal.h"

/* Keywords of a rule that Vectorscan cannot take become caseless literals (\xHH escapes). */
static char *
keyword_pattern(const char *kw, size_t n)
{
    char *p = malloc(n * 4 + 1), *o = p;

    if (p == NULL)
        return NULL;
    for (size_t i = 0; i < n; i++)
        o += sprintf(o, "\\x%02x", (unsigned char)kw[i]);
    *o = '\0';
    return p;
}

/* Keywords rare enough in ordinary text that a literal prefilter beats the whole pattern in
 * Vectorscan: each at least 5 characters, or 4 with a non-letter ("ghp_", "sig="). Short or
 * common ones ("sk", "pat", "aws") keep the whole pattern, which is far more selective. */
static int
keywords_distinctive(const char *kw)
{
    int any = 0;

    while (kw != NULL && *kw != '\0') {
        const char *e = strchr(kw, ',');
        size_t len = e != NULL ? (size_t)(e - kw) : strlen(kw), alpha = 0;
        for (size_t i = 0; i < len; i++)
            alpha += (kw[i] >= 'a' && kw[i] <= 'z');
        if (len < 4 || (len == 4 && alpha == 4))
            return 0;
        any = 1;
        kw = e != NULL ? e + 1 : kw + len;
    }
    return any;
}

static int
write_u32(FILE *f, uint32_t v)
{
    unsigned char b[4] = {(unsigned char)v, (unsigned char)(v >> 8), (unsigned char)(v >> 16),
                          (unsigned char)(v >> 24)};
    return fwrite(b, 1, 4, f) == 4 ? 0 : -1;
}

int
main(int argc, char **argv)
{
    size_t n = detect_rules_count, cap = n * 8 + 16, np;
    unsigned char *mode = calloc(n, 1);
    const char **exprs = calloc(cap, sizeof(*exprs));
    unsigned *flags = calloc(cap, sizeof(*flags)), *ids = calloc(cap, sizeof(*ids));
    char **owned = calloc(cap, sizeof(*owned));
    hs_database_t *db = NULL;
    hs_compile_error_t *cerr = NULL;
    char *ser = NULL;
    size_t ser_len = 0;
    FILE *out;

    if (argc != 2) {
        fprintf(stderr, "usage: detect_gen OUT.bin\n");
        return 2;
    }
    if (mode == NULL || exprs == NULL || flags == NULL || ids == NULL || owned == NULL)
        return 2;
    for (size_t i = 0; i < n; i++) {
        const struct detect_rule *r = &detect_rules[i];
        if (r->flags & DR_NOVS)
            mode[i] = DETECT_MODE_KW;
        else if (!(r->flags & (DR_GENERIC | DR_WHOLE)) && r->prefilter == NULL &&
                 keywords_distinctive(r->keywords))
            mode[i] = DETECT_MODE_KW; /* literals are cheaper than the full pattern */
        else
            mode[i] = DETECT_MODE_VS;
    }

    for (;;) {
        np = 0;
        for (size_t i = 0; i < n; i++) {
            const struct detect_rule *r = &detect_rules[i];
            if (mode[i] == DETECT_MODE_VS) {
                exprs[np] = r->prefilter != NULL ? r->prefilter : r->pattern;
                flags[np] = 0;
                ids[np] = (unsigned)i;
                np++;
                continue;
            }
            /* PCRE2 behind the keywords: one caseless literal per keyword. */
            for (const char *k = r->keywords; k != NULL && *k != '\0';) {
                const char *e = strchr(k, ',');
                size_t len = e != NULL ? (size_t)(e - k) : strlen(k);
                if (len > 0 && np < cap) {
                    owned[np] = keyword_pattern(k, len);
                    if (owned[np] == NULL)
                        return 2;
                    exprs[np] = owned[np];
                    flags[np] = HS_FLAG_CASELESS;
                    ids[np] = DETECT_KW_ID + (unsigned)i;
                    np++;
                }
                k = e != NULL ? e + 1 : k + len;
            }
        }
        if (hs_compile_multi(exprs, flags, ids, (unsigned)np, HS_MODE_BLOCK, NULL, &db, &cerr) ==
            HS_SUCCESS)
            break;
        if (cerr->expression < 0 || (size_t)cerr->expression >= np ||
            ids[cerr->expression] >= DETECT_KW_ID) {
            fprintf(stderr, "detect_gen: vectorscan: %s\n", cerr->message);
            return 1;
        }
        /* This rule goes to the PCRE2 fallback; say so, the unit test lists them too. */
        fprintf(stderr, "detect_gen: %s: vectorscan cannot compile it (%s); PCRE2 behind keywords\n",
                detect_rules[ids[cerr->expression]].meta.id, cerr->message);
        if (detect_rules[ids[cerr->expression]].keywords == NULL ||
            detect_rules[ids[cerr->expression]].keywords[0] == '\0') {
            fprintf(stderr, "detect_gen: %s has no keywords to fall back on\n",
                    detect_rules[ids[cerr->expression]].meta.id);
            return 1;
        }
        mode[ids[cerr->expression]] = DETECT_MODE_KW;
        hs_free_compile_error(cerr);
        cerr = NULL;
        for (size_t j = 0; j < np; j++) {
            free(owned[j]);
            owned[j] = NULL;
        }
    }
    if (hs_serialize_database(db, &ser, &ser_len) != HS_SUCCESS) {
        fprintf(stderr, "detect_gen: hs_serialize_database failed\n");
        return 1;
    }
    out = fopen(argv[1], "wb");
    if (out == NULL || fwrite(DETECT_DB_MAGIC, 1, 4, out) != 4 ||
        write_u32(out, DETECT_DB_VERSION) < 0 || write_u32(out, (uint32_t)n) < 0 ||
        fwrite(mode, 1, n, out) != n || fwrite(ser, 1, ser_len, out) != ser_len ||
        fclose(out) != 0) {
        perror(argv[1]);
        return 1;
    }
    for (size_t j = 0; j < cap; j++)
        free(owned[j]);
    free(ser);
    hs_free_database(db);
    free(mode);
    free(exprs);
    free(flags);
    free(ids);
    free(owned);
    return 0;
}
