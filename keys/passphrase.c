/* passphrase: the passphrase sources, in guarded memory: a file named by the environment, the
 * environment itself (with a warning), and a no-echo prompt on the controlling terminal. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "keys.h"

void
keys_passphrase_free(struct keys_passphrase *p)
{
    if (p->data != NULL)
        sodium_free(p->data);
    p->data = NULL;
    p->len = 0;
}

int
keys_passphrase_set(struct keys_passphrase *p, const char *s, size_t len, const char *origin)
{
    keys_passphrase_free(p);
    if (len == 0)
        return err_set(ERR_USAGE, "%s: the passphrase is empty", origin);
    if (len > KEYS_PASSPHRASE_MAX)
        return err_set(ERR_LIMIT, "%s: the passphrase is longer than %d bytes", origin,
                       KEYS_PASSPHRASE_MAX);
    if (memchr(s, '\0', len) != NULL)
        return err_set(ERR_PARSE, "%s: the passphrase contains a NUL byte", origin);
    p->data = sodium_malloc(len + 1);
    if (p->data == NULL)
        return err_set(ERR_NOMEM, "cannot allocate guarded memory");
    memcpy(p->data, s, len);
    p->data[len] = '\0';
    p->len = len;
    return 0;
}

/* One trailing "\n" or "\r\n" is the file's line end, not part of the passphrase. */
static size_t
strip_eol(const char *s, size_t len)
{
    if (len > 0 && s[len - 1] == '\n')
        len--;
    if (len > 0 && s[len - 1] == '\r')
        len--;
    return len;
}

int
keys_passphrase_from_env(const char *prefix, struct keys_passphrase *out)
{
    char name[64];
    const char *v;
    struct buf b = {0};
    int rc;

    if ((rc = str_format(name, sizeof(name), "%s_PASSPHRASE_FILE", prefix)) < 0)
        return rc;
    v = getenv(name);
    if (v != NULL && v[0] != '\0') {
        rc = file_read_all(v, KEYS_PASSPHRASE_MAX + 2, 0, &b);
        if (rc == ERR_LIMIT)
            rc = err_set(ERR_LIMIT, "%s (%s): the passphrase is longer than %d bytes", name, v,
                         KEYS_PASSPHRASE_MAX);
        if (rc == 0)
            rc = keys_passphrase_set(out, b.data, strip_eol(b.data, b.len), name);
        buf_free(&b);
        return rc < 0 ? rc : 1;
    }
    if ((rc = str_format(name, sizeof(name), "%s_PASSPHRASE", prefix)) < 0)
        return rc;
    v = getenv(name);
    if (v == NULL)
        return 0;
    if ((rc = keys_passphrase_set(out, v, strlen(v), name)) < 0)
        return rc;
    v = getenv("SECRETS_PASSPHRASE_NOWARN");
    if (v == NULL || strcmp(v, "1") != 0)
        diag_warn("using the passphrase in $%s: the environment can leak to child processes and "
                  "/proc; prefer %s_PASSPHRASE_FILE (SECRETS_PASSPHRASE_NOWARN=1 hides this)",
                  name, prefix);
    return 1;
}

/* Signals that end a prompt (Ctrl-C, Ctrl-\, a hang-up, kill): caught while echo is off, so
 * the terminal is restored first; then the signal is raised again with its old disposition. */
static const int prompt_signals[] = {SIGINT, SIGQUIT, SIGTERM, SIGHUP, SIGTSTP};
#define NSIG_PROMPT (sizeof(prompt_signals) / sizeof(prompt_signals[0]))
static volatile sig_atomic_t prompt_caught;

static void
on_prompt_signal(int sig)
{
    prompt_caught = sig;
}

static void
prompt_signals_catch(struct sigaction *saved)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_prompt_signal; /* no SA_RESTART: read() returns EINTR */
    sigemptyset(&sa.sa_mask);
    prompt_caught = 0;
    for (size_t i = 0; i < NSIG_PROMPT; i++)
        (void)sigaction(prompt_signals[i], &sa, &saved[i]);
}

static void
prompt_signals_restore(const struct sigaction *saved)
{
    for (size_t i = 0; i < NSIG_PROMPT; i++)
        (void)sigaction(prompt_signals[i], &saved[i], NULL);
}

/* Reads one line from the terminal with echo off; restores the terminal whatever happens,
 * a signal included. */
static int
read_noecho(int fd, const char *prompt, struct keys_passphrase *out)
{
    struct sigaction saved[NSIG_PROMPT];
    struct termios old, quiet;
    char *line = sodium_malloc(KEYS_PASSPHRASE_MAX + 2);
    size_t len = 0;
    ssize_t n;
    char c;
    int rc = 0, restored = 0, caught;

    if (line == NULL)
        return err_set(ERR_NOMEM, "cannot allocate guarded memory");
    if (tcgetattr(fd, &old) < 0) {
        sodium_free(line);
        return err_set_errno(ERR_UNAVAILABLE, "cannot read the terminal settings");
    }
    quiet = old;
    quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHOE | ECHOK | ECHONL);
    quiet.c_lflag |= ICANON;
    /* Echo off before the prompt appears: whatever is typed once it shows is never echoed
     * (the other order echoed, then discarded, a passphrase typed right after the prompt). */
    prompt_signals_catch(saved);
    if (tcsetattr(fd, TCSAFLUSH, &quiet) < 0) {
        prompt_signals_restore(saved);
        sodium_free(line);
        return err_set_errno(ERR_UNAVAILABLE, "cannot switch terminal echo off");
    }
    if (file_write_fd(fd, prompt, strlen(prompt)) < 0) {
        rc = err_set_errno(ERR_IO, "cannot write the prompt");
        (void)tcsetattr(fd, TCSAFLUSH, &old);
        prompt_signals_restore(saved);
        sodium_free(line);
        return rc;
    }
    for (;;) {
        if (prompt_caught) {
            rc = err_set(ERR_UNAVAILABLE, "interrupted at the passphrase prompt");
            break;
        }
        n = read(fd, &c, 1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0 || c == '\n')
            break;
        if (len > KEYS_PASSPHRASE_MAX) {
            rc = err_set(ERR_LIMIT, "the passphrase is longer than %d bytes", KEYS_PASSPHRASE_MAX);
            continue; /* drain the rest of the line */
        }
        line[len++] = c;
    }
    restored = tcsetattr(fd, TCSAFLUSH, &old) == 0;
    (void)file_write_fd(fd, "\n", 1);
    caught = prompt_caught;
    prompt_signals_restore(saved);
    if (!restored && rc == 0)
        rc = err_set_errno(ERR_IO, "cannot restore the terminal settings");
    if (rc == 0) {
        len = strip_eol(line, len);
        rc = keys_passphrase_set(out, line, len, "prompt");
    }
    sodium_free(line);
    if (caught != 0) {
        keys_passphrase_free(out);
        raise(caught); /* the terminal is back: now the signal does what it would have */
    }
    return rc;
}

int
keys_passphrase_prompt(const char *prompt, int confirm, struct keys_passphrase *out)
{
    struct keys_passphrase again = {0};
    int fd, rc;

    fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (fd < 0)
        return err_set(ERR_UNAVAILABLE,
                       "no passphrase source: no terminal to prompt on, and neither a key file "
                       "(--key-file, SECRETS_KEY_FILE) nor SECRETS_PASSPHRASE_FILE is given");
    rc = read_noecho(fd, prompt, out);
    if (rc == 0 && confirm) {
        rc = read_noecho(fd, "Repeat the passphrase: ", &again);
        if (rc == 0 && (again.len != out->len || sodium_memcmp(again.data, out->data, out->len)))
            rc = err_set(ERR_USAGE, "the two passphrases differ");
        keys_passphrase_free(&again);
    }
    if (rc < 0)
        keys_passphrase_free(out);
    close(fd);
    return rc;
}
