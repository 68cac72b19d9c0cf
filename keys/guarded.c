/* guarded: large guarded buffers (the vault file, decrypted in place): locked in memory, left
 * out of core dumps, fenced by inaccessible pages, wiped on free, and backed by 2 MiB pages.
 * Page faults are the main cost of touching megabytes here: sodium_malloc of 2.3 MB plus one
 * pass over it took 11-17 ms on the project's VM, the same on huge pages under 1 ms. */
#include <sys/mman.h>

#include <sodium.h>
#include <stdint.h>
#include <unistd.h>

#include "keys.h"

#define HUGE_PAGE ((size_t)2 << 20)
#define SLOTS     8

static struct {
    unsigned char *user, *base;
    size_t size, len;
} live[SLOTS];

void *
keys_alloc_large(size_t size)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE), round, len;
    unsigned char *base, *user;
    int slot = -1;

    for (int i = 0; i < SLOTS && slot < 0; i++)
        if (live[i].user == NULL)
            slot = i;
    if (slot < 0 || size == 0 || size > ((size_t)1 << 40))
        return slot < 0 ? keys_alloc(size) : NULL;
    round = (size + HUGE_PAGE - 1) / HUGE_PAGE * HUGE_PAGE;
    len = round + 2 * HUGE_PAGE;
    base = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (base == MAP_FAILED)
        return NULL;
    /* Aligned for huge pages, with at least one inaccessible page on each side. */
    user = (unsigned char *)(((uintptr_t)base + page + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1));
    (void)mprotect(base, (size_t)(user - base), PROT_NONE);
    (void)mprotect(user + round, len - (size_t)(user - base) - round, PROT_NONE);
    (void)madvise(user, round, MADV_HUGEPAGE);
    (void)madvise(base, len, MADV_DONTDUMP);
    (void)mlock(user, size); /* best effort, as sodium_malloc does */
    live[slot].user = user;
    live[slot].base = base;
    live[slot].size = size;
    live[slot].len = len;
    return user;
}

void
keys_free_large(void *p)
{
    if (p == NULL)
        return;
    for (int i = 0; i < SLOTS; i++) {
        if (live[i].user == p) {
            sodium_memzero(p, live[i].size);
            (void)munlock(p, live[i].size);
            (void)munmap(live[i].base, live[i].len);
            live[i].user = NULL;
            return;
        }
    }
    keys_free(p); /* came from keys_alloc when every slot was taken */
}
