#!/usr/bin/env bash
# The secrets-in-clear sweep: one fresh marker secret planted in every input every command reads
# (Dockerfile ENV/ARG/RUN/heredoc, build-context files, .env, Compose, container env, image
# layers/config/history, vault values, import files, passphrases, malformed inputs), and every
# output (stdout, stderr, each report format, every file written) searched for it. Only outputs
# where the user asks for the value are left out (get, export, run's child, create-file's file).
# Also: core dumps off at the passphrase prompt, no echo, temp files' modes, run --as-files
# clean-up when the child is killed and when `secrets` is terminated.
. "$(dirname "$0")/lib.sh"

export SECRETS_NO_KEYRING=1 SECRETS_PASSPHRASE_NOWARN=1
unset SECRETS_VAULT SECRETS_KEY_FILE SECRETS_PASSPHRASE SECRETS_PASSPHRASE_FILE

rand() { tr -dc "$1" </dev/urandom | head -c "$2"; }
# A GitHub-token-shaped marker (the detectors report it, redacted to its first 4 characters) and a
# passphrase marker. NEEDLE/PNEEDLE are inner parts: a partial leak is caught too.
MARK="ghp_$(rand 'A-Za-z0-9' 36)"
NEEDLE=${MARK:6:24}
PASSM="pp-$(rand 'A-Za-z0-9' 30)"
PNEEDLE=${PASSM:5:20}
B64NEEDLE=$(printf '%s' "$MARK" | base64 -w0 | cut -c5-28)
PREFIX=sw$$

# leaks DIR...: every regular file under DIR that holds a marker (in clear or base64).
leaks() {
    grep -rlF -e "$NEEDLE" -e "$PNEEDLE" -e "$B64NEEDLE" -- "$@" 2>/dev/null
}
# sweep NAME CMD...: runs CMD; stdout and stderr kept in out/NAME.{out,err}; stdin empty.
sweep() {
    local name=$1
    shift
    mkdir -p out
    "$@" >"out/$name.out" 2>"out/$name.err" </dev/null
    echo $? >"out/$name.rc"
}
# sweep_stdin DATA NAME CMD...
sweep_stdin() {
    local data=$1 name=$2
    shift 2
    mkdir -p out
    printf '%s' "$data" | "$@" >"out/$name.out" 2>"out/$name.err"
    echo $? >"out/$name.rc"
}
rc_of() { cat "out/$1.rc"; }
# expect_clean: nothing in out/ and no file written since `stamp` (outside in/ and asked/)
# holds a marker; every command in out/ said something or exited 0..2.
expect_clean() {
    local f bad
    for f in out/*.rc; do
        [ "$(cat "$f")" -le 2 ] || fail "$(basename "$f" .rc): exit $(cat "$f") (crash?)"
    done
    bad=$(leaks out $(find . -type f -newer stamp ! -path './in/*' ! -path './asked/*' \
        ! -path './out/*'))
    [ -z "$bad" ] || fail "marker in clear in: $(echo $bad)"
}

# ---- The inputs, all under in/ ---------------------------------------------------------------

make_context() {
    mkdir -p in/ctx/config in/ctx/app
    cat >in/ctx/Dockerfile <<EOF
FROM alpine:3.19 AS build
ARG GH_TOKEN=$MARK
ENV API_TOKEN=$MARK
LABEL org.example.token="$MARK"
RUN curl -H "Authorization: token $MARK" https://example.test/x && export GITHUB_TOKEN=$MARK
RUN <<SCRIPT
echo "$MARK" > /tmp/t
SCRIPT
COPY . /app
USER 1000
EOF
    printf 'token: %s\n' "$MARK" >in/ctx/config/settings.yml
    printf 'GITHUB_TOKEN=%s\nDB_PASSWORD=%s\n' "$MARK" "$MARK" >in/ctx/.env
    printf 'const token = "%s";\n' "$MARK" >in/ctx/app/main.js
    cat >in/compose.yaml <<EOF
services:
  web:
    image: example/web:1
    environment:
      GITHUB_TOKEN: $MARK
      FROM_DOTENV: \${DOTENV_TOKEN}
    command: ["run", "--token", "$MARK"]
    labels:
      token: "$MARK"
EOF
    printf 'DOTENV_TOKEN=%s\n' "$MARK" >in/.env
}

# Malformed inputs, each with the marker where a careless error message would quote it.
make_malformed() {
    mkdir -p in/bad
    printf 'FROM alpine\nCMD ["%s"\nRUN --mount=type=%s echo\nENV %s\nONBUILD ONBUILD %s\n\x01%s\n' \
        "$MARK" "$MARK" "$MARK" "$MARK" "$MARK" >in/bad/Dockerfile
    printf 'services:\n  web:\n    environment: [ "GITHUB_TOKEN=%s"\n' "$MARK" >in/bad/compose.yaml
    printf 'services:\n  web: {environment: {T: "%s"}\n\t- %s\n' "$MARK" "$MARK" >in/bad/compose2.yaml
    printf 'GOOD=1\nTOKEN="%s\n%s\n' "$MARK" "$MARK" >in/bad/unclosed.env
    printf '%s\n' "$MARK" >in/bad/bare.env
    printf 'A=1\n%s=x\n' "$MARK" >in/bad/badname.env
    printf '{"tok": "%s"' "$MARK" >in/bad/unclosed.json
    printf '{"tok": %s}\n' "$MARK" >in/bad/token.json
    printf '["%s"]\n' "$MARK" >in/bad/array.json
    printf '[scan]\n%s\nignore = %s\n[%s\n' "$MARK" "$MARK" "$MARK" >in/bad/scanner.ini
    printf '{"version": 1, "findings": [{"fingerprint": "%s"' "$MARK" >in/bad/baseline.json
    printf '%s' "$MARK" >in/bad/key33.key
    printf 'x' >>in/bad/key33.key
    chmod 600 in/bad/key33.key
}

# The image: a layer file, an .env in a layer, a config Env, a label and a history step, each
# with the marker; docker-archive, and loaded into the engine for containers.
IMGDIR=$(mktemp -d /tmp/e2e-sweep.XXXXXX)
ENGINE_READY=0
cleanup() {
    if [ "$ENGINE_READY" = 1 ]; then
        $SUITE_PODMAN rm -f $($SUITE_PODMAN ps -aq --filter "name=^$PREFIX-") >/dev/null 2>&1
        $SUITE_PODMAN rmi -f "e2e/sweep:$PREFIX" >/dev/null 2>&1
        $SUITE_PODMAN secret rm $($SUITE_PODMAN secret ls -q --filter "name=$PREFIX") >/dev/null 2>&1
    fi
    rm -rf "$IMGDIR"
}
trap cleanup EXIT
build_image() {
    cd "$IMGDIR" || return 1
    local R=bundle/rootfs
    umoci init --layout oci && umoci new --image oci:sw &&
        umoci unpack --image oci:sw bundle >/dev/null || return 1
    mkdir -p $R/app $R/etc
    printf 'aws_region = eu-west-1\ngithub_token = %s\n' "$MARK" >$R/app/settings.ini
    printf 'GITHUB_TOKEN=%s\n' "$MARK" >$R/app/.env
    umoci repack --image oci:sw --history.created_by "RUN echo $MARK > /app/x # buildkit" bundle &&
        umoci config --image oci:sw --config.env "GITHUB_TOKEN=$MARK" \
            --config.label "org.example.token=$MARK" --config.cmd sh \
            --history.created_by "ENV GITHUB_TOKEN=$MARK" >/dev/null &&
        skopeo --insecure-policy copy -q oci:oci:sw "docker-archive:sweep.tar:e2e/sweep:$PREFIX" &&
        skopeo --insecure-policy copy -q oci:oci:sw "oci-archive:sweep.oci.tar:sw" || return 1
    # a config blob cut short in the middle of the marker's Env entry: malformed JSON
    mkdir bad && tar -xf sweep.tar -C bad &&
        cfg=$(grep -o '"Config":"[^"]*"' bad/manifest.json | cut -d'"' -f4) &&
        head -c "$(($(grep -bo "$MARK" "bad/$cfg" | head -1 | cut -d: -f1) + 20))" "bad/$cfg" >bad/cut &&
        mv bad/cut "bad/$cfg" && (cd bad && tar -cf ../badconfig.tar .) || return 1
    if [ -n "${SUITE_PODMAN:-}" ] && [ -n "${DOCKER_HOST:-}" ] &&
        $SUITE_PODMAN load -q -i sweep.tar >/dev/null 2>&1 &&
        $SUITE_PODMAN create -q --name "$PREFIX-c" -e "CLOUD_TOKEN=$MARK" -e "DB_PASSWORD=$MARK" \
            --label "token=$MARK" "e2e/sweep:$PREFIX" sh >/dev/null; then
        ENGINE_READY=1
    fi
}
(build_image) >"$IMGDIR.log" 2>&1 || {
    echo "sweep: image fixture failed: $(tail -5 "$IMGDIR.log")"
}
[ -f "$IMGDIR/sweep.tar" ] || IMG_FAILED=1
if [ -n "${SUITE_PODMAN:-}" ] && $SUITE_PODMAN container exists "$PREFIX-c" 2>/dev/null; then
    ENGINE_READY=1
fi
rm -f "$IMGDIR.log"

# ---- scanner -----------------------------------------------------------------------------------

t_scanner_every_target_every_format() {
    make_context
    touch stamp
    local f
    for f in text json sarif; do
        sweep "df-$f" "$SCANNER" --dockerfile in/ctx/Dockerfile --format "$f" --report "df.$f"
        sweep "df-show-$f" "$SCANNER" --dockerfile in/ctx/Dockerfile --format "$f" --write-baseline "base-$f.json"
        sweep "compose-$f" "$SCANNER" --compose in/compose.yaml --format "$f" --report "compose.$f"
        sweep "path-$f" "$SCANNER" --path in/ctx --format "$f" --report "path.$f"
        sweep "stdin-$f" "$SCANNER" --dockerfile - --format "$f" <in/ctx/Dockerfile
    done
    sweep df-baseline "$SCANNER" --dockerfile in/ctx/Dockerfile --baseline base-json.json --format json
    # the planted secrets were found (the sweep is worthless if the scanner saw nothing)
    grep -q 'DF00[34]' out/df-text.out || fail "Dockerfile secrets not reported"
    grep -q 'DF007' out/df-text.out || fail "build-context secrets not reported"
    grep -q 'ghp_' out/path-text.out || fail "--path did not report the marker"
    grep -q 'GITHUB_TOKEN' out/compose-text.out || fail "Compose environment not reported"
    [ "$(rc_of df-json)" = 1 ] || fail "Dockerfile scan: exit $(rc_of df-json)"
    expect_clean
}

t_scanner_image_layers_config_history() {
    [ -z "${IMG_FAILED:-}" ] || { fail "image fixture missing"; return; }
    touch stamp
    local f
    for f in text json sarif; do
        sweep "img-$f" "$SCANNER" --image "$IMGDIR/sweep.tar" --format "$f" --report "img.$f"
        sweep "oci-$f" "$SCANNER" --image "$IMGDIR/sweep.oci.tar" --format "$f"
    done
    sweep img-bad "$SCANNER" --image "$IMGDIR/badconfig.tar"
    [ "$(rc_of img-bad)" = 2 ] || fail "cut config: exit $(rc_of img-bad)"
    grep -q 'app/settings.ini' out/img-text.out || fail "layer file not reported: $(head -c 300 out/img-text.out)"
    grep -q 'config.Env' out/img-text.out || fail "config Env not reported"
    grep -qF 'RUN echo *** > /app/x' out/img-text.out || fail "history not read (or not masked)"
    expect_clean
}

t_scanner_container_env_through_the_engine() {
    [ "$ENGINE_READY" = 1 ] || { fail "no engine (tests/services.sh did not start podman)"; return; }
    touch stamp
    local f
    for f in text json sarif; do
        sweep "ctr-$f" "$SCANNER" --container "$PREFIX-c" --with-image --format "$f" --report "ctr.$f"
    done
    sweep img-engine "$SCANNER" --image "e2e/sweep:$PREFIX" --format json
    grep -q 'CLOUD_TOKEN\|DB_PASSWORD' out/ctr-text.out || fail "container env not reported: $(head -c 400 out/ctr-text.out)"
    [ "$(rc_of img-engine)" = 1 ] || fail "image by name: exit $(rc_of img-engine)"
    expect_clean
}

t_scanner_malformed_inputs() {
    make_context
    make_malformed
    touch stamp
    local f
    for f in text json sarif; do
        sweep "bad-df-$f" "$SCANNER" --dockerfile in/bad/Dockerfile --format "$f"
        sweep "bad-compose-$f" "$SCANNER" --compose in/bad/compose.yaml --format "$f"
        sweep "bad-compose2-$f" "$SCANNER" --compose in/bad/compose2.yaml --format "$f"
    done
    sweep bad-ini "$SCANNER" --dockerfile in/ctx/Dockerfile --config in/bad/scanner.ini
    sweep bad-baseline "$SCANNER" --dockerfile in/ctx/Dockerfile --baseline in/bad/baseline.json
    [ "$(rc_of bad-compose-text)" = 2 ] || fail "unclosed Compose flow: exit $(rc_of bad-compose-text)"
    [ "$(rc_of bad-ini)" = 2 ] || fail "bad config: exit $(rc_of bad-ini)"
    [ "$(rc_of bad-baseline)" = 2 ] || fail "bad baseline: exit $(rc_of bad-baseline)"
    expect_clean
}

# Git history (a token committed, then deleted) and Kubernetes manifests (env, a Secret's
# stringData and data): every format, and malformed YAML holding the marker.
t_scanner_git_history_and_k8s() {
    mkdir -p in/repo in/k8s
    (
        cd in/repo && git init -q . && git config user.email t@example.test &&
            git config user.name t && printf 'GITHUB_TOKEN=%s\n' "$MARK" >app.env &&
            git add app.env && git commit -qm "add config" && git rm -q app.env &&
            git commit -qm "remove config"
    ) || { fail "git fixture failed"; return; }
    {
        printf 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n'
        printf '  template:\n    spec:\n      containers:\n        - name: web\n'
        printf '          image: example/web:1.0\n          env:\n            - name: GITHUB_TOKEN\n'
        printf '              value: "%s"\n---\n' "$MARK"
        printf 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: creds\nstringData:\n  token: "%s"\n' "$MARK"
        printf 'data:\n  other: %s\n' "$(printf '%s' "$MARK" | base64 -w0)"
    } >in/k8s/deploy.yaml
    printf 'apiVersion: v1\nkind: Pod\nspec: {containers: [{env: [{name: T, value: "%s"}\n' "$MARK" >in/k8s/bad.yaml
    touch stamp
    local f
    for f in text json sarif; do
        sweep "git-$f" "$SCANNER" --git in/repo --format "$f" --report "git.$f"
        sweep "k8s-$f" "$SCANNER" --k8s in/k8s/deploy.yaml --format "$f" --report "k8s.$f"
    done
    sweep k8s-bad "$SCANNER" --k8s in/k8s/bad.yaml
    grep -q 'ghp_' out/git-text.out || fail "the deleted token was not found in the history: $(head -c 300 out/git-text.out)"
    grep -q 'GITHUB_TOKEN\|ghp_' out/k8s-text.out || fail "the manifest's token was not found: $(head -c 300 out/k8s-text.out)"
    [ "$(rc_of k8s-bad)" = 2 ] || fail "malformed manifest: exit $(rc_of k8s-bad)"
    expect_clean
}

# ---- secrets -----------------------------------------------------------------------------------

t_validate_every_format_and_malformed() {
    make_context
    make_malformed
    touch stamp
    local f
    for f in text json sarif; do
        sweep "val-$f" "$SECRETS" validate --env-file in/ctx/.env --no-example --format "$f" --report "val.$f"
        sweep "val-bad-$f" "$SECRETS" validate --env-file in/bad/unclosed.env --env-file in/bad/bare.env \
            --env-file in/bad/badname.env --no-example --format "$f"
    done
    sweep val-stdin "$SECRETS" validate --env-file - --no-example <in/ctx/.env
    grep -q 'ENV10[0-9]' out/val-text.out || fail "validate found nothing"
    expect_clean
}

t_vault_commands_and_files() {
    make_context
    make_malformed
    printf '%s' "$PASSM" >in/pass
    touch stamp
    mkdir asked
    local V=(--vault v.sv)
    export SECRETS_PASSPHRASE_FILE=$TMP/in/pass
    sweep init "$SECRETS" init "${V[@]}" --kdf interactive
    sweep_stdin "$MARK" set "$SECRETS" set gh/token "${V[@]}" --tag ci --expires 2020-01-01
    printf '%s' "$MARK" >in/value
    sweep set-file "$SECRETS" set db/password "${V[@]}" --from-file in/value --rotate-after 1
    sweep set-value "$SECRETS" set other "${V[@]}" --value "$MARK"
    sweep rotate "$SECRETS" rotate other "${V[@]}"
    sweep rollback "$SECRETS" rollback other --to 1 "${V[@]}"
    local f
    for f in text json; do
        sweep "list-$f" "$SECRETS" list "${V[@]}" --format "$f"
        sweep "history-$f" "$SECRETS" history gh/token "${V[@]}" --format "$f"
    done
    for f in text json sarif; do
        sweep "check-$f" "$SECRETS" check "${V[@]}" --format "$f" --report "check.$f"
    done
    sweep import-env "$SECRETS" import --env-file in/ctx/.env "${V[@]}"
    sweep import-dry "$SECRETS" import --env-file in/ctx/.env "${V[@]}" --dry-run
    printf '{"json/token": "%s"}\n' "$MARK" >in/import.json
    sweep import-json "$SECRETS" import --json in/import.json "${V[@]}"
    for f in unclosed.env bare.env badname.env; do
        sweep "import-bad-$f" "$SECRETS" import --env-file "in/bad/$f" "${V[@]}"
        [ "$(rc_of "import-bad-$f")" = 2 ] || fail "import $f: exit $(rc_of "import-bad-$f")"
    done
    for f in unclosed.json token.json array.json; do
        sweep "import-bad-$f" "$SECRETS" import --json "in/bad/$f" "${V[@]}"
        [ "$(rc_of "import-bad-$f")" = 2 ] || fail "import $f: exit $(rc_of "import-bad-$f")"
    done
    # what the user asks for: the values go to asked/ (not searched); the commands' own words are
    sweep export-compose "$SECRETS" export --format compose "${V[@]}"
    sweep export-file "$SECRETS" export --format env --output asked/all.env "${V[@]}"
    sweep export-dir "$SECRETS" export --format docker-secrets --dir asked/swarm "${V[@]}"
    sweep create-file "$SECRETS" create-file --name tok --dir asked/cf --from-vault gh/token "${V[@]}"
    sweep run "$SECRETS" run --env T=gh/token "${V[@]}" -- true
    sweep run-files "$SECRETS" run --env T=gh/token --as-files "${V[@]}" -- true
    sweep unlock "$SECRETS" unlock "${V[@]}"
    [ "$(cat asked/swarm/gh_token 2>/dev/null)" = "$MARK" ] || fail "export --dir did not write the value"
    # wrong and malformed unlock secrets: the error never quotes them
    printf '%s-wrong' "$PASSM" >in/wrongpass
    sweep wrong-pass env SECRETS_PASSPHRASE_FILE="$TMP/in/wrongpass" "$SECRETS" get gh/token "${V[@]}"
    sweep wrong-pass-env env -u SECRETS_PASSPHRASE_FILE SECRETS_PASSPHRASE="$MARK" "$SECRETS" get gh/token "${V[@]}"
    sweep bad-key "$SECRETS" get gh/token "${V[@]}" --key-file in/bad/key33.key
    [ "$(rc_of wrong-pass)" = 2 ] && [ "$(rc_of bad-key)" = 2 ] || fail "wrong secrets accepted"
    sweep rm "$SECRETS" rm other --purge "${V[@]}"
    sweep rekey "$SECRETS" rekey "${V[@]}"
    if [ -n "${SUITE_PODMAN:-}" ] && [ -n "${DOCKER_HOST:-}" ]; then
        printf '%s' "$MARK" | "$SECRETS" set "$PREFIX-push" "${V[@]}" -q >/dev/null
        sweep push-dry "$SECRETS" push --dry-run "$PREFIX-push" "${V[@]}"
        sweep push "$SECRETS" push "$PREFIX-push" "${V[@]}"
        [ "$(rc_of push)" = 0 ] || fail "push: exit $(rc_of push): $(cat out/push.err)"
    else
        fail "no engine for push (tests/services.sh did not start podman)"
    fi
    unset SECRETS_PASSPHRASE_FILE
    # the vault and its backup hold the values, never in clear
    expect_file v.sv
    expect_file v.sv.bak
    expect_clean
}

# ---- Process hygiene ---------------------------------------------------------------------------

# A `secrets get` waiting at the passphrase prompt on a pty: core dumps are off (soft and hard
# limit 0) while it holds the vault in memory, and what is typed is not echoed.
t_prompt_no_echo_and_no_core_dumps() {
    printf '%s' "$PASSM" >pass
    SECRETS_PASSPHRASE_FILE=pass "$SECRETS" init --vault v.sv --kdf interactive -q >/dev/null
    printf 'the-value' | SECRETS_PASSPHRASE_FILE=pass "$SECRETS" set a --vault v.sv -q >/dev/null
    python3 - "$SECRETS" "$PASSM" >pty.log 2>&1 <<'PY'
import os, pty, select, sys, time
prog, passm = sys.argv[1], sys.argv[2]
pid, fd = pty.fork()
if pid == 0:
    os.execv(prog, [prog, "get", "a", "--vault", "v.sv"])
out, deadline = b"", time.time() + 20
while b"passphrase:" not in out and time.time() < deadline:
    if select.select([fd], [], [], 0.2)[0]:
        out += os.read(fd, 4096)
core = [l for l in open("/proc/%d/limits" % pid) if l.startswith("Max core file size")]
print("LIMITS", core[0].split()[4:6] if core else "none")
os.write(fd, passm.encode() + b"\n")
while time.time() < deadline:
    r = select.select([fd], [], [], 0.2)[0]
    if r:
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    elif os.waitpid(pid, os.WNOHANG)[0] == pid:
        break
sys.stdout.write(out.decode(errors="replace"))
PY
    # Ctrl-C at the prompt: the process dies of SIGINT, and the terminal has its echo back
    python3 - "$SECRETS" >pty-int.log 2>&1 <<'PY'
import os, pty, select, signal, sys, termios, time
prog = sys.argv[1]
pid, fd = pty.fork()
if pid == 0:
    os.execv(prog, [prog, "get", "a", "--vault", "v.sv"])
out, deadline = b"", time.time() + 20
while b"passphrase:" not in out and time.time() < deadline:
    if select.select([fd], [], [], 0.2)[0]:
        out += os.read(fd, 4096)
os.write(fd, b"\x03")
_, st = os.waitpid(pid, 0)
print("SIGNAL", os.WTERMSIG(st) if os.WIFSIGNALED(st) else "none")
print("ECHO", "on" if termios.tcgetattr(fd)[3] & termios.ECHO else "off")
PY
    grep -qx "SIGNAL 2" pty-int.log ||
        fail "Ctrl-C at the prompt: $(tr '\n' ' ' <pty-int.log)"
    grep -qx 'ECHO on' pty-int.log || fail "Ctrl-C at the prompt left echo off"
    grep -q 'Vault passphrase:' pty.log || fail "no prompt on the pty: $(head -c 300 pty.log)"
    grep -q "^LIMITS \['0', '0'\]" pty.log || fail "core dumps not off at the prompt: $(grep LIMITS pty.log)"
    grep -q 'the-value' pty.log || fail "the value was not printed after the prompt"
    ! grep -qF "$PNEEDLE" pty.log || fail "the typed passphrase was echoed"
}

# Every file a `secrets` command creates (temp files, locks, reports, secret files, run's
# directory) is created 0600 or 0400, directories 0700, seen in the system calls themselves.
t_created_files_modes() {
    command -v strace >/dev/null || { fail "strace missing"; return; }
    printf '%s' "$PASSM" >pass
    export SECRETS_PASSPHRASE_FILE=$TMP/pass
    local tr="strace -f -qq -e trace=open,openat,creat,mkdir,mkdirat -o"
    # LeakSanitizer cannot run under ptrace (make check): leaks are checked by every other test
    export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0
    $tr t1 "$SECRETS" init --vault d/v.sv --kdf interactive -q >/dev/null
    printf '%s' "$MARK" | $tr t2 "$SECRETS" set a --vault d/v.sv -q >/dev/null
    $tr t3 "$SECRETS" export --format env --output e.env --vault d/v.sv -q >/dev/null
    $tr t4 "$SECRETS" create-file --name x --from-vault a --vault d/v.sv -q >/dev/null
    $tr t5 "$SECRETS" export --format docker-secrets --dir sw --vault d/v.sv -q >/dev/null
    $tr t6 "$SECRETS" run --env T=a --as-files --vault d/v.sv -- true
    $tr t7 "$SECRETS" check --vault d/v.sv --report r.sarif -q >/dev/null
    unset SECRETS_PASSPHRASE_FILE
    local bad
    # O_CREAT calls of our programs (not of the child `true`): the mode must be 0600 or 0400;
    # mkdir: 0700
    bad=$(cat t1 t2 t3 t4 t5 t6 t7 | grep -E 'O_CREAT|mkdir' | grep -v ' = -1 ' |
        grep -Ev 'O_CREAT[^)]*, 0[46]00\)|mkdir(at)?\(.*, 0700\)')
    [ -z "$bad" ] || fail "created with another mode: $(echo "$bad" | head -5)"
    [ "$(cat t1 t2 t3 t4 t5 t6 t7 | grep -c O_CREAT)" -ge 6 ] || fail "strace saw too few creations"
}

# run --as-files: the directory goes when the child is killed with SIGKILL, and when `secrets`
# itself gets SIGTERM.
t_run_as_files_removed_on_kill() {
    printf '%s' "$PASSM" >pass
    export SECRETS_PASSPHRASE_FILE=$TMP/pass
    "$SECRETS" init --vault v.sv --kdf interactive -q >/dev/null
    printf '%s' "$MARK" | "$SECRETS" set a --vault v.sv -q >/dev/null
    export XDG_RUNTIME_DIR=$TMP/rt
    mkdir -m 700 rt
    local pid child rc _
    "$SECRETS" run --env T=a --as-files --vault v.sv -- sh -c 'echo "$$ $T_FILE" >where; exec sleep 30' &
    pid=$!
    for _ in $(seq 100); do [ -s where ] && break; sleep 0.1; done
    read -r child file <where
    [ -f "$file" ] || fail "secret file missing while the child runs"
    kill -KILL "$child"
    wait "$pid"
    rc=$?
    [ "$rc" -eq 137 ] || fail "child SIGKILL: secrets exited $rc (expected 128+9)"
    [ ! -e "$(dirname "$file")" ] || fail "child SIGKILL: directory left behind"
    rm -f where
    "$SECRETS" run --env T=a --as-files --vault v.sv -- sh -c 'echo "$$ $T_FILE" >where; exec sleep 30' &
    pid=$!
    for _ in $(seq 100); do [ -s where ] && break; sleep 0.1; done
    read -r child file <where
    kill -TERM "$pid"
    wait "$pid"
    rc=$?
    [ "$rc" -ge 128 ] || fail "secrets SIGTERM: exit $rc"
    [ ! -e "$(dirname "$file")" ] || fail "secrets SIGTERM: directory left behind"
    ! kill -0 "$child" 2>/dev/null || { fail "secrets SIGTERM: the child still runs"; kill -KILL "$child"; }
    [ -z "$(ls -A rt)" ] || fail "left in the runtime directory: $(ls -A rt)"
    unset SECRETS_PASSPHRASE_FILE
}

e2e_main
