/* detect: the secret detector. A rule catalogue compiled once into one Vectorscan database,
 * PCRE2 around each hit for the secret's own span and validation, false-positive filters,
 * redaction, keyed fingerprints, allow pragmas and baselines. */
#ifndef DETECT_H
#define DETECT_H

#include <stddef.h>

#include "common.h"

struct detect_engine; /* the compiled rule set: immutable once open, shareable; scans on any
                       * number of threads at once each take their own scratch from it */

/* One detected secret. Offsets are bytes from the start of the scanned input (for streams, of
 * the whole stream); line and column are 1-based and point at the secret itself. */
struct detect_hit {
    const struct rule_meta *rule; /* id, severity, title, remediation, aliases */
    const char *provider;         /* "AWS", "GitHub", ... or "generic" */
    size_t match_start, match_end;
    size_t secret_start, secret_end;
    int line, column;
    char redacted[64];    /* at most 4 leading characters and the length, e.g. "AKIA…(20 chars)" */
    char fingerprint[65]; /* BLAKE2b of the secret under a per-process random key, hex: tells
                           * sightings apart within a run; never written out */
    double confidence;    /* 0..1 */
    int is_example;       /* a documented example key: reported at info */
    int is_generic;       /* found by a generic rule (name = value), not a provider's format */
    const char *secret;   /* the secret's bytes (secret_end - secret_start of them); valid only
                           * during the callback; never print them without an explicit flag */
    char label[65];       /* the name in front of the secret on its line ("GITHUB_TOKEN"), or
                           * "": what report fingerprints use instead of the value */
};

/* Return 0 to go on, negative to stop the scan (that value is returned by the scan call). */
typedef int (*detect_hit_fn)(const struct detect_hit *hit, void *user);

/* Loads the rule database (built at compile time). ERR_INTERNAL if it cannot. */
int detect_open(struct detect_engine **out);
void detect_close(struct detect_engine *e);
/* The process's one engine (detect/shared.c), opened at the first call and never closed: for
 * code that scans a little at a time (one Dockerfile, one message) and would pay the load. */
int detect_shared(struct detect_engine **out);
/* Number of rules, and each rule's metadata (for docs and SARIF). */
size_t detect_rule_count(const struct detect_engine *e);
const struct rule_meta *detect_rule_at(const struct detect_engine *e, size_t i);

/* Scans one buffer; calls `cb` once per secret, in order of position. */
int detect_scan(struct detect_engine *e, const char *data, size_t len, detect_hit_fn cb,
                void *user);

/* Streams: feed chunks of any size; a secret across a chunk border is found exactly once. */
struct detect_stream;
int detect_stream_open(struct detect_engine *e, detect_hit_fn cb, void *user,
                       struct detect_stream **out);
int detect_stream_feed(struct detect_stream *s, const char *data, size_t len);
/* Zero-copy feeding (e.g. read(2) straight into the stream): a place for up to *room bytes
 * (at least one), then commit how many were written there. */
int detect_stream_reserve(struct detect_stream *s, char **ptr, size_t *room);
int detect_stream_commit(struct detect_stream *s, size_t n);
/* Frees the stream without scanning what is left (e.g. the input turned out to be binary). */
void detect_stream_discard(struct detect_stream *s);
/* Flushes the tail and frees the stream. */
int detect_stream_close(struct detect_stream *s);

/* Does a variable/key name say it holds a secret (PASSWORD, PASSWD, PWD, SECRET, TOKEN, API_KEY,
 * PRIVATE_KEY, CREDENTIALS, ...)? Names like PASSWORD_FILE or TOKEN_URL that point at a secret
 * rather than hold one are not. */
int detect_name_is_secret(const char *name, size_t len);
/* Is a value a reference or placeholder rather than a literal: ${VAR}, $VAR, {{ x }}, %VAR%,
 * <your-token>, ***, xxx, "changeme" is NOT a placeholder (it is a weak literal). */
int detect_value_is_placeholder(const char *value, size_t len);

/* Lock files (package-lock.json, yarn.lock, go.sum, Cargo.lock ...): their hashes look random,
 * so path scanners drop generic-rule hits in them. */
int detect_path_is_lockfile(const char *path);

/* What the file scanners (--path, --git) skip: content with a NUL byte in its first
 * DETECT_SNIFF_BYTES is binary; files over DETECT_DEFAULT_MAX_FILE (unless --max-file-size says
 * otherwise) are not read. */
#define DETECT_SNIFF_BYTES      8192
#define DETECT_DEFAULT_MAX_FILE (10L << 20)
int detect_content_is_binary(const char *data, size_t len);

/* Redacted preview of a secret: at most 4 leading characters and the length. */
void detect_redact(const char *secret, size_t len, char *out, size_t outsz);
/* Every secret the detector finds in text[0..len) replaced by its redaction, appended to out:
 * 1 (out filled), 0 (nothing found, out untouched) or an error. For messages that quote their
 * input (a key, a token of a malformed line): installed with findings_set_redactor. Uses one
 * engine of its own, opened once (pthread_once) at the first call: safe from any thread. */
int detect_redact_text(const char *text, size_t len, struct buf *out);
/* Fingerprint (hex, 64 chars + NUL) of a secret under a per-process random key: equal values give
 * equal fingerprints within one run only. Reports use report_fingerprint() instead. */
void detect_fingerprint(const char *secret, size_t len, char out[65]);

/* The name written in front of a secret: `before` is the text of its line up to the secret (n
 * bytes). Skips separators back from the secret (= : " ' space) and keeps the identifier there
 * ([A-Za-z0-9_.-], at most 40 characters, and not itself token-like: fewer than 8 digits), so a
 * fingerprint can tell GITHUB_TOKEN=... from NEW=... without hashing either value. */
void detect_label(const char *before, size_t n, char out[65]);
/* Adds a finding for a hit: rule, severity (info when is_example), redaction, fingerprint. */
int detect_add_finding(struct findings *f, const struct detect_hit *hit,
                       const struct location *loc, const char *message_prefix);

/* Baselines: a JSON file of {fingerprint, rule, path} entries. Matching never uses lines. */
int detect_baseline_filter(struct findings *f, const char *baseline_path);
int detect_baseline_write(const struct findings *f, const char *baseline_path);
/* The baseline file's text for `f` (what detect_baseline_write writes). */
int detect_baseline_render(const struct findings *f, struct buf *out);

/* ---- One classifier, one hit -> finding (detect/classify.c, detect/finding.c) ------------ */
/* Is a value public by nature whatever its name says: a key fingerprint or key id under
 * *GPG_KEY* / *_KEYS / *KEY_ID / *FINGERPRINT, a checksum under *_SHA256 / *_SHA512 /
 * *_CHECKSUM ..., a version (1.2.3, v2.0-rc1), a public key or certificate, a URL without
 * credentials? */
int detect_value_is_public(const char *name, size_t nlen, const char *value, size_t vlen);
/* A secret-named variable (detect_name_is_secret) holding a literal secret: not empty, not a
 * placeholder or reference, not public by nature. */
int detect_literal_secret(const char *name, size_t nlen, const char *value, size_t vlen);

/* What a finding takes from a hit or a literal value. `x` points into the struct itself: fill
 * it in place, never copy it. `secret` is the clear value, for --show-secrets only. */
struct detect_finding {
    struct finding_extra x; /* redacted, fingerprint; severity info for example keys */
    const char *title, *id; /* the detector rule's ("secret" for a literal value) */
    const char *secret;
    size_t secret_len;
    char redacted[64];
    char fingerprint[65];
    char label[65]; /* the hit's label (x.label points here): what report fingerprints use */
};
void detect_finding_from_hit(struct detect_finding *d, const struct detect_hit *hit);
/* The most a finding built from `hit` may be rated, whatever its own rule says: info for a
 * documented example key, the detector rule's own rating when that is low or info (a token
 * whose published checksum fails), else `sev` unchanged. */
enum severity detect_hit_severity_cap(const struct detect_hit *hit, enum severity sev);
void detect_finding_from_value(struct detect_finding *d, const char *value, size_t len);

#endif
