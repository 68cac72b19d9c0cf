/* keyring: caches an unlocked vault's data key in the Secret Service (GNOME Keyring, KWallet)
 * through libsecret. Every call runs async on a private main context with a deadline, so a
 * missing bus, a locked collection or a prompt nobody can answer never hangs a command.
 * libsecret (and GLib under it) is loaded with dlopen only when the keyring is used: linking it
 * costs every run of `secrets` about 9 ms of start-up, three times what a `get` needs. */
#include <dlfcn.h>
#include <libsecret/secret.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "keys.h"

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define KEYRING_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) || defined(KEYRING_ASAN)
/* GLib keeps a few per-thread blocks (the thread-default main context stack) for the life of
 * the process; under `make check` LeakSanitizer would report them as ours. */
const char *__lsan_default_suppressions(void);
const char *
__lsan_default_suppressions(void)
{
    return "leak:libglib-2.0.so\nleak:libgobject-2.0.so\nleak:libgio-2.0.so\nleak:libsecret-1.so\n";
}
/* ... and says nothing about it: tests compare stderr. */
const char *__lsan_default_options(void);
const char *
__lsan_default_options(void)
{
    return "print_suppressions=0";
}
#endif

static const SecretSchema vault_schema = {
    "org.secrets-suite.VaultKey",
    SECRET_SCHEMA_NONE,
    {
        {"vault-id", SECRET_SCHEMA_ATTRIBUTE_STRING},
        {NULL, 0},
    },
    0, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
};

/* The libsecret, GIO, GObject and GLib functions used, resolved at first use. */
#define SYMS(X)                                                                                \
    X(secret_service_get)                                                                      \
    X(secret_service_get_finish)                                                               \
    X(secret_service_search)                                                                   \
    X(secret_service_search_finish)                                                            \
    X(secret_item_get_locked)                                                                  \
    X(secret_item_get_secret)                                                                  \
    X(secret_value_get)                                                                        \
    X(secret_value_unref)                                                                      \
    X(g_hash_table_new)                                                                        \
    X(g_hash_table_insert)                                                                     \
    X(g_hash_table_unref)                                                                      \
    X(g_str_hash)                                                                              \
    X(g_str_equal)                                                                             \
    X(g_list_free_full)                                                                        \
    X(secret_password_clear)                                                                   \
    X(secret_password_clear_finish)                                                            \
    X(secret_password_store)                                                                   \
    X(secret_password_store_finish)                                                            \
    X(secret_error_get_quark)                                                                  \
    X(g_main_context_new)                                                                      \
    X(g_main_context_push_thread_default)                                                      \
    X(g_main_context_pop_thread_default)                                                       \
    X(g_main_context_iteration)                                                                \
    X(g_main_context_unref)                                                                    \
    X(g_timeout_source_new)                                                                    \
    X(g_source_set_callback)                                                                   \
    X(g_source_attach)                                                                         \
    X(g_source_destroy)                                                                        \
    X(g_source_unref)                                                                          \
    X(g_cancellable_new)                                                                       \
    X(g_cancellable_cancel)                                                                    \
    X(g_object_ref)                                                                            \
    X(g_object_unref)                                                                          \
    X(g_error_matches)                                                                         \
    X(g_error_free)

#define DECLARE(name) static __typeof__(name) *p_##name;
SYMS(DECLARE)
#undef DECLARE

static int
load_libsecret(void)
{
    static int loaded;
    void *h;

    if (loaded)
        return 0;
    h = dlopen("libsecret-1.so.0", RTLD_NOW | RTLD_LOCAL);
    if (h == NULL)
        return err_set(ERR_UNAVAILABLE, "keyring: libsecret is not installed (%s)", dlerror());
#define RESOLVE(name)                                                                          \
    if ((*(void **)&p_##name = dlsym(h, #name)) == NULL)                                       \
        return err_set(ERR_UNAVAILABLE, "keyring: libsecret lacks %s", #name);
    SYMS(RESOLVE)
#undef RESOLVE
    loaded = 1;
    return 0;
}

/* "v1 EXPIRY HEX": the expiry (0 = none) travels with the key, so a stale cache is refused. */
#define ENTRY_MAX (3 + 21 + 1 + 2 * KEYS_KEY_BYTES + 1)

struct op {
    GCancellable *cancel;
    GAsyncResult *result;
    int done;
    int timed_out;
};

static void
op_done(GObject *source, GAsyncResult *res, gpointer user)
{
    struct op *op = user;

    (void)source;
    op->result = p_g_object_ref(res);
    op->done = 1;
}

static gboolean
op_deadline(gpointer user)
{
    struct op *op = user;

    op->timed_out = 1;
    p_g_cancellable_cancel(op->cancel);
    return G_SOURCE_REMOVE;
}

static gboolean
op_giveup(gpointer user)
{
    *(int *)user = 1;
    return G_SOURCE_REMOVE;
}

static unsigned
timeout_ms(void)
{
    const char *v = getenv("SECRETS_KEYRING_TIMEOUT_MS");
    long ms;

    if (v == NULL || v[0] == '\0')
        return 3000;
    ms = strtol(v, NULL, 10);
    return ms < 50 ? 50 : ms > 60000 ? 60000 : (unsigned)ms;
}

static int
bus_present(void)
{
    const char *bus = getenv("DBUS_SESSION_BUS_ADDRESS");

    if (bus == NULL || bus[0] == '\0')
        return err_set(ERR_UNAVAILABLE, "keyring: no session bus (DBUS_SESSION_BUS_ADDRESS is "
                                        "unset)");
    return load_libsecret();
}

/* Starts `start` on a private context and waits for its result at most the timeout. */
typedef void (*op_start_fn)(void *arg, GCancellable *cancel, GAsyncReadyCallback cb, void *user);

static int
op_run(op_start_fn start, void *arg, struct op *op)
{
    GMainContext *ctx = p_g_main_context_new();
    GSource *deadline, *giveup = NULL;
    int gave_up = 0;

    memset(op, 0, sizeof(*op));
    op->cancel = p_g_cancellable_new();
    p_g_main_context_push_thread_default(ctx);
    start(arg, op->cancel, op_done, op);
    deadline = p_g_timeout_source_new(timeout_ms());
    p_g_source_set_callback(deadline, op_deadline, op, NULL);
    p_g_source_attach(deadline, ctx);
    while (!op->done && !gave_up) {
        if (op->timed_out && giveup == NULL) {
            /* Cancelled: give the call a moment to wind down, then walk away from it. */
            giveup = p_g_timeout_source_new(500);
            p_g_source_set_callback(giveup, op_giveup, &gave_up, NULL);
            p_g_source_attach(giveup, ctx);
        }
        p_g_main_context_iteration(ctx, TRUE);
    }
    p_g_source_destroy(deadline);
    p_g_source_unref(deadline);
    if (giveup != NULL) {
        p_g_source_destroy(giveup);
        p_g_source_unref(giveup);
    }
    p_g_main_context_pop_thread_default(ctx);
    if (!op->done) {
        /* The call still references ctx and op->cancel: leak them rather than free under it. */
        return err_set(ERR_UNAVAILABLE, "keyring: no answer within %u ms", timeout_ms());
    }
    p_g_main_context_unref(ctx);
    p_g_object_unref(op->cancel);
    return 0;
}

static int
map_error(GError *e, const char *what, int timed_out)
{
    int rc;

    if (timed_out)
        rc = err_set(ERR_UNAVAILABLE, "keyring: %s got no answer within %u ms (locked, or "
                                      "waiting for a prompt?)",
                     what, timeout_ms());
    else if (p_g_error_matches(e, p_secret_error_get_quark(), SECRET_ERROR_IS_LOCKED) ||
             strstr(e->message, "locked") != NULL)
        rc = err_set(ERR_UNAVAILABLE, "keyring: %s failed: the keyring is locked", what);
    else
        rc = err_set(ERR_UNAVAILABLE, "keyring: %s failed: %s", what, e->message);
    p_g_error_free(e);
    return rc;
}

static void
start_service(void *arg, GCancellable *cancel, GAsyncReadyCallback cb, void *user)
{
    (void)arg;
    p_secret_service_get(SECRET_SERVICE_OPEN_SESSION, cancel, cb, user);
}

struct search_arg {
    SecretService *service;
    GHashTable *attrs;
};

/* Without SECRET_SEARCH_UNLOCK: a locked item is reported as locked, never a prompt. */
static void
start_search(void *arg, GCancellable *cancel, GAsyncReadyCallback cb, void *user)
{
    struct search_arg *a = arg;

    p_secret_service_search(a->service, &vault_schema, a->attrs, SECRET_SEARCH_LOAD_SECRETS,
                            cancel, cb, user);
}

static void
start_clear(void *arg, GCancellable *cancel, GAsyncReadyCallback cb, void *user)
{
    p_secret_password_clear(&vault_schema, cancel, cb, user, "vault-id", (const char *)arg, NULL);
}

struct store_arg {
    const char *id;
    const char *label;
    const char *value;
};

static void
start_store(void *arg, GCancellable *cancel, GAsyncReadyCallback cb, void *user)
{
    struct store_arg *a = arg;

    p_secret_password_store(&vault_schema, SECRET_COLLECTION_DEFAULT, a->label, a->value, cancel,
                          cb, user, "vault-id", a->id, NULL);
}

int
keys_keyring_clear(const char *vault_id)
{
    struct op op;
    GError *e = NULL;
    gboolean removed;
    int rc;

    if ((rc = bus_present()) < 0 || (rc = op_run(start_clear, (void *)vault_id, &op)) < 0)
        return rc;
    removed = p_secret_password_clear_finish(op.result, &e);
    p_g_object_unref(op.result);
    if (e != NULL)
        return map_error(e, "remove", op.timed_out);
    return removed ? 0 : err_set(ERR_NOTFOUND, "keyring: no key cached for this vault");
}

/* The cached entry's text for `vault_id`, copied into `entry` (ENTRY_MAX, guarded). */
static int
lookup_entry(const char *vault_id, char *entry)
{
    struct search_arg a = {0};
    struct op op;
    GError *e = NULL;
    GList *items, *it;
    int rc, locked = 0, found = 0;

    if ((rc = op_run(start_service, NULL, &op)) < 0)
        return rc;
    a.service = p_secret_service_get_finish(op.result, &e);
    p_g_object_unref(op.result);
    if (e != NULL)
        return map_error(e, "lookup", op.timed_out);
    a.attrs = p_g_hash_table_new(p_g_str_hash, p_g_str_equal);
    p_g_hash_table_insert(a.attrs, (gpointer) "vault-id", (gpointer)vault_id);
    rc = op_run(start_search, &a, &op);
    p_g_hash_table_unref(a.attrs);
    if (rc < 0) {
        p_g_object_unref(a.service);
        return rc;
    }
    items = p_secret_service_search_finish(a.service, op.result, &e);
    p_g_object_unref(op.result);
    p_g_object_unref(a.service);
    if (e != NULL)
        return map_error(e, "lookup", op.timed_out);
    for (it = items; it != NULL && !found; it = it->next) {
        SecretItem *item = it->data;
        SecretValue *val;
        const gchar *text;
        gsize len = 0;
        if (p_secret_item_get_locked(item)) {
            locked = 1;
            continue;
        }
        if ((val = p_secret_item_get_secret(item)) == NULL)
            continue;
        text = p_secret_value_get(val, &len);
        if (text != NULL && len > 0 && len < ENTRY_MAX) {
            memcpy(entry, text, len);
            entry[len] = '\0';
            found = 1;
        }
        p_secret_value_unref(val);
    }
    p_g_list_free_full(items, p_g_object_unref);
    if (found)
        return 0;
    if (locked)
        return err_set(ERR_UNAVAILABLE, "keyring: the key is cached but the keyring is locked");
    return err_set(ERR_NOTFOUND, "keyring: no key cached for this vault");
}

int
keys_keyring_lookup(const char *vault_id, unsigned char key[KEYS_KEY_BYTES])
{
    char *pw, hex[2 * KEYS_KEY_BYTES + 1];
    unsigned long long expiry;
    size_t bin_len = 0;
    int rc, n = 0;

    if ((rc = bus_present()) < 0)
        return rc;
    if ((pw = sodium_malloc(ENTRY_MAX)) == NULL)
        return err_set(ERR_NOMEM, "cannot allocate guarded memory");
    if ((rc = lookup_entry(vault_id, pw)) < 0) {
        sodium_free(pw);
        return rc;
    }
    rc = sscanf(pw, "v1 %llu %64[0-9a-f]%n", &expiry, hex, &n) == 2 && pw[n] == '\0' &&
                 strlen(hex) == 2 * KEYS_KEY_BYTES
             ? 0
             : err_set(ERR_PARSE, "keyring: the cached entry for this vault is malformed");
    sodium_free(pw);
    if (rc == 0 && expiry != 0 && (unsigned long long)time(NULL) >= expiry) {
        (void)keys_keyring_clear(vault_id);
        rc = err_set(ERR_NOTFOUND, "keyring: the cached key expired and was removed");
    }
    if (rc == 0 && (sodium_hex2bin(key, KEYS_KEY_BYTES, hex, 2 * KEYS_KEY_BYTES, NULL, &bin_len,
                                   NULL) != 0 ||
                    bin_len != KEYS_KEY_BYTES))
        rc = err_set(ERR_PARSE, "keyring: the cached entry for this vault is malformed");
    sodium_memzero(hex, sizeof(hex));
    if (rc < 0)
        sodium_memzero(key, KEYS_KEY_BYTES);
    return rc;
}

int
keys_keyring_store(const char *vault_id, const char *path,
                   const unsigned char key[KEYS_KEY_BYTES], long ttl_seconds)
{
    struct store_arg a;
    struct op op;
    GError *e = NULL;
    char label[512];
    char *value;
    unsigned long long expiry = ttl_seconds > 0 ? (unsigned long long)time(NULL) + (unsigned long long)ttl_seconds : 0;
    int rc, n;

    if ((rc = bus_present()) < 0)
        return rc;
    value = sodium_malloc(ENTRY_MAX);
    if (value == NULL)
        return err_set(ERR_NOMEM, "cannot allocate guarded memory");
    n = snprintf(value, ENTRY_MAX, "v1 %llu ", expiry);
    sodium_bin2hex(value + n, ENTRY_MAX - (size_t)n, key, KEYS_KEY_BYTES);
    (void)str_format(label, sizeof(label), "secrets vault key (%s)", path);
    a.id = vault_id;
    a.label = label;
    a.value = value;
    rc = op_run(start_store, &a, &op);
    sodium_free(value);
    if (rc < 0)
        return rc;
    p_secret_password_store_finish(op.result, &e);
    p_g_object_unref(op.result);
    if (e != NULL)
        return map_error(e, "store", op.timed_out);
    return 0;
}
