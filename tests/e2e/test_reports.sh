#!/usr/bin/env bash
# End-to-end tests of the scanner's reports as CI jobs read them: a run where a target fails says
# so in every format (text, JSON, SARIF) and keeps the findings of the targets that succeeded.
. "$(dirname "$0")/lib.sh"

make_ok_dockerfile() {
    printf 'FROM alpine:3.19\nUSER app\nENV DB_PASSWORD=changeme\n' >Dockerfile
}

# check_failed_everywhere LABEL ARGS...: the run exits 2; text ends with "scan failed:", JSON has
# status "error" and an error naming the failed target, SARIF's invocation is unsuccessful with a
# notification; the good Dockerfile's DF004 finding is kept in every format.
check_failed_everywhere() {
    local label=$1 target=$2
    shift 2
    run "$SCANNER" --dockerfile Dockerfile "$@"
    expect_rc 2
    tail -n 1 "$TMP/.out" | grep -q '^scan failed: ' || fail "$label: text does not end with 'scan failed:': ${OUT: -300}"
    expect_no_out '^no findings'
    expect_out '\[DF004\]'
    run "$SCANNER" --dockerfile Dockerfile "$@" --format json
    expect_rc 2
    python3 - "$TMP/.out" "$target" <<'PY' || fail "$label: JSON does not report the failure"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["status"] == "error", d["status"]
assert any(e["target"] == sys.argv[2] and e["message"] for e in d["errors"]), d["errors"]
assert any(x["rule"] == "DF004" for x in d["findings"]), "findings of the good target lost"
PY
    run "$SCANNER" --dockerfile Dockerfile "$@" --format sarif
    expect_rc 2
    cp "$TMP/.out" run.sarif
    python3 - run.sarif "$target" <<'PY' || fail "$label: SARIF does not report the failure"
import json, sys
d = json.load(open(sys.argv[1]))
inv = d["runs"][0]["invocations"][0]
assert inv["executionSuccessful"] is False, inv
notes = inv["toolExecutionNotifications"]
assert any(n["level"] == "error" and sys.argv[2] in n["message"]["text"] for n in notes), notes
assert any(r["ruleId"] == "DF004" for r in d["runs"][0]["results"]), "findings of the good target lost"
PY
    expect_valid_sarif run.sarif
    # --report gets the same status as stdout.
    run "$SCANNER" --dockerfile Dockerfile "$@" --report rep.json
    expect_rc 2
    python3 -c 'import json,sys; assert json.load(open("rep.json"))["status"] == "error"' ||
        fail "$label: --report file does not say the scan failed"
}

t_unreadable_dockerfile_fails_in_every_format() {
    make_ok_dockerfile
    mkdir Dockerfile.dir
    check_failed_everywhere "unreadable Dockerfile" Dockerfile.dir --dockerfile Dockerfile.dir
}

t_missing_path_fails_in_every_format() {
    make_ok_dockerfile
    check_failed_everywhere "missing path" nothere --path nothere
}

t_engine_unreachable_fails_in_every_format() {
    make_ok_dockerfile
    export DOCKER_HOST=unix://$TMP/no-engine.sock
    check_failed_everywhere "engine unreachable (image)" alpine:3.19 --image alpine:3.19
    check_failed_everywhere "engine unreachable (container)" web --container web
}

t_bad_image_archive_fails_in_every_format() {
    make_ok_dockerfile
    printf 'this is not a tar archive\n' >image.tar
    check_failed_everywhere "bad image archive" image.tar --image image.tar
}

t_bad_compose_file_fails_in_every_format() {
    make_ok_dockerfile
    printf 'services:\n  web: [\n' >compose.yaml
    check_failed_everywhere "bad compose file" compose.yaml --compose compose.yaml
}

t_clean_run_says_ok_everywhere() {
    printf 'FROM alpine:3.19@sha256:%s\nUSER app\nHEALTHCHECK CMD true\n' \
        "$(printf '%064d' 0)" >Dockerfile
    run "$SCANNER" --dockerfile Dockerfile --fail-on critical --format json
    python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["status"]=="ok" and d["errors"]==[]' \
        <"$TMP/.out" || fail "a run without errors is not status ok"
    run "$SCANNER" --dockerfile Dockerfile --fail-on critical --format sarif
    python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["runs"][0]["invocations"][0]["executionSuccessful"] is True' \
        <"$TMP/.out" || fail "a run without errors is not executionSuccessful"
    run "$SCANNER" --dockerfile Dockerfile --fail-on critical
    expect_no_out 'scan failed'
}

e2e_main
