/* engine_client: a Docker Engine API client over a UNIX socket with libcurl (Docker, rootless
 * Docker and Podman's compatible service). Finds the socket, pings it, GETs/POSTs JSON, streams. */
#include <sys/stat.h>

#include <curl/curl.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"
#include "engine.h"
#include "engine_internal.h"

#define ENGINE_MAX_JSON      (32u << 20) /* an inspect document is kilobytes; cap the hostile case */
#define ENGINE_MAX_ERRBODY   4096
#define ENGINE_CONNECT_SECS  5L
#define ENGINE_JSON_SECS     60L
#define ENGINE_STALL_SECS    120L /* a stream that sends nothing for this long is dead */
#define ENGINE_WANT_VERSION  "1.41"

struct engine {
    CURL *curl;
    char sock[PATH_MAX];
    char version[16];
    long json_secs;  /* whole request, for pings and JSON */
    long stall_secs; /* a stream that sends nothing this long is dead */
};

/* SCANNER_ENGINE_TIMEOUT=SECONDS overrides every timeout (a slow remote engine, or a test). */
static long
timeout_override(void)
{
    const char *v = getenv("SCANNER_ENGINE_TIMEOUT");
    char *end;
    long n;

    if (v == NULL || *v == '\0')
        return 0;
    n = strtol(v, &end, 10);
    return (*end == '\0' && n >= 1 && n <= 3600) ? n : 0;
}

/* Where each candidate socket came from, for the error message. */
struct candidate {
    char path[PATH_MAX];
    const char *origin;
};

static int
add_candidate(struct candidate *c, size_t *n, size_t max, const char *origin, const char *fmt,
              const char *a)
{
    if (*n >= max || a == NULL)
        return 0;
    if (str_format(c[*n].path, sizeof(c[*n].path), fmt, a) < 0)
        return 0;
    c[*n].origin = origin;
    (*n)++;
    return 0;
}

/* DOCKER_HOST wins alone when set: the user said where the engine is. */
static int
list_candidates(struct candidate *c, size_t max, size_t *n)
{
    const char *host = getenv("DOCKER_HOST");
    const char *xdg = getenv("XDG_RUNTIME_DIR");
    const char *home = getenv("HOME");

    *n = 0;
    if (host != NULL && host[0] != '\0') {
        if (strncmp(host, "unix://", 7) != 0)
            return err_set(ERR_UNAVAILABLE,
                           "DOCKER_HOST=%s: only unix:// sockets are supported; scan a saved "
                           "image with --image FILE.tar instead",
                           host);
        if (host[7] == '\0')
            return err_set(ERR_UNAVAILABLE, "DOCKER_HOST=unix:// names no socket path");
        add_candidate(c, n, max, "DOCKER_HOST", "%s", host + 7);
        return 0;
    }
    add_candidate(c, n, max, "Docker default", "%s", "/var/run/docker.sock");
    add_candidate(c, n, max, "rootless Docker", "%s/docker.sock", xdg);
    add_candidate(c, n, max, "Docker Desktop", "%s/.docker/run/docker.sock", home);
    add_candidate(c, n, max, "rootless Podman", "%s/podman/podman.sock", xdg);
    add_candidate(c, n, max, "Podman", "%s", "/run/podman/podman.sock");
    return 0;
}

static void
set_common(CURL *c, const char *sock)
{
    curl_easy_reset(c);
    curl_easy_setopt(c, CURLOPT_UNIX_SOCKET_PATH, sock);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, ENGINE_CONNECT_SECS);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http");
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(c, CURLOPT_USERAGENT, "suite-scanner/" SUITE_VERSION);
}

/* Bounded body collector. */
struct collect {
    struct buf b;
    size_t max;
    int over;
};

static size_t
collect_cb(char *data, size_t size, size_t nmemb, void *user)
{
    struct collect *c = user;
    size_t len = size * nmemb;

    if (c->b.len + len > c->max) {
        c->over = 1;
        return 0; /* aborts the transfer */
    }
    if (buf_append(&c->b, data, len) < 0)
        return 0;
    return len;
}

struct ping {
    char version[16];
};

static size_t
ping_header_cb(char *data, size_t size, size_t nmemb, void *user)
{
    struct ping *p = user;
    size_t len = size * nmemb, i = 12, j = 0;

    if (len > 12 && strncasecmp(data, "Api-Version:", 12) == 0) {
        while (i < len && (data[i] == ' ' || data[i] == '\t'))
            i++;
        while (i < len && j + 1 < sizeof(p->version) &&
               ((data[i] >= '0' && data[i] <= '9') || data[i] == '.'))
            p->version[j++] = data[i++];
        p->version[j] = '\0';
    }
    return len;
}

/* Newest of the server's and ours: ask for what we were written against when it can. */
static void
pick_version(const char *server, char out[16])
{
    int smaj = 0, smin = 0, wmaj = 1, wmin = 41;

    if (server[0] == '\0' || sscanf(server, "%d.%d", &smaj, &smin) != 2 ||
        (smaj > wmaj || (smaj == wmaj && smin >= wmin))) {
        snprintf(out, 16, "%s", ENGINE_WANT_VERSION);
        return;
    }
    snprintf(out, 16, "%d.%d", smaj, smin);
}

static int
describe_connect_failure(const char *sock, const char *origin, CURLcode rc)
{
    struct stat st;

    if (stat(sock, &st) != 0) {
        if (errno == EACCES)
            return err_set(ERR_UNAVAILABLE,
                           "engine socket %s (%s): permission denied; join the docker group, "
                           "or scan a saved image with --image FILE.tar",
                           sock, origin);
        return err_set(ERR_UNAVAILABLE,
                       "no engine socket at %s (%s); start Docker or `podman system service`, "
                       "or scan a saved image with --image FILE.tar",
                       sock, origin);
    }
    if (!S_ISSOCK(st.st_mode))
        return err_set(ERR_UNAVAILABLE, "%s (%s) is not a socket; scan a saved image with "
                                        "--image FILE.tar instead",
                       sock, origin);
    if (access(sock, R_OK | W_OK) != 0 && errno == EACCES)
        return err_set(ERR_UNAVAILABLE,
                       "engine socket %s (%s): permission denied; join the docker group, or "
                       "scan a saved image with --image FILE.tar",
                       sock, origin);
    return err_set(ERR_UNAVAILABLE,
                   "engine socket %s (%s): connection refused (%s); is the engine running? Or "
                   "scan a saved image with --image FILE.tar",
                   sock, origin, curl_easy_strerror(rc));
}

static int
try_ping(CURL *c, const char *sock, const char *origin, char version[16], long secs)
{
    struct ping p;
    struct collect body;
    CURLcode rc;
    long status = 0;

    memset(&p, 0, sizeof(p));
    memset(&body, 0, sizeof(body));
    body.max = ENGINE_MAX_ERRBODY;
    set_common(c, sock);
    curl_easy_setopt(c, CURLOPT_URL, "http://localhost/_ping");
    curl_easy_setopt(c, CURLOPT_TIMEOUT, secs);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, ping_header_cb);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &p);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect_cb);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &body);
    rc = curl_easy_perform(c);
    buf_free(&body.b);
    if (rc == CURLE_OPERATION_TIMEDOUT)
        return err_set(ERR_UNAVAILABLE,
                       "engine at %s (%s) did not answer GET /_ping within %ld s; scan a saved "
                       "image with --image FILE.tar instead",
                       sock, origin, secs);
    if (rc != CURLE_OK)
        return describe_connect_failure(sock, origin, rc);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    if (status != 200)
        return err_set(ERR_UNAVAILABLE, "engine at %s (%s): GET /_ping answered HTTP %ld", sock,
                       origin, status);
    pick_version(p.version, version);
    return 0;
}

int
engine_open(struct engine **out)
{
    struct candidate cands[6];
    size_t n = 0;
    struct engine *e;
    int rc, first_rc = 0;
    char first_msg[1024] = "";

    *out = NULL;
    if ((rc = list_candidates(cands, 6, &n)) < 0)
        return rc;
    if ((rc = engine_curl_load()) < 0)
        return rc;
    e = calloc(1, sizeof(*e));
    if (e == NULL)
        return err_set(ERR_NOMEM, "out of memory");
    e->json_secs = timeout_override() ? timeout_override() : ENGINE_JSON_SECS;
    e->stall_secs = timeout_override() ? timeout_override() : ENGINE_STALL_SECS;
    e->curl = curl_easy_init();
    if (e->curl == NULL) {
        free(e);
        return err_set(ERR_NOMEM, "libcurl: cannot create a handle");
    }
    for (size_t i = 0; i < n; i++) {
        rc = try_ping(e->curl, cands[i].path, cands[i].origin, e->version,
                      e->json_secs < 15 ? e->json_secs : 15);
        if (rc == 0) {
            memcpy(e->sock, cands[i].path, sizeof(e->sock));
            *out = e;
            return 0;
        }
        /* Report the first candidate that exists (more useful than the last missing one). */
        if (first_rc == 0 ||
            (access(cands[i].path, F_OK) == 0 && strstr(first_msg, "no engine socket") != NULL)) {
            first_rc = rc;
            snprintf(first_msg, sizeof(first_msg), "%s", err_message());
        }
    }
    engine_close(e);
    if (n > 1 && strstr(first_msg, "no engine socket") != NULL)
        return err_set(ERR_UNAVAILABLE,
                       "no engine socket found (tried /var/run/docker.sock, the rootless Docker "
                       "and Podman sockets; set DOCKER_HOST=unix://PATH); or scan a saved image "
                       "with --image FILE.tar");
    return err_set(first_rc, "%s", first_msg);
}

void
engine_close(struct engine *e)
{
    if (e == NULL)
        return;
    if (e->curl != NULL)
        curl_easy_cleanup(e->curl);
    free(e);
}

static int
make_url(const struct engine *e, const char *path, char *url, size_t size)
{
    if (path == NULL || path[0] != '/')
        return err_set(ERR_INTERNAL, "engine: path must start with '/'");
    if (str_format(url, size, "http://localhost/v%s%s", e->version, path) < 0)
        return err_set(ERR_LIMIT, "engine: request path too long");
    return 0;
}

/* The engine's {"message": "..."} error body, or the status alone. */
static int
http_error(const struct engine *e, const char *method, const char *path, long status,
           const struct buf *body)
{
    char msg[512] = "";
    cJSON *j = NULL;

    if (body->len > 0) {
        j = cJSON_ParseWithLength(body->data, body->len);
        const cJSON *m = cJSON_GetObjectItemCaseSensitive(j, "message");
        if (cJSON_IsString(m))
            snprintf(msg, sizeof(msg), ": %s", m->valuestring);
        cJSON_Delete(j);
    }
    if (status == 404)
        return err_set(ERR_NOTFOUND, "engine %s: %s %s: not found%s", e->sock, method, path, msg);
    if (status == 409 && strcmp(method, "POST") == 0)
        return err_set(ERR_EXISTS, "engine %s: %s %s: conflict%s", e->sock, method, path, msg);
    return err_set(ERR_UNAVAILABLE, "engine %s: %s %s answered HTTP %ld%s", e->sock, method, path,
                   status, msg);
}

static int
transfer_error(const struct engine *e, const char *method, const char *path, CURLcode rc)
{
    if (rc == CURLE_OPERATION_TIMEDOUT)
        return err_set(ERR_UNAVAILABLE, "engine %s: %s %s timed out (SCANNER_ENGINE_TIMEOUT "
                                        "sets the limit)",
                       e->sock, method, path);
    if (rc == CURLE_COULDNT_CONNECT)
        return err_set(ERR_UNAVAILABLE, "engine socket %s: connection refused; scan a saved "
                                        "image with --image FILE.tar instead",
                       e->sock);
    return err_set(ERR_UNAVAILABLE, "engine %s: %s %s: %s", e->sock, method, path,
                   curl_easy_strerror(rc));
}

/* One request with a JSON reply; `body` (a JSON document) makes it a POST. An empty 2xx reply
 * gives *out = NULL. */
static int
request_json(struct engine *e, const char *path, const char *body, size_t body_len, cJSON **out)
{
    const char *method = body != NULL ? "POST" : "GET";
    struct curl_slist *headers = NULL;
    char url[PATH_MAX + 64];
    struct collect reply;
    CURLcode crc;
    long status = 0;
    int rc;

    *out = NULL;
    if ((rc = make_url(e, path, url, sizeof(url))) < 0)
        return rc;
    memset(&reply, 0, sizeof(reply));
    reply.max = ENGINE_MAX_JSON;
    set_common(e->curl, e->sock);
    curl_easy_setopt(e->curl, CURLOPT_URL, url);
    curl_easy_setopt(e->curl, CURLOPT_TIMEOUT, e->json_secs);
    curl_easy_setopt(e->curl, CURLOPT_WRITEFUNCTION, collect_cb);
    curl_easy_setopt(e->curl, CURLOPT_WRITEDATA, &reply);
    if (body != NULL) {
        headers = curl_slist_append(NULL, "Content-Type: application/json");
        if (headers == NULL)
            return err_set(ERR_NOMEM, "out of memory");
        curl_easy_setopt(e->curl, CURLOPT_HTTPHEADER, headers);
        curl_easy_setopt(e->curl, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(e->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
    }
    crc = curl_easy_perform(e->curl);
    if (headers != NULL) {
        curl_easy_setopt(e->curl, CURLOPT_HTTPHEADER, NULL);
        curl_slist_free_all(headers);
    }
    if (crc != CURLE_OK) {
        rc = reply.over ? err_set(ERR_LIMIT, "engine %s: %s %s: reply larger than %u bytes",
                                  e->sock, method, path, ENGINE_MAX_JSON)
                        : transfer_error(e, method, path, crc);
        buf_free(&reply.b);
        return rc;
    }
    curl_easy_getinfo(e->curl, CURLINFO_RESPONSE_CODE, &status);
    if (status < 200 || status > 299) {
        rc = http_error(e, method, path, status, &reply.b);
        buf_free(&reply.b);
        return rc;
    }
    if (body != NULL && reply.b.len == 0)
        return 0;
    *out = cJSON_ParseWithLength(reply.b.data != NULL ? reply.b.data : "", reply.b.len);
    buf_free(&reply.b);
    if (*out == NULL)
        return err_set(ERR_PARSE, "engine %s: %s %s: reply is not valid JSON", e->sock, method,
                       path);
    return 0;
}

int
engine_get_json(struct engine *e, const char *path, cJSON **out)
{
    return request_json(e, path, NULL, 0, out);
}

int
engine_post_json(struct engine *e, const char *path, const char *body, size_t len, cJSON **out)
{
    return request_json(e, path, body != NULL ? body : "", len, out);
}

struct stream_ctx {
    CURL *curl;
    int (*sink)(const void *, size_t, void *);
    void *user;
    int sink_rc;
    long status;
    struct buf err; /* body of a non-2xx reply, bounded */
};

static size_t
stream_cb(char *data, size_t size, size_t nmemb, void *user)
{
    struct stream_ctx *s = user;
    size_t len = size * nmemb;

    if (s->status == 0)
        curl_easy_getinfo(s->curl, CURLINFO_RESPONSE_CODE, &s->status);
    if (s->status < 200 || s->status > 299) {
        if (s->err.len + len <= ENGINE_MAX_ERRBODY && buf_append(&s->err, data, len) < 0)
            return 0;
        return len;
    }
    s->sink_rc = s->sink(data, len, s->user);
    return s->sink_rc < 0 ? 0 : len;
}

int
engine_get_stream(struct engine *e, const char *path,
                  int (*sink)(const void *data, size_t len, void *user), void *user)
{
    char url[PATH_MAX + 64];
    struct stream_ctx s;
    CURLcode crc;
    int rc;

    if ((rc = make_url(e, path, url, sizeof(url))) < 0)
        return rc;
    memset(&s, 0, sizeof(s));
    s.curl = e->curl;
    s.sink = sink;
    s.user = user;
    set_common(e->curl, e->sock);
    curl_easy_setopt(e->curl, CURLOPT_URL, url);
    /* No total timeout: an image may take minutes. A stall is what we refuse. */
    curl_easy_setopt(e->curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(e->curl, CURLOPT_LOW_SPEED_TIME, e->stall_secs);
    curl_easy_setopt(e->curl, CURLOPT_WRITEFUNCTION, stream_cb);
    curl_easy_setopt(e->curl, CURLOPT_WRITEDATA, &s);
    crc = curl_easy_perform(e->curl);
    if (s.sink_rc < 0) {
        buf_free(&s.err);
        return s.sink_rc; /* the sink recorded its own message */
    }
    if (crc != CURLE_OK) {
        buf_free(&s.err);
        return transfer_error(e, "GET", path, crc);
    }
    if (s.status == 0)
        curl_easy_getinfo(e->curl, CURLINFO_RESPONSE_CODE, &s.status);
    if (s.status < 200 || s.status > 299) {
        rc = http_error(e, "GET", path, s.status, &s.err);
        buf_free(&s.err);
        return rc;
    }
    buf_free(&s.err);
    return 0;
}

char *
engine_escape(const char *name)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t n = strlen(name);
    char *out, *p;

    if (n > (SIZE_MAX - 1) / 3)
        return NULL;
    out = malloc(3 * n + 1);
    if (out == NULL)
        return NULL;
    p = out;
    for (const unsigned char *s = (const unsigned char *)name; *s != '\0'; s++) {
        /* A segment starting with '.' is escaped so "../" can never walk to another endpoint. */
        int seg_start = (const char *)s == name || s[-1] == '/';

        /* Unreserved characters, plus ':' and '@' which are legal in a path segment and which
         * the engine expects unescaped in tags and digests. '/' is kept too: repository names
         * contain it and the engine's router accepts it in {name}. */
        if ((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
            *s == '-' || (*s == '.' && !seg_start) || *s == '_' || *s == '~' || *s == ':' || *s == '@' ||
            *s == '/') {
            *p++ = (char)*s;
        } else {
            *p++ = '%';
            *p++ = hex[*s >> 4];
            *p++ = hex[*s & 15];
        }
    }
    *p = '\0';
    return out;
}
