#!/usr/bin/env bash
# End-to-end: the vault commands as a user runs them: init, set/get/list/rm, history, rollback,
# rotate, metadata and check, passwd and rekey, unlock sources and their errors, hostile KDF
# parameters, and every command's bad input (exit 2, a message, nothing on stdout).
. "$(dirname "$0")/lib.sh"

# Every test gets its own vault and HOME; nothing cached from a real keyring.
export SECRETS_NO_KEYRING=1 SECRETS_PASSPHRASE_NOWARN=1
unset SECRETS_VAULT SECRETS_KEY_FILE SECRETS_PASSPHRASE SECRETS_PASSPHRASE_FILE

kv() { "$SECRETS" "$@" --vault "$TMP/v.sv" --key-file "$TMP/k.key"; }
mk() { "$SECRETS" init --vault "$TMP/v.sv" --key-file "$TMP/k.key" --no-passphrase -q >/dev/null; }

t_init_creates_0600_and_refuses_overwrite() {
    run "$SECRETS" init --vault "$TMP/d/sub/v.sv" --key-file "$TMP/k.key" --no-passphrase
    expect_rc 0
    expect_out 'created vault'
    expect_mode "$TMP/d/sub/v.sv" 600
    expect_mode "$TMP/d/sub" 700
    expect_mode "$TMP/k.key" 600
    [ "$(stat -c %s "$TMP/k.key")" -eq 32 ] || fail "key file is not 32 bytes"
    cp "$TMP/d/sub/v.sv" before
    run "$SECRETS" init --vault "$TMP/d/sub/v.sv" --key-file "$TMP/k.key" --no-passphrase
    expect_rc 2
    expect_err 'already there; refusing to overwrite'
    cmp -s before "$TMP/d/sub/v.sv" || fail "init changed an existing vault"
}

t_set_get_exact_bytes() {
    mk
    printf 'p@ss\nword\n' | kv set db/password -q >/dev/null
    kv get db/password >out 2>err
    [ $? -eq 0 ] || fail "get failed: $(cat err)"
    printf 'p@ss\nword\n' | cmp -s - out || fail "get did not return the exact bytes"
    # binary value, from a file
    head -c 300 /dev/urandom >bin
    kv set blob --from-file bin -q >/dev/null
    kv get blob >out2
    cmp -s bin out2 || fail "binary value changed"
    # a TTY gets a newline, a pipe does not (checked above); --value works and warns
    run kv set v2 --value 'on-argv-secret'
    expect_rc 0
    expect_err 'command line, where other users can see it'
    expect_nowhere 'on-argv-secret' "$TMP/v.sv"
}

t_default_location_and_env() {
    export XDG_DATA_HOME=$TMP/xdg
    run "$SECRETS" init --key-file "$TMP/k.key" --no-passphrase
    expect_rc 0
    expect_file "$TMP/xdg/secrets/vault.sv"
    export SECRETS_VAULT=$TMP/env.sv
    run "$SECRETS" init --key-file "$TMP/k.key" --no-passphrase
    expect_rc 0
    expect_file "$TMP/env.sv"
    printf 'x1' | SECRETS_KEY_FILE=$TMP/k.key "$SECRETS" set a -q >/dev/null
    [ "$(SECRETS_KEY_FILE=$TMP/k.key "$SECRETS" get a)" = x1 ] || fail "SECRETS_VAULT/SECRETS_KEY_FILE not used"
}

t_missing_vault_names_init() {
    local c
    for c in "get a" "list" "set a --value x" "rm a" "history a" "rollback a --to 1" \
        "rotate a" "passwd" "rekey" "unlock" "lock" "check"; do
        # shellcheck disable=SC2086
        run "$SECRETS" $c --vault "$TMP/none.sv" --key-file "$TMP/k.key" -q
        expect_rc 2
        expect_err 'no vault at .*none.sv.*secrets init'
        [ -z "$OUT" ] || fail "'$c' printed on stdout: $OUT"
    done
    expect_no_file "$TMP/none.sv.lock"
}

t_passphrase_sources() {
    printf 'correct horse\n' >pw
    SECRETS_PASSPHRASE_FILE=$TMP/pw "$SECRETS" init --vault v.sv --kdf interactive -q >/dev/null ||
        fail "init with SECRETS_PASSPHRASE_FILE"
    printf 's1' | SECRETS_PASSPHRASE_FILE=$TMP/pw "$SECRETS" set a --vault v.sv -q >/dev/null
    # the file's trailing newline is not part of the passphrase
    unset SECRETS_PASSPHRASE_NOWARN
    run env SECRETS_PASSPHRASE='correct horse' "$SECRETS" get a --vault v.sv
    expect_rc 0
    [ "$OUT" = s1 ] || fail "get with SECRETS_PASSPHRASE: '$OUT'"
    expect_err 'warning: using the passphrase in \$SECRETS_PASSPHRASE'
    run env SECRETS_PASSPHRASE='correct horse' SECRETS_PASSPHRASE_NOWARN=1 "$SECRETS" get a --vault v.sv
    expect_rc 0
    expect_no_err 'warning'
    run env SECRETS_PASSPHRASE='wrong horse' "$SECRETS" get a --vault v.sv
    expect_rc 2
    expect_err 'error: wrong passphrase or key$'
    [ -z "$OUT" ] || fail "wrong passphrase printed something"
    # no source at all, and no terminal: a clear error, not a hang
    run setsid "$SECRETS" get a --vault v.sv
    expect_rc 2
    expect_err 'no passphrase source'
    printf '' >empty
    run env SECRETS_PASSPHRASE_FILE=$TMP/empty "$SECRETS" get a --vault v.sv
    expect_rc 2
    expect_err 'passphrase is empty'
}

# The terminal prompt, through a real pseudo-terminal (script(1)): the passphrase is read with
# echo off, so it never appears in what the terminal shows; the value gets a newline on a TTY.
t_tty_prompt_no_echo() {
    command -v script >/dev/null || { fail "script(1) missing (util-linux)"; return; }
    SECRETS_PASSPHRASE=typed-passphrase-42 "$SECRETS" init --vault v.sv --kdf interactive -q >/dev/null
    printf 'tty-value' | SECRETS_PASSPHRASE=typed-passphrase-42 "$SECRETS" set a --vault v.sv -q >/dev/null
    (sleep 2; printf 'typed-passphrase-42\n') |
        timeout 30 script -qec "$SECRETS get a --vault v.sv" /dev/null >tty.out 2>&1
    grep -q 'Vault passphrase:' tty.out || fail "no prompt: $(od -c tty.out | head -5)"
    grep -q 'typed-passphrase-42' tty.out && fail "the passphrase was echoed"
    tr -d '\r' <tty.out | grep -qx 'tty-value' || fail "value not printed with a newline: $(od -c tty.out | head -5)"
    (sleep 2; printf 'wrong-one\n') |
        timeout 30 script -qec "$SECRETS get a --vault v.sv" /dev/null >tty2.out 2>&1
    grep -q 'wrong passphrase or key' tty2.out || fail "wrong typed passphrase: $(cat tty2.out)"
    grep -q 'tty-value' tty2.out && fail "value printed after a wrong passphrase"
}

t_wrong_key_file() {
    mk
    printf 's' | kv set a -q >/dev/null
    head -c 32 /dev/urandom >other.key
    chmod 600 other.key
    run "$SECRETS" get a --vault v.sv --key-file other.key
    expect_rc 2
    expect_err 'error: wrong passphrase or key$'
    head -c 31 /dev/urandom >short.key
    run "$SECRETS" get a --vault v.sv --key-file short.key
    expect_rc 2
    expect_err 'exactly 32 bytes'
    ln -s k.key link.key
    run "$SECRETS" get a --vault v.sv --key-file link.key
    expect_rc 2
    expect_err 'symbolic link'
    chmod 644 k.key
    run kv get a
    expect_rc 0
    expect_err 'readable by other users'
    # a passphrase-only vault given a key file
    SECRETS_PASSPHRASE=pw "$SECRETS" init --vault p.sv --kdf interactive -q >/dev/null
    run "$SECRETS" get a --vault p.sv --key-file k.key
    expect_rc 2
    expect_err 'wrong passphrase or key'
}

t_list_never_values() {
    mk
    printf 'SuperSecretValue1' | kv set prod/db --tag prod --tag db --expires 2099-01-01 \
        --rotate-after 90 -q >/dev/null
    printf 'SuperSecretValue2' | kv set dev/api -q >/dev/null
    run kv list
    expect_rc 0
    expect_out '^NAME'
    expect_out 'prod/db +1 .*2099-01-01T00:00:00Z +prod,db'
    expect_out 'dev/api'
    expect_nowhere SuperSecretValue "$TMP/v.sv"
    run kv list --format json
    expect_rc 0
    expect_out '"name":[[:space:]]+"prod/db"'
    expect_out '"rotate_after_days":[[:space:]]+90'
    printf '%s' "$OUT" | tr -d ' \t\n' | grep -q '"tags":\["prod","db"\]' || fail "json tags"
    expect_nowhere SuperSecretValue
    [ "$(printf '%s' "$OUT" | grep -c '"name"')" -eq 2 ] || fail "json list has not 2 entries"
}

t_history_rollback_rotate() {
    mk
    kv set api/token --generate --length 40 --charset hex -q >/dev/null
    v1=$(kv get api/token)
    [[ $v1 =~ ^[0-9a-f]{40}$ ]] || fail "generated value is not 40 hex: $v1"
    run kv rotate api/token
    expect_rc 0
    expect_out 'version 2'
    v2=$(kv get api/token)
    [[ $v2 =~ ^[0-9a-f]{40}$ ]] || fail "rotate forgot length/charset: $v2"
    [ "$v1" != "$v2" ] || fail "rotate kept the value"
    run kv rollback api/token --to 1
    expect_rc 0
    expect_out 'version 3 \(= version 1\)'
    [ "$(kv get api/token)" = "$v1" ] || fail "rollback did not restore version 1"
    [ "$(kv get api/token --version 2)" = "$v2" ] || fail "--version 2"
    run kv history api/token
    expect_rc 0
    expect_out '^1 .* 40 +generate'
    expect_out '^2 .* 40 +rotate'
    expect_out '^3 .* 40 +rollback to 1 \(current\)'
    expect_nowhere "$v1"
    run kv history api/token --format json
    expect_out '"how":[[:space:]]+"rollback to 1"'
    expect_nowhere "$v2"
    # a value set by hand rotates with its own length, in alnum
    printf 'abcdefghijklmnopqrstu' | kv set hand -q >/dev/null
    kv rotate hand -q >/dev/null
    [[ $(kv get hand) =~ ^[A-Za-z0-9]{21}$ ]] || fail "rotate of a hand-set value"
}

t_rm_keeps_history_purge_deletes() {
    mk
    printf 'one' | kv set a -q >/dev/null
    printf 'two' | kv set a -q >/dev/null
    run kv rm a
    expect_rc 0
    run kv get a
    expect_rc 2
    expect_err "was removed"
    run kv list
    expect_no_out '^a '
    run kv list --all
    expect_out '\(removed\)'
    run kv history a
    expect_rc 0
    expect_out '\(removed\)'
    [ "$(kv get a --version 1)" = one ] || fail "history lost after rm"
    printf 'three' | kv set a -q >/dev/null
    [ "$(kv get a)" = three ] || fail "set did not revive"
    run kv rm a --purge
    expect_rc 0
    run kv history a
    expect_rc 2
    expect_err "no secret named 'a'"
}

t_check_expired_and_overdue() {
    mk
    printf 'v' | kv set fresh --expires 2099-12-31 -q >/dev/null
    run kv check
    expect_rc 0
    expect_out 'no findings'
    printf 'v' | kv set old --expires 2001-02-03 -q >/dev/null
    printf 'v' | kv set rot --rotate-after 1 -q >/dev/null
    run kv check
    expect_rc 1
    expect_out "old:.*high.*\[VAULT001\] secret 'old' expired on 2001-02-03"
    expect_no_out 'rot'
    run kv check --within 2
    expect_rc 1
    expect_out "rot:.*low.*\[VAULT003\] .*due for rotation"
    run kv check --format json
    expect_rc 1
    expect_out '"VAULT001"'
    run kv check --fail-on critical
    expect_rc 0
    printf 'v' | kv set old --expires never -q >/dev/null
    run kv check
    expect_rc 0
}

t_passwd_and_rekey() {
    printf 'first' >pw1
    printf 'second' >pw2
    SECRETS_PASSPHRASE_FILE=$TMP/pw1 "$SECRETS" init --vault v.sv --kdf interactive -q >/dev/null
    printf 'keep-me' | SECRETS_PASSPHRASE_FILE=$TMP/pw1 "$SECRETS" set a --vault v.sv -q >/dev/null
    run env SECRETS_PASSPHRASE_FILE=$TMP/pw1 SECRETS_NEW_PASSPHRASE_FILE=$TMP/pw2 \
        "$SECRETS" passwd --vault v.sv --kdf interactive
    expect_rc 0
    run env SECRETS_PASSPHRASE_FILE=$TMP/pw1 "$SECRETS" get a --vault v.sv
    expect_rc 2
    expect_err 'wrong passphrase or key'
    [ "$(SECRETS_PASSPHRASE_FILE=$TMP/pw2 "$SECRETS" get a --vault v.sv)" = keep-me ] ||
        fail "new passphrase does not open"
    # add a key file slot; both open
    run env SECRETS_PASSPHRASE_FILE=$TMP/pw2 "$SECRETS" passwd --vault v.sv --add-key-file k.key
    expect_rc 0
    expect_file k.key
    [ "$(kv get a)" = keep-me ] || fail "added key file does not open"
    # rekey: new data key, both slots re-wrapped, the values survive
    hdr_before=$(head -c 36 v.sv | od -An -tx1 | tr -d ' \n')
    run env SECRETS_PASSPHRASE_FILE=$TMP/pw2 "$SECRETS" rekey --vault v.sv --key-file k.key
    expect_rc 0
    [ "$(kv get a)" = keep-me ] || fail "rekey lost the value (key file)"
    [ "$(SECRETS_PASSPHRASE_FILE=$TMP/pw2 "$SECRETS" get a --vault v.sv)" = keep-me ] ||
        fail "rekey lost the value (passphrase)"
    [ "$(head -c 36 v.sv | od -An -tx1 | tr -d ' \n')" = "$hdr_before" ] || fail "vault id changed"
    # rekey without the key file of a key-file slot: refused, nothing changed
    cp v.sv before
    run env SECRETS_PASSPHRASE_FILE=$TMP/pw2 "$SECRETS" rekey --vault v.sv
    expect_rc 2
    expect_err 'pass --key-file F too'
    cmp -s before v.sv || fail "a refused rekey changed the vault"
    # the last slot cannot be removed
    run env SECRETS_PASSPHRASE_FILE=$TMP/pw2 "$SECRETS" passwd --vault v.sv --remove-key-files
    expect_rc 0
    run "$SECRETS" init --vault k2.sv --key-file k2.key --no-passphrase -q
    run "$SECRETS" passwd --vault k2.sv --key-file k2.key --remove-key-files
    expect_rc 2
    expect_err 'without a passphrase or key-file slot'
}

t_backup_is_previous_state() {
    mk
    printf 'one' | kv set a -q >/dev/null
    cp v.sv state1
    printf 'two' | kv set a -q >/dev/null
    cmp -s state1 v.sv.bak || fail "v.sv.bak is not the previous file"
    expect_mode v.sv.bak 600
    [ "$("$SECRETS" get a --vault v.sv.bak --key-file k.key)" = one ] || fail "backup does not open"
}

# Header offsets: 52 fixed bytes, then slot kind(2) len(2); a passphrase slot's opslimit is at
# +8 and memlimit at +16 of its start. The last 32 header bytes are BLAKE2b-256 of the rest.
patch_kdf() { # FILE OPS_HEX16 MEM_HEX16 : writes both limits and a valid checksum
    local f=$1 hlen
    hlen=$(od -An -tu4 -j12 -N4 "$f" | tr -d ' ')
    printf "$(echo "$2$3" | sed 's/../\\x&/g')" | dd of="$f" bs=1 seek=60 conv=notrunc status=none
    head -c $((hlen - 32)) "$f" | b2sum -l 256 | cut -c1-64 | sed 's/../\\x&/g' |
        xargs -0 printf | dd of="$f" bs=1 seek=$((hlen - 32)) conv=notrunc status=none
}

t_hostile_kdf_refused_fast() {
    SECRETS_PASSPHRASE=pw "$SECRETS" init --vault v.sv --kdf interactive -q >/dev/null
    cp v.sv ops.sv
    # opslimit 2^32 (LE), memlimit 64 MiB
    patch_kdf ops.sv 0000000001000000 0000000400000000
    local t0=$SECONDS
    run env SECRETS_PASSPHRASE=pw "$SECRETS" get a --vault ops.sv
    expect_rc 2
    expect_err 'opslimit 4294967296 is outside the accepted range 1..20'
    cp v.sv mem.sv
    # opslimit 2, memlimit 2^40 (1 TiB)
    patch_kdf mem.sv 0200000000000000 0000000000010000
    run env SECRETS_PASSPHRASE=pw "$SECRETS" get a --vault mem.sv
    expect_rc 2
    expect_err 'memlimit 1099511627776 bytes is outside the accepted range'
    [ $((SECONDS - t0)) -le 2 ] || fail "hostile parameters were not refused fast"
    # a valid but changed limit (opslimit 3) is caught by the body's authentication
    cp v.sv mod.sv
    patch_kdf mod.sv 0300000000000000 0000000400000000
    run env SECRETS_PASSPHRASE=pw "$SECRETS" get a --vault mod.sv
    expect_rc 2
    expect_err 'wrong passphrase or key|corrupted or was modified'
}

t_not_a_vault_and_symlink() {
    printf 'hello' >plain.txt
    run "$SECRETS" get a --vault plain.txt --key-file k.key
    expect_rc 2
    expect_err 'not a vault file'
    mk
    ln -s v.sv link.sv
    run "$SECRETS" get a --vault link.sv --key-file k.key
    expect_rc 2
    expect_err 'symbolic link'
    mkdir dir.sv
    run "$SECRETS" get a --vault dir.sv --key-file k.key
    expect_rc 2
    : >empty.sv
    run "$SECRETS" get a --vault empty.sv --key-file k.key
    expect_rc 2
    expect_err 'not a vault file'
}

t_bad_names_and_values() {
    mk
    local n
    for n in "" "/a" "a/" "a//b" "../x" "a/../b" "./a" "a b" 'a$b' "$(printf 'a\tb')" \
        "$(head -c 256 /dev/zero | tr '\0' a)" "é"; do
        run kv set "$n" --value x -q
        expect_rc 2
        [ -n "$ERR" ] || fail "bad name '$n' gave no message"
        run kv get "$n"
        expect_rc 2
    done
    run kv set "$(head -c 255 /dev/zero | tr '\0' a)" --value x
    expect_rc 0
    run kv set ok.name_1-2/x --value x
    expect_rc 0
    # values: empty, too large
    run_stdin '' kv set e
    expect_rc 2
    expect_err 'value is empty'
    head -c 1048577 /dev/zero >big
    run kv set big --from-file big
    expect_rc 2
    expect_err 'larger than the limit'
    run kv set x --from-file /nonexistent
    expect_rc 2
    expect_err 'no such file'
}

t_every_command_bad_usage() {
    mk
    printf 'v' | kv set a -q >/dev/null
    local args
    while IFS= read -r args; do
        # shellcheck disable=SC2086
        run kv $args
        expect_rc 2
        [ -z "$OUT" ] || fail "'$args' printed on stdout: $OUT"
        [ -n "$ERR" ] || fail "'$args' gave no message"
    done <<'LIST'
init --kdf extreme
init --bogus
set
set a b
set a --generate --value x
set a --length 5
set a --generate --length 0
set a --generate --length 5000
set a --generate --charset nope
set a --value x --expires 2024-13-45
set a --value x --expires tomorrow
set a --value x --rotate-after -1
set a --value x --rotate-after abc
set a --value x --tag ttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttt
set a --value x --tag a,b
get
get a b
get a --version 0
get a --version x
get a --version 7
get nothere
list --format yaml
list extra
rm
rm nothere
history
history nothere
history a --format xml
rollback a
rollback a --to 0
rollback a --to 9
rollback nothere --to 1
rotate
rotate nothere
rotate a --length 0
rotate a --charset custom:x
passwd --kdf fast
passwd extra
rekey extra
unlock --timeout 5m
unlock --remember --timeout soon
unlock extra
lock extra
check --within x
check --fail-on severe
check extra
LIST
    [ "$(kv get a)" = v ] || fail "bad input changed the vault"
}

t_help_for_every_command() {
    local c
    for c in init set get list rm history rollback rotate passwd rekey unlock lock check; do
        run "$SECRETS" $c --help
        expect_rc 0
        expect_out "usage: secrets $c"
    done
    run "$SECRETS" --help
    expect_out 'rollback NAME --to N'
}

e2e_main
