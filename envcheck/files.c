/* files: checks of the .env file itself rather than its contents: git (tracked, in history, not
 * ignored, asked of the real `git`), permissions, backup copies beside it, and whether a
 * Dockerfile that copies its whole context would send it into an image (.dockerignore). */
#include <sys/stat.h>
#include <sys/wait.h>

#include <dirent.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <limits.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "envcheck.h"
#include "envcheck_internal.h"


#define GIT_OUT_MAX 4096
#define DOCKERFILE_MAX (1024 * 1024)
#define ANCESTORS_MAX 8

static void
split_path(const char *path, char *dir, size_t dsz, const char **base)
{
    const char *slash = strrchr(path, '/');

    if (slash == NULL) {
        snprintf(dir, dsz, ".");
        *base = path;
    } else if (slash == path) {
        snprintf(dir, dsz, "/");
        *base = slash + 1;
    } else {
        snprintf(dir, dsz, "%.*s", (int)(slash - path), path);
        *base = slash + 1;
    }
}

static int
check_git(struct envcheck_ctx *c, const char *dir, const char *base, char *top, size_t topsz)
{
    const char *tracked[] = {"ls-files", "--error-unmatch", "--", base, NULL};
    const char *ignored[] = {"check-ignore", "-q", "--", base, NULL};
    const char *history[] = {"log", "--all", "--format=%h %cs", "-n", "1", "--", base, NULL};
    char out[GIT_OUT_MAX];
    int st;

    /* git_toplevel finds the work tree as git does, running git only where the layout needs
     * it: outside any repository no git runs at all. */
    if (git_toplevel(dir, top, topsz) != 0) {
        top[0] = '\0';
        return 0; /* not in a work tree, or no git: nothing to say */
    }
    if (git_run(dir, tracked, NULL, 0) == 0)
        return envcheck_emit(c, R_GIT_TRACKED, 0, 0, NULL, 0,
                             "%s is tracked by git: every clone has its secrets", base);
    st = git_run(dir, ignored, NULL, 0);
    if (st == 1 && envcheck_enabled(c, R_GIT_NOT_IGNORED)) {
        int rc = envcheck_emit(c, R_GIT_NOT_IGNORED, 0, 0, NULL, 0,
                               "%s is not ignored by git: one `git add .` commits it", base);
        if (rc < 0)
            return rc;
    }
    if (envcheck_enabled(c, R_GIT_HISTORY) && git_run(dir, history, out, sizeof(out)) == 0 &&
        out[0] != '\0') {
        out[strcspn(out, "\n")] = '\0';
        return envcheck_emit(c, R_GIT_HISTORY, 0, 0, NULL, 0,
                             "%s was committed before (last in commit %s) and is still in the "
                             "history", base, out);
    }
    return 0;
}

static int
check_permissions(struct envcheck_ctx *c, const char *path)
{
    struct stat st;
    int rc = 0;

    if (lstat(path, &st) < 0 || !S_ISREG(st.st_mode))
        return 0;
    if (st.st_mode & S_IWOTH)
        rc = envcheck_emit(c, R_PERM_WRITE, 0, 0, NULL, 0,
                           "mode %04o: anyone on the machine can change it", st.st_mode & 07777);
    if (rc == 0 && (st.st_mode & (S_IRGRP | S_IROTH)))
        rc = envcheck_emit(c, R_PERM_READ, 0, 0, NULL, 0,
                           "mode %04o: %s can read the secrets", st.st_mode & 07777,
                           (st.st_mode & S_IROTH) ? "every user" : "the group");
    return rc;
}

static int
is_backup_name(const char *name, const char *base)
{
    static const char *const suffixes[] = {".bak", "~", ".save", ".orig", ".old", ".backup",
                                           ".copy", ".swp", ".tmp", ".sav", ".1", NULL};
    size_t bl = strlen(base);
    const char *rest;

    if (name[0] == '.' && strncmp(name + 1, base, bl) == 0 && strcmp(name + 1 + bl, ".swp") == 0)
        return 1; /* vim swap file */
    if (strncmp(name, base, bl) != 0)
        return 0;
    rest = name + bl;
    for (int i = 0; suffixes[i] != NULL; i++)
        if (strcmp(rest, suffixes[i]) == 0)
            return 1;
    /* dotenv-linter fix backups: NAME_<unixtime>.bak */
    if (rest[0] == '_' && rest[1] >= '0' && rest[1] <= '9') {
        rest++;
        while (*rest >= '0' && *rest <= '9')
            rest++;
        return strcmp(rest, ".bak") == 0;
    }
    return 0;
}

static int
check_backups(struct envcheck_ctx *c, const char *dir, const char *base)
{
    DIR *d;
    struct dirent *de;
    int rc = 0;

    if (!envcheck_enabled(c, R_BACKUP) || (d = opendir(dir)) == NULL)
        return 0;
    while (rc == 0 && (de = readdir(d)) != NULL)
        if (is_backup_name(de->d_name, base))
            rc = envcheck_emit(c, R_BACKUP, 0, 0, NULL, 0,
                               "%s beside it is a copy with the same secrets", de->d_name);
    closedir(d);
    return rc;
}

/* ---- .dockerignore ------------------------------------------------------------------------- */

int
envcheck_dockerignore_excludes(const char *text, size_t len, const char *relpath)
{
    return dockerignore_excludes(text, len, relpath); /* common/dockerignore.c: the one matcher */
}

int
envcheck_dockerfile_copies_context(const char *text, size_t len)
{
    const char *p = text, *end = text + len;
    int line = 0;

    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl != NULL ? nl : end, *q = p;
        line++;
        while (q < le && (*q == ' ' || *q == '\t'))
            q++;
        if ((le - q > 4 && strncasecmp(q, "COPY", 4) == 0 && (q[4] == ' ' || q[4] == '\t')) ||
            (le - q > 3 && strncasecmp(q, "ADD", 3) == 0 && (q[3] == ' ' || q[3] == '\t'))) {
            char buf[1024];
            size_t n = (size_t)(le - q) < sizeof(buf) - 1 ? (size_t)(le - q) : sizeof(buf) - 1;
            char *tok, *save = NULL, *toks[32] = {NULL};
            int nt = 0, from = 0;
            memcpy(buf, q, n);
            buf[n] = '\0';
            if (strchr(buf, '[') != NULL) {
                if (strstr(buf, "--from") == NULL &&
                    (strstr(buf, "\".\"") != NULL || strstr(buf, "\"./\"") != NULL))
                    return line;
            } else {
                for (tok = strtok_r(buf, " \t\r\\", &save); tok != NULL && nt < 32;
                     tok = strtok_r(NULL, " \t\r\\", &save)) {
                    if (strncmp(tok, "--from", 6) == 0)
                        from = 1;
                    if (strncmp(tok, "--", 2) != 0)
                        toks[nt++] = tok;
                }
                for (int i = 1; !from && i + 1 < nt; i++)
                    if (strcmp(toks[i], ".") == 0 || strcmp(toks[i], "./") == 0 ||
                        strcmp(toks[i], "*") == 0)
                        return line;
            }
        }
        p = nl != NULL ? nl + 1 : end;
    }
    return 0;
}

static int
is_dockerfile_name(const char *n)
{
    size_t l = strlen(n);

    return strcmp(n, "Dockerfile") == 0 || strcmp(n, "Containerfile") == 0 ||
           strcmp(n, "dockerfile") == 0 || strncmp(n, "Dockerfile.", 11) == 0 ||
           (l > 11 && strcmp(n + l - 11, ".Dockerfile") == 0 &&
            strcmp(n + l - 11, ".dockerignore") != 0);
}

static int
read_small(const char *path, size_t max, struct buf *b)
{
    memset(b, 0, sizeof(*b));
    return file_read_all(path, max, FILE_READ_NOFOLLOW, b);
}

/* In context directory `ctxdir`, does a Dockerfile copy the context without its .dockerignore
 * excluding `rel`? Emits ENV113 and returns 1 when so. */
static int
check_context(struct envcheck_ctx *c, const char *ctxdir, const char *rel, int *rc)
{
    DIR *d = opendir(ctxdir);
    struct dirent *de;
    int found = 0;

    if (d == NULL)
        return 0;
    while (!found && (de = readdir(d)) != NULL) {
        char df[PATH_MAX], ign[PATH_MAX];
        struct buf b, ib;
        int line, excluded = 0;
        if (!is_dockerfile_name(de->d_name))
            continue;
        if (str_format(df, sizeof(df), "%s/%s", ctxdir, de->d_name) < 0 ||
            read_small(df, DOCKERFILE_MAX, &b) < 0)
            continue;
        line = envcheck_dockerfile_copies_context(b.data != NULL ? b.data : "", b.len);
        buf_free(&b);
        if (line == 0)
            continue;
        /* BuildKit reads <Dockerfile>.dockerignore first, then .dockerignore */
        if (str_format(ign, sizeof(ign), "%s.dockerignore", df) < 0 ||
            read_small(ign, DOCKERFILE_MAX, &ib) < 0) {
            if (str_format(ign, sizeof(ign), "%s/.dockerignore", ctxdir) < 0 ||
                read_small(ign, DOCKERFILE_MAX, &ib) < 0)
                memset(&ib, 0, sizeof(ib));
        }
        excluded = envcheck_dockerignore_excludes(ib.data != NULL ? ib.data : "", ib.len, rel);
        buf_free(&ib);
        if (!excluded) {
            *rc = envcheck_emit(c, R_DOCKERIGNORE, 0, 0, NULL, 0,
                                "%s/%s copies its whole context (line %d) and no .dockerignore "
                                "excludes %s: the file ends up in the image", ctxdir, de->d_name,
                                line, rel);
            found = 1;
        }
    }
    closedir(d);
    return found;
}

static int
check_dockerignore(struct envcheck_ctx *c, const char *dir, const char *base, const char *top)
{
    char cur[PATH_MAX], rel[PATH_MAX];
    int rc = 0;

    if (!envcheck_enabled(c, R_DOCKERIGNORE) || realpath(dir, cur) == NULL)
        return 0;
    snprintf(rel, sizeof(rel), "%s", base);
    for (int depth = 0; depth < ANCESTORS_MAX; depth++) {
        char *slash;
        if (check_context(c, cur, rel, &rc) || rc < 0)
            return rc;
        /* up to the work tree's top; outside git, the file's own directory only */
        if (top[0] == '\0' || strcmp(cur, top) == 0 || strcmp(cur, "/") == 0)
            break;
        slash = strrchr(cur, '/');
        if (slash == NULL)
            break;
        {
            char tmp[PATH_MAX];
            if (str_format(tmp, sizeof(tmp), "%s/%s", slash + 1, rel) < 0)
                break;
            memcpy(rel, tmp, strlen(tmp) + 1);
        }
        if (slash == cur)
            slash[1] = '\0';
        else
            *slash = '\0';
    }
    return rc;
}

int
envcheck_check_files(struct envcheck_ctx *c)
{
    char dir[PATH_MAX], top[PATH_MAX];
    const char *base;
    int rc;

    if (c->is_stdin || c->is_example)
        return 0;
    split_path(c->path, dir, sizeof(dir), &base);
    top[0] = '\0';
    if (envcheck_enabled(c, R_GIT_TRACKED) || envcheck_enabled(c, R_GIT_HISTORY) ||
        envcheck_enabled(c, R_GIT_NOT_IGNORED)) {
        if ((rc = check_git(c, dir, base, top, sizeof(top))) < 0)
            return rc;
    }
    if ((rc = check_permissions(c, c->path)) < 0 || (rc = check_backups(c, dir, base)) < 0)
        return rc;
    return check_dockerignore(c, dir, base, top);
}
