/* cli_repo: the repository a scan runs in: its top directory (the root report paths are
 * relative to) and its fingerprint salt (SECURITY.md): the contents of `.scanner-salt` at the
 * top when present, else the repository's root commit id, else none. */
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

#define SALT_FILE_MAX 4096

static char repo_top[PATH_MAX];
static int repo_in_git;

/* The salt, computed at the first fingerprint (report_fingerprint_salt_lazy): the root commit
 * costs two `git` runs, which a text report or a run without findings never needs. */
static void
load_salt(void)
{
    char path[PATH_MAX + 32], commit[41];
    struct buf salt = {0};

    if (repo_top[0] != '\0' &&
        str_format(path, sizeof(path), "%s/.scanner-salt", repo_top) == 0 &&
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
    if (repo_in_git && git_root_commit(repo_top, commit) == 0) {
        char tagged[64];
        if (str_format(tagged, sizeof(tagged), "git-root:%s", commit) == 0) {
            report_fingerprint_salt(tagged, strlen(tagged));
            return;
        }
    }
    report_fingerprint_salt(NULL, 0);
}

void
cli_repo_setup(void)
{
    static int done;

    if (done)
        return;
    done = 1;
    repo_in_git = git_toplevel(".", repo_top, sizeof(repo_top)) == 0;
    if (!repo_in_git && getcwd(repo_top, sizeof(repo_top)) == NULL)
        repo_top[0] = '\0';
    report_set_root(repo_top[0] == '/' ? repo_top : NULL);
    report_fingerprint_salt_lazy(load_salt);
}
