/* bech32: the checksummed base-32 text of BIP-173 (used by age for its keys): a human-readable
 * part, '1', 5-bit groups of the data and a 6-character BCH checksum over both. */
#include <ctype.h>
#include <stdint.h>
#include <string.h>

#include "keys.h"

static const char charset[] = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";

static uint32_t
polymod_step(uint32_t chk, unsigned v)
{
    static const uint32_t gen[5] = {0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3};
    uint32_t top = chk >> 25;

    chk = ((chk & 0x1ffffff) << 5) ^ v;
    for (int i = 0; i < 5; i++)
        if ((top >> i) & 1)
            chk ^= gen[i];
    return chk;
}

/* The checksum's polymod over the expanded hrp and the 5-bit values. */
static uint32_t
polymod(const char *hrp, size_t hlen, const unsigned char *v, size_t n)
{
    uint32_t chk = 1;

    for (size_t i = 0; i < hlen; i++)
        chk = polymod_step(chk, (unsigned)tolower((unsigned char)hrp[i]) >> 5);
    chk = polymod_step(chk, 0);
    for (size_t i = 0; i < hlen; i++)
        chk = polymod_step(chk, (unsigned)tolower((unsigned char)hrp[i]) & 31);
    for (size_t i = 0; i < n; i++)
        chk = polymod_step(chk, v[i]);
    return chk;
}

int
keys_bech32_encode(const char *hrp, const unsigned char *data, size_t len, int upper, char *out,
                   size_t size)
{
    unsigned char v[KEYS_BECH32_MAX];
    size_t hlen = strlen(hrp), n = 0, o = 0;
    uint32_t acc = 0, chk;
    int bits = 0;

    if (hlen == 0 || len > (KEYS_BECH32_MAX - 6) * 5 / 8)
        return err_set(ERR_INTERNAL, "bech32: bad input");
    for (size_t i = 0; i < len; i++) {
        acc = (acc << 8) | data[i];
        bits += 8;
        while (bits >= 5) {
            bits -= 5;
            v[n++] = (acc >> bits) & 31;
        }
    }
    if (bits > 0)
        v[n++] = (acc << (5 - bits)) & 31;
    for (int i = 0; i < 6; i++)
        v[n + (size_t)i] = 0;
    chk = polymod(hrp, hlen, v, n + 6) ^ 1;
    for (int i = 0; i < 6; i++)
        v[n++] = (chk >> (5 * (5 - i))) & 31;
    if (hlen + 1 + n + 1 > size)
        return err_set(ERR_LIMIT, "bech32: output buffer too small");
    for (size_t i = 0; i < hlen; i++)
        out[o++] = (char)(upper ? toupper((unsigned char)hrp[i]) : tolower((unsigned char)hrp[i]));
    out[o++] = '1';
    for (size_t i = 0; i < n; i++)
        out[o++] = (char)(upper ? toupper((unsigned char)charset[v[i]]) : charset[v[i]]);
    out[o] = '\0';
    return 0;
}

int
keys_bech32_decode(const char *s, size_t slen, char *hrp, size_t hrpsize, unsigned char *data,
                   size_t max, size_t *len)
{
    unsigned char v[KEYS_BECH32_MAX] = {0};
    size_t sep = 0, n = 0, out = 0;
    int lower = 0, upper = 0, bits = 0;
    uint32_t acc = 0;

    if (slen > KEYS_BECH32_MAX)
        return err_set(ERR_PARSE, "bech32: longer than %d characters", KEYS_BECH32_MAX);
    for (size_t i = 0; i < slen; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 33 || c > 126)
            return err_set(ERR_PARSE, "bech32: character %zu is not printable ASCII", i + 1);
        lower |= islower(c) != 0;
        upper |= isupper(c) != 0;
        if (c == '1')
            sep = i;
    }
    if (lower && upper)
        return err_set(ERR_PARSE, "bech32: mixed upper and lower case");
    if (sep == 0 || sep + 7 > slen || sep + 1 > hrpsize)
        return err_set(ERR_PARSE, "bech32: no separator, empty prefix or too short");
    for (size_t i = 0; i < sep; i++)
        hrp[i] = (char)tolower((unsigned char)s[i]);
    hrp[sep] = '\0';
    for (size_t i = sep + 1; i < slen; i++) {
        const char *p = strchr(charset, tolower((unsigned char)s[i]));
        if (p == NULL || *p == '\0')
            return err_set(ERR_PARSE, "bech32: '%c' is not a bech32 character", s[i]);
        v[n++] = (unsigned char)(p - charset);
    }
    if (polymod(hrp, sep, v, n) != 1)
        return err_set(ERR_PARSE, "bech32: bad checksum (a character was mistyped or lost)");
    n -= 6;
    for (size_t i = 0; i < n; i++) {
        acc = (acc << 5) | v[i];
        bits += 5;
        if (bits >= 8) {
            bits -= 8;
            if (out >= max)
                return err_set(ERR_PARSE, "bech32: more data than expected");
            data[out++] = (unsigned char)(acc >> bits);
        }
    }
    if (bits >= 5 || (acc & ((1u << bits) - 1)) != 0)
        return err_set(ERR_PARSE, "bech32: bad padding");
    *len = out;
    return 0;
}
