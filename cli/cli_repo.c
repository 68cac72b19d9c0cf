/* cli_repo: the repository a scan runs in: its top directory (the root report paths are
 * relative to) and its fingerprint salt (SECURITY.md): the contents of `.scanner-salt` at the
 * top when present, else the repository's root commit id, else none. */
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

#define SALT_FILE_MAX 4096

void
cli_repo_setup(void)
{
    static int done;
    char top[PATH_MAX], path[PATH_MAX + 32], commit[41];
    struct buf salt = {0};
    int in_git;

    if (done)
        return;
    done = 1;
    in_git = git_toplevel(".", top, sizeof(top)) == 0;
    if (!in_git && getcwd(top, sizeof(top)) == NULL)
        top[0] = '\0';
    report_set_root(top[0] == '/' ? top : NULL);
    if (top[0] != '\0' && str_format(path, sizeof(path), "%s/.scanner-salt", top) == 0 &&
        access(path, F_OK) == 0) {
        /* An unreadable or oversized salt file is ignored with a warning, never half-used. */
        if (file_read_all(path, SALT_FILE_MAX, FILE_READ_NOFOLLOW, &salt) == 0 && salt.len > 0) {
            report_fingerprint_salt(salt.data, salt.len);
            buf_free(&salt);
            return;
        }
        diag_warn("%s: %s; fingerprints fall back to the repository's root commit", path,
                  err_message()[0] ? err_message() : "empty");
        buf_free(&salt);
    }
    if (in_git && git_root_commit(top, commit) == 0) {
        char tagged[64];
        if (str_format(tagged, sizeof(tagged), "git-root:%s", commit) == 0) {
            report_fingerprint_salt(tagged, strlen(tagged));
            return;
        }
    }
    report_fingerprint_salt(NULL, 0);
}
