/* download: one file over HTTP(S) into a `.part` file that a later call resumes (Range), for
 * `scanner db update`. The caller checks the finished file and renames it into place, so what
 * it replaces is never half-written. libcurl is loaded on first use like the engine client's. */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common.h"
#include "engine.h"
#include "engine_internal.h"

struct sink {
    int fd;
    off_t written;
    off_t max;
    int over, failed;
};

static size_t
write_cb(char *data, size_t size, size_t nmemb, void *user)
{
    struct sink *s = user;
    size_t len = size * nmemb;

    if (s->written + (off_t)len > s->max) {
        s->over = 1;
        return 0;
    }
    if (file_write_fd(s->fd, data, len) < 0) {
        s->failed = 1;
        return 0;
    }
    s->written += (off_t)len;
    return len;
}

/* The URL for messages: any `user:password@` taken out (a mirror may need credentials; errors
 * must not carry them). */
static void
url_shown(const char *url, char *out, size_t size)
{
    const char *scheme = strstr(url, "://"), *host = scheme != NULL ? scheme + 3 : url;
    const char *at = strchr(host, '@'), *slash = strchr(host, '/');

    if (at != NULL && (slash == NULL || at < slash))
        (void)str_format(out, size, "%.*s***@%s", (int)(host - url), url, at + 1);
    else
        (void)str_format(out, size, "%s", url);
}

static int
fetch(CURL *c, const char *url, int fd, off_t from, off_t max, long *status, struct sink *s)
{
    char range[64], shown[1024];
    CURLcode rc;

    memset(s, 0, sizeof(*s));
    s->fd = fd;
    s->max = max;
    curl_easy_reset(c);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "https");
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(c, CURLOPT_MAXREDIRS, 5L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 30L);
    /* a stalled transfer ends (and is resumed by the next run) instead of hanging */
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, 60L);
    curl_easy_setopt(c, CURLOPT_USERAGENT, "suite-scanner/" SUITE_VERSION);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, write_cb);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, s);
    if (from > 0) {
        snprintf(range, sizeof(range), "%lld-", (long long)from);
        curl_easy_setopt(c, CURLOPT_RANGE, range);
    }
    curl_easy_setopt(c, CURLOPT_FAILONERROR, 1L);
    rc = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
    url_shown(url, shown, sizeof(shown));
    if (s->over)
        return err_set(ERR_LIMIT, "%s: larger than %lld bytes", shown, (long long)max);
    if (s->failed)
        return err_set_errno(ERR_IO, "writing the download of %s", shown);
    if (rc != CURLE_OK && !(rc == CURLE_HTTP_RETURNED_ERROR && *status == 416))
        return err_set(ERR_UNAVAILABLE, "%s: %s%s%ld", shown, curl_easy_strerror(rc),
                       *status ? ", HTTP status " : "", *status);
    return 0;
}

int
engine_download(const char *url, const char *part, off_t max, struct engine_download *out)
{
    CURL *c;
    struct stat sb;
    struct sink s;
    long status = 0;
    off_t have = 0;
    int fd, rc;

    memset(out, 0, sizeof(*out));
    if ((rc = engine_curl_load()) < 0)
        return rc;
    fd = open(part, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd < 0)
        return err_set_errno(errno == ELOOP ? ERR_UNSAFE : ERR_IO, "%s", part);
    if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode)) {
        close(fd);
        return err_set(ERR_UNSAFE, "%s is not a regular file", part);
    }
    have = sb.st_size;
    if ((c = curl_easy_init()) == NULL) {
        close(fd);
        return err_set(ERR_NOMEM, "libcurl: cannot create a handle");
    }
    if (lseek(fd, have, SEEK_SET) < 0) {
        rc = err_set_errno(ERR_IO, "%s", part);
        goto out;
    }
    rc = fetch(c, url, fd, have, max - have, &status, &s);
    if (rc == 0 && have > 0 && status == 200) {
        /* the server ignored the range: start the file again */
        out->restarted = 1;
        if (ftruncate(fd, 0) < 0 || lseek(fd, 0, SEEK_SET) < 0) {
            rc = err_set_errno(ERR_IO, "%s", part);
            goto out;
        }
        rc = fetch(c, url, fd, 0, max, &status, &s);
        have = 0;
    } else if (rc == 0 && have > 0 && status == 416) {
        /* nothing past what we have: the file was complete already */
        out->resumed_from = have;
        s.written = 0;
    } else if (rc == 0 && have > 0) {
        out->resumed_from = have;
    }
    if (rc == 0 && fsync(fd) < 0)
        rc = err_set_errno(ERR_IO, "%s", part);
    out->bytes = have + s.written;
    out->status = status;
out:
    curl_easy_cleanup(c);
    if (close(fd) < 0 && rc == 0)
        rc = err_set_errno(ERR_IO, "%s", part);
    return rc;
}
