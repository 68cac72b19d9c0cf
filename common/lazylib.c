/* lazylib: shared libraries loaded on first use. libcurl and libarchive bring a few dozen
 * libraries of their own; loading them at every start cost most of a short command's time, so
 * the modules that need them load them here, once, when a command first does. */
#include <sys/mman.h>

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "common.h"

int
lazy_load(const char *soname, const struct lazy_sym *syms, size_t n)
{
    /* RTLD_NOW: every symbol is bound at load time, as -z now does for the rest (no writable
     * lazy-binding slots). The handle is kept for the life of the process. */
    void *h = dlopen(soname, RTLD_NOW | RTLD_LOCAL);

    if (h == NULL)
        return err_set(ERR_INTERNAL, "cannot load %s (%s); install the package that provides it",
                       soname, dlerror());
    for (size_t i = 0; i < n; i++) {
        *syms[i].slot = dlsym(h, syms[i].name);
        if (*syms[i].slot == NULL)
            return err_set(ERR_INTERNAL, "%s has no symbol %s: an incompatible version", soname,
                           syms[i].name);
    }
    return 0;
}

int
lazy_load_once(struct lazy_lib *l)
{
    static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

    if (!__atomic_load_n(&l->done, __ATOMIC_ACQUIRE)) {
        pthread_mutex_lock(&lock);
        if (!l->done) {
            l->rc = lazy_load(l->soname, l->syms, l->nsyms);
            if (l->rc == 0 && l->after != NULL)
                l->rc = l->after();
            if (l->rc < 0)
                (void)str_format(l->msg, sizeof(l->msg), "%s", err_message());
            __atomic_store_n(&l->done, 1, __ATOMIC_RELEASE);
        }
        pthread_mutex_unlock(&lock);
    }
    if (l->rc < 0)
        return err_set(l->rc, "%s", l->msg);
    return 0;
}

/* The table of one library's stubs (written by common/gen/lazy_stubs.sh): the stubs jump
 * through slots[i] to names[i], and call this when their slot is still empty. */
struct lazy_stubs {
    const char *soname;
    const char *const *names;
    void **slots;
    size_t n;
    size_t slots_bytes; /* whole pages, the table's own */
};

void lazy_stubs_resolve(const struct lazy_stubs *t);

void
lazy_stubs_resolve(const struct lazy_stubs *t)
{
    static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
    void *h;

    pthread_mutex_lock(&lock);
    if (t->slots[0] != NULL) { /* filled by another thread meanwhile */
        pthread_mutex_unlock(&lock);
        return;
    }
    h = dlopen(t->soname, RTLD_NOW | RTLD_LOCAL);
    if (h == NULL) {
        /* Called from inside a library call that has no error path: stop the command cleanly. */
        diag_error("cannot load %s (%s); install the package that provides it", t->soname,
                   dlerror());
        exit(2); /* the tool's own failure */
    }
    for (size_t i = 0; i < t->n; i++) {
        void *p = dlsym(h, t->names[i]);
        if (p == NULL) {
            diag_error("%s has no symbol %s: an incompatible version", t->soname, t->names[i]);
            exit(2); /* the tool's own failure */
        }
        t->slots[i] = p;
    }
    /* Read-only from now on, as RELRO makes the linker's own tables. */
    (void)mprotect(t->slots, t->slots_bytes, PROT_READ);
    pthread_mutex_unlock(&lock);
}
