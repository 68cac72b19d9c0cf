#!/usr/bin/env bash
# End-to-end tests of package inventory, SBOMs and vulnerability matching in `scanner --image`:
# images built here from this machine's own dpkg status (curl held at a real older Debian 12
# version), Python distributions and Node packages, and an Alpine database written from the apk
# format; OSV records written from real published advisories (tests/fixtures/osv/), read as
# files and as OSV's all.zip, directly and through the index (DB/.index-v1) scans build.
. "$(dirname "$0")/lib.sh"

PKFX=$(mktemp -d /tmp/e2e-packages.XXXXXX)
trap 'rm -rf "$PKFX"' EXIT
if ! ROOT=$ROOT "$ROOT/tests/fixtures/image/build_packages.sh" "$PKFX" >"$PKFX/build.log" 2>&1; then
    echo "package image fixtures failed to build:"
    tail -20 "$PKFX/build.log"
    exit 1
fi
# a copy: scans write their index beside the database, never into the source tree
OSV=$PKFX/osv
cp -r "$ROOT/tests/fixtures/osv" "$OSV"
OLD=$PKFX/pkgs-old.docker.tar
NEW=$PKFX/pkgs-new.docker.tar
ALPINE=$PKFX/alpine.docker.tar
SBOMV=$ROOT/tests/sbom-validate.js

t_debian_python_and_npm_vulnerabilities_found() {
    run "$SCANNER" --image "$OLD" --vuln-db "$OSV"
    expect_rc 1
    expect_out 'var/lib/dpkg/status: critical: \[VULN001\] DEBIAN-CVE-2023-38545 in curl 7\.88\.1-10\+deb12u3 \(Debian:12\): fixed in 7\.88\.1-10\+deb12u4, CVSS 9\.8'
    expect_out '\[VULN001\] DEBIAN-CVE-2023-38545 in libcurl4 7\.88\.1-10\+deb12u3 \(Debian:12, source package curl\)'
    # the history step that installed the package is named, as for secrets in layers
    expect_out 'DEBIAN-CVE-2023-38545 in curl .*; installed by layer 0 \([0-9a-f]{12}\) by `ADD rootfs\.tar / # base`: SOCKS5'
    expect_out 'requests-2\.28\.1\.dist-info/METADATA: medium: \[VULN001\] GHSA-j8r2-6x86-q33q .* fixed in 2\.31\.0, CVSS 6\.1'
    expect_out 'opt/tool/node_modules/minimist/package\.json: critical: \[VULN001\] GHSA-xvch-5gv4-984h .*minimist 1\.2\.5 \(npm\): fixed in 1\.2\.6'
}

t_one_finding_per_vulnerability_and_package() {
    run "$SCANNER" --image "$OLD" --vuln-db "$OSV"
    # PYSEC-2023-74 is GHSA-j8r2-6x86-q33q under another id: one finding
    [ "$(grep -c 'requests 2.28.1' "$TMP/.out")" -eq 1 ] || fail "requests reported more than once"
    expect_no_out 'PYSEC-2023-74\] |\[VULN001\] PYSEC'
    # the withdrawn record affects nothing; PyJWT 2.6.0 is past its advisory's fix (2.4.0)
    expect_no_out 'x_withdrawn|GHSA-ffqj-6fqr-9h24'
}

t_package_removed_by_a_later_layer_is_not_installed() {
    run "$SCANNER" --image "$OLD" --vuln-db "$OSV"
    expect_no_out 'app/node_modules/minimist'
    [ "$(grep -c 'minimist 1.2.5' "$TMP/.out")" -eq 1 ] || fail "minimist not reported exactly once"
}

t_upgraded_status_in_a_later_layer_wins() {
    run "$SCANNER" --image "$NEW" --vuln-db "$OSV"
    expect_no_out 'curl 7\.88\.1-10\+deb12u3|CVE-2023-38545'
    expect_out 'GHSA-j8r2-6x86-q33q'
}

t_alpine_by_origin() {
    run "$SCANNER" --image "$ALPINE" --vuln-db "$OSV"
    expect_out 'lib/apk/db/installed: medium: \[VULN001\] ALPINE-CVE-2023-5678 in libcrypto3 3\.1\.4-r0 \(Alpine:v3\.19, source package openssl\): fixed in 3\.1\.4-r1'
    expect_out 'ALPINE-CVE-2023-5678 in libssl3'
    expect_no_out 'musl|broken-stanza'
}

t_all_zip_gives_the_same_findings() {
    mkdir -p db/PyPI db/Debian db/npm db/Alpine
    python3 - "$OSV" <<'PY'
import glob, os, sys, zipfile
src = sys.argv[1]
for eco, pat in [("PyPI", "*[GP][HY]S*"), ("Debian", "DEBIAN-*"), ("npm", "GHSA-xvch*"), ("Alpine", "ALPINE-*")]:
    with zipfile.ZipFile("db/%s/all.zip" % eco, "w", zipfile.ZIP_DEFLATED) as z:
        for f in glob.glob(os.path.join(src, pat + ".json")):
            z.write(f, os.path.basename(f))
PY
    run "$SCANNER" --image "$OLD" --vuln-db "$OSV"
    grep VULN001 "$TMP/.out" | sort >files.txt
    run "$SCANNER" --image "$OLD" --vuln-db db
    grep VULN001 "$TMP/.out" | sort >zip.txt
    [ -s zip.txt ] || fail "no finding from the zip database"
    diff files.txt zip.txt >/dev/null || fail "zip and files differ: $(diff files.txt zip.txt | head -5)"
}

# make_zip_db DIR: the fixture records as OSV's per-ecosystem all.zip archives
make_zip_db() {
    python3 - "$OSV" "$1" <<'PY'
import glob, os, sys, zipfile
src, out = sys.argv[1], sys.argv[2]
for eco, pat in [("PyPI", "*[GP][HY]S*"), ("Debian", "DEBIAN-*"), ("npm", "GHSA-xvch*"), ("Alpine", "ALPINE-*")]:
    os.makedirs(os.path.join(out, eco), exist_ok=True)
    with zipfile.ZipFile(os.path.join(out, eco, "all.zip"), "w", zipfile.ZIP_DEFLATED) as z:
        for f in sorted(glob.glob(os.path.join(src, pat + ".json"))):
            z.write(f, os.path.basename(f))
PY
}

t_index_gives_the_same_findings() {
    mkdir files
    cp "$OSV"/*.json files/
    make_zip_db zipdb
    for db in files zipdb; do
        for img in "$OLD" "$NEW" "$ALPINE"; do
            SCANNER_OSV_NO_INDEX=1 run "$SCANNER" --image "$img" --vuln-db $db --format json
            cp "$TMP/.out" walk.json
            [ ! -e $db/.index-v1 ] || fail "SCANNER_OSV_NO_INDEX=1 wrote an index"
            run "$SCANNER" --image "$img" --vuln-db $db --format json
            cp "$TMP/.out" cold.json
            expect_file $db/.index-v1
            expect_mode $db/.index-v1 600
            expect_no_err 'index'
            run "$SCANNER" --image "$img" --vuln-db $db --format json
            cmp -s walk.json cold.json || fail "$db $(basename "$img"): the index build run differs from reading every record"
            cmp -s walk.json "$TMP/.out" || fail "$db $(basename "$img"): the indexed run differs from reading every record"
            rm -f $db/.index-v1
        done
        grep -q '"VULN001"' walk.json || fail "$db: no finding to compare"
    done
}

t_stale_index_is_rebuilt() {
    mkdir db
    cp "$OSV"/*.json db/
    rm db/GHSA-xvch-5gv4-984h.json
    run "$SCANNER" --image "$OLD" --vuln-db db
    expect_file db/.index-v1
    expect_no_out 'minimist'
    expect_out 'DEBIAN-CVE-2023-38545 in curl'
    # a record added, then one removed: each scan sees the database as it is now
    cp "$OSV/GHSA-xvch-5gv4-984h.json" db/
    run "$SCANNER" --image "$OLD" --vuln-db db
    expect_out 'GHSA-xvch-5gv4-984h .*minimist 1\.2\.5'
    rm db/DEBIAN-CVE-2023-38545.json
    run "$SCANNER" --image "$OLD" --vuln-db db
    expect_no_out 'CVE-2023-38545'
    expect_out 'GHSA-xvch-5gv4-984h'
    # an archive replaced by one of the same size and the same time is still seen (inode, ctime)
    mkdir -p zdb/npm
    python3 - "$OSV/GHSA-xvch-5gv4-984h.json" zdb/npm/all.zip <<'PY'
import os, sys, zipfile
rec, p = open(sys.argv[1]).read(), sys.argv[2]
def write(path, text):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as z:
        z.writestr(zipfile.ZipInfo("GHSA-xvch-5gv4-984h.json", (2024, 1, 1, 0, 0, 0)), text)
write(p, rec)
assert '"1.2.6"' in rec
write("next.zip", rec.replace('"1.2.6"', '"1.2.4"'))   # fixed before 1.2.5: not affected
PY
    run "$SCANNER" --image "$OLD" --vuln-db zdb
    expect_out 'GHSA-xvch-5gv4-984h .*minimist 1\.2\.5'
    [ "$(stat -c %s zdb/npm/all.zip)" -eq "$(stat -c %s next.zip)" ] || fail "sizes differ"
    touch -r zdb/npm/all.zip next.zip
    mv next.zip zdb/npm/all.zip
    run "$SCANNER" --image "$OLD" --vuln-db zdb
    expect_no_out 'minimist'
}

# damage KIND: spoils db/.index-v1 in one way
damage() {
    python3 - db/.index-v1 "$1" <<'PY'
import os, sys
p, kind = sys.argv[1], sys.argv[2]
d = bytearray(open(p, "rb").read())
if kind == "truncated":
    d = d[: len(d) // 2]
elif kind == "header":
    d[20] ^= 1          # inside the database fingerprint, covered by the header's checksum
elif kind == "tables":
    d[-3] ^= 1          # the last posting
elif kind == "record":
    i = d.find(b"minimist")  # the first is inside a record, read only when a scan needs it
    d[i] ^= 0x20
elif kind == "foreign":
    d = bytearray(b'{"not": "an index"}\n' * 20)
elif kind == "empty":
    d = bytearray()
os.unlink(p)            # a new file: the scanner must not trust the bytes, whatever their time
open(p, "wb").write(d)
PY
}

t_damaged_index_is_detected_and_rebuilt() {
    mkdir db
    cp "$OSV"/*.json db/
    run "$SCANNER" --image "$OLD" --vuln-db db --format json
    cp "$TMP/.out" good.json
    grep -q 'minimist' good.json || fail "no minimist finding to compare"
    for kind in truncated header tables record foreign empty; do
        damage $kind
        run "$SCANNER" --image "$OLD" --vuln-db db --format json
        expect_rc 1
        expect_err 'vulnerability index is (damaged|truncated).*rebuilt'
        cmp -s good.json "$TMP/.out" || fail "$kind: findings differ after the rebuild"
        run "$SCANNER" --image "$OLD" --vuln-db db --format json
        expect_no_err 'index'
        cmp -s good.json "$TMP/.out" || fail "$kind: findings differ from the rebuilt index"
    done
}

t_index_symlink_is_not_followed() {
    mkdir db
    cp "$OSV"/*.json db/
    echo 'not yours' >victim
    ln -s "$TMP/victim" db/.index-v1
    run "$SCANNER" --image "$OLD" --vuln-db db
    expect_rc 1
    expect_err 'vulnerability index is a symbolic link; not followed'
    expect_out 'DEBIAN-CVE-2023-38545 in curl'
    [ -L db/.index-v1 ] || fail "the symlink was replaced"
    [ "$(cat victim)" = 'not yours' ] || fail "the symlink's target was written"
}

t_read_only_database_is_indexed_in_the_cache() {
    local as=()
    mkdir db cache
    cp "$OSV"/*.json db/
    cp "$OLD" img.tar
    chmod 644 img.tar
    chmod 555 db
    if [ "$(id -u)" = 0 ]; then
        # root writes anywhere: the scan runs as nobody, for whom db/ is read-only
        chmod 755 "$TMP"
        chown 65534:65534 cache
        as=(setpriv --reuid=65534 --regid=65534 --clear-groups --)
    fi
    SCANNER_OSV_NO_INDEX=1 run "${as[@]}" "$SCANNER" --image img.tar --vuln-db db --format json
    cp "$TMP/.out" walk.json
    XDG_CACHE_HOME=$TMP/cache run "${as[@]}" "$SCANNER" --image img.tar --vuln-db db --format json
    expect_rc 1
    expect_no_file db/.index-v1
    [ "$(find cache/secrets-suite/osv-index -name '*.v1' | wc -l)" -eq 1 ] || fail "no index in the cache: $(find cache)"
    cmp -s walk.json "$TMP/.out" || fail "findings differ with the index in the cache"
    # and with no cache either: read without an index, said once, same findings
    run "${as[@]}" env -u XDG_CACHE_HOME HOME=/nonexistent "$SCANNER" --image img.tar --vuln-db db --format json
    expect_rc 1
    expect_err 'read without it'
    cmp -s walk.json "$TMP/.out" || fail "findings differ without an index"
    chmod 755 db
}

t_ignore_unfixed_and_no_vulns() {
    mkdir db
    sed 's/, {"fixed": "7.88.1-10+deb12u4"}//' "$OSV/DEBIAN-CVE-2023-38545.json" >db/DEBIAN-CVE-2023-38545.json
    run "$SCANNER" --image "$OLD" --vuln-db db
    expect_out 'DEBIAN-CVE-2023-38545 in curl .*no fix published'
    run "$SCANNER" --image "$OLD" --vuln-db db --ignore-unfixed
    expect_no_out 'VULN001'
    run "$SCANNER" --image "$OLD" --vuln-db "$OSV" --no-vulns
    expect_no_out 'VULN001'
}

t_missing_database_is_never_clean() {
    run "$SCANNER" --image "$OLD" --vuln-db "$TMP/nowhere"
    expect_rc 2
    expect_err 'vulnerability database .*nowhere'
    mkdir empty
    run "$SCANNER" --image "$OLD" --vuln-db empty
    expect_rc 2
    expect_err 'holds no OSV record'
    # no --vuln-db and no cache: said on stderr, not a silent clean result
    XDG_CACHE_HOME=$TMP/cache run "$SCANNER" --image "$OLD"
    expect_err 'not checked for vulnerabilities: no database'
}

t_stale_database_is_reported() {
    mkdir db
    cp "$OSV"/*.json db/
    touch -d '30 days ago' db/*.json
    run "$SCANNER" --image "$OLD" --vuln-db db
    expect_out 'medium: \[VULN002\] the vulnerability database in db is (29|30|31) days old'
}

t_hostile_databases() {
    mkdir db
    printf '{not json' >db/bad.json
    head -c 100000 /dev/urandom >db/binary.json
    printf '{"id":"X-1","affected":[{"package":{"ecosystem":"npm","name":"minimist"},"ranges":[{"type":"SEMVER","events":[{"introduced":"1.0.0.0.0.0"},{"fixed":"bogus"}]}],"versions":[1,null,{}]}]}' >db/odd.json
    printf '{"id":"X-2","affected":"nope"}' >db/wrongtype.json
    cp "$OSV/GHSA-xvch-5gv4-984h.json" db/
    # a zip bomb: one entry that inflates far past the per-record bound
    python3 -c '
import zipfile
with zipfile.ZipFile("db/bomb.zip", "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("BOMB-1.json", "{\"id\":\"BOMB-1\",\"x\":\"" + "A" * (40 << 20) + "\"}")'
    printf 'PK\003\004garbage' >db/damaged.zip
    run "$SCANNER" --image "$OLD" --vuln-db db
    expect_rc 2
    expect_err 'damaged.zip'
    rm db/damaged.zip
    run "$SCANNER" --image "$OLD" --vuln-db db
    expect_rc 1
    expect_out 'GHSA-xvch-5gv4-984h'
    expect_no_out 'BOMB-1'
}

t_cyclonedx_sbom_is_valid_and_complete() {
    run "$SCANNER" --image "$OLD" --sbom cyclonedx
    expect_rc 0
    node "$SBOMV" cyclonedx "$TMP/.out" || fail "CycloneDX 1.5 schema rejects the SBOM"
    grep -q '"purl":.*"pkg:deb/debian/libcurl4@7.88.1-10%2Bdeb12u3?distro=debian-12"' "$TMP/.out" ||
        fail "libcurl4's purl missing"
    grep -q '"pkg:pypi/requests@2.28.1"' "$TMP/.out" || fail "requests purl missing"
    grep -q '"pkg:npm/minimist@1.2.5"' "$TMP/.out" || fail "minimist purl missing"
    # every installed Debian package of the image is in it (the status's installed stanzas)
    want=$(grep -c '^Status: install ok installed' /var/lib/dpkg/status)
    got=$(grep -c '"pkg:deb/' "$TMP/.out")
    [ "$got" -eq "$want" ] || fail "$got deb packages in the SBOM, $want installed"
    # the validator itself rejects a broken document
    sed 's/"specVersion":[[:space:]]*"1.5"/"specVersion": 15/' "$TMP/.out" >broken.json
    ! node "$SBOMV" cyclonedx broken.json 2>/dev/null || fail "the validator accepted a broken SBOM"
}

t_spdx_sbom_to_a_file() {
    run "$SCANNER" --image "$ALPINE" --sbom spdx --output sbom.spdx.json
    expect_file sbom.spdx.json
    node "$SBOMV" spdx sbom.spdx.json || fail "SPDX 2.3 structure rejected"
    grep -q '"referenceLocator":.*"pkg:apk/alpine/libssl3@3.1.4-r0?distro=alpine-3.19.1"' sbom.spdx.json ||
        fail "libssl3 purl missing"
    run "$SCANNER" --image "$ALPINE" --sbom xml
    expect_rc 2
    expect_err 'unknown format'
}

e2e_main
