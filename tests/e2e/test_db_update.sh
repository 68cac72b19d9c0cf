#!/usr/bin/env bash
# `scanner db update` against a local HTTP server (loopback, never the internet): archives
# downloaded into the database directory, an interrupted download resumed with a range request,
# a damaged or failed download leaving the old archive in place, and the default cache
# directory.
. "$(dirname "$0")/lib.sh"

SRV_DIR=$(mktemp -d /tmp/e2e-osv-srv.XXXXXX)
python3 - "$ROOT/tests/fixtures/osv" "$SRV_DIR" <<'PY'
import glob, os, sys, zipfile
src, out = sys.argv[1], sys.argv[2]
for eco, pat in [("PyPI", "*[GP][HY]S*"), ("Debian", "DEBIAN-*"), ("npm", "GHSA-xvch*")]:
    os.makedirs(os.path.join(out, eco))
    with zipfile.ZipFile(os.path.join(out, eco, "all.zip"), "w", zipfile.ZIP_DEFLATED) as z:
        for f in sorted(glob.glob(os.path.join(src, pat + ".json"))):
            z.write(f, os.path.basename(f))
        # padding records so the archive is large enough to cut in half meaningfully
        for i in range(300):
            z.writestr("PAD-%d.json" % i, '{"id":"PAD-%d","modified":"2024-01-01T00:00:00Z","details":"%s"}' % (i, os.urandom(200).hex()))
os.makedirs(os.path.join(out, "Broken"))
data = open(os.path.join(out, "PyPI", "all.zip"), "rb").read()
open(os.path.join(out, "Broken", "all.zip"), "wb").write(data[: len(data) // 2] + b"\0" * 64)
PY
python3 "$ROOT/tests/e2e/http_files.py" "$SRV_DIR" >"$SRV_DIR/.port" 2>/dev/null &
SRV_PID=$!
trap 'kill $SRV_PID 2>/dev/null; rm -rf "$SRV_DIR"' EXIT
for _ in $(seq 50); do [ -s "$SRV_DIR/.port" ] && break; sleep 0.1; done
URL=http://127.0.0.1:$(cat "$SRV_DIR/.port")

t_downloads_each_ecosystem() {
    run "$SCANNER" db update --vuln-db db --db-url "$URL" -e PyPI -e Debian -e npm
    expect_rc 0
    expect_out 'PyPI: [0-9]+ records, [0-9]+ bytes -> db/PyPI/all\.zip'
    cmp -s db/PyPI/all.zip "$SRV_DIR/PyPI/all.zip" || fail "PyPI archive differs"
    cmp -s db/Debian/all.zip "$SRV_DIR/Debian/all.zip" || fail "Debian archive differs"
    expect_no_file db/PyPI/all.zip.part
    # indexed at once, so the first scan does not pay for it
    expect_out 'index: [0-9]+ records -> db/\.index-v1'
    expect_file db/.index-v1
    expect_mode db/.index-v1 600
}

t_interrupted_download_resumes() {
    run "$SCANNER" db update --vuln-db db --db-url "$URL/cut" -e PyPI
    expect_rc 2
    expect_file db/PyPI/all.zip.part
    expect_no_file db/PyPI/all.zip
    : >"$SRV_DIR/.log"
    run "$SCANNER" db update --vuln-db db --db-url "$URL" -e PyPI
    expect_rc 0
    expect_out 'PyPI: .*\(resumed\)'
    grep -q 'range=bytes=[1-9][0-9]*-' "$SRV_DIR/.log" || fail "no range request: $(cat "$SRV_DIR/.log")"
    cmp -s db/PyPI/all.zip "$SRV_DIR/PyPI/all.zip" || fail "resumed archive differs"
}

t_server_ignoring_ranges_starts_again() {
    mkdir -p db/PyPI
    head -c 1000 "$SRV_DIR/PyPI/all.zip" >db/PyPI/all.zip.part
    run "$SCANNER" db update --vuln-db db --db-url "$URL/norange" -e PyPI
    expect_rc 0
    cmp -s db/PyPI/all.zip "$SRV_DIR/PyPI/all.zip" || fail "archive differs after a restart"
}

t_failures_leave_the_old_archive() {
    run "$SCANNER" db update --vuln-db db --db-url "$URL" -e PyPI
    cp db/PyPI/all.zip before.zip
    run "$SCANNER" db update --vuln-db db --db-url "$URL/fail" -e PyPI
    expect_rc 2
    expect_err 'PyPI/all\.zip.*500'
    cmp -s db/PyPI/all.zip before.zip || fail "a failed update changed the archive"
    # a damaged archive is checked before it could replace anything
    mkdir -p db/Broken
    cp before.zip db/Broken/all.zip
    run "$SCANNER" db update --vuln-db db --db-url "$URL" -e Broken
    expect_rc 2
    expect_err 'Broken/all\.zip.*(damaged|not a zip)'
    cmp -s db/Broken/all.zip before.zip || fail "a damaged download replaced the archive"
    expect_no_file db/Broken/all.zip.part
    # a mirror's credentials in --db-url never reach a message
    run "$SCANNER" db update --vuln-db db --db-url "http://mirror:Pw-9xQ2vL7k@${URL#http://}/fail" -e PyPI
    expect_rc 2
    expect_err '\*\*\*@127\.0\.0\.1'
    expect_nowhere 'Pw-9xQ2vL7k'
    run "$SCANNER" db update --vuln-db db --db-url "$URL" -e Missing -e PyPI
    expect_rc 2
    expect_err 'Missing/all\.zip.*404'
    expect_out 'PyPI: '
}

t_bad_names_and_symlinks_are_refused() {
    run "$SCANNER" db update --vuln-db db --db-url "$URL" -e ../etc
    expect_rc 2
    expect_err 'not an ecosystem name'
    mkdir -p db/PyPI
    ln -s /etc/passwd db/PyPI/all.zip.part
    run "$SCANNER" db update --vuln-db db --db-url "$URL" -e PyPI
    expect_rc 2
    [ "$(head -c 4 /etc/passwd)" = "root" ] || fail "/etc/passwd was written through a symlink"
    run "$SCANNER" db frobnicate
    expect_rc 2
}

t_default_directory_and_quiet() {
    mkdir cache
    XDG_CACHE_HOME=$TMP/cache run "$SCANNER" db update --db-url "$URL" -e npm -q
    expect_rc 0
    expect_file cache/secrets-suite/osv/npm/all.zip
    [ -z "$OUT" ] || fail "-q printed: $OUT"
}

e2e_main
