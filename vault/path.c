/* path: where the vault lives (--vault, $SECRETS_VAULT, the XDG default) and which secret names
 * are allowed. */
#include <stdlib.h>
#include <string.h>

#include "vault.h"

int
vault_path(const char *opt, char *out, size_t size)
{
    const char *env = getenv("SECRETS_VAULT"), *xdg = getenv("XDG_DATA_HOME");
    const char *home = getenv("HOME");

    if (opt != NULL && opt[0] != '\0')
        return str_format(out, size, "%s", opt);
    if (env != NULL && env[0] != '\0')
        return str_format(out, size, "%s", env);
    if (xdg != NULL && xdg[0] == '/')
        return str_format(out, size, "%s/secrets/vault.sv", xdg);
    if (home == NULL || home[0] != '/')
        return err_set(ERR_USAGE, "no vault path: pass --vault PATH or set SECRETS_VAULT (HOME is "
                                  "not set)");
    return str_format(out, size, "%s/.local/share/secrets/vault.sv", home);
}

int
vault_name_check(const char *name)
{
    size_t len = strlen(name), part = 0;

    if (len == 0)
        return err_set(ERR_USAGE, "a secret name cannot be empty");
    if (len > VAULT_NAME_MAX)
        return err_set(ERR_USAGE, "secret name is longer than %d bytes", VAULT_NAME_MAX);
    for (size_t i = 0; i <= len; i++) {
        unsigned char c = (unsigned char)name[i];
        if (c == '/' || c == '\0') {
            if (part == 0)
                return err_set(ERR_USAGE, "secret name has an empty part (leading, trailing or "
                                          "double '/')");
            if ((part == 1 && name[i - 1] == '.') ||
                (part == 2 && name[i - 1] == '.' && name[i - 2] == '.'))
                return err_set(ERR_USAGE, "secret name has a '.' or '..' part");
            part = 0;
            continue;
        }
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-'))
            return err_set(ERR_USAGE, "secret name has a character outside letters, digits and "
                                      "'._-/' (byte 0x%02x at offset %zu)",
                           c, i);
        part++;
    }
    return 0;
}
