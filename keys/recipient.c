/* recipient: public keys members are known by: age's `age1...` X25519 recipients and ssh-ed25519
 * authorized_keys lines (converted to X25519 with libsodium), parsed and written back. */
#include <sodium.h>
#include <stdint.h>
#include <string.h>

#include "keys.h"

#define SSH_ED25519 "ssh-ed25519"

static uint32_t
be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* The SSH wire form of an ed25519 public key: string "ssh-ed25519" ‖ string key(32). */
static int
ssh_blob_key(const unsigned char *b, size_t n, unsigned char raw[KEYS_PK_BYTES])
{
    size_t tl = sizeof(SSH_ED25519) - 1;

    if (n < 4 || be32(b) != tl || n < 4 + tl || memcmp(b + 4, SSH_ED25519, tl) != 0)
        return err_set(ERR_PARSE, "not an ssh-ed25519 key (only ed25519 SSH keys can be "
                                  "members; RSA and ECDSA keys cannot be converted to X25519)");
    if (n != 4 + tl + 4 + KEYS_PK_BYTES || be32(b + 4 + tl) != KEYS_PK_BYTES)
        return err_set(ERR_PARSE, "ssh-ed25519 key of the wrong length");
    memcpy(raw, b + 4 + tl + 4, KEYS_PK_BYTES);
    return 0;
}

int
keys_recipient_x25519(enum keys_pk_type type, const unsigned char raw[KEYS_PK_BYTES],
                      unsigned char x25519[KEYS_PK_BYTES])
{
    if (type == KEYS_PK_X25519) {
        memcpy(x25519, raw, KEYS_PK_BYTES);
        return 0;
    }
    if (type == KEYS_PK_SSH_ED25519 && crypto_sign_ed25519_pk_to_curve25519(x25519, raw) == 0)
        return 0;
    return err_set(ERR_PARSE, "not a valid public key (type %d)", (int)type);
}

static int
parse_age(const char *text, size_t len, unsigned char raw[KEYS_PK_BYTES])
{
    char hrp[KEYS_BECH32_MAX];
    size_t n = 0;
    int rc = keys_bech32_decode(text, len, hrp, sizeof(hrp), raw, KEYS_PK_BYTES, &n);

    if (rc < 0) {
        char why[256];
        (void)str_format(why, sizeof(why), "%s", err_message());
        return err_set(ERR_PARSE, "recipient: %s", why);
    }
    if (strcmp(hrp, KEYS_RECIPIENT_HRP) != 0)
        return err_set(ERR_PARSE, "recipient: prefix '%s1' is not an age X25519 recipient "
                                  "(age1...)",
                       hrp);
    if (n != KEYS_PK_BYTES)
        return err_set(ERR_PARSE, "recipient: %zu bytes of key, expected %d", n, KEYS_PK_BYTES);
    return 0;
}

static int
parse_ssh(const char *text, unsigned char raw[KEYS_PK_BYTES])
{
    const char *b = text + sizeof(SSH_ED25519) - 1, *e;
    unsigned char blob[128];
    size_t n = 0;

    while (*b == ' ' || *b == '\t')
        b++;
    for (e = b; *e != '\0' && *e != ' ' && *e != '\t' && *e != '\n' && *e != '\r'; e++)
        ;
    if (e == b || sodium_base642bin(blob, sizeof(blob), b, (size_t)(e - b), NULL, &n, NULL,
                                    sodium_base64_VARIANT_ORIGINAL) != 0)
        return err_set(ERR_PARSE, "recipient: the ssh-ed25519 key is not valid base64");
    return ssh_blob_key(blob, n, raw);
}

int
keys_recipient_parse(const char *text, enum keys_pk_type *type,
                     unsigned char raw[KEYS_PK_BYTES], unsigned char x25519[KEYS_PK_BYTES])
{
    size_t len;

    while (*text == ' ' || *text == '\t')
        text++;
    len = strlen(text);
    while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == '\r' || text[len - 1] == ' '))
        len--;
    if (len > 0 && strncmp(text, SSH_ED25519, sizeof(SSH_ED25519) - 1) == 0) {
        *type = KEYS_PK_SSH_ED25519;
        if (parse_ssh(text, raw) < 0)
            return ERR_PARSE;
    } else if (len > 4 && strncmp(text, "ssh-", 4) == 0) {
        return err_set(ERR_PARSE, "recipient: only ssh-ed25519 SSH keys are accepted (RSA and "
                                  "ECDSA keys cannot be converted to X25519)");
    } else if (len > 4 && strncmp(text, "age1", 4) == 0) {
        *type = KEYS_PK_X25519;
        if (parse_age(text, len, raw) < 0)
            return ERR_PARSE;
    } else if (len > 15 && strncasecmp(text, "AGE-SECRET-KEY-", 15) == 0) {
        return err_set(ERR_PARSE, "recipient: this is a secret key (AGE-SECRET-KEY-...), not a "
                                  "public one; never share it. Pass the age1... line instead");
    } else {
        return err_set(ERR_PARSE, "recipient: expected age1... or an ssh-ed25519 public key");
    }
    if (keys_recipient_x25519(*type, raw, x25519) < 0)
        return err_set(ERR_PARSE, "recipient: not a valid ed25519 point");
    return 0;
}

int
keys_recipient_format(enum keys_pk_type type, const unsigned char raw[KEYS_PK_BYTES], char *out,
                      size_t size)
{
    unsigned char blob[4 + 11 + 4 + KEYS_PK_BYTES] = {0, 0, 0, 11};
    char b64[128];

    if (type == KEYS_PK_X25519)
        return keys_bech32_encode(KEYS_RECIPIENT_HRP, raw, KEYS_PK_BYTES, 0, out, size);
    memcpy(blob + 4, SSH_ED25519, 11);
    blob[18] = KEYS_PK_BYTES;
    memcpy(blob + 19, raw, KEYS_PK_BYTES);
    sodium_bin2base64(b64, sizeof(b64), blob, sizeof(blob), sodium_base64_VARIANT_ORIGINAL);
    return str_format(out, size, "%s %s", SSH_ED25519, b64);
}

int
keys_ssh_blob_key(const unsigned char *b, size_t n, unsigned char raw[KEYS_PK_BYTES])
{
    return ssh_blob_key(b, n, raw);
}
