#!/usr/bin/env bash
# End-to-end tests of the RPM and Go parts of the image inventory: an AlmaLinux 9 image whose
# rpmdb was written by this machine's real rpm (packages built with rpmbuild), and a Go program
# compiled here by the real toolchain; the inventory is compared with what `rpm -qa` and
# `go version -m` say, then matched against OSV records written from real advisories
# (ALSA-2024:2447, GO-2023-1878). Hostile rpmdbs and a cut Go binary give warnings, no crash.
. "$(dirname "$0")/lib.sh"

command -v rpm >/dev/null && command -v rpmbuild >/dev/null && command -v go >/dev/null || {
    # the whole file needs them: one skip each (counted as failures under CI)
    t_rpm_and_go_tools_present() { skip "rpm, rpmbuild or go missing (make deps installs them)"; }
    e2e_main
    exit
}
RGFX=$(mktemp -d /tmp/e2e-rpmgo.XXXXXX)
trap 'rm -rf "$RGFX"' EXIT
if ! ROOT=$ROOT "$ROOT/tests/fixtures/image/build_rpm_go.sh" "$RGFX" >"$RGFX/build.log" 2>&1; then
    echo "rpm/go image fixtures failed to build:"
    tail -20 "$RGFX/build.log"
    exit 1
fi
# a copy: the first scan writes the database's index next to it, never into the source tree
OSV=$RGFX/osv
cp -r "$ROOT/tests/fixtures/osv" "$OSV"
OLD=$RGFX/alma-old.docker.tar
NEW=$RGFX/alma-new.docker.tar
HOSTILE=$RGFX/rpm-hostile.docker.tar
SBOMV=$ROOT/tests/sbom-validate.js
GOVER=$(sed 's/^go//' "$RGFX/go-version.txt")

# sbom_list FILE: "name version purl path" per component, sorted
sbom_list() {
    python3 - "$1" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
rows = []
for c in d.get("components", []):
    path = [p["value"] for p in c.get("properties", []) if p["name"].endswith("package:path")]
    if path:
        rows.append("%s %s %s %s" % (c["name"], c["version"], c.get("purl", "-"), path[0]))
print("\n".join(sorted(rows)))
PY
}

t_rpm_and_go_vulnerabilities_found() {
    run "$SCANNER" --image "$OLD" --vuln-db "$OSV"
    expect_rc 1
    expect_out 'var/lib/rpm/rpmdb\.sqlite: low: \[VULN001\] ALSA-2024:2447 in openssl-devel 1:3\.0\.7-24\.el9 \(AlmaLinux:9, source package openssl\): fixed in 1:3\.0\.7-27\.el9'
    case $GOVER in
    1.19.[0-9] | 1.19.10 | 1.20.[0-5])
        expect_out "usr/local/bin/hello: medium: \[VULN001\] GO-2023-1878 \(CVE-2023-29406\) in stdlib ${GOVER//./\\.} \(Go\): fixed in 1\.(19\.11|20\.6)"
        ;;
    *) expect_no_out 'GO-2023-1878' ;; # a toolchain past the fix
    esac
    # bash has no record; the deleted copy of the program is not installed
    expect_no_out ' bash |removed-later'
}

t_upgraded_rpmdb_in_a_later_layer_wins() {
    run "$SCANNER" --image "$NEW" --vuln-db "$OSV"
    expect_no_out 'ALSA-2024:2447'
    run "$SCANNER" --image "$NEW" --sbom cyclonedx
    sbom_list "$TMP/.out" >list
    grep -q '^openssl-devel 1:3.0.7-27.el9 ' list || fail "the upgraded package is missing: $(cat list)"
    ! grep -q '3.0.7-24' list || fail "the replaced rpmdb's package is still listed"
}

t_rpm_inventory_is_what_rpm_says() {
    rpm --dbpath "$RGFX/rpmdb-old" -qa \
        --qf '%{NAME} %|EPOCH?{%{EPOCH}:}:{}|%{VERSION}-%{RELEASE} %{ARCH}\n' 2>/dev/null | sort >want
    [ -s want ] || fail "rpm lists nothing"
    run "$SCANNER" --image "$OLD" --sbom cyclonedx
    expect_rc 0
    sbom_list "$TMP/.out" | awk '$4 == "var/lib/rpm/rpmdb.sqlite" {
        arch = $3; sub(/.*arch=/, "", arch); sub(/&.*/, "", arch); print $1, $2, arch }' | sort >got
    diff want got >/dev/null || fail "inventory differs from rpm -qa: $(diff want got | head -5)"
    grep -q '"pkg:rpm/almalinux/openssl-devel@3.0.7-24.el9?arch=noarch&distro=almalinux-9.3&epoch=1"' "$TMP/.out" ||
        fail "openssl-devel purl missing"
    grep -q '"publisher":[[:space:]]*"AlmaLinux"' "$TMP/.out" || fail "the RPM vendor is not the publisher"
    node "$SBOMV" cyclonedx "$TMP/.out" || fail "CycloneDX 1.5 schema rejects the SBOM"
}

t_go_inventory_is_what_go_says() {
    go version -m "$RGFX/gosrc/hello" >gov
    run "$SCANNER" --image "$OLD" --sbom spdx --output sbom.spdx.json
    node "$SBOMV" spdx sbom.spdx.json || fail "SPDX 2.3 structure rejected"
    grep -q '"supplier":[[:space:]]*"Organization: AlmaLinux"' sbom.spdx.json || fail "RPM supplier missing"
    grep -q "\"pkg:golang/stdlib@$GOVER\"" sbom.spdx.json || fail "stdlib $GOVER purl missing"
    grep -q '"pkg:golang/example.com/hello@%28devel%29"' sbom.spdx.json || fail "main module missing"
    # the dep line says v0.1.0, the => line replaces it with a local directory: not a registry
    # version, so it is listed as (devel) and never matched
    grep -q "dep	example.com/greet	v0.1.0" gov || fail "go version -m changed: $(cat gov)"
    grep -q "=>	./greet	(devel)" gov || fail "go version -m changed: $(cat gov)"
    grep -q '"pkg:golang/example.com/greet@%28devel%29"' sbom.spdx.json || fail "replaced dep missing"
    ! grep -q 'removed-later' sbom.spdx.json || fail "a binary deleted by a later layer is listed"
    # the PIE build by the external linker: the same modules, found deep in the data segment
    run "$SCANNER" --image "$OLD" --sbom cyclonedx
    sbom_list "$TMP/.out" | awk '$4 == "usr/local/bin/hello" {print $1, $2}' >static
    sbom_list "$TMP/.out" | awk '$4 == "usr/local/bin/hello-pie" {print $1, $2}' >pie
    [ -s pie ] && diff static pie >/dev/null || fail "the PIE binary's modules differ: $(cat pie)"
}

t_truncated_go_build_info_is_a_warning() {
    run "$SCANNER" --image "$OLD" --sbom cyclonedx
    expect_rc 0
    expect_err 'opt/tools/truncated: Go build info not read: truncated module information'
    sbom_list "$TMP/.out" >list
    ! grep -q 'opt/tools/truncated' list || fail "the truncated binary's build info was used"
}

t_hostile_rpmdbs_are_warnings() {
    run "$SCANNER" --image "$HOSTILE" --sbom cyclonedx
    expect_rc 0
    expect_err 'var/lib/rpm/rpmdb\.sqlite: empty file, not an rpmdb: not read'
    expect_err 'var/lib/rpm/rpmdb\.sqlite: not an rpmdb \(a sqlite database without a Packages table\)'
    # one without the table, one where Packages is an endless view: neither is queried
    [ "$(grep -c 'without a Packages table' "$TMP/.err")" -eq 2 ] || fail "the view named Packages was read"
    expect_err 'var/lib/rpm/rpmdb\.sqlite: rpmdb not read: (database disk image is malformed|file is not a database)'
    expect_err 'var/lib/rpm/rpmdb\.sqlite: 6 of 7 rpmdb headers not read \(the first: index count or data length out of'
    expect_err 'var/lib/rpm/Packages: a Berkeley DB rpmdb, not read'
    expect_err 'usr/lib/sysimage/rpm/Packages\.db: an ndb rpmdb, not read'
    sbom_list "$TMP/.out" >list
    [ "$(cat list)" = "good-pkg 1.0.1-3.el9 pkg:rpm/rocky/good-pkg@1.0.1-3.el9?distro=rocky-9.3 var/lib/rpm/rpmdb.sqlite" ] ||
        fail "only the one good header should be listed: $(cat list)"
}

t_rpmdb_copy_is_private_and_removed() {
    mkdir tmp
    # strace sees the copy's open: O_EXCL, mode 0600, in TMPDIR; afterwards nothing is left
    if command -v strace >/dev/null; then
        TMPDIR=$PWD/tmp strace -f -e trace=openat -o trace "$SCANNER" --image "$OLD" --sbom cyclonedx \
            >/dev/null 2>&1
        grep -q 'tmp/secrets-suite-rpmdb-[^"]*", O_RDWR|O_CREAT|O_EXCL|O_CLOEXEC, 0600' trace ||
            fail "the rpmdb copy was not created O_EXCL 0600: $(grep rpmdb trace | head -3)"
    else
        TMPDIR=$PWD/tmp "$SCANNER" --image "$OLD" --sbom cyclonedx >/dev/null 2>&1
    fi
    [ -z "$(ls -A tmp)" ] || fail "temporary files left: $(ls -A tmp)"
}

t_sqlite_is_loaded_to_read_an_rpmdb() {
    # LD_DEBUG=files lists every object the loader opens, dlopen included
    LD_DEBUG=files "$SCANNER" --image "$OLD" --sbom cyclonedx >out 2>dbg
    grep -q 'file=libsqlite3.so.0' dbg || fail "libsqlite3 was not loaded to read the rpmdb"
    grep -q 'pkg:rpm/almalinux/bash' out || fail "no RPM package read"
    LD_DEBUG=files "$SCANNER" --image "$HOSTILE" --sbom cyclonedx >out 2>dbg
    grep -q 'file=libsqlite3.so.0' dbg || fail "libsqlite3 was not loaded for the hostile rpmdbs"
}

e2e_main
