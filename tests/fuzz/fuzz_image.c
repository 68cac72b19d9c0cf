/* libFuzzer target for the image readers: the input is either a whole docker-archive or
 * oci-archive (tar, maybe compressed) streamed through the one-pass reader, or, when it starts
 * with '{' or '[', a set of JSON documents (index or manifest.json, manifests, configs) split on
 * "\n---\n" and resolved as an image. Then every rule runs over what was read. */
#include <sys/mman.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "image.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct detect_engine *engine;

static void
run_rules(struct img_ctx *c)
{
    struct img_resolved r;
    struct findings f;

    findings_init(&f);
    if (image_resolve(c, &r) == 0) {
        image_check_layers(&r, c, &f, "fuzz");
        image_check_config(&r, c, &f, "fuzz");
    }
    image_resolved_free(&r);
    findings_free(&f);
}

/* Doc 0 is index.json ('{') or manifest.json ('['); doc i >= 1 is both blobs/sha256/<i in 64
 * hex digits> and "c<i>.json", so seeds can refer to them either way. */
static void
fuzz_json(struct img_ctx *c, const char *d, size_t n)
{
    size_t start = 0, i = 0;

    while (start <= n && i < 16) {
        const char *sep = memmem(d + start, n - start, "\n---\n", 5);
        size_t end = sep != NULL ? (size_t)(sep - d) : n;
        char name[96];
        if (i == 0) {
            img_ctx_keep_json(c, d[0] == '[' ? "manifest.json" : "index.json", d + start,
                              end - start);
        } else {
            snprintf(name, sizeof(name), "blobs/sha256/%064zx", i);
            img_ctx_keep_json(c, name, d + start, end - start);
            snprintf(name, sizeof(name), "c%zu.json", i);
            img_ctx_keep_json(c, name, d + start, end - start);
        }
        i++;
        if (sep == NULL)
            break;
        start = end + 5;
    }
    run_rules(c);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct scanner_opts o;
    struct img_ctx c;

    if (engine == NULL) {
        json_init();
        if (detect_open(&engine) < 0)
            engine = NULL;
    }
    memset(&o, 0, sizeof(o));
    img_ctx_init(&c, &o, engine);
    c.source = strdup("fuzz");
    if (size > 0 && (data[0] == '{' || data[0] == '[')) {
        fuzz_json(&c, (const char *)data, size);
    } else {
        int fd = memfd_create("fuzz", MFD_CLOEXEC);
        if (fd >= 0) {
            if (write(fd, data, size) == (ssize_t)size && lseek(fd, 0, SEEK_SET) == 0 &&
                image_read_archive_fd(&c, fd, "fuzz") == 0)
                run_rules(&c);
            close(fd);
        }
    }
    img_ctx_free(&c);
    return 0;
}
