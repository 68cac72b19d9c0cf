/* db_zip: fills db_zip from libarchive.so.13 the first time a zip database is read. */
#include <pthread.h>

#define DB_ZIP_LOADER
#include "common.h"
#include "packages_internal.h"

struct db_zip db_zip;

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int load_rc;
static char load_msg[512];

static void
load(void)
{
#define DB_ZIP_SYM(ret, name, args) {#name, (void **)&db_zip.name},
    static const struct lazy_sym syms[] = {DB_ZIP_FUNCS(DB_ZIP_SYM)};
#undef DB_ZIP_SYM

    load_rc = lazy_load("libarchive.so.13", syms, sizeof(syms) / sizeof(syms[0]));
    if (load_rc < 0)
        (void)str_format(load_msg, sizeof(load_msg), "%s", err_message());
}

int
db_zip_load(void)
{
    (void)pthread_once(&once, load);
    if (load_rc < 0)
        return err_set(load_rc, "%s", load_msg);
    return 0;
}
