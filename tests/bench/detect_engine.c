/* detect_engine: the detector alone, without file I/O: loads a file into memory, scans it once
 * to warm caches and page tables, then times a second scan (wall and CPU). Built and run by
 * tests/bench/bench_detect.sh against the build's libsuite.a. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "detect.h"

static int
count_hit(const struct detect_hit *h, void *user)
{
    (void)h;
    (*(size_t *)user)++;
    return 0;
}

static double
secs(clockid_t clk)
{
    struct timespec ts;
    clock_gettime(clk, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
    struct detect_engine *e;
    struct buf b = {0};
    size_t hits = 0;
    double w0, c0, w, c;

    if (argc != 2) {
        fprintf(stderr, "usage: detect_engine FILE\n");
        return 2;
    }
    if (detect_open(&e) < 0 || file_read_all(argv[1], (size_t)8 << 30, 0, &b) < 0) {
        fprintf(stderr, "detect_engine: %s\n", err_message());
        return 2;
    }
    if (detect_scan(e, b.data, b.len, count_hit, &hits) < 0)
        return 2;
    hits = 0;
    w0 = secs(CLOCK_MONOTONIC);
    c0 = secs(CLOCK_PROCESS_CPUTIME_ID);
    if (detect_scan(e, b.data, b.len, count_hit, &hits) < 0)
        return 2;
    w = secs(CLOCK_MONOTONIC) - w0;
    c = secs(CLOCK_PROCESS_CPUTIME_ID) - c0;
    printf("engine alone (in memory, %zu rules, one thread): wall %.3f s (%.0f MB/s), cpu %.3f s "
           "(%.0f MB/s), %zu hits\n",
           detect_rule_count(e), w, (double)b.len / 1e6 / w, c, (double)b.len / 1e6 / c, hits);
    buf_free(&b);
    detect_close(e);
    return 0;
}
