/* engine_internal: libcurl, loaded on first use (common/lazylib.c). libcurl and its dependencies
 * (TLS, Kerberos, LDAP, SSH, ...) are most of a process's start-up time, and only the commands
 * that talk to an engine need them. The engine's files call curl_* as usual; the macros below
 * route those calls through the table engine_curl_load() fills. */
#ifndef ENGINE_INTERNAL_H
#define ENGINE_INTERNAL_H

#include <curl/curl.h>

struct engine_curl {
    CURLcode (*global_init)(long flags);
    CURL *(*easy_init)(void);
    void (*easy_reset)(CURL *c);
    void (*easy_cleanup)(CURL *c);
    CURLcode (*easy_setopt)(CURL *c, CURLoption opt, ...);
    CURLcode (*easy_getinfo)(CURL *c, CURLINFO info, ...);
    CURLcode (*easy_perform)(CURL *c);
    const char *(*easy_strerror)(CURLcode code);
    struct curl_slist *(*slist_append)(struct curl_slist *l, const char *s);
    void (*slist_free_all)(struct curl_slist *l);
};
extern struct engine_curl engine_curl;

/* Loads libcurl once per process and runs curl_global_init; 0 or ERR_INTERNAL. */
int engine_curl_load(void);

/* curl.h defines some of these as type-checking macros: replace them. */
#undef curl_easy_setopt
#undef curl_easy_getinfo
#define curl_global_init (*engine_curl.global_init)
#define curl_easy_init (*engine_curl.easy_init)
#define curl_easy_reset (*engine_curl.easy_reset)
#define curl_easy_cleanup (*engine_curl.easy_cleanup)
#define curl_easy_setopt (*engine_curl.easy_setopt)
#define curl_easy_getinfo (*engine_curl.easy_getinfo)
#define curl_easy_perform (*engine_curl.easy_perform)
#define curl_easy_strerror (*engine_curl.easy_strerror)
#define curl_slist_append (*engine_curl.slist_append)
#define curl_slist_free_all (*engine_curl.slist_free_all)

#endif
