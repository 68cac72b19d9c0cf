/* secrets git-setup: configures the current git repository so `git diff` shows vault files as
 * names, versions and dates (a textconv driver) and `git merge` merges two people's changes to
 * different secrets (a merge driver). */
#include <sys/wait.h>

#include <getopt.h>
#include <limits.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

extern char **environ;

static const char usage[] =
    "usage: secrets git-setup [--pattern GLOB]\n"
    "\n"
    "In the git repository of the current directory: sets diff.secrets-vault.textconv and\n"
    "merge.secrets-vault.driver in .git/config (this program's absolute path), adds\n"
    "`GLOB diff=secrets-vault merge=secrets-vault` to .gitattributes (default GLOB *.sv), and\n"
    "the vault's lock and backup files to .git/info/exclude. Each clone runs it once; the\n"
    "drivers unlock like every vault command (SECRETS_IDENTITY_FILE for members).\n"
    "      --pattern GLOB    the vault files (default *.sv)\n"
    "  -q, --quiet           no notes\n";

/* Runs git with `args` (no shell); stdout into `out` when not NULL (one line, trimmed). */
static int
git(const char *const *args, char *out, size_t size)
{
    int pipefd[2] = {-1, -1}, status = 0;
    posix_spawn_file_actions_t fa;
    pid_t pid;
    ssize_t n;
    size_t got = 0;

    if (out != NULL && pipe(pipefd) < 0)
        return err_set_errno(ERR_IO, "pipe");
    posix_spawn_file_actions_init(&fa);
    if (out != NULL) {
        posix_spawn_file_actions_adddup2(&fa, pipefd[1], STDOUT_FILENO);
        posix_spawn_file_actions_addclose(&fa, pipefd[0]);
    }
    if (posix_spawnp(&pid, "git", &fa, NULL, (char *const *)args, environ) != 0) {
        posix_spawn_file_actions_destroy(&fa);
        if (out != NULL)
            close(pipefd[0]), close(pipefd[1]);
        return err_set(ERR_UNAVAILABLE, "cannot run git (is it installed?)");
    }
    posix_spawn_file_actions_destroy(&fa);
    if (out != NULL) {
        close(pipefd[1]);
        while (got + 1 < size && (n = read(pipefd[0], out + got, size - 1 - got)) > 0)
            got += (size_t)n;
        close(pipefd[0]);
        out[got] = '\0';
        while (got > 0 && (out[got - 1] == '\n' || out[got - 1] == '\r'))
            out[--got] = '\0';
    }
    while (waitpid(pid, &status, 0) < 0)
        ;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return err_set(ERR_USAGE, "git %s %s failed (not in a git repository?)", args[1],
                       args[2] ? args[2] : "");
    return 0;
}

/* 'text' with ' escaped, for the shell git runs drivers through. */
static int
quote(const char *s, char *out, size_t size)
{
    size_t o = 0;

    if (size < 3)
        return err_set(ERR_LIMIT, "path too long");
    out[o++] = '\'';
    for (; *s != '\0'; s++) {
        if (o + 6 >= size)
            return err_set(ERR_LIMIT, "path too long");
        if (*s == '\'') {
            memcpy(out + o, "'\\''", 4);
            o += 4;
        } else {
            out[o++] = *s;
        }
    }
    out[o++] = '\'';
    out[o] = '\0';
    return 0;
}

/* Appends `line` to `path` unless a line equal to it is there already. */
static int
ensure_line(const char *path, const char *line)
{
    struct buf b = {0};
    int rc = file_read_all(path, 1 << 20, FILE_READ_NOFOLLOW, &b);
    size_t ll = strlen(line);

    if (rc == ERR_NOTFOUND)
        rc = 0;
    if (rc < 0)
        return rc;
    for (const char *p = b.data; p != NULL && *p != '\0';) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        if (n == ll && memcmp(p, line, n) == 0) {
            buf_free(&b);
            return 0;
        }
        p = nl ? nl + 1 : p + n;
    }
    if (b.len > 0 && b.data[b.len - 1] != '\n')
        rc = buf_append(&b, "\n", 1);
    if (rc == 0)
        rc = buf_printf(&b, "%s\n", line);
    if (rc == 0)
        rc = file_write_atomic(path, b.data, b.len, 0644);
    buf_free(&b);
    return rc;
}

int
cmd_git_setup(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"pattern", required_argument, NULL, 'p'},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *pattern = "*.sv";
    char self[PATH_MAX], q[PATH_MAX * 4 + 8], cmd[PATH_MAX * 4 + 64], top[PATH_MAX],
        excl[PATH_MAX], file[PATH_MAX + 32], line[PATH_MAX + 64];
    ssize_t n;
    int opt, rc;

    while ((opt = getopt_long(argc, argv, "p:qh", longopts, NULL)) != -1) {
        switch (opt) {
        case 'p':
            pattern = optarg;
            break;
        case 'q':
            diag_set_quiet(1);
            break;
        case 'h':
            fputs(usage, stdout);
            return EXIT_CLEAN;
        default:
            fputs(usage, stderr);
            return EXIT_ERROR;
        }
    }
    if (optind != argc) {
        diag_error("git-setup: unexpected argument '%s'", argv[optind]);
        return EXIT_ERROR;
    }
    if (pattern[0] == '\0' || strpbrk(pattern, " \t\n\r#") != NULL) {
        diag_error("git-setup: --pattern '%s': no spaces or '#'", pattern);
        return EXIT_ERROR;
    }
    if ((n = readlink("/proc/self/exe", self, sizeof(self) - 1)) <= 0) {
        diag_error("git-setup: cannot find this program's path");
        return EXIT_ERROR;
    }
    self[n] = '\0';
    {
        const char *top_args[] = {"git", "rev-parse", "--show-toplevel", NULL};
        const char *ex_args[] = {"git", "rev-parse", "--git-path", "info/exclude", NULL};
        if ((rc = git(top_args, top, sizeof(top))) < 0 || (rc = git(ex_args, excl, sizeof(excl))) < 0)
            return cli_fail(rc);
    }
    if ((rc = quote(self, q, sizeof(q))) < 0)
        return cli_fail(rc);
    {
        const char *sets[][2] = {
            {"diff.secrets-vault.textconv", "textconv"},
            {"merge.secrets-vault.name", NULL},
            {"merge.secrets-vault.driver", "merge-driver %O %A %B"},
        };
        for (size_t i = 0; i < sizeof(sets) / sizeof(sets[0]); i++) {
            const char *args[] = {"git", "config", "--local", sets[i][0], cmd, NULL};
            if (sets[i][1] == NULL)
                rc = str_format(cmd, sizeof(cmd), "secrets vault merge");
            else
                rc = str_format(cmd, sizeof(cmd), "%s %s", q, sets[i][1]);
            if (rc < 0 || (rc = git(args, NULL, 0)) < 0)
                return cli_fail(rc);
        }
    }
    if ((rc = str_format(file, sizeof(file), "%s/.gitattributes", top)) < 0 ||
        (rc = str_format(line, sizeof(line), "%s diff=secrets-vault merge=secrets-vault",
                         pattern)) < 0 ||
        (rc = ensure_line(file, line)) < 0)
        return cli_fail(rc);
    {
        const char *suffixes[] = {".lock", ".bak"};
        for (size_t i = 0; i < 2; i++) {
            if ((rc = str_format(line, sizeof(line), "%s%s", pattern, suffixes[i])) < 0 ||
                (rc = ensure_line(excl, line)) < 0)
                return cli_fail(rc);
        }
    }
    printf("%s: vault files (%s) diff as text and merge per secret; commit .gitattributes\n",
           top, pattern);
    return EXIT_CLEAN;
}
