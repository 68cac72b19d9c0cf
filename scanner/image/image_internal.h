/* image_internal: libarchive, loaded on first use (common/lazylib.c). libarchive and its
 * compression and XML dependencies cost every process start-up; only image scans need them.
 * The image files call archive_* as usual; the macros below route the calls through the table
 * image_archive_load() fills. A new archive_* call is one more X(...) row. */
#ifndef IMAGE_INTERNAL_H
#define IMAGE_INTERNAL_H

#include <archive.h>
#include <archive_entry.h>

#define IMAGE_ARCHIVE_FUNCS(X)                                                                 \
    X(struct archive *, archive_read_new, (void))                                              \
    X(int, archive_read_free, (struct archive *))                                              \
    X(int, archive_read_support_format_tar, (struct archive *))                                \
    X(int, archive_read_support_format_empty, (struct archive *))                              \
    X(int, archive_read_support_filter_gzip, (struct archive *))                               \
    X(int, archive_read_support_filter_zstd, (struct archive *))                               \
    X(int, archive_read_open, (struct archive *, void *, archive_open_callback *,             \
                               archive_read_callback *, archive_close_callback *))             \
    X(int, archive_read_open_fd, (struct archive *, int, size_t))                              \
    X(int, archive_read_next_header, (struct archive *, struct archive_entry **))              \
    X(la_ssize_t, archive_read_data, (struct archive *, void *, size_t))                       \
    X(la_int64_t, archive_filter_bytes, (struct archive *, int))                               \
    X(const char *, archive_error_string, (struct archive *))                                  \
    X(const char *, archive_entry_pathname, (struct archive_entry *))                          \
    X(const char *, archive_entry_hardlink, (struct archive_entry *))                          \
    X(const char *, archive_entry_symlink, (struct archive_entry *))                           \
    X(la_int64_t, archive_entry_size, (struct archive_entry *))                                \
    X(__LA_MODE_T, archive_entry_mode, (struct archive_entry *))                               \
    X(__LA_MODE_T, archive_entry_filetype, (struct archive_entry *))

#define IMAGE_ARCHIVE_FIELD(ret, name, args) ret(*name) args;
struct image_archive {
    IMAGE_ARCHIVE_FUNCS(IMAGE_ARCHIVE_FIELD)
};
#undef IMAGE_ARCHIVE_FIELD
extern struct image_archive image_archive;

/* Loads libarchive once per process; 0 or ERR_INTERNAL. Call before the first archive_*. */
int image_archive_load(void);

#ifndef IMAGE_ARCHIVE_LOADER
#define archive_read_new (*image_archive.archive_read_new)
#define archive_read_free (*image_archive.archive_read_free)
#define archive_read_support_format_tar (*image_archive.archive_read_support_format_tar)
#define archive_read_support_format_empty (*image_archive.archive_read_support_format_empty)
#define archive_read_support_filter_gzip (*image_archive.archive_read_support_filter_gzip)
#define archive_read_support_filter_zstd (*image_archive.archive_read_support_filter_zstd)
#define archive_read_open (*image_archive.archive_read_open)
#define archive_read_open_fd (*image_archive.archive_read_open_fd)
#define archive_read_next_header (*image_archive.archive_read_next_header)
#define archive_read_data (*image_archive.archive_read_data)
#define archive_filter_bytes (*image_archive.archive_filter_bytes)
#define archive_error_string (*image_archive.archive_error_string)
#define archive_entry_pathname (*image_archive.archive_entry_pathname)
#define archive_entry_hardlink (*image_archive.archive_entry_hardlink)
#define archive_entry_symlink (*image_archive.archive_entry_symlink)
#define archive_entry_size (*image_archive.archive_entry_size)
#define archive_entry_mode (*image_archive.archive_entry_mode)
#define archive_entry_filetype (*image_archive.archive_entry_filetype)
#endif

#endif
