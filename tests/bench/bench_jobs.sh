#!/usr/bin/env bash
# Benchmark of `--jobs N`: `scanner --path` over MB (100) megabytes in FILES (1,000) generated
# source-like files with a few secrets, and `scanner --git` over a generated history of COMMITS
# (1,000) commits, each with --jobs 1 .. JOBS (default: the online cores); wall and CPU time,
# MB/s and the speed-up against --jobs 1 (the best of REPEAT runs each: on a shared machine wall
# time follows the load), and whether every N gave the same report bytes. Nothing here asserts a
# time.
# usage: tests/bench/bench_jobs.sh [BUILD_DIR]   (MB=100 FILES=1000 COMMITS=1000 JOBS=nproc
# REPEAT=3)
set -u
BUILD=${1:-${BUILD:-build}}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
SCANNER=$BUILD/scanner
MB=${MB:-100}
FILES=${FILES:-1000}
COMMITS=${COMMITS:-1000}
JOBS=${JOBS:-$(getconf _NPROCESSORS_ONLN)}
REPEAT=${REPEAT:-3}

[ -x "$SCANNER" ] || { echo "bench_jobs: $SCANNER missing (make programs)" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "bench_jobs: /usr/bin/time missing (apt-get install time)" >&2; exit 2; }
[ "$JOBS" -ge 1 ] 2>/dev/null || JOBS=1

WORK=$(mktemp -d /tmp/bench_jobs.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

# Python-like lines, some with a keyword the generic rules look at (token), a secret in one file
# of 25, spread over 20 directories.
python3 - "$WORK/tree" "$MB" "$FILES" <<'EOF'
import os, random, sys
root, mb, nfiles = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rnd = random.Random(7)
words = ("config value result buffer handle request client server count parse render token "
         "index commit branch stream object format reader writer layer module option").split()
per = mb * 1000 * 1000 // nfiles
for i in range(nfiles):
    d = os.path.join(root, "pkg%02d" % (i % 20))
    os.makedirs(d, exist_ok=True)
    out, n = [], 0
    while n < per:
        w = rnd.sample(words, 4)
        s = "    %s_%s = %s(%s, %d)  # %s\n" % (w[0], w[1], w[2], w[3], rnd.randint(0, 99999), w[0])
        out.append(s)
        n += len(s)
    if i % 25 == 0:
        out.insert(len(out) // 2, 'GITHUB_TOKEN = "ghp_Qm7Tz2Kw9Rb4Xn8Lp3Vc6Hd1Jf5Gs%05d"\n' % i)
    with open(os.path.join(d, "mod%04d.py" % i), "w") as f:
        f.writelines(out)
EOF
bytes=$(du -sb "$WORK/tree" | cut -f1)
echo "tree: $(awk -v b="$bytes" 'BEGIN { printf "%.1f", b / 1e6 }') MB in $FILES files; jobs 1..$JOBS on $(getconf _NPROCESSORS_ONLN) online cores"

# run_jobs LABEL BYTES CMD...: CMD --jobs N for N = 1..JOBS, a line each.
run_jobs() {
    local label=$1 nbytes=$2 j base="" same=yes
    shift 2
    printf '%-8s %5s %9s %9s %9s %9s\n' "$label" jobs "wall (s)" "CPU (s)" "MB/s" speed-up
    for j in $(seq 1 "$JOBS"); do
        local r best="" bcpu=""
        for r in $(seq 1 "$REPEAT"); do
            /usr/bin/time -f '%e %U %S' -o "$WORK/time" "$@" --jobs "$j" --format json \
                >"$WORK/out$j" 2>"$WORK/err$j"
            local rc=$?
            [ "$rc" -le 1 ] || { echo "bench_jobs: $label --jobs $j failed: $(head -3 "$WORK/err$j")" >&2; return 1; }
            read -r wall user sys < <(tail -1 "$WORK/time")
            if [ -z "$best" ] || awk -v a="$wall" -v b="$best" 'BEGIN { exit !(a < b) }'; then
                best=$wall
                bcpu=$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')
            fi
        done
        [ -z "$base" ] && base=$best
        cmp -s "$WORK/out1" "$WORK/out$j" || same=no
        awk -v l="" -v j="$j" -v w="$best" -v c="$bcpu" -v b="$nbytes" -v w1="$base" 'BEGIN {
            if (w <= 0) w = 0.01
            printf "%-8s %5d %9.2f %9.2f %9.0f %8.2fx\n", l, j, w, c, b / 1e6 / w, w1 / w }'
    done
    echo "$label: the same report bytes for every --jobs: $same"
}

find "$WORK/tree" -type f -print0 | xargs -0 cat >/dev/null # page cache
run_jobs "--path" "$bytes" "$SCANNER" --path "$WORK/tree" -q || exit 1

# A history: every commit edits 2 of 300 files (about 30 KB each), a secret now and then.
repo=$WORK/repo
git init -q --bare "$repo"
python3 - "$COMMITS" >"$WORK/stream" <<'EOF'
import random, sys
commits = int(sys.argv[1])
rnd = random.Random(11)
words = "config value result buffer handle request token password stream object".split()
def line():
    w = rnd.sample(words, 3)
    return "    %s = %s(%s, %d)\n" % (w[0], w[1], w[2], rnd.randint(0, 99999))
files = {"src/f%03d.py" % i: [line() for _ in range(900)] for i in range(300)}
out = sys.stdout
def data(s):
    out.write("data %d\n%s\n" % (len(s), s))
for n in range(commits):
    out.write("commit refs/heads/main\nmark :%d\n" % (n + 1))
    out.write("committer Bench <bench@example.test> %d +0000\n" % (1600000000 + n * 60))
    data("c%d\n" % n)
    if n:
        out.write("from :%d\n" % n)
    paths = list(files) if n == 0 else rnd.sample(list(files), 2)
    for p in paths:
        at = rnd.randrange(900)
        files[p][at] = line()
        if n % 40 == 0 and n:
            files[p][at] = 'AWS_ACCESS_KEY_ID = "AKIAZ7Q4RT2W%08d"\n' % n
        out.write("M 100644 inline %s\n" % p)
        data("".join(files[p]))
    out.write("\n")
EOF
git -C "$repo" fast-import --quiet <"$WORK/stream" || { echo "bench_jobs: fast-import failed" >&2; exit 2; }
git -C "$repo" repack -adq
git -C "$repo" rev-list --all --objects >/dev/null # page cache
blob_bytes=$(git -C "$repo" cat-file --batch-all-objects --batch-check='%(objecttype) %(objectsize)' |
    awk '$1 == "blob" { s += $2 } END { print s + 0 }')
echo "history: $COMMITS commits, $(awk -v b="$blob_bytes" 'BEGIN { printf "%.1f", b / 1e6 }') MB of blobs, $(du -sh "$repo" | cut -f1) packed"
run_jobs "--git" "$blob_bytes" "$SCANNER" --git "$repo" -q || exit 1
