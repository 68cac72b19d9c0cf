/* import_pass: the entries of a pass(1) password store, each decrypted through `gpg` (no shell,
 * the user's own keys), read into guarded memory and handed to the import as NAME -> bytes. */
#include <sys/stat.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vault_internal.h"

#define PASS_ENTRIES_MAX 10000
#define PASS_DEPTH_MAX   16

extern char **environ;

/* `gpg --batch --quiet --decrypt FILE` into guarded memory (at most VAULT_VALUE_MAX bytes). */
static int
gpg_decrypt(const char *file, unsigned char **out, size_t *len)
{
    const char *args[] = {"gpg", "--batch", "--quiet", "--no-tty", "--decrypt", "--", file, NULL};
    posix_spawn_file_actions_t fa;
    int fds[2], status = 0, rc = 0;
    size_t got = 0;
    ssize_t n;
    pid_t pid;

    *out = NULL;
    if (pipe(fds) < 0)
        return err_set_errno(ERR_IO, "pipe");
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, fds[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&fa, fds[0]);
    posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    if (posix_spawnp(&pid, "gpg", &fa, NULL, (char *const *)args, environ) != 0) {
        posix_spawn_file_actions_destroy(&fa);
        close(fds[0]);
        close(fds[1]);
        return err_set(ERR_UNAVAILABLE, "cannot run gpg (install gnupg to import a pass store)");
    }
    posix_spawn_file_actions_destroy(&fa);
    close(fds[1]);
    if ((*out = keys_alloc(VAULT_VALUE_MAX + 1)) == NULL)
        rc = err_set(ERR_NOMEM, "cannot allocate guarded memory");
    while (rc == 0) {
        n = read(fds[0], *out + got, VAULT_VALUE_MAX + 1 - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        got += (size_t)n;
        if (got > VAULT_VALUE_MAX)
            rc = err_set(ERR_LIMIT, "%s: decrypted entry over %d bytes", file, VAULT_VALUE_MAX);
    }
    close(fds[0]);
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (rc == 0 && (!WIFEXITED(status) || WEXITSTATUS(status) != 0))
        rc = err_set(ERR_AUTH, "%s: gpg could not decrypt it (no secret key for it here?); "
                               "nothing imported",
                     file);
    if (rc < 0 && *out != NULL) {
        keys_free(*out);
        *out = NULL;
    }
    *len = got;
    return rc;
}

struct walk {
    struct vault_import *im;
    size_t entries;
};

static int
walk_dir(struct walk *w, const char *root, const char *rel, int depth)
{
    char full[PATH_MAX], sub[PATH_MAX];
    struct dirent *d;
    struct stat st;
    DIR *dir;
    int fd, rc = 0;

    if (depth > PASS_DEPTH_MAX)
        return err_set(ERR_LIMIT, "%s/%s: deeper than %d levels", root, rel, PASS_DEPTH_MAX);
    if ((rc = str_format(full, sizeof(full), "%s%s%s", root, rel[0] ? "/" : "", rel)) < 0)
        return rc;
    fd = open(full, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return err_set_errno(errno == ENOENT ? ERR_NOTFOUND : ERR_IO, "%s: cannot open the "
                                                                       "pass store",
                             full);
    if ((dir = fdopendir(fd)) == NULL) {
        close(fd);
        return err_set_errno(ERR_IO, "%s", full);
    }
    while (rc == 0 && (d = readdir(dir)) != NULL) {
        size_t nl = strlen(d->d_name);
        if (d->d_name[0] == '.') /* ., .., .git, .gpg-id, .extensions */
            continue;
        if (fstatat(fd, d->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || S_ISLNK(st.st_mode))
            continue;
        if ((rc = str_format(sub, sizeof(sub), "%s%s%s", rel, rel[0] ? "/" : "", d->d_name)) < 0)
            break;
        if (S_ISDIR(st.st_mode)) {
            rc = walk_dir(w, root, sub, depth + 1);
        } else if (S_ISREG(st.st_mode) && nl > 4 && strcmp(d->d_name + nl - 4, ".gpg") == 0) {
            unsigned char *val = NULL;
            size_t len = 0;
            char file[PATH_MAX * 2];
            if (++w->entries > PASS_ENTRIES_MAX) {
                rc = err_set(ERR_LIMIT, "%s: more than %d entries", root, PASS_ENTRIES_MAX);
                break;
            }
            sub[strlen(sub) - 4] = '\0';
            if (vault_name_check(sub) < 0) {
                rc = err_set(ERR_PARSE, "%s/%s.gpg: '%s' is not a secret name (letters, digits "
                                        "and ._-/); rename it in the store first; nothing "
                                        "imported",
                             root, sub, sub);
                break;
            }
            if ((rc = str_format(file, sizeof(file), "%s/%s.gpg", root, sub)) < 0 ||
                (rc = gpg_decrypt(file, &val, &len)) < 0)
                break;
            if (len > 0 && val[len - 1] == '\n')
                len--;
            rc = vault_import_add(w->im, file, 0, sub, val, len);
            keys_free(val);
        }
    }
    closedir(dir);
    return rc;
}

int
vault_import_pass(const char *dir, struct vault_import *out)
{
    struct walk w = {out, 0};
    char root[PATH_MAX];
    size_t n;
    int rc;

    memset(out, 0, sizeof(*out));
    if ((rc = str_format(root, sizeof(root), "%s", dir)) < 0)
        return rc;
    n = strlen(root);
    while (n > 1 && root[n - 1] == '/')
        root[--n] = '\0';
    if ((rc = walk_dir(&w, root, "", 0)) < 0)
        vault_import_free(out);
    return rc;
}
