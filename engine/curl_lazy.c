/* curl_lazy: fills engine_curl from libcurl.so.4 the first time an engine is opened. */
#include <pthread.h>

#include "common.h"
#include "engine_internal.h"

struct engine_curl engine_curl;

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int load_rc;
static char load_msg[512];

#define SYM(field, name) {name, (void **)&engine_curl.field}

static void
load(void)
{
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

    load_rc = lazy_load("libcurl.so.4", syms, sizeof(syms) / sizeof(syms[0]));
    if (load_rc == 0 && engine_curl.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        load_rc = err_set(ERR_INTERNAL, "libcurl initialisation failed");
    if (load_rc < 0)
        (void)str_format(load_msg, sizeof(load_msg), "%s", err_message());
}

int
engine_curl_load(void)
{
    (void)pthread_once(&once, load);
    if (load_rc < 0)
        return err_set(load_rc, "%s", load_msg);
    return 0;
}
