/* fuzz_vault: the vault file's untrusted parsers: the header (slots, lengths, KDF bounds,
 * checksum) on the raw input, and the decrypted payload's index and entries on the same bytes,
 * as a vault with a stolen key would present them. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "vault_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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
    return 0;
}
