/* lazylib: shared libraries loaded on first use. libcurl and libarchive bring a few dozen
 * libraries of their own; loading them at every start cost most of a short command's time, so
 * the modules that need them load them here, once, when a command first does. */
#include <dlfcn.h>
#include <stdio.h>

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
