#!/usr/bin/env bash
# End-to-end tests of the files users copy into their projects: the pre-commit hooks (run by the
# real `pre-commit` on a scratch repository) and the GitHub Actions and GitLab CI examples (parsed
# as YAML, their scan commands run as written).
. "$(dirname "$0")/lib.sh"

export GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@example.invalid GIT_COMMITTER_NAME=t \
    GIT_COMMITTER_EMAIL=t@example.invalid GIT_CONFIG_NOSYSTEM=1 SECRETS_NO_KEYRING=1
TOKEN=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

# A repository with our .pre-commit-hooks.yaml (pre-commit clones hook repositories by rev).
make_hooks_repo() {
    mkdir hooks
    cp "$ROOT/.pre-commit-hooks.yaml" hooks/
    git -C hooks init -q . && git -C hooks add .pre-commit-hooks.yaml &&
        git -C hooks commit -qm hooks
}

make_project() {
    mkdir project
    cd project || return 1
    git init -q .
    cat >.pre-commit-config.yaml <<EOF2
repos:
  - repo: $TMP/hooks
    rev: $(git -C "$TMP/hooks" rev-parse HEAD)
    hooks:
      - id: secrets-validate
      - id: scanner-dockerfile
      - id: scanner-secrets
EOF2
    printf 'FROM alpine:3.19@sha256:%064d\nUSER app\nHEALTHCHECK CMD true\n' 0 >Dockerfile
    printf 'print("hello")\n' >app.py
    git add -A && git commit -qm clean
}

t_pre_commit_hooks_pass_clean_and_stop_leaks() {
    command -v pre-commit >/dev/null || {
        fail "pre-commit missing (make deps)"
        return
    }
    export PATH=$BUILD:$PATH PRE_COMMIT_HOME=$TMP/pre-commit-home
    make_hooks_repo
    make_project || return
    # Clean staged files: every hook passes (or has no file to check).
    printf 'print("still clean")\n' >>app.py
    git add app.py
    run pre-commit run
    expect_rc 0
    expect_out 'scanner --path \(secrets in staged files\)\.+Passed'
    # A staged token: the staged-file hook fails, and says where, never what.
    printf 'GITHUB_TOKEN = "%s"\n' "$TOKEN" >>app.py
    git add app.py
    run pre-commit run
    expect_rc 1
    expect_out 'scanner --path \(secrets in staged files\)\.+Failed'
    expect_out 'app\.py:3:[0-9]+: critical: \[secret\.github-pat\]'
    expect_nowhere "$TOKEN"
    git reset -q app.py && git checkout -q app.py
    # A Dockerfile with a secret in ENV and a weak .env.
    printf 'FROM alpine:3.19\nENV DB_PASSWORD=Sup3rS3cretDbPassw0rd\n' >Dockerfile
    printf 'DB_PASSWORD=changeme\n' >.env
    git add Dockerfile .env
    run pre-commit run
    expect_rc 1
    expect_out 'scanner --dockerfile\.+Failed'
    expect_out '\[DF004\]'
    expect_out 'secrets validate \(\.env files\)\.+Failed'
    expect_out '\[ENV100\] DB_PASSWORD'
    expect_nowhere Sup3rS3cretDbPassw0rd
    expect_nowhere changeme
}

# ci_commands FILE KIND: the scan commands of a CI example, one per line (GitHub: the `run` of
# steps whose name starts with "Scan"; GitLab: every job's `script`), and the env they set.
ci_commands() {
    python3 - "$1" "$2" <<'PY'
import sys, yaml
doc = yaml.safe_load(open(sys.argv[1]))
if sys.argv[2] == "github":
    steps = [s for j in doc["jobs"].values() for s in j["steps"]]
    assert any("upload-sarif" in s.get("uses", "") for s in steps), "no SARIF upload step"
    for s in steps:
        if s.get("name", "").startswith("Scan"):
            env = " ".join("%s=%s" % kv for kv in s.get("env", {}).items())
            print(("env " + env + " " if env else "") + s["run"].strip())
else:
    for name, job in doc.items():
        if isinstance(job, dict) and "script" in job:
            env = " ".join("%s=%s" % kv for kv in job.get("variables", {}).items())
            for line in job["script"]:
                print(("env " + env + " " if env else "") + line)
PY
}

make_ci_repo() {
    git init -q .
    printf 'FROM alpine:3.19\nUSER app\nENV API_TOKEN=%s\n' "$TOKEN" >Dockerfile
    printf 'LOG=info\n' >settings.env
    git add -A && git commit -qm ci
}

t_github_actions_example_scans_and_writes_valid_sarif() {
    export PATH=$BUILD:$PATH
    make_ci_repo
    cmds=$(ci_commands "$ROOT/contrib/ci/github-actions.yml" github) || {
        fail "github-actions.yml does not parse"
        return
    }
    [ -n "$cmds" ] || fail "no scan step found"
    while IFS= read -r c; do
        bash -c "$c" >out.txt 2>err.txt
        rc=$?
        [ "$rc" -eq 0 ] || fail "'$c' exited $rc: $(head -c 300 err.txt)"
    done <<<"$cmds"
    expect_file scanner.sarif
    expect_valid_sarif scanner.sarif
    grep -q "\"ruleId\":[[:space:]]*\"DF003\"" scanner.sarif || fail "SARIF lacks the ENV secret"
    expect_nowhere "$TOKEN" scanner.sarif out.txt err.txt
}

t_gitlab_ci_example_writes_its_reports() {
    export PATH=$BUILD:$PATH
    make_ci_repo
    cmds=$(ci_commands "$ROOT/contrib/ci/gitlab-ci.yml" gitlab) || {
        fail "gitlab-ci.yml does not parse"
        return
    }
    [ -n "$cmds" ] || fail "no script found"
    while IFS= read -r c; do
        bash -c "$c" >out.txt 2>err.txt
        rc=$?
        [ "$rc" -eq 1 ] || fail "'$c' exited $rc, expected 1 (findings): $(head -c 300 err.txt)"
    done <<<"$cmds"
    python3 - <<'PY' || fail "the GitLab example's reports are wrong"
import json, yaml, xml.etree.ElementTree as ET
doc = yaml.safe_load(open(__import__("os").environ["ROOT"] + "/contrib/ci/gitlab-ci.yml"))
reports = doc["security-scan"]["artifacts"]["reports"]
d = json.load(open(reports["secret_detection"]))
assert d["scan"]["type"] == "secret_detection" and d["scan"]["status"] == "success"
assert any(i["value"] == "DF003" for v in d["vulnerabilities"] for i in v["identifiers"])
root = ET.parse(reports["junit"]).getroot()
assert root.tag == "testsuites" and int(root.get("failures")) >= 1
PY
    expect_nowhere "$TOKEN" gl-secret-detection-report.json scanner-junit.xml err.txt
}

e2e_main
