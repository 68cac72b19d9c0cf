/* header: the vault file's header (docs/vault-format.md): fixed fields, length-prefixed key
 * slots that readers skip when they do not know the kind, the body nonce and a checksum. */
#include <sodium.h>
#include <string.h>

#include "vault_internal.h"

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
    out->kdf.opslimit = vault_get64(p + 4);
    out->kdf.memlimit = vault_get64(p + 12);
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
    h->version = vault_get16(data + 8);
    h->flags = vault_get16(data + 10);
    hlen = vault_get32(data + 12);
    if (hlen < VAULT_FIXED_BYTES + KEYS_NONCE_BYTES + VAULT_CHECKSUM || hlen > VAULT_HEADER_MAX ||
        hlen > len)
        return corrupt("bad header length");
    /* The checksum first: any changed header byte is reported as such, not as a bad password. */
    crypto_generichash(sum, sizeof(sum), data, hlen - VAULT_CHECKSUM, NULL, 0);
    if (sodium_memcmp(sum, data + hlen - VAULT_CHECKSUM, VAULT_CHECKSUM) != 0)
        return corrupt("header checksum mismatch");
    if (h->version < VAULT_FORMAT_MIN || h->version > VAULT_FORMAT)
        return err_set(ERR_PARSE, "vault format version %u is not supported by this program "
                                  "(it reads versions %d to %d)",
                       h->version, VAULT_FORMAT_MIN, VAULT_FORMAT);
    if (h->flags != 0)
        return err_set(ERR_PARSE, "vault header has unknown flags 0x%04x", h->flags);
    memcpy(h->id, data + 16, 16);
    h->nslots = vault_get16(data + 32);
    if (h->nslots == 0 || h->nslots > VAULT_SLOTS_MAX)
        return corrupt("bad key slot count");
    if (vault_get16(data + 34) != 0)
        return corrupt("reserved bytes are not zero");
    memcpy(h->check, data + 36, 16);
    off = VAULT_FIXED_BYTES;
    for (size_t i = 0; i < h->nslots; i++) {
        struct vault_slot *s = &h->slots[i];
        if (off + 4 > hlen - VAULT_CHECKSUM - KEYS_NONCE_BYTES)
            return corrupt("truncated key slot");
        s->kind = vault_get16(data + off);
        s->len = vault_get16(data + off + 2);
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
        if (s->kind == VAULT_SLOT_MEMBER) {
            struct vault_member_slot ms;
            if ((rc = vault_slot_member_decode(s, &ms)) < 0)
                return rc;
            for (size_t j = 0; j < i; j++) {
                struct vault_member_slot other;
                if (h->slots[j].kind == VAULT_SLOT_MEMBER &&
                    vault_slot_member_decode(&h->slots[j], &other) == 0 &&
                    strcmp(other.name, ms.name) == 0)
                    return corrupt("two member slots with the same name");
            }
        }
        if (s->kind == VAULT_SLOT_REMOVED) {
            struct vault_removal rr[VAULT_REMOVALS_MAX];
            size_t nr;
            for (size_t j = 0; j < i; j++)
                if (h->slots[j].kind == VAULT_SLOT_REMOVED)
                    return corrupt("two removal slots");
            if ((rc = vault_slot_removed_decode(s, rr, &nr)) < 0)
                return rc;
        }
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
    return vault_header_encode_version(h, VAULT_FORMAT, out);
}

int
vault_header_encode_version(struct vault_header *h, unsigned version, struct buf *out)
{
    unsigned char fixed[VAULT_FIXED_BYTES], sh[4], sum[VAULT_CHECKSUM];
    size_t hlen = VAULT_FIXED_BYTES + KEYS_NONCE_BYTES + VAULT_CHECKSUM, start = out->len;
    int rc = 0;

    for (size_t i = 0; i < h->nslots; i++)
        hlen += 4 + h->slots[i].len;
    if (hlen > VAULT_HEADER_MAX)
        return err_set(ERR_LIMIT, "vault header too large");
    memcpy(fixed, VAULT_MAGIC, 8);
    vault_put16(fixed + 8, (uint16_t)version);
    vault_put16(fixed + 10, 0);
    vault_put32(fixed + 12, (uint32_t)hlen);
    memcpy(fixed + 16, h->id, 16);
    vault_put16(fixed + 32, (uint16_t)h->nslots);
    vault_put16(fixed + 34, 0);
    memcpy(fixed + 36, h->check, 16);
    rc = buf_append(out, fixed, sizeof(fixed));
    for (size_t i = 0; i < h->nslots && rc == 0; i++) {
        vault_put16(sh, h->slots[i].kind);
        vault_put16(sh + 2, h->slots[i].len);
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
    h->version = (uint16_t)version;
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
    vault_put16(ad + 8, VAULT_SLOT_AD_VERSION);
    memcpy(ad + 10, h->id, 16);
    vault_put16(ad + 26, s->kind);
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
    vault_put64(s->body + 4, kdf->opslimit);
    vault_put64(s->body + 12, kdf->memlimit);
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

int
vault_member_name_check(const char *name)
{
    size_t n = strlen(name);

    if (n == 0 || n > VAULT_MEMBER_NAME_MAX)
        return err_set(ERR_USAGE, "member name must be 1..%d bytes", VAULT_MEMBER_NAME_MAX);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-' || c == '@'))
            return err_set(ERR_USAGE, "member name '%.64s': only letters, digits and ._-@", name);
    }
    if (name[0] == '-')
        return err_set(ERR_USAGE, "member name must not start with '-'");
    return 0;
}

/* type (1) ‖ name length N (1) ‖ name (N) ‖ public key (32) ‖ sealed id ‖ key (96) */
int
vault_slot_member_decode(const struct vault_slot *s, struct vault_member_slot *out)
{
    const unsigned char *p = s->body;
    size_t n;

    if (s->kind != VAULT_SLOT_MEMBER || s->len < 2)
        return corrupt("bad member slot");
    n = p[1];
    if (p[0] != KEYS_PK_X25519 && p[0] != KEYS_PK_SSH_ED25519)
        return corrupt("unknown key type in a member slot");
    if (n == 0 || n > VAULT_MEMBER_NAME_MAX ||
        s->len != 2 + n + KEYS_PK_BYTES + VAULT_MEMBER_SEALED)
        return corrupt("bad member slot length");
    out->type = (enum keys_pk_type)p[0];
    memcpy(out->name, p + 2, n);
    out->name[n] = '\0';
    if (memchr(out->name, '\0', n) != NULL || vault_member_name_check(out->name) < 0)
        return corrupt("bad member name");
    out->pk = p + 2 + n;
    out->sealed = p + 2 + n + KEYS_PK_BYTES;
    return 0;
}

int
vault_slot_make_member(const struct vault_header *h, const char *name, enum keys_pk_type type,
                       const unsigned char *pk, const unsigned char *key, struct vault_slot *s)
{
    unsigned char x[KEYS_PK_BYTES], *m;
    size_t n = strlen(name);
    int rc;

    if ((rc = vault_member_name_check(name)) < 0)
        return rc;
    if ((rc = keys_recipient_x25519(type, pk, x)) < 0)
        return rc;
    memset(s, 0, sizeof(*s));
    s->kind = VAULT_SLOT_MEMBER;
    s->len = (uint16_t)(2 + n + KEYS_PK_BYTES + VAULT_MEMBER_SEALED);
    s->body[0] = (unsigned char)type;
    s->body[1] = (unsigned char)n;
    memcpy(s->body + 2, name, n);
    memcpy(s->body + 2 + n, pk, KEYS_PK_BYTES);
    if ((m = keys_alloc(16 + KEYS_KEY_BYTES)) == NULL)
        return err_set(ERR_NOMEM, "cannot allocate guarded memory");
    memcpy(m, h->id, 16);
    memcpy(m + 16, key, KEYS_KEY_BYTES);
    rc = keys_seal(x, m, 16 + KEYS_KEY_BYTES, s->body + 2 + n + KEYS_PK_BYTES);
    keys_free(m);
    return rc;
}

/* count (2) ‖ records: removed at (8) ‖ name length N (1) ‖ name (N) */
int
vault_slot_removed_decode(const struct vault_slot *s, struct vault_removal *out, size_t *n)
{
    size_t off = 2, count;

    if (s->kind != VAULT_SLOT_REMOVED || s->len < 2)
        return corrupt("bad removal slot");
    count = vault_get16(s->body);
    if (count > VAULT_REMOVALS_MAX)
        return corrupt("too many removal records");
    for (size_t i = 0; i < count; i++) {
        size_t nl;
        if (off + 9 > s->len)
            return corrupt("truncated removal record");
        out[i].at = (long long)vault_get64(s->body + off);
        nl = s->body[off + 8];
        off += 9;
        if (nl == 0 || nl > VAULT_MEMBER_NAME_MAX || off + nl > s->len)
            return corrupt("bad removal record");
        memcpy(out[i].name, s->body + off, nl);
        out[i].name[nl] = '\0';
        if (memchr(out[i].name, '\0', nl) != NULL || out[i].at < 0)
            return corrupt("bad removal record");
        off += nl;
    }
    if (off != s->len)
        return corrupt("removal slot length does not match its records");
    *n = count;
    return 0;
}

int
vault_slot_make_removed(const struct vault_removal *r, size_t n, struct vault_slot *s)
{
    size_t off = 2;

    memset(s, 0, sizeof(*s));
    s->kind = VAULT_SLOT_REMOVED;
    if (n > VAULT_REMOVALS_MAX)
        return err_set(ERR_LIMIT, "too many removal records");
    for (size_t i = 0; i < n; i++) {
        size_t nl = strlen(r[i].name);
        vault_put64(s->body + off, (uint64_t)r[i].at);
        s->body[off + 8] = (unsigned char)nl;
        memcpy(s->body + off + 9, r[i].name, nl);
        off += 9 + nl;
    }
    vault_put16(s->body, (uint16_t)n);
    s->len = (uint16_t)off;
    return 0;
}
