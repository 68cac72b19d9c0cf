#!/usr/bin/env bash
# End-to-end: a vault a team shares: identities (keygen, ssh-ed25519), members added and removed
# (rekey, VAULT004 until rotated), hostile keys and identity files, tampered member slots,
# concurrent writers, a format-1 vault migrated, and the vault in real git repositories with two
# members changing it at the same time (textconv diff, merge driver).
. "$(dirname "$0")/lib.sh"

export SECRETS_NO_KEYRING=1 SECRETS_PASSPHRASE_NOWARN=1
unset SECRETS_VAULT SECRETS_KEY_FILE SECRETS_PASSPHRASE SECRETS_PASSPHRASE_FILE SECRETS_IDENTITY_FILE
export GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@example.invalid GIT_COMMITTER_NAME=t
export GIT_COMMITTER_EMAIL=t@example.invalid GIT_CONFIG_NOSYSTEM=1 HOME=${TMPDIR:-/tmp}

owner() { "$SECRETS" "$@" --vault "$TMP/v.sv" --key-file "$TMP/k.key"; }
as() {
    local who=$1
    shift
    "$SECRETS" "$@" --vault "$TMP/v.sv" --identity "$TMP/$who.id"
}
pub() { sed -n 's/^# public key: //p' "$TMP/$1.id"; }

# A key-file vault and identities for the names given.
team() {
    "$SECRETS" init --vault v.sv --key-file k.key --no-passphrase -q >/dev/null
    for w in "$@"; do
        "$SECRETS" keygen --output "$w.id" -q >"$w.pub" || fail "keygen $w"
        owner member add "$w" "$(pub "$w")" -q >/dev/null || fail "member add $w"
    done
}

t_keygen_writes_private_identity_and_prints_public_key() {
    run "$SECRETS" keygen --output me.id
    expect_rc 0
    expect_out '^age1[qpzry9x8gf2tvdw0s3jn54khce6mua7l]{58}$'
    expect_mode me.id 600
    grep -q '^AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58}$' me.id ||
        grep -Eq '^AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58}$' me.id ||
        fail "no identity line in me.id"
    [ "$(pub me)" = "$OUT" ] || fail "printed key differs from the file's comment"
    expect_no_out 'SECRET'
    # never overwritten, never through a symlink
    run "$SECRETS" keygen --output me.id
    expect_rc 2
    ln -s elsewhere link.id
    run "$SECRETS" keygen --output link.id
    expect_rc 2
    expect_no_file elsewhere
}

t_three_members_each_read_their_vault() {
    team alice bob carol
    printf 'db-pass-1' | owner set db/password -q >/dev/null
    for w in alice bob carol; do
        run as "$w" get db/password
        expect_rc 0
        [ "$OUT" = db-pass-1 ] || fail "$w read '$OUT'"
    done
    # a member writes, the others read it
    printf 'api-key-2' | as bob set api/key -q >/dev/null || fail "bob cannot set"
    run as carol get api/key
    [ "$OUT" = api-key-2 ] || fail "carol read '$OUT'"
    run as alice member list --format json
    expect_rc 0
    [ "$(jq -r '.members|map(.name)|join(",")' <<<"$OUT")" = alice,bob,carol ] || fail "list: $OUT"
    [ "$(jq -r '.members[1].recipient' <<<"$OUT")" = "$(cat bob.pub)" ] || fail "bob's key"
    # an identity that is not a member, and no identity at all
    "$SECRETS" keygen --output eve.id -q >/dev/null
    run as eve get db/password
    expect_rc 2
    expect_err 'not a member'
    expect_no_out 'db-pass'
    # the same key twice, the same name twice
    run owner member add alice2 "$(pub alice)"
    expect_rc 2
    expect_err "already the key of member 'alice'"
    run owner member add alice "$(pub eve)"
    expect_rc 2
    expect_err "already a member"
}

t_removed_member_opens_nothing_written_after() {
    team alice bob
    printf 'before-removal' | owner set svc/token -q >/dev/null
    printf 'also-before' | owner set svc/other -q >/dev/null
    cp v.sv bob-clone.sv
    run owner member rm bob
    expect_rc 0
    expect_out "could read 2 secrets"
    expect_out '^  svc/other$'
    expect_out '^  svc/token$'
    expect_no_out 'before-removal'
    run as bob get svc/token
    expect_rc 2
    expect_err 'not a member'
    # bob's old copy still opens with his key (that is why rotation is advised) ...
    run "$SECRETS" get svc/token --vault bob-clone.sv --identity bob.id
    [ "$OUT" = before-removal ] || fail "bob's clone: '$OUT'"
    # ... but its data key opens nothing written after the removal: the new body under the old
    # header is refused.
    sleep 1
    printf 'after-removal' | as alice set svc/token -q >/dev/null
    python3 - v.sv bob-clone.sv spliced.sv <<'PY'
import struct, sys
new, old = open(sys.argv[1], 'rb').read(), open(sys.argv[2], 'rb').read()
hn, ho = struct.unpack_from('<I', new, 12)[0], struct.unpack_from('<I', old, 12)[0]
open(sys.argv[3], 'wb').write(old[:ho] + new[hn:])
PY
    chmod 600 spliced.sv
    run "$SECRETS" get svc/token --vault spliced.sv --identity bob.id
    expect_rc 2
    expect_no_out 'after-removal'
    # VAULT004 lists what bob could read until each is rotated
    run as alice check --format json
    expect_rc 1
    [ "$(jq -r '[.findings[]|select(.rule=="VAULT004")|.location.path]|join(",")' <<<"$OUT")" = svc/other ] ||
        fail "VAULT004: $OUT"
    as alice rotate svc/other -q >/dev/null
    run as alice check
    expect_rc 0
    # a rollback to a version from before the removal brings back a value bob knows
    as alice rollback svc/other --to 1 -q >/dev/null
    run as alice check
    expect_rc 1
    expect_out "\[VAULT004\] secret 'svc/other' was readable by 'bob'"
    as alice rollback svc/other --to 2 -q >/dev/null
    run as alice check
    expect_rc 0
    run as alice member list --format json
    [ "$(jq -r '.removed[0].name' <<<"$OUT")" = bob ] || fail "removal record: $OUT"
}

t_ssh_ed25519_keys_are_members() {
    command -v ssh-keygen >/dev/null || skip "ssh-keygen missing"
    team alice
    ssh-keygen -q -t ed25519 -N '' -C dev@laptop -f dev >/dev/null || fail "ssh-keygen"
    run owner member add dev @dev.pub
    expect_rc 0
    printf 'shared' | owner set x -q >/dev/null
    run "$SECRETS" get x --vault v.sv --identity dev
    expect_rc 0
    [ "$OUT" = shared ] || fail "ssh identity read '$OUT'"
    run as alice member list
    expect_out '^dev +ssh-ed25519 AAAAC3NzaC1lZDI1NTE5'
    # an encrypted OpenSSH key and an RSA key are refused with the reason
    ssh-keygen -q -t ed25519 -N 'pw-123456' -f enc >/dev/null
    run "$SECRETS" get x --vault v.sv --identity enc
    expect_rc 2
    expect_err 'enc:1: .*encrypted with a passphrase'
    ssh-keygen -q -t rsa -b 1024 -N '' -f rsa >/dev/null 2>&1 || ssh-keygen -q -t rsa -N '' -f rsa
    run owner member add r @rsa.pub
    expect_rc 2
    expect_err 'only ssh-ed25519'
}

t_hostile_keys_and_identity_files() {
    team alice
    local k bad
    k=$(pub alice)
    # one character changed: the checksum catches it
    bad=${k:0:10}$([ "${k:10:1}" = q ] && echo p || echo q)${k:11}
    run owner member add typo "$bad"
    expect_rc 2
    expect_err 'bad checksum'
    run owner member add typo "${k:0:40}"
    expect_rc 2
    run owner member add typo "AGE-SECRET-KEY-1QQQQ"
    expect_rc 2
    expect_err 'secret key'
    run owner member add 'bad name' "$k"
    expect_rc 2
    run owner member add typo "$(echo "$k" | tr a-z A-Z | sed 's/^AGE/age/')"
    expect_rc 2
    expect_err 'mixed'
    # identity files: truncated, permissive, symlinked, garbage
    head -c 40 alice.id >trunc.id && chmod 600 trunc.id
    run "$SECRETS" get x --vault v.sv --identity trunc.id
    expect_rc 2
    expect_err 'trunc.id:[0-9]+: '
    grep -v '^#' alice.id | head -c 50 >short.id && chmod 600 short.id
    run "$SECRETS" get x --vault v.sv --identity short.id
    expect_rc 2
    expect_err 'short.id:1: identity: bech32'
    cp alice.id open.id && chmod 644 open.id
    run "$SECRETS" get x --vault v.sv --identity open.id
    expect_rc 2
    expect_err 'accessible by other users'
    ln -s alice.id link.id
    run "$SECRETS" get x --vault v.sv --identity link.id
    expect_rc 2
    expect_err 'symbolic link'
    head -c 3000 /dev/urandom >rand.id && chmod 600 rand.id
    run "$SECRETS" get x --vault v.sv --identity rand.id
    expect_rc 2
    expect_no_out .
}

# A member slot changed: refused as damage, whether or not the header checksum is recomputed.
t_tampered_member_slot_detected() {
    team alice bob
    printf 'v' | owner set x -q >/dev/null
    python3 - v.sv <<'PY'
import hashlib, struct, sys
d = bytearray(open(sys.argv[1], 'rb').read())
i = d.index(b'bob') + 3          # first byte of bob's public key
for fix, name in ((False, 'raw.sv'), (True, 'fixed.sv')):
    t = bytearray(d)
    t[i] ^= 1
    if fix:
        h = struct.unpack_from('<I', t, 12)[0]
        t[h - 32:h] = hashlib.blake2b(bytes(t[:h - 32]), digest_size=32).digest()
    open(name, 'wb').write(t)
PY
    chmod 600 raw.sv fixed.sv
    for f in raw.sv fixed.sv; do
        for w in alice bob; do
            run "$SECRETS" get x --vault "$f" --identity "$w.id"
            expect_rc 2
            expect_err 'corrupted or was modified|not a member'
        done
        run "$SECRETS" get x --vault "$f" --key-file k.key
        expect_rc 2
        expect_err 'corrupted or was modified'
    done
}

# member add and set at the same time: the writer lock keeps every change.
t_concurrent_member_add_and_set() {
    team alice
    local i
    for i in 1 2 3 4 5 6; do "$SECRETS" keygen --output "m$i.id" -q >/dev/null; done
    (for i in 1 2 3 4 5 6; do owner member add "m$i" "$(pub "m$i")" -q >/dev/null || echo "add m$i failed"; done) >adds.log 2>&1 &
    (for i in 1 2 3 4 5 6 7 8 9 10; do printf "value-$i" | as alice set "k$i" -q >/dev/null || echo "set k$i failed"; done) >sets.log 2>&1 &
    wait
    [ ! -s adds.log ] || fail "$(cat adds.log)"
    [ ! -s sets.log ] || fail "$(cat sets.log)"
    run as m6 list --format json
    expect_rc 0
    [ "$(jq length <<<"$OUT")" = 10 ] || fail "expected 10 secrets: $OUT"
    run as m3 member list --format json
    [ "$(jq '.members|length' <<<"$OUT")" = 7 ] || fail "expected 7 members: $OUT"
}

t_format_1_vault_read_and_migrated() {
    cp "$FIXTURES/vault/v1.sv" old.sv
    cp "$FIXTURES/vault/v1.key" old.key
    chmod 600 old.sv old.key
    [ "$(od -An -tu2 -j8 -N2 old.sv | tr -d ' ')" = 1 ] || fail "fixture is not format 1"
    run "$SECRETS" get app/token --vault old.sv --key-file old.key
    expect_rc 0
    [ "$OUT" = old-format-value ] || fail "read '$OUT'"
    "$SECRETS" keygen --output a.id -q >a.pub
    run "$SECRETS" member add a "$(cat a.pub)" --vault old.sv --key-file old.key
    expect_rc 0
    [ "$(od -An -tu2 -j8 -N2 old.sv | tr -d ' ')" = 3 ] || fail "not migrated to format 3"
    run "$SECRETS" get app/token --vault old.sv --identity a.id
    [ "$OUT" = old-format-value ] || fail "after migration: '$OUT'"
}

# Two members, two clones, changes at the same time; git diff shows no value.
t_git_two_members_merge() {
    command -v git >/dev/null || skip "git missing"
    "$SECRETS" keygen --output alice.id -q >/dev/null
    "$SECRETS" keygen --output bob.id -q >/dev/null
    git init -q -b main origin.git --bare
    git clone -q origin.git a 2>/dev/null
    (
        cd a || exit 1
        "$SECRETS" init --vault team.sv --key-file ../k.key --no-passphrase -q >/dev/null
        "$SECRETS" member add alice "$(pub alice)" --vault team.sv --key-file ../k.key -q >/dev/null
        "$SECRETS" member add bob "$(pub bob)" --vault team.sv --key-file ../k.key -q >/dev/null
        printf 'shared-1' | "$SECRETS" set shared --vault team.sv --key-file ../k.key -q >/dev/null
        "$SECRETS" git-setup -q >/dev/null
        git add .gitattributes team.sv && git commit -qm init && git push -q origin main
    ) || fail "alice's setup"
    grep -qx '\*.sv diff=secrets-vault merge=secrets-vault' a/.gitattributes || fail ".gitattributes"
    [ -z "$(git -C a status --porcelain)" ] || fail "lock/backup files not excluded: $(git -C a status --porcelain)"
    git clone -q origin.git b 2>/dev/null
    (cd b && "$SECRETS" git-setup -q >/dev/null) || fail "bob's git-setup"
    # concurrent changes to different secrets
    export SECRETS_IDENTITY_FILE=$TMP/alice.id
    printf 'alice-value-XYZ' | "$SECRETS" set from/alice --vault a/team.sv -q >/dev/null
    git -C a commit -qam "alice" && git -C a push -q origin main || fail "alice push"
    export SECRETS_IDENTITY_FILE=$TMP/bob.id
    printf 'bob-value-QRS' | "$SECRETS" set from/bob --vault b/team.sv -q >/dev/null
    run git -C b diff
    expect_out '^\+secret from/bob version 1'
    expect_no_out 'bob-value-QRS'
    git -C b commit -qam "bob" || fail "bob commit"
    run git -C b pull -q --no-rebase origin main
    expect_rc 0
    run "$SECRETS" list --vault b/team.sv --format json
    [ "$(jq -r 'map(.name)|join(",")' <<<"$OUT")" = from/alice,from/bob,shared ] || fail "merged: $OUT"
    run "$SECRETS" get from/alice --vault b/team.sv
    [ "$OUT" = alice-value-XYZ ] || fail "merged value '$OUT'"
    run git -C b log -1 -p
    expect_no_out 'value-'
    git -C b push -q origin main || fail "bob push"
    # the same secret on both sides: a conflict that names it; ours left as it was
    export SECRETS_IDENTITY_FILE=$TMP/alice.id
    git -C a pull -q --no-rebase origin main || fail "alice pull"
    printf 'alice-2' | "$SECRETS" set shared --vault a/team.sv -q >/dev/null
    git -C a commit -qam "alice shared" && git -C a push -q origin main
    export SECRETS_IDENTITY_FILE=$TMP/bob.id
    printf 'bob-2' | "$SECRETS" set shared --vault b/team.sv -q >/dev/null
    printf 'bob-3' | "$SECRETS" set from/bob --vault b/team.sv -q >/dev/null
    git -C b commit -qam "bob shared"
    run git -C b pull --no-rebase origin main
    [ "$RC" -ne 0 ] || fail "conflict not reported"
    expect_err "changed on both sides: 'shared'"
    run "$SECRETS" get shared --vault b/team.sv
    [ "$OUT" = bob-2 ] || fail "ours not kept: '$OUT'"
    # a member removed on one side (new data key) and a secret added on the other
    git -C b merge --abort
    git -C b reset -q --hard origin/main
    export SECRETS_IDENTITY_FILE=
    "$SECRETS" member rm bob --vault a/team.sv --key-file k.key -q >/dev/null || fail "rm bob"
    git -C a commit -qam "rm bob" && git -C a push -q origin main
    export SECRETS_IDENTITY_FILE=$TMP/alice.id
    git clone -q origin.git c 2>/dev/null && (cd c && git reset -q --hard HEAD~1 && "$SECRETS" git-setup -q >/dev/null)
    printf 'c-value' | "$SECRETS" set from/c --vault c/team.sv -q >/dev/null
    git -C c commit -qam "c"
    run git -C c pull -q --no-rebase origin main
    expect_rc 0
    run "$SECRETS" get from/c --vault c/team.sv
    [ "$OUT" = c-value ] || fail "c's secret lost: '$OUT'"
    run "$SECRETS" get from/c --vault c/team.sv --identity bob.id
    expect_rc 2
    expect_err 'not a member'
}

# A vault only members open: the key file removed, members added and removed with identities
# alone (a member slot is re-wrapped with the public key); the last way in is never removed.
t_members_only_vault() {
    team a b
    run "$SECRETS" passwd --remove-key-files --vault v.sv --identity a.id
    expect_rc 0
    run owner get x
    expect_rc 2
    printf 'z' | as b set s -q >/dev/null || fail "b cannot set"
    run as a member rm b
    expect_rc 0
    run as b get s
    expect_rc 2
    run as a member rm a
    expect_rc 2
    expect_err "'a' is the last way into this vault"
    run as a get s
    [ "$OUT" = z ] || fail "a read '$OUT'"
}

# SECRETS_IDENTITY_FILE exported for team vaults does not break a vault without members (the
# next source is asked); an explicit --identity there is an error.
t_identity_env_and_personal_vault() {
    "$SECRETS" keygen --output me.id -q >/dev/null
    "$SECRETS" init --vault own.sv --key-file own.key --no-passphrase -q >/dev/null
    printf 'mine' | "$SECRETS" set a --vault own.sv --key-file own.key -q >/dev/null
    SECRETS_IDENTITY_FILE=$TMP/me.id SECRETS_KEY_FILE=$TMP/own.key run "$SECRETS" get a --vault own.sv
    expect_rc 0
    [ "$OUT" = mine ] || fail "read '$OUT'"
    run "$SECRETS" get a --vault own.sv --identity me.id
    expect_rc 2
    expect_err 'no members'
}

# A real pass store, encrypted to a throwaway gpg key: every entry decrypted through gpg.
t_import_pass_store_through_gpg() {
    command -v gpg >/dev/null && command -v pass >/dev/null || skip "gpg or pass missing"
    export GNUPGHOME=$TMP/gnupg PASSWORD_STORE_DIR=$TMP/store
    mkdir -m 700 gnupg
    gpg --batch --passphrase '' --quick-gen-key 'Throwaway <throwaway@example.invalid>' \
        future-default default never >/dev/null 2>&1 || fail "gpg key"
    pass init throwaway@example.invalid >/dev/null || fail "pass init"
    printf 'pg-from-pass\n' | pass insert -e prod/db/password >/dev/null
    printf 'line1\nline2\n' | pass insert -m prod/tls/note >/dev/null
    ln -s /etc/passwd store/link.gpg
    "$SECRETS" init --vault v.sv --key-file k.key --no-passphrase -q >/dev/null
    run owner import --pass store
    expect_rc 0
    expect_out '^new +prod/db/password \(version 1\)'
    expect_no_out 'pg-from-pass|link'
    run owner get prod/db/password
    [ "$OUT" = pg-from-pass ] || fail "value '$OUT'"
    owner get prod/tls/note >note
    printf 'line1\nline2' | cmp -s - note || fail "multi-line entry changed"
    # again: nothing changes
    run owner import --pass store
    expect_out '^unchanged prod/db/password'
    # without the secret key, or with a name the vault refuses: exit 2, nothing imported
    printf 'x\n' | pass insert -e 'bad name' >/dev/null
    run owner import --pass store
    expect_rc 2
    expect_err "bad name.gpg: 'bad name' is not a secret name"
    rm "store/bad name.gpg"
    printf 'y\n' | pass insert -e prod/new >/dev/null
    GNUPGHOME=$TMP/empty run owner import --pass store
    expect_rc 2
    expect_err 'gpg could not decrypt'
    run owner get prod/new
    expect_rc 2
}

e2e_main
