/* secrets run: the options of `secrets run`; vault/run.c does the work. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "secrets_vault.h"

static const char usage[] =
    "usage: secrets run [--all | --env VAR=NAME ...] [--as-files] -- CMD [ARGS...]\n"
    "\n"
    "Runs CMD (found on PATH, never through a shell) with secrets added to its environment;\n"
    "its exit status becomes ours (128+N when killed by signal N).\n"
    "  -a, --all           every secret, as a variable named after it (bytes outside\n"
    "                      [A-Za-z0-9_] become _)\n"
    "  -e, --env VAR=NAME  the secret NAME as VAR (repeatable)\n"
    "      --as-files      write the values in a fresh 0700 directory on a tmpfs\n"
    "                      ($XDG_RUNTIME_DIR, else /dev/shm) and set VAR_FILE to each path;\n"
    "                      the directory is removed when CMD exits or on SIGINT/SIGTERM/SIGHUP\n"
    VAULT_OPTS_HELP;

#define RUN_MAX_ENV 1024

int
cmd_run(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"all", no_argument, NULL, 'a'},
        {"env", required_argument, NULL, 'e'},
        {"as-files", no_argument, NULL, 'F'},
        VAULT_OPTS_LONG,
        {NULL, 0, NULL, 0},
    };
    struct vault_cli c;
    struct vault *v = NULL;
    struct vault_run *r = NULL;
    char *envs[RUN_MAX_ENV];
    size_t nenv = 0;
    int opt, rc, all = 0, as_files = 0;

    vault_cli_init(&c);
    while ((opt = getopt_long(argc, argv, "+ae:qh", longopts, NULL)) != -1) {
        if (vault_cli_opt(&c, opt, optarg))
            continue;
        switch (opt) {
        case 'a': all = 1; break;
        case 'e':
            if (nenv >= RUN_MAX_ENV) {
                diag_error("--env: at most %d", RUN_MAX_ENV);
                return EXIT_ERROR;
            }
            envs[nenv++] = optarg;
            break;
        case 'F': as_files = 1; break;
        case 'h':
            fputs(usage, stdout);
            return EXIT_CLEAN;
        default:
            fputs(usage, stderr);
            return EXIT_ERROR;
        }
    }
    if (optind >= argc) {
        diag_error("run: missing the command (after --)");
        fputs(usage, stderr);
        return EXIT_ERROR;
    }
    if (!all && nenv == 0) {
        diag_error("run: give --all or --env VAR=NAME");
        return EXIT_ERROR;
    }
    if ((rc = keys_init()) < 0)
        return cli_fail(rc);
    if (vault_cli_open(&c, 0, &v) != 0)
        return EXIT_ERROR;
    rc = vault_run_prepare(v, all, envs, nenv, as_files, &r);
    vault_close(v);
    if (rc == 0)
        rc = vault_run_exec(r, argv + optind);
    vault_run_free(r);
    if (rc < 0)
        return cli_fail(rc);
    return rc;
}
