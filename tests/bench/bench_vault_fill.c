/* bench_vault_fill: adds N generated secrets to a vault through the library, one write per
 * 100,000, so the benchmark builds a 100,000-secret vault in seconds instead of 100,000
 * `secrets set` runs.
 * usage: bench_vault_fill VAULT KEY_FILE N */
#include <stdio.h>
#include <stdlib.h>

#include "vault.h"

#define BATCH 100000

int
main(int argc, char **argv)
{
    struct vault_unlock u = {0};
    struct vault_set_opts o = {0};
    struct keys_charset cs;
    struct vault *v;
    char name[64], value[33];
    long n;
    int rc;

    if (argc != 4 || (n = strtol(argv[3], NULL, 10)) <= 0) {
        fprintf(stderr, "usage: bench_vault_fill VAULT KEY_FILE N\n");
        return 2;
    }
    u.key_file = argv[2];
    u.no_keyring = 1;
    keys_charset_parse("alnum", &cs);
    o.gen_charset = "alnum";
    o.gen_length = 32;
    o.how = "generate";
    for (long first = 0; first < n; first += BATCH) {
        if ((rc = vault_open(argv[1], VAULT_OPEN_WRITE | VAULT_OPEN_ONE, &u, &v)) < 0)
            goto fail;
        for (long i = first; i < n && i < first + BATCH && rc == 0; i++) {
            snprintf(name, sizeof(name), "app/service-%05ld/password", i);
            rc = keys_generate(&cs, 32, value);
            if (rc == 0)
                rc = vault_set(v, name, value, 32, &o, NULL);
        }
        if (rc == 0)
            rc = vault_commit(v);
        vault_close(v);
        if (rc < 0)
            goto fail;
    }
    return 0;
fail:
    fprintf(stderr, "bench_vault_fill: %s\n", err_message());
    return 2;
}
