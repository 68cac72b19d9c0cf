/* engine: HTTP through libcurl: the Docker Engine API over a UNIX socket, shared by the image
 * reader, the container checks and `secrets push`; and resumable file downloads (`scanner db
 * update`). */
#ifndef ENGINE_H
#define ENGINE_H

#include <cjson/cJSON.h>
#include <stddef.h>

struct engine;

/* Finds the socket (DOCKER_HOST=unix://..., then the Docker, rootless and Podman defaults), pings
 * it (GET /_ping) and negotiates the API version. ERR_UNAVAILABLE with the path tried and a hint
 * when nothing answers. */
int engine_open(struct engine **out);
void engine_close(struct engine *e);
/* GET /v<version><path> and parse the JSON body (bounded size). ERR_NOTFOUND on 404. `path` must
 * already be URL-escaped (use engine_escape). */
int engine_get_json(struct engine *e, const char *path, cJSON **out);
/* POST /v<version><path> with a JSON `body` of `len` bytes; parses a JSON reply (*out = NULL
 * when the reply is empty). ERR_EXISTS on 409, ERR_NOTFOUND on 404. */
int engine_post_json(struct engine *e, const char *path, const char *body, size_t len,
                     cJSON **out);
/* GET /v<version><path>, handing the body to `sink` as it arrives (no temp copy). */
int engine_get_stream(struct engine *e, const char *path,
                      int (*sink)(const void *data, size_t len, void *user), void *user);
/* Percent-escapes an image or container name for a URL path. Caller frees. */
char *engine_escape(const char *name);

/* 1 when a Swarm secret named `name` exists, 0 when not (GET /secrets/NAME). */
int engine_secret_exists(struct engine *e, const char *name);
/* POST /secrets/create {"Name", "Data": base64(value), "Labels"}. ERR_EXISTS when the name is
 * taken (secrets are immutable). `id` gets the new secret's id ("" when not returned). */
int engine_secret_create(struct engine *e, const char *name, const void *value, size_t len,
                         const char *label_key, const char *label_value, char *id,
                         size_t idsize);

/* ---- Downloads (scanner db update) ----------------------------------------------------------- */
#include <sys/types.h>

struct engine_download {
    long long bytes;        /* the file's size now */
    long long resumed_from; /* bytes that were there before (0: a fresh download) */
    int restarted;          /* the server ignored the range, so the file was fetched again */
    long status;            /* the last HTTP status */
};
/* Fetches `url` (http or https; redirects to https only) into `part`, appending to what it
 * holds already with an HTTP range request (a server that ignores ranges makes it start again).
 * At most `max` bytes. The file is fsynced; the caller checks it and renames it into place.
 * ERR_UNAVAILABLE naming the URL and status when the server cannot be reached or answers an
 * error; ERR_LIMIT past `max`; ERR_UNSAFE when `part` is a symlink. */
int engine_download(const char *url, const char *part, off_t max, struct engine_download *out);

#endif
