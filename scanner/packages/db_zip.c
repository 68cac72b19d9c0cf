/* db_zip: fills db_zip from libarchive.so.13 the first time a zip database is read. */
#define DB_ZIP_LOADER
#include "common.h"
#include "packages_internal.h"

struct db_zip db_zip;

#define DB_ZIP_SYM(ret, name, args) {#name, (void **)&db_zip.name},
static const struct lazy_sym syms[] = {DB_ZIP_FUNCS(DB_ZIP_SYM)};
#undef DB_ZIP_SYM
static struct lazy_lib lib = LAZY_LIB("libarchive.so.13", syms, NULL);

int
db_zip_load(void)
{
    return lazy_load_once(&lib);
}
