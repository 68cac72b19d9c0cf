/* archive_lazy: fills image_archive from libarchive.so.13 the first time an image is read. */
#include <pthread.h>

#define IMAGE_ARCHIVE_LOADER
#include "common.h"
#include "image_internal.h"

struct image_archive image_archive;

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int load_rc;
static char load_msg[512];

static void
load(void)
{
#define IMAGE_ARCHIVE_SYM(ret, name, args) {#name, (void **)&image_archive.name},
    static const struct lazy_sym syms[] = {IMAGE_ARCHIVE_FUNCS(IMAGE_ARCHIVE_SYM)};
#undef IMAGE_ARCHIVE_SYM

    load_rc = lazy_load("libarchive.so.13", syms, sizeof(syms) / sizeof(syms[0]));
    if (load_rc < 0)
        (void)str_format(load_msg, sizeof(load_msg), "%s", err_message());
}

int
image_archive_load(void)
{
    (void)pthread_once(&once, load);
    if (load_rc < 0)
        return err_set(load_rc, "%s", load_msg);
    return 0;
}
