/* secrets: the vault and secret-handling program. This file is only the dispatch table; each
 * subcommand lives in cli/secrets_<name>.c. */
#include <stdio.h>

#include "cli.h"

static const struct cli_cmd commands[] = {
    {"generate", cmd_generate, "print random secrets"},
    {"validate", cmd_validate, "check .env files before they ship"},
    {"init", cmd_init, "create a vault"},
    {"set", cmd_set, "store a new version of a secret"},
    {"get", cmd_get, "print a secret's value"},
    {"list", cmd_list, "list secrets (never values)"},
    {"rm", cmd_rm, "remove a secret"},
    {"history", cmd_history, "list a secret's versions"},
    {"rollback", cmd_rollback, "bring back an older version"},
    {"rotate", cmd_rotate, "new random version of a secret"},
    {"passwd", cmd_passwd, "change the passphrase or key files"},
    {"rekey", cmd_rekey, "new data key, everything re-encrypted"},
    {"unlock", cmd_unlock, "check the vault opens; --remember caches its key"},
    {"lock", cmd_lock, "remove the cached key"},
    {"check", cmd_check, "report expired and overdue secrets"},
    {"create-file", cmd_create_file, "write a Docker secret file"},
    {"export", cmd_export, "export secrets for Compose, Swarm, Kubernetes or .env"},
    {"import", cmd_import, "import secrets from a .env or JSON file"},
    {"run", cmd_run, "run a program with secrets in its environment or files"},
    {"push", cmd_push, "create the secrets in a Docker/Podman engine's secret store"},
    {"keygen", cmd_keygen, "create an identity (X25519) for shared vaults"},
    {"member", cmd_member, "add, remove or list the members of a shared vault"},
    {"git-setup", cmd_git_setup, "configure git to diff and merge vault files"},
    {"textconv", cmd_textconv, "a vault file as text for git diff (never values)"},
    {"merge-driver", cmd_merge_driver, "git's three-way merge of vault files"},
    {NULL, NULL, NULL},
};

static const char usage[] =
    "usage: secrets COMMAND [OPTIONS]\n"
    "       secrets --help | --version\n"
    "\n"
    "Commands:\n"
    "  generate     print random secrets (--length, --charset, --count)\n"
    "  validate     check .env files (--env-file FILE): syntax, weak and leaked secrets\n"
    "\n"
    "Vault:\n"
    "  init         create a vault (passphrase and/or key file)\n"
    "  set NAME     store a new version (stdin, prompt, --from-file, --generate)\n"
    "  get NAME     print the value (--version N for an older one)\n"
    "  list         names, versions, dates, tags, expiry (never values)\n"
    "  rm NAME      remove (history kept; --purge deletes it)\n"
    "  history NAME           list the versions\n"
    "  rollback NAME --to N   a new version equal to version N\n"
    "  rotate NAME  a new random version\n"
    "  passwd       change the passphrase, add or remove key files\n"
    "  rekey        new data key, every secret re-encrypted\n"
    "  unlock       check the vault opens; --remember caches the key in the OS keyring\n"
    "  lock         remove the cached key\n"
    "  check        report expired and overdue secrets (exit 1 when any)\n"
    "\n"
    "Sharing:\n"
    "  keygen       create an identity; prints its public key (age1...)\n"
    "  member add NAME PUBKEY | rm NAME | list   who the vault is shared with\n"
    "  git-setup    git diff shows vault files as text, git merge merges them per secret\n"
    "  textconv FILE, merge-driver O A B   what git-setup has git run\n"
    "\n"
    "Secrets in use:\n"
    "  create-file --name NAME   a Docker secret file (./secrets/NAME, 0400) and the Compose lines\n"
    "  export --format F         docker-secrets, env, json, compose or k8s\n"
    "  import --env-file F | --json F | --pass DIR   store each entry as a new version\n"
    "  run [--all | --env VAR=NAME]... [--as-files] -- CMD   run CMD with secrets\n"
    "  push [NAMES...]           create them in the engine's secret store (--versioned)\n"
    "\n"
    "Run 'secrets COMMAND --help' for a command's options.\n"
    "Exit status: 0 success, 1 findings (validate, check), 2 error.\n";

int
main(int argc, char **argv)
{
    cli_harden_process();
    diag_set_program("secrets");
    json_init();
    return cli_finish(cli_dispatch(commands, argc, argv, usage));
}
