/* fuzz_detect: libFuzzer target for the detector: whole-buffer scans, streams with tiny windows
 * split where the input says, and the name/placeholder classifiers on the same bytes. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "detect.h"
#include "detect_internal.h"

static struct detect_engine *eng;

static int
on_hit(const struct detect_hit *h, void *user)
{
    size_t *n = user;
    /* What a caller relies on: spans inside the input, secret inside the match. */
    if (h->secret_start >= h->secret_end || h->line < 1 || h->column < 1 ||
        h->redacted[0] == '\0' || strlen(h->fingerprint) != 64)
        abort();
    (*n)++;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct detect_stream *s;
    size_t whole = 0, streamed = 0, split;
    char out[64], fp[65];

    if (eng == NULL && detect_open(&eng) != 0)
        abort();
    if (detect_scan(eng, (const char *)data, size, on_hit, &whole) != 0)
        abort();
    /* A stream with a tiny chunk and overlap: every few bytes is a border. */
    split = size > 0 ? data[0] % (size + 1) : 0;
    if (detect_stream_open(eng, on_hit, &streamed, &s) != 0)
        abort();
    detect_stream_tune(s, 1 + (size > 1 ? data[1] % 64 : 0), 256);
    if (detect_stream_feed(s, (const char *)data, split) != 0 ||
        detect_stream_feed(s, (const char *)data + split, size - split) != 0 ||
        detect_stream_close(s) != 0)
        abort();
    (void)detect_name_is_secret((const char *)data, size);
    (void)detect_value_is_placeholder((const char *)data, size);
    detect_redact((const char *)data, size, out, sizeof(out));
    detect_fingerprint((const char *)data, size, fp);
    return 0;
}
