/* members: key slots that seal the vault's data key to members' public keys (sealed boxes):
 * adding one (the data key kept), removing one (recorded, then a new data key for everyone
 * left), listing them and the removal records VAULT004 reads. */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "vault_internal.h"

int
vault_member_list(const struct vault *v, struct vault_member **out, size_t *n)
{
    struct vault_member_slot ms;
    int rc = 0;

    *n = 0;
    if ((*out = calloc(VAULT_SLOTS_MAX, sizeof(**out))) == NULL)
        return err_set(ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < v->hdr.nslots && rc == 0; i++) {
        struct vault_member *m = &(*out)[*n];
        if (v->hdr.slots[i].kind != VAULT_SLOT_MEMBER)
            continue;
        if ((rc = vault_slot_member_decode(&v->hdr.slots[i], &ms)) < 0)
            break;
        memcpy(m->name, ms.name, sizeof(m->name));
        m->type = ms.type;
        rc = keys_recipient_format(ms.type, ms.pk, m->recipient, sizeof(m->recipient));
        (*n)++;
    }
    if (rc < 0) {
        free(*out);
        *out = NULL;
        *n = 0;
    }
    return rc;
}

static int
removals(const struct vault_header *h, struct vault_removal *r, size_t *n)
{
    *n = 0;
    for (size_t i = 0; i < h->nslots; i++)
        if (h->slots[i].kind == VAULT_SLOT_REMOVED)
            return vault_slot_removed_decode(&h->slots[i], r, n);
    return 0;
}

int
vault_removed_list(const struct vault *v, struct vault_removed **out, size_t *n)
{
    struct vault_removal r[VAULT_REMOVALS_MAX];
    int rc;

    *out = NULL;
    if ((rc = removals(&v->hdr, r, n)) < 0)
        return rc;
    if ((*out = calloc(*n + 1, sizeof(**out))) == NULL)
        return err_set(ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < *n; i++) {
        memcpy((*out)[i].name, r[i].name, sizeof(r[i].name));
        (*out)[i].at = r[i].at;
    }
    return 0;
}

int
vault_member_add(struct vault *v, const char *name, const char *recipient)
{
    struct vault_member_slot ms;
    enum keys_pk_type type;
    unsigned char raw[KEYS_PK_BYTES], x[KEYS_PK_BYTES], y[KEYS_PK_BYTES];
    int rc;

    if ((rc = vault_member_name_check(name)) < 0 ||
        (rc = keys_recipient_parse(recipient, &type, raw, x)) < 0)
        return rc;
    for (size_t i = 0; i < v->hdr.nslots; i++) {
        if (v->hdr.slots[i].kind != VAULT_SLOT_MEMBER)
            continue;
        if ((rc = vault_slot_member_decode(&v->hdr.slots[i], &ms)) < 0)
            return rc;
        if (strcmp(ms.name, name) == 0)
            return err_set(ERR_EXISTS, "'%s' is already a member (remove it first to change "
                                       "its key)",
                           name);
        if (keys_recipient_x25519(ms.type, ms.pk, y) == 0 && sodium_memcmp(x, y, sizeof(x)) == 0)
            return err_set(ERR_EXISTS, "this key is already the key of member '%s'", ms.name);
    }
    if (v->hdr.nslots >= VAULT_SLOTS_MAX)
        return err_set(ERR_LIMIT, "a vault has at most %d key slots (members, passphrase and "
                                  "key files together)",
                       VAULT_SLOTS_MAX);
    rc = vault_slot_make_member(&v->hdr, name, type, raw, v->key, &v->hdr.slots[v->hdr.nslots]);
    if (rc < 0)
        return rc;
    v->hdr.nslots++;
    return vault_commit(v);
}

int
vault_member_rm(struct vault *v, const char *name, struct vault_info **readable, size_t *nread)
{
    struct vault_member_slot ms;
    struct vault_removal r[VAULT_REMOVALS_MAX + 1];
    struct vault_header *h;
    size_t nr = 0, kept = 0, known = 0;
    long long now = (long long)time(NULL);
    int rc, found = 0;

    *readable = NULL;
    *nread = 0;
    if ((rc = vault_member_name_check(name)) < 0 || (rc = removals(&v->hdr, r, &nr)) < 0)
        return rc;
    if ((h = malloc(sizeof(*h))) == NULL)
        return err_set(ERR_NOMEM, "out of memory");
    *h = v->hdr;
    h->nslots = 0;
    for (size_t i = 0; i < v->hdr.nslots; i++) {
        const struct vault_slot *s = &v->hdr.slots[i];
        if (s->kind == VAULT_SLOT_REMOVED)
            continue;
        if (s->kind == VAULT_SLOT_MEMBER && vault_slot_member_decode(s, &ms) == 0 &&
            strcmp(ms.name, name) == 0) {
            found = 1;
            continue;
        }
        known += s->kind == VAULT_SLOT_PASSPHRASE || s->kind == VAULT_SLOT_KEY_FILE ||
                 s->kind == VAULT_SLOT_MEMBER;
        h->slots[h->nslots++] = *s;
    }
    if (!found) {
        rc = err_set(ERR_NOTFOUND, "'%s' is not a member of this vault", name);
        goto out;
    }
    if (known == 0) {
        rc = err_set(ERR_USAGE, "'%s' is the last way into this vault (no other member, "
                                "passphrase or key file); add another first",
                     name);
        goto out;
    }
    /* Every live secret was readable by the member; they stay listed until rotated. */
    if ((rc = vault_list(v, 0, readable, nread)) < 0)
        goto out;
    /* Records whose secrets have all been rotated since are dropped; the oldest go first when
     * the slot is full. */
    for (size_t i = 0; i < nr; i++) {
        int live = 0;
        for (size_t k = 0; k < *nread && !live; k++)
            live = (*readable)[k].updated <= r[i].at;
        if (live)
            r[kept++] = r[i];
    }
    if (kept == VAULT_REMOVALS_MAX) {
        memmove(r, r + 1, (kept - 1) * sizeof(*r));
        kept--;
    }
    r[kept].at = now;
    memcpy(r[kept].name, name, strlen(name) + 1);
    kept++;
    if ((rc = vault_slot_make_removed(r, kept, &h->slots[h->nslots])) < 0)
        goto out;
    h->nslots++;
    rc = vault_rekey_header(v, h);
out:
    if (rc < 0) {
        vault_infos_free(*readable, *nread);
        *readable = NULL;
        *nread = 0;
    }
    free(h);
    return rc;
}
