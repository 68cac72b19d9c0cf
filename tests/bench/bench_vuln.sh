#!/usr/bin/env bash
# Benchmark of inventory + vulnerability matching in `scanner --image` (issue 19, item 6): a large
# image built offline from this machine's own dpkg status, Python distributions and Node packages
# (plus /usr/share/doc and /usr/bin for bulk), and a synthetic OSV database of BENCH_OSV_RECORDS
# (default 200,000) records over Debian, PyPI and npm written by gen_osv.py as OSV's all.zip.
# Prints: the scan with --no-vulns against the scan with matching (target <= 1.2x), the cold run
# (no index: the database is read and indexed), the warm run (the index read), the old path
# (SCANNER_OSV_NO_INDEX=1: every record parsed on every scan), peak RSS of each (target <= 64 MB),
# and Trivy/Grype when installed. Nothing here asserts.
set -u
BUILD=${BUILD:-build}
ROOT=${ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
SCANNER=$BUILD/scanner
CACHE=${BENCH_VULN_CACHE:-/tmp/suite-bench-vuln}
RECORDS=${BENCH_OSV_RECORDS:-200000}
IMG=$CACHE/oci

build_image() {
    local st=$CACHE/stage i digest size diffs="" layers="" hist="" spec
    rm -rf "$IMG" "$st"
    mkdir -p "$IMG/blobs/sha256" "$st/etc" "$st/var/lib/dpkg" "$st/srv"
    printf '{"imageLayoutVersion":"1.0.0"}' >"$IMG/oci-layout"
    printf 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nVERSION_ID="12"\nID=debian\n' >"$st/etc/os-release"
    cp /var/lib/dpkg/status "$st/var/lib/dpkg/status"
    [ -d "$ROOT/tests/node_modules" ] && cp -r "$ROOT/tests/node_modules" "$st/srv/"
    [ -d /work/main/tests/node_modules ] && [ ! -d "$st/srv/node_modules" ] &&
        cp -r /work/main/tests/node_modules "$st/srv/"
    i=0
    for spec in "$st:etc var/lib/dpkg|/:usr/lib/python3 usr/lib/python3.11" \
        "$st:srv|/:usr/lib/node_modules" "/:usr/share/doc usr/bin"; do
        local args=() part
        IFS='|' read -ra parts <<<"$spec"
        for part in "${parts[@]}"; do
            # shellcheck disable=SC2206
            args+=(-C "${part%%:*}" ${part#*:})
        done
        tar -cf - "${args[@]}" 2>/dev/null |
            tee >(sha256sum | cut -d' ' -f1 >"$CACHE/diff$i") | gzip -6 >"$CACHE/layer$i"
        sleep 0.2
        digest=$(sha256sum "$CACHE/layer$i" | cut -d' ' -f1)
        size=$(stat -c %s "$CACHE/layer$i")
        mv "$CACHE/layer$i" "$IMG/blobs/sha256/$digest"
        diffs="$diffs${diffs:+,}\"sha256:$(cat "$CACHE/diff$i")\""
        layers="$layers${layers:+,}{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"sha256:$digest\",\"size\":$size}"
        hist="$hist${hist:+,}{\"created_by\":\"layer $i\"}"
        i=$((i + 1))
    done
    printf '{"architecture":"amd64","os":"linux","config":{"User":"app"},"rootfs":{"type":"layers","diff_ids":[%s]},"history":[%s]}' \
        "$diffs" "$hist" >"$CACHE/config"
    digest=$(sha256sum "$CACHE/config" | cut -d' ' -f1)
    size=$(stat -c %s "$CACHE/config")
    mv "$CACHE/config" "$IMG/blobs/sha256/$digest"
    printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[%s]}' \
        "$digest" "$size" "$layers" >"$CACHE/manifest"
    digest=$(sha256sum "$CACHE/manifest" | cut -d' ' -f1)
    size=$(stat -c %s "$CACHE/manifest")
    mv "$CACHE/manifest" "$IMG/blobs/sha256/$digest"
    printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s}]}' \
        "$digest" "$size" >"$IMG/index.json"
    # names for the database generator, so some records name what the image has
    find "$st" /usr/lib/python3 /usr/lib/python3.11 -path '*-info/METADATA' -o -path '*-info/PKG-INFO' 2>/dev/null |
        xargs -r grep -h -m1 '^Name: ' | sed 's/^Name: //' >"$CACHE/py-names"
    find "$st/srv" /usr/lib/node_modules -name package.json 2>/dev/null |
        xargs -r sed -n 's/^  "name": "\([^"]*\)".*/\1/p' | sort -u >"$CACHE/npm-names"
    rm -rf "$st"
}

mkdir -p "$CACHE"
if [ ! -f "$IMG/index.json" ]; then
    echo "building the benchmark image in $CACHE (once) ..."
    build_image
fi
DB=$CACHE/osv-$RECORDS
if [ ! -f "$DB/npm/all.zip" ]; then
    echo "writing a synthetic OSV database of $RECORDS records in $DB (once) ..."
    python3 "$ROOT/tests/bench/gen_osv.py" "$DB" "$RECORDS" /var/lib/dpkg/status \
        "$CACHE/py-names" "$CACHE/npm-names" || exit 1
fi
printf 'image: %d layers, %.0f MB compressed; database: %d records, %.0f MB of all.zip\n' \
    "$(find "$IMG/blobs/sha256" -size +100k | wc -l)" \
    "$(du -sm "$IMG/blobs" | cut -f1)" "$RECORDS" "$(du -smc "$DB"/*/all.zip | tail -1 | cut -f1)"

# run LABEL ARGS...: one scan, prints wall, CPU, peak RSS, findings; sets WALL CPU
run() {
    local label=$1 rc wall u s rss
    shift
    /usr/bin/time -f '%e %U %S %M' -o "$CACHE/time" "$@" >"$CACHE/out.json" 2>"$CACHE/err"
    rc=$?
    read -r wall u s rss < <(tail -1 "$CACHE/time")
    WALL=$wall
    CPU=$(echo "$u + $s" | bc)
    printf '%-34s %6.2f s wall %6.2f s CPU  peak RSS %5.1f MB  exit %d  %5d VULN001\n' "$label" \
        "$wall" "$CPU" "$(echo "$rss / 1024" | bc -l)" "$rc" "$(grep -o '"VULN001"' "$CACHE/out.json" | wc -l)"
    [ "$rc" -le 1 ] || sed -n 1,3p "$CACHE/err"
}

rm -f "$DB/.index-v1"
S="$SCANNER --image $IMG --format json --vuln-db $DB"
# min WALL CPU of the runs so far for one label: the machine is shared, the best run is the
# steadiest figure
best() { awk -v w="$1" -v c="$2" -v bw="$3" -v bc="$4" 'BEGIN { if (bw == "" || w < bw) bw = w; if (bc == "" || c < bc) bc = c; print bw, bc }'; }
run "--no-vulns" $S --no-vulns
read -r base_wall base_cpu < <(best "$WALL" "$CPU" "" "")
run "--no-vulns (again)" $S --no-vulns
read -r base_wall base_cpu < <(best "$WALL" "$CPU" "$base_wall" "$base_cpu")
SCANNER_OSV_NO_INDEX=1 run "no index (every record parsed)" $S
run "cold (index built)" $S
cold_cpu=$CPU
run "warm (index read)" $S
read -r warm_wall warm_cpu < <(best "$WALL" "$CPU" "" "")
run "warm (again)" $S
read -r warm_wall warm_cpu < <(best "$WALL" "$CPU" "$warm_wall" "$warm_cpu")
printf 'index: %.1f MB for %.0f MB of all.zip, built in about %.1f s CPU (cold - warm)\n' \
    "$(echo "$(stat -c %s "$DB/.index-v1") / 1048576" | bc -l)" \
    "$(du -smc "$DB"/*/all.zip | tail -1 | cut -f1)" "$(echo "$cold_cpu - $warm_cpu" | bc -l)"
printf 'warm matching / --no-vulns, best of two each: %.2fx wall, %.2fx CPU (target <= 1.2x)\n' \
    "$(echo "$warm_wall / $base_wall" | bc -l)" "$(echo "$warm_cpu / $base_cpu" | bc -l)"
for peer in trivy grype; do
    command -v $peer >/dev/null 2>&1 || echo "$peer: not installed here, not compared"
done
