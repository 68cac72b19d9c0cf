/* cli_opts: one table per command describes its options; getopt's arrays, the --help lines and
 * the machine-readable spec (`--options-spec`, read by docs/gen/cli_docs.py to generate the man
 * page options and the bash and zsh completions) all come from it, so none can miss an option. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

int
cli_opts_build(const struct cli_opt *const *tables, struct option *longopts, size_t maxlong,
               char *shortopts, size_t maxshort)
{
    size_t nl = 0, ns = 0;

    if (maxshort < 2)
        return -1;
    shortopts[ns++] = '+'; /* options end at the first operand, like `secrets run -- cmd` */
    for (const struct cli_opt *const *t = tables; *t != NULL; t++) {
        for (const struct cli_opt *o = *t; o->name != NULL; o++) {
            if (nl + 1 >= maxlong)
                return -1;
            longopts[nl++] = (struct option){o->name, o->argname ? required_argument : no_argument,
                                             NULL, o->val};
            if (o->short_name != 0) {
                if (ns + 3 >= maxshort)
                    return -1;
                shortopts[ns++] = o->short_name;
                if (o->argname != NULL)
                    shortopts[ns++] = ':';
            }
        }
    }
    longopts[nl] = (struct option){NULL, 0, NULL, 0};
    shortopts[ns] = '\0';
    return 0;
}

void
cli_opts_help(FILE *out, const struct cli_opt *const *tables)
{
    for (const struct cli_opt *const *t = tables; *t != NULL; t++) {
        for (const struct cli_opt *o = *t; o->name != NULL; o++) {
            char left[80];
            if (o->hidden)
                continue;
            snprintf(left, sizeof(left), "%c%c%s--%s%s%s", o->short_name ? '-' : ' ',
                     o->short_name ? o->short_name : ' ', o->short_name ? ", " : "  ", o->name,
                     o->argname ? " " : "", o->argname ? o->argname : "");
            fprintf(out, "  %-30s %s\n", left, o->help);
        }
    }
}

void
cli_opts_spec(FILE *out, const char *command, const struct cli_opt *const *tables)
{
    for (const struct cli_opt *const *t = tables; *t != NULL; t++)
        for (const struct cli_opt *o = *t; o->name != NULL; o++) {
            char shortname[3] = {0};
            if (o->hidden)
                continue;
            if (o->short_name) {
                shortname[0] = '-';
                shortname[1] = o->short_name;
            }
            fprintf(out, "%s\t--%s\t%s\t%s\t%s\t%s\t%s\n", command, o->name, shortname,
                    o->argname ? o->argname : "", o->values ? o->values : "",
                    o->kind ? o->kind : "", o->help);
        }
}
