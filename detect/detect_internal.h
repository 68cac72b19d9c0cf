/* detect_internal: the rule table's row type and what the detector's files share. Included by
 * the files of detect/, the build-time database generator (detect/gen/) and the detector's tests. */
#ifndef DETECT_INTERNAL_H
#define DETECT_INTERNAL_H

#include <stddef.h>

#include "common.h"
#include "detect.h"

/* Checks a rule can apply to a captured secret beyond its pattern. */
enum detect_validator {
    VAL_NONE = 0,
    VAL_GITHUB_CRC32,   /* ghp_/gho_/ghu_/ghs_/ghr_/npm_: last 6 base62 chars = CRC32 of the rest;
                         * pypi-: a macaroon v2 structure. Verified 2, no checksum 1, failed 0 */
    VAL_JWT,            /* header and payload base64url-decode to JSON objects */
    VAL_PEM_BODY,       /* private key body: enough base64, ASN.1 / openssh-key-v1 magic */
    VAL_URL_PASSWORD,   /* password in scheme://user:pass@host is not a placeholder */
    VAL_GENERIC_PASSWORD, /* name says password; value is a literal (weak ones too) */
    VAL_GENERIC_SECRET, /* name says secret/token/key; value is a random-looking literal */
    VAL_NOT_WORD,       /* reject values made of letters and _.- only (ordinary words) */
    VAL_BASE64_CREDS,   /* docker config "auth": base64 of user:password */
    VAL_CHECKSUM_MISMATCH, /* the twin of a checksum rule: accepts only tokens whose published
                            * checksum (CRC32, PyPI macaroon structure) fails */
    VAL_DISCORD_BOT,    /* first segment is a base64 user id (17-20 digits) */
    VAL_WEBHOOK,        /* the URL's last path segment is random, not a placeholder */
    VAL_JWT_B64,        /* base64 that decodes to "eyJ..." JWT text */
};

/* Rule flags. */
#define DR_GENERIC  0x01u /* a generic rule: loses against a provider rule on the same span */
#define DR_CONTEXT  0x02u /* the pattern needs a keyword near the value (no distinctive prefix) */
#define DR_NOVS     0x04u /* never give to Vectorscan: PCRE2 behind the keywords only */
#define DR_KEYBLOCK 0x08u /* a private key block: allow long spans */
#define DR_LITERAL  0x10u /* the format starts with '$' (crypt hashes): no $VAR placeholder test */
#define DR_WHOLE    0x20u /* keywords common in ordinary text: Vectorscan gets the whole pattern */

struct detect_rule {
    struct rule_meta meta;
    const char *provider;
    const char *keywords; /* comma-separated, lowercase; the fallback prefilter */
    const char *pattern;  /* PCRE2 syntax, also compiled by Vectorscan when it can */
    const char *prefilter; /* what Vectorscan gets instead of `pattern`, or NULL (key blocks) */
    unsigned group;       /* capture group holding the secret (0 = whole match) */
    unsigned name_group;  /* capture group holding the variable name, 0 when none */
    double min_entropy;   /* Shannon entropy (bits/char) of the secret, 0 = no minimum */
    enum detect_validator validator;
    unsigned flags;
    double confidence; /* base confidence of a hit that passes every filter */
    unsigned lookback; /* a match starts at most this far before the identifier holding its
                        * keyword (0: not known; see run_near_keywords in engine.c) */
};

extern const struct detect_rule detect_rules[];
extern const size_t detect_rules_count;

/* Longest span a match may have (private key blocks); other rules stay far below. */
#define DETECT_MAX_SPAN   16384u
#define DETECT_RULE_SPAN  1024u
/* A rule with a lookback: a Vectorscan hit ends at most this far after the keyword's start,
 * and the keyword sits in an identifier of these characters (see detect/engine.c). */
#define DETECT_KW_REACH   64u
#define GENERIC_NAME_CHARS "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-"

/* The generated database blob: "DTDB", u32 version, u32 rule count, one mode byte per rule
 * (1 = in the Vectorscan database, 2 = PCRE2 behind keywords), then the serialized database.
 * Pattern ids: rule index for rule patterns, DETECT_KW_ID + rule index for keyword literals. */
#define DETECT_DB_MAGIC   "DTDB"
#define DETECT_DB_VERSION 1u
#define DETECT_MODE_VS    1u
#define DETECT_MODE_KW    2u
#define DETECT_KW_ID      0x100000u
extern const unsigned char detect_db_blob[];
extern const unsigned long long detect_db_size; /* bytes in detect_db_blob */

/* Filters (detect/filters.c). */
double detect_entropy(const char *s, size_t len);
int detect_is_uuid(const char *s, size_t len);
int detect_is_sequential(const char *s, size_t len);
int detect_is_repeated(const char *s, size_t len);
/* A documented example value (AWS EXAMPLE keys, jwt.io's token, Stripe docs keys ...). */
int detect_is_example(const char *s, size_t len);
/* Generic and context values: a segment says test or documentation data (fake, dummy, example,
 * test, sample, placeholder, mock); the value is prose ("doesnt start right"); the value is a
 * lower-case identifier ("tokenizer_v2_config", generic secrets only). */
int detect_value_is_fake(const char *v, size_t len);
int detect_value_is_prose(const char *v, size_t len);
int detect_value_is_identifier(const char *v, size_t len);
/* A provider token's prefix glued to a longer token before it (d[s0] starts the secret). */
int detect_token_is_glued(const char *d, size_t s0);

/* Validators (detect/validate.c): 2 accepted and proven (checksum), 1 accepted, 0 rejected.
 * `name` is the variable name (generic rules), `op` the assignment operator's first byte. */
int detect_validate(enum detect_validator v, const char *data, size_t len, size_t s_start,
                    size_t s_end, const char *name, size_t name_len, int quoted, char op);

/* Allow pragmas (detect/allow.c): does the line holding [start, end) or the line before it
 * carry an allow comment? */
int detect_line_allowed(const char *data, size_t len, size_t start, size_t end);

/* Streams: chunk size and overlap (tests use tiny ones to exercise every border). */
void detect_stream_tune(struct detect_stream *s, size_t chunk, size_t overlap);

/* Modes of each rule as loaded (for the test that no rule is dropped). */
const unsigned char *detect_rule_modes(const struct detect_engine *e);
/* Compiles (lazily) and returns 0 when rule i's PCRE2 pattern compiles, else the error. */
int detect_rule_pcre_check(struct detect_engine *e, size_t i);

#endif
