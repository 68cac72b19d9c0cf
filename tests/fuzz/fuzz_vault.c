/* fuzz_vault: the vault file's untrusted parsers: the header (slots, lengths, KDF bounds,
 * checksum) on the raw input, the decrypted format 2 payload's index and entries on the same
 * bytes, as a vault with a stolen key would present them, and format 3's index root and chunk
 * on the bytes after a 16-byte prefix that gives the file geometry they are checked against. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vault_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint64_t
le(const uint8_t *p, int n)
{
    uint64_t v = 0;

    for (int i = n - 1; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

/* prefix = data start (4) ‖ file size (4) ‖ chunk's records start (4) ‖ their length (2) ‖
 * chunk count (1) ‖ the root's first name for the chunk: its length (1), the name being the
 * input's last bytes. */
static void
format3(const uint8_t *data, size_t size)
{
    struct vault_index root, chunk;
    struct vault_root_row rr;
    struct vault_row3 row;
    const char *name;
    size_t nl;

    if (size < 16)
        return;
    if (vault_root_parse(data + 16, size - 16, le(data, 4), le(data + 4, 4), &root) == 0) {
        for (uint32_t k = 0; k < root.n && k < 64; k++) {
            vault_root_row(&root, k, &rr);
            (void)vault_payload_find(&root, rr.first, rr.first_len);
        }
    }
    memset(&rr, 0, sizeof(rr));
    rr.rec_start = le(data + 8, 4);
    rr.rec_len = le(data + 12, 2);
    rr.count = data[14];
    rr.first_len = data[15] < size - 16 ? data[15] : size - 16;
    rr.first = (const char *)data + size - rr.first_len;
    if (vault_chunk_parse(data + 16, size - 16, &rr, NULL, 0, &chunk) == 0) {
        for (uint32_t i = 0; i < chunk.n && i < 64; i++) {
            vault_index3_row(&chunk, i, &row);
            vault_index_name(&chunk, i, &name, &nl);
            (void)vault_payload_find(&chunk, name, nl);
        }
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct vault_header h;
    struct vault_index idx;
    struct vault_record r;
    struct vault_pass_slot ps;

    if (vault_header_parse(data, size, &h) == 0) {
        for (size_t i = 0; i < h.nslots; i++)
            if (h.slots[i].kind == VAULT_SLOT_PASSPHRASE)
                (void)vault_slot_pass_decode(&h.slots[i], &ps);
    }
    if (vault_payload_index(data, size, &idx) == 0) {
        for (uint32_t i = 0; i < idx.n && i < 64; i++) {
            vault_payload_record(&idx, i, &r);
            (void)vault_entry_check(r.entry, r.entry_len);
            (void)vault_payload_find(&idx, r.name, r.name_len);
        }
    }
    format3(data, size);
    return 0;
}
