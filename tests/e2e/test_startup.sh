#!/usr/bin/env bash
# Start-up stays cheap and hardened: the programs do not link libcurl, libarchive or a shared C++
# runtime (they are loaded when a command needs them, or linked in statically), and they keep
# PIE, full RELRO (BIND_NOW) and a non-executable stack. Commands that need the lazy libraries
# are exercised by the image, runtime and push tests.
. "$(dirname "$0")/lib.sh"

needed() { readelf -d "$1" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'; }

t_no_heavy_library_at_startup() {
    case "${SUITE_MAKE_VARS:-}" in *SANITIZE*) return 0 ;; esac # sanitizer builds link all
    for p in "$SECRETS" "$SCANNER"; do
        needed "$p" >libs
        for l in libcurl libarchive libstdc++ libhs libsecret libsqlite3 libgit2 libxml2; do
            ! grep -q "^$l" libs || fail "$(basename "$p") links $l at start-up: $(tr '\n' ' ' <libs)"
        done
    done
}

t_hardening_kept() {
    for p in "$SECRETS" "$SCANNER"; do
        readelf -h "$p" | grep -q 'DYN (Position-Independent' || fail "$(basename "$p") is not PIE"
        readelf -d "$p" | grep -q 'BIND_NOW\|FLAGS_1.*NOW' || fail "$(basename "$p") lacks BIND_NOW"
        readelf -l "$p" | grep -q GNU_RELRO || fail "$(basename "$p") lacks RELRO"
        readelf -lW "$p" | grep GNU_STACK | grep -q RWE && fail "$(basename "$p") has an executable stack"
        true
    done
}

t_version_runs_without_loading_them() {
    # LD_DEBUG=files lists every object the dynamic loader opens, dlopen included.
    LD_DEBUG=files "$SCANNER" --version >out 2>dbg
    [ $? -eq 0 ] || fail "scanner --version failed"
    ! grep -q 'libcurl\|libarchive\|libsqlite3' dbg || fail "scanner --version loaded libcurl, libarchive or libsqlite3"
    ! grep -q 'libgit2\|libxml2' dbg || fail "scanner --version loaded libgit2 or libxml2"
}

t_dockerfile_scan_loads_no_git_or_xml_library() {
    printf 'FROM alpine:3.19\nUSER app\n' >Dockerfile
    LD_DEBUG=files "$SCANNER" --dockerfile Dockerfile --format json >out 2>dbg
    [ $? -le 1 ] || fail "the scan failed: $(grep -v '^ *[0-9]*:' dbg | tail -2)"
    ! grep -q 'libgit2\|libxml2\|libcurl\|libarchive' dbg ||
        fail "a Dockerfile scan loaded: $(grep -o 'file=lib[a-z0-9]*' dbg | sort -u | tr '\n' ' ')"
}

t_git_and_junit_load_their_library_when_used() {
    # The stubs (common/gen/lazy_stubs.sh) load the library at the first call, and it works.
    case "${SUITE_MAKE_VARS:-}" in *SANITIZE*) return 0 ;; esac
    printf 'FROM alpine:3.19\nUSER app\n' >Dockerfile
    LD_DEBUG=files "$SCANNER" --dockerfile Dockerfile --format junit >out 2>dbg
    grep -q 'file=libxml2.so' dbg || fail "libxml2 was not loaded for a JUnit report"
    grep -q '<testsuites' out || fail "no JUnit report: $(head -3 out)"
    git init -q repo && printf 'x\n' >repo/a && git -C repo add a &&
        git -C repo -c user.name=t -c user.email=t@example.org commit -qm a
    LD_DEBUG=files "$SCANNER" --git repo >out 2>dbg
    [ $? -eq 0 ] || fail "scanner --git failed: $(grep -v '^ *[0-9]*:' dbg | tail -2)"
    grep -q 'file=libgit2.so' dbg || fail "libgit2 was not loaded by --git"
}

t_engine_commands_load_libcurl_when_used() {
    # The same probe sees the library when a command needs it (so the test above can fail).
    LD_DEBUG=files DOCKER_HOST=unix://$TMP/none.sock "$SCANNER" --container x >out 2>dbg
    grep -q 'file=libcurl.so.4' dbg || fail "libcurl was not loaded by an engine command"
    grep -q 'no engine socket' dbg || fail "the engine error is missing: $(tail -2 dbg)"
}

e2e_main
