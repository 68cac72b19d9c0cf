/* secrets keygen: a new X25519 identity file (0600, never overwritten) and its public key. */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "keys.h"

static const char usage[] =
    "usage: secrets keygen [--output FILE]\n"
    "\n"
    "Creates an identity for a shared vault: an X25519 secret key in FILE (mode 0600, never\n"
    "overwritten; default $XDG_CONFIG_HOME/secrets/identity.txt or\n"
    "~/.config/secrets/identity.txt). Prints its public key (age1...) on stdout: give it to a\n"
    "vault's owner, who runs `secrets member add NAME age1...`. Unlock with --identity FILE or\n"
    "SECRETS_IDENTITY_FILE. An ssh-ed25519 key works as an identity too.\n"
    "  -o, --output FILE     where to write the identity\n"
    "  -q, --quiet           no notes\n";

static int
default_path(char *out, size_t size)
{
    const char *x = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
    char dir[PATH_MAX];
    int rc;

    if (x != NULL && x[0] == '/')
        rc = str_format(dir, sizeof(dir), "%s/secrets", x);
    else if (home != NULL && home[0] == '/')
        rc = str_format(dir, sizeof(dir), "%s/.config/secrets", home);
    else
        return err_set(ERR_USAGE, "no HOME: pass --output FILE");
    if (rc < 0 || (rc = file_mkdirs(dir, 0700)) < 0)
        return rc;
    return str_format(out, size, "%s/identity.txt", dir);
}

int
cmd_keygen(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"output", required_argument, NULL, 'o'},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    char path[PATH_MAX], pub[KEYS_RECIPIENT_TEXT];
    const char *out = NULL;
    int opt, rc;

    while ((opt = getopt_long(argc, argv, "o:qh", longopts, NULL)) != -1) {
        switch (opt) {
        case 'o':
            out = optarg;
            break;
        case 'q':
            diag_set_quiet(1);
            break;
        case 'h':
            fputs(usage, stdout);
            return EXIT_CLEAN;
        default:
            fputs(usage, stderr);
            return EXIT_ERROR;
        }
    }
    if (optind != argc) {
        diag_error("keygen: unexpected argument '%s'", argv[optind]);
        fputs(usage, stderr);
        return EXIT_ERROR;
    }
    if ((rc = keys_init()) < 0)
        return cli_fail(rc);
    if (out == NULL) {
        if ((rc = default_path(path, sizeof(path))) < 0)
            return cli_fail(rc);
    } else if ((rc = str_format(path, sizeof(path), "%s", out)) < 0) {
        return cli_fail(rc);
    }
    if ((rc = keys_identity_create(path, pub, sizeof(pub))) < 0)
        return cli_fail(rc);
    diag_note("identity written to %s (mode 0600); keep it private, back it up", path);
    printf("%s\n", pub);
    return EXIT_CLEAN;
}
