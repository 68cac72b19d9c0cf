/* fuzz_identity: the text a user pastes or points us at: identity files (age secret keys,
 * OpenSSH private keys) and recipients (age1..., ssh-ed25519 lines), through bech32. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "keys.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct keys_identity id;
    enum keys_pk_type t;
    unsigned char raw[KEYS_PK_BYTES], x[KEYS_PK_BYTES];
    char *text;

    if (size > KEYS_IDENTITY_MAX || (text = malloc(size + 1)) == NULL)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    if (keys_identity_parse("fuzz", text, size, &id) == 0)
        keys_identity_free(&id);
    (void)keys_recipient_parse(text, &t, raw, x);
    free(text);
    return 0;
}
