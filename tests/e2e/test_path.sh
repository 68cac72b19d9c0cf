#!/usr/bin/env bash
# End-to-end tests of `scanner --path`: directories and files, .git and binary skipping, size
# limit, symlinks, every report format with secrets redacted, allow comments, baselines.
. "$(dirname "$0")/lib.sh"

TOKEN=ghp_aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3z5A
PASS=Zq8vN3xL5tR7wK2m

make_tree() {
    mkdir -p proj/src proj/.git proj/config
    printf 'LOG_LEVEL=info\nGITHUB_TOKEN=%s\nDB_PASSWORD=changeme\n' "$TOKEN" >proj/.env
    printf 'import os\nDB_URL = "postgres://app:%s@db.internal/app"\n' "$PASS" >proj/src/app.py
    printf '[core]\n\turl = https://x:%s@github.com/a/b\n' "$TOKEN" >proj/.git/config
    printf 'bin\0ary %s\n' "$TOKEN" >proj/blob.bin
    printf 'API_KEY=${API_KEY}\nPASSWORD_FILE=/run/secrets/db\n' >proj/config/example.env
}

t_finds_and_redacts() {
    make_tree
    run "$SCANNER" --path proj
    expect_rc 1
    expect_out 'proj/\.env:2:14: critical: \[secret\.github-pat\]'
    expect_out 'proj/\.env:3:13: high: \[secret\.generic-password\]'
    expect_out 'proj/src/app\.py:2:.*secret\.database-connection-string'
    expect_out 'ghp_…\(40 chars\)'
    expect_no_out '\.git/config'
    expect_no_out 'blob\.bin'
    expect_no_out 'example\.env'
    expect_out '3 findings'
    expect_nowhere "$TOKEN"
    expect_nowhere "$PASS"
    expect_nowhere changeme
}

t_json_and_sarif_reports() {
    make_tree
    run "$SCANNER" --path proj --format json
    expect_rc 1
    python3 -c 'import json,sys; json.load(sys.stdin)' <"$TMP/.out" || fail "stdout is not JSON"
    expect_out '"rule":[[:space:]]*"secret.github-pat"'
    expect_out '"fingerprint":[[:space:]]*"[0-9a-f]{64}"'
    run "$SCANNER" --path proj --report out.sarif
    expect_rc 1
    expect_file out.sarif
    grep -q '"ruleId"' out.sarif || fail "SARIF report lacks results"
    expect_nowhere "$TOKEN" out.sarif
    expect_nowhere "$PASS" out.sarif
    python3 -c 'import json,sys; json.load(open(sys.argv[1]))' out.sarif || fail "SARIF is not JSON"
}

t_single_file_and_many_args() {
    make_tree
    run "$SCANNER" --path proj/.env proj/src/app.py
    expect_rc 1
    expect_out 'proj/\.env:2'
    expect_out 'proj/src/app\.py:2'
}

t_clean_tree_exit_0() {
    mkdir clean
    printf 'hello\nPASSWORD=${PASSWORD}\n' >clean/readme.txt
    run "$SCANNER" --path clean
    expect_rc 0
    expect_out 'no findings'
}

t_max_file_size() {
    mkdir big
    head -c 200000 /dev/zero | tr '\0' 'a' >big/large.txt
    printf '\nTOKEN=%s\n' "$TOKEN" >>big/large.txt
    run "$SCANNER" --path big --max-file-size 1000
    expect_rc 0
    expect_err 'large\.txt: skipped, .* over --max-file-size'
    run "$SCANNER" --path big --max-file-size 1000000
    expect_rc 1
    expect_out 'large\.txt:2:7: critical: \[secret\.github-pat\]'
}

t_symlinks_do_not_leave_the_tree() {
    mkdir -p tree outside
    printf 'TOKEN=%s\n' "$TOKEN" >outside/secret.env
    ln -s ../outside/secret.env tree/link.env
    ln -s ../outside tree/linkdir
    ln -s tree tree/loop 2>/dev/null
    ln -s /nonexistent tree/dangling
    run "$SCANNER" --path tree
    expect_rc 0
    expect_err 'link\.env: symlink not followed'
    # A link that stays inside the tree is scanned.
    cp outside/secret.env tree/real.env
    ln -s real.env tree/inner.env
    run "$SCANNER" --path tree
    expect_rc 1
    expect_out 'tree/inner\.env:1'
    expect_out 'tree/real\.env:1'
}

t_allow_comments() {
    mkdir a
    printf 'T1=%s # secrets:allow\nT2=%s // gitleaks:allow\nT3=%s  # pragma: allowlist secret\n' \
        "$TOKEN" "$TOKEN" "$TOKEN" >a/x.env
    printf '# secrets:allow-next-line\nT4=%s\nT5=%s\n' "$TOKEN" "$TOKEN" >>a/x.env
    run "$SCANNER" --path a
    expect_rc 1
    expect_out 'a/x\.env:6:'
    expect_out '1 finding'
}

t_baseline_survives_line_moves() {
    make_tree
    run "$SCANNER" --path proj --write-baseline base.json
    expect_rc 1
    expect_file base.json
    expect_nowhere "$TOKEN" base.json
    grep -q '"line"' base.json && fail "baseline records line numbers"
    # Move everything down; add one new secret.
    { printf '\n\n\n'; cat proj/.env; printf 'NEW_TOKEN=ghp_zZ9yY8xX7wW6vV5uU4tT3sS2rR1qQ0pP9oO8\n'; } >proj/.env.new
    mv proj/.env.new proj/.env
    run "$SCANNER" --path proj --baseline base.json
    expect_rc 1
    expect_out 'proj/\.env:7:.*secret\.github-pat'
    expect_out '1 finding'
    run "$SCANNER" --path proj --baseline missing.json
    expect_rc 2
}

t_examples_are_info() {
    mkdir d
    printf 'AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE\n' >d/doc.md
    run "$SCANNER" --path d
    expect_rc 0
    expect_out 'info: \[secret\.aws-access-key-id\].*example'
    run "$SCANNER" --path d --fail-on info
    expect_rc 1
}

t_show_secrets_is_explicit() {
    mkdir s
    printf 'TOKEN=%s\n' "$TOKEN" >s/a.env
    run "$SCANNER" --path s --show-secrets
    expect_rc 1
    expect_out "$TOKEN"
}

t_bad_paths() {
    run "$SCANNER" --path does-not-exist
    expect_rc 2
    expect_err 'does-not-exist'
    mkfifo fifo
    run "$SCANNER" --path fifo
    expect_rc 2
    if [ "$(id -u)" != 0 ]; then
        mkdir locked
        printf 'x\n' >locked/f
        chmod 000 locked
        run "$SCANNER" --path locked
        expect_rc 2
        chmod 755 locked
    fi
}

t_fixtures_quality_via_cli() {
    run "$SCANNER" --path "$FIXTURES/detect/negatives"
    expect_rc 0
    expect_out 'no findings'
    run "$SCANNER" --path "$FIXTURES/detect/positives" --format json
    expect_rc 1
    n=$(grep -c '"rule":' "$TMP/.out")
    want=$(grep -vc '^#' "$FIXTURES/detect/positives/MANIFEST")
    [ "$n" -eq "$want" ] || fail "positives: $n findings, MANIFEST lists $want"
}

# Real keys of every common size and both PEM forms: a 4096-bit key's body is 3,200 characters,
# past the PCRE2 JIT's default stack (such keys once went unreported).
t_real_rsa_keys_of_every_size() {
    local bits
    for bits in 1024 2048 4096; do
        openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:$bits -out pkcs8-$bits.pem 2>/dev/null
        openssl rsa -in pkcs8-$bits.pem -traditional -out rsa-$bits.pem 2>/dev/null
    done
    openssl ecparam -name prime256v1 -genkey -noout -out ec.pem 2>/dev/null
    run "$SCANNER" --path .
    expect_rc 1
    for bits in 1024 2048 4096; do
        expect_out "pkcs8-$bits\.pem:2:1: critical: \[secret\.private-key-pkcs8\]"
        expect_out "rsa-$bits\.pem:2:1: critical: \[secret\.private-key-rsa\]"
    done
    expect_out 'ec\.pem:2:1: critical: \[secret\.private-key'
    expect_nowhere "$(sed -n 3p rsa-2048.pem)"
}

e2e_main
