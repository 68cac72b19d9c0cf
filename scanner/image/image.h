/* image: the container-image scanner's internals shared by its readers (docker-archive, OCI
 * layout and archive, Engine API), the layer walker, the file and config rules. */
#ifndef SCANNER_IMAGE_H
#define SCANNER_IMAGE_H

#include <cjson/cJSON.h>
#include <sodium.h>
#include <stddef.h>
#include <stdint.h>

#include "common.h"
#include "detect.h"
#include "dockerfile.h"
#include "packages.h"
#include "scanner.h"

/* Bounds on hostile input (decompression bombs, huge archives, deep paths). */
#define IMG_MAX_PATH        4096          /* bytes of one path inside a layer */
#define IMG_MAX_DEPTH       128           /* components of one path */
#define IMG_MAX_LAYERS      512           /* layer blobs in one archive */
#define IMG_MAX_ENTRIES     2000000       /* entries over all layers */
#define IMG_MAX_JSON        (8u << 20)    /* one manifest, index or config */
#define IMG_MAX_JSON_TOTAL  (64u << 20)   /* every JSON blob kept from one archive */
#define IMG_MAX_OUTER       100000        /* entries in the outer archive */
#define IMG_DEFAULT_FILECAP (10L << 20)   /* text files scanned for secrets up to this size */
#define IMG_MAX_CAPTURE     (1u << 20)    /* /etc/passwd, shadow, os-release kept up to this */
#define IMG_BOMB_MIN        (256ull << 20) /* ratio checked once a layer inflates past this */
#define IMG_BOMB_RATIO      200           /* uncompressed / compressed */
#define IMG_MAX_PENDING     100000        /* findings kept per image before attribution */

/* What a layer entry does to the merged filesystem. */
enum img_wh {
    IMG_WH_NONE = 0,
    IMG_WH_FILE,   /* .wh.NAME: deletes NAME from lower layers */
    IMG_WH_OPAQUE, /* .wh..wh..opq: hides every lower child of its directory */
};

struct img_entry {
    char *path;     /* normalised: no leading '/', no '.', '..' or empty components */
    uint32_t mode;  /* st_mode: type and permission bits */
    uint8_t wh;     /* enum img_wh; for whiteouts `path` is the path they delete */
    int64_t size;
};

/* A string set/map with open addressing (paths of one layer, blob names). */
struct img_map {
    char **keys;
    size_t *vals;
    size_t n, cap;
};
int img_map_put(struct img_map *m, const char *key, size_t val); /* key copied; replaces */
int img_map_get(const struct img_map *m, const char *key, size_t *val); /* 1 found, 0 not */
void img_map_free(struct img_map *m);

/* A finding seen in a layer before the layer's place in the image is known. */
struct img_pending {
    const struct rule_meta *rule;
    char *path;
    char *message;
    int line, column;
    int is_secret; /* a secret or credential: critical and named twice when removed later */
    char redacted[64];
    char fingerprint[65];
    char *clear; /* the value itself, only with --show-secrets (wiped on free) */
};

/* Captured small files the final-filesystem rules read (latest layer wins). */
enum img_capture { IMG_CAP_PASSWD = 0, IMG_CAP_SHADOW, IMG_CAP_OSRELEASE, IMG_CAP_N };

/* Entries a regular `tar -x` warns about or refuses, counted per layer (nothing is extracted
 * here, but their presence says the archive was made by hand or tampered with). */
enum img_irr { IMG_IRR_ABSOLUTE = 0, IMG_IRR_SYMLINK_OUT, IMG_IRR_HARDLINK_MISSING, IMG_IRR_N };
struct img_irregular {
    unsigned n[IMG_IRR_N];
    char first[IMG_IRR_N][200]; /* the first of each kind, for the message */
    char path[IMG_MAX_PATH];    /* the first irregular entry: where the finding points */
};

/* One layer blob as read, keyed by its name in the archive or its digest. */
struct img_layer {
    char *key;
    struct img_entry *entries;
    size_t nentries, cap;
    struct img_map index; /* path -> entry number (whiteouts under "\x01" + path) */
    struct img_pending *pending;
    size_t npending, pcap;
    struct buf capture[IMG_CAP_N];
    int has_capture[IMG_CAP_N];
    struct pkg_list pkgs; /* packages listed by this layer's package databases */
    uint64_t bytes_in, bytes_out;
    struct img_irregular irr;
};

/* A blob's SHA-256 and length, accumulated as it streams by (digest.c). */
struct img_hash {
    crypto_hash_sha256_state st;
    uint64_t n;
};
/* What was seen of one blob: its hash and size once read, and the size a descriptor gave. */
struct img_sum {
    char hex[65];
    uint64_t size;
    int hashed;
    long long expected; /* -1: no descriptor seen */
};

/* Everything read from one image. */
struct img_ctx {
    const struct scanner_opts *opts;
    struct detect_engine *detect;
    long filecap;
    struct img_layer **layers; /* in the order read (not the image's order) */
    size_t nlayers, lcap;
    size_t total_entries;
    size_t total_pending;
    struct img_map blobs;   /* JSON blob name -> index in json[] */
    struct buf *json;
    size_t njson, jcap;
    size_t json_total;
    struct img_map unknown; /* members that were neither JSON nor a layer stream */
    struct img_map alias; /* link name in the archive -> index in alias_to[] */
    char **alias_to;
    size_t nalias, acap;
    char *source; /* what the user named, for messages */
    struct buf filebuf; /* reused content buffer */
    struct img_map sum_index; /* blob name -> index in sums[] */
    struct img_sum *sums;
    size_t nsums, sumcap;
    /* Readers that can fetch on demand (an OCI layout directory) set this: loads the JSON blob
     * or walks the layer named `name` ("blobs/<alg>/<hex>"). NULL for one-pass archives. */
    int (*fetch)(struct img_ctx *c, const char *name, int is_layer);
    int dirfd;
};

void img_ctx_init(struct img_ctx *c, const struct scanner_opts *o, struct detect_engine *d);
void img_ctx_free(struct img_ctx *c);
/* Finds a layer read under `key` (exact, or "blobs/sha256/HEX" <-> "sha256:HEX"). */
struct img_layer *img_ctx_layer(struct img_ctx *c, const char *key);
/* Keeps a small JSON document read from the archive under `name`. */
int img_ctx_keep_json(struct img_ctx *c, const char *name, const void *data, size_t len);
const struct buf *img_ctx_json(const struct img_ctx *c, const char *name);
/* err_set(rc, "<fmt>: <the current message>"): adds context to an error already recorded. */
int img_err_wrap(int rc, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Records that archive member `name` is a link to member `target`. */
int img_alias_add(struct img_ctx *c, const char *name, const char *target);

/* Blob verification (digest.c): hash what streams by, then img_blob_done records it and
 * checks a content-addressed name (blobs/sha256/HEX, HEX.json) against the hash; a descriptor's
 * size is checked with img_blob_expect, before or after the blob is read. ERR_PARSE naming the
 * blob on a mismatch. */
void img_hash_init(struct img_hash *h);
void img_hash_update(struct img_hash *h, const void *data, size_t len);
int img_blob_done(struct img_ctx *c, const char *name, struct img_hash *h);
int img_blob_expect(struct img_ctx *c, const char *name, const cJSON *desc);

/* The layer walker: reads one layer (tar, gzip or zstd by magic) from `read_fn` without
 * writing anything to disk, recording its entries and what its files give the rules. */
typedef ssize_t (*img_read_fn)(void *user, const void **buf);
int layer_walk(struct img_ctx *c, const char *key, img_read_fn read_fn, void *user);
/* The content rules for one regular file of a layer (layer_files.c). */
int layer_check_file(struct img_ctx *c, struct img_layer *l, const char *path, uint32_t mode,
                     const char *data, size_t len, int truncated);
int layer_add_pending(struct img_ctx *c, struct img_layer *l, const struct rule_meta *rule,
                      const char *path, int line, int column, int is_secret,
                      const struct detect_finding *d, const char *fmt, ...)
    __attribute__((format(printf, 9, 10)));
/* Normalises an archive path; ERR_UNSAFE for '..' escapes, ERR_LIMIT when too long/deep. */
int layer_clean_path(const char *in, char *out, size_t outsz);
/* Path checks by name only (credential files, keys, histories): returns the rule or NULL. */
const struct rule_meta *layer_name_rule(const char *path, int *is_secret);

/* Readers: fill `c` from a source, in one pass where the source allows. */
int image_read_archive_fd(struct img_ctx *c, int fd, const char *label);
int image_read_oci_dir(struct img_ctx *c, const char *dir);
int image_read_engine(struct img_ctx *c, const char *name);

/* The resolved image: layers in order, their digests and history, the config. */
struct img_resolved {
    size_t nlayers;
    struct img_layer **layers;   /* may be NULL for a layer that is referenced but empty */
    char **digests;              /* diff_id when the config has one, else the blob digest */
    const char **created_by;     /* history entry that made each layer, or NULL */
    char **shown_by;             /* the same with secrets masked, for messages */
    int *is_base;
    cJSON *config;               /* the image config document */
};
int image_resolve(struct img_ctx *c, struct img_resolved *r);
void image_resolved_free(struct img_resolved *r);
/* A layer digest as messages show it: the first 12 hex digits after the algorithm. */
void image_short_digest(const char *digest, char *out, size_t size);
/* The masked history step that made layer i, or "(no history entry)". */
const char *image_created_by(const struct img_resolved *r, size_t i);
/* Picks a manifest from an OCI index by platform (NULL = linux and this machine's arch). */
const cJSON *image_pick_platform(const cJSON *manifests, const char *platform, int *err);
/* Marks base layers from the history (the last CMD before the image's own layers). */
void image_mark_base(const cJSON *history, size_t nlayers, int *is_base,
                     const char **created_by);

/* A history `created_by` fit for a message: secrets masked as ***, at most ~160 chars. */
char *image_history_redact(struct img_ctx *c, const char *cb);

/* Rules over the merged result. */
int image_check_config(const struct img_resolved *r, struct img_ctx *c, struct findings *f,
                       const char *target);
int image_check_layers(const struct img_resolved *r, struct img_ctx *c, struct findings *f,
                       const char *target);
/* --merge-report: each report is of this image (pkg_merge_check_image), before any finding. */
int image_check_merge(const struct img_resolved *r, const struct img_ctx *c, const char *target);
/* Packages: the final filesystem's inventory (each package with the layer that added it), then
 * the SBOM or the vulnerability findings the options ask for (packages.c), with the
 * --merge-report results folded in. */
int image_check_packages(const struct img_resolved *r, struct img_ctx *c, struct findings *f,
                         const char *target);
/* The packages no later layer deletes or replaces, and the final os-release's ID and
 * VERSION_ID ("" when unknown). */
int image_final_packages(const struct img_resolved *r, struct pkg_list *out, char *os_id,
                         size_t idsz, char *os_ver, size_t versz);

/* The rule table (image_rules.c). */
/* Checks that are the Dockerfile scanner's too use its rows (same ids, severities and aliases),
 * so one baseline or ignore list covers both. */
#define IMG_RULE_USER_ROOT DF_RULE(DF001)
#define IMG_RULE_ENV_SECRET DF_RULE(DF003)
#define IMG_RULE_ENV_NAME DF_RULE(DF004)
#define IMG_RULE_PORT DF_RULE(DF010)
#define IMG_RULE_NO_HEALTHCHECK DF_RULE(DF020)
extern const struct rule_meta img_rule_volume, img_rule_old, img_rule_eol, img_rule_cred_file, img_rule_private_key,
    img_rule_env_file, img_rule_history_file, img_rule_git_dir, img_rule_setuid,
    img_rule_world_writable, img_rule_empty_password, img_rule_dup_uid0, img_rule_removed_secret,
    img_rule_irregular;
/* The rows above one by one (NULL past the last), for listings. */
const struct rule_meta *img_rule_at(size_t i);

#endif
