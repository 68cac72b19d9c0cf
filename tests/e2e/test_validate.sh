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
    run "$SECRETS" validate --env-file .env --report r.json --report-format json
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
    # R="unterminated: Compose rejects the whole file; we report it and go on
    expect_rc 2
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
    cp "$ENVFX/syntax-errors.env" .env
    chmod 600 .env
    run "$SECRETS" validate --env-file .env --no-example
    expect_rc 2
    expect_out '\.env:2:5: high: \[ENV001\] the variable name contains a space'
    expect_out '\.env:3:1: high: \[ENV001\] missing variable name'
    expect_out '\.env:4:13: high: \[ENV100\] DB_PASSWORD'
    expect_err '2 statements could not be parsed'
    expect_nowhere changeme
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
