/* secrets generate: random secrets on stdout, one per line. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "keys.h"

static const char usage[] =
    "usage: secrets generate [--length N] [--charset SET] [--count N] [--no-newline] [--verbose]\n"
    "\n"
    "Prints random secrets drawn uniformly from a character set, one per line.\n"
    "  -l, --length N      characters per secret, 1..4096 (default 32)\n"
    "  -c, --charset SET   alnum (default), alpha, digits, hex, base64, base64url,\n"
    "                      ascii (printable, no space) or custom:CHARS\n"
    "  -n, --count N       how many secrets, 1..100000 (default 1)\n"
    "      --no-newline    no newline after a single secret\n"
    "  -v, --verbose       print the entropy in bits on stderr\n";

int
cmd_generate(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"length", required_argument, NULL, 'l'}, {"charset", required_argument, NULL, 'c'},
        {"count", required_argument, NULL, 'n'},  {"no-newline", no_argument, NULL, 'N'},
        {"verbose", no_argument, NULL, 'v'},      {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct keys_charset cs;
    const char *spec = "alnum";
    long length = 32, count = 1;
    int opt, no_newline = 0, verbose = 0, rc = 0;
    double bits;
    char *secret;

    while ((opt = getopt_long(argc, argv, "l:c:n:vh", longopts, NULL)) != -1) {
        switch (opt) {
        case 'l':
            if (cli_parse_long(optarg, 1, KEYS_GENERATE_MAX, "--length", &length) < 0)
                return EXIT_ERROR;
            break;
        case 'c':
            spec = optarg;
            break;
        case 'n':
            if (cli_parse_long(optarg, 1, 100000, "--count", &count) < 0)
                return EXIT_ERROR;
            break;
        case 'N':
            no_newline = 1;
            break;
        case 'v':
            verbose = 1;
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
        diag_error("generate: unexpected argument '%s'", argv[optind]);
        fputs(usage, stderr);
        return EXIT_ERROR;
    }
    if (no_newline && count > 1) {
        diag_error("--no-newline works with a single secret only (--count %ld)", count);
        return EXIT_ERROR;
    }
    if ((rc = keys_charset_parse(spec, &cs)) < 0 || (rc = keys_init()) < 0)
        return cli_fail(rc);
    bits = keys_entropy_bits(&cs, (size_t)length);
    if (verbose)
        diag_note("%.1f bits of entropy per secret (%zu characters in the set, length %ld)", bits,
                  cs.n, length);
    if (bits < 128.0)
        diag_warn("each secret has only %.1f bits of entropy (under 128); use a longer "
                  "--length or a larger --charset",
                  bits);
    secret = keys_alloc((size_t)length + 1);
    if (secret == NULL) {
        diag_error("cannot allocate guarded memory");
        return EXIT_ERROR;
    }
    for (long i = 0; i < count && rc == 0; i++) {
        rc = keys_generate(&cs, (size_t)length, secret);
        if (rc == 0) {
            secret[length] = no_newline ? '\0' : '\n';
            if (fwrite(secret, 1, (size_t)length + !no_newline, stdout) !=
                (size_t)length + !no_newline)
                rc = err_set(ERR_IO, "write failure on standard output");
        }
    }
    keys_free(secret);
    return rc < 0 ? cli_fail(rc) : EXIT_CLEAN;
}
