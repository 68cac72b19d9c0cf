#!/usr/bin/env bash
# End-to-end tests of `scanner --image I --merge-report FILE`: Trivy and Grype JSON reports of the
# package test image (tests/fixtures/merge/, written by hand in the shape the tools document, with
# real advisories), folded into our OSV findings (tests/fixtures/osv/): duplicates under an id or
# an alias become one finding with two sources, results only a peer has are findings of their
# own, and hostile reports are an error with nothing written.
. "$(dirname "$0")/lib.sh"

MGFX=$(mktemp -d /tmp/e2e-merge.XXXXXX)
trap 'rm -rf "$MGFX"' EXIT
if ! ROOT=$ROOT "$ROOT/tests/fixtures/image/build_packages.sh" "$MGFX" >"$MGFX/build.log" 2>&1; then
    echo "package image fixtures failed to build:"
    tail -20 "$MGFX/build.log"
    exit 1
fi
OSV=$ROOT/tests/fixtures/osv
OLD=$MGFX/pkgs-old.docker.tar
NEW=$MGFX/pkgs-new.docker.tar

# fill IMAGE TEMPLATE: the template with the image's own layer diff ids and config digest, and
# this machine's libgcc-s1 version (the image's dpkg status is this machine's).
fill() {
    local cfg ids
    cfg=$(tar -xOf "$1" manifest.json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["Config"])')
    ids=($(tar -xOf "$1" "$cfg" | python3 -c 'import json,sys; print(" ".join(json.load(sys.stdin)["rootfs"]["diff_ids"]))'))
    sed -e "s/@LAYER0@/${ids[0]}/g" -e "s/@LAYER1@/${ids[1]}/g" -e "s/@CONFIG@/${cfg%.json}/g" \
        -e "s/@LIBGCC@/$(dpkg-query -W -f '${Version}' libgcc-s1)/g" "$2"
}
fill "$OLD" "$FIXTURES/merge/trivy-pkgs-old.json" >"$MGFX/trivy.json"
fill "$OLD" "$FIXTURES/merge/grype-pkgs-old.json" >"$MGFX/grype.json"
TRIVY=$MGFX/trivy.json
GRYPE=$MGFX/grype.json

# vuln FILE ID PACKAGE: the `vulnerability` objects of the JSON report with that id and package,
# one per line as compact JSON.
vuln() {
    python3 - "$@" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for x in d["findings"]:
    v = x.get("vulnerability")
    if v and v["id"] == sys.argv[2] and v["package"] == sys.argv[3]:
        print(json.dumps(dict(v, severity=x["severity"], message=x["message"]), sort_keys=True))
PY
}

t_same_vulnerability_from_us_and_trivy_is_one_finding_with_two_sources() {
    run "$SCANNER" --image "$OLD" --vuln-db "$OSV" --merge-report "$TRIVY" --format json
    expect_rc 1
    # we name it DEBIAN-CVE-2023-38545, Trivy CVE-2023-38545: one finding per package
    vuln "$TMP/.out" DEBIAN-CVE-2023-38545 curl >curl.txt
    [ "$(wc -l <curl.txt)" -eq 1 ] || fail "curl's CVE-2023-38545: $(wc -l <curl.txt) findings"
    grep -q '"sources": \["scanner", "trivy"\]' curl.txt || fail "sources: $(cat curl.txt)"
    grep -q '"source": "scanner"' curl.txt || fail "not ours first: $(cat curl.txt)"
    # the record's `upstream` CVE is one of our finding's aliases
    grep -q '"aliases": \["CVE-2023-38545"\]' curl.txt || fail "upstream not an alias: $(cat curl.txt)"
    [ -z "$(vuln "$TMP/.out" CVE-2023-38545 curl)" ] || fail "Trivy's copy kept"
    [ "$(vuln "$TMP/.out" DEBIAN-CVE-2023-38545 libcurl4 | grep -c '"trivy"')" -eq 1 ] ||
        fail "libcurl4 not merged with Trivy's"
}

t_a_ghsa_and_its_cve_alias_are_one_finding() {
    run "$SCANNER" --image "$OLD" --vuln-db "$OSV" --merge-report "$TRIVY" --merge-report "$GRYPE" --format json
    # ours is GHSA-j8r2-6x86-q33q (alias CVE-2023-32681); Trivy says CVE-2023-32681
    vuln "$TMP/.out" GHSA-j8r2-6x86-q33q requests >req.txt
    [ "$(wc -l <req.txt)" -eq 1 ] && grep -q '"sources": \["scanner", "trivy"\]' req.txt ||
        fail "requests: $(cat req.txt)"
    [ -z "$(vuln "$TMP/.out" CVE-2023-32681 requests)" ] || fail "Trivy's CVE-2023-32681 kept apart"
    # Grype's GHSA-xvch-5gv4-984h is ours too
    vuln "$TMP/.out" GHSA-xvch-5gv4-984h minimist | grep -q '"sources": \["scanner", "grype"\]' ||
        fail "minimist: $(vuln "$TMP/.out" GHSA-xvch-5gv4-984h minimist)"
    n=$(python3 -c 'import json,sys; print(sum(x["rule"] == "VULN001" for x in json.load(open(sys.argv[1]))["findings"]))' "$TMP/.out")
    [ "$n" -eq 7 ] || fail "$n VULN001 findings, expected 7"
}

t_results_only_a_peer_has_are_findings_of_their_own() {
    run "$SCANNER" --image "$OLD" --vuln-db "$OSV" --merge-report "$TRIVY" --merge-report "$GRYPE"
    expect_rc 1
    expect_out 'var/lib/dpkg/status: low: \[VULN001\] CVE-2023-38546 \(DSA-5523-1\) in libcurl4 7\.88\.1-10\+deb12u3 \(Debian:12\): fixed in 7\.88\.1-10\+deb12u4; installed by layer 0 \(reported by Trivy\): curl: cookie injection with none file'
    expect_out 'requests-2\.28\.1\.dist-info/METADATA: medium: \[VULN001\] GHSA-9wx4-h78v-vm56 \(CVE-2024-35195\) in requests 2\.28\.1 \(PyPI\): fixed in 2\.32\.0; installed by layer 0 \(reported by Grype\)'
    expect_out 'medium: \[VULN001\] CVE-2023-4039 in libgcc-s1 .*no fix published.*\(reported by Trivy\)'
    # our own findings read as before
    expect_out 'var/lib/dpkg/status: critical: \[VULN001\] DEBIAN-CVE-2023-38545 in curl 7\.88\.1-10\+deb12u3 \(Debian:12\): fixed in 7\.88\.1-10\+deb12u4, CVSS 9\.8'
    # Trivy and Grype both report CVE-2023-38546 in libcurl4: one finding, Trivy's (given first)
    [ "$(grep -c 'CVE-2023-38546' "$TMP/.out")" -eq 1 ] || fail "CVE-2023-38546 not once"
    run "$SCANNER" --image "$OLD" --vuln-db "$OSV" --merge-report "$TRIVY" --merge-report "$GRYPE" --format json
    vuln "$TMP/.out" CVE-2023-38546 libcurl4 >c.txt
    python3 - c.txt <<'PY' || fail "CVE-2023-38546's vulnerability object: $(cat c.txt)"
import json, sys
v = json.loads(open(sys.argv[1]).read())
want = {"id": "CVE-2023-38546", "aliases": ["DSA-5523-1"], "package": "libcurl4",
        "ecosystem": "Debian:12", "installed": "7.88.1-10+deb12u3", "fixed": "7.88.1-10+deb12u4",
        "purl": "pkg:deb/debian/libcurl4@7.88.1-10%2Bdeb12u3?arch=amd64&distro=debian-12",
        "source": "trivy", "sources": ["trivy", "grype"], "severity": "low"}
assert all(v[k] == w for k, w in want.items()), v
assert v["layer"].startswith("sha256:"), v
PY
    # a vulnerability without a fix has "fixed": null
    vuln "$TMP/.out" CVE-2023-4039 libgcc-s1 | grep -q '"fixed": null' || fail "fixed is not null"
}

t_merge_without_a_database_of_ours() {
    XDG_CACHE_HOME=$TMP/cache run "$SCANNER" --image "$OLD" --merge-report "$TRIVY"
    expect_rc 1
    expect_err 'not checked for vulnerabilities: no database'
    expect_out 'critical: \[VULN001\] CVE-2023-38545 \(DSA-5523-1\) in curl .*\(reported by Trivy\)'
}

t_min_severity_and_ignore_unfixed_apply_to_merged_results() {
    run "$SCANNER" --image "$OLD" --vuln-db "$OSV" --merge-report "$TRIVY" --merge-report "$GRYPE" --min-severity medium
    expect_no_out 'CVE-2023-38546'
    expect_out 'CVE-2023-4039'
    run "$SCANNER" --image "$OLD" --vuln-db "$OSV" --merge-report "$TRIVY" --merge-report "$GRYPE" --ignore-unfixed
    expect_no_out 'CVE-2023-4039'
    expect_out 'CVE-2023-38546'
}

t_sarif_carries_the_vulnerability() {
    # run validates every SARIF it makes against the schema and GitHub's rules
    run "$SCANNER" --image "$OLD" --vuln-db "$OSV" --merge-report "$TRIVY" --format sarif
    expect_rc 1
    python3 - "$TMP/.out" <<'PY' || fail "SARIF properties lack the vulnerability"
import json, sys
res = json.load(open(sys.argv[1]))["runs"][0]["results"]
vs = [r["properties"]["vulnerability"] for r in res if r["ruleId"] == "VULN001"]
curl = [v for v in vs if v["id"] == "DEBIAN-CVE-2023-38545" and v["package"] == "curl"]
assert len(curl) == 1 and curl[0]["sources"] == ["scanner", "trivy"], curl
gcc = [v for v in vs if v["id"] == "CVE-2023-4039"]
assert len(gcc) == 1 and gcc[0]["fixed"] is None and gcc[0]["source"] == "trivy", gcc
PY
}

t_baseline_tells_vulnerabilities_of_one_file_apart() {
    # every Debian package is in var/lib/dpkg/status: a baseline of our findings must not hide
    # another vulnerability of that file that a report adds later
    run "$SCANNER" --image "$OLD" --vuln-db "$OSV" --write-baseline base.json
    expect_rc 1
    run "$SCANNER" --image "$OLD" --vuln-db "$OSV" --merge-report "$TRIVY" --baseline base.json
    expect_out 'CVE-2023-38546 \(DSA-5523-1\) in libcurl4'
    expect_out 'CVE-2023-4039 in libgcc-s1'
    expect_no_out 'DEBIAN-CVE-2023-38545|GHSA-j8r2-6x86-q33q'
}

t_report_of_another_image_is_refused() {
    # the Trivy report of pkgs-old names its layers; pkgs-new has one more
    run "$SCANNER" --image "$NEW" --vuln-db "$OSV" --merge-report "$TRIVY" --report out.json
    expect_rc 2
    expect_err 'trivy\.json: a trivy report of another image: its 2 layers .* are not the 3 of'
    # the failure is stated as every failed target is, and nothing of the image is reported
    python3 -c '
import json, sys
d = json.load(open("out.json"))
assert d["status"] == "error" and d["findings"] == [] and d["targets"] == [], d
assert "another image" in d["errors"][0]["message"], d' || fail "out.json: $(head -c 300 out.json)"
    # no layer list to compare: a different name is a warning, and the merge goes on
    python3 -c '
import json, sys
d = json.load(open(sys.argv[1])); del d["source"]["target"]["layers"]
json.dump(d, open("nolayers.json", "w"))' "$GRYPE"
    run "$SCANNER" --image "$OLD" --vuln-db "$OSV" --merge-report nolayers.json
    expect_rc 1
    expect_err "warning: --merge-report nolayers.json: the report is of 'pkgs/old:1', not"
    expect_out 'GHSA-9wx4-h78v-vm56'
}

t_hostile_reports_exit_2_with_nothing_written() {
    printf '{not json' >notjson.json
    printf '[1, 2]' >array.json
    printf '{"SchemaVersion": 2, "Results": [{"Type": "debian", "Vulnerabilities": [\n  {"VulnerabilityID": "CVE-1", "InstalledVersion": "1"}]}]}' >nopkg.json
    printf '{"SchemaVersion": 2, "Results": [{"Vulnerabilities": [{"VulnerabilityID": "CVE-1", "PkgName": "a", "InstalledVersion": "1", "FixedVersion": 5}]}]}' >wrongtype.json
    printf '{"matches": {"vulnerability": {}}}' >matchobj.json
    printf '{"matches": [{"vulnerability": {"id": "CVE-1"}, "artifact": {"name": "a", "version": 7}}]}' >grypetype.json
    printf '{"matches": [], "Results": []}' >both.json
    printf '{"foo": 1}' >neither.json
    printf '{"matches": []} trailing' >trailing.json
    printf '{"matches": [], "descriptor": "\\q"}' >escape.json
    python3 -c 'print("{\"descriptor\": " + "[" * 100000 + "]" * 100000 + ", \"matches\": []}")' >deep.json
    truncate -s 300M huge.json
    : >empty.json
    mkdir dir.json
    for f in notjson:'notjson.json:1:2: expected a string' array:'array.json:1:1: expected an object' \
        nopkg:'nopkg.json:2:3: no "PkgName"' wrongtype:'wrongtype.json:1:.*"FixedVersion" is not a string' \
        matchobj:'matchobj.json:1:13: expected an array' grypetype:'grypetype.json:1:.*"version" is not a string' \
        both:'both.json:1:.*both a Trivy and a Grype' neither:'neither.json: neither a Trivy nor a Grype' \
        trailing:'trailing.json:1:17: data after' escape:'escape.json:1:.*bad escape' \
        deep:'deep.json:1:.*nested deeper than 64' huge:'huge.json: 314572800 bytes, over the 256 MiB' \
        empty:'empty.json:1:1: empty file' dir:'dir.json: not a regular file' nowhere:'nowhere.json: No such file'; do
        run "$SCANNER" --image "$OLD" --vuln-db "$OSV" --merge-report "$TRIVY" --merge-report "${f%%:*}.json" --report out.json --format json
        [ "$RC" -eq 2 ] || fail "${f%%:*}: exit status $RC"
        grep -Eq -- "${f#*:}" "$TMP/.err" || fail "${f%%:*}: stderr lacks /${f#*:}/: $ERR"
        [ ! -s "$TMP/.out" ] || fail "${f%%:*}: a report on stdout"
        expect_no_file out.json
    done
}

t_merge_report_needs_one_image() {
    run "$SCANNER" --image "$OLD" --image "$NEW" --merge-report "$TRIVY"
    expect_rc 2
    expect_err 'needs exactly one --image target \(2 given\)'
    run "$SCANNER" --path . --merge-report "$TRIVY"
    expect_rc 2
    expect_err '\(0 given\)'
    run "$SCANNER" --image "$OLD" --sbom spdx --merge-report "$TRIVY"
    expect_rc 2
    expect_err '--merge-report and --sbom do not go together'
    [ ! -s "$TMP/.out" ] || fail "an SBOM was written"
}

e2e_main
