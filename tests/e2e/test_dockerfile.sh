#!/usr/bin/env bash
# End-to-end tests of `scanner --dockerfile`: the example's planted problems with severities and
# aliases, JSON and SARIF reports (validated with sarif-multitool), stdin, several targets,
# context secrets, ignores, config, exit codes, hostile files, secrets never in clear.
. "$(dirname "$0")/lib.sh"

EX=$ROOT/contrib/examples/Dockerfile
FX=$FIXTURES/dockerfile

t_example_reports_planted_problems() {
    run "$SCANNER" --dockerfile "$EX"
    expect_rc 1
    for want in 'critical: \[DF001\]' 'critical: \[DF002\]' 'critical: \[DF003\]' 'critical: \[DF004\]' \
        'critical: \[DF005\]' 'critical: \[DF006\]' 'critical: \[DF007\]' 'high: \[DF010\]' \
        'high: \[DF011\]' 'high: \[DF012\]' 'high: \[DF013\]' 'high: \[DF014\]' 'high: \[DF015\]' \
        'high: \[DF016\]' 'medium: \[DF020\]' 'medium: \[DF025\]' 'medium: \[DF027\]'; do
        expect_out "$want"
    done
    expect_nowhere 's3cr3t-Pa55w0rd'
    expect_nowhere 'AKIAQ3EGRTXJ7W2LMN5P'
    expect_nowhere 'hunter2-prod-Secret'
}

t_json_report_contract() {
    run "$SCANNER" --dockerfile "$EX" --report security-report.json
    expect_rc 1
    expect_file security-report.json
    python3 - security-report.json <<'PY' || fail "JSON contract"
import json, sys
d = json.load(open(sys.argv[1]))
fs = d["findings"]
ids = {f["rule"] for f in fs}
assert {"DF001", "DF003", "DF010", "DF013"} <= ids, ids
df1 = [f for f in fs if f["rule"] == "DF001"][0]
assert df1["severity"] == "critical" and "DL3002" in df1["aliases"] and "DS-0002" in df1["aliases"]
assert df1["location"]["line"] == 35, df1["location"]
sec = [f for f in fs if f["rule"] == "DF003"][0]
assert "secret" in sec and sec["secret"]["redacted"], sec
PY
    expect_nowhere 'AKIAQ3EGRTXJ7W2LMN5P' security-report.json
    expect_nowhere 's3cr3t-Pa55w0rd' security-report.json
}

t_sarif_validates() {
    run "$SCANNER" --dockerfile "$EX" --format sarif
    expect_rc 1
    cp "$TMP/.out" out.sarif
    local v=$ROOT/tests/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool
    [ -x "$v" ] || { fail "sarif-multitool missing (make deps)"; return; }
    "$v" validate out.sarif -o val.json --log ForceOverwrite >/dev/null 2>&1 || fail "validator failed to run"
    [ -s val.json ] || fail "no validation log"
    ! grep -q '"level": *"error"' val.json || fail "SARIF errors: $(grep -m3 -A3 '"error"' val.json)"
    expect_nowhere 'AKIAQ3EGRTXJ7W2LMN5P' out.sarif
}

t_stdin_and_repeat_and_threshold() {
    printf 'FROM alpine:3.22@sha256:00\nUSER 1000\nHEALTHCHECK CMD true\nEXPOSE 22\n' >Dockerfile
    run_stdin "$(cat Dockerfile)" "$SCANNER" --dockerfile - --format json
    expect_rc 1
    expect_out '"DF010"'
    expect_out '<stdin>'
    run "$SCANNER" --dockerfile Dockerfile --fail-on critical
    expect_rc 0
    # The default threshold is high: medium and low findings alone exit 0.
    printf 'FROM alpine:3.22\nUSER 1000\n' >medium
    run "$SCANNER" --dockerfile medium
    expect_rc 0
    expect_out 'medium: \[DF020\]'
    run "$SCANNER" --dockerfile medium --fail-on low
    expect_rc 1
    run "$SCANNER" --dockerfile Dockerfile --dockerfile "$FX/tricky/heredocs.Dockerfile" --format json
    expect_rc 1
    expect_out 'heredocs.Dockerfile'
    expect_out '"Dockerfile"'
}

t_unreadable_is_exit_2() {
    run "$SCANNER" --dockerfile does-not-exist
    expect_rc 2
    expect_err 'error: does-not-exist: no such file'
    expect_no_err 'does-not-exist: does-not-exist' # the file named once
    mkdir d
    run "$SCANNER" --dockerfile d
    expect_rc 2
    expect_err 'error: d: is a directory'
}

t_hostile_files_never_crash() {
    local f
    for f in "$FX"/hostile/*; do
        run "$SCANNER" --dockerfile "$f" --fail-on critical --format json
        [ "$RC" -le 1 ] || fail "$(basename "$f"): exit $RC: ${ERR:0:200}"
        python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$TMP/.out" || fail "$(basename "$f"): bad JSON"
    done
    run "$SCANNER" --dockerfile "$FX/hostile/unknown.Dockerfile"
    expect_out 'info: \[DF000\].*FROBNICATE'
    expect_out 'unknown flag --frobnicate'
    run "$SCANNER" --dockerfile "$FX/hostile/unterminated_heredoc.Dockerfile"
    expect_out 'unterminated heredoc'
    head -c 300000 /dev/zero | tr '\0' 'A' >big
    run "$SCANNER" --dockerfile big --max-file-size 1000
    [ "$RC" -le 1 ] || fail "huge file: exit $RC"
    expect_out 'only the start was scanned'
}

t_context_ignore_and_config() {
    mkdir app
    printf 'FROM alpine:3.22@sha256:00\nCOPY . /app\nEXPOSE 22\nUSER 1000\nHEALTHCHECK CMD true\n' >app/Dockerfile
    printf 'GITHUB_TOKEN=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\n' >app/.env
    run "$SCANNER" --dockerfile app/Dockerfile
    expect_rc 1
    expect_out 'app/.env:1:.*\[DF007\].*Dockerfile:2'
    expect_out '\[DF027\]'
    expect_nowhere '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'
    printf '.git\n.env*\n*.pem\n*.key\nid_*\n' >app/.dockerignore
    run "$SCANNER" --dockerfile app/Dockerfile
    expect_no_out 'DF007'
    expect_no_out 'DF027'
    # --context elsewhere: the secret file is there again
    mkdir other
    cp app/.env other/.env
    run "$SCANNER" --dockerfile app/Dockerfile --context other
    expect_out 'DF007'
    run "$SCANNER" --dockerfile app/Dockerfile --ignore DS-0004
    expect_no_out 'DF010'
    printf '[severity]\nDF010 = critical\n' >app/.scanner.ini
    run "$SCANNER" --dockerfile app/Dockerfile
    expect_out 'critical: \[DF010\]'
    printf '[dockerfile]\nbogus = 1\n' >bad.ini
    run "$SCANNER" --dockerfile app/Dockerfile --config bad.ini
    expect_rc 2
    expect_err 'bad.ini:2'
}

t_show_secrets_is_explicit() {
    printf 'FROM alpine:3.22@sha256:00\nENV DB_PASSWORD=Zq9-very-secret-pw\nUSER 1\nHEALTHCHECK CMD true\n' >Dockerfile
    run "$SCANNER" --dockerfile Dockerfile
    expect_nowhere 'Zq9-very-secret-pw'
    run "$SCANNER" --dockerfile Dockerfile --show-secrets
    expect_out 'Zq9-very-secret-pw'
}

t_official_image_shapes_have_no_secret_findings() {
    for f in "$FX"/official/Dockerfile.*; do
        run "$SCANNER" --dockerfile "$f" --format json
        cp "$TMP/.out" out.json
        python3 - out.json <<'PY' || fail "secret findings on $f"
import json, sys
fs = json.load(open(sys.argv[1]))["findings"]
bad = [(f["rule"], f["message"]) for f in fs
       if f["category"] == "secret" and f["severity"] in ("critical", "high")]
assert not bad, bad
assert not [f for f in fs if f["rule"] == "DF012"], "chmod 1777 (sticky) is not world-writable"
PY
    done
}

t_debug_ports_credential_stores_secret_args() {
    run "$SCANNER" --dockerfile "$FX/debug/Dockerfile" --format json
    expect_rc 1
    cp "$TMP/.out" out.json
    python3 - out.json <<'PY' || fail "debug fixture"
import json, sys
fs = json.load(open(sys.argv[1]))["findings"]
by = lambda r: [f for f in fs if f["rule"] == r]
assert len(by("DF066")) == 2, by("DF066")                      # EXPOSE 9229, --inspect=0.0.0.0
assert {f["location"]["line"] for f in by("DF066")} == {7, 10}
paths = " ".join(f["message"] for f in by("DF005"))
assert ".docker/config.json" in paths and ".netrc" in paths, paths  # no token in them, still
arg = by("DF065")
assert arg and arg[0]["severity"] == "high" and "DL3064" in arg[0]["aliases"], arg
PY
}

t_label_schema_from_hadolint_yaml() {
    mkdir lab
    printf 'label-schema:\n  owner: text\n  org.opencontainers.image.source: url\nstrict-labels: true\n' >lab/.hadolint.yaml
    printf 'FROM alpine:3.22@sha256:00\nLABEL owner=ops org.opencontainers.image.source=not-a-url extra=1\nUSER 1\nHEALTHCHECK CMD true\n' >lab/Dockerfile
    run "$SCANNER" --dockerfile lab/Dockerfile --format json
    cp "$TMP/.out" out.json
    python3 - out.json <<'PY' || fail "label schema"
import json, sys
fs = [f for f in json.load(open(sys.argv[1]))["findings"] if f["rule"] == "DF060"]
al = sorted(f["aliases"] for f in fs)
assert any("DL3052" in a for a in al) and any("DL3050" in a for a in al), al
PY
    rm lab/.hadolint.yaml
    run "$SCANNER" --dockerfile lab/Dockerfile
    expect_no_out 'DF060'
    # hadolint's `ignored:` list silences by id, one case of a shared rule at a time
    printf 'FROM alpine:3.22@sha256:00\nRUN apk add --no-cache curl && pip install --no-cache-dir flask\nUSER 1\nHEALTHCHECK CMD true\n' >lab/Dockerfile
    printf 'ignored:\n  - DL3018\n' >lab/.hadolint.yaml
    run "$SCANNER" --dockerfile lab/Dockerfile
    expect_out 'DF032\] pip installs flask'
    expect_no_out 'apk add installs'
    # --config FILE.yaml is hadolint's file, not an INI
    mv lab/.hadolint.yaml hl.yaml
    run "$SCANNER" --dockerfile lab/Dockerfile --config hl.yaml
    expect_rc 0
    expect_no_out 'apk add installs'
    run "$SCANNER" --dockerfile lab/Dockerfile --config missing.yaml
    expect_rc 2
    expect_err 'missing.yaml'
}

# Many Dockerfiles sharing one build context in one process: the context is walked and read
# once, and every Dockerfile still gets its own findings from it.
t_many_dockerfiles_share_one_context() {
    mkdir -p ctx/src dfs
    for i in $(seq 1 300); do printf 'x = %d\n' "$i" >ctx/src/f$i.py; done
    printf 'github = ghp_R8mZtV2qLx9nPb4Kc7Wd1Hy6Js3Fg0AeUo5i\n' >ctx/src/settings.ini
    printf '.git\n.env*\n*.pem\n*.key\nid_*\n' >ctx/.dockerignore
    local args=()
    for i in $(seq 1 300); do
        printf 'FROM alpine:3.22@sha256:00\nCOPY . /app\nUSER 1\nHEALTHCHECK CMD true\n' >dfs/Dockerfile.$i
        args+=(--dockerfile dfs/Dockerfile.$i)
    done
    local t0=$SECONDS
    run "$SCANNER" "${args[@]}" --context ctx --format json
    [ $((SECONDS - t0)) -le 20 ] || fail "300 Dockerfiles took $((SECONDS - t0)) s"
    cp "$TMP/.out" out.json
    python3 - out.json <<'PY' || fail "shared context"
import json, sys
d = json.load(open(sys.argv[1]))
hits = [f for f in d["findings"] if f["rule"] == "DF007"]
assert len({f["message"].split(" at ")[-1] for f in hits}) == 300, len(hits)
PY
}

# A token whose published checksum fails is a typo or an invention, not a live credential: the
# scanners that report detector hits under their own rules rate it low, as --path does.
t_checksum_mismatch_is_low_everywhere() {
    printf 'FROM alpine:3.19\nENV BUILD_REF=ghp_Zz9yX8wV7uT6sR5qP4oN3mL2kJ1iH0gF9eD8\nUSER 10001\n' >Dockerfile
    run "$SCANNER" --dockerfile Dockerfile
    expect_out 'Dockerfile:2:[0-9]+: low: \[DF003\].*checksum'
    expect_no_out 'critical: \[DF003\]'
    printf 'BUILD_REF=ghp_Zz9yX8wV7uT6sR5qP4oN3mL2kJ1iH0gF9eD8\n' >.env
    run "$SECRETS" validate --env-file .env --no-example
    expect_no_out 'critical: \[ENV103\]'
    printf 'BUILD_REF=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\n' >.env
    run "$SECRETS" validate --env-file .env --no-example
    expect_out 'critical: \[ENV103\]'
}

e2e_main
