#!/usr/bin/env bash
# Benchmark of `scanner --dockerfile` against dockerfilelint (npm; hadolint too when one is on
# PATH) on the same generated files: N Dockerfiles in one process (target >= 5,000 per second),
# one invocation per file against the peer per file (target >= 50x), and a small coverage
# comparison on the example and the tricky fixtures. Prints figures, never asserts.
# The seeds are the example and the tricky fixtures; BENCH_DOCKERFILES=DIR adds real ones (for
# example official-image Dockerfiles fetched for the run; never commit them).
# usage: tests/bench/bench_dockerfile.sh [BUILD_DIR] [N]
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${1:-${BUILD:-$ROOT/build}}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
N=${2:-5000}
PEER_SAMPLE=${PEER_SAMPLE:-20}
OWN_SAMPLE=${OWN_SAMPLE:-200}
SCANNER=$BUILD/scanner
LINT=$ROOT/tests/node_modules/.bin/dockerfilelint
HADOLINT=$(command -v hadolint || true)
W=$(mktemp -d /tmp/bench_dockerfile.XXXXXX)
trap 'rm -rf "$W"' EXIT

# Inputs: variants of the seeds, each in its own build context with an entrypoint script.
python3 - "$W" "$N" "$ROOT/contrib/examples/Dockerfile" "$ROOT"/tests/fixtures/dockerfile/tricky/*.Dockerfile \
    ${BENCH_DOCKERFILES:+"$BENCH_DOCKERFILES"/*} <<'PY'
import os, sys
w, n, seeds = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
texts = [open(s, encoding="utf-8", errors="replace").read() for s in seeds if os.path.isfile(s)]
for i in range(1, n + 1):
    d = os.path.join(w, "ctx%d" % i)
    os.mkdir(d)
    t = texts[i % len(texts)].replace("3.22", "3.%d" % (i % 23)).replace("app.py", "app%d.py" % i)
    open(os.path.join(d, "Dockerfile"), "w").write(t)
    open(os.path.join(d, "app%d.py" % i), "w").write("print(%d)\n" % i)
    open(os.path.join(d, "docker-entrypoint.sh"), "w").write('#!/bin/sh\nexec "$@"\n')
PY
files=()
for i in $(seq 1 "$N"); do files+=("$W/ctx$i/Dockerfile"); done
echo "bench_dockerfile: $N Dockerfiles ($(cat "${files[@]}" | wc -c) bytes), each with its own build context"
echo "  load average now: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores (wall figures depend on it; CPU less)"

# measure OUT CMD...: wall and CPU (user+sys, children included) seconds into $WALL and $CPU.
# CPU is reported too because the machine is shared: wall time depends on the other load.
measure() {
    local out=$1 tf=$W/.time
    shift
    TIMEFORMAT='%R %U %S'
    { time "$@" >"$out" 2>/dev/null; } 2>"$tf"
    read -r WALL u s <"$tf"
    CPU=$(echo "$u + $s" | bc -l)
}
per_file() { # per_file TOOL FILES...: one invocation per file
    local tool=$1 f
    shift
    for f in "$@"; do "$tool" "$f"; done
}
scan1() { "$SCANNER" --dockerfile "$1" --format json; }
lint1() { "$LINT" -j "$1"; }
rate() { echo "$1 / $2" | bc -l; }

for fmt in json text; do
    measure "$W/all.$fmt" "$SCANNER" --dockerfile "${files[@]}" --format "$fmt"
    printf '  scanner, one process (%-4s): wall %7.3f s (%6.0f files/s)  cpu %7.3f s (%6.0f files/s); target >= 5000 files/s\n' \
        "$fmt" "$WALL" "$(rate "$N" "$WALL")" "$CPU" "$(rate "$N" "$CPU")"
done
nf=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["findings"]))' "$W/all.json")
echo "    ($nf findings)"

# Per process: the same sample of files, one run each (the shell's fork and exec included, as
# in a CI loop); the peers on the first PEER_SAMPLE of them, scanner on OWN_SAMPLE. Run outside
# a git work tree: inside one, a JSON report's fingerprints cost one `git rev-list` per run (the
# repository's salt, SECURITY.md).
cd "$W" || exit 1
sample=("${files[@]:0:$OWN_SAMPLE}")
measure /dev/null per_file scan1 "${sample[@]}"
s_wall=$(echo "$WALL * 1000 / ${#sample[@]}" | bc -l) s_cpu=$(echo "$CPU * 1000 / ${#sample[@]}" | bc -l)
printf '  scanner, one run per file:  wall %8.2f ms/file                cpu %8.2f ms/file (%d files)\n' \
    "$s_wall" "$s_cpu" "${#sample[@]}"
measure /dev/null per_file "$SCANNER" $(for _ in $(seq 20); do echo --version; done)
printf '  (process start-up alone, scanner --version: wall %.2f ms, cpu %.2f ms)\n' \
    "$(echo "$WALL * 1000 / 20" | bc -l)" "$(echo "$CPU * 1000 / 20" | bc -l)"

# The same, each process measured alone: spawned directly and timed by its own resource usage
# (wait4), so the shell's fork of itself is counted for neither tool. "wall cpu" in ms per file.
alone() { # alone N CMD... -- FILES...: the mean over the files, the file in place of {}
    python3 - "$@" <<'PY'
import os, sys, time
args = sys.argv[1:]
cut = args.index("--")
cmd, files = args[:cut], args[cut + 1:]
null = [(os.POSIX_SPAWN_OPEN, 1, "/dev/null", os.O_WRONLY, 0),
        (os.POSIX_SPAWN_OPEN, 2, "/dev/null", os.O_WRONLY, 0)]
wall = cpu = 0.0
for f in files:
    argv = [f if a == "{}" else a for a in cmd]
    t0 = time.monotonic()
    pid = os.posix_spawn(argv[0], argv, os.environ, file_actions=null)
    _, _, ru = os.wait4(pid, 0)
    wall += time.monotonic() - t0
    cpu += ru.ru_utime + ru.ru_stime
print("%.3f %.3f" % (wall * 1000 / len(files), cpu * 1000 / len(files)))
PY
}
read -r a_wall a_cpu < <(alone "$SCANNER" --dockerfile {} --format json -- "${sample[@]}")
printf '  scanner, each process alone: wall %7.2f ms/file                cpu %8.2f ms/file\n' "$a_wall" "$a_cpu"

if [ -x "$LINT" ]; then
    measure /dev/null per_file lint1 "${files[@]:0:$PEER_SAMPLE}"
    l_wall=$(echo "$WALL * 1000 / $PEER_SAMPLE" | bc -l) l_cpu=$(echo "$CPU * 1000 / $PEER_SAMPLE" | bc -l)
    printf '  dockerfilelint, per file:   wall %8.2f ms/file                cpu %8.2f ms/file (sample of %d)\n' \
        "$l_wall" "$l_cpu" "$PEER_SAMPLE"
    read -r la_wall la_cpu < <(alone "$(readlink -f "$LINT")" -j {} -- "${files[@]:0:$PEER_SAMPLE}")
    printf '  dockerfilelint, alone:       wall %7.2f ms/file                cpu %8.2f ms/file\n' \
        "$la_wall" "$la_cpu"
    printf '  ratio per file per process (dockerfilelint / scanner), target >= 50x:\n'
    printf '    each process alone: wall %.1fx, cpu %.1fx;  in a shell loop: wall %.1fx, cpu %.1fx\n' \
        "$(echo "$la_wall / $a_wall" | bc -l)" "$(echo "$la_cpu / $a_cpu" | bc -l)" \
        "$(echo "$l_wall / $s_wall" | bc -l)" "$(echo "$l_cpu / $s_cpu" | bc -l)"
    # dockerfilelint crashes on some valid files (heredocs, ONBUILD); its one-run figure uses
    # only the files it can lint, and ours is measured again on the same subset.
    mapfile -t lintable < <(grep -L -e '<<' -e ONBUILD "${files[@]:0:1000}")
    measure "$W/lint_all.json" "$LINT" -j "${lintable[@]}"
    l1_wall=$WALL l1_cpu=$CPU
    ok=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["files"]))' "$W/lint_all.json" 2>/dev/null || echo 0)
    measure /dev/null "$SCANNER" --dockerfile "${lintable[@]}" --format json
    printf '  one process, the %d files dockerfilelint can lint (it reported %s):\n' "${#lintable[@]}" "$ok"
    printf '    dockerfilelint wall %7.3f s (%6.0f files/s)  cpu %7.3f s\n' \
        "$l1_wall" "$(rate "${#lintable[@]}" "$l1_wall")" "$l1_cpu"
    printf '    scanner        wall %7.3f s (%6.0f files/s)  cpu %7.3f s; ratio wall %.1fx, cpu %.1fx\n' \
        "$WALL" "$(rate "${#lintable[@]}" "$WALL")" "$CPU" "$(echo "$l1_wall / $WALL" | bc -l)" \
        "$(echo "$l1_cpu / $CPU" | bc -l)"
else
    echo "  dockerfilelint not installed (make deps): no peer figures"
fi
if [ -n "$HADOLINT" ]; then
    read -r ha_wall ha_cpu < <(alone "$HADOLINT" -f json {} -- "${files[@]:0:$PEER_SAMPLE}")
    printf '  hadolint, alone:            wall %8.2f ms/file                cpu %8.2f ms/file; ratio wall %.1fx, cpu %.1fx\n' \
        "$ha_wall" "$ha_cpu" "$(echo "$ha_wall / $a_wall" | bc -l)" "$(echo "$ha_cpu / $a_cpu" | bc -l)"
else
    echo "  hadolint: not on PATH (no Debian package; only apt and npm reach the network here)"
fi

# Coverage on the same files: which planted problems each tool reports.
echo "coverage on contrib/examples/Dockerfile and tests/fixtures/dockerfile/tricky:"
"$SCANNER" --dockerfile "$ROOT/contrib/examples/Dockerfile" "$ROOT"/tests/fixtures/dockerfile/tricky/*.Dockerfile \
    --format json >"$W/ours.json" 2>/dev/null
# dockerfilelint stops at a file it cannot parse: one run per file, results merged.
if [ -x "$LINT" ]; then
    for f in "$ROOT/contrib/examples/Dockerfile" "$ROOT"/tests/fixtures/dockerfile/tricky/*.Dockerfile; do
        out=$("$LINT" -j "$f" 2>/dev/null)
        case $out in
        '{'*) printf '%s\n' "$out" ;;
        *) echo '{"files":[{"file":"'"$f"'","issues":[],"failed":true}]}' ;;
        esac
    done >"$W/theirs.jsonl"
fi
python3 - "$W/ours.json" "$W/theirs.jsonl" <<'PY'
import json, sys
ours = json.load(open(sys.argv[1]))["findings"]
files, failed = [], 0
try:
    for line in open(sys.argv[2]):
        line = line.strip()
        if not line:
            continue
        try:
            files += json.loads(line).get("files", [])
        except ValueError:
            failed += 1
except OSError:
    pass
failed += sum(1 for f in files if f.get("failed"))
issues_all = [i for f in files for i in f.get("issues", [])]
issues = [i for f in files if f.get("file", "").endswith("examples/Dockerfile") for i in f.get("issues", [])]
ex = [f for f in ours if f["location"]["path"].endswith("examples/Dockerfile")]
def ours_has(rule): return any(f["rule"] == rule for f in ex)
def theirs_has(*words):
    return any(any(w in (i.get("title", "") + " " + i.get("category", "")).lower() for w in words)
               for i in issues)
checks = [
    ("final USER root", "DF001", ("root",)),
    ("latest / missing tag", "DF002", ("latest", "tag")),
    ("secret value (AWS key, token)", "DF003", ("secret", "password", "key")),
    ("ENV DB_PASSWORD literal", "DF004", ("password",)),
    ("secret file copied (id_rsa, .env)", "DF005", ("id_rsa",)),
    ("curl | bash", "DF014", ("pipe", "curl")),
    ("TLS verification off", "DF013", ("certificate", "ssl", "insecure")),
    ("EXPOSE 22", "DF010", ("port",)),
    ("sudo", "DF011", ("sudo",)),
    ("chmod 777", "DF012", ("chmod", "777")),
    ("no HEALTHCHECK", "DF020", ("healthcheck",)),
]
print("  %-36s %-8s %s" % ("check (example)", "scanner", "dockerfilelint"))
for name, rule, words in checks:
    print("  %-36s %-8s %s" % (name, "yes" if ours_has(rule) else "no",
                               ("yes" if theirs_has(*words) else "no") if issues else "n/a"))
print("  findings on these files: scanner %d (%d rules), dockerfilelint %d (%d files it could not lint)" %
      (len(ours), len({f["rule"] for f in ours}), len(issues_all), failed))
PY
