/* identity: the X25519 secret key of a vault member, read from an identity file (age's
 * AGE-SECRET-KEY-1... text, or an unencrypted OpenSSH ed25519 private key converted to X25519)
 * into guarded memory, created 0600 with O_EXCL, and the sealed boxes it opens. */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "keys.h"

#define SSH_BEGIN "-----BEGIN OPENSSH PRIVATE KEY-----"
#define SSH_END   "-----END OPENSSH PRIVATE KEY-----"
#define SSH_MAGIC "openssh-key-v1"

void
keys_identity_free(struct keys_identity *id)
{
    if (id->sk != NULL)
        keys_free(id->sk);
    sodium_memzero(id, sizeof(*id));
}

int
keys_seal(const unsigned char pk[KEYS_PK_BYTES], const unsigned char *m, size_t mlen,
          unsigned char *c)
{
    if (crypto_box_seal(c, m, mlen, pk) != 0)
        return err_set(ERR_CRYPTO, "cannot seal the key to this recipient");
    return 0;
}

int
keys_seal_open(const struct keys_identity *id, const unsigned char *c, size_t clen,
               unsigned char *m)
{
    if (clen < KEYS_SEAL_OVERHEAD || crypto_box_seal_open(m, c, clen, id->pk, id->sk) != 0)
        return err_set(ERR_AUTH, "wrong passphrase or key");
    return 0;
}

/* Reads the file into guarded memory: no symlink, a regular file, at most KEYS_IDENTITY_MAX,
 * and no access for group or others (like ssh, a private key others can read is refused). */
static int
read_file(const char *path, char **mem, size_t *len)
{
    struct stat st;
    size_t got = 0;
    ssize_t n;
    int fd, rc = 0;

    *mem = NULL;
    fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) {
        if (errno == ENOENT)
            return err_set(ERR_NOTFOUND, "%s: no such identity file", path);
        if (errno == ELOOP)
            return err_set(ERR_UNSAFE, "%s: is a symbolic link; refusing to follow it", path);
        return err_set_errno(ERR_IO, "%s: cannot open identity file", path);
    }
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
        rc = err_set(ERR_UNSAFE, "%s: identity file is not a regular file", path);
    else if (st.st_mode & 077)
        rc = err_set(ERR_UNSAFE, "%s: identity file is accessible by other users (mode %03o); "
                                 "chmod 600 it (refused, as ssh refuses such private keys)",
                     path, (unsigned)(st.st_mode & 0777));
    else if (st.st_size > KEYS_IDENTITY_MAX)
        rc = err_set(ERR_LIMIT, "%s: identity file larger than %d bytes", path,
                     KEYS_IDENTITY_MAX);
    else if ((*mem = keys_alloc((size_t)st.st_size + 1)) == NULL)
        rc = err_set(ERR_NOMEM, "cannot allocate guarded memory");
    while (rc == 0 && got < (size_t)st.st_size) {
        n = read(fd, *mem + got, (size_t)st.st_size - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            rc = err_set_errno(ERR_IO, "%s: cannot read identity file", path);
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    if (rc == 0)
        (*mem)[got] = '\0';
    if (rc < 0 && *mem != NULL) {
        keys_free(*mem);
        *mem = NULL;
    }
    *len = got;
    close(fd);
    return rc;
}

static int
bad(const char *path, int line, const char *what)
{
    return err_set(ERR_PARSE, "%s:%d: %s", path, line, what);
}

static int
age_identity(const char *path, int line, const char *s, size_t n, struct keys_identity *id)
{
    char hrp[KEYS_BECH32_MAX];
    size_t got = 0;

    if (keys_bech32_decode(s, n, hrp, sizeof(hrp), id->sk, KEYS_KEY_BYTES, &got) < 0) {
        char why[256];
        (void)str_format(why, sizeof(why), "%s", err_message());
        return err_set(ERR_PARSE, "%s:%d: identity: %s", path, line, why);
    }
    if (strcmp(hrp, KEYS_IDENTITY_HRP) != 0 || got != KEYS_KEY_BYTES)
        return bad(path, line, "not an X25519 identity (AGE-SECRET-KEY-1...)");
    crypto_scalarmult_base(id->pk, id->sk);
    id->type = KEYS_PK_X25519;
    memcpy(id->raw_pk, id->pk, KEYS_PK_BYTES);
    return 0;
}

/* A cursor over the decoded OpenSSH blob. */
struct rd {
    const unsigned char *p;
    size_t n;
};

static int
rd_u32(struct rd *r, uint32_t *v)
{
    if (r->n < 4)
        return -1;
    *v = (uint32_t)r->p[0] << 24 | (uint32_t)r->p[1] << 16 | (uint32_t)r->p[2] << 8 | r->p[3];
    r->p += 4;
    r->n -= 4;
    return 0;
}

static int
rd_str(struct rd *r, const unsigned char **s, size_t *len)
{
    uint32_t l;

    if (rd_u32(r, &l) < 0 || l > r->n)
        return -1;
    *s = r->p;
    *len = l;
    r->p += l;
    r->n -= l;
    return 0;
}

static int
str_is(const unsigned char *s, size_t n, const char *want)
{
    return n == strlen(want) && memcmp(s, want, n) == 0;
}

/* PROTOCOL.key: magic, cipher, kdf, kdf options, key count, public key, private section. */
static int
ssh_decode(const char *path, int line, const unsigned char *b, size_t n, struct keys_identity *id)
{
    struct rd r = {b, n}, pr;
    const unsigned char *cipher, *kdf, *opts, *pub, *priv, *type, *pk, *sk;
    size_t cl, kl, ol, pl, vl, tl, pkl, skl;
    uint32_t nkeys, c1, c2;

    if (n < sizeof(SSH_MAGIC) || memcmp(b, SSH_MAGIC, sizeof(SSH_MAGIC)) != 0)
        return bad(path, line, "not an OpenSSH private key (bad magic)");
    r.p += sizeof(SSH_MAGIC);
    r.n -= sizeof(SSH_MAGIC);
    if (rd_str(&r, &cipher, &cl) < 0 || rd_str(&r, &kdf, &kl) < 0 || rd_str(&r, &opts, &ol) < 0 ||
        rd_u32(&r, &nkeys) < 0 || rd_str(&r, &pub, &pl) < 0 || rd_str(&r, &priv, &vl) < 0)
        return bad(path, line, "truncated OpenSSH private key");
    if (!str_is(cipher, cl, "none") || !str_is(kdf, kl, "none"))
        return bad(path, line, "this OpenSSH private key is encrypted with a passphrase; "
                               "use an unencrypted copy (ssh-keygen -p) or an X25519 identity "
                               "(secrets keygen)");
    if (nkeys != 1)
        return bad(path, line, "an OpenSSH private key file with more than one key");
    if (keys_ssh_blob_key(pub, pl, id->raw_pk) < 0) {
        char why[256];
        (void)str_format(why, sizeof(why), "%s", err_message());
        return err_set(ERR_PARSE, "%s:%d: %s", path, line, why);
    }
    pr = (struct rd){priv, vl};
    if (rd_u32(&pr, &c1) < 0 || rd_u32(&pr, &c2) < 0 || rd_str(&pr, &type, &tl) < 0 ||
        rd_str(&pr, &pk, &pkl) < 0 || rd_str(&pr, &sk, &skl) < 0)
        return bad(path, line, "truncated OpenSSH private key");
    if (c1 != c2)
        return bad(path, line, "OpenSSH private key check words differ (damaged file)");
    if (!str_is(type, tl, "ssh-ed25519") || pkl != KEYS_PK_BYTES ||
        skl != crypto_sign_SECRETKEYBYTES || memcmp(pk, id->raw_pk, KEYS_PK_BYTES) != 0 ||
        memcmp(sk + 32, pk, KEYS_PK_BYTES) != 0)
        return bad(path, line, "not an ssh-ed25519 private key (or its halves do not match)");
    if (crypto_sign_ed25519_sk_to_curve25519(id->sk, sk) != 0 ||
        crypto_sign_ed25519_pk_to_curve25519(id->pk, id->raw_pk) != 0)
        return bad(path, line, "cannot convert this ed25519 key to X25519");
    id->type = KEYS_PK_SSH_ED25519;
    return 0;
}

static int
ssh_identity(const char *path, int line, const char *s, struct keys_identity *id)
{
    const char *body = strchr(s, '\n'), *end = strstr(s, SSH_END);
    unsigned char *blob;
    size_t n = 0, cap;
    int rc;

    if (body == NULL || end == NULL || end < body)
        return bad(path, line, "OpenSSH private key without its END line (truncated file?)");
    cap = (size_t)(end - body);
    if ((blob = keys_alloc(cap + 1)) == NULL)
        return err_set(ERR_NOMEM, "cannot allocate guarded memory");
    if (sodium_base642bin(blob, cap, body, (size_t)(end - body), " \r\n\t", &n, NULL,
                          sodium_base64_VARIANT_ORIGINAL) != 0)
        rc = bad(path, line, "OpenSSH private key: bad base64");
    else
        rc = ssh_decode(path, line, blob, n, id);
    keys_free(blob);
    return rc;
}

int
keys_identity_parse(const char *path, const char *mem, size_t len, struct keys_identity *id)
{
    const char *p;
    int rc, line = 0;

    memset(id, 0, sizeof(*id));
    if ((rc = keys_init()) < 0)
        return rc;
    if (memchr(mem, '\0', len) != NULL || mem[len] != '\0')
        return err_set(ERR_PARSE, "%s: identity file holds a NUL byte (binary file?)", path);
    if ((id->sk = keys_alloc(KEYS_KEY_BYTES)) == NULL)
        return err_set(ERR_NOMEM, "cannot allocate guarded memory");
    rc = err_set(ERR_PARSE, "%s:%d: no identity in this file (expected AGE-SECRET-KEY-1... or "
                            "an OpenSSH private key; the file may be truncated)",
                 path, 1);
    for (p = mem; *p != '\0';) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p), t = n;
        line++;
        while (t > 0 && (p[t - 1] == '\r' || p[t - 1] == ' ' || p[t - 1] == '\t'))
            t--;
        if (t == 0 || p[0] == '#') {
            p += n + (nl != NULL);
            continue;
        }
        if (strncmp(p, SSH_BEGIN, sizeof(SSH_BEGIN) - 1) == 0)
            rc = ssh_identity(path, line, p, id);
        else if (strncasecmp(p, "AGE-SECRET-KEY-1", 16) == 0)
            rc = age_identity(path, line, p, t, id);
        else
            rc = bad(path, line, "not an identity line (expected AGE-SECRET-KEY-1... or "
                                 "-----BEGIN OPENSSH PRIVATE KEY-----)");
        break;
    }
    if (rc < 0)
        keys_identity_free(id);
    return rc;
}

int
keys_identity_read(const char *path, struct keys_identity *id)
{
    char *mem = NULL;
    size_t len = 0;
    int rc;

    memset(id, 0, sizeof(*id));
    if ((rc = keys_init()) < 0)
        return rc;
    if ((rc = read_file(path, &mem, &len)) < 0)
        return rc;
    rc = keys_identity_parse(path, mem, len, id);
    keys_free(mem);
    return rc;
}

int
keys_identity_create(const char *path, char *pub, size_t pubsize)
{
    unsigned char *sk = keys_alloc(KEYS_KEY_BYTES);
    unsigned char pk[KEYS_PK_BYTES];
    char *text = keys_alloc(512);
    char when[32], skt[KEYS_BECH32_MAX];
    time_t now = time(NULL);
    struct tm tm;
    int fd = -1, rc;

    if (sk == NULL || text == NULL) {
        rc = err_set(ERR_NOMEM, "cannot allocate guarded memory");
        goto out;
    }
    keys_random(sk, KEYS_KEY_BYTES);
    crypto_scalarmult_base(pk, sk);
    if (gmtime_r(&now, &tm) == NULL || strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        (void)str_format(when, sizeof(when), "?");
    if ((rc = keys_bech32_encode(KEYS_RECIPIENT_HRP, pk, sizeof(pk), 0, pub, pubsize)) < 0 ||
        (rc = keys_bech32_encode(KEYS_IDENTITY_HRP, sk, KEYS_KEY_BYTES, 1, skt, sizeof(skt))) < 0 ||
        (rc = str_format(text, 512, "# created: %s\n# public key: %s\n%s\n", when, pub, skt)) < 0)
        goto out;
    if ((fd = file_create_excl(path, 0600)) < 0) {
        rc = fd;
        goto out;
    }
    rc = file_write_fd(fd, text, strlen(text));
    if (rc == 0 && fsync(fd) < 0)
        rc = err_set_errno(ERR_IO, "%s: fsync failed", path);
    if (close(fd) < 0 && rc == 0)
        rc = err_set_errno(ERR_IO, "%s: close failed", path);
    if (rc < 0)
        unlink(path);
out:
    sodium_memzero(skt, sizeof(skt));
    if (sk != NULL)
        keys_free(sk);
    if (text != NULL)
        keys_free(text);
    return rc;
}
