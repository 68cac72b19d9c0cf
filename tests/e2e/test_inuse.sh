#!/usr/bin/env bash
# End-to-end: secrets in use: create-file (modes, O_EXCL, symlinks, hostile names, exact bytes),
# export in every format parsed back, import and the vault -> env -> import -> vault round trip
# with hostile values, and run (environment, files, clean-up after a signal, exit status).
. "$(dirname "$0")/lib.sh"

export SECRETS_NO_KEYRING=1
unset SECRETS_PASSPHRASE SECRETS_PASSPHRASE_FILE XDG_RUNTIME_DIR

mk() {
    export SECRETS_VAULT=$TMP/v.sv SECRETS_KEY_FILE=$TMP/k.key
    "$SECRETS" init --no-passphrase --key-file "$TMP/k.key" -q >/dev/null || fail "init failed"
}

# A hostile value set, one file per value, stored under names that are valid variables.
hostile_values() {
    mkdir -p vals
    printf 'a"b'"'"'c d' >vals/QUOTES
    printf 'price $5 and ${HOME} and $$ and $(id)' >vals/DOLLAR
    printf 'x #not a comment # y' >vals/HASH
    printf '  lead and trail  ' >vals/SPACES
    printf 'line1\nline2\n\nline4\n' >vals/MULTI
    printf 'back\\slash\\n not a newline\\' >vals/BACKSLASH
    printf 'tab\there\rcr' >vals/CONTROL
    printf 'k=v=w; export X=1' >vals/EQUALS
    printf 'caf\xc3\xa9 \xe2\x82\xac' >vals/UNICODE
    for f in vals/*; do
        "$SECRETS" set "$(basename "$f")" --from-file "$f" -q >/dev/null || fail "set $f"
    done
}

t_create_file_stdin_exact_bytes_mode_dir() {
    printf 'line1\nline2\0after-nul' >val
    "$SECRETS" create-file --name db-password <val >out 2>err
    [ $? -eq 0 ] || fail "create-file failed: $(cat err)"
    cmp -s val secrets/db-password || fail "file bytes differ from the value"
    expect_mode secrets 700
    expect_mode secrets/db-password 400
    grep -q 'file: ./secrets/db-password' err || fail "no compose secrets entry"
    grep -q -- '- db-password' err || fail "no service secrets line"
    grep -q '/run/secrets/db-password' err || fail "no /run/secrets path"
    grep -q 'POSTGRES_PASSWORD_FILE' err || fail "no _FILE convention"
    grep -q 'without Swarm bind-mounts' err || fail "no bind-mount ownership warning"
    ! grep -q 'after-nul' err out || fail "value printed"
    # --quiet: the file is written and nothing is said.
    printf 'q' | "$SECRETS" create-file --name quiet-one -q >out 2>err
    [ $? -eq 0 ] || fail "create-file -q failed"
    [ -s out ] || [ -s err ] && fail "create-file -q printed: $(cat out err)"
    [ "$(cat secrets/quiet-one)" = q ] || fail "create-file -q did not write the value"
}

t_create_file_refuses_existing_then_force_replaces() {
    printf 'one' | "$SECRETS" create-file --name tok --dir d -q 2>/dev/null
    ino=$(stat -c %i d/tok)
    run_stdin 'two' "$SECRETS" create-file --name tok --dir d
    expect_rc 2
    expect_err 'already exists'
    [ "$(cat d/tok)" = one ] || fail "existing file changed without --force"
    run_stdin 'two' "$SECRETS" create-file --name tok --dir d --force --mode 0440
    expect_rc 0
    [ "$(cat d/tok)" = two ] || fail "--force did not replace"
    [ "$(stat -c %i d/tok)" != "$ino" ] || fail "--force wrote in place, not a rename"
    expect_mode d/tok 440
    [ -z "$(ls -A d | grep -v '^tok$')" ] || fail "temp file left: $(ls -A d)"
}

t_create_file_symlink_target_and_parent_refused() {
    mkdir d real
    printf 'victim' >victim
    ln -s ../victim d/tok
    run_stdin 'evil' "$SECRETS" create-file --name tok --dir d
    expect_rc 2
    expect_err 'symlink'
    run_stdin 'evil' "$SECRETS" create-file --name tok --dir d --force
    expect_rc 2
    expect_err 'symlink'
    [ "$(cat victim)" = victim ] || fail "symlink target changed"
    # a symlinked directory component, at the end and in the middle
    ln -s real linkdir
    run_stdin 'evil' "$SECRETS" create-file --name tok --dir linkdir
    expect_rc 2
    expect_err "'linkdir' is a symlink"
    run_stdin 'evil' "$SECRETS" create-file --name tok --dir linkdir/sub
    expect_rc 2
    expect_err 'symlink'
    [ -z "$(ls -A real)" ] || fail "wrote through a symlinked directory"
}

t_create_file_hostile_names() {
    for n in '../x' 'a/b' '-rf' '.hidden' '..' '' 'sp ace' "$(printf 'nl\nx')" \
        "$(head -c 300 /dev/zero | tr '\0' a)"; do
        run_stdin 'v' "$SECRETS" create-file --name "$n" --dir d
        expect_rc 2
        [ -z "$OUT" ] || fail "stdout not empty for '$n'"
    done
    [ ! -e d ] || [ -z "$(ls -A d)" ] || fail "a file was written for a hostile name"
    [ ! -e x ] || fail "../x escaped"
    run_stdin 'v' "$SECRETS" create-file --dir d
    expect_rc 2
    expect_err 'name NAME is required'
}

t_create_file_sources_value_vault_generate() {
    mk
    printf 'from\nvault' | "$SECRETS" set app/db -q >/dev/null
    run "$SECRETS" create-file --name db --from-vault app/db
    expect_rc 0
    [ "$(printf 'from\nvault')" = "$(cat secrets/db)" ] || fail "--from-vault KEY value differs"
    printf 'same-name' | "$SECRETS" set api -q >/dev/null
    run "$SECRETS" create-file --name api --from-vault
    expect_rc 0
    [ "$(cat secrets/api)" = same-name ] || fail "--from-vault default KEY"
    run "$SECRETS" create-file --name gen --generate --length 48 --charset hex
    expect_rc 0
    [ "$(stat -c %s secrets/gen)" -eq 48 ] || fail "--generate length"
    grep -Eq '^[0-9a-f]{48}$' secrets/gen || fail "--generate charset"
    run "$SECRETS" create-file --name argv --value 'argv-value-123'
    expect_rc 0
    expect_err 'other users can see it'
    expect_nowhere 'argv-value-123'
    run "$SECRETS" create-file --name missing --from-vault nope
    expect_rc 2
    expect_no_file secrets/missing
    run "$SECRETS" create-file --name x --value a --generate
    expect_rc 2
}

t_create_file_ownership() {
    if [ "$(id -u)" -ne 0 ]; then
        run_stdin v "$SECRETS" create-file --name o --uid 1234
        expect_rc 2
        expect_err 'need root'
        return
    fi
    run_stdin v "$SECRETS" create-file --name o --uid 1234 --gid 2345
    expect_rc 0
    [ "$(stat -c %u:%g secrets/o)" = 1234:2345 ] || fail "owner $(stat -c %u:%g secrets/o)"
    expect_err 'uid 1234'
}

t_export_env_round_trip_hostile() {
    mk
    hostile_values
    run "$SECRETS" export --format env --output out.env
    expect_rc 0
    expect_mode out.env 600
    # our own validator lexes it without a syntax error
    "$SECRETS" validate --env-file out.env --fail-on critical >/dev/null 2>val.err
    ! grep -q 'ENV001' val.err || fail "export is not valid .env syntax"
    # into a second vault, then every value compared byte for byte
    export SECRETS_VAULT=$TMP/v2.sv
    "$SECRETS" init --no-passphrase --key-file "$TMP/k.key" -q >/dev/null
    run "$SECRETS" import --env-file out.env
    expect_rc 0
    for f in vals/*; do
        "$SECRETS" get "$(basename "$f")" >got
        cmp -s "$f" got || fail "$(basename "$f") did not round-trip: $(od -c got | head -3)"
    done
    # importing again changes nothing; history unchanged
    run "$SECRETS" import --env-file out.env
    expect_rc 0
    expect_out 'unchanged MULTI \(version 1\)'
}

t_export_env_through_python_dotenv_like_reader() {
    mk
    hostile_values
    "$SECRETS" export --format env >out.env || fail "export"
    # a reader independent of ours: the Compose double-quote rules applied in Python
    python3 - out.env vals <<'PY' || fail "python reader disagrees"
import sys, os, re
text = open(sys.argv[1], 'rb').read().decode()
esc = {'n': '\n', 'r': '\r', 't': '\t', 'v': '\v', 'f': '\f', 'a': '\a', 'b': '\b'}
for line in text.splitlines():
    k, v = line.split('=', 1)
    assert v[0] == '"' and v[-1] == '"', line
    body, out, i = v[1:-1], '', 0
    while i < len(body):
        c = body[i]
        if c == '\\':
            out += esc.get(body[i + 1], body[i + 1]); i += 2
        elif c == '$':
            assert body[i + 1] == '$', line; out += '$'; i += 2
        else:
            out += c; i += 1
    want = open(os.path.join(sys.argv[2], k), 'rb').read().decode()
    assert out == want, (k, out, want)
PY
}

t_export_json_k8s_compose_parsed_back() {
    mk
    hostile_values
    printf 'bin\0ary\xff' >vals/BIN
    "$SECRETS" set BIN --from-file vals/BIN -q >/dev/null
    run "$SECRETS" export --format json MULTI QUOTES UNICODE
    expect_rc 0
    python3 -c 'import json,sys; d=json.load(open(sys.argv[1]));
assert d["MULTI"]=="line1\nline2\n\nline4\n" and d["QUOTES"]=="a\"b'"'"'c d" and d["UNICODE"]=="café €", d' "$TMP/.out" ||
        fail "json not parsed back"
    run "$SECRETS" export --format json BIN
    expect_rc 2
    expect_err 'NUL byte'
    printf 'latin1 \xe9' | "$SECRETS" set LATIN -q >/dev/null
    run "$SECRETS" export --format json LATIN
    expect_rc 2
    expect_err 'not UTF-8'
    "$SECRETS" rm --purge LATIN -q >/dev/null
    run "$SECRETS" export --format env BIN
    expect_rc 2
    expect_err 'NUL byte'
    run "$SECRETS" export --format k8s --name web-secrets --namespace prod
    expect_rc 0
    python3 -c 'import yaml,sys,base64,os
d=yaml.safe_load(open(sys.argv[1]))
assert d["kind"]=="Secret" and d["metadata"]=={"name":"web-secrets","namespace":"prod"}
for k,v in d["data"].items():
    assert base64.b64decode(v)==open(os.path.join("vals",k),"rb").read(), k
assert len(d["data"])==10' "$TMP/.out" || fail "k8s manifest not parsed back"
    run "$SECRETS" export --format k8s --name Bad_Name
    expect_rc 2
    run "$SECRETS" export --format compose --dir ./s --service api QUOTES MULTI
    expect_rc 0
    python3 -c 'import yaml,sys
d=yaml.safe_load(open(sys.argv[1]))
assert d["secrets"]=={"QUOTES":{"file":"./s/QUOTES"},"MULTI":{"file":"./s/MULTI"}}, d
assert d["services"]["api"]["secrets"]==["QUOTES","MULTI"], d' "$TMP/.out" || fail "compose not parsed back"
    expect_nowhere 'line2'
}

t_export_docker_secrets_and_collisions() {
    mk
    printf 'x\0y' | "$SECRETS" set app/db -q >/dev/null
    printf 'two' | "$SECRETS" set other -q >/dev/null
    run "$SECRETS" export --format docker-secrets --dir out
    expect_rc 0
    expect_mode out 700
    expect_mode out/app_db 400
    printf 'x\0y' | cmp -s - out/app_db || fail "NUL value not byte-exact"
    run "$SECRETS" export --format docker-secrets --dir out
    expect_rc 2
    expect_err 'already exists'
    printf 'z' | "$SECRETS" set app_db -q >/dev/null
    run "$SECRETS" export --format env
    expect_rc 2
    expect_err "both become 'app_db'"
    run "$SECRETS" export --format yaml
    expect_rc 2
    run "$SECRETS" export --format env nope
    expect_rc 2
}

t_import_errors_dry_run_versions() {
    mk
    printf 'A=1\nB="unterminated\nC=3\n' >bad.env
    run "$SECRETS" import --env-file bad.env
    expect_rc 2
    expect_err 'bad.env:2:'
    run "$SECRETS" list
    ! grep -q '^A ' "$TMP/.out" || fail "something was imported from a bad file"
    printf 'A=1\nbad[key]=2\n' >badname.env
    run "$SECRETS" import --env-file badname.env
    expect_rc 2
    expect_err 'badname.env:2'
    printf 'x' | "$SECRETS" set A -q >/dev/null
    printf 'A=new\nB="b b"\n' >ok.env
    run "$SECRETS" import --env-file ok.env --dry-run
    expect_rc 0
    expect_out 'update +A \(version 2\)'
    expect_out 'new +B \(version 1\)'
    [ "$("$SECRETS" get A)" = x ] || fail "--dry-run wrote"
    run "$SECRETS" import --env-file ok.env
    expect_rc 0
    [ "$("$SECRETS" get A)" = new ] || fail "import did not update"
    [ "$("$SECRETS" get A --version 1)" = x ] || fail "history lost"
    printf '{"J": "multi\\nline \\"q\\"", "K": 5}' >bad.json
    run "$SECRETS" import --json bad.json
    expect_rc 2
    expect_err 'not a string'
    printf '{"J": "multi\\nline \\"q\\""}' >ok.json
    run "$SECRETS" import --json ok.json
    expect_rc 0
    [ "$("$SECRETS" get J)" = "$(printf 'multi\nline "q"')" ] || fail "json value"
    printf '{"J": ' >trunc.json
    run "$SECRETS" import --json trunc.json
    expect_rc 2
    # An escaped NUL would be cut short by the JSON parser: refused, nothing written; an
    # escaped backslash followed by "u0000" is ordinary text and imports exactly.
    printf '{"N1": "ok", "N2": "before\\u0000after"}' >nul.json
    run "$SECRETS" import --json nul.json
    expect_rc 2
    expect_err 'nul.json:1: a value holds a NUL byte'
    run "$SECRETS" list
    expect_no_out 'N1'
    printf '{"N3": "a\\\\u0000b"}' >bs.json
    run "$SECRETS" import --json bs.json
    expect_rc 0
    [ "$("$SECRETS" get N3)" = 'a\u0000b' ] || fail "escaped backslash + u0000 not kept"
    ln -s ok.env link.env
    run "$SECRETS" import --env-file link.env
    expect_rc 2
}

t_run_env_exit_code_no_shell() {
    mk
    printf 'p@ss $word; `id`' | "$SECRETS" set db-password -q >/dev/null
    run "$SECRETS" run --env PW=db-password -- sh -c 'printf "%s" "$PW" >got; exit 7'
    expect_rc 7
    [ "$(cat got)" = 'p@ss $word; `id`' ] || fail "value in env differs: $(cat got)"
    run "$SECRETS" run --all -- env
    expect_rc 0
    expect_out '^db_password=p@ss'
    # no shell: the arguments reach the program as they are
    run "$SECRETS" run --all -- printf '%s|' 'a b' '$HOME' ';true'
    expect_out '^a b\|\$HOME\|;true\|$'
    run "$SECRETS" run --all -- /nonexistent/cmd
    expect_rc 127
    run "$SECRETS" run -- true
    expect_rc 2
    run "$SECRETS" run --env '1X=db-password' -- true
    expect_rc 2
}

t_run_as_files_cleanup_after_exit_and_signal() {
    mk
    printf 'file\0value\n' >val
    "$SECRETS" set db-password --from-file val -q >/dev/null
    export XDG_RUNTIME_DIR=$TMP/rt
    mkdir -m 700 rt
    run "$SECRETS" run --env PW=db-password --as-files -- sh -c \
        'echo "$PW_FILE" >where; [ -z "${PW+x}" ] || echo PW-set >>where; stat -c %a "$(dirname "$PW_FILE")" >>where; stat -c %a "$PW_FILE" >>where; cp "$PW_FILE" copy'
    expect_rc 0
    cmp -s val copy || fail "file value differs"
    grep -q "^$TMP/rt/secrets-run\." where || fail "not under XDG_RUNTIME_DIR: $(cat where)"
    ! grep -q PW-set where || fail "PW set in --as-files mode"
    [ "$(sed -n 2p where)" = 700 ] && [ "$(sed -n 3p where)" = 400 ] || fail "modes: $(cat where)"
    [ -z "$(ls -A rt)" ] || fail "directory left after exit: $(ls -A rt)"
    # SIGTERM and SIGINT while the child runs: the child gets it, the files go
    for sig in TERM INT; do
        "$SECRETS" run --env PW=db-password --as-files -- sh -c 'echo "$PW_FILE" >where2; exec sleep 20' &
        pid=$!
        for _ in $(seq 50); do [ -s where2 ] && break; sleep 0.1; done
        [ -f "$(cat where2)" ] || fail "file missing while running"
        kill -$sig $pid
        wait $pid
        rc=$?
        [ $rc -ge 128 ] || fail "SIG$sig: exit $rc"
        [ ! -e "$(dirname "$(cat where2)")" ] || fail "SIG$sig: directory left behind"
        rm -f where2
    done
}

# The secret store of the test Podman service (its file driver keeps the bytes base64-encoded).
podman_secret_bytes() {
    local root
    root=$(printf '%s' "$SUITE_PODMAN" | sed -n 's/.*--root \([^ ]*\).*/\1/p')
    python3 -c 'import json,sys,base64
d=json.load(open(sys.argv[1]+"/secrets/filedriver/secretsdata.json"))
sys.stdout.buffer.write(base64.b64decode(d[sys.argv[2]]))' "$root" "$1"
}

t_push_to_podman_engine() {
    if [ -z "${SUITE_PODMAN:-}" ] || [ -z "${DOCKER_HOST:-}" ]; then
        fail "no Podman service (tests/services.sh starts it)"
        return
    fi
    mk
    local p=ps$$
    printf 'pushed\0bytes\n"$' >val
    "$SECRETS" set "$p/db" --from-file val -q >/dev/null
    run "$SECRETS" push "$p/db" --dry-run
    expect_rc 0
    expect_out "create +${p}_db \(from $p/db version 1\)"
    $SUITE_PODMAN secret inspect "${p}_db" >/dev/null 2>&1 && fail "--dry-run created it"
    run "$SECRETS" push "$p/db"
    expect_rc 0
    expect_out "created +${p}_db "
    id=$($SUITE_PODMAN secret inspect --format '{{.ID}}' "${p}_db") || fail "not in the engine"
    podman_secret_bytes "$id" >got
    cmp -s val got || fail "engine secret bytes differ"
    expect_nowhere 'pushed'
    # immutable: a second push leaves it; --versioned creates NAME_vN after a new version
    printf 'v2' | "$SECRETS" set "$p/db" -q >/dev/null
    run "$SECRETS" push "$p/db"
    expect_rc 0
    expect_out "exists +${p}_db"
    [ "$($SUITE_PODMAN secret inspect --format '{{.ID}}' "${p}_db")" = "$id" ] || fail "replaced"
    run "$SECRETS" push --versioned "$p/db"
    expect_rc 0
    expect_out "created +${p}_db_v2"
    podman_secret_bytes "$($SUITE_PODMAN secret inspect --format '{{.ID}}' "${p}_db_v2")" >got2
    [ "$(cat got2)" = v2 ] || fail "versioned secret bytes"
    $SUITE_PODMAN secret rm "${p}_db" "${p}_db_v2" >/dev/null 2>&1
    DOCKER_HOST=unix:///nonexistent/engine.sock run "$SECRETS" push "$p/db"
    expect_rc 2
    expect_err 'nonexistent'
}

# `import --sops`: SOPS values are AES-256-GCM, so the real `sops` decrypts them. sops is not
# packaged for Debian 12, so these tests put a stand-in `sops` on PATH (a mock, and only here):
# it checks the arguments and the SOPS_AGE_KEY_FILE it is given, and prints the decrypted JSON
# as sops would. Without any sops the import fails clearly and writes nothing.
t_import_sops() {
    mk
    local tok
    tok="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"
    printf 'db_password: ENC[AES256_GCM,data:xx,iv:yy,tag:zz,type:str]\nsops:\n  age: []\n' >secrets.enc.yaml
    mkdir bin
    cat >bin/sops <<SH
#!/bin/sh
[ "\$1 \$2 \$3 \$4" = "--decrypt --output-type json --" ] || { echo "bad args: \$*" >&2; exit 64; }
[ "\$SOPS_AGE_KEY_FILE" = "$TMP/age.key" ] || { echo "no age key" >&2; exit 128; }
case "\$5" in *broken*) echo "not json" ;; *) printf '{"db_password": "s3cr3t-Pw-8dK2", "api/token": "%s"}' "$tok" ;; esac
SH
    chmod +x bin/sops
    # no sops at all: a clear error, nothing imported
    PATH=/usr/bin:/bin run "$SECRETS" import --sops secrets.enc.yaml
    expect_rc 2
    expect_err 'cannot run sops.*install sops'
    # sops that cannot decrypt (no key): its status is the error
    PATH=$TMP/bin:$PATH run "$SECRETS" import --sops secrets.enc.yaml
    expect_rc 2
    expect_err 'sops could not decrypt it.*nothing imported'
    PATH=$TMP/bin:$PATH SOPS_AGE_KEY_FILE=$TMP/age.key run "$SECRETS" import --sops secrets.enc.yaml
    expect_rc 0
    expect_nowhere "$tok"
    expect_nowhere "s3cr3t-Pw-8dK2"
    run "$SECRETS" get db_password
    [ "$OUT" = "s3cr3t-Pw-8dK2" ] || fail "db_password not imported exactly"
    run "$SECRETS" get api/token
    [ "$OUT" = "$tok" ] || fail "api/token not imported exactly"
    # what sops prints must be a JSON object of strings: anything else imports nothing
    cp secrets.enc.yaml broken.enc.yaml
    PATH=$TMP/bin:$PATH SOPS_AGE_KEY_FILE=$TMP/age.key run "$SECRETS" import --sops broken.enc.yaml
    expect_rc 2
    expect_err 'broken\.enc\.yaml:1: not valid JSON; nothing imported'
    run "$SECRETS" import --sops missing.yaml
    expect_rc 2
    expect_err 'missing\.yaml'
}

e2e_main
