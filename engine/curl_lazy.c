/* curl_lazy: fills engine_curl from libcurl.so.4 the first time an engine is opened. */
#include "common.h"
#include "engine_internal.h"

struct engine_curl engine_curl;

#define SYM(field, name) {name, (void **)&engine_curl.field}
static const struct lazy_sym syms[] = {
    SYM(global_init, "curl_global_init"),
    SYM(easy_init, "curl_easy_init"),
    SYM(easy_reset, "curl_easy_reset"),
    SYM(easy_cleanup, "curl_easy_cleanup"),
    SYM(easy_setopt, "curl_easy_setopt"),
    SYM(easy_getinfo, "curl_easy_getinfo"),
    SYM(easy_perform, "curl_easy_perform"),
    SYM(easy_strerror, "curl_easy_strerror"),
    SYM(slist_append, "curl_slist_append"),
    SYM(slist_free_all, "curl_slist_free_all"),
};
#undef SYM

static int
init(void)
{
    if (engine_curl.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return err_set(ERR_INTERNAL, "libcurl initialisation failed");
    return 0;
}

static struct lazy_lib lib = LAZY_LIB("libcurl.so.4", syms, init);

int
engine_curl_load(void)
{
    return lazy_load_once(&lib);
}
