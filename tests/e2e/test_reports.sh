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
invs = [r["invocations"][0] for r in d["runs"]]
bad = [i for i in invs if i["executionSuccessful"] is False]
assert bad, invs
notes = [n for i in bad for n in i["toolExecutionNotifications"]]
assert any(n["level"] == "error" and sys.argv[2] in n["message"]["text"] for n in notes), notes
assert any(r["ruleId"] == "DF004" for run in d["runs"] for r in run["results"]), "findings of the good target lost"
ids = [r["automationDetails"]["id"] for r in d["runs"]]
assert len(ids) == len(set(ids)) == len(d["runs"]) >= 2, ids
PY
    # (run validated this SARIF with the schema and sarif-multitool's GitHub rules)
    run "$SCANNER" --dockerfile Dockerfile "$@" --format junit
    expect_rc 2
    cp "$TMP/.out" run.xml
    python3 - run.xml "$target" <<'PY' || fail "$label: JUnit does not report the failure"
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
assert root.tag == "testsuites" and int(root.get("errors")) >= 1, root.attrib
errs = [c for c in root.iter("testcase") if c.find("error") is not None]
assert any(sys.argv[2] in c.get("name") for c in errs), [c.attrib for c in errs]
assert any(c.get("name").startswith("DF004 ") for c in root.iter("testcase")), "findings lost"
PY
    run "$SCANNER" --dockerfile Dockerfile "$@" --format gitlab
    expect_rc 2
    python3 - "$TMP/.out" "$target" <<'PY' || fail "$label: GitLab report does not say the scan failed"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["scan"]["status"] == "failure", d["scan"]
assert any(sys.argv[2] in m["value"] for m in d["scan"]["messages"]), d["scan"]["messages"]
assert any(i["value"] == "DF004" for v in d["vulnerabilities"] for i in v["identifiers"])
PY
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
    python3 -c 'import json,sys; d=json.load(sys.stdin); assert all(r["invocations"][0]["executionSuccessful"] is True for r in d["runs"])' \
        <"$TMP/.out" || fail "a run without errors is not executionSuccessful"
    run "$SCANNER" --dockerfile Dockerfile --fail-on critical
    expect_no_out 'scan failed'
}

# ---- Fingerprints (SECURITY.md) ------------------------------------------------------------------
export GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@example.invalid GIT_COMMITTER_NAME=t \
    GIT_COMMITTER_EMAIL=t@example.invalid GIT_CONFIG_NOSYSTEM=1 HOME=${HOME:-/tmp}

WORDS="password 123456 changeme hunter2 letmein admin secret qwerty welcome dragon monkey"

# make_repo DIR FIRST-COMMIT-TEXT: a git repository with a Dockerfile and a .env holding weak
# secrets; the first commit's text makes its root commit id (and so its salt) its own.
make_repo() {
    mkdir -p "$1"
    (
        cd "$1" || exit 1
        git init -q .
        printf '%s\n' "$2" >README
        git add README && git commit -qm root
        printf 'FROM alpine:3.19\nUSER app\nENV DB_PASSWORD=changeme\nENV ADMIN_PASS=hunter2\n' >Dockerfile
        printf 'API_TOKEN=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\nNEW_TOKEN=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\n' >app.env
        git add Dockerfile app.env && git commit -qm app
    )
}

# fps FILE.json: "fingerprint rule message-words..." lines of a JSON report, sorted.
fps() {
    python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
for x in d["findings"]:
    print(x["fingerprint"], x["rule"], x["message"])
' "$1" | sort
}

# The attacker holds every output and a word list. Offline, no hash of any guess (plain,
# salted-free, or under the old public key) may appear in them; a positive control proves the
# search would find one.
t_fingerprints_resist_a_word_list() {
    make_repo repo first
    cd repo || return
    run "$SCANNER" --dockerfile Dockerfile --path app.env --format json --report out.sarif \
        --write-baseline base.json
    expect_rc 1
    cp "$TMP/.out" out.json
    run "$SCANNER" --dockerfile Dockerfile --path app.env
    cp "$TMP/.out" out.txt
    python3 - $WORDS <<'PY' || fail "a guess's hash appears in an output"
import hashlib, sys
words = sys.argv[1:]
def digests(w):
    b = w.encode()
    out = [hashlib.new(n, b).hexdigest() for n in ("md5", "sha1", "sha256", "sha512")]
    out += [hashlib.blake2b(b, digest_size=32).hexdigest(), hashlib.blake2b(b).hexdigest(),
            hashlib.blake2b(b, digest_size=32, key=b"secrets-suite detect fp v1 key..").hexdigest()]
    return out + [d[:16] for d in out]
def attack(text):
    return [w for w in words if any(d in text for d in digests(w))]
# Positive control: the old scheme's fingerprint of "changeme" is found.
old = hashlib.blake2b(b"changeme", digest_size=32, key=b"secrets-suite detect fp v1 key..").hexdigest()
assert attack('{"fingerprint": "%s"}' % old) == ["changeme"], "the attack itself is broken"
for f in ("out.json", "out.sarif", "base.json", "out.txt"):
    text = open(f).read().lower()
    assert "changeme" not in text and "hunter2" not in text, f + " holds a value"
    found = attack(text)
    assert not found, "%s: recovered %s" % (f, found)
PY
    # Online: the attacker swaps each guess into the same file of the same repository and runs
    # the scanner. Every guess gives the same fingerprint as the real value: nothing singles it out.
    target=$(fps out.json | awk '$2 == "DF004" && /DB_PASSWORD/ {print $1}')
    [ -n "$target" ] || fail "no DF004 finding for DB_PASSWORD"
    matches=0 present=0
    for w in $WORDS; do
        sed -i "s/^ENV DB_PASSWORD=.*/ENV DB_PASSWORD=$w/" Dockerfile
        run "$SCANNER" --dockerfile Dockerfile --format json
        got=$(python3 -c '
import json, sys
d = json.load(sys.stdin)
print(" ".join(x["fingerprint"] for x in d["findings"] if x["rule"] == "DF004" and "DB_PASSWORD" in x["message"]))
' <"$TMP/.out")
        # Some guesses are not reported at all (not a secret-looking literal): no fingerprint.
        [ -n "$got" ] && present=$((present + 1))
        [ "$got" = "$target" ] && matches=$((matches + 1))
    done
    [ "$present" -ge 5 ] || fail "only $present guesses reported: the test proves nothing"
    [ "$matches" -eq "$present" ] ||
        fail "the fingerprint singles out guesses: $matches of $present match"
}

t_fingerprints_stable_across_runs_clones_and_line_moves() {
    make_repo repo first
    (cd repo && "$SCANNER" --dockerfile Dockerfile --path app.env --format json >../a.json \
        --write-baseline base.json; true)
    (cd repo && "$SCANNER" --dockerfile Dockerfile --path ./app.env --format json >../b.json; true)
    [ "$(fps a.json | awk '{print $1}')" = "$(fps b.json | awk '{print $1}')" ] ||
        fail "fingerprints change between runs"
    [ "$(fps a.json | wc -l)" -ge 4 ] || fail "too few findings: $(fps a.json)"
    # Two tokens of one rule in one file are told apart by their names, not their values.
    [ "$(fps a.json | awk '$2 == "secret.github-pat" {print $1}' | sort -u | wc -l)" -eq 2 ] ||
        fail "two tokens of one file share a fingerprint"
    # Another machine: a clone elsewhere, run from a sub-directory, lines moved down.
    git clone -q repo "$TMP/elsewhere/clone"
    cp repo/base.json "$TMP/elsewhere/clone/"
    cd "$TMP/elsewhere/clone" || return
    printf '\n\n# moved\n%s\n' "$(cat app.env)" >app.env
    sed -i '1a # a comment that moves every line' Dockerfile
    mkdir sub && cd sub || return
    run "$SCANNER" --dockerfile ../Dockerfile --path ../app.env --format json
    cp "$TMP/.out" "$TMP/c.json"
    run "$SCANNER" --dockerfile ../Dockerfile --path ../app.env --baseline ../base.json --fail-on low
    expect_rc 0
    expect_out 'no findings'
    cd "$TMP" || return
    # Same fingerprints (paths printed differently from the sub-directory, so compare the set).
    [ "$(fps a.json | awk '{print $1}')" = "$(fps c.json | awk '{print $1}')" ] ||
        fail "fingerprints differ in a clone with moved lines"
    run "$SCANNER" --dockerfile repo/Dockerfile --format sarif
    cp "$TMP/.out" s1.sarif
    run "$SCANNER" --dockerfile repo/Dockerfile --format sarif
    python3 - s1.sarif "$TMP/.out" <<'PY' || fail "SARIF partialFingerprints change between runs"
import json, sys
def pf(p):
    return [r["partialFingerprints"] for r in json.load(open(p))["runs"][0]["results"]]
a, b = pf(sys.argv[1]), pf(sys.argv[2])
assert a == b and a and all(x["primaryLocationLineHash"] for x in a), (a, b)
PY
}

t_fingerprints_differ_between_repositories() {
    make_repo one first
    make_repo two second
    (cd one && "$SCANNER" --dockerfile Dockerfile --path app.env --format json >../one.json; true)
    (cd two && "$SCANNER" --dockerfile Dockerfile --path app.env --format json >../two.json; true)
    [ "$(fps one.json | wc -l)" -eq "$(fps two.json | wc -l)" ] || fail "different findings"
    common=$(comm -12 <(fps one.json | awk '{print $1}') <(fps two.json | awk '{print $1}'))
    [ -z "$common" ] || fail "two repositories share fingerprints: $common"
    # A .scanner-salt at the top wins over the root commit: equal salts, equal fingerprints.
    head -c 32 /dev/urandom | base64 >one/.scanner-salt
    cp one/.scanner-salt two/.scanner-salt
    (cd one && "$SCANNER" --dockerfile Dockerfile --path app.env --format json >../one.json; true)
    (cd two && "$SCANNER" --dockerfile Dockerfile --path app.env --format json >../two.json; true)
    [ "$(fps one.json | awk '{print $1}')" = "$(fps two.json | awk '{print $1}')" ] ||
        fail ".scanner-salt does not set the salt"
}

t_old_baseline_is_refused() {
    printf 'FROM alpine:3.19\nUSER app\n' >Dockerfile
    printf '{"version": 1, "findings": []}\n' >old.json
    run "$SCANNER" --dockerfile Dockerfile --baseline old.json
    expect_rc 2
    expect_err 'old.json: baseline version 1'
}

# The image fixture (tests/fixtures/image/build.sh), built once for the tests that need it.
IMGFX=""
image_fixture() {
    if [ -z "$IMGFX" ] || [ ! -f "$IMGFX/image.docker.tar" ]; then
        fail "image fixture: $(tail -3 "$IMGFX_LOG" 2>/dev/null)"
        return 1
    fi
}
IMGFX=$(mktemp -d /tmp/e2e-reports-img.XXXXXX)
IMGFX_LOG=$IMGFX/build.log
trap 'rm -rf "$IMGFX"' EXIT
"$ROOT/tests/fixtures/image/build.sh" "$IMGFX" >"$IMGFX_LOG" 2>&1 || true

# ---- Ignores: one filter for every target ---------------------------------------------------------
TOKEN=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

make_targets() {
    printf 'FROM alpine:3.19\nENV DB_PASSWORD=changeme\n' >Dockerfile
    mkdir -p src
    printf 'A=1\nGITHUB_TOKEN=%s\n' "$TOKEN" >src/app.env
    printf 'services:\n  web:\n    image: nginx:1.25\n    network_mode: host\n' >compose.yaml
}

t_ignore_ids_and_aliases_on_every_target() {
    make_targets
    # --path: our id, and the gitleaks alias
    run "$SCANNER" --path src
    expect_out '\[secret\.github-pat\]'
    run "$SCANNER" --path src --ignore secret.github-pat
    expect_rc 0
    expect_no_out 'github-pat'
    run "$SCANNER" --path src --ignore gitleaks:github-pat
    expect_no_out 'github-pat'
    # --dockerfile: trivy's name of DF001 and checkov's of DF020
    run "$SCANNER" --dockerfile Dockerfile
    expect_out '\[DF001\]'
    run "$SCANNER" --dockerfile Dockerfile --ignore DS-0002 --ignore CKV_DOCKER_2
    expect_no_out '\[DF001\]'
    expect_out '\[DF004\]'
    # --compose
    run "$SCANNER" --compose compose.yaml
    expect_out '\[RT007\]'
    run "$SCANNER" --compose compose.yaml --ignore rt007
    expect_no_out '\[RT007\]'
    expect_out '\[RT003\]'
}

t_ignore_on_images() {
    image_fixture || return
    run "$SCANNER" --image "$IMGFX/image.docker.tar"
    expect_out '\[IMG012\]'
    run "$SCANNER" --image "$IMGFX/image.docker.tar" --ignore IMG012
    expect_no_out '\[IMG012\]'
    expect_out '\[IMG013\]'
    printf '[scanner]\nignore = IMG013\n' >.scanner.ini
    run "$SCANNER" --image "$IMGFX/image.docker.tar" --ignore IMG012
    expect_no_out '\[IMG01[23]\]'
}

t_unknown_id_is_an_error_naming_the_closest() {
    make_targets
    run "$SCANNER" --dockerfile Dockerfile --ignore DL3OO7
    expect_rc 2
    expect_err "unknown rule id 'DL3OO7' \(the closest known id is DL3007\)"
    expect_no_out 'DF0'
    printf '[scanner]\nignore = RT07\n' >.scanner.ini
    run "$SCANNER" --compose compose.yaml
    expect_rc 2
    expect_err "\.scanner\.ini: unknown rule id 'RT07' \(the closest known id is RT0[0-9]7\)"
}

t_config_discovery_and_inline_ignores() {
    make_targets
    git init -q .
    printf '[scanner]\nignore = RT007\n' >.scanner.ini
    mkdir -p deep/er
    cd deep/er || return
    # From a sub-directory: the .scanner.ini at the work tree's top applies to every target.
    run "$SCANNER" --compose ../../compose.yaml --dockerfile ../../Dockerfile
    expect_no_out '\[RT007\]'
    expect_out '\[DF004\]'
    # --config wins over discovery
    printf '[scanner]\nignore = DF004\n' >other.ini
    run "$SCANNER" --compose ../../compose.yaml --dockerfile ../../Dockerfile --config other.ini
    expect_out '\[RT007\]'
    expect_no_out '\[DF004\]'
    cd ../.. || return
    rm .scanner.ini
    # Inline: on the line, or on a comment line just above.
    printf 'services:\n  web:\n    image: nginx:1.25\n    network_mode: host # scanner ignore=RT007\n' >compose.yaml
    run "$SCANNER" --compose compose.yaml
    expect_no_out '\[RT007\]'
    expect_out '\[RT003\]'
    printf 'A=1\n# scanner ignore=secret.github-pat\nGITHUB_TOKEN=%s\n' "$TOKEN" >src/app.env
    run "$SCANNER" --path src
    expect_rc 0
    expect_no_out 'github-pat'
    # A comment for another rule ignores nothing.
    printf 'A=1\nGITHUB_TOKEN=%s # scanner ignore=RT001\n' "$TOKEN" >src/app.env
    run "$SCANNER" --path src
    expect_out 'github-pat'
}

t_migrated_ignore_files() {
    make_targets
    # .hadolint.yaml: ignored ids (ours for the ones that map, a note for the others) and the
    # failure threshold; --fail-on given on the command line wins.
    printf 'ignored:\n  - DL3063\n  - DL9999\nfailure-threshold: none\ntrustedRegistries:\n  - registry.example.com\n' >.hadolint.yaml
    run "$SCANNER" --dockerfile Dockerfile
    expect_rc 0
    expect_no_out '\[DF001\]'
    expect_out '\[DF004\]'
    expect_err 'hadolint\.yaml:3: DL9999 has no equivalent'
    run "$SCANNER" --dockerfile Dockerfile --fail-on high
    expect_rc 1
    printf 'ignored: [\n' >.hadolint.yaml
    run "$SCANNER" --dockerfile Dockerfile
    expect_rc 2
    expect_err '\.hadolint\.yaml:[0-9]+: invalid YAML'
    rm .hadolint.yaml
    # .trivyignore: AVD-DS-0002 and DS002 are DF001's trivy names.
    printf '# accepted\nAVD-DS-0002 exp:2099-01-01\n' >.trivyignore
    run "$SCANNER" --dockerfile Dockerfile
    expect_no_out '\[DF001\]'
    printf 'DS002\n' >.trivyignore
    run "$SCANNER" --dockerfile Dockerfile
    expect_no_out '\[DF001\]'
    rm .trivyignore
    # .gitleaksignore: FILE:RULE:LINE, with or without the commit.
    printf '%s:src/app.env:github-pat:2\n' "$(printf '%040d' 7)" >.gitleaksignore
    run "$SCANNER" --path src
    expect_rc 0
    expect_no_out 'github-pat'
    printf 'src/app.env:github-pat:9\n' >.gitleaksignore
    run "$SCANNER" --path src
    expect_out 'github-pat'
    printf 'not a fingerprint\n' >.gitleaksignore
    run "$SCANNER" --path src
    expect_rc 2
    expect_err '\.gitleaksignore:1: not a gitleaks fingerprint'
}

# ---- Formats and report files ---------------------------------------------------------------------
t_format_is_stdout_and_report_format_the_file() {
    printf 'FROM alpine:3.19\nUSER app\nENV DB_PASSWORD=changeme\n' >Dockerfile
    # --format always means stdout, even with --report; the file's format is its extension's.
    run "$SCANNER" --dockerfile Dockerfile --format json --report r.sarif
    expect_rc 1
    python3 -c 'import json,sys; json.load(sys.stdin)["findings"]' <"$TMP/.out" || fail "stdout is not the JSON report"
    python3 -c 'import json; assert json.load(open("r.sarif"))["version"] == "2.1.0"' || fail "r.sarif is not SARIF"
    # (run validated r.sarif with both SARIF validators)
    # --report-format beats the extension
    run "$SCANNER" --dockerfile Dockerfile --report r.out.json --report-format junit
    expect_out '\[DF004\]'
    python3 -c 'import xml.etree.ElementTree as E; assert E.parse("r.out.json").getroot().tag == "testsuites"' ||
        fail "--report-format junit not honoured"
    # .xml is JUnit, well-formed for xmllint too
    run "$SCANNER" --dockerfile Dockerfile --report r.xml
    xmllint --noout r.xml || fail "r.xml is not well-formed XML"
    grep -q '<testcase name="DF004 Dockerfile:3"' r.xml || fail "JUnit lacks the DF004 case"
    expect_nowhere changeme r.xml
    # an unknown extension is an error, before scanning, and writes nothing
    run "$SCANNER" --dockerfile Dockerfile --report r.html
    expect_rc 2
    expect_err 'r\.html: cannot tell the format from the extension'
    expect_no_file r.html
    run "$SCANNER" --dockerfile Dockerfile --format yaml
    expect_rc 2
    expect_err "unknown format 'yaml' \(text, json, sarif, junit, gitlab\)"
    # GitLab: a secret-detection report, no value in it
    run "$SCANNER" --dockerfile Dockerfile --report gl.json --report-format gitlab
    python3 - <<'PY' || fail "GitLab report shape"
import json, re
d = json.load(open("gl.json"))
assert d["scan"]["type"] == "secret_detection" and d["scan"]["status"] == "success"
assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$", d["scan"]["start_time"])
ids = [v["id"] for v in d["vulnerabilities"]]
assert len(ids) == len(set(ids)) and ids
for v in d["vulnerabilities"]:
    assert v["severity"] in ("Critical", "High", "Medium", "Low", "Info")
    assert v["identifiers"][0]["type"] == "scanner_rule" and v["location"]["file"] == "Dockerfile"
    assert len(v["location"]["commit"]["sha"]) == 40
PY
    expect_nowhere changeme gl.json
    # --fail-on none: findings, exit 0
    run "$SCANNER" --dockerfile Dockerfile --fail-on none
    expect_rc 0
    expect_out '\[DF004\]'
    run "$SCANNER" --dockerfile Dockerfile --fail-on never
    expect_rc 2
    expect_err "unknown severity 'never' \(critical, high, medium, low, info, none\)"
}

# ---- SARIF that code scanning accepts --------------------------------------------------------------
# check_sarif FILE: rules described, URIs relative to %SRCROOT%, file locations only for real
# files, security-severity in the band of every result's severity, one automation id per run.
check_sarif() {
    python3 - "$1" <<'PY' || fail "SARIF $1 breaks a code-scanning rule"
import json, os, sys
d = json.load(open(sys.argv[1]))
band = {"critical": 9.0, "high": 7.0, "medium": 4.0, "low": 0.1}
top = {"critical": 10.0, "high": 8.9, "medium": 6.9, "low": 3.9}
ids = set()
for run in d["runs"]:
    aid = run["automationDetails"]["id"]
    assert aid not in ids, "automation id twice: " + aid
    ids.add(aid)
    root = run["originalUriBaseIds"]["%SRCROOT%"]["uri"]
    assert root.startswith("file:///") and root.endswith("/"), root
    rules = run["tool"]["driver"]["rules"]
    for r in rules:
        assert r["fullDescription"]["text"] and r["help"]["markdown"], r["id"]
    for res in run["results"]:
        rule = rules[res["ruleIndex"]]
        assert rule["id"] == res["ruleId"]
        sev = res["properties"]["severity"]
        if sev in band:
            score = float(rule["properties"]["security-severity"])
            assert score >= band[sev], (res["ruleId"], sev, score)
        score = rule["properties"].get("security-severity")
        if score is not None:
            worst = max((r2["properties"]["severity"] for r2 in run["results"] if r2["ruleId"] == res["ruleId"]),
                        key=lambda s: list(band).index(s) * -1 if s in band else 99)
            if worst in band:
                assert band[worst] <= float(score) <= top[worst], (res["ruleId"], worst, score)
        for loc in res["locations"]:
            if "physicalLocation" in loc:
                art = loc["physicalLocation"]["artifactLocation"]
                uri = art["uri"]
                assert art["uriBaseId"] == "%SRCROOT%", art
                assert not uri.startswith(("./", "/", "file:")), uri
                path = os.path.join(root[len("file://"):], uri)
                assert os.path.isfile(path), "physical location of a file that does not exist: " + path
            else:
                assert loc["logicalLocations"][0]["fullyQualifiedName"], loc
PY
}

t_sarif_rules_uris_and_locations_for_code_scanning() {
    make_targets
    git init -q .
    mkdir sub
    cp Dockerfile sub/Dockerfile
    cd sub || return
    run "$SCANNER" --dockerfile Dockerfile --dockerfile ./Dockerfile --path ../src --compose ../compose.yaml --format sarif
    expect_rc 1
    cp "$TMP/.out" "$TMP/all.sarif"
    check_sarif "$TMP/all.sarif"
    python3 - "$TMP/all.sarif" <<'PY' || fail "URIs are not relative to the work tree's top"
import json, sys
d = json.load(open(sys.argv[1]))
uris = {l["physicalLocation"]["artifactLocation"]["uri"] for r in d["runs"] for x in r["results"]
        for l in x["locations"] if "physicalLocation" in l}
assert {"sub/Dockerfile", "src/app.env", "compose.yaml"} <= uris, uris
PY
}

t_sarif_image_findings_use_logical_locations() {
    image_fixture || return
    run "$SCANNER" --image "$IMGFX/image.docker.tar" --format sarif
    expect_rc 1
    cp "$TMP/.out" img.sarif
    check_sarif img.sarif
    python3 - img.sarif <<'PY' || fail "image findings have file locations or no layer digest"
import json, sys
d = json.load(open(sys.argv[1]))
res = [x for r in d["runs"] for x in r["results"]]
assert res
for x in res:
    for l in x["locations"]:
        assert "physicalLocation" not in l, l
assert any("sha256:" in l["logicalLocations"][0]["fullyQualifiedName"] for x in res for l in x["locations"])
assert any(x["ruleId"] == "IMG013" and x["properties"].get("line") for x in res)
PY
}

e2e_main
