/* merge_internal: what the peer-report readers share (merge_json.c, merge_trivy.c,
 * merge_grype.c, merge.c): a validating pull reader over JSON text, and the report under
 * construction. */
#ifndef MERGE_INTERNAL_H
#define MERGE_INTERNAL_H

#include <cjson/cJSON.h>

#include "packages.h"

/* A JSON text read in place: nothing is kept but the position, so a report's size costs no
 * memory beyond its largest single item (handed to cJSON on its own). */
struct mj {
    const char *p;
    size_t len, pos;
    const char *name; /* the file, for messages */
    int depth;
};
#define MJ_MAX_DEPTH 64

/* ERR_PARSE "name:line:column: what" at byte `at`. */
int mj_fail(struct mj *j, size_t at, int code, const char *what);
/* Expects `{` (or `[`) at the next non-blank byte. */
int mj_object_begin(struct mj *j);
int mj_array_begin(struct mj *j);
/* The next member's key into `key` (truncated to size-1; a longer key matches nothing): 1, or 0
 * at the object's end; `*first` starts at 1. */
int mj_object_next(struct mj *j, int *first, char *key, size_t size);
/* 1 when an item follows, 0 at the array's end. */
int mj_array_next(struct mj *j, int *first);
/* Checks and passes over one value. */
int mj_skip(struct mj *j);
/* The next value, checked, then parsed by cJSON on its own (at most `max` bytes: ERR_LIMIT). */
int mj_value(struct mj *j, size_t max, cJSON **out);
/* The next non-blank byte (the position moves past the blanks); 0 at the end. */
int mj_peek(struct mj *j);
/* Only blanks left. */
int mj_end(struct mj *j);

/* A peer's string as we keep it: control characters (a terminal escape in a title) as spaces,
 * at most `max` bytes, cut before a UTF-8 continuation byte. NULL in, NULL out (*nomem set when
 * that is a lack of memory). */
char *merge_clean_dup(const char *s, size_t max, int *nomem);
#define PEER_MAX_FIELD 1024 /* bytes kept of one field (a title: 300) */
/* Appends one result to the report. Every string is copied. */
int merge_add(struct pkg_peer_report *r, const struct pkg_peer_vuln *v);
/* A JSON string member: *out is its text, NULL when absent or null; ERR_PARSE (naming the file
 * and `at`) when present with another type. */
int merge_str(struct mj *j, size_t at, const cJSON *obj, const char *key, const char **out);
/* A string member that must be there and not be empty. */
int merge_need(struct mj *j, size_t at, const cJSON *obj, const char *key, const char **out);
/* A member that must be an array (array = 1) or an object when present; *out NULL when absent. */
int merge_typed(struct mj *j, size_t at, const cJSON *obj, const char *key, int array,
                const cJSON **out);
/* The strings of an array (of strings, or of objects' string member `key`) joined with `sep`;
 * empty ones skipped, those past the first PEER_MAX_LIST checked but not kept (an id has a few
 * aliases; thousands would only cost memory in the fold's index). */
#define PEER_MAX_LIST 16
int merge_join(struct mj *j, size_t at, const cJSON *arr, const char *key, const char *sep,
               struct buf *out);
/* The image's layer diff ids a report lists (an array of strings, or of objects' `key`). */
int merge_layers(struct mj *j, size_t at, const cJSON *arr, const char *key,
                 struct pkg_peer_report *r);
#define PEER_MAX_LAYERS 4096
/* "Trivy"/"Grype" label -> our severity; unknown labels are medium (as a record that rates
 * nothing is, for our own findings). */
enum severity merge_severity(const char *label);

/* Each reads the value of one top-level member it knows (`key`); 0 when it handled it, 1 when
 * the key is not one of its report's (the value is left unread). */
int merge_trivy_member(struct mj *j, const char *key, struct pkg_peer_report *r);
int merge_grype_member(struct mj *j, const char *key, struct pkg_peer_report *r);
/* The key marks a report of that tool (Trivy: Results, ArtifactName, SchemaVersion, Metadata;
 * Grype: matches, descriptor, source, ignoredMatches). */
int merge_trivy_key(const char *key);
int merge_grype_key(const char *key);

#endif
