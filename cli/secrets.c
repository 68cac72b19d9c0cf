/* secrets: the vault and secret-handling program. This file is only the dispatch table; each
 * subcommand lives in cli/secrets_<name>.c. */
#include <stdio.h>

#include "cli.h"

static const struct cli_cmd commands[] = {
    {"generate", cmd_generate, "print random secrets"},
    {"validate", cmd_validate, "check .env files before they ship"},
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
    "Run 'secrets COMMAND --help' for a command's options.\n"
    "Exit status: 0 success, 1 findings (validate), 2 error.\n";

int
main(int argc, char **argv)
{
    cli_harden_process();
    diag_set_program("secrets");
    json_init();
    return cli_finish(cli_dispatch(commands, argc, argv, usage));
}
