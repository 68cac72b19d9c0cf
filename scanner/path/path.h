/* path: `scanner --path`: files and directory trees (and standard input) streamed through the
 * secret detector, skipping .git, binary files, files over the size limit and symlinks that
 * leave the tree; every hit becomes a finding. The header of scanner/path/. */
#ifndef SCANNER_PATH_H
#define SCANNER_PATH_H

#include <stddef.h>

#include "common.h"
#include "detect.h"
#include "scanner.h"

#define PATH_DEFAULT_MAX_FILE DETECT_DEFAULT_MAX_FILE
#define PATH_SNIFF_BYTES      DETECT_SNIFF_BYTES

/* One `--path` argument's walk. The walk (one thread) enumerates files in name order and hands
 * each to a work queue (common/workq.c); --jobs threads read and scan them, each file's hits and
 * messages kept with it; the walk's thread then reports them in enumeration order, so the
 * report and stderr are the same bytes for any --jobs. */
struct path_scan {
    const struct scanner_opts *opts;
    struct detect_engine *engine; /* shared by the threads: each scan takes its own scratch */
    struct findings *f;
    long max_size;
    size_t files, skipped_binary, skipped_big, unreadable;
    struct workq *q;
    struct buf pending; /* the walk's own messages, printed before the next file's */
};

/* Queues one regular file (opened relative to dirfd without following a final symlink; `shown`
 * is its name in reports). Unreadable files are counted, not errors. Returns the first error a
 * queued file ended with (the walk stops then), else 0. */
int path_scan_file(struct path_scan *ps, int dirfd, const char *name, const char *shown);
/* Streams standard input, reported as `shown`. */
int path_scan_fd(struct path_scan *ps, int fd, const char *shown);
/* Walks a directory tree in name order with an explicit stack (no recursion). */
int path_walk_tree(struct path_scan *ps, const char *top);
/* A message of the walk itself, kept in its place among the files' messages. */
void path_note(struct path_scan *ps, int warn, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
