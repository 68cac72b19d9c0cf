/* bench_vault_fill: adds N generated secrets to a vault in one write, so the benchmark can build
 * a 10,000-secret vault in a second instead of 10,000 `secrets set` runs.
 * usage: bench_vault_fill VAULT KEY_FILE N */
#include <stdio.h>
#include <stdlib.h>

#include "vault.h"

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
    if ((rc = vault_open(argv[1], VAULT_OPEN_WRITE, &u, &v)) < 0)
        goto fail;
    keys_charset_parse("alnum", &cs);
    o.gen_charset = "alnum";
    o.gen_length = 32;
    o.how = "generate";
    for (long i = 0; i < n && rc == 0; i++) {
        snprintf(name, sizeof(name), "app/service-%05ld/password", i);
        rc = keys_generate(&cs, 32, value);
        if (rc == 0)
            rc = vault_set(v, name, value, 32, &o, NULL);
    }
    if (rc == 0)
        rc = vault_commit(v);
    vault_close(v);
    if (rc == 0)
        return 0;
fail:
    fprintf(stderr, "bench_vault_fill: %s\n", err_message());
    return 2;
}
