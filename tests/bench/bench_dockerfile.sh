#!/usr/bin/env bash
# Benchmark of `scanner --dockerfile` against dockerfilelint (npm) on the same generated files:
# 1,000 Dockerfiles in one process, one invocation per file, the peer per file, and a small
# coverage comparison on the example and the tricky fixtures. Prints figures, never asserts.
# hadolint is not installable here (no Debian package, no network beyond apt/npm): not compared.
# usage: tests/bench/bench_dockerfile.sh [BUILD_DIR] [N]
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${1:-$ROOT/build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
N=${2:-1000}
PEER_SAMPLE=${PEER_SAMPLE:-20}
SCANNER=$BUILD/scanner
LINT=$ROOT/tests/node_modules/.bin/dockerfilelint
W=$(mktemp -d /tmp/bench_dockerfile.XXXXXX)
trap 'rm -rf "$W"' EXIT

now() { date +%s.%N; }
secs() { echo "$2 - $1" | bc -l; }

# Inputs: the example, the tricky fixtures and variants of them, each in its own context.
seeds=("$ROOT/contrib/examples/Dockerfile" "$ROOT"/tests/fixtures/dockerfile/tricky/*.Dockerfile)
for i in $(seq 1 "$N"); do
    d=$W/ctx$i
    mkdir -p "$d"
    s=${seeds[$((i % ${#seeds[@]}))]}
    sed "s/3\.22/3.$((i % 23))/g; s/app\.py/app$i.py/g" "$s" >"$d/Dockerfile"
    printf 'print(%d)\n' "$i" >"$d/app$i.py"
done
files=()
for i in $(seq 1 "$N"); do files+=("$W/ctx$i/Dockerfile"); done
echo "bench_dockerfile: $N Dockerfiles ($(cat "${files[@]}" | wc -c) bytes), each with its own build context"

t0=$(now)
"$SCANNER" --dockerfile "${files[@]}" --format json >"$W/all.json" 2>/dev/null
rc=$?
t1=$(now)
one=$(secs "$t0" "$t1")
[ "$rc" -le 1 ] || echo "  scanner exited $rc in the one-process run"
nf=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["findings"]))' "$W/all.json")
printf '  scanner, one process:      %7.3f s  %8.0f files/s  (%s findings)  target >= 1000 files/s\n' \
    "$one" "$(echo "$N / $one" | bc -l)" "$nf"

t0=$(now)
for f in "${files[@]}"; do "$SCANNER" --dockerfile "$f" --format json >/dev/null 2>&1; done
t1=$(now)
per=$(secs "$t0" "$t1")
per_ms=$(echo "$per * 1000 / $N" | bc -l)
printf '  scanner, one run per file: %7.3f s  %8.2f ms/file\n' "$per" "$per_ms"

if [ -x "$LINT" ]; then
    t0=$(now)
    for f in "${files[@]:0:$PEER_SAMPLE}"; do "$LINT" -j "$f" >/dev/null 2>&1; done
    t1=$(now)
    lper_ms=$(echo "($(secs "$t0" "$t1")) * 1000 / $PEER_SAMPLE" | bc -l)
    printf '  dockerfilelint, per file:  %8.2f ms/file (sample of %d)\n' "$lper_ms" "$PEER_SAMPLE"
    t0=$(now)
    "$LINT" -j "${files[@]}" >"$W/lint_all.json" 2>/dev/null
    t1=$(now)
    lone=$(secs "$t0" "$t1")
    printf '  dockerfilelint, one run:   %7.3f s  %8.0f files/s\n' "$lone" "$(echo "$N / $lone" | bc -l)"
    printf '  ratio per file (dockerfilelint / scanner): %.1fx  target >= 50x\n' \
        "$(echo "$lper_ms / $per_ms" | bc -l)"
    printf '  ratio one process:                         %.1fx\n' "$(echo "$lone / $one" | bc -l)"
else
    echo "  dockerfilelint not installed (make deps): no peer figures"
fi

# Coverage on the same files: which planted problems each tool reports.
echo "coverage on contrib/examples/Dockerfile and tests/fixtures/dockerfile/tricky:"
"$SCANNER" --dockerfile "$ROOT/contrib/examples/Dockerfile" "$ROOT"/tests/fixtures/dockerfile/tricky/*.Dockerfile \
    --format json >"$W/ours.json" 2>/dev/null
[ -x "$LINT" ] && "$LINT" -j "$ROOT/contrib/examples/Dockerfile" "$ROOT"/tests/fixtures/dockerfile/tricky/*.Dockerfile \
    >"$W/theirs.json" 2>/dev/null
python3 - "$W/ours.json" "$W/theirs.json" <<'PY'
import json, sys
ours = json.load(open(sys.argv[1]))["findings"]
try:
    theirs = json.load(open(sys.argv[2]))
    issues = [i for f in theirs.get("files", []) for i in f.get("issues", [])]
except Exception:
    issues = []
ex = [f for f in ours if f["location"]["path"].endswith("examples/Dockerfile")]
def ours_has(rule): return any(f["rule"] == rule for f in ex)
def theirs_has(*words):
    return any(any(w in (i.get("title", "") + " " + i.get("category", "")).lower() for w in words)
               for i in issues if i.get("line") is not None)
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
print("  findings on these %d files: scanner %d (%d rules), dockerfilelint %d" %
      (len({f["location"]["path"] for f in ours}), len(ours), len({f["rule"] for f in ours}), len(issues)))
PY
