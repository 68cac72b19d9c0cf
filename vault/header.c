/* header: the vault file's header (docs/vault-format.md): fixed fields, length-prefixed key
 * slots that readers skip when they do not know the kind, the body nonce and a checksum. */
#include <sodium.h>
#include <string.h>

#include "vault_internal.h"

static uint16_t
get16(const unsigned char *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t
get32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t
get64(const unsigned char *p)
{
    return (uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32;
}

static void
put16(unsigned char *p, uint16_t v)
{
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
}

static void
put32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static void
put64(unsigned char *p, uint64_t v)
{
    put32(p, (uint32_t)v);
    put32(p + 4, (uint32_t)(v >> 32));
}

static int
corrupt(const char *why)
{
    return err_set(ERR_PARSE, "vault is corrupted or was modified (%s)", why);
}

int
vault_slot_pass_decode(const struct vault_slot *s, struct vault_pass_slot *out)
{
    const unsigned char *p = s->body;

    if (s->kind != VAULT_SLOT_PASSPHRASE || s->len != VAULT_SLOT_PASS_BYTES)
        return corrupt("bad passphrase slot");
    if (p[0] != VAULT_KDF_ARGON2ID13 || p[1] || p[2] || p[3])
        return corrupt("unknown KDF in a passphrase slot");
    out->kdf.opslimit = get64(p + 4);
    out->kdf.memlimit = get64(p + 12);
    memcpy(out->salt, p + 20, KEYS_SALT_BYTES);
    memcpy(out->nonce, p + 20 + KEYS_SALT_BYTES, KEYS_NONCE_BYTES);
    memcpy(out->wrapped, p + 20 + KEYS_SALT_BYTES + KEYS_NONCE_BYTES, KEYS_WRAPPED_BYTES);
    return keys_kdf_check(&out->kdf);
}

int
vault_header_parse(const unsigned char *data, size_t len, struct vault_header *h)
{
    size_t off, hlen;
    unsigned char sum[VAULT_CHECKSUM];
    struct vault_pass_slot ps;
    int rc;

    memset(h, 0, sizeof(*h));
    if (len < 8 || memcmp(data, VAULT_MAGIC, 8) != 0)
        return err_set(ERR_PARSE, "not a vault file (bad magic)");
    if (len < VAULT_FIXED_BYTES + KEYS_NONCE_BYTES + VAULT_CHECKSUM)
        return corrupt("truncated header");
    h->version = get16(data + 8);
    h->flags = get16(data + 10);
    hlen = get32(data + 12);
    if (hlen < VAULT_FIXED_BYTES + KEYS_NONCE_BYTES + VAULT_CHECKSUM || hlen > VAULT_HEADER_MAX ||
        hlen > len)
        return corrupt("bad header length");
    /* The checksum first: any changed header byte is reported as such, not as a bad password. */
    crypto_generichash(sum, sizeof(sum), data, hlen - VAULT_CHECKSUM, NULL, 0);
    if (sodium_memcmp(sum, data + hlen - VAULT_CHECKSUM, VAULT_CHECKSUM) != 0)
        return corrupt("header checksum mismatch");
    if (h->version != VAULT_FORMAT)
        return err_set(ERR_PARSE, "vault format version %u is not supported by this program "
                                  "(it reads version %d)",
                       h->version, VAULT_FORMAT);
    if (h->flags != 0)
        return err_set(ERR_PARSE, "vault header has unknown flags 0x%04x", h->flags);
    memcpy(h->id, data + 16, 16);
    h->nslots = get16(data + 32);
    if (h->nslots == 0 || h->nslots > VAULT_SLOTS_MAX)
        return corrupt("bad key slot count");
    if (get16(data + 34) != 0)
        return corrupt("reserved bytes are not zero");
    memcpy(h->check, data + 36, 16);
    off = VAULT_FIXED_BYTES;
    for (size_t i = 0; i < h->nslots; i++) {
        struct vault_slot *s = &h->slots[i];
        if (off + 4 > hlen - VAULT_CHECKSUM - KEYS_NONCE_BYTES)
            return corrupt("truncated key slot");
        s->kind = get16(data + off);
        s->len = get16(data + off + 2);
        off += 4;
        if (s->len > VAULT_SLOT_BODY_MAX || s->len > hlen - VAULT_CHECKSUM - KEYS_NONCE_BYTES - off)
            return corrupt("key slot overruns the header");
        memcpy(s->body, data + off, s->len);
        off += s->len;
        if (s->kind == VAULT_SLOT_PASSPHRASE && (rc = vault_slot_pass_decode(s, &ps)) < 0)
            return rc;
        if (s->kind == VAULT_SLOT_KEY_FILE && s->len != VAULT_SLOT_KEYFILE_BYTES)
            return corrupt("bad key-file slot");
        if (s->kind == 0)
            return corrupt("key slot of kind 0");
    }
    if (off + KEYS_NONCE_BYTES + VAULT_CHECKSUM != hlen)
        return corrupt("header length does not match its slots");
    memcpy(h->nonce, data + off, KEYS_NONCE_BYTES);
    h->len = hlen;
    return 0;
}

int
vault_header_encode(struct vault_header *h, struct buf *out)
{
    unsigned char fixed[VAULT_FIXED_BYTES], sh[4], sum[VAULT_CHECKSUM];
    size_t hlen = VAULT_FIXED_BYTES + KEYS_NONCE_BYTES + VAULT_CHECKSUM, start = out->len;
    int rc = 0;

    for (size_t i = 0; i < h->nslots; i++)
        hlen += 4 + h->slots[i].len;
    if (hlen > VAULT_HEADER_MAX)
        return err_set(ERR_LIMIT, "vault header too large");
    memcpy(fixed, VAULT_MAGIC, 8);
    put16(fixed + 8, VAULT_FORMAT);
    put16(fixed + 10, 0);
    put32(fixed + 12, (uint32_t)hlen);
    memcpy(fixed + 16, h->id, 16);
    put16(fixed + 32, (uint16_t)h->nslots);
    put16(fixed + 34, 0);
    memcpy(fixed + 36, h->check, 16);
    rc = buf_append(out, fixed, sizeof(fixed));
    for (size_t i = 0; i < h->nslots && rc == 0; i++) {
        put16(sh, h->slots[i].kind);
        put16(sh + 2, h->slots[i].len);
        rc = buf_append(out, sh, 4);
        if (rc == 0)
            rc = buf_append(out, h->slots[i].body, h->slots[i].len);
    }
    if (rc == 0)
        rc = buf_append(out, h->nonce, KEYS_NONCE_BYTES);
    if (rc < 0)
        return rc;
    crypto_generichash(sum, sizeof(sum), (unsigned char *)out->data + start, out->len - start,
                       NULL, 0);
    h->version = VAULT_FORMAT;
    h->flags = 0;
    h->len = hlen;
    return buf_append(out, sum, sizeof(sum));
}

size_t
vault_slot_ad(const struct vault_header *h, const struct vault_slot *s, unsigned char *ad,
              size_t size)
{
    size_t params = 0, n;

    if (s->kind == VAULT_SLOT_PASSPHRASE)
        params = 4 + 8 + 8 + KEYS_SALT_BYTES;
    n = 8 + 2 + 16 + 2 + params;
    if (n > size)
        return 0;
    memcpy(ad, VAULT_MAGIC, 8);
    put16(ad + 8, VAULT_FORMAT);
    memcpy(ad + 10, h->id, 16);
    put16(ad + 26, s->kind);
    memcpy(ad + 28, s->body, params);
    return n;
}

int
vault_slot_make_pass(const struct vault_header *h, const struct keys_passphrase *pass,
                     const struct keys_kdf_params *kdf, const unsigned char *key,
                     struct vault_slot *s)
{
    unsigned char *kek, ad[128];
    size_t adlen;
    int rc;

    memset(s, 0, sizeof(*s));
    s->kind = VAULT_SLOT_PASSPHRASE;
    s->len = VAULT_SLOT_PASS_BYTES;
    s->body[0] = VAULT_KDF_ARGON2ID13;
    put64(s->body + 4, kdf->opslimit);
    put64(s->body + 12, kdf->memlimit);
    keys_random(s->body + 20, KEYS_SALT_BYTES);
    adlen = vault_slot_ad(h, s, ad, sizeof(ad));
    if ((kek = keys_alloc(KEYS_KEY_BYTES)) == NULL)
        return err_set(ERR_NOMEM, "cannot allocate guarded memory");
    rc = keys_kdf_derive(pass->data, pass->len, s->body + 20, kdf, kek);
    if (rc == 0)
        rc = keys_wrap(kek, ad, adlen, key, s->body + 20 + KEYS_SALT_BYTES,
                       s->body + 20 + KEYS_SALT_BYTES + KEYS_NONCE_BYTES);
    keys_free(kek);
    return rc;
}

int
vault_slot_make_keyfile(const struct vault_header *h, const unsigned char *keyfile,
                        const unsigned char *key, struct vault_slot *s)
{
    unsigned char *kek, ad[128];
    size_t adlen;
    int rc;

    memset(s, 0, sizeof(*s));
    s->kind = VAULT_SLOT_KEY_FILE;
    s->len = VAULT_SLOT_KEYFILE_BYTES;
    adlen = vault_slot_ad(h, s, ad, sizeof(ad));
    if ((kek = keys_alloc(KEYS_KEY_BYTES)) == NULL)
        return err_set(ERR_NOMEM, "cannot allocate guarded memory");
    keys_keyfile_kek(keyfile, kek);
    rc = keys_wrap(kek, ad, adlen, key, s->body, s->body + KEYS_NONCE_BYTES);
    keys_free(kek);
    return rc;
}

int
vault_slot_open(const struct vault_header *h, const struct vault_slot *s,
                const struct keys_passphrase *pass, const unsigned char *keyfile,
                unsigned char *key)
{
    struct vault_pass_slot ps;
    unsigned char *kek, ad[128];
    size_t adlen = vault_slot_ad(h, s, ad, sizeof(ad));
    int rc;

    if ((kek = keys_alloc(KEYS_KEY_BYTES)) == NULL)
        return err_set(ERR_NOMEM, "cannot allocate guarded memory");
    if (s->kind == VAULT_SLOT_PASSPHRASE && pass != NULL) {
        rc = vault_slot_pass_decode(s, &ps);
        if (rc == 0)
            rc = keys_kdf_derive(pass->data, pass->len, ps.salt, &ps.kdf, kek);
        if (rc == 0)
            rc = keys_unwrap(kek, ad, adlen, ps.nonce, ps.wrapped, key);
    } else if (s->kind == VAULT_SLOT_KEY_FILE && keyfile != NULL) {
        keys_keyfile_kek(keyfile, kek);
        rc = keys_unwrap(kek, ad, adlen, s->body, s->body + KEYS_NONCE_BYTES, key);
    } else {
        rc = err_set(ERR_AUTH, "wrong passphrase or key");
    }
    keys_free(kek);
    return rc;
}
