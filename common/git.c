/* git: asks the real `git` about the repository around a directory, safely (no shell, no pager,
 * no fsmonitor hook, no lock files): the work tree's top and the repository's root commits. */
#include <sys/wait.h>

#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common.h"

extern char **environ;

int
git_run(const char *dir, const char *const *args, char *out, size_t outsz)
{
    const char *argv[24];
    posix_spawn_file_actions_t fa;
    int pipefd[2] = {-1, -1}, status = 0, n = 0;
    pid_t pid;
    size_t got = 0;

    argv[n++] = "git";
    argv[n++] = "--no-optional-locks";
    argv[n++] = "--no-pager";
    argv[n++] = "-c";
    argv[n++] = "core.fsmonitor=false";
    argv[n++] = "-C";
    argv[n++] = dir;
    for (int i = 0; args[i] != NULL && n < 23; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    if (out != NULL && (outsz == 0 || pipe2(pipefd, O_CLOEXEC) < 0))
        return -1;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    if (out != NULL)
        posix_spawn_file_actions_adddup2(&fa, pipefd[1], 1);
    else
        posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    if (posix_spawnp(&pid, "git", &fa, NULL, (char *const *)argv, environ) != 0) {
        posix_spawn_file_actions_destroy(&fa);
        if (out != NULL) {
            close(pipefd[0]);
            close(pipefd[1]);
        }
        return -1;
    }
    posix_spawn_file_actions_destroy(&fa);
    if (out != NULL) {
        close(pipefd[1]);
        for (;;) {
            char sink[512];
            ssize_t r = got + 1 < outsz ? read(pipefd[0], out + got, outsz - 1 - got)
                                         : read(pipefd[0], sink, sizeof(sink));
            if (r <= 0)
                break;
            if (got + 1 < outsz)
                got += (size_t)r;
        }
        out[got] = '\0';
        close(pipefd[0]);
    }
    while (waitpid(pid, &status, 0) < 0)
        ;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int
git_toplevel(const char *dir, char *out, size_t outsz)
{
    const char *args[] = {"rev-parse", "--show-toplevel", NULL};
    size_t n;

    if (git_run(dir, args, out, outsz) != 0)
        return -1;
    n = strlen(out);
    while (n > 0 && (out[n - 1] == '\n' || out[n - 1] == '\r'))
        out[--n] = '\0';
    return n > 0 ? 0 : -1;
}

int
git_root_commit(const char *dir, char out[41])
{
    const char *shallow[] = {"rev-parse", "--is-shallow-repository", NULL};
    const char *roots[] = {"rev-list", "--max-parents=0", "HEAD", NULL};
    char buf[4096];
    const char *best = NULL;

    /* In a shallow clone the "root" is only where the history was cut: not stable. */
    if (git_run(dir, shallow, buf, sizeof(buf)) != 0 || strncmp(buf, "false", 5) != 0)
        return -1;
    if (git_run(dir, roots, buf, sizeof(buf)) != 0)
        return -1;
    /* Several roots (merged histories): the smallest id, so every clone picks the same one. */
    for (char *line = strtok(buf, "\n"); line != NULL; line = strtok(NULL, "\n"))
        if (strlen(line) == 40 && (best == NULL || strcmp(line, best) < 0))
            best = line;
    if (best == NULL)
        return -1;
    memcpy(out, best, 41);
    return 0;
}
