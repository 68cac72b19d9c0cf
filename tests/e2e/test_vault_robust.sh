#!/usr/bin/env bash
# End-to-end: the vault under damage and races: every byte of a small vault flipped in turn,
# writers killed with SIGKILL at random moments, and concurrent writers on different names.
. "$(dirname "$0")/lib.sh"

export SECRETS_NO_KEYRING=1 SECRETS_PASSPHRASE_NOWARN=1
unset SECRETS_VAULT SECRETS_KEY_FILE SECRETS_PASSPHRASE SECRETS_PASSPHRASE_FILE

kv() { "$SECRETS" "$@" --vault "$TMP/v.sv" --key-file "$TMP/k.key"; }

# Each byte XOR 0x01, one at a time: the vault must refuse every copy with exit 2, print nothing
# on stdout and say why. (tests/unit/test_vault.c does the same in-process for a vault with a
# passphrase slot too.) Three processes per byte: patch, get, restore.
t_every_byte_flip_detected() {
    "$SECRETS" init --vault v.sv --key-file k.key --no-passphrase -q >/dev/null
    printf 'flip-me-secret' | kv set db/password -q >/dev/null
    kv get db/password >/dev/null || fail "vault does not open before flipping"
    local size i undetected=0 silent=0 bytes esc errline
    size=$(stat -c %s v.sv)
    read -r -a bytes <<<"$(od -An -v -tu1 v.sv | tr -s ' \n' ' ')"
    [ "${#bytes[@]}" -eq "$size" ] || fail "od read ${#bytes[@]} of $size bytes"
    cp v.sv f.sv
    for ((i = 0; i < size; i++)); do
        printf -v esc '\\%03o' $((bytes[i] ^ 1))
        printf "$esc" >flipped
        printf -v esc '\\%03o' "${bytes[i]}"
        printf "$esc" >orig
        dd if=flipped of=f.sv bs=1 seek="$i" conv=notrunc status=none
        "$SECRETS" get db/password --vault f.sv --key-file k.key >out 2>err
        rc=$?
        dd if=orig of=f.sv bs=1 seek="$i" conv=notrunc status=none
        if [ "$rc" -ne 2 ] || [ -s out ]; then
            undetected=$((undetected + 1))
            [ "$undetected" -le 3 ] && fail "flip at byte $i: status $rc, stdout '$(cat out)'"
        fi
        read -r errline <err
        case $errline in
        *"corrupted or was modified"* | *"wrong passphrase or key"* | *"not a vault file"* | \
            *"not supported"* | *"unknown flags"*) ;;
        *) silent=$((silent + 1)) ;;
        esac
    done
    cmp -s v.sv f.sv || fail "restoring the flipped copy failed"
    [ "$undetected" -eq 0 ] || fail "$undetected of $size flips undetected"
    [ "$silent" -eq 0 ] || fail "$silent flips without a clear message"
    echo "    ($size bytes flipped, all detected)"
}

# A writer killed at any moment leaves the old or the new vault, never a broken one.
t_kill_writers_at_random() {
    "$SECRETS" init --vault v.sv --key-file k.key --no-passphrase -q >/dev/null
    head -c 200000 /dev/urandom | base64 -w0 >ballast
    kv set ballast --from-file ballast -q >/dev/null
    printf 'r0' | kv set k -q >/dev/null
    local prev=r0 i pid got rounds=30 new=0 old=0 delay
    for ((i = 1; i <= rounds; i++)); do
        printf 'r%d' "$i" >val
        "$SECRETS" set k --from-file val --vault v.sv --key-file k.key -q >/dev/null 2>&1 &
        pid=$!
        printf -v delay '0.%03d' $((RANDOM % 120))
        sleep "$delay"
        kill -9 "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
        got=$(kv get k 2>err)
        if [ "$got" = "r$i" ]; then
            prev=r$i
            new=$((new + 1))
        elif [ "$got" = "$prev" ]; then
            old=$((old + 1))
        else
            fail "round $i: vault holds '$got' (expected $prev or r$i): $(cat err)"
            break
        fi
    done
    kv get ballast | cmp -s - ballast || fail "the other secret changed"
    "$SECRETS" list --vault v.sv.bak --key-file k.key >/dev/null 2>&1 || fail "backup does not open"
    echo "    ($rounds kills: $new after the rename, $old before it)"
    [ $((new + old)) -eq "$rounds" ] || fail "not every round checked"
    # the next writer cleans what killed writers left behind
    printf 'final' | kv set k -q >/dev/null
    [ -z "$(ls -A | grep '\.tmp-')" ] || fail "temp files left: $(ls -A)"
}

# N writers, each setting M names of its own, at once: the lock serialises them; all N x M present.
t_concurrent_writers() {
    "$SECRETS" init --vault v.sv --key-file k.key --no-passphrase -q >/dev/null
    local n=4 m=12 w j pids=()
    for ((w = 0; w < n; w++)); do
        (
            for ((j = 0; j < m; j++)); do
                printf 'value-%d-%d' "$w" "$j" |
                    "$SECRETS" set "w$w/name$j" --vault v.sv --key-file k.key -q >/dev/null || exit 1
            done
        ) &
        pids+=($!)
    done
    for w in "${pids[@]}"; do
        wait "$w" || fail "a writer failed"
    done
    run kv list
    [ "$(printf '%s\n' "$OUT" | grep -c '^w[0-9]/name')" -eq $((n * m)) ] ||
        fail "expected $((n * m)) names, got: $(printf '%s\n' "$OUT" | grep -c '^w')"
    for ((w = 0; w < n; w++)); do
        for ((j = 0; j < m; j += 5)); do
            [ "$(kv get "w$w/name$j")" = "value-$w-$j" ] || fail "w$w/name$j has the wrong value"
        done
    done
}

# Bytes 36..51 of the header: the key check, a keyed hash of the data key (docs/vault-format.md).
keycheck() { od -An -v -tx1 -j36 -N16 "$1" | tr -d ' \n'; }
# The files next to the vault other than the vault, its backup, its lock and temp files.
strays() { ls -A | grep -E '^v\.sv' | grep -Ev '^v\.sv(\.bak|\.lock)?$'; }

# Writers killed at random moments, backups included, leave no extra copy of the vault: the
# backup step has no temp name any more; a stale `v.sv.bak-<hex>` of an older version is removed
# by the next writer (under the lock), and a user's file with a similar name is not.
t_killed_writers_leave_no_backup_copies() {
    "$SECRETS" init --vault v.sv --key-file k.key --no-passphrase -q >/dev/null
    head -c 300000 /dev/urandom | base64 -w0 >ballast
    kv set ballast --from-file ballast -q >/dev/null
    printf 'deleted-value' | kv set gone -q >/dev/null
    cp v.sv v.sv.bak-0123456789ab # what a writer of an older version killed mid-backup left
    echo 'not a vault' >v.sv.bak-keepme
    local i pid delay
    for ((i = 1; i <= 40; i++)); do
        printf 'r%d' "$i" >val
        "$SECRETS" set k --from-file val --vault v.sv --key-file k.key -q >/dev/null 2>&1 &
        pid=$!
        printf -v delay '0.%03d' $((RANDOM % 100))
        sleep "$delay"
        kill -9 "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
        [ -z "$(strays | grep -Ev '^v\.sv\.bak-(0123456789ab|keepme)$')" ] ||
            fail "round $i left: $(strays | tr '\n' ' ')"
        [ -f v.sv.bak ] || fail "round $i: no backup"
    done
    kv rm gone --purge -q >/dev/null || fail "purge failed"
    [ -z "$(strays | grep -v '^v\.sv\.bak-keepme$')" ] || fail "left after a write: $(strays | tr '\n' ' ')"
    [ -z "$(ls -A | grep '^\.v\.sv\.tmp-')" ] || fail "temp files left after a write: $(ls -A | tr '\n' ' ')"
    "$SECRETS" list --vault v.sv.bak --key-file k.key >/dev/null || fail "no backup after the purge"
    expect_file v.sv.bak-keepme
    run "$SECRETS" get gone --vault v.sv.bak --key-file k.key
    expect_rc 2
    expect_no_out deleted-value
    [ "$(kv get ballast | head -c 64)" = "$(head -c 64 ballast)" ] || fail "ballast changed"
}

# After rekey the backup is the new file: it does not open with the old data key (its key check
# is the new one), also when rekey is killed at random moments.
t_rekey_replaces_the_backup() {
    "$SECRETS" init --vault v.sv --key-file k.key --no-passphrase -q >/dev/null
    head -c 300000 /dev/urandom | base64 -w0 >ballast
    kv set ballast --from-file ballast -q >/dev/null
    printf 'one' | kv set a -q >/dev/null
    printf 'two' | kv set a -q >/dev/null
    local old i pid delay
    old=$(keycheck v.sv)
    [ "$(keycheck v.sv.bak)" = "$old" ] || fail "backup before rekey has another key"
    run kv rekey
    expect_rc 0
    [ "$(keycheck v.sv)" != "$old" ] || fail "rekey did not change the data key"
    cmp -s v.sv v.sv.bak || fail "backup after rekey is not the new file"
    [ "$("$SECRETS" get a --vault v.sv.bak --key-file k.key)" = two ] || fail "backup after rekey does not open"
    for ((i = 1; i <= 25; i++)); do
        "$SECRETS" rekey --vault v.sv --key-file k.key -q >/dev/null 2>&1 &
        pid=$!
        printf -v delay '0.%03d' $((RANDOM % 80))
        sleep "$delay"
        kill -9 "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
        [ "$(kv get a 2>&1)" = two ] || fail "round $i: vault broken: $(kv get a 2>&1)"
        if [ -e v.sv.bak ] && [ "$(keycheck v.sv.bak)" != "$(keycheck v.sv)" ]; then
            fail "round $i: the backup opens with another data key than the vault"
        fi
    done
}

# forge_kdf IN OUT OPSLIMIT MEMLIMIT: a copy of IN whose first (passphrase) slot asks for other
# Argon2id parameters, with the header checksum (BLAKE2b-256) recomputed, as an attacker would.
forge_kdf() {
    python3 - "$@" <<'PY'
import hashlib, struct, sys
src, dst, ops, mem = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
d = bytearray(open(src, "rb").read())
hlen = struct.unpack_from("<I", d, 12)[0]
assert struct.unpack_from("<H", d, 52)[0] == 1, "first slot is not a passphrase slot"
struct.pack_into("<QQ", d, 60, ops, mem)
d[hlen - 32:hlen] = hashlib.blake2b(bytes(d[:hlen - 32]), digest_size=32).digest()
open(dst, "wb").write(d)
PY
}

# A vault handed over by someone else may ask for any Argon2id cost: above the `sensitive` preset
# it is refused unless --allow-expensive-kdf, above the machine's memory always; in under a
# second, before the passphrase is even asked for.
t_hostile_kdf_parameters_refused_at_once() {
    printf 'pw-for-forging' >pass
    SECRETS_PASSPHRASE_FILE=pass "$SECRETS" init --vault v.sv --kdf interactive -q >/dev/null ||
        fail "init failed"
    local mem t0 ms case ops memlimit
    mem=$(($(awk '/^MemTotal:/ {print $2}' /proc/meminfo) * 1024))
    for case in "1 $((4 << 30))" "5 $((1 << 30))" "20 $((4 << 30))" "4 $(((1 << 30) + 1024))"; do
        read -r ops memlimit <<<"$case"
        forge_kdf v.sv f.sv "$ops" "$memlimit"
        t0=$(date +%s%N)
        run env SECRETS_PASSPHRASE_FILE=pass "$SECRETS" get x --vault f.sv
        ms=$((($(date +%s%N) - t0) / 1000000))
        expect_rc 2
        expect_err "above the .sensitive. preset.*--allow-expensive-kdf"
        [ "$ms" -lt 1000 ] || fail "ops $ops mem $memlimit: refused after $ms ms"
        # no passphrase source at all: the refusal still comes first, not a prompt
        run "$SECRETS" get x --vault f.sv
        expect_rc 2
        expect_err "above the .sensitive. preset"
    done
    # more memory than the machine has: refused even when allowed
    forge_kdf v.sv f.sv 1 $((mem + (1 << 30)))
    t0=$(date +%s%N)
    run env SECRETS_PASSPHRASE_FILE=pass "$SECRETS" get x --vault f.sv --allow-expensive-kdf
    ms=$((($(date +%s%N) - t0) / 1000000))
    expect_rc 2
    expect_err "more than this machine has"
    [ "$ms" -lt 1000 ] || fail "over the machine's memory: refused after $ms ms"
    # allowed and cheap to try (opslimit 5, 8 KiB): the KDF runs, and the forged slot then fails
    # to authenticate (its parameters are bound into the slot's associated data)
    forge_kdf v.sv f.sv 5 8192
    run env SECRETS_PASSPHRASE_FILE=pass "$SECRETS" get x --vault f.sv --allow-expensive-kdf
    expect_rc 2
    expect_err "wrong passphrase or key"
    # the untouched vault at the sensitive preset or below opens as before
    printf 'v' | SECRETS_PASSPHRASE_FILE=pass "$SECRETS" set x --vault v.sv -q >/dev/null
    run env SECRETS_PASSPHRASE_FILE=pass "$SECRETS" get x --vault v.sv
    expect_rc 0
}

# Format 3 reads one secret's record: damage to another secret's record does not stop `get`
# of this one, but is refused (exit 2, "corrupted", nothing on stdout) by `get` of that secret,
# by `list` and by `check`, which read every record; a cut file is refused by every command.
t_damaged_record_is_refused_where_read() {
    "$SECRETS" init --vault v.sv --key-file k.key --no-passphrase -q >/dev/null
    printf 'value-a' | kv set a -q >/dev/null
    printf 'value-b' | kv set b -q >/dev/null
    [ "$(od -An -tu2 -j8 -N2 v.sv | tr -d ' ')" = 3 ] || fail "not format 3"
    local size
    size=$(stat -c %s v.sv)
    cp v.sv good.sv
    # the last bytes of the file are the tag of the last record, b's
    printf '\377' | dd of=v.sv bs=1 seek=$((size - 1)) conv=notrunc status=none
    run kv get a
    expect_rc 0
    [ "$OUT" = value-a ] || fail "get a: '$OUT'"
    local cmd
    for cmd in "get b" "list" "check"; do
        # shellcheck disable=SC2086
        run kv $cmd
        expect_rc 2
        expect_err "corrupted or was modified"
        expect_no_out value-b
    done
    head -c $((size - 100)) good.sv >v.sv
    run kv get a
    expect_rc 2
    expect_err "corrupted or was modified"
    cp good.sv v.sv
    run kv list
    expect_rc 0
}

e2e_main
