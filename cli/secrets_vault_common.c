/* secrets_vault_common: the options every vault command shares (--vault, --key-file,
 * --no-keyring, --quiet), opening the vault with them, reading a value, dates and durations. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "secrets_vault.h"

void
vault_cli_init(struct vault_cli *c)
{
    memset(c, 0, sizeof(*c));
}

int
vault_cli_opt(struct vault_cli *c, int opt, const char *arg)
{
    switch (opt) {
    case VAULT_OPT_VAULT:
        c->vault = arg;
        return 1;
    case VAULT_OPT_KEY_FILE:
        c->unlock.key_file = arg;
        return 1;
    case VAULT_OPT_IDENTITY:
        c->unlock.identity = arg;
        return 1;
    case VAULT_OPT_NO_KEYRING:
        c->unlock.no_keyring = 1;
        return 1;
    case VAULT_OPT_ALLOW_EXPENSIVE_KDF:
        keys_kdf_allow_expensive(1);
        return 1;
    case 'q':
        diag_set_quiet(1);
        return 1;
    default:
        return 0;
    }
}

int
vault_cli_path(struct vault_cli *c)
{
    int rc = vault_path(c->vault, c->path, sizeof(c->path));

    return rc < 0 ? cli_fail(rc) : 0;
}

int
vault_cli_open(struct vault_cli *c, int flags, struct vault **v)
{
    int rc;

    if (vault_cli_path(c) != 0)
        return EXIT_ERROR;
    rc = vault_open(c->path, flags, &c->unlock, v);
    return rc < 0 ? cli_fail(rc) : 0;
}

int
vault_cli_args(int argc, char **argv, int want, const char *cmd, const char *usage)
{
    if (argc - optind != want) {
        if (argc - optind < want)
            diag_error("%s: missing argument", cmd);
        else
            diag_error("%s: unexpected argument '%s'", cmd, argv[optind + want]);
        fputs(usage, stderr);
        return -1;
    }
    return 0;
}

void
vault_cli_time(long long t, char *out, size_t size)
{
    time_t tt = (time_t)t;
    struct tm tm;

    if (t <= 0 || gmtime_r(&tt, &tm) == NULL ||
        strftime(out, size, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        (void)str_format(out, size, "-");
}

int
vault_cli_parse_date(const char *s, long long *out)
{
    struct tm tm;
    const char *end;

    memset(&tm, 0, sizeof(tm));
    end = strptime(s, "%Y-%m-%d", &tm);
    if (end != NULL && *end == 'T')
        end = strptime(end, "T%H:%M:%SZ", &tm);
    if (end == NULL || *end != '\0' || strlen(s) < 10 || tm.tm_year < 70 || tm.tm_year > 1100) {
        diag_error("--expires: '%s' is not a date (YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ, UTC)", s);
        return -1;
    }
    *out = (long long)timegm(&tm);
    return 0;
}

int
vault_cli_parse_duration(const char *s, long *out)
{
    char *end;
    long n = strtol(s, &end, 10), mult = 1;

    if (end == s || n < 0) {
        diag_error("--timeout: '%s' is not a duration (e.g. 900, 15m, 8h, 2d; 0 = until lock)", s);
        return -1;
    }
    if (*end == 's')
        mult = 1, end++;
    else if (*end == 'm')
        mult = 60, end++;
    else if (*end == 'h')
        mult = 3600, end++;
    else if (*end == 'd')
        mult = 86400, end++;
    if (*end != '\0' || n > 3650L * 86400 / mult) {
        diag_error("--timeout: '%s' is not a duration (e.g. 900, 15m, 8h, 2d; 0 = until lock)", s);
        return -1;
    }
    *out = n * mult;
    return 0;
}

int
vault_cli_read_value(const char *name, const char *from_file, const char *value, struct vault_value *out)
{
    struct keys_passphrase typed = {0};
    struct buf b = {0};
    char prompt[VAULT_NAME_MAX + 32];
    int rc;

    if (value != NULL) {
        cli_warn_argv_secret("--value");
        rc = buf_append(&b, value, strlen(value));
    } else if (from_file != NULL) {
        rc = file_read_all(from_file, VAULT_VALUE_MAX, 0, &b);
    } else if (!isatty(STDIN_FILENO)) {
        rc = file_read_all("-", VAULT_VALUE_MAX, 0, &b);
    } else {
        (void)str_format(prompt, sizeof(prompt), "Value for %s: ", name);
        if ((rc = keys_passphrase_prompt(prompt, 1, &typed)) < 0)
            return rc;
        rc = buf_append(&b, typed.data, typed.len);
        keys_passphrase_free(&typed);
    }
    if (rc == 0 && b.len == 0)
        rc = err_set(ERR_USAGE, "the value is empty");
    if (rc == 0 && (out->data = keys_alloc(b.len)) == NULL)
        rc = err_set(ERR_NOMEM, "cannot allocate guarded memory");
    if (rc == 0) {
        memcpy(out->data, b.data, b.len);
        out->len = b.len;
    }
    buf_free(&b);
    return rc;
}

int
vault_cli_format(const char *arg, int *json)
{
    if (strcmp(arg, "json") != 0 && strcmp(arg, "text") != 0) {
        diag_error("--format: unknown format '%s' (text, json)", arg);
        return -1;
    }
    *json = strcmp(arg, "json") == 0;
    return 0;
}

int
vault_cli_print_json(cJSON *doc)
{
    char *s = doc != NULL ? cJSON_Print(doc) : NULL;
    int rc = 0;

    if (s == NULL)
        rc = err_set(ERR_NOMEM, "out of memory");
    else
        printf("%s\n", s);
    cJSON_free(s);
    cJSON_Delete(doc);
    return rc;
}
