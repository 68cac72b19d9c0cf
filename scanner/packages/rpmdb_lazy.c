/* rpmdb_lazy: fills rpmdb_sql from libsqlite3.so.0 the first time an rpmdb is read. */
#define RPMDB_SQL_LOADER
#include "common.h"
#include "packages_internal.h"

struct rpmdb_sql rpmdb_sql;

#define RPMDB_SQL_SYM(ret, name, args) {#name, (void **)&rpmdb_sql.name},
static const struct lazy_sym syms[] = {RPMDB_SQL_FUNCS(RPMDB_SQL_SYM)};
#undef RPMDB_SQL_SYM
static struct lazy_lib lib = LAZY_LIB("libsqlite3.so.0", syms, NULL);

int
rpmdb_sql_load(void)
{
    return lazy_load_once(&lib);
}
