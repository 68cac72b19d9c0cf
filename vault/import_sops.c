/* import_sops: a SOPS-encrypted file decrypted by the real `sops` command (no shell) with the
 * user's age identity, its JSON read into guarded memory and handed to the JSON import. */
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vault_internal.h"

#define SOPS_OUT_MAX (4u << 20)
#define SOPS_ENV_MAX 1024

extern char **environ;

/* environ, with SOPS_AGE_KEY_FILE set to `identity` when one is given. */
static int
child_env(const char *identity, char **env, size_t max, char *kv, size_t kvsize)
{
    size_t n = 0;

    for (char **e = environ; *e != NULL && n + 2 < max; e++)
        if (identity == NULL || strncmp(*e, "SOPS_AGE_KEY_FILE=", 18) != 0)
            env[n++] = *e;
    if (identity != NULL) {
        if (str_format(kv, kvsize, "SOPS_AGE_KEY_FILE=%s", identity) < 0)
            return err_set(ERR_LIMIT, "--identity: path too long");
        env[n++] = kv;
    }
    env[n] = NULL;
    return 0;
}

int
vault_import_sops(const char *path, const char *identity, struct vault_import *out)
{
    const char *args[] = {"sops", "--decrypt", "--output-type", "json", "--", path, NULL};
    static char *env[SOPS_ENV_MAX];
    char kv[4200];
    posix_spawn_file_actions_t fa;
    unsigned char *buf = NULL;
    int fds[2], status = 0, rc;
    size_t got = 0;
    ssize_t n;
    pid_t pid;

    memset(out, 0, sizeof(*out));
    if (access(path, R_OK) != 0)
        return err_set_errno(errno == ENOENT ? ERR_NOTFOUND : ERR_IO, "%s", path);
    if ((rc = child_env(identity, env, SOPS_ENV_MAX, kv, sizeof(kv))) < 0)
        return rc;
    if (pipe2(fds, O_CLOEXEC) < 0)
        return err_set_errno(ERR_IO, "pipe");
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, fds[1], STDOUT_FILENO);
    posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    if (posix_spawnp(&pid, "sops", &fa, NULL, (char *const *)args, env) != 0) {
        posix_spawn_file_actions_destroy(&fa);
        close(fds[0]);
        close(fds[1]);
        return err_set(ERR_UNAVAILABLE,
                       "%s: cannot run sops, which decrypts SOPS files (their values are "
                       "AES-256-GCM, not something age or libsodium opens); install sops and "
                       "keep your age key where it looks (--identity F or SOPS_AGE_KEY_FILE); "
                       "nothing imported",
                       path);
    }
    posix_spawn_file_actions_destroy(&fa);
    close(fds[1]);
    if ((buf = keys_alloc(SOPS_OUT_MAX + 1)) == NULL)
        rc = err_set(ERR_NOMEM, "cannot allocate guarded memory");
    while (rc == 0) {
        n = read(fds[0], buf + got, SOPS_OUT_MAX + 1 - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        got += (size_t)n;
        if (got > SOPS_OUT_MAX)
            rc = err_set(ERR_LIMIT, "%s: decrypted document over %u bytes; nothing imported",
                         path, SOPS_OUT_MAX);
    }
    close(fds[0]);
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (rc == 0 && (!WIFEXITED(status) || WEXITSTATUS(status) != 0))
        rc = err_set(ERR_AUTH, "%s: sops could not decrypt it (exit status %d: no age key of "
                               "its recipients here?); nothing imported",
                     path, WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    if (rc == 0)
        rc = vault_import_json_text(path, (const char *)buf, got, out);
    if (buf != NULL)
        keys_free(buf); /* guarded memory: wiped on free */
    return rc;
}
