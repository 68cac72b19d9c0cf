/* merge: three-way merge of vault files for git's merge driver. Secrets changed on one side
 * are taken from that side; the same secret changed differently on both sides is a conflict
 * that names it. When one side changed the data key (member rm, rekey), the result is built on
 * that side, and members the other side added are sealed to the new key. */
#include <cjson/cJSON.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "vault_internal.h"

/* NAME's entry text in `v`'s payload (not the pending changes): 1 found, 0 absent. */
static int
entry_of(const struct vault *v, const char *name, const char **json, size_t *len)
{
    uint32_t i;
    int rc = vault_record_find(v, name, strlen(name), &i);

    if (rc <= 0)
        return rc;
    if ((rc = vault_record_entry(v, i, json, len)) < 0)
        return rc;
    return 1;
}

static int
same(int ha, const char *a, size_t al, int hb, const char *b, size_t bl)
{
    if (ha != hb)
        return 0;
    return !ha || (al == bl && memcmp(a, b, al) == 0);
}

/* Decides NAME: *take = 0 keep r's entry, 1 take x's, -1 conflict. */
static int
decide(const struct vault *o, const struct vault *r, const struct vault *x, const char *name)
{
    const char *eo = NULL, *er = NULL, *ex = NULL;
    size_t lo = 0, lr = 0, lx = 0;
    int ho = entry_of(o, name, &eo, &lo), hr = entry_of(r, name, &er, &lr),
        hx = entry_of(x, name, &ex, &lx);

    if (ho < 0 || hr < 0 || hx < 0)
        return -2;

    if (same(hr, er, lr, hx, ex, lx) || same(ho, eo, lo, hx, ex, lx))
        return 0;
    if (same(ho, eo, lo, hr, er, lr))
        return 1;
    return -1;
}

static int
take(struct vault *r, const struct vault *x, const char *name)
{
    const char *e;
    size_t len;
    char *copy = NULL;

    int rc = entry_of(x, name, &e, &len);

    if (rc < 0)
        return rc;
    if (rc > 0) {
        if ((copy = cJSON_malloc(len + 1)) == NULL)
            return err_set(ERR_NOMEM, "out of memory");
        memcpy(copy, e, len);
        copy[len] = '\0';
    }
    return vault_entry_put(r, name, copy);
}

/* Every name of r and x (o's names absent from both need nothing). */
static int
merge_secrets(const struct vault *o, struct vault *r, const struct vault *x, struct buf *conf)
{
    const struct vault *sides[2] = {r, x};
    char name[VAULT_NAME_MAX + 1];
    int rc = 0;

    for (int s = 0; s < 2 && rc == 0; s++) {
        for (uint32_t i = 0; i < vault_nrecords(sides[s]) && rc == 0; i++) {
            const char *rn;
            size_t rl;
            uint32_t seen;
            int d;
            vault_record_name(sides[s], i, &rn, &rl);
            memcpy(name, rn, rl);
            name[rl] = '\0';
            if (s == 1 && vault_record_find(r, name, rl, &seen) > 0)
                continue; /* seen with r (loaded: no error here) */
            d = decide(o, r, x, name);
            if (d == -2)
                rc = err_set(ERR_PARSE, "vault is corrupted or was modified (record of '%s')",
                             name);
            else if (d < 0)
                rc = buf_printf(conf, "%s'%s'", conf->len ? ", " : "", name);
            else if (d == 1)
                rc = take(r, x, name);
        }
    }
    /* Names in o only were removed on both sides, or on one side and left alone on the
     * other: absent from the result either way. */
    return rc;
}

static int
find_member(const struct vault_header *h, const char *name, struct vault_member_slot *out)
{
    for (size_t i = 0; i < h->nslots; i++)
        if (h->slots[i].kind == VAULT_SLOT_MEMBER &&
            vault_slot_member_decode(&h->slots[i], out) == 0 && strcmp(out->name, name) == 0)
            return 1;
    return 0;
}

/* Members x added (absent from o and r) are sealed to r's key; the same name added on both
 * sides with different keys is a conflict. */
static int
merge_members(const struct vault *o, struct vault *r, const struct vault *x, struct buf *conf)
{
    struct vault_member_slot mx, mr, mo;
    int rc = 0;

    for (size_t i = 0; i < x->hdr.nslots && rc == 0; i++) {
        if (x->hdr.slots[i].kind != VAULT_SLOT_MEMBER ||
            vault_slot_member_decode(&x->hdr.slots[i], &mx) < 0)
            continue;
        if (find_member(&r->hdr, mx.name, &mr)) {
            if (mr.type != mx.type || memcmp(mr.pk, mx.pk, KEYS_PK_BYTES) != 0)
                rc = buf_printf(conf, "%smember '%s'", conf->len ? ", " : "", mx.name);
            continue;
        }
        if (find_member(&o->hdr, mx.name, &mo))
            continue; /* removed on r's side */
        if (r->hdr.nslots >= VAULT_SLOTS_MAX)
            return err_set(ERR_LIMIT, "merged vault would have more than %d key slots",
                           VAULT_SLOTS_MAX);
        rc = vault_slot_make_member(&r->hdr, mx.name, mx.type, mx.pk, r->key,
                                    &r->hdr.slots[r->hdr.nslots]);
        if (rc == 0)
            r->hdr.nslots++;
    }
    return rc;
}

int
vault_merge(const char *o_path, const char *a_path, const char *b_path,
            const struct vault_unlock *u)
{
    struct vault *o = NULL, *a = NULL, *b = NULL, *r, *x;
    struct buf conf = {0};
    int rc, a_new, b_new;

    if ((rc = vault_open(o_path, 0, u, &o)) < 0 ||
        (rc = vault_open(a_path, VAULT_OPEN_WRITE | VAULT_OPEN_SCRATCH, u, &a)) < 0 ||
        (rc = vault_open(b_path, VAULT_OPEN_WRITE | VAULT_OPEN_SCRATCH, u, &b)) < 0)
        goto out;
    if (memcmp(o->hdr.id, a->hdr.id, 16) != 0 || memcmp(o->hdr.id, b->hdr.id, 16) != 0) {
        rc = err_set(ERR_USAGE, "these are not versions of the same vault (different vault ids)");
        goto out;
    }
    a_new = sodium_memcmp(a->key, o->key, KEYS_KEY_BYTES) != 0;
    b_new = sodium_memcmp(b->key, o->key, KEYS_KEY_BYTES) != 0;
    if (a_new && b_new && sodium_memcmp(a->key, b->key, KEYS_KEY_BYTES) != 0) {
        rc = err_set(ERR_EXISTS, "merge conflict: both sides gave the vault a new data key "
                                 "(member rm or rekey on both); redo one side's change on top "
                                 "of the other");
        goto out;
    }
    /* The result is built on the side with the new key (its slots wrap it). */
    r = b_new && !a_new ? b : a;
    x = r == a ? b : a;
    /* Every record of the three files is compared: each read and authenticated once. */
    if ((rc = vault_records_load_all(o)) < 0 || (rc = vault_records_load_all(a)) < 0 ||
        (rc = vault_records_load_all(b)) < 0)
        goto out;
    if ((rc = merge_secrets(o, r, x, &conf)) == 0)
        rc = merge_members(o, r, x, &conf);
    if (rc == 0 && conf.len > 0)
        rc = err_set(ERR_EXISTS, "merge conflict: changed on both sides: %s", conf.data);
    if (rc < 0)
        goto out;
    if ((rc = str_format(r->path, sizeof(r->path), "%s", a_path)) == 0)
        rc = vault_commit(r);
out:
    buf_free(&conf);
    vault_close(o);
    vault_close(a);
    vault_close(b);
    return rc;
}
