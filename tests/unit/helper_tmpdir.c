/* helper_tmpdir: scratch directories for unit tests, made fresh and removed whole. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helper.h"

int
test_mkdtemp(char *buf, size_t size, const char *name)
{
    int n = snprintf(buf, size, "/tmp/%s.XXXXXX", name);

    if (n < 0 || (size_t)n >= size)
        return -1;
    return mkdtemp(buf) == NULL ? -1 : 0;
}

int
test_rmtree(const char *dir)
{
    char cmd[600];
    int n;

    if (strncmp(dir, "/tmp/", 5) != 0 || strchr(dir, '\'') != NULL)
        return -1; /* only what test_mkdtemp made */
    n = snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    if (n < 0 || (size_t)n >= sizeof(cmd))
        return -1;
    return system(cmd) == 0 ? 0 : -1;
}
