#!/usr/bin/env bash
# End-to-end tests of `scanner --jobs N`: a tree of real files and a real git history scanned
# with 1, 2 and 8 threads give the same report bytes (JSON and SARIF) and the same messages in
# the same order; bad values are a usage error.
. "$(dirname "$0")/lib.sh"

export GIT_AUTHOR_NAME="Ada Dev" GIT_AUTHOR_EMAIL=ada@example.test
export GIT_COMMITTER_NAME="Ada Dev" GIT_COMMITTER_EMAIL=ada@example.test
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null

# scan_to NAME CMD...: CMD's stdout into NAME, stderr into NAME.err, its status checked (1:
# findings at high or above). Without lib.sh's run, so the SARIF validators run once a test.
scan_to() {
    local name=$1
    shift
    "$@" >"$name" 2>"$name.err" </dev/null
    local rc=$?
    [ "$rc" -eq 1 ] || fail "$*: exit status $rc, expected 1 ($(head -c 300 "$name.err"))"
}

# A token of the GitHub shape for number $1 (not checksum-valid: a high finding all the same).
gh_token() { printf 'ghp_%s%06d' "Qm7Tz2Kw9Rb4Xn8Lp3Vc6Hd1Jf5Gs0" "$1"; }
aws_key() { printf 'AKIA%s%04d' "Z7Q4RT2WX9LM" "$1"; }

# make_big_tree: 12 directories (some nested) of 30 files each, every third with a secret or
# two, binaries, a file over the size limit, symlinks that leave the tree or loop, and a lock
# file; prints nothing. $planted is the number of secrets written.
make_big_tree() {
    planted=0
    local d f i n=0
    for d in $(seq -w 1 12); do
        if [ $((10#$d % 4)) = 0 ]; then f="t/d$d/sub/deeper"; else f="t/d$d"; fi
        mkdir -p "$f"
        for i in $(seq -w 1 30); do
            n=$((n + 1))
            case $((n % 6)) in
            0)
                printf 'import os\nGITHUB_TOKEN = "%s"\nx = 1\n' "$(gh_token $n)" >"$f/m$i.py"
                planted=$((planted + 1))
                ;;
            3)
                printf '# config\nregion=eu\naws_access_key_id=%s\nlog=%s\n' "$(aws_key $n)" \
                    "$(gh_token $((n + 5000)))" >"$f/c$i.ini"
                planted=$((planted + 2))
                ;;
            4) printf 'bin\0ary %s\n' "$(gh_token $n)" >"$f/b$i.bin" ;;
            1 | 5)
                # Every 12th file is over the size limit of the tests (4000 bytes) and every 12th
                # a symlink out of the tree: messages from the threads and from the walk,
                # interleaved, whose order stderr shows.
                if [ $((n % 12)) = 1 ]; then
                    head -c 4500 /dev/zero | tr '\0' 'x' >"$f/h$i.txt"
                elif [ $((n % 12)) = 5 ]; then
                    ln -s /etc/hostname "$f/s$i"
                else
                    printf 'plain text %s\n' "$n" >"$f/p$i.txt"
                fi
                ;;
            *) printf 'plain text %s\nno secret here\n' "$n" >"$f/p$i.txt" ;;
            esac
        done
    done
    # Over the size limit (--max-file-size 4000 below): a note, no finding.
    head -c 6000 /dev/zero | tr '\0' 'a' >t/d03/huge.txt
    printf 'GITHUB_TOKEN=%s\n' "$(gh_token 9999)" >>t/d03/huge.txt
    ln -s /etc/hostname t/d02/leaves
    ln -s loop t/d05/loop
    ln -s ../d01/m06.py t/d07/link.py # inside the tree: scanned again under its own name
    planted=$((planted + 1))
    printf '{"integrity": "sha512-%s"}\n' "$(gh_token 77)" >t/d09/package-lock.json
    planted=$((planted + 1)) # a provider format counts in a lock file
}

t_path_report_same_for_any_jobs() {
    make_big_tree
    local files
    files=$(find t -type f | wc -l)
    [ "$files" -ge 300 ] || fail "only $files files made"
    local j fmt
    for fmt in json sarif; do
        for j in 1 2 8; do
            scan_to "out$j.$fmt" "$SCANNER" --path t --jobs "$j" --max-file-size 4000 --format "$fmt"
            mv "out$j.$fmt.err" "err$j.$fmt"
        done
        cmp -s "out1.$fmt" "out2.$fmt" || fail "$fmt: --jobs 2 gave another report than 1"
        cmp -s "out1.$fmt" "out8.$fmt" || fail "$fmt: --jobs 8 gave another report than 1"
        cmp -s "err1.$fmt" "err2.$fmt" || fail "$fmt: --jobs 2 gave other messages than 1"
        cmp -s "err1.$fmt" "err8.$fmt" || fail "$fmt: --jobs 8 gave other messages than 1"
    done
    # The report is the real one: every planted secret, in walk (name) order.
    local got
    got=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["findings"]))' out8.json)
    [ "$got" = "$planted" ] || fail "$got findings, $planted secrets planted"
    python3 - out8.json <<'EOF' || fail "findings are not in walk order"
import json, sys
paths = [f["location"]["path"] for f in json.load(open(sys.argv[1]))["findings"]]
# The walk goes by name, files of a directory before its subdirectories.
def key(p):
    parts = p.split("/")
    return parts
seen = []
for p in paths:
    if not seen or seen[-1] != p:
        seen.append(p)
assert len(seen) == len(set(seen)), "a file's findings are split"
assert seen.index("t/d01/m06.py") < seen.index("t/d02/m12.py") < seen.index("t/d07/link.py")
EOF
    grep -q 'huge.txt: skipped, 6[0-9]* bytes is over --max-file-size 4000' err8.json ||
        fail "no size-limit note: $(cat err8.json)"
    grep -q 'd05/loop: symlink not followed' err8.json || fail "no note for the symlink loop"
    # Messages of the walk and of the files keep their places among each other.
    local order
    order=$(grep -o 'd0[235]/[a-z]*[.a-z]*: \(skipped\|symlink\)' err8.json | tr '\n' ' ')
    [ "$order" = "d02/leaves: symlink d03/huge.txt: skipped d05/loop: symlink " ] ||
        fail "messages out of order: $order"
    # One thread's messages: each directory's entries in name order.
    grep -o 't/d01/[hs][0-9]*' err1.json | tr '\n' ' ' | grep -q '^t/d01/h01 t/d01/h13 t/d01/h25 t/d01/s05 t/d01/s17 t/d01/s29 $' ||
        fail "one thread's messages: $(grep -o 't/d01/[hs][0-9]*' err1.json | tr '\n' ' ')"
    local big
    big=$(find t -name 'h*.txt' -o -name huge.txt | wc -l)
    [ "$big" -ge 30 ] || fail "only $big files over the limit"
    [ "$(grep -c 'symlink not followed' err8.json)" -ge 30 ] || fail "too few symlink notes"
    grep -q "t: $((files - 60 - big + 1)) files scanned, 60 binary and $big over the size limit" err8.json ||
        fail "summary: $(tail -1 err8.json)"
    expect_nowhere "$(gh_token 6)" out8.json
    expect_nowhere "$(aws_key 3)" out8.sarif
    expect_valid_sarif out8.sarif
}

t_show_secrets_same_for_any_jobs() {
    make_big_tree
    run "$SCANNER" --path t --jobs 1 --show-secrets
    cp "$TMP/.out" one.txt
    run "$SCANNER" --path t --jobs 8 --show-secrets
    expect_rc 1
    cmp -s one.txt "$TMP/.out" || fail "--show-secrets: --jobs 8 differs from 1"
    expect_out "value '$(gh_token 6)'"
}

t_several_paths_and_files() {
    make_big_tree
    run "$SCANNER" --path t/d01 t/d04/sub/deeper/m24.py t/d02 --jobs 1 --format json
    cp "$TMP/.out" one.json
    run "$SCANNER" --path t/d01 t/d04/sub/deeper/m24.py t/d02 --jobs 3 --format json
    expect_rc 1
    cmp -s one.json "$TMP/.out" || fail "several targets: --jobs 3 differs from 1"
    expect_out '"path":[[:space:]]*"t/d04/sub/deeper/m24.py"'
}

t_build_context_same_for_any_jobs() {
    make_big_tree
    printf 'FROM alpine:3.19\nCOPY . /app\nCOPY t/d01/c03.ini /etc/app.ini\nUSER app\n' >t/Dockerfile
    printf 'd11\n**/*.bin\n' >t/.dockerignore
    printf 'DB_PASSWORD=Zq8vN3xL5tR7wK2m\n' >t/d06/.env
    local j fmt
    for fmt in json sarif; do
        for j in 1 2 8; do
            scan_to "out$j.$fmt" "$SCANNER" --dockerfile t/Dockerfile --jobs "$j" --format "$fmt"
            mv "out$j.$fmt.err" "err$j.$fmt"
        done
        cmp -s "out1.$fmt" "out2.$fmt" || fail "context $fmt: --jobs 2 gave another report than 1"
        cmp -s "out1.$fmt" "out8.$fmt" || fail "context $fmt: --jobs 8 gave another report than 1"
        cmp -s "err1.$fmt" "err8.$fmt" || fail "context $fmt: --jobs 8 gave other messages"
    done
    # Secrets of the files COPY brings in (d11 is ignored): the real findings, not an empty list.
    local n
    n=$(grep -c '"rule":[[:space:]]*"DF007"' out8.json)
    [ "$n" -ge 150 ] || fail "only $n DF007 findings from the context"
    grep -q 't/d11/' out8.json && fail "a .dockerignore'd directory was reported"
    grep -q 'd06/.env' out8.json || fail "the .env of the context was not reported"
    expect_nowhere Zq8vN3xL5tR7wK2m out8.json
    expect_valid_sarif out8.sarif
}

# history: 120 commits over 40 files; secrets added in some, removed in others.
make_history() {
    git init -q -b main h && cd h || exit 1
    local i
    for i in $(seq 1 120); do
        printf 'rev %s\n' "$i" >"f$((i % 40)).txt"
        case $((i % 7)) in
        0) printf 'GITHUB_TOKEN=%s\n' "$(gh_token "$i")" >>"f$((i % 40)).txt" ;;
        3) printf 'aws_access_key_id = %s\n' "$(aws_key "$i")" >"k$i.cfg" ;;
        5) [ -e "k$((i - 2)).cfg" ] && git rm -q "k$((i - 2)).cfg" ;;
        esac
        printf 'bin\0%s\n' "$i" >"b$((i % 9)).bin"
        git add -A && git commit -q -m "c$i"
    done
}

t_git_report_same_for_any_jobs() {
    make_history
    local j fmt
    for fmt in json sarif; do
        for j in 1 2 8; do
            scan_to "../out$j.$fmt" "$SCANNER" --git . --jobs "$j" --format "$fmt"
            mv "../out$j.$fmt.err" "../err$j.$fmt"
        done
        cmp -s "../out1.$fmt" "../out2.$fmt" || fail "git $fmt: --jobs 2 gave another report than 1"
        cmp -s "../out1.$fmt" "../out8.$fmt" || fail "git $fmt: --jobs 8 gave another report than 1"
        cmp -s "../err1.$fmt" "../err8.$fmt" || fail "git $fmt: --jobs 8 gave other messages"
    done
    # 17 tokens (i = 7, 14, ... 119) and 17 keys (i = 3, 10, ... 115): each reported once.
    local got
    got=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["findings"]))' ../out8.json)
    [ "$got" = 34 ] || fail "$got findings in the history, 34 expected"
    grep -q '120 commits' ../err8.json || fail "not every commit was walked: $(cat ../err8.json)"
    expect_valid_sarif ../out8.sarif
}

t_bad_jobs_are_usage_errors() {
    mkdir d
    echo hello >d/a.txt
    git init -q r
    local v
    for v in 0 -1 abc 100000 "" 2x; do
        run "$SCANNER" --path d --jobs "$v"
        expect_rc 2
        expect_err "--jobs: '$v' is not a number from 1 to 256"
        [ -z "$OUT" ] || fail "--jobs '$v': a report was printed"
        run "$SCANNER" --git r --jobs "$v"
        expect_rc 2
        expect_err "--jobs: '$v' is not a number from 1 to 256"
    done
    run "$SCANNER" --path d --jobs 256
    expect_rc 0
    run "$SCANNER" --path d -j 1
    expect_rc 0
    run "$SCANNER" --help
    expect_out '\-j, --jobs N .*at most 256'
}

e2e_main
