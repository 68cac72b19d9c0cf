/* helper: what several unit-test drivers share (linked into every driver). */
#ifndef TESTS_UNIT_HELPER_H
#define TESTS_UNIT_HELPER_H

#include <stddef.h>

/* Makes a fresh /tmp/<name>.XXXXXX directory into buf; 0 or -1. */
int test_mkdtemp(char *buf, size_t size, const char *name);
/* Removes a directory made by test_mkdtemp, with everything in it; 0 or -1. */
int test_rmtree(const char *dir);

#endif
