/* run: `secrets run`: runs a program (exec, no shell) with secrets in its environment, or in files
 * on a tmpfs named by VAR_FILE that are removed when it exits or we are interrupted. Signals are
 * forwarded to the program; its exit status is returned (128+N when killed by signal N). */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "vault.h"

#define RUN_MAX 1024

struct run_item {
    char var[VAULT_NAME_MAX + 8];
    char file[VAULT_NAME_MAX + 1];
    const char *name;
    struct vault_value val;
};

struct vault_run {
    struct run_item *items;
    size_t n;
    int as_files;
};

static volatile sig_atomic_t child_pid;
static volatile sig_atomic_t got_signal;

static void
forward(int sig)
{
    got_signal = sig;
    if (child_pid > 0)
        (void)kill((pid_t)child_pid, sig);
}

static int
var_check(const char *var)
{
    if (var[0] == '\0' || (var[0] >= '0' && var[0] <= '9'))
        return err_set(ERR_USAGE, "'%s' is not a variable name", var);
    for (const char *p = var; *p != '\0'; p++)
        if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
              (*p >= '0' && *p <= '9') || *p == '_'))
            return err_set(ERR_USAGE, "'%s' is not a variable name", var);
    return 0;
}

static int
add_item(struct run_item *items, size_t *n, const char *var, const char *name)
{
    struct run_item *it;
    int rc;

    if (*n >= RUN_MAX)
        return err_set(ERR_LIMIT, "at most %d secrets", RUN_MAX);
    it = &items[(*n)++];
    it->name = name;
    if (var != NULL)
        rc = str_format(it->var, sizeof(it->var), "%s", var);
    else
        rc = vault_export_env_key(name, it->var, sizeof(it->var));
    if (rc < 0 || (rc = var_check(it->var)) < 0)
        return rc;
    return vault_export_file_name(name, it->file, sizeof(it->file));
}

static int
load(struct vault *v, struct run_item *items, size_t n)
{
    int rc;

    for (size_t i = 0; i < n; i++) {
        if ((rc = vault_name_check(items[i].name)) < 0 ||
            (rc = vault_get(v, items[i].name, 0, &items[i].val)) < 0)
            return rc;
        for (size_t j = 0; j < i; j++)
            if (strcmp(items[i].var, items[j].var) == 0 || strcmp(items[i].file, items[j].file) == 0)
                return err_set(ERR_USAGE, "'%s' and '%s' map to the same variable or file",
                               items[j].name, items[i].name);
    }
    return 0;
}

static int
make_dir(char *dir, size_t size)
{
    const char *base = getenv("XDG_RUNTIME_DIR");
    char real[PATH_MAX];
    struct stat st;

    if (base == NULL || base[0] != '/' || stat(base, &st) != 0 || !S_ISDIR(st.st_mode) ||
        access(base, W_OK) != 0)
        base = "/dev/shm";
    /* The files are written without following symlinks: start from the resolved path. */
    if (realpath(base, real) != NULL)
        base = real;
    if (str_format(dir, size, "%s/secrets-run.XXXXXX", base) < 0)
        return err_set(ERR_LIMIT, "%s: path too long", base);
    if (mkdtemp(dir) == NULL) /* mode 0700 */
        return err_set_errno(ERR_IO, "%s: cannot create a private directory", base);
    return 0;
}

static void
remove_dir(const char *dir, const struct run_item *items, size_t n)
{
    char path[PATH_MAX + VAULT_NAME_MAX + 2];

    for (size_t i = 0; i < n; i++)
        if (str_format(path, sizeof(path), "%s/%s", dir, items[i].file) == 0)
            (void)unlink(path);
    if (rmdir(dir) < 0 && errno != ENOENT)
        diag_warn("could not remove %s: %s", dir, strerror(errno));
}

/* In the child: the environment, then exec. Never returns. */
static void
child(char **cmd, const struct run_item *items, size_t n, const char *dir)
{
    char path[PATH_MAX + VAULT_NAME_MAX + 2], var[VAULT_NAME_MAX + 16];

    (void)signal(SIGINT, SIG_DFL);
    (void)signal(SIGTERM, SIG_DFL);
    (void)signal(SIGHUP, SIG_DFL);
    for (size_t i = 0; i < n; i++) {
        int rc;
        if (dir != NULL) {
            rc = str_format(var, sizeof(var), "%s_FILE", items[i].var) < 0 ||
                 str_format(path, sizeof(path), "%s/%s", dir, items[i].file) < 0 ||
                 setenv(var, path, 1) < 0;
        } else {
            char *s = malloc(items[i].val.len + 1);
            rc = s == NULL;
            if (s != NULL) {
                memcpy(s, items[i].val.data, items[i].val.len);
                s[items[i].val.len] = '\0';
                rc = setenv(items[i].var, s, 1) < 0;
                keys_wipe(s, items[i].val.len);
                free(s);
            }
        }
        if (rc != 0) {
            diag_error("cannot set %s in the environment", items[i].var);
            _exit(127);
        }
    }
    execvp(cmd[0], cmd);
    diag_error("cannot run %s: %s", cmd[0], strerror(errno));
    _exit(errno == ENOENT ? 127 : 126);
}

/* From before the files are written: a signal then only stops us after the clean-up. */
static void
catch_signals(void)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = forward;
    sigemptyset(&sa.sa_mask);
    (void)sigaction(SIGINT, &sa, NULL);
    (void)sigaction(SIGTERM, &sa, NULL);
    (void)sigaction(SIGHUP, &sa, NULL);
}

static int
spawn(char **cmd, struct run_item *items, size_t n, const char *dir)
{
    pid_t pid;
    int status = 0;

    if (got_signal != 0)
        return 128 + got_signal;
    fflush(NULL);
    if ((pid = fork()) < 0)
        return err_set_errno(ERR_IO, "fork failed");
    if (pid == 0)
        child(cmd, items, n, dir);
    child_pid = pid;
    if (got_signal != 0)
        (void)kill(pid, got_signal);
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR)
            return err_set_errno(ERR_IO, "waitpid failed");
    }
    child_pid = 0;
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    if (WIFSIGNALED(status))
        return 128 + WTERMSIG(status);
    return 2; /* neither exited nor killed: report an error status */
}

static int
write_files(const char *dir, const struct run_item *items, size_t n)
{
    struct vault_secretfile o = {dir, 0400, (uid_t)-1, (gid_t)-1, 0};
    int rc;

    for (size_t i = 0; i < n; i++)
        if ((rc = vault_secretfile_write(&o, items[i].file, items[i].val.data,
                                         items[i].val.len)) < 0)
            return rc;
    return 0;
}

static int
check_env_values(const struct run_item *items, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (memchr(items[i].val.data, '\0', items[i].val.len) != NULL)
            return err_set(ERR_USAGE, "%s holds a NUL byte, which an environment variable "
                                      "cannot carry; use --as-files",
                           items[i].name);
    return 0;
}

static int
collect(struct vault *v, int all, char **envs, size_t nenv, struct run_item *items, size_t *n,
        struct vault_info **infos, size_t *ninfos)
{
    char var[VAULT_NAME_MAX + 8];
    int rc;

    if (all) {
        if ((rc = vault_list(v, 0, infos, ninfos)) < 0)
            return rc;
        for (size_t i = 0; i < *ninfos; i++)
            if ((rc = add_item(items, n, NULL, (*infos)[i].name)) < 0)
                return rc;
    }
    for (size_t i = 0; i < nenv; i++) {
        const char *eq = strchr(envs[i], '=');
        if (eq == NULL || eq == envs[i] || (size_t)(eq - envs[i]) >= sizeof(var))
            return err_set(ERR_USAGE, "--env: '%s' is not VAR=NAME", envs[i]);
        memcpy(var, envs[i], (size_t)(eq - envs[i]));
        var[eq - envs[i]] = '\0';
        if ((rc = add_item(items, n, var, eq + 1)) < 0)
            return rc;
    }
    return load(v, items, *n);
}

int
vault_run_prepare(struct vault *v, int all, char *const *envs, size_t nenv, int as_files,
                  struct vault_run **out)
{
    struct vault_run *r = calloc(1, sizeof(*r));
    struct vault_info *infos = NULL;
    size_t ninfos = 0;
    int rc;

    *out = NULL;
    if (r == NULL || (r->items = calloc(RUN_MAX, sizeof(*r->items))) == NULL) {
        free(r);
        return err_set(ERR_NOMEM, "out of memory");
    }
    r->as_files = as_files;
    rc = collect(v, all, (char **)envs, nenv, r->items, &r->n, &infos, &ninfos);
    vault_infos_free(infos, ninfos);
    if (rc == 0 && !as_files)
        rc = check_env_values(r->items, r->n);
    if (rc < 0) {
        vault_run_free(r);
        return rc;
    }
    *out = r;
    return 0;
}

int
vault_run_exec(struct vault_run *r, char **cmd)
{
    char dir[PATH_MAX];
    int rc = 0, have_dir = 0;

    catch_signals();
    if (r->as_files && (rc = make_dir(dir, sizeof(dir))) == 0) {
        have_dir = 1;
        rc = write_files(dir, r->items, r->n);
    }
    if (rc == 0)
        rc = spawn(cmd, r->items, r->n, r->as_files ? dir : NULL);
    if (have_dir)
        remove_dir(dir, r->items, r->n);
    if (rc >= 0 && got_signal != 0 && rc == 0)
        rc = 128 + got_signal;
    return rc;
}

void
vault_run_free(struct vault_run *r)
{
    if (r == NULL)
        return;
    for (size_t i = 0; i < r->n; i++)
        vault_value_free(&r->items[i].val);
    free(r->items);
    free(r);
}
