/* rpmdb_lazy: fills rpmdb_sql from libsqlite3.so.0 the first time an rpmdb is read. */
#include <pthread.h>

#define RPMDB_SQL_LOADER
#include "common.h"
#include "packages_internal.h"

struct rpmdb_sql rpmdb_sql;

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int load_rc;
static char load_msg[512];

static void
load(void)
{
#define RPMDB_SQL_SYM(ret, name, args) {#name, (void **)&rpmdb_sql.name},
    static const struct lazy_sym syms[] = {RPMDB_SQL_FUNCS(RPMDB_SQL_SYM)};
#undef RPMDB_SQL_SYM

    load_rc = lazy_load("libsqlite3.so.0", syms, sizeof(syms) / sizeof(syms[0]));
    if (load_rc < 0)
        (void)str_format(load_msg, sizeof(load_msg), "%s", err_message());
}

int
rpmdb_sql_load(void)
{
    (void)pthread_once(&once, load);
    if (load_rc < 0)
        return err_set(load_rc, "%s", load_msg);
    return 0;
}
