#!/usr/bin/env bash
# End-to-end: the keyring cache of the vault key against the real gnome-keyring daemon that
# tests/services.sh runs on the test session bus, and its fallbacks: no session bus, a locked
# collection (in a second, private bus and daemon), an expired entry and a stale key after rekey.
. "$(dirname "$0")/lib.sh"

export SECRETS_PASSPHRASE_NOWARN=1
unset SECRETS_VAULT SECRETS_KEY_FILE SECRETS_PASSPHRASE SECRETS_PASSPHRASE_FILE SECRETS_NO_KEYRING

mk() {
    "$SECRETS" init --vault "$TMP/v.sv" --key-file "$TMP/k.key" --no-passphrase -q >/dev/null
    printf 'cached-value' | "$SECRETS" set a --vault "$TMP/v.sv" --key-file "$TMP/k.key" -q >/dev/null
}
need_keyring() {
    [ "${SUITE_KEYRING:-}" = 1 ] || fail "no keyring daemon on the test bus (tests/services.sh)"
}

t_remember_get_lock() {
    need_keyring
    mk
    run "$SECRETS" unlock --remember --vault v.sv --key-file k.key
    expect_rc 0
    expect_out 'cached in the keyring for 3600s'
    # no key file, no passphrase: the keyring alone opens it
    run "$SECRETS" get a --vault v.sv
    expect_rc 0
    [ "$OUT" = cached-value ] || fail "get through the keyring: '$OUT'"
    [ -z "$ERR" ] || fail "unexpected stderr: $ERR"
    # writes too
    run_stdin 'v2' "$SECRETS" set a --vault v.sv
    expect_rc 0
    # the entry is in the daemon, under the vault id, and holds no value
    id=$(head -c 32 v.sv | tail -c 16 | od -An -tx1 | tr -d ' \n')
    secret-tool search --all vault-id "$id" >found 2>&1
    grep -q "attribute.vault-id = $id" found || fail "no keyring item for vault $id: $(cat found)"
    expect_nowhere cached-value found
    run "$SECRETS" lock --vault v.sv
    expect_rc 0
    expect_out 'cached key removed'
    run "$SECRETS" get a --vault v.sv
    expect_rc 2
    expect_err 'key file only'
    run "$SECRETS" lock --vault v.sv
    expect_rc 0
    expect_out 'no key was cached'
}

t_timeout_expires_the_cache() {
    need_keyring
    mk
    run "$SECRETS" unlock --remember --timeout 3s --vault v.sv --key-file k.key
    expect_rc 0
    [ "$("$SECRETS" get a --vault v.sv 2>/dev/null)" = cached-value ] || fail "cache not used"
    sleep 4
    run "$SECRETS" get a --vault v.sv
    expect_rc 2
    expect_err 'note: keyring: the cached key expired and was removed'
    run "$SECRETS" lock --vault v.sv
    expect_out 'no key was cached'
}

t_explicit_key_file_skips_keyring() {
    need_keyring
    mk
    "$SECRETS" unlock --remember --vault v.sv --key-file k.key -q >/dev/null
    head -c 32 /dev/urandom >wrong.key
    chmod 600 wrong.key
    run "$SECRETS" get a --vault v.sv --key-file wrong.key
    expect_rc 2
    expect_err 'wrong passphrase or key'
    run env SECRETS_KEY_FILE=$TMP/wrong.key "$SECRETS" get a --vault v.sv
    expect_rc 0
    "$SECRETS" lock --vault v.sv -q >/dev/null
}

t_no_bus_falls_back() {
    mk
    local t0=$SECONDS
    run env -u DBUS_SESSION_BUS_ADDRESS "$SECRETS" get a --vault v.sv
    expect_rc 2
    expect_err 'note: keyring: no session bus'
    expect_err 'key file only'
    run env -u DBUS_SESSION_BUS_ADDRESS SECRETS_KEY_FILE=$TMP/k.key "$SECRETS" get a --vault v.sv
    expect_rc 0
    [ "$OUT" = cached-value ] || fail "fallback to the key file"
    [ "$(printf '%s\n' "$ERR" | grep -c .)" -eq 1 ] || fail "expected one note line: $ERR"
    run env -u DBUS_SESSION_BUS_ADDRESS "$SECRETS" unlock --remember --vault v.sv --key-file k.key
    expect_rc 2
    expect_err 'no session bus'
    run env DBUS_SESSION_BUS_ADDRESS=unix:path=$TMP/nobody SECRETS_KEY_FILE=$TMP/k.key \
        "$SECRETS" get a --vault v.sv
    expect_rc 0
    expect_err 'note: keyring: lookup failed'
    [ $((SECONDS - t0)) -le 10 ] || fail "fallbacks took too long"
}

t_stale_key_after_rekey() {
    need_keyring
    mk
    "$SECRETS" unlock --remember --vault v.sv --key-file k.key -q >/dev/null
    cp v.sv old.sv
    "$SECRETS" rekey --vault v.sv --key-file k.key -q >/dev/null || fail "rekey"
    # rekey removed the cache; put the old key back through the copy of the old vault
    run "$SECRETS" get a --vault v.sv
    expect_rc 2
    cp v.sv new.sv
    cp old.sv v.sv
    "$SECRETS" unlock --remember --vault v.sv --key-file k.key -q >/dev/null
    cp new.sv v.sv
    run env SECRETS_KEY_FILE=$TMP/k.key "$SECRETS" get a --vault v.sv
    expect_rc 0
    expect_err 'no longer opens this vault'
    run "$SECRETS" lock --vault v.sv
    expect_out 'no key was cached'
}

# A locked collection, in a private bus and daemon so the suite's keyring stays unlocked: the
# cached key is stored, the collection locked over D-Bus, and then lookups must fall back fast
# (the daemon's unlock prompt cannot be shown here) and storing must fail with a clear error.
t_locked_keyring_falls_back() {
    mk
    cat >inner.sh <<'INNER'
set -u
export HOME=$PWD/home XDG_DATA_HOME=$PWD/home/.local/share
mkdir -p "$XDG_DATA_HOME"
printf 'pw' | gnome-keyring-daemon --foreground --unlock --components=secrets >/dev/null 2>&1 &
pid=$!
for i in $(seq 100); do
    dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
        org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null |
        grep -q 'boolean true' && break
    sleep 0.05
done
"$SECRETS" unlock --remember --vault v.sv --key-file k.key -q >/dev/null || echo "STORE-FAILED"
"$SECRETS" get a --vault v.sv >cached.out 2>cached.err
dbus-send --session --print-reply --dest=org.freedesktop.secrets /org/freedesktop/secrets \
    org.freedesktop.Secret.Service.Lock array:objpath:/org/freedesktop/secrets/collection/login >/dev/null
start=$(date +%s%N)
SECRETS_KEYRING_TIMEOUT_MS=2000 SECRETS_KEY_FILE=$PWD/k.key "$SECRETS" get a --vault v.sv >locked.out 2>locked.err
rc=$?
printf '\nrc=%s\n' "$rc" >>locked.out
echo "ms=$((($(date +%s%N) - start) / 1000000))" >locked.time
SECRETS_KEYRING_TIMEOUT_MS=2000 "$SECRETS" unlock --remember --vault v.sv --key-file k.key >store.out 2>store.err
echo "rc=$?" >>store.out
kill "$pid"
wait "$pid" 2>/dev/null
INNER
    SECRETS=$SECRETS timeout 60 dbus-run-session -- bash inner.sh >inner.log 2>&1
    grep -q STORE-FAILED inner.log && fail "could not store in the private keyring"
    [ "$(cat cached.out 2>/dev/null)" = cached-value ] || fail "private keyring not used: $(cat cached.err)"
    grep -q '^rc=0' locked.out || fail "locked keyring: get failed: $(cat locked.out locked.err inner.log)"
    grep -q '^cached-value' locked.out || fail "locked keyring: wrong value"
    grep -q 'note: keyring: .*locked; trying the next unlock source' locked.err ||
        fail "no note about the locked keyring: $(cat locked.err)"
    local ms
    ms=$(sed -n 's/^ms=//p' locked.time)
    [ "${ms:-99999}" -lt 5000 ] || fail "locked keyring fallback took ${ms} ms"
    grep -q '^rc=2' store.out || fail "storing into a locked keyring did not fail"
    grep -q 'keyring' store.err || fail "no keyring message: $(cat store.err)"
}

e2e_main
