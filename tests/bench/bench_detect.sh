#!/usr/bin/env bash
# Benchmark of the secret detector: `scanner --path` over >= 100 MB of ordinary text (the text
# files of /usr/include and /usr/share/doc), single thread, full rule set, side by side with
# secretlint + its recommended preset on the same files; throughput, peak memory, ratios; then
# the same text as one big file (memory must not grow with input), and every remaining hit.
# Then a mix of Python sources (dense password/token keywords) and text, MIX_MB (60) by default,
# with both tools again.
# usage: tests/bench/bench_detect.sh [BUILD_DIR]   (MIN_MB=100, MIX_MB=60 by default)
set -u
BUILD=${1:-${BUILD:-build}}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
SCANNER=$BUILD/scanner
SECRETLINT=$ROOT/tests/node_modules/.bin/secretlint
MIN_MB=${MIN_MB:-100}

[ -x "$SCANNER" ] || { echo "bench_detect: $SCANNER missing (make programs)" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "bench_detect: /usr/bin/time missing (apt-get install time)" >&2; exit 2; }

WORK=$(mktemp -d /tmp/bench_detect.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
CORPUS=$WORK/corpus
mkdir -p "$CORPUS"

# Text files only (grep -I drops binaries), copied with their paths; repeated into copyN/
# directories until there is at least MIN_MB of text.
find /usr/include /usr/share/doc -type f -size -4M ! -name '*.gz' -print0 2>/dev/null |
    xargs -0 grep -IlZ '' 2>/dev/null >"$WORK/list"
copy=0
while :; do
    bytes=$(du -sb "$CORPUS" | cut -f1)
    [ "$bytes" -ge $((MIN_MB * 1000 * 1000)) ] && break
    copy=$((copy + 1))
    mkdir -p "$CORPUS/copy$copy"
    (cd / && xargs -0 cp --parents -t "$CORPUS/copy$copy" <"$WORK/list") 2>/dev/null
done
files=$(find "$CORPUS" -type f | wc -l)
mb=$(awk -v b="$bytes" 'BEGIN { printf "%.1f", b / 1e6 }')
echo "corpus: $mb MB in $files text files (from /usr/include and /usr/share/doc, $copy cop$([ $copy = 1 ] && echo y || echo ies))"

# measure NAME CMD...: wall seconds and peak RSS (KiB) into $SECS and $RSS.
measure() {
    local name=$1
    shift
    /usr/bin/time -v -o "$WORK/$name.time" "$@" >"$WORK/$name.out" 2>"$WORK/$name.err"
    RC=$?
    SECS=$(awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, t, ":"); s = 0;
        for (i = 1; i <= n; i++) s = s * 60 + t[i]; print s }' "$WORK/$name.time")
    RSS=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$WORK/$name.time")
    CPU=$(awk -F': ' '/User time|System time/ { s += $2 } END { printf "%.2f", s }' "$WORK/$name.time")
}

rate() { awk -v b="$bytes" -v s="$1" 'BEGIN { if (s <= 0) s = 0.01; printf "%.0f", b / 1e6 / s }'; }

# Warm the page cache so both tools read from memory.
find "$CORPUS" -type f -print0 | xargs -0 cat >/dev/null

measure ours "$SCANNER" --path "$CORPUS" --jobs 1 --max-file-size 100000000 --format json -q
[ "$RC" -le 1 ] || { echo "bench_detect: scanner failed:" >&2; cat "$WORK/ours.err" >&2; exit 2; }
ours_s=$SECS ours_cpu=$CPU ours_rss=$RSS
ours_hits=$(grep -c '"rule":' "$WORK/ours.out")
echo "scanner --path:  wall ${ours_s} s ($(rate "$SECS") MB/s), cpu ${CPU} s ($(rate "$CPU") MB/s), peak RSS $((ours_rss / 1024)) MiB, $ours_hits findings"

# The same bytes as one file: a stream, so peak memory must stay where it was.
find "$CORPUS" -type f -print0 | xargs -0 cat >"$WORK/all.txt"
measure big "$SCANNER" --path "$WORK/all.txt" --max-file-size 100000000000 --format json -q
echo "one $mb MB file: wall ${SECS} s ($(rate "$SECS") MB/s), cpu ${CPU} s ($(rate "$CPU") MB/s), peak RSS $((RSS / 1024)) MiB (streamed in 1 MiB windows)"
# The engine alone on the same bytes, in memory (no file system, no report).
if cc -O2 -std=c11 -D_GNU_SOURCE -I"$ROOT" -I"$ROOT/common" -I"$ROOT/detect" \
    -o "$WORK/detect_engine" "$ROOT/tests/bench/detect_engine.c" "$BUILD/libsuite.a" \
    $(pkg-config --libs libhs libpcre2-8 libsodium libcjson) -lm 2>"$WORK/cc.err"; then
    "$WORK/detect_engine" "$WORK/all.txt"
else
    echo "engine alone: could not build the harness:"; head -5 "$WORK/cc.err"
fi
rm -f "$WORK/all.txt"

if [ -x "$SECRETLINT" ]; then
    printf '{ "rules": [ { "id": "@secretlint/secretlint-rule-preset-recommend" } ] }\n' \
        >"$WORK/.secretlintrc.json"
    ln -s "$ROOT/tests/node_modules" "$WORK/node_modules"
    cd "$WORK" || exit 2
    measure sl "$SECRETLINT" --format json --secretlintrc "$WORK/.secretlintrc.json" "corpus/**/*"
    cd "$ROOT" || exit 2
    sl_rc=$RC
    if [ "$sl_rc" -le 1 ]; then
        echo "secretlint:      wall ${SECS} s ($(rate "$SECS") MB/s), cpu ${CPU} s ($(rate "$CPU") MB/s), peak RSS $((RSS / 1024)) MiB (recommended preset, rc $sl_rc)"
        awk -v a="$ours_s" -v b="$SECS" -v ca="$ours_cpu" -v cb="$CPU" -v ra="$ours_rss" -v rb="$RSS" 'BEGIN {
            if (a <= 0) a = 0.01; if (ca <= 0) ca = 0.01;
            printf "ratio: %.1fx faster than secretlint by wall time, %.1fx by CPU time; %.3fx its peak memory (targets: >= 1000 MB/s, >= 25x)\n", b / a, cb / ca, ra / rb }'
    else
        echo "secretlint: failed (rc $sl_rc):"
        head -5 "$WORK/sl.err"
    fi
else
    echo "secretlint: not installed (tests/node_modules); run make deps"
fi

# Source code where `password`, `token`, `secret` and `key` are dense (Python's own library):
# the generic rules' verification step is what costs there. Python sources plus the text
# corpus above, to MIX_MB (default 60), scanned by both tools in the same run.
MIX=$WORK/mix
MIX_MB=${MIX_MB:-60}
mkdir -p "$MIX"
find /usr/lib/python3* -name '*.py' -type f -size -1024k -print0 2>/dev/null >"$WORK/pylist"
if [ -s "$WORK/pylist" ]; then
    (cd / && xargs -0 cp --parents -t "$MIX" <"$WORK/pylist") 2>/dev/null
    py_bytes=$(du -sb "$MIX" | cut -f1)
    (cd "$CORPUS" && find . -type f -print0 | head -z -n 4000 | xargs -0 cp --parents -t "$MIX") 2>/dev/null
    while [ "$(du -sb "$MIX" | cut -f1)" -lt $((MIX_MB * 1000 * 1000)) ]; do
        n=$(find "$MIX" -maxdepth 1 -name 'again*' | wc -l)
        mkdir -p "$MIX/again$n"
        (cd / && xargs -0 cp --parents -t "$MIX/again$n" <"$WORK/pylist") 2>/dev/null
    done
    mix_bytes=$(du -sb "$MIX" | cut -f1)
    find "$MIX" -type f -print0 | xargs -0 cat >/dev/null
    echo "python mix: $(awk -v b="$mix_bytes" 'BEGIN { printf "%.1f", b / 1e6 }') MB ($(awk -v a="$py_bytes" -v b="$mix_bytes" 'BEGIN { printf "%.0f", 100 * a / b }')% or more Python sources from /usr/lib/python3*, the rest text)"
    saved=$bytes
    bytes=$mix_bytes
    measure mix "$SCANNER" --path "$MIX" --jobs 1 --max-file-size 100000000 --format json -q
    mix_s=$SECS mix_cpu=$CPU
    echo "scanner --path (python mix): wall ${SECS} s ($(rate "$SECS") MB/s), cpu ${CPU} s ($(rate "$CPU") MB/s), peak RSS $((RSS / 1024)) MiB, $(grep -c '"rule":' "$WORK/mix.out") findings"
    find "$MIX" -type f -print0 | xargs -0 cat >"$WORK/mix.txt"
    [ -x "$WORK/detect_engine" ] && "$WORK/detect_engine" "$WORK/mix.txt" | sed 's/^/python mix, /'
    rm -f "$WORK/mix.txt"
    if [ -x "$SECRETLINT" ] && [ -f "$WORK/.secretlintrc.json" ]; then
        cd "$WORK" || exit 2
        measure slmix "$SECRETLINT" --format json --secretlintrc "$WORK/.secretlintrc.json" "mix/**/*"
        cd "$ROOT" || exit 2
        echo "secretlint (python mix): wall ${SECS} s ($(rate "$SECS") MB/s), cpu ${CPU} s ($(rate "$CPU") MB/s), rc $RC"
        awk -v a="$mix_s" -v b="$SECS" -v ca="$mix_cpu" -v cb="$CPU" 'BEGIN {
            if (a <= 0) a = 0.01; if (ca <= 0) ca = 0.01;
            printf "ratio (python mix): %.1fx faster than secretlint by wall time, %.1fx by CPU time (target: >= 1000 MB/s single-threaded)\n", b / a, cb / ca }'
    fi
    bytes=$saved
    rm -rf "$MIX"
else
    echo "python mix: no /usr/lib/python3* sources on this machine; skipped"
fi

echo "real-world negative run: every remaining hit, for review"
python3 - "$WORK/ours.out" "$CORPUS" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
seen = set()
for f in d["findings"]:
    loc = f.get("location", {})
    path = loc.get("path", "").replace(sys.argv[2] + "/", "")
    path = path.split("/", 1)[1] if path.startswith("copy") else path
    key = (path, loc.get("line"), f["rule"])
    if key in seen:
        continue
    seen.add(key)
    print("  %s:%s: %s %s %s" % (path, loc.get("line"), f["severity"], f["rule"],
                                f.get("secret", {}).get("redacted", "")))
print("  %d distinct hits" % len(seen))
EOF
