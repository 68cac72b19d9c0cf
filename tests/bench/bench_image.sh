#!/usr/bin/env bash
# Benchmark of `scanner --image` on an image of more than 1 GB built offline from this machine's
# own /usr/share, /usr/include and /usr/bin (real text, binaries, compressed files), as gzip layers in an
# OCI layout and in a docker-archive. Prints the scan's wall time against the time to just
# decompress the same layers (`gzip -dc`, measured in the same run) and the scan's peak RSS.
# Targets (issue 6): scan <= 1.5x decompression, peak RSS <= 64 MB. Nothing here asserts.
set -u
BUILD=${BUILD:-build}
SCANNER=$BUILD/scanner
CACHE=${BENCH_IMAGE_CACHE:-/tmp/suite-bench-image}

build_image() {
    local d=$CACHE/oci i src digest size diffs="" layers="" hist=""
    rm -rf "$CACHE"
    mkdir -p "$d/blobs/sha256" "$CACHE/tmp"
    printf '{"imageLayoutVersion":"1.0.0"}' >"$d/oci-layout"
    i=0
    for src in /usr/share /usr/include /usr/bin; do
        # gzip -6 is what `docker push` and umoci use
        tar -cf - -C / "${src#/}" 2>/dev/null |
            tee >(sha256sum | cut -d' ' -f1 >"$CACHE/tmp/diff$i") | gzip -6 >"$CACHE/tmp/layer$i"
        digest=$(sha256sum "$CACHE/tmp/layer$i" | cut -d' ' -f1)
        size=$(stat -c %s "$CACHE/tmp/layer$i")
        mv "$CACHE/tmp/layer$i" "$d/blobs/sha256/$digest"
        diffs="$diffs${diffs:+,}\"sha256:$(cat "$CACHE/tmp/diff$i")\""
        layers="$layers${layers:+,}{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"sha256:$digest\",\"size\":$size}"
        hist="$hist${hist:+,}{\"created_by\":\"COPY $src $src\"}"
        i=$((i + 1))
    done
    printf '{"architecture":"amd64","os":"linux","config":{"User":"app"},"rootfs":{"type":"layers","diff_ids":[%s]},"history":[%s]}' \
        "$diffs" "$hist" >"$CACHE/tmp/config"
    digest=$(sha256sum "$CACHE/tmp/config" | cut -d' ' -f1)
    size=$(stat -c %s "$CACHE/tmp/config")
    mv "$CACHE/tmp/config" "$d/blobs/sha256/$digest"
    printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[%s]}' \
        "$digest" "$size" "$layers" >"$CACHE/tmp/manifest"
    digest=$(sha256sum "$CACHE/tmp/manifest" | cut -d' ' -f1)
    size=$(stat -c %s "$CACHE/tmp/manifest")
    mv "$CACHE/tmp/manifest" "$d/blobs/sha256/$digest"
    printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s}]}' \
        "$digest" "$size" >"$d/index.json"
    # the same image as one oci-archive tarball: read in one pass, layers streamed from the tar
    tar -cf "$CACHE/image.oci.tar" -C "$d" oci-layout index.json blobs
    rm -rf "$CACHE/tmp"
}

if [ ! -f "$CACHE/image.oci.tar" ]; then
    echo "building the benchmark image in $CACHE (once) ..."
    build_image
fi
blobs=$(find "$CACHE/oci/blobs/sha256" -type f -size +1M)
comp=$(cat $blobs | wc -c)
uncomp=$(for b in $blobs; do gzip -dc "$b" | wc -c; done | paste -sd+ | bc)
printf 'image: %d layers, %.0f MB compressed, %.0f MB uncompressed (%s entries)\n' \
    "$(echo "$blobs" | wc -l)" "$(echo "$comp / 1048576" | bc -l)" "$(echo "$uncomp / 1048576" | bc -l)" \
    "$(for b in $blobs; do gzip -dc "$b" | tar -t | wc -l; done | paste -sd+ | bc)"
# Wall time on a shared machine swings with the other jobs; CPU time (user + sys) is the
# steadier figure, so both are printed and compared.
/usr/bin/time -f '%e %U %S' -o "$CACHE/time" sh -c 'for b in "$@"; do gzip -dc "$b" >/dev/null; done' \
    sh $blobs
read -r dwall du ds < <(tail -1 "$CACHE/time")
dcpu=$(echo "$du + $ds" | bc)
printf 'gzip -dc of every layer:           %6.2f s wall, %6.2f s CPU\n' "$dwall" "$dcpu"
for target in "$CACHE/oci" "$CACHE/image.oci.tar"; do
    /usr/bin/time -f '%e %U %S %M' -o "$CACHE/time" "$SCANNER" --image "$target" --format json \
        >"$CACHE/out.json" 2>"$CACHE/err"
    rc=$?
    read -r wall u sy rss < <(tail -1 "$CACHE/time")
    cpu=$(echo "$u + $sy" | bc)
    printf 'scanner --image %-18s %6.2f s wall (%4.2fx), %6.2f s CPU (%4.2fx) of decompression (target <= 1.5x), peak RSS %5.1f MB (target <= 64), exit %d, %d findings\n' \
        "$(basename "$target")" "$wall" "$(echo "$wall / $dwall" | bc -l)" "$cpu" "$(echo "$cpu / $dcpu" | bc -l)" \
        "$(echo "$rss / 1024" | bc -l)" "$rc" "$(grep -c '"rule":' "$CACHE/out.json")"
    [ "$rc" -le 1 ] || sed -n 1,3p "$CACHE/err"
done
