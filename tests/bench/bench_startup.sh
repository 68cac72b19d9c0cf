#!/usr/bin/env bash
# Start-up: `secrets --version` and `scanner --version` against /bin/true, median of many runs in
# one process loop (python3's perf_counter around fork+exec), printed as times and ratios.
# Target: <= 2x /bin/true (libcurl and libarchive load only when used; Vectorscan is static).
set -u
BUILD=${1:-build}
python3 - "$BUILD" <<'PY'
import subprocess, sys, time
build = sys.argv[1]
def median_ms(cmd, n=400):
    ts = []
    for _ in range(n):
        t0 = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        ts.append(time.perf_counter() - t0)
    ts.sort()
    return ts[n // 2] * 1000
cmds = [("/bin/true", ["/bin/true"]),
        ("secrets --version", [build + "/secrets", "--version"]),
        ("scanner --version", [build + "/scanner", "--version"]),
        ("secrets generate", [build + "/secrets", "generate"])]
floor = None
for name, cmd in cmds:
    m = median_ms(cmd)
    if floor is None:
        floor = m
        print("startup: %-20s %6.2f ms" % (name, m))
    else:
        print("startup: %-20s %6.2f ms  %.2fx /bin/true (target <= 2x)" % (name, m, m / floor))
PY
