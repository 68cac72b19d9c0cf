#!/usr/bin/env bash
# Benchmark of the vault: on a vault of 10,000 secrets, the median wall time of `secrets get` and
# `secrets set` (fsync included) with a key file and with the key cached in a real keyring
# (gnome-keyring on a private session bus), side by side with Debian's `pass show` / `pass insert`
# on 10,000 entries (throwaway passphrase-less GPG key, warm gpg-agent); then the get/set curve
# over 100 / 1,000 / 10,000 / 100,000 secrets (CURVE= to change it). Prints figures and ratios.
# usage: tests/bench/bench_vault.sh [BUILD_DIR]   (RUNS=21 by default, CURVE_RUNS=9)
set -u
BUILD=${1:-${BUILD:-build}}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
export BUILD ROOT
RUNS=${RUNS:-21}
N=${N:-10000}
CURVE=${CURVE:-100 1000 10000 100000}
CURVE_RUNS=${CURVE_RUNS:-9}
SECRETS=$BUILD/secrets

# The keyring needs a session bus: re-run ourselves inside a private one.
if [ -z "${BENCH_VAULT_BUS:-}" ] && command -v dbus-run-session >/dev/null 2>&1; then
    export BENCH_VAULT_BUS=1
    exec dbus-run-session -- "$0" "$@" 2> >(grep -v 'Failed to set fd limit' >&2)
fi

[ -x "$SECRETS" ] || { echo "bench_vault: build $SECRETS first (make)" >&2; exit 2; }
. "$ROOT/tests/services.sh"
services_start >/dev/null
W=$(mktemp -d /tmp/bench-vault.XXXXXX)
cleanup() {
    [ -n "${GNUPGHOME:-}" ] && gpgconf --kill gpg-agent 2>/dev/null
    services_stop
    rm -rf "$W"
}
trap cleanup EXIT
cd "$W" || exit 2
export SECRETS_NO_KEYRING=0 SECRETS_PASSPHRASE_NOWARN=1
unset SECRETS_VAULT SECRETS_KEY_FILE SECRETS_PASSPHRASE SECRETS_PASSPHRASE_FILE

# median_ms CMD... : runs CMD $RUNS times (stdin from /dev/null) and prints the median in ms.
median_ms() {
    local t=() a b i
    for ((i = 0; i < RUNS; i++)); do
        a=$EPOCHREALTIME
        "$@" >/dev/null 2>&1 </dev/null
        b=$EPOCHREALTIME
        t+=("$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.3f", (b - a) * 1000 }')")
    done
    printf '%s\n' "${t[@]}" | sort -n | awk -v n="$RUNS" 'NR == int((n + 1) / 2) { print; exit }'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1f", a / b; else print "n/a" }'; }

# --- the vault: 10,000 generated secrets, filled in one write by a small helper --------------
cc -O2 -std=c11 -D_GNU_SOURCE -I"$ROOT" -I"$ROOT/common" -I"$ROOT/keys" -I"$ROOT/vault" \
    $(pkg-config --cflags libsodium) "$ROOT/tests/bench/bench_vault_fill.c" "$BUILD/libsuite.a" \
    $(pkg-config --libs libsodium libsecret-1 libcjson inih) -lm -o fill || exit 2
"$SECRETS" init --vault v.sv --key-file k.key --no-passphrase -q >/dev/null || exit 2
./fill v.sv k.key "$N" || exit 2
size=$(stat -c %s v.sv)
name=$(printf 'app/service-%05d/password' $((N * 4242 / 10000)))
printf 'bench-value-0123456789abcdef' >val
"$SECRETS" get "$name" --vault v.sv --key-file k.key >/dev/null || exit 2

startup=$(median_ms "$SECRETS" --version)
kf_get=$(median_ms "$SECRETS" get "$name" --vault v.sv --key-file k.key)
kf_set=$(median_ms "$SECRETS" set "$name" --from-file val --vault v.sv --key-file k.key -q)

kr_get=n/a kr_set=n/a
if [ "${SUITE_KEYRING:-}" = 1 ] &&
    "$SECRETS" unlock --remember --vault v.sv --key-file k.key -q >/dev/null 2>&1; then
    "$SECRETS" get "$name" --vault v.sv >/dev/null 2>&1 || echo "bench_vault: keyring get failed" >&2
    kr_get=$(median_ms "$SECRETS" get "$name" --vault v.sv)
    kr_set=$(median_ms "$SECRETS" set "$name" --from-file val --vault v.sv -q)
    "$SECRETS" lock --vault v.sv -q >/dev/null
else
    echo "bench_vault: no keyring on the bus; keyring figures skipped" >&2
fi

# --- pass: 10,000 entries, each a real GPG message to a passphrase-less key ------------------
pass_show=n/a pass_insert=n/a
if command -v pass >/dev/null && command -v gpg >/dev/null; then
    export GNUPGHOME=$W/gnupg PASSWORD_STORE_DIR=$W/store
    mkdir -m 700 "$GNUPGHOME"
    gpg --batch --quiet --passphrase '' --quick-gen-key bench@example.invalid future-default \
        default never 2>/dev/null
    pass init bench@example.invalid >/dev/null 2>&1
    printf 'bench-value\n' | pass insert -e app/seed >/dev/null 2>&1
    # Every entry is the same valid GPG message: 10,000 files in the tree, as pass keeps them.
    for ((i = 0; i < N; i++)); do printf '%s/app/service-%05d\n' "$PASSWORD_STORE_DIR" "$i"; done >dirs
    xargs -d '\n' mkdir -p <dirs
    sed 's|$|/password.gpg|' dirs |
        xargs -d '\n' -n 500 sh -c 'tee "$@" <"$0" >/dev/null' "$PASSWORD_STORE_DIR/app/seed.gpg"
    count=$(find "$PASSWORD_STORE_DIR" -name '*.gpg' | wc -l)
    if [ "$(pass show "$name" 2>/dev/null)" = bench-value ]; then
        pass_show=$(median_ms pass show "$name")
        pass_insert=$(median_ms sh -c "printf 'bench-value-2\n' | pass insert -f -e $name")
    else
        echo "bench_vault: pass show failed; pass figures skipped" >&2
    fi
else
    echo "bench_vault: pass or gpg missing (apt-get install pass gnupg); pass figures skipped" >&2
fi

# --- the curve: get and set against the number of secrets (key file) -------------------------
curve=()
for n in $CURVE; do
    rm -f c.sv c.sv.bak c.sv.lock
    "$SECRETS" init --vault c.sv --key-file k.key --no-passphrase -q >/dev/null || exit 2
    ./fill c.sv k.key "$n" || exit 2
    cname=$(printf 'app/service-%05d/password' $((n / 2)))
    "$SECRETS" get "$cname" --vault c.sv --key-file k.key >/dev/null || exit 2
    g=$(RUNS=$CURVE_RUNS median_ms "$SECRETS" get "$cname" --vault c.sv --key-file k.key)
    st=$(RUNS=$CURVE_RUNS median_ms "$SECRETS" set "$cname" --from-file val --vault c.sv --key-file k.key -q)
    curve+=("$(printf '  %9d secrets  %10d bytes  get %8s ms  set %8s ms' "$n" "$(stat -c %s c.sv)" "$g" "$st")")
done

echo "bench_vault: $N secrets, vault file $size bytes; median of $RUNS runs, wall time"
printf '  %-44s %8s ms\n' "secrets --version (process start-up)" "$startup"
printf '  %-44s %8s ms   (target <= 5)\n' "secrets get, key file" "$kf_get"
printf '  %-44s %8s ms   (target <= 15, fsync included)\n' "secrets set, key file" "$kf_set"
printf '  %-44s %8s ms   (target <= 12)\n' "secrets get, key cached in gnome-keyring" "$kr_get"
printf '  %-44s %8s ms\n' "secrets set, key cached in gnome-keyring" "$kr_set"
printf '  %-44s %8s ms   (%s entries)\n' "pass show (warm gpg-agent)" "$pass_show" "${count:-0}"
printf '  %-44s %8s ms\n' "pass insert -f" "$pass_insert"
echo "  ratios: pass show / secrets get (key file) = $(ratio "$pass_show" "$kf_get")x (target >= 5x);" \
    "pass show / secrets get (keyring) = $(ratio "$pass_show" "$kr_get")x;" \
    "pass insert / secrets set (key file) = $(ratio "$pass_insert" "$kf_set")x"
echo "  curve (key file, median of $CURVE_RUNS runs; target: get < 50 ms at 100,000):"
printf '%s\n' "${curve[@]}"
