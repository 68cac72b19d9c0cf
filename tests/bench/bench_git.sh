#!/usr/bin/env bash
# Benchmark of `scanner --git`: a generated repository (git fast-import) of COMMITS commits (6,000
# by default) over FILES source-like text files, with branches, merges and a few secrets, is
# scanned side by side with `git log -p --all` (what any diff-based history scanner must at least
# spend); wall time, peak RSS and the ratio. Nothing here asserts a time.
# usage: tests/bench/bench_git.sh [BUILD_DIR]   (COMMITS=6000 FILES=600; REPO=DIR scans that
# repository, or generates it there and keeps it when DIR does not exist)
set -u
BUILD=${1:-${BUILD:-build}}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
SCANNER=$BUILD/scanner
COMMITS=${COMMITS:-6000}
FILES=${FILES:-600}

[ -x "$SCANNER" ] || { echo "bench_git: $SCANNER missing (make programs)" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "bench_git: /usr/bin/time missing (apt-get install time)" >&2; exit 2; }

WORK=$(mktemp -d /tmp/bench_git.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

repo=${REPO:-$WORK/repo}
if [ ! -d "$repo" ]; then
    git init -q --bare "$repo"
    # A fast-import stream: each commit edits 1-3 files (a few lines each), every 50th commit
    # starts a side branch that is merged 10 commits later, and 3 secrets come and go.
    python3 - "$COMMITS" "$FILES" >"$WORK/stream" <<'EOF'
import random, sys
commits, nfiles = int(sys.argv[1]), int(sys.argv[2])
rnd = random.Random(42)
words = ("config value result buffer handle request client server count parse render "
         "index commit branch stream object format reader writer layer module option").split()
def line():
    w = rnd.sample(words, 4)
    return "    %s = %s(%s, %d)  # %s %s\n" % (w[0], w[1], w[2], rnd.randint(0, 9999), w[3], w[0])
# Sizes as in a real C or Python project: most files a few hundred lines, some thousands.
files = {"src/m%03d/f%04d.py" % (i % 40, i):
         [line() for _ in range(min(6000, int(rnd.lognormvariate(5.8, 0.9))))]
         for i in range(nfiles)}
secrets = {1000: ("src/settings.py", 'GITHUB_TOKEN = "ghp_Zz9yX8wV7uT6sR5qP4oN3mL2kJ1iH0gF9eD8"\n'),
           2500: ("deploy/.env", "AWS_ACCESS_KEY_ID=AKIAZ7Q4RT2WX9LMN3PK\n"),
           4000: ("ci/gitlab.env", "GITLAB_TOKEN=glpat-Xq7Rw2Lp9Vt4Kz8Mn3Bc\n")}
out = sys.stdout
mark = 0
def data(s):
    out.write("data %d\n%s\n" % (len(s), s))  # all ASCII: characters are bytes
def commit(ref, n, parents, changes):
    global mark
    mark += 1
    out.write("commit %s\nmark :%d\n" % (ref, mark))
    t = 1600000000 + n * 600
    out.write("author Bench Dev <bench@example.test> %d +0000\n" % t)
    out.write("committer Bench Dev <bench@example.test> %d +0000\n" % t)
    data("change %d\n" % n)
    for i, p in enumerate(parents):
        out.write("%s :%d\n" % ("from" if i == 0 else "merge", p))
    for op, path, body in changes:
        if op == "M":
            out.write("M 100644 inline %s\n" % path); data(body)
        else:
            out.write("D %s\n" % path)
    out.write("\n")
    return mark
main = None
side = None
side_start = None
for n in range(commits):
    changes = []
    for _ in range(rnd.randint(1, 3)):
        p = rnd.choice(list(files))
        lines = files[p]
        for _ in range(rnd.randint(1, 4)):  # a few hunks: lines changed, added, removed
            at = rnd.randrange(len(lines))
            k = rnd.randint(1, 6)
            lines[at:at + rnd.randint(0, k)] = [line() for _ in range(k)]
        changes.append(("M", p, "".join(lines)))
    if n == 0:
        changes = [("M", p, "".join(l)) for p, l in files.items()]
    if n in secrets:
        changes.append(("M", secrets[n][0], secrets[n][1]))
    if n - 300 in secrets:
        changes.append(("D", secrets[n - 300][0], ""))
    if side is not None and n - side_start == 10:
        main = commit("refs/heads/main", n, [main, side], changes)
        side = None
    elif n % 50 == 25 and side is None:
        side_start = n
        side = commit("refs/heads/side", n, [main], changes)
    elif side is not None and n % 2:
        side = commit("refs/heads/side", n, [side], changes)
    else:
        main = commit("refs/heads/main", n, [main] if main else [], changes)
EOF
    git -C "$repo" fast-import --quiet <"$WORK/stream" || { echo "bench_git: fast-import failed" >&2; exit 2; }
    git -C "$repo" symbolic-ref HEAD refs/heads/main
    # Packed as a clone or a gc packs (newest versions whole, older ones as deltas).
    git -C "$repo" repack -adq
fi

ncommits=$(git -C "$repo" rev-list --all | wc -l)
size=$(du -sh "$repo" | cut -f1)
echo "repository: $ncommits commits, $size on disk (packed)"

# measure NAME CMD...: wall seconds and peak RSS (KiB) of CMD, output discarded.
measure() {
    local name=$1
    shift
    /usr/bin/time -f '%e %M %U %S' -o "$WORK/time" "$@" >/dev/null 2>"$WORK/$name.err"
    local rc=$?
    read -r wall rss user sys < <(tail -1 "$WORK/time") # after "Command exited with ..."
    eval "${name}_wall=$wall ${name}_rss=$rss ${name}_rc=$rc"
    eval "${name}_cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')"
}

# Warm the page cache once so both read the pack from memory.
git -C "$repo" rev-list --all --objects >/dev/null
measure gitlog git -C "$repo" log -p --all
measure scanner "$SCANNER" --git "$repo" --format json
"$SCANNER" --git "$repo" 2>&1 >/dev/null | grep -E 'commits?, '
nfind=$("$SCANNER" --git "$repo" --format json 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["summary"]["total"])')

printf '%-34s %10s %10s %12s\n' "" "wall (s)" "CPU (s)" "peak RSS"
printf '%-34s %10s %10s %8s MiB\n' "git log -p --all > /dev/null" "$gitlog_wall" "$gitlog_cpu" \
    "$((gitlog_rss / 1024))"
printf '%-34s %10s %10s %8s MiB\n' "scanner --git ($nfind findings)" "$scanner_wall" "$scanner_cpu" \
    "$((scanner_rss / 1024))"
# On a shared machine wall time follows the load; CPU time is the steadier of the two.
awk -v a="$gitlog_wall" -v b="$scanner_wall" -v c="$gitlog_cpu" -v d="$scanner_cpu" 'BEGIN {
    if (b > 0 && d > 0)
        printf "scanner --git vs the git log -p floor: %.1fx faster (wall), %.1fx (CPU); target >= 3x\n",
            a / b, c / d }'
[ "$scanner_rc" -le 1 ] || { echo "bench_git: scanner failed: $(head -3 "$WORK/scanner.err")" >&2; exit 1; }
