#!/usr/bin/env bash
# End-to-end tests of `scanner --container` (containers created with each risky setting, and a
# hardened one, in the real Podman Engine API service of tests/services.sh) and `scanner
# --compose` (the contrib examples, .env interpolation, hostile YAML). Podman containers cannot
# be started here, so they are inspected in state "created": the same fields as running ones.
. "$(dirname "$0")/lib.sh"

EXAMPLES=$ROOT/contrib/examples
RTFX=$FIXTURES/runtime
# A fresh fake AWS-style key per run: nothing to match by a hard-coded value.
FAKE_KEY=AKIA$(head -c 4096 /dev/urandom | tr -dc 'A-Z2-7' | head -c 16)
FAKE_TOKEN=tok-$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' | head -c 24)
PREFIX=rt$$

# ---- Containers ------------------------------------------------------------------------------

podman_ok() {
    [ -n "${SUITE_PODMAN:-}" ] && [ -n "${DOCKER_HOST:-}" ]
}

IMG=""
setup_engine() {
    local d
    podman_ok || return 1
    d=$(mktemp -d /tmp/e2e-runtime.XXXXXX)
    # A minimal image built offline (umoci + skopeo), loaded into the service's storage.
    (cd "$d" && umoci init --layout img && umoci new --image img:v1 &&
        umoci config --image img:v1 --config.cmd sh &&
        skopeo copy -q oci:img:v1 "docker-archive:img.tar:e2e/runtime:$PREFIX") >"$d/log" 2>&1 &&
        $SUITE_PODMAN load -q -i "$d/img.tar" >>"$d/log" 2>&1 || {
        echo "runtime: test image failed to build: $(tail -3 "$d/log")"
        rm -rf "$d"
        return 1
    }
    rm -rf "$d"
    IMG=e2e/runtime:$PREFIX
    mkdir -p "/tmp/$PREFIX-sock"
    create() {
        local name=$1
        shift
        $SUITE_PODMAN create -q --name "$PREFIX-$name" "$@" "$IMG" sh >/dev/null
    }
    # The brief's risky container, and one container per setting.
    create risky --privileged -v "/tmp/$PREFIX-sock:/var/run/docker.sock" --cap-add SYS_ADMIN \
        -e "API_TOKEN=$FAKE_TOKEN" -e "CLOUD_KEY=$FAKE_KEY" --network host &&
        create runparent -v /run:/run &&
        create caps --cap-add SYS_ADMIN --cap-add net_admin --cap-add SYS_PTRACE &&
        create ns --pid host --uts host &&
        create confine --security-opt seccomp=unconfined --security-opt apparmor=unconfined &&
        create sysmount -v /etc:/host/etc:ro -v /boot:/host/boot &&
        create ports -p 5432:5432 -p 127.0.0.1:8080:80 -p 80:8081 &&
        create device --device /dev/null:/dev/xnull &&
        create logs --log-driver none --restart always &&
        create rootuser --user root &&
        create hardened --read-only --cap-drop ALL --memory 256m --cpus 1 --pids-limit 100 \
            --security-opt no-new-privileges --user 1000 --health-cmd true --network none \
            -e LOG_LEVEL=info
}

if setup_engine; then
    ENGINE_READY=1
else
    ENGINE_READY=0
fi
cleanup() {
    if [ "$ENGINE_READY" = 1 ]; then
        $SUITE_PODMAN rm -f $($SUITE_PODMAN ps -aq --filter "name=^$PREFIX-") >/dev/null 2>&1
        $SUITE_PODMAN rmi -f "$IMG" >/dev/null 2>&1
    fi
    rm -rf "/tmp/$PREFIX-sock"
}
trap cleanup EXIT

need_engine() {
    [ "$ENGINE_READY" = 1 ] || {
        fail "no engine (tests/services.sh did not start podman, or the image failed)"
        return 1
    }
}

t_container_risky_reports_each_setting() {
    need_engine || return
    run "$SCANNER" --container "$PREFIX-risky"
    expect_rc 1
    expect_out "container $PREFIX-risky: critical: \[RT001\] .*HostConfig\.Privileged"
    expect_out 'critical: \[RT002\] .* mounted at the engine socket path /var/run/docker\.sock \(Mounts\[0\]\)'
    expect_out 'critical: \[RT003\] runs as root .*Config\.User'
    expect_out 'critical: \[RT004\] environment variable API_TOKEN \(Config\.Env\)'
    expect_out 'critical: \[RT004\] environment variable CLOUD_KEY .*AWS'
    expect_out 'high: \[RT007\] shares the host.s network namespace \(HostConfig\.NetworkMode\)'
    expect_out 'medium: \[RT017\]'
    expect_out 'medium: \[RT018\] .*HostConfig\.ReadonlyRootfs'
    expect_out 'medium: \[RT019\] no memory limit'
    expect_out 'medium: \[RT020\] no CPU limit'
    expect_out 'medium: \[RT022\]'
    expect_out 'medium: \[RT023\]'
    expect_nowhere "$FAKE_TOKEN"
    expect_nowhere "$FAKE_KEY"
}

t_container_one_setting_each() {
    need_engine || return
    local spec name rule
    for spec in 'runparent:critical: \[RT002\] host directory /run mounted at /run exposes the engine socket' \
        'caps:high: \[RT006\] capability SYS_ADMIN added' \
        'caps:high: \[RT006\] capability NET_ADMIN added' \
        'caps:high: \[RT006\] capability SYS_PTRACE added' \
        'ns:high: \[RT008\] shares the host.s PID namespace' \
        'ns:high: \[RT010\] shares the host.s UTS namespace' \
        'confine:high: \[RT012\] seccomp disabled' \
        'confine:high: \[RT013\] AppArmor disabled' \
        'sysmount:medium: \[RT005\] host path /etc mounted read-only' \
        'sysmount:high: \[RT005\] host path /boot mounted read-write' \
        'ports:high: \[RT014\] port 5432/tcp' \
        'ports:low: \[RT030\] host port 80 ' \
        'ports:low: \[RT031\] port 8081/tcp published on all interfaces' \
        'device:high: \[RT015\] host device /dev/null:/dev/xnull' \
        'logs:medium: \[RT024\] logging driver is none' \
        'logs:low: \[RT028\] restart policy always' \
        'rootuser:critical: \[RT003\] runs as root \(user .root.\)'; do
        name=${spec%%:*}
        rule=${spec#*:}
        run "$SCANNER" --container "$PREFIX-$name"
        expect_rc 1
        expect_out "container $PREFIX-$name: $rule"
    done
    # each container has only its own problem of those above
    run "$SCANNER" --container "$PREFIX-ports"
    expect_no_out 'RT001|RT006|RT008|RT012|RT015|RT024'
    expect_no_out '8080/tcp'
}

t_container_hardened_is_clean() {
    need_engine || return
    run "$SCANNER" --container "$PREFIX-hardened"
    expect_rc 0
    expect_out '^no findings$'
}

t_container_several_and_all() {
    need_engine || return
    run "$SCANNER" --container "$PREFIX-hardened" "$PREFIX-ns" --format json
    expect_rc 1
    expect_out "\"container\":[[:space:]]*\"$PREFIX-ns\""
    expect_out "\"name\":[[:space:]]*\"$PREFIX-hardened\""
    run "$SCANNER" --all-containers --min-severity critical
    expect_rc 1
    for n in risky runparent rootuser; do
        expect_out "container $PREFIX-$n: critical"
    done
}

t_container_with_image() {
    need_engine || return
    run "$SCANNER" --container "$PREFIX-hardened" --with-image
    expect_rc 1
    expect_out "^$IMG|e2e/runtime"
    expect_out '\[DF001\] the image runs as root'   # the image's own checks ran (shared DF ids)
    expect_no_out '\[RT0'
}

t_container_sarif_names_container() {
    need_engine || return
    run "$SCANNER" --container "$PREFIX-risky" --report "$TMP/r.sarif" --format sarif
    expect_rc 1
    grep -Eq '"kind":[[:space:]]*"container"' "$TMP/r.sarif" || fail "SARIF lacks the container location"
    expect_valid_sarif "$TMP/r.sarif"
    expect_nowhere "$FAKE_TOKEN" "$TMP/r.sarif"
    expect_nowhere "$FAKE_KEY" "$TMP/r.sarif"
}

t_container_errors() {
    need_engine || return
    run "$SCANNER" --container "$PREFIX-no-such-container"
    expect_rc 2
    expect_err "no such container: $PREFIX-no-such-container"
    DOCKER_HOST=unix:///nonexistent/engine.sock run "$SCANNER" --container x
    expect_rc 2
    expect_err 'nonexistent'
    run "$SCANNER" --container '../../../_ping'
    expect_rc 2
}

# ---- Compose ---------------------------------------------------------------------------------

t_compose_example_reports_every_planted_problem() {
    local y='docker-compose\.yml'
    run "$SCANNER" --compose "$EXAMPLES/docker-compose.yml"
    expect_rc 1
    expect_out "compose-app\.env:3:1: critical: \[RT004\] service web: environment variable STRIPE_SECRET_KEY"
    expect_out "$y:21:7: critical: \[RT004\] service web: environment variable DJANGO_SECRET_KEY"
    expect_out "$y:22:7: critical: \[RT004\] service web: environment variable AWS_ACCESS_KEY_ID"
    expect_out "$y:24:7: (medium: \[RT025\]|critical: \[RT004\]) service web: .*DATABASE_PASSWORD"
    expect_out "$y:18:9: low: \[RT030\] service web: host port 80"
    expect_out "$y:33:9: high: \[RT014\] service db: port 5432/tcp"
    expect_out "$y:36:7: critical: \[RT004\] service db: environment variable POSTGRES_PASSWORD"
    expect_out "$y:44:9: high: \[RT014\] service redis: port 6379/tcp"
    expect_out "$y:45:5: critical: \[RT003\] service redis: runs as root"
    expect_out "$y:54:9: critical: \[RT002\] service proxy: engine socket /var/run/docker\.sock"
    expect_out "$y:55:15: high: \[RT006\] service proxy: capability NET_ADMIN"
    expect_out "$y:59:5: critical: \[RT001\] service agent"
    expect_out "$y:60:5: high: \[RT008\] service agent"
    expect_out "$y:61:5: high: \[RT007\] service agent"
    expect_out "$y:63:9: high: \[RT013\] service agent"
    expect_out "$y:64:9: high: \[RT012\] service agent"
    expect_out "$y:65:26: high: \[RT006\] service agent: capability SYS_PTRACE"
    expect_out "$y:67:9: high: \[RT015\] service agent"
    expect_out "$y:69:9: medium: \[RT005\] service agent: host path / mounted read-only"
    expect_out "$y:70:9: critical: \[RT002\] service agent: host directory /var/run"
    expect_out "$y:72:9: medium: \[RT005\] service agent: host path /var/lib/docker"
    expect_out "$y:74:7: medium: \[RT024\] service agent"
    expect_out "$y:8:3: low: \[RT028\] service web: restart policy always"
    for s in web db proxy agent; do
        expect_out "$y:[0-9]+:3: high: \[RT003\] service $s: no .user:."
    done
    for r in RT017 RT018 RT019 RT020 RT021 RT022 RT023; do
        [ "$(grep -c "medium: \[$r\]" "$TMP/.out")" -ge 5 ] || fail "$r not reported for every service"
    done
    expect_nowhere 'Sup3rS3cretDbPassw0rd'
    expect_nowhere 'sk_live_51Hx9QeLkP2vT8wRm4NcY7bZdA3fG6jK0sU5'
    expect_nowhere 'AKIA4GQ7RZLW2NXK5TBM'
}

t_compose_sarif_has_file_line_column() {
    run "$SCANNER" --compose "$EXAMPLES/docker-compose.yml" --report "$TMP/c.sarif"
    expect_rc 1
    expect_valid_sarif "$TMP/c.sarif"
    python3 - "$TMP/c.sarif" <<'PY' || fail "SARIF lacks the privileged key's region"
import json, sys
runs = json.load(open(sys.argv[1]))["runs"]
hits = [r for r in runs[0]["results"] if r["ruleId"] == "RT001"]
loc = hits[0]["locations"][0]["physicalLocation"]
assert loc["artifactLocation"]["uri"].endswith("docker-compose.yml"), loc
assert loc["region"]["startLine"] == 59 and loc["region"]["startColumn"] == 5, loc
PY
    expect_nowhere 'Sup3rS3cretDbPassw0rd' "$TMP/c.sarif"
}

t_compose_hardened_example_is_clean() {
    run "$SCANNER" --compose "$EXAMPLES/docker-compose.hardened.yml"
    expect_rc 0
    expect_out '^no findings$'
}

t_compose_service_option() {
    run "$SCANNER" --compose "$EXAMPLES/docker-compose.yml" --service redis
    expect_rc 1
    expect_out 'service redis'
    expect_no_out 'service (web|db|proxy|agent)'
    run "$SCANNER" --compose "$EXAMPLES/docker-compose.yml" --service nosuch
    expect_rc 2
    expect_err "no service named 'nosuch'"
}

t_compose_dotenv_interpolation() {
    mkdir proj
    cp "$RTFX/interp/docker-compose.yml" "$RTFX/interp/.env" proj/
    printf 'CLOUD_KEY_ID=%s\n' "$FAKE_KEY" >>proj/.env
    run "$SCANNER" --compose proj/docker-compose.yml --format json
    expect_rc 1
    run "$SCANNER" --compose proj/docker-compose.yml
    expect_out 'proj/docker-compose\.yml:5:5: critical: \[RT003\] service api: runs as root \(user .0.\)'
    expect_out 'proj/docker-compose\.yml:6:5: critical: \[RT001\]'
    expect_out 'proj/docker-compose\.yml:8:9: high: \[RT014\] service api: port 5432/tcp .*host port 15432'
    expect_out 'proj/docker-compose\.yml:10:7: critical: \[RT004\] service api: environment variable CLOUD_KEY_ID'
    expect_out 'proj/docker-compose\.yml:11:7: medium: \[RT025\] service api: API_TOKEN .*value from the \.env file'
    expect_no_out 'PRICE'
    expect_nowhere "$FAKE_KEY"
    # without the .env nothing is privileged and the user is unknown
    rm proj/.env
    run "$SCANNER" --compose proj/docker-compose.yml
    expect_no_out 'RT001'
    expect_out 'proj/docker-compose\.yml:5:5: high: \[RT003\] service api: no .user:. \(empty\)'
}

t_compose_hostile_input() {
    run "$SCANNER" --compose "$RTFX/bomb.yml"
    expect_rc 2
    expect_err 'bomb\.yml:[0-9]+:[0-9]+: YAML aliases expand to more than'
    run "$SCANNER" --compose "$RTFX/malformed.yml"
    expect_rc 2
    expect_err 'malformed\.yml:6:[0-9]+: invalid YAML'
    python3 -c 'print("[" * 100000)' >deep.yml
    run "$SCANNER" --compose deep.yml
    expect_rc 2
    expect_err 'deep\.yml:1:[0-9]+: YAML nested deeper than'
    head -c 4096 /dev/urandom >binary.yml
    run "$SCANNER" --compose binary.yml
    expect_rc 2
    expect_err 'binary\.yml'
    : >empty.yml
    run "$SCANNER" --compose empty.yml
    expect_rc 2
    expect_err 'empty'
    run "$SCANNER" --compose missing.yml
    expect_rc 2
    expect_err 'missing\.yml: no such file'
    printf 'services:\n  a:\n    image: x\n' >big.yml
    run "$SCANNER" --compose big.yml --max-file-size 10
    expect_rc 2
    expect_err 'larger than'
    # an env_file that is a symlink to a file elsewhere is refused, not followed
    echo 'TOKEN=abc' >elsewhere.env
    ln -s "$TMP/elsewhere.env" link.env
    printf 'services:\n  a:\n    image: x\n    env_file: link.env\n' >c.yml
    run "$SCANNER" --compose c.yml
    expect_rc 2
    expect_err 'link\.env.*symbolic link'
    # an unclosed ${ names the file, line and column
    printf 'services:\n  a:\n    image: ${TAG\n' >i.yml
    run "$SCANNER" --compose i.yml
    expect_rc 2
    expect_err 'i\.yml:3:12: invalid interpolation format'
}

# ---- Compose: several files, extends, multi-document -----------------------------------------
MERGE=$RTFX/merge

t_compose_files_merged_as_compose_does() {
    run "$SCANNER" --compose "$MERGE/compose.yml:$MERGE/override.yml" --min-severity low
    expect_rc 1
    # privileged: true in the base, false in the override: not privileged.
    expect_no_out 'service web: runs privileged'
    # Ports append (5432 is bound to 127.0.0.1: not RT014); the base's 80 is still published.
    expect_no_out 'RT014'
    expect_out 'compose.yml:7:[0-9]+: low: \[RT031\] service web: port 80'
    # Volumes merge by target: /data is now the host's /etc, reported where the override says.
    expect_out 'override.yml:6:[0-9]+: high: \[RT005\] service web: host path /etc'
    # Environment by name, from the second YAML document of the override file.
    expect_out 'override.yml:13:[0-9]+: critical: \[RT004\] service web: environment variable BACKUP_PASSWORD'
    expect_nowhere 'Xk2-literal-in-override-9q'
    # The base file alone: privileged, no /etc.
    run "$SCANNER" --compose "$MERGE/compose.yml"
    expect_out 'compose.yml:5:[0-9]+: critical: \[RT001\] service web'
    expect_no_out 'host path /etc'
}

t_compose_extends_same_file_and_other_file() {
    run "$SCANNER" --compose "$MERGE/compose.yml" -f json
    expect_rc 1
    # worker extends base: inherits cap_add and read_only, overrides user.
    grep -Eq '"message":[[:space:]]*"service worker: capability SYS_ADMIN added' "$TMP/.out" ||
        fail "worker does not inherit base's cap_add"
    grep -Eq '"message":[[:space:]]*"service worker: root filesystem' "$TMP/.out" &&
        fail "worker should inherit read_only: true"
    grep -Eq '"message":[[:space:]]*"service worker: runs as root' "$TMP/.out" ||
        fail "worker's own user: 0 is not reported"
    # api extends a service of common/services.yml: its socket volume, reported in that file.
    expect_out 'common/services.yml'
    grep -Eq '"message":[[:space:]]*"service api: engine socket /var/run/docker.sock' "$TMP/.out" ||
        fail "api does not inherit the socket volume"
    # api's own cap_drop: [ALL] counts.
    grep -Eq '"message":[[:space:]]*"service api: capabilities not dropped' "$TMP/.out" &&
        fail "api's cap_drop ALL ignored"
    # A cycle, a missing base and a missing file are errors with file:line.
    run "$SCANNER" --compose "$MERGE/cycle.yml"
    expect_rc 2
    expect_err 'cycle.yml:[0-9]+:[0-9]+: extends: chain longer than'
    printf 'services:\n  a:\n    extends: nope\n' >m.yml
    run "$SCANNER" --compose m.yml
    expect_rc 2
    expect_err 'm.yml:3:14: services.a extends nope'
    printf 'services:\n  a:\n    extends: {service: x, file: missing.yml}\n' >m.yml
    run "$SCANNER" --compose m.yml
    expect_rc 2
    expect_err 'm.yml:3:14: extends: file missing.yml not found'
}

t_compose_multi_document_and_bad_env_reference() {
    printf 'services:\n  a:\n    image: x:1\n    privileged: true\n---\nservices:\n  a:\n    cap_add: [NET_ADMIN]\n' >m.yml
    run "$SCANNER" --compose m.yml
    expect_rc 1
    expect_out 'm.yml:4:[0-9]+: critical: \[RT001\] service a'
    expect_out 'm.yml:8:[0-9]+: high: \[RT006\] service a'
    # `!reset` and `!override` replace a list instead of merging it.
    printf 'services:\n  a:\n    image: x:1\n    cap_add: [SYS_ADMIN]\n    ports: ["5432:5432"]\n' >b.yml
    printf 'services:\n  a:\n    ports: !reset []\n    cap_add: !override [CHOWN]\n' >r.yml
    run "$SCANNER" --compose b.yml:r.yml
    expect_no_out 'RT006'
    expect_no_out 'RT014'
    run "$SCANNER" --compose b.yml
    expect_out 'RT006'
    expect_out 'RT014'
    # A `${` the envcheck lexer flags as a bad reference: Compose refuses the file, so do we.
    printf 'services:\n  a:\n    image: x:1\n    env_file: a.env\n' >c.yml
    printf 'OK=1\nBAD=${oops\n' >a.env
    run "$SCANNER" --compose c.yml
    expect_rc 2
    expect_err 'a.env:2:5: invalid variable reference in the value of BAD'
    printf 'BAD=x${\n' >.env
    printf 'OK=1\n' >a.env
    run "$SCANNER" --compose c.yml
    expect_rc 2
    expect_err '\.env:1:5: invalid variable reference'
    # Single quotes keep it literal: fine.
    printf "BAD='x\${'\n" >.env
    run "$SCANNER" --compose c.yml
    [ "$RC" -ne 2 ] || fail "a single-quoted \${ was refused: $ERR"
}

e2e_main
