/* git: asks the real `git` about the repository around a directory, safely (no shell, no pager,
 * no fsmonitor hook, no lock files): the work tree's top (found without git when nothing steers
 * git's discovery) and the repository's root commits. */
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
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

/* ---- The work tree's top, found the way git finds it ----------------------------------------
 * Asking git costs a process (3-6 ms) and a front end asks several times per run (the ignore
 * files, the report root), which was most of a one-file scan. git's own discovery is simple: the
 * nearest ancestor holding a `.git` directory (with HEAD and objects/) or a `.git` file
 * ("gitdir: ..."), not across a file system boundary. Whatever steers it otherwise (GIT_DIR,
 * GIT_WORK_TREE, ceilings, core.worktree or core.bare in the config, a repository owned by
 * another user that safe.directory may refuse) is left to git itself. */

static int
env_steers_git(void)
{
    static const char *const vars[] = {"GIT_DIR", "GIT_WORK_TREE", "GIT_CEILING_DIRECTORIES",
                                       "GIT_DISCOVERY_ACROSS_FILESYSTEM", "GIT_COMMON_DIR",
                                       "GIT_CONFIG_PARAMETERS", "GIT_CONFIG_COUNT", NULL};

    for (const char *const *v = vars; *v != NULL; v++)
        if (getenv(*v) != NULL)
            return 1;
    return 0;
}

/* 1: `dir` is the top (`.git` found and plain), 0: no `.git` here, -1: ask git. */
static int
probe_dot_git(const char *dir, dev_t dev)
{
    char path[PATH_MAX + 16], head[64];
    struct stat st;
    size_t len = strlen(dir);
    int fd;
    ssize_t n;

    /* Inside a git directory, or in a bare repository: git's answer differs, ask it. */
    if (strstr(dir, "/.git/") != NULL || (len >= 5 && strcmp(dir + len - 5, "/.git") == 0))
        return -1;
    if (str_format(path, sizeof(path), "%s/HEAD", strcmp(dir, "/") == 0 ? "" : dir) < 0 ||
        stat(path, &st) == 0)
        return -1;
    if (str_format(path, sizeof(path), "%s/.git", strcmp(dir, "/") == 0 ? "" : dir) < 0)
        return -1;
    if (lstat(path, &st) < 0)
        return errno == ENOENT || errno == ENOTDIR ? 0 : -1;
    if (st.st_uid != geteuid() || st.st_dev != dev)
        return -1; /* safe.directory and mount-point rules: git decides */
    {
        struct stat top;
        if (stat(dir, &top) < 0 || top.st_uid != geteuid())
            return -1; /* the work tree's owner counts for safe.directory too */
    }
    if (S_ISREG(st.st_mode)) {
        if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0)
            return -1;
        n = read(fd, head, 8);
        close(fd);
        return n == 8 && memcmp(head, "gitdir: ", 8) == 0 ? 1 : -1;
    }
    if (!S_ISDIR(st.st_mode))
        return -1;
    if (str_format(path, sizeof(path), "%s/.git/objects", strcmp(dir, "/") == 0 ? "" : dir) < 0 ||
        stat(path, &st) < 0 || !S_ISDIR(st.st_mode))
        return -1;
    if (str_format(path, sizeof(path), "%s/.git/HEAD", strcmp(dir, "/") == 0 ? "" : dir) < 0 ||
        stat(path, &st) < 0 || !S_ISREG(st.st_mode))
        return -1;
    if (str_format(path, sizeof(path), "%s/.git/config", strcmp(dir, "/") == 0 ? "" : dir) < 0)
        return -1;
    if ((fd = open(path, O_RDONLY | O_CLOEXEC)) >= 0) {
        char cfg[8192];
        n = read(fd, cfg, sizeof(cfg) - 1);
        close(fd);
        if (n < 0 || (size_t)n == sizeof(cfg) - 1)
            return -1;
        cfg[n] = '\0';
        for (char *p = cfg; *p; p++)
            *p = (char)((*p >= 'A' && *p <= 'Z') ? *p + 32 : *p);
        if (strstr(cfg, "worktree") != NULL || strstr(cfg, "bare = true") != NULL ||
            strstr(cfg, "bare=true") != NULL)
            return -1;
    }
    return 1;
}

/* 0: top found, 1: not in a work tree, -1: ask git. */
static int
discover(const char *dir, char *out, size_t outsz)
{
    char at[PATH_MAX];
    struct stat st;
    dev_t dev;

    if (env_steers_git() || realpath(dir, at) == NULL || stat(at, &st) < 0)
        return -1;
    dev = st.st_dev;
    for (;;) {
        int r = probe_dot_git(at, dev);
        if (r < 0)
            return -1;
        if (r == 1)
            return str_format(out, outsz, "%s", at) < 0 ? -1 : 0;
        if (strcmp(at, "/") == 0)
            return 1;
        char *slash = strrchr(at, '/');
        if (slash == at)
            at[1] = '\0';
        else
            *slash = '\0';
        if (stat(at, &st) < 0)
            return -1;
        if (st.st_dev != dev)
            return 1; /* git stops at a mount point too */
    }
}

static int
ask_git(const char *dir, char *out, size_t outsz)
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
git_toplevel(const char *dir, char *out, size_t outsz)
{
    /* The last answer is kept: the current directory does not change during a run. */
    static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
    static char last_dir[PATH_MAX], last_cwd[PATH_MAX], last_top[PATH_MAX];
    static int last_rc, have_last;
    char cwd[PATH_MAX];
    int rc;

    if (getcwd(cwd, sizeof(cwd)) == NULL)
        cwd[0] = '\0';
    pthread_mutex_lock(&lock);
    if (have_last && cwd[0] != '\0' && strcmp(last_dir, dir) == 0 && strcmp(last_cwd, cwd) == 0) {
        rc = last_rc;
        if (rc == 0 && str_format(out, outsz, "%s", last_top) < 0)
            rc = -1;
        pthread_mutex_unlock(&lock);
        return rc;
    }
    pthread_mutex_unlock(&lock);
    rc = discover(dir, out, outsz);
    if (rc < 0)
        rc = ask_git(dir, out, outsz);
    else if (rc == 1)
        rc = -1;
    pthread_mutex_lock(&lock);
    if (cwd[0] != '\0' && strlen(dir) < sizeof(last_dir) &&
        (rc < 0 || strlen(out) < sizeof(last_top))) {
        snprintf(last_dir, sizeof(last_dir), "%s", dir);
        snprintf(last_cwd, sizeof(last_cwd), "%s", cwd);
        snprintf(last_top, sizeof(last_top), "%s", rc == 0 ? out : "");
        last_rc = rc;
        have_last = 1;
    }
    pthread_mutex_unlock(&lock);
    return rc;
}

int
git_root_commit(const char *dir, char out[41])
{
    const char *shallow[] = {"rev-parse", "--is-shallow-repository", NULL};
    const char *roots[] = {"rev-list", "--max-parents=0", "HEAD", NULL};
    char buf[4096], path[PATH_MAX + 32];
    const char *best = NULL;
    struct stat st;
    int deep = 0; /* known not shallow without asking git */

    /* In a shallow clone the "root" is only where the history was cut: not stable. git keeps
     * the cut in $GIT_DIR/shallow: a plain .git directory is looked at directly (one git run
     * less), anything else (worktrees, GIT_DIR) is asked of git. */
    if (!env_steers_git() && str_format(path, sizeof(path), "%s/.git", dir) == 0 &&
        lstat(path, &st) == 0 && S_ISDIR(st.st_mode) &&
        str_format(path, sizeof(path), "%s/.git/shallow", dir) == 0) {
        if (lstat(path, &st) == 0) {
            if (st.st_size > 0)
                return -1;
            deep = 1;
        } else if (errno == ENOENT) {
            deep = 1;
        }
    }
    if (!deep && (git_run(dir, shallow, buf, sizeof(buf)) != 0 || strncmp(buf, "false", 5) != 0))
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
