#!/usr/bin/env bash
# End-to-end tests of `scanner --git`: real repositories made by git here. Secrets added and
# deleted, renames, merges, side branches, tags, an amended commit left in the reflog, binary and
# LFS blobs, shallow clones, corrupt and missing objects, bare repositories, ignore lists,
# baselines, --staged / --unstaged, every report format with secrets redacted.
. "$(dirname "$0")/lib.sh"

TOKEN=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 # checksum-valid (its CRC32 verifies)
AWS=AKIAZ7Q4RT2WX9LMN3PK
GLPAT=glpat-Xq7Rw2Lp9Vt4Kz8Mn3Bc

export GIT_AUTHOR_NAME="Ada Dev" GIT_AUTHOR_EMAIL=ada@example.test
export GIT_COMMITTER_NAME="Ada Dev" GIT_COMMITTER_EMAIL=ada@example.test
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null

# commit MSG: commits everything in the current repository.
commit() {
    git add -A && git commit -q --allow-empty -m "$1"
}
# newrepo DIR: an empty repository with a first commit, entered.
newrepo() {
    git init -q -b main "$1" && cd "$1" || exit 1
    echo "# app" >README.md
    commit "initial"
}
sha() { git rev-parse "$1"; }

t_deleted_secret_is_found_with_its_commit() {
    newrepo r
    printf 'LOG=info\nGITHUB_TOKEN=%s\n' "$TOKEN" >.env
    commit "add settings"
    local added
    added=$(sha HEAD)
    git rm -q .env
    commit "remove settings"
    local removed
    removed=$(sha HEAD)
    run "$SCANNER" --git .
    expect_rc 1
    expect_out "^\.env:2:14: critical: \[secret\.github-pat\] added in commit ${added:0:12} by Ada Dev <ada@example\.test> on [0-9-]{10} \"add settings\"; deleted in commit ${removed:0:12}; in 1 commit"
    expect_out 'ghp_…\(40 chars\)'
    expect_err '3 commits, 2 blobs scanned'
    expect_nowhere "$TOKEN"
    # Without the flag the value stays out; with it, it is there.
    run "$SCANNER" --git . --show-secrets
    expect_out "value '$TOKEN'"
}

t_still_at_head_counts_commits() {
    newrepo r
    printf 'token = "%s"\n' "$TOKEN" >config.py
    commit "config"
    for i in 1 2 3; do
        echo "change $i" >>README.md
        commit "change $i"
    done
    run "$SCANNER" --git .
    expect_rc 1
    expect_out 'config\.py:1:10: .*"config"; still at HEAD; in 4 commits'
    expect_out '1 finding'
}

t_rename_is_not_a_new_secret() {
    newrepo r
    mkdir -p src
    printf 'AWS_KEY = "%s"\n' "$AWS" >src/old.py
    commit "add key"
    local added
    added=$(sha HEAD)
    git mv src/old.py src/new.py
    commit "rename"
    printf '# header\nAWS_KEY = "%s"\n' "$AWS" >src/new.py
    commit "edit renamed file"
    run "$SCANNER" --git .
    expect_rc 1
    # One secret: reported where it entered history, carried by all three commits.
    expect_out "^src/old\.py:1:12: critical: \[secret\.aws-access-key-id\] added in commit ${added:0:12}.*still at HEAD; in 3 commits"
    expect_out '^1 finding'
    expect_no_out 'src/new\.py'
}

t_side_branch_and_merge() {
    newrepo r
    git checkout -q -b feature
    printf 'GITLAB=%s\n' "$GLPAT" >deploy.env
    commit "deploy settings"
    local side
    side=$(sha HEAD)
    git checkout -q -b lonely main
    printf 'k=%s\n' "$AWS" >lonely.txt
    commit "lonely secret"
    git checkout -q main
    echo "more" >>README.md
    commit "main work"
    git merge -q --no-ff -m "merge feature" feature
    git branch -q -D feature
    # The merge brings deploy.env; the commit that introduced it is the side branch's.
    run "$SCANNER" --git .
    expect_rc 1
    expect_out "^deploy\.env:1:8: .*added in commit ${side:0:12} .*\"deploy settings\"; still at HEAD; in 2 commits"
    expect_out '^lonely\.txt:1:3: .*"lonely secret"; not at HEAD; in 1 commit'
    # --branch main does not see the unmerged branch.
    run "$SCANNER" --git . --branch main
    expect_rc 1
    expect_out 'deploy\.env'
    expect_no_out 'lonely\.txt'
}

t_secret_only_in_a_tag() {
    newrepo r
    git checkout -q -b release
    printf 'GITHUB_TOKEN=%s\n' "$TOKEN" >release.env
    commit "release settings"
    git tag -a v1.0 -m "release 1.0"
    git checkout -q main
    git branch -q -D release
    run "$SCANNER" --git .
    expect_rc 1
    expect_out '^release\.env:1:14: .*"release settings"; not at HEAD'
    run "$SCANNER" --git . --branch v1.0
    expect_rc 1
    expect_out 'release\.env'
}

t_amended_commit_only_with_reflog() {
    newrepo r
    printf 'GITHUB_TOKEN=%s\n' "$TOKEN" >.env
    commit "settings"
    printf 'GITHUB_TOKEN=${GITHUB_TOKEN}\n' >.env
    git add -A && git commit -q --amend -m "settings (no value)"
    # The first version is no longer reachable from any ref: only the reflog has it.
    run "$SCANNER" --git .
    expect_rc 0
    expect_out 'no findings'
    run "$SCANNER" --git . --reflog
    expect_rc 1
    expect_out '^\.env:1:14: .*"settings"; not at HEAD'
}

t_binary_big_and_lfs_blobs_skipped() {
    newrepo r
    printf 'bin\0ary GITHUB_TOKEN=%s\n' "$TOKEN" >blob.bin
    printf 'version https://git-lfs.github.com/spec/v1\noid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\nsize 12345\n' >model.bin
    {
        printf 'GITLAB=%s\n' "$GLPAT"
        head -c 300000 /dev/zero | tr '\0' 'x'
    } >big.txt
    commit "assets"
    run "$SCANNER" --git . --max-file-size 100000
    expect_rc 0
    expect_out 'no findings'
    expect_err 'big\.txt \(blob [0-9a-f]{12}\): skipped, 3000[0-9]{2} bytes is over --max-file-size 100000'
    expect_err 'skipped: 1 binary, 1 over the size limit, 1 Git LFS pointer'
    # The size rule is the only reason big.txt was not reported.
    run "$SCANNER" --git .
    expect_rc 1
    expect_out '^big\.txt:1:8:'
}

t_each_blob_scanned_once() {
    newrepo r
    printf 'GITHUB_TOKEN=%s\n' "$TOKEN" >keep.env
    commit "keep"
    for i in $(seq 1 30); do
        echo "$i" >counter.txt
        commit "counter $i"
    done
    run "$SCANNER" --git .
    expect_rc 1
    # README, keep.env and 30 versions of counter.txt: 32 blobs for 32 commits.
    expect_err '32 commits, 32 blobs scanned'
    expect_out 'still at HEAD; in 31 commits'
}

t_threads_do_not_change_the_report() {
    newrepo r
    for i in $(seq 1 40); do
        printf 'line %s\n' "$i" >"f$i.txt"
        [ "$i" = 7 ] && printf 'GITHUB_TOKEN=%s\n' "$TOKEN" >>f7.txt
        [ "$i" = 23 ] && printf 'k=%s\n' "$AWS" >>"f$i.txt"
        printf 'bin\0%s\n' "$i" >"b$i.bin"
        commit "c$i"
    done
    git rm -q f7.txt
    commit "drop f7"
    run "$SCANNER" --git . --format json --jobs 1
    expect_rc 1
    cp "$TMP/.out" one.json
    cp "$TMP/.err" one.err
    run "$SCANNER" --git . --format json --jobs 4
    expect_rc 1
    cmp -s one.json "$TMP/.out" || fail "4 threads gave another report than 1"
    cmp -s one.err "$TMP/.err" || fail "4 threads gave other notes than 1: $ERR"
    expect_err '42 commits, 41 blobs scanned .*skipped: 40 binary'
    # A damaged object found by a worker thread is still exit 2, naming it.
    local blob
    blob=$(git rev-parse HEAD:f30.txt)
    chmod u+w ".git/objects/${blob:0:2}/${blob:2}"
    printf 'junk' >".git/objects/${blob:0:2}/${blob:2}"
    run "$SCANNER" --git . -j 4
    expect_rc 2
    expect_err "object $blob \(f30\.txt\)"
    [ -z "$OUT" ] || fail "a report was printed"
}

t_shallow_clone_scans_what_is_there() {
    newrepo origin
    printf 'GITHUB_TOKEN=%s\n' "$TOKEN" >old.env
    commit "old secret"
    git rm -q old.env
    commit "drop old secret"
    printf 'k=%s\n' "$AWS" >new.txt
    commit "new secret"
    echo x >>README.md
    commit "later"
    cd .. || exit 1
    git clone -q --depth 2 "file://$PWD/origin" shallow
    run "$SCANNER" --git shallow
    expect_rc 1
    expect_err 'a shallow clone: 1 commit has parents that are not here'
    expect_out '^new\.txt:1:3:'
    expect_no_out 'old\.env'
    expect_nowhere "$TOKEN"
}

t_corrupt_object_exit_2() {
    newrepo r
    printf 'GITHUB_TOKEN=%s\n' "$TOKEN" >.env
    commit "secret"
    echo "note" >notes.txt
    commit "notes"
    local blob obj
    blob=$(git rev-parse HEAD:notes.txt)
    obj=.git/objects/${blob:0:2}/${blob:2}
    chmod u+w "$obj"
    printf 'not zlib at all' >"$obj"
    run "$SCANNER" --git . --format json
    expect_rc 2
    expect_err "error: object $blob \(notes\.txt\)"
    [ -z "$OUT" ] || fail "a report was printed for a repository that could not be read: ${OUT:0:200}"
}

t_corrupt_pack_exit_2() {
    newrepo r
    for i in $(seq 1 20); do
        seq 1 $((i * 200)) >"f$i.txt"
        commit "c$i"
    done
    git gc -q
    local pack size
    pack=$(ls .git/objects/pack/*.pack)
    size=$(stat -c %s "$pack")
    chmod u+w "$pack"
    # One byte in the middle of the pack: zlib's check catches it, the object is named.
    printf '\377' | dd of="$pack" bs=1 seek=$((size / 2)) conv=notrunc 2>/dev/null
    run "$SCANNER" --git . --format sarif
    expect_rc 2
    expect_err 'error: object [0-9a-f]{40} \(f[0-9]+\.txt\)'
    [ -z "$OUT" ] || fail "a report was printed"
}

t_tree_entry_of_the_wrong_type() {
    newrepo r
    mkdir sub
    echo x >sub/a.txt
    commit "sub"
    local sub tree commit
    sub=$(git rev-parse HEAD:sub)
    # A tree whose entry says "file" (100644) but names a tree object.
    tree=$( (printf '100644 liar\0'; printf "$(echo "$sub" | sed 's/../\\x&/g')") | git hash-object -t tree -w --literally --stdin)
    commit=$(echo "forged" | git commit-tree "$tree" -p HEAD)
    git update-ref refs/heads/forged "$commit"
    run "$SCANNER" --git .
    expect_rc 2
    expect_err "object $sub \(liar\): a tree where the tree says a file"
}

t_missing_object_exit_2() {
    newrepo r
    echo one >a.txt
    commit "one"
    echo two >a.txt
    commit "two"
    local blob
    blob=$(git rev-parse HEAD~1:a.txt)
    rm -f ".git/objects/${blob:0:2}/${blob:2}"
    run "$SCANNER" --git . --report out.sarif
    expect_rc 2
    expect_err "object $blob \(a\.txt\)"
    expect_no_file out.sarif
}

t_bare_repository() {
    newrepo r
    printf 'GITHUB_TOKEN=%s\n' "$TOKEN" >.env
    commit "secret"
    cd .. || exit 1
    git clone -q --bare r bare.git
    run "$SCANNER" --git bare.git
    expect_rc 1
    expect_out '^\.env:1:14: .*still at HEAD'
    run "$SCANNER" --git bare.git --staged
    expect_rc 2
    expect_err 'a bare repository has no index'
}

t_not_a_repository_exit_2() {
    mkdir plain
    echo "GITHUB_TOKEN=$TOKEN" >plain/.env
    run "$SCANNER" --git plain
    expect_rc 2
    expect_err 'plain: not a git repository'
    [ -z "$OUT" ] || fail "stdout not empty"
    run "$SCANNER" --git missing-dir
    expect_rc 2
    expect_err 'missing-dir'
}

t_json_and_sarif_reports() {
    newrepo r
    git remote add origin "https://ci:$GLPAT@git.example.test/team/app.git"
    printf 'GITHUB_TOKEN=%s\n' "$TOKEN" >.env
    commit "secret"
    local added
    added=$(sha HEAD)
    git rm -q .env
    commit "drop"
    run "$SCANNER" --git . --format json
    expect_rc 1
    cat >check.py <<'EOF'
import json, sys
r = json.load(sys.stdin)
t = r["targets"][0]
assert t["type"] == "git" and t["repository"] == "https://git.example.test/team/app.git", t
assert len(t["revision"]) == 40 and t["branch"] == "main", t
g = r["findings"][0]["git"]
assert g["commit"] == sys.argv[1] and g["author"] == "Ada Dev <ada@example.test>", g
assert g["subject"] == "secret" and g["at_head"] is False and g["commits"] == 1, g
assert len(g["removed_in"]) == 40, g
EOF
    python3 check.py "$added" <"$TMP/.out" || fail "JSON report: wrong git fields"
    run "$SCANNER" --git . --format sarif
    expect_rc 1
    echo "$OUT" >r.sarif
    expect_valid_sarif r.sarif
    cat >check.py <<'EOF'
import json, sys
run = json.load(sys.stdin)["runs"][0]
vcp = run["versionControlProvenance"][0]
assert vcp["repositoryUri"] == "https://git.example.test/team/app.git", vcp
assert len(vcp["revisionId"]) == 40 and vcp["branch"] == "main", vcp
p = run["results"][0]["properties"]
assert p["commit"] == sys.argv[1] and p["atHead"] is False and p["commits"] == 1, p
EOF
    python3 check.py "$added" <r.sarif || fail "SARIF: wrong provenance"
    expect_nowhere "$TOKEN" r.sarif
    expect_nowhere "$GLPAT" r.sarif
}

t_baseline_and_allow_comment() {
    newrepo r
    printf 'GITHUB_TOKEN=%s\n' "$TOKEN" >.env
    printf 'k=%s # secrets:allow\n' "$AWS" >fixture.txt
    commit "secrets"
    run "$SCANNER" --git . --write-baseline base.json
    expect_rc 1
    expect_no_out 'fixture\.txt'
    expect_file base.json
    run "$SCANNER" --git . --baseline base.json
    expect_rc 0
    expect_out 'no findings'
    expect_nowhere "$TOKEN" base.json
}

t_ignore_lists() {
    newrepo r
    printf 'GITHUB_TOKEN=%s\n' "$TOKEN" >a.env
    printf 'k=%s\n' "$AWS" >b.txt
    printf 'GITLAB=%s\n' "$GLPAT" >c.env
    commit "three secrets"
    local c
    c=$(sha HEAD)
    # Ours by rule id (abbreviated commit); gitleaks' fingerprint with its own rule id.
    printf '# accepted\n%s:a.env:secret.github-pat\n' "${c:0:10}" >.scanner-gitignore
    printf '%s:b.txt:aws-access-token:1\n' "$c" >.gitleaksignore
    run "$SCANNER" --git .
    expect_rc 1
    expect_no_out 'a\.env'
    expect_no_out 'b\.txt'
    expect_out '^c\.env:1:8:'
    expect_err '2 findings ignored'
    # A list the repository brings may not point elsewhere.
    mv .gitleaksignore ../elsewhere
    ln -s ../elsewhere .gitleaksignore
    run "$SCANNER" --git .
    expect_rc 2
    expect_err '\.gitleaksignore'
    rm .gitleaksignore
    printf 'just-one-field\n' >bad.ignore
    run "$SCANNER" --git . --ignore-file bad.ignore
    expect_rc 2
    expect_err 'bad\.ignore:1: expected COMMIT:PATH:RULE'
}

t_staged_and_unstaged() {
    newrepo r
    printf 'GITHUB_TOKEN=%s\n' "$TOKEN" >committed.env
    commit "old"
    run "$SCANNER" --git . --staged
    expect_rc 0
    expect_out 'no findings'
    printf 'k=%s\n' "$AWS" >staged.txt
    git add staged.txt
    printf 'GITLAB=%s\n' "$GLPAT" >untracked.env
    run "$SCANNER" --git . --staged
    expect_rc 1
    expect_out '^staged\.txt:1:3: critical: .*staged, not committed'
    expect_no_out 'committed\.env|untracked\.env'
    run "$SCANNER" --git . --unstaged
    expect_rc 1
    expect_out '^untracked\.env:1:8: .*unstaged, in the working tree'
    expect_no_out 'staged\.txt'
    run "$SCANNER" --git . --staged --since 2020-01-01
    expect_rc 2
}

t_submodule_listed() {
    newrepo lib
    cd .. || exit 1
    newrepo app
    git -c protocol.file.allow=always submodule -q add "file://$TMP/lib" vendor/lib
    commit "add lib"
    run "$SCANNER" --git .
    expect_rc 0
    expect_err 'submodule vendor/lib skipped'
}

t_ranges_since_and_max() {
    newrepo r
    printf 'k=%s\n' "$AWS" >one.txt
    GIT_AUTHOR_DATE=2021-01-01T00:00:00Z GIT_COMMITTER_DATE=2021-01-01T00:00:00Z commit "2021"
    local first
    first=$(sha HEAD)
    printf 'GITHUB_TOKEN=%s\n' "$TOKEN" >two.env
    GIT_AUTHOR_DATE=2023-01-01T00:00:00Z GIT_COMMITTER_DATE=2023-01-01T00:00:00Z commit "2023"
    run "$SCANNER" --git . --since-commit "$first"
    expect_rc 1
    expect_out 'two\.env'
    expect_no_out 'one\.txt'
    run "$SCANNER" --git . "$first..HEAD"
    expect_out 'two\.env'
    expect_no_out 'one\.txt'
    run "$SCANNER" --git . --since 2022-06-01
    expect_out 'two\.env'
    expect_no_out 'one\.txt'
    run "$SCANNER" --git . --max-commits 1
    expect_err ' 1 commit, '
    expect_no_out 'one\.txt'
    run "$SCANNER" --git . --since yesterday
    expect_rc 2
    expect_err 'not a date'
    run "$SCANNER" --git . no-such..HEAD
    expect_rc 2
    expect_err 'no-such\.\.HEAD'
}

t_hostile_names_and_subjects() {
    newrepo r
    printf 'GITHUB_TOKEN=%s\n' "$TOKEN" >"$(printf 'evil\033[2Jname.env')"
    git add -A
    git commit -q -m "$(printf 'subject \033]0;pwned\007 with %s' "$GLPAT")"
    run "$SCANNER" --git .
    expect_rc 1
    expect_out 'evil\?\[2Jname\.env:1:14:'
    expect_out 'subject withheld: it holds a secret'
    grep -q "$(printf '\033')" "$TMP/.out" && fail "an escape sequence from the repository reached stdout"
    expect_nowhere "$GLPAT"
    expect_nowhere "$TOKEN"
}

t_deep_tree_is_an_error_not_a_crash() {
    newrepo r
    local d
    d=$(printf 'd/%.0s' $(seq 1 300))
    mkdir -p "$d"
    printf 'GITHUB_TOKEN=%s\n' "$TOKEN" >"${d}x.env"
    commit "deep"
    run "$SCANNER" --git .
    expect_rc 2
    expect_err 'trees nested deeper than 256'
    [ -z "$OUT" ] || fail "a report was printed"
}

t_subdirectory_and_git_dir() {
    newrepo r
    mkdir -p src
    printf 'GITHUB_TOKEN=%s\n' "$TOKEN" >src/.env
    commit "secret"
    # As git does: a directory inside a work tree, or the .git directory, is that repository.
    run "$SCANNER" --git src
    expect_rc 1
    expect_out '^src/\.env:1:14:'
    run "$SCANNER" --git .git
    expect_rc 1
    expect_out '^src/\.env:1:14:'
}

t_pre_commit_hook_runs_staged() {
    grep -A8 'id: scanner-git-staged' "$ROOT/.pre-commit-hooks.yaml" | grep -q 'entry: scanner --git --staged' ||
        fail ".pre-commit-hooks.yaml lacks the scanner --git --staged hook"
}

e2e_main
