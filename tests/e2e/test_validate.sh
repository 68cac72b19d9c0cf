#!/usr/bin/env bash
# End-to-end: `secrets validate` as a user runs it: the planted example, exit statuses, report
# formats, hostile input, and the file checks against a real git repository, real modes, a real
# Dockerfile with and without .dockerignore. No value may ever appear in any output.
. "$(dirname "$0")/lib.sh"

EX=$ROOT/contrib/examples
ENVFX=$FIXTURES/envcheck

# A strong random value from our own generator (never a constant that a test could match).
strong() { "$SECRETS" generate --length 32 2>/dev/null; }

# A throwaway repository with a committer identity and no global config.
git_repo() {
    export GIT_CONFIG_NOSYSTEM=1 HOME=$TMP GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@example.invalid \
        GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@example.invalid
    git init -q "$1"
}

t_planted_example() {
    cp "$EX/.env" "$EX/.env.example" .
    chmod 600 .env
    run "$SECRETS" validate --env-file .env --format json --report r.json
    expect_rc 1
    for want in 'ENV100.*MYSQL_ROOT_PASSWORD' 'ENV100.*POSTGRES_PASSWORD' 'ENV100.*REDIS_PASSWORD' \
        'ENV104.*MAILER_API_KEY' 'ENV101.*JWT_SECRET' 'ENV102.*SESSION_SECRET' \
        'ENV103.*STRIPE_KEY' 'ENV103.*TLS_PRIVATE_KEY' 'ENV100.*DATABASE_URL' \
        'ENV010.*GREETING' 'ENV201.*log_level' 'ENV200.*APP_ENV' 'ENV120.*STRIPE_WEBHOOK_SECRET'; do
        expect_out "$want"
    done
    expect_out 'critical: \[ENV103\] STRIPE_KEY'
    expect_out 'high: \[ENV100\] MYSQL_ROOT_PASSWORD'
    expect_out 'medium: \[ENV101\] JWT_SECRET'
    expect_no_out 'SMTP_PASSWORD.*ENV10[0-4]|ENV10[0-4]\] SMTP_PASSWORD'
    node -e 'const r=JSON.parse(require("fs").readFileSync("r.json","utf8"));
        const f=r.findings||r.results||[]; if(!f.length) process.exit(1);' ||
        fail "r.json is not a JSON report with findings"
    for v in changeme 'P@ssw0rd!' xyxyxyxyxyxy Kq7mW2xR9p 0d99eBeleR1DU9dPW2rAoXSP891dlQfu \
        sk_live_51Hc8dQ2eZvKYlo2CPr7aBcDeFgHiJkLmN hunter2 planted0demo0key hunter2-prod-Secret; do
        expect_nowhere "$v" r.json
    done
}

t_clean_file_exits_0() {
    printf 'APP_ENV=production\nDB_HOST=db\nDB_PASSWORD=%s\n' "$(strong)" >.env
    chmod 600 .env
    run "$SECRETS" validate --env-file .env --no-example
    expect_rc 0
    expect_out 'ENV102'
    run "$SECRETS" validate --env-file .env --no-example --fail-on medium
    expect_rc 1
    run "$SECRETS" validate --env-file .env --no-example --disable plaintext-secret --fail-on low
    expect_rc 0
}

t_fail_on_thresholds() {
    printf 'DB_PASSWORD=changeme\n' >.env
    chmod 600 .env
    run "$SECRETS" validate --env-file .env --no-example
    expect_rc 1
    run "$SECRETS" validate --env-file .env --no-example --fail-on critical
    expect_rc 0
    run "$SECRETS" validate --env-file .env --no-example --fail-on bogus
    expect_rc 2
    expect_err 'unknown severity'
    expect_nowhere changeme
}

t_sarif_report() {
    printf 'API_TOKEN=%s\nDB_PASSWORD=letmein\n' "$(strong)" >.env
    chmod 600 .env
    local tok
    tok=$(sed -n 's/^API_TOKEN=//p' .env)
    run "$SECRETS" validate --env-file .env --no-example --format sarif
    expect_rc 1
    expect_out '"version":[[:space:]]*"2\.1\.0"'
    expect_out 'ENV100'
    expect_nowhere "$tok"
    expect_nowhere letmein
    # the real SARIF validator (installed by `make deps` from tests/package.json)
    local v=$ROOT/tests/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool
    [ -x "$v" ] || { fail "sarif-multitool missing (make deps)"; return; }
    cp "$TMP/.out" r.sarif
    "$v" validate r.sarif -o v.log --log ForceOverwrite >/dev/null 2>&1 || fail "sarif-multitool failed"
    [ -s v.log ] || fail "no validation log"
    ! grep -q '"level": *"error"' v.log || fail "SARIF errors: $(grep -m3 -A3 '"error"' v.log)"
}

t_dialect_vectors() {
    cp "$ENVFX/dialects.env" .env
    chmod 600 .env
    run "$SECRETS" validate --env-file .env --no-example --fail-on critical
    # R="unterminated: Compose rejects the whole file; we report it (ENV001, high) and go on
    expect_rc 0
    expect_out '\.env:17:3: high: \[ENV001\] unterminated double-quoted value'
    expect_err 'could not be parsed'
    for id in space-after-equals inline-comment hash-no-space double-escapes interpolation \
        single-escape unquoted-space command-substitution multiline export quotes; do
        expect_out "ENV010\] \[$id\]"
    done
    expect_out '\.env:2:4: low: \[ENV010\] \[space-after-equals\].*B:'
    expect_out '\.env:14:3: .*\[single-escape\] differs in bash source, node dotenv'
}

t_parse_errors_reported_and_rest_checked() {
    # one line per kind of syntax error; each is an ENV001 finding (high: exit 1, not 2), the
    # lexer goes on at the next line and every other check still runs on the good lines
    cp "$ENVFX/syntax-errors.env" .env
    chmod 600 .env
    run "$SECRETS" validate --env-file .env --no-example
    expect_rc 1
    expect_out '\.env:2:5: high: \[ENV001\] the variable name contains a space'
    expect_out '\.env:3:1: high: \[ENV001\] missing variable name'
    expect_out '\.env:5:4: high: \[ENV001\] unexpected character .\*. in the variable name'
    expect_out "\\.env:6:12: high: \\[ENV001\\] no '=' after the variable name"
    expect_out '\.env:8:6: high: \[ENV001\] unexpected byte 0x01'
    expect_out '\.env:9:5: high: \[ENV001\] unexpected character .!.'
    expect_out '\.env:10:9: high: \[ENV001\] unexpected text after the closing quote of LATE'
    expect_out '\.env:13:6: high: \[ENV001\] unterminated double-quoted value \(the next ", on line 17'
    expect_out '\.env:15:4: high: \[ENV001\] unterminated single-quoted value'
    [ "$(grep -c 'ENV001' "$TMP/.out")" -eq 9 ] || fail "expected 9 ENV001 findings"
    # the rest is checked: a weak value after the errors, a key right after an open quote,
    # and the multi-line value that does close
    expect_out '\.env:4:13: high: \[ENV100\] DB_PASSWORD'
    expect_out '\.env:14:1: info: \[ENV209\] The AFTER_OPEN key'
    expect_out '\.env:11:7: low: \[ENV010\] \[multiline\].*MULTI'
    expect_out '\.env:17:8: low: \[ENV010\] \[quotes\].*QUOTED'
    expect_err '9 statements could not be parsed'
    expect_nowhere changeme
    expect_nowhere 'never closed'
    # below the --fail-on threshold a broken line does not fail the run; the tool's own
    # errors still do
    run "$SECRETS" validate --env-file .env --no-example --fail-on critical
    expect_rc 0
    run "$SECRETS" validate --env-file .env --no-example --format json
    expect_rc 1
    expect_out '"rule":[[:space:]]*"ENV001"'
    # a quote never closed on line 1 of a big file: reported once, every later line read
    { printf 'A="open\n'; for i in $(seq 1 3000); do printf 'K%05d=v\n' "$i"; done; } >big.env
    chmod 600 big.env
    run "$SECRETS" validate --env-file big.env --no-example --disable unordered-key
    expect_rc 1
    [ "$(grep -c 'ENV001' "$TMP/.out")" -eq 1 ] || fail "one ENV001 expected for big.env"
    expect_out 'big\.env:1:3: high: \[ENV001\] unterminated double-quoted value \(not closed within 1000 lines\)'
    printf 'K01500=v\nK00001=v\n' >>big.env
    run "$SECRETS" validate --env-file big.env --no-example --disable unordered-key
    expect_out 'big\.env:3002:1: low: \[ENV200\] The K01500 key is duplicated \(first at line 1501\)'
}

t_hostile_sizes_bounded() {
    # an unclosed quote on line 1 of a 2 MB file: one ENV001, every other line still read
    { printf 'A="open\n'; awk 'BEGIN { for (i = 0; i < 200000; i++) printf "k%d=v a\n", 200000 - i }'; } >q.env
    chmod 640 q.env
    run "$SECRETS" validate --env-file q.env --no-example
    expect_rc 1
    [ "$(grep -c 'ENV001' "$TMP/.out")" -eq 1 ] || fail "q.env: one ENV001 expected"
    # 800,000 findings in all: at most 20,000 per rule and 50,000 per file are listed, the
    # rest are counted in one summary per rule
    [ "$(wc -l <"$TMP/.out")" -le 50010 ] || fail "q.env: $(wc -l <"$TMP/.out") lines of report"
    expect_out 'q\.env: low: \[ENV010\] [0-9]+ more ENV010 findings in this file not listed'
    expect_out 'q\.env: info: \[ENV201\] [0-9]+ more ENV201 findings'
    expect_out 'q\.env: medium: \[ENV114\] mode 0640'
    expect_out 'q\.env: low: \[ENV210\] [0-9]+ more ENV210 findings'
    # a million lines
    awk 'BEGIN { for (i = 0; i < 1000000; i++) printf "K%07d=v\n", i }' >m.env
    chmod 600 m.env
    run "$SECRETS" validate --env-file m.env --no-example
    expect_rc 0
    expect_out 'no findings'
    # a 50 MB line: the value is over the 1 MiB limit, reported, never copied or printed
    { printf 'BIG='; head -c 50000000 /dev/zero | tr '\0' x; printf '\nAFTER=1\n'; } >l.env
    chmod 600 l.env
    run "$SECRETS" validate --env-file l.env --no-example
    expect_rc 1
    expect_out 'l\.env:1:5: high: \[ENV001\] the value of BIG is longer than 1048576 bytes'
    [ "$(wc -c <"$TMP/.out")" -lt 1000 ] || fail "l.env: report of $(wc -c <"$TMP/.out") bytes"
    expect_nowhere xxxxxxxxxxxxxxxx
    # the same as a key, and inside an open quote
    { head -c 50000000 /dev/zero | tr '\0' K; printf '=1\nAFTER=1\n'; } >k.env
    { printf 'Q="'; head -c 50000000 /dev/zero | tr '\0' y; printf '\nAFTER=1\n'; } >o.env
    chmod 600 k.env o.env
    run "$SECRETS" validate --env-file k.env --env-file o.env --no-example --fail-on info
    expect_rc 1
    expect_out 'k\.env:1:1: high: \[ENV001\] the variable name is longer than 1024 bytes'
    expect_out 'o\.env:1:3: high: \[ENV001\] unterminated double-quoted value'
    [ "$(wc -c <"$TMP/.out")" -lt 2000 ] || fail "k.env, o.env: report of $(wc -c <"$TMP/.out") bytes"
    rm -f q.env m.env l.env k.env o.env
}

t_schema_and_control_comments() {
    printf 'EMAIL=ops@example.org\nFLAG=yes\nNAME=Joe\nPORT="8080"\nPRICE=2.5\nURL=not_a_url\nUSER=x\n' >.env
    chmod 600 .env
    run "$SECRETS" validate --env-file .env --no-example --schema "$ENVFX/schema.json" --fail-on medium
    expect_rc 1
    expect_out '\.env:3:6: medium: \[ENV213\] The NAME key does not match the regex'
    expect_out '\.env:4:6: medium: \[ENV213\] The PORT key is not an integer'
    expect_out '\.env:6:5: medium: \[ENV213\] The URL key is not a valid URL'
    expect_out '\.env:7:1: medium: \[ENV213\] The NEEDED key is required'
    expect_out '\.env:7:1: medium: \[ENV213\] The USER key is not defined in the schema'
    [ "$(grep -c 'ENV213' "$TMP/.out")" -eq 5 ] || fail "5 schema findings expected"
    expect_nowhere not_a_url
    # a bad schema is an error of the tool, with its path
    printf '{"entries": {"A": {"type": "Text"}}}' >bad.json
    run "$SECRETS" validate --env-file .env --no-example --schema bad.json
    expect_rc 2
    expect_err 'bad\.json: entry A: unknown type'
    printf '{"entries": ' >cut.json
    run "$SECRETS" validate --env-file .env --no-example --schema cut.json
    expect_rc 2
    expect_err 'cut\.json: not a JSON schema'
    # control comments switch dotenv-linter checks off and on
    printf 'b=1\n# dotenv-linter:off LowercaseKey, DuplicatedKey\nc=2\nc=3\n# dotenv-linter:on LowercaseKey\nd=4\n' >.env
    run "$SECRETS" validate --env-file .env --no-example --fail-on info
    expect_rc 1
    expect_out '\.env:1:1: info: \[ENV201\] The b key'
    expect_out '\.env:6:1: info: \[ENV201\] The d key'
    expect_no_out 'ENV201\] The c key'
    expect_no_out 'ENV200'
}

t_fix_and_dry_run() {
    printf 'ZED=1\n  b = 2\nDB_PASSWORD=hunter2 x\nA="abc"\n\n\n# about c\nc=has space # note   \n\n' >.env
    chmod 640 .env
    cp .env orig.env
    run "$SECRETS" validate --env-file .env --fix --dry-run
    expect_rc 0
    expect_out '^--- \.env$'
    expect_out '^\+A=abc$'
    expect_out '^\+B=2$'
    expect_out '^\+C="has space" # note$'
    expect_out '^\+DB_PASSWORD=<redacted'
    expect_nowhere hunter2
    cmp -s .env orig.env || fail "--dry-run changed the file"
    expect_no_file .env.bak
    run "$SECRETS" validate --env-file .env --fix
    expect_rc 0
    expect_out '\.env: fixed \(the original is in \.env\.bak\)'
    cmp -s .env.bak orig.env || fail ".env.bak is not the original"
    expect_mode .env.bak 640
    expect_mode .env 640
    [ "$(cat .env)" = "$(printf 'A=abc\nB=2\nDB_PASSWORD="hunter2 x"\nZED=1\n\n# about c\nC="has space" # note')" ] ||
        fail "fixed file: $(cat .env)"
    # the fixed file has none of the fixed findings left
    run "$SECRETS" validate --env-file .env --no-example --fail-on info
    expect_no_out 'ENV20[0-9]|ENV21[0-2]'
    run "$SECRETS" validate --env-file .env --fix
    expect_out 'nothing to fix'
    # refused: a syntax error, stdin, --dry-run alone
    printf 'A=1\nbad key=2\n' >bad.env
    run "$SECRETS" validate --env-file bad.env --fix
    expect_rc 2
    expect_err 'bad\.env: 1 statement cannot be parsed'
    expect_no_file bad.env.bak
    run "$SECRETS" validate --env-file bad.env --dry-run
    expect_rc 2
    run_stdin $'b=1\n' "$SECRETS" validate --env-file - --fix
    expect_rc 2
    # a symlink is never replaced
    ln -s orig.env link.env
    run "$SECRETS" validate --env-file link.env --fix
    expect_rc 2
    expect_err 'symbolic link'
}

# docker run --env-file, with Podman standing in for it: `podman create --env-file` parses the
# file as docker does on these lines (quotes, blanks, '#', '$' all kept, leading blanks trimmed,
# a trailing CR dropped), and `podman inspect` shows the result. Containers cannot be started
# here; created ones are enough. Each row: the line, Compose's value; where Podman's value
# differs, `secrets validate` must name docker run, and where it agrees it must not.
t_docker_run_reader_podman() {
    [ -n "${SUITE_PODMAN:-}" ] || { fail "no Podman service (tests/services.sh)"; return; }
    local d img=e2e/envfile:$$ i=0 line want got named differs bad=0 id k
    local -a ids=()
    d=$(mktemp -d /tmp/e2e-envfile.XXXXXX)
    (cd "$d" && umoci init --layout img && umoci new --image img:v1 &&
        skopeo copy -q oci:img:v1 "docker-archive:img.tar:$img") >"$d/log" 2>&1 &&
        $SUITE_PODMAN load -q -i "$d/img.tar" >>"$d/log" 2>&1 ||
        { fail "test image: $(tail -2 "$d/log")"; rm -rf "$d"; return; }
    rm -rf "$d"
    local -a rows=(
        'KEY=plain' 'plain'
        'KEY= spaced' 'spaced'
        'KEY=val # comment' 'val'
        'KEY=val# x' 'val# x'
        'KEY="q"' 'q'
        "KEY='q'" 'q'
        'KEY=${NOPE:-d}' 'd'
        'KEY=${NOPE}' ''
        'KEY=$NOPE' ''
        'KEY=$$' '$'
        'export KEY=x' 'x'
        $'KEY="multi\nline"' $'multi\nline'
        'KEY: yaml' 'yaml'
        'KEY = x' 'x'
        'KEY=a b c' 'a b c'
        'KEY=x\y' 'x\y'
        $'KEY=val\t# c' $'val\t# c'
        'KEY=cost$5' 'cost$5'
        'KEY=~/dir' '~/dir'
        'KEY=v  ' 'v'
        '  KEY=lead' 'lead'
        'KEY="x" # c' 'x'
        'KEY=' ''
        $'KEY=crlf\r' 'crlf'
    )
    # all rows in one file for Podman (it reads line by line; key K<n> is row n), each row in
    # a file of its own for secrets validate
    : >all.env
    while [ $i -lt ${#rows[@]} ]; do
        printf '%s\n' "${rows[$i]//KEY/K$((i / 2 + 10))}" >>all.env
        i=$((i + 2))
    done
    id=$($SUITE_PODMAN create -q --env-file all.env "$img" sh 2>/dev/null)
    [ -n "$id" ] && ids+=("$id")
    $SUITE_PODMAN inspect --format '{{json .Config.Env}}' "$id" >env.json 2>/dev/null ||
        { fail "podman create/inspect failed"; return; }
    i=0
    while [ $i -lt ${#rows[@]} ]; do
        line=${rows[$i]}
        want=${rows[$((i + 1))]}
        k=K$((i / 2 + 10))
        i=$((i + 2))
        got=$(python3 -c 'import json, sys
env = json.load(open("env.json"))
v = [e[len(sys.argv[1]) + 1:] for e in env if e.startswith(sys.argv[1] + "=")]
sys.stdout.write(v[0] if v else "<unset>")' "$k")
        printf '%s\n' "$line" >r.env
        chmod 600 r.env
        "$SECRETS" validate --env-file r.env --no-example --fail-on critical >r.out 2>&1
        named=0
        grep -Eq 'differs in [^:]*docker run|docker run [^:]*keep' r.out && named=1
        differs=0
        [ "$got" = "$want" ] || differs=1
        printf '    %-20s | compose <%s> | podman <%s> | named: %s\n' "$(printf '%q' "$line")" \
            "$(printf '%q' "$want")" "$(printf '%q' "$got")" "$named"
        if [ "$differs" != "$named" ]; then
            fail "$(printf '%q' "$line"): podman reads <$(printf '%q' "$got")>, Compose <$(printf '%q' "$want")>, docker run named: $named"
            bad=1
        fi
    done
    [ ${#ids[@]} -gt 0 ] && $SUITE_PODMAN rm -f "${ids[@]}" >/dev/null 2>&1
    $SUITE_PODMAN rmi -f "$img" >/dev/null 2>&1
    return $bad
}

t_bom_crlf_binary() {
    cp "$ENVFX/bom.env" a.env
    cp "$ENVFX/crlf.env" b.env
    chmod 600 a.env b.env
    run "$SECRETS" validate --env-file a.env --env-file b.env --no-example --fail-on low
    expect_rc 1
    expect_out 'a\.env:1:1: low: \[ENV002\]'
    expect_out 'b\.env:1:4: low: \[ENV003\] 2 lines end with CRLF'
    head -c 4096 /dev/urandom >bin.env
    printf 'A=1\0B=2\n' >>bin.env
    chmod 600 bin.env
    run "$SECRETS" validate --env-file bin.env --no-example
    [ "$RC" -eq 1 ] || [ "$RC" -eq 2 ] || fail "binary input: exit status $RC"
    [ "$RC" -lt 128 ] || fail "crashed"
}

t_bad_input_exit_2() {
    run "$SECRETS" validate --env-file missing.env
    expect_rc 2
    expect_err 'missing\.env: no such file'
    printf 'A=1\n' >real.env
    ln -s real.env link.env
    run "$SECRETS" validate --env-file link.env
    expect_rc 2
    expect_err 'symbolic link'
    mkdir d.env
    run "$SECRETS" validate --env-file d.env
    expect_rc 2
    expect_err 'd\.env: is a directory'
    truncate -s 65M huge.env
    run "$SECRETS" validate --env-file huge.env
    expect_rc 2
    expect_err 'huge\.env: larger than'
    run "$SECRETS" validate
    expect_rc 2
    expect_err 'no --env-file'
    run "$SECRETS" validate --env-file real.env extra-arg
    expect_rc 2
    run "$SECRETS" validate --env-file real.env --bogus
    expect_rc 2
    run "$SECRETS" validate --env-file real.env --env-example nope.example
    expect_rc 2
    expect_err 'nope\.example'
    # a failure on one file is an error even when another is fine
    run "$SECRETS" validate --env-file real.env --env-file missing.env --no-example
    expect_rc 2
}

t_stdin() {
    run_stdin $'DB_PASSWORD=admin\n' "$SECRETS" validate --env-file - --no-example
    expect_rc 1
    expect_out '<stdin>:1:13: high: \[ENV100\] DB_PASSWORD'
    expect_nowhere admin
}

t_git_tracked_history_ignored() {
    git_repo repo
    cd repo || return
    printf 'DB_HOST=db\n' >.env
    chmod 600 .env
    git add .env && git commit -qm add
    run "$SECRETS" validate --env-file .env --no-example
    expect_rc 1
    expect_out 'critical: \[ENV110\] \.env is tracked by git'
    git rm -q --cached .env && git commit -qm untrack
    run "$SECRETS" validate --env-file .env --no-example
    expect_no_out 'ENV110'
    expect_out 'high: \[ENV111\] \.env was committed before'
    expect_out 'high: \[ENV112\] \.env is not ignored'
    printf '.env\n' >.gitignore
    run "$SECRETS" validate --env-file .env --no-example
    expect_no_out 'ENV112'
    expect_out 'ENV111'
    # a sub-directory file, checked from elsewhere
    mkdir -p svc && printf 'A=1\n' >svc/.env && chmod 600 svc/.env
    cd .. || return
    run "$SECRETS" validate --env-file repo/svc/.env --no-example
    expect_no_out 'ENV11[012]'
    printf '!svc/.env\n' >>repo/.gitignore
    run "$SECRETS" validate --env-file repo/svc/.env --no-example
    expect_out 'ENV112'
    expect_no_out 'ENV111'
}

t_hostile_repository_runs_nothing() {
    git_repo evil
    printf '#!/bin/sh\ntouch "%s/pwned"\n' "$TMP" >"$TMP/hook.sh"
    chmod 755 "$TMP/hook.sh"
    git -C evil config core.fsmonitor "$TMP/hook.sh"
    printf 'A=1\n' >evil/.env
    chmod 600 evil/.env
    git -C evil add .env 2>/dev/null
    [ -e "$TMP/pwned" ] || fail "the set-up's own git did not run the fsmonitor hook"
    rm -f "$TMP/pwned"
    run "$SECRETS" validate --env-file evil/.env --no-example
    expect_out 'ENV110'
    expect_no_file "$TMP/pwned"
}

t_no_git_no_git_findings() {
    printf 'A=1\n' >.env
    chmod 600 .env
    run "$SECRETS" validate --env-file .env --no-example --fail-on info
    expect_rc 0
    expect_no_out 'ENV11[012]'
}

t_permissions() {
    printf 'A=1\n' >.env
    chmod 600 .env
    run "$SECRETS" validate --env-file .env --no-example --fail-on info
    expect_rc 0
    chmod 640 .env
    run "$SECRETS" validate --env-file .env --no-example
    expect_rc 0
    expect_out 'medium: \[ENV114\] mode 0640: the group can read'
    chmod 666 .env
    run "$SECRETS" validate --env-file .env --no-example
    expect_rc 1
    expect_out 'high: \[ENV115\] mode 0666'
    expect_out 'ENV114'
}

t_backup_copies() {
    printf 'A=1\n' >.env
    chmod 600 .env
    for b in .env.bak .env~ .env.save .env.orig .env_1700000000.bak; do
        cp .env "$b"
    done
    cp .env .env.production
    run "$SECRETS" validate --env-file .env --no-example
    for b in '\.env\.bak' '\.env~' '\.env\.save' '\.env\.orig' '\.env_1700000000\.bak'; do
        expect_out "medium: \[ENV116\] $b beside it"
    done
    expect_no_out 'ENV116\] \.env\.production'
}

t_dockerignore() {
    git_repo app
    printf 'FROM alpine\nWORKDIR /app\nCOPY . .\n' >app/Dockerfile
    mkdir -p app/conf
    printf 'A=1\n' >app/conf/.env
    chmod 600 app/conf/.env
    printf 'conf/.env\n' >app/.gitignore
    run "$SECRETS" validate --env-file app/conf/.env --no-example
    expect_rc 1
    expect_out 'high: \[ENV113\] .*app/Dockerfile copies its whole context \(line 3\).*conf/\.env'
    printf '**/.env\n' >app/.dockerignore
    run "$SECRETS" validate --env-file app/conf/.env --no-example
    expect_no_out 'ENV113'
    printf '**/.env\n!conf/.env\n' >app/.dockerignore
    run "$SECRETS" validate --env-file app/conf/.env --no-example
    expect_out 'ENV113'
    # a Dockerfile that copies only its sources does not send the file
    rm app/.dockerignore
    printf 'FROM alpine\nCOPY src/ /app/\n' >app/Dockerfile
    run "$SECRETS" validate --env-file app/conf/.env --no-example
    expect_no_out 'ENV113'
}

t_example_comparison() {
    printf 'A=1\nB=2\nDB_PASSWORD=%s\n' "$(strong)" >.env
    printf 'A=\nC=\nDB_PASSWORD=\n' >.env.example
    chmod 600 .env
    run "$SECRETS" validate --env-file .env
    expect_out 'medium: \[ENV120\] C is in \.env\.example \(line 2\) but missing'
    expect_out '\.env:2:1: low: \[ENV121\] B is not documented'
    expect_no_out 'ENV121\] A '
    printf 'B=\n' >other.example
    run "$SECRETS" validate --env-file .env --env-example other.example
    expect_out 'ENV120\] .*|ENV121\] A is not documented in other\.example'
    expect_no_out 'B is not documented'
    run "$SECRETS" validate --env-file .env --no-example
    expect_no_out 'ENV12[01]'
}

t_config_file_and_ignore_comments() {
    printf 'DB_PASSWORD=Zq8vK2pwLm3x # secrets:ignore ENV102\nb=1\n' >.env
    chmod 600 .env
    run "$SECRETS" validate --env-file .env --no-example --fail-on info
    expect_out 'ENV101'
    expect_out 'ENV201'
    expect_no_out 'ENV102'
    printf '[validate]\nmin_length = 12\ndisable = lowercase-key\nseverity.ENV101 = critical\n' \
        >.secrets.ini
    run "$SECRETS" validate --env-file .env --no-example --fail-on info
    expect_no_out 'ENV101'
    expect_no_out 'ENV201'
    printf '[validate]\nseverity.ENV101 = critical\n' >strict.ini
    run "$SECRETS" validate --env-file .env --no-example --config strict.ini
    expect_rc 1
    expect_out 'critical: \[ENV101\]'
    printf '[validate]\nmin_length = many\n' >bad.ini
    run "$SECRETS" validate --env-file .env --config bad.ini
    expect_rc 2
    expect_err 'bad\.ini:2'
    expect_nowhere Zq8vK2pwLm3x
}

t_help_lists_validate() {
    run "$SECRETS" --help
    expect_rc 0
    expect_out '^  validate '
    run "$SECRETS" validate --help
    expect_rc 0
    expect_out 'env-file'
}

e2e_main
