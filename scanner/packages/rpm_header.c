/* rpm_header: one RPM header blob as the rpmdb stores it, read with every count, offset and
 * length checked against the blob before use (the blob comes from an image, so from anyone). */
#include <stdint.h>
#include <string.h>

#include "packages.h"

/* rpm's own limits (lib/header_internal.h): more index entries or data means a damaged header. */
#define HDR_TAGS_MAX 0xffffu
#define HDR_DATA_MAX 0x0fffffffu

enum { T_INT32 = 4, T_STRING = 6, T_STRING_ARRAY = 8, T_I18NSTRING = 9 };
enum {
    TAG_NAME = 1000, TAG_VERSION = 1001, TAG_RELEASE = 1002, TAG_EPOCH = 1003,
    TAG_VENDOR = 1011, TAG_ARCH = 1022, TAG_SOURCERPM = 1044,
};

static uint32_t
be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* A string entry: its offset inside the data store and a NUL before the store's end. */
static const char *
str_at(const unsigned char *data, uint32_t dl, uint32_t type, uint32_t off, uint32_t count)
{
    if (type != T_STRING && type != T_I18NSTRING && type != T_STRING_ARRAY)
        return NULL;
    if (count == 0 || off >= dl || memchr(data + off, '\0', dl - off) == NULL)
        return NULL;
    return (const char *)data + off;
}

int
pkg_rpm_header_parse(const void *blob, size_t len, struct pkg_rpm_hdr *out, const char **why)
{
    const unsigned char *b = blob, *data;
    uint32_t il, dl;

    memset(out, 0, sizeof(*out));
    out->epoch = -1;
    *why = NULL;
    if (len < 8) {
        *why = "shorter than its 8-byte preamble";
        return -1;
    }
    il = be32(b);
    dl = be32(b + 4);
    if (il == 0 || il > HDR_TAGS_MAX || dl > HDR_DATA_MAX) {
        *why = "index count or data length out of rpm's bounds";
        return -1;
    }
    /* 8 + 16 * il + dl bytes, computed in 64 bits so a huge count cannot wrap */
    if ((uint64_t)8 + (uint64_t)il * 16 + dl > len) {
        *why = "index entries or data store run past the end of the blob";
        return -1;
    }
    data = b + 8 + (size_t)il * 16;
    for (uint32_t i = 0; i < il; i++) {
        const unsigned char *e = b + 8 + (size_t)i * 16;
        uint32_t tag = be32(e), type = be32(e + 4), off = be32(e + 8), count = be32(e + 12);
        const char **slot = NULL;

        switch (tag) {
        case TAG_NAME:
            slot = &out->name;
            break;
        case TAG_VERSION:
            slot = &out->version;
            break;
        case TAG_RELEASE:
            slot = &out->release;
            break;
        case TAG_ARCH:
            slot = &out->arch;
            break;
        case TAG_SOURCERPM:
            slot = &out->sourcerpm;
            break;
        case TAG_VENDOR:
            slot = &out->vendor;
            break;
        case TAG_EPOCH:
            if (type == T_INT32 && count >= 1 && off % 4 == 0 && (uint64_t)off + 4 <= dl)
                out->epoch = be32(data + off);
            continue;
        default:
            continue;
        }
        if (*slot == NULL)
            *slot = str_at(data, dl, type, off, count);
    }
    if (out->name == NULL || out->version == NULL || out->name[0] == '\0' ||
        out->version[0] == '\0') {
        *why = "no NAME or VERSION tag";
        return -1;
    }
    return 0;
}
