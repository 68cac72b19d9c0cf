/* secrets_vault: what the vault subcommands (cli/secrets_<cmd>.c) share: the --vault,
 * --key-file, --no-keyring and --quiet options, opening the vault, dates and durations. */
#ifndef SECRETS_VAULT_H
#define SECRETS_VAULT_H

#include <limits.h>

#include <cjson/cJSON.h>

#include "cli.h"
#include "vault.h"

/* Options every vault command shares (cli/secrets_vault_common.c). */
struct vault_cli {
    const char *vault;
    struct vault_unlock unlock;
    char path[PATH_MAX];
};
enum {
    VAULT_OPT_VAULT = 0x200,
    VAULT_OPT_KEY_FILE,
    VAULT_OPT_NO_KEYRING,
    VAULT_OPT_ALLOW_EXPENSIVE_KDF,
    VAULT_OPT_IDENTITY,
};
#define VAULT_OPTS_LONG                                                                        \
    {"vault", required_argument, NULL, VAULT_OPT_VAULT},                                       \
        {"key-file", required_argument, NULL, VAULT_OPT_KEY_FILE},                             \
        {"no-keyring", no_argument, NULL, VAULT_OPT_NO_KEYRING},                               \
        {"identity", required_argument, NULL, VAULT_OPT_IDENTITY},                             \
        {"allow-expensive-kdf", no_argument, NULL, VAULT_OPT_ALLOW_EXPENSIVE_KDF},             \
        {"quiet", no_argument, NULL, 'q'}, {"help", no_argument, NULL, 'h'}
#define VAULT_OPTS_HELP                                                                        \
    "      --vault PATH      the vault (default $SECRETS_VAULT, else\n"                        \
    "                        $XDG_DATA_HOME/secrets/vault.sv or ~/.local/share/secrets/vault.sv)\n" \
    "      --key-file F      unlock with this key file (SECRETS_KEY_FILE works too)\n"          \
    "      --identity F      unlock as a member with this identity file\n"                     \
    "                        (SECRETS_IDENTITY_FILE works too)\n"                              \
    "      --no-keyring      do not look in the OS keyring cache (SECRETS_NO_KEYRING=1)\n"     \
    "      --allow-expensive-kdf  accept Argon2id parameters above the `sensitive` preset\n"   \
    "  -q, --quiet           no notes or warnings\n"
void vault_cli_init(struct vault_cli *c);
/* 1 when `opt` was a shared vault option. */
int vault_cli_opt(struct vault_cli *c, int opt, const char *arg);
/* Resolves c->path; prints and returns EXIT_ERROR on failure, else 0. */
int vault_cli_path(struct vault_cli *c);
/* Resolves the path and opens the vault; prints and returns EXIT_ERROR on failure, else 0. */
int vault_cli_open(struct vault_cli *c, int flags, struct vault **v);
/* Exactly `want` operands after the options; prints usage and returns -1 otherwise. */
int vault_cli_args(int argc, char **argv, int want, const char *cmd, const char *usage);
/* UTC ISO 8601 time, "-" for 0. */
/* --format text|json of list and history: 0 (and *json set) or -1 after an error message. */
int vault_cli_format(const char *arg, int *json);
/* Prints a JSON document on stdout and deletes it (NULL means out of memory). */
int vault_cli_print_json(cJSON *doc);
void vault_cli_time(long long t, char *out, size_t size);
int vault_cli_parse_date(const char *s, long long *out);
/* 900, 15m, 8h, 2d -> seconds. */
int vault_cli_parse_duration(const char *s, long *out);
/* A secret's value: --value V (warns), --from-file F, stdin when not a terminal, else a no-echo
 * prompt asked twice. Empty is refused. `out` is guarded memory (vault_value_free). */
int vault_cli_read_value(const char *name, const char *from_file, const char *value,
                         struct vault_value *out);

#endif
