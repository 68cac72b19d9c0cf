/* archive_lazy: fills image_archive from libarchive.so.13 the first time an image is read. */
#define IMAGE_ARCHIVE_LOADER
#include "common.h"
#include "image_internal.h"

struct image_archive image_archive;

#define IMAGE_ARCHIVE_SYM(ret, name, args) {#name, (void **)&image_archive.name},
static const struct lazy_sym syms[] = {IMAGE_ARCHIVE_FUNCS(IMAGE_ARCHIVE_SYM)};
#undef IMAGE_ARCHIVE_SYM
static struct lazy_lib lib = LAZY_LIB("libarchive.so.13", syms, NULL);

int
image_archive_load(void)
{
    return lazy_load_once(&lib);
}
