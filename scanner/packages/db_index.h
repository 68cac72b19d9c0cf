/* db_index: the layout of the OSV index file, shared by its writer (db_index_build.c) and its
 * reader (db_index.c). Native byte order; a file from another machine fails the order check. */
#ifndef DB_INDEX_H
#define DB_INDEX_H

#include <stddef.h>
#include <stdint.h>

#define IDX_MAGIC   "SSOSVIX\n"
#define IDX_VERSION 2u
#define IDX_ORDER   0x01020304u
#define IDX_NAME    ".index-v1"
#define IDX_HASH    16 /* BLAKE2b-128 of each checked region */
/* Memory the build may use for its keys and postings (about 16 bytes a (record, package) pair
 * plus the names): past it, the database is read without an index (see osv_db_index). */
#define IDX_MAX_MEM (32u << 20)
extern size_t osv_index_mem_limit; /* IDX_MAX_MEM; lowered by the unit tests */

/* The file: header | blobs | keys | strings | postings. */
struct idx_header {
    char magic[8];
    uint32_t version, order;
    unsigned char fingerprint[32]; /* of the database's files (names, sizes, times, inodes) */
    uint64_t records, skipped;
    int64_t newest;
    uint64_t file_size;
    uint64_t blobs_off, blobs_len;
    uint64_t keys_off, keys_n; /* struct idx_key, sorted by their strings */
    uint64_t strs_off, strs_len;
    uint64_t posts_off, posts_n;         /* uint64_t blob offsets, ascending within a key */
    unsigned char tables_hash[IDX_HASH]; /* all after the records */
    unsigned char header_hash[IDX_HASH]; /* everything above */
};

struct idx_key {
    uint32_t str_off, str_len; /* into the strings */
    uint32_t post_first, post_n;
};

/* Each blob: its length, its hash, then the reduced record as JSON text. */
struct idx_blob {
    uint32_t len, pad;
    unsigned char hash[8];
};

#define IDX_MAX_BLOB (16u << 20)

struct osv_index;
struct osv_db_stats;
/* Opens the index at `path` for a database of fingerprint fp: 0 with *ix, 1 when there is none
 * or it is stale (build it), 2 when it is damaged (rebuild it; warned), -1 when it must not be
 * used (a symlink: warned), -2 when it cannot be read (not ours: go elsewhere). */
int osv_index_open_file(const char *path, const unsigned char *fp, struct osv_index **ix);
/* Builds the index of `dir` (fingerprint fp) into `path`. On failure *ours says whose it is:
 * 0 the database's (damaged, too many records), 1 the index's (not written, over its memory
 * bound), 2 this directory's (cannot be written: read-only, not ours). */
int osv_index_build(const char *dir, const char *path, const unsigned char *fp,
                    struct osv_db_stats *st, int *ours);
/* The database's counts the index holds. */
void osv_index_stats(const struct osv_index *ix, struct osv_db_stats *st);

#endif
