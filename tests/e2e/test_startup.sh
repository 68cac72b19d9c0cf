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
        for l in libcurl libarchive libstdc++ libhs libsecret libsqlite3; do
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
}

t_engine_commands_load_libcurl_when_used() {
    # The same probe sees the library when a command needs it (so the test above can fail).
    LD_DEBUG=files DOCKER_HOST=unix://$TMP/none.sock "$SCANNER" --container x >out 2>dbg
    grep -q 'file=libcurl.so.4' dbg || fail "libcurl was not loaded by an engine command"
    grep -q 'no engine socket' dbg || fail "the engine error is missing: $(tail -2 dbg)"
}

e2e_main
