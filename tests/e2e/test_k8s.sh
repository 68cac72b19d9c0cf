#!/usr/bin/env bash
# End-to-end tests of `scanner --k8s`: the manifests of tests/fixtures/k8s (one per workload kind,
# a hardened Deployment, a file that breaks every container rule), manifests written here with
# fresh fake secrets, directories (recursive, symlinks, hidden folders, `..`), and hostile input
# (alias bomb, deep nesting, a 50 MB file, binary, truncated, a symlink loop).
. "$(dirname "$0")/lib.sh"

K8FX=$FIXTURES/k8s
# Fresh fake credentials per run: nothing to match by a hard-coded value.
FAKE_KEY=AKIA$(head -c 4096 /dev/urandom | tr -dc 'A-Z2-7' | head -c 16)
FAKE_PASS=pw-$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' | head -c 20)

# hardened_with SED-EXPR: the hardened Deployment with one edit, written to ./m.yaml.
hardened_with() {
    sed "$1" "$K8FX/hardened.yaml" >m.yaml
}

# count RULE: how many findings of RULE the last JSON report (in $TMP/.out) has.
count() {
    grep -Eo "\"rule\":[[:space:]]*\"$1\"" "$TMP/.out" | wc -l
}

t_each_kind_is_read() {
    local f kind line
    for f in pod deployment statefulset daemonset replicaset replicationcontroller job cronjob list; do
        run "$SCANNER" --k8s "$K8FX/kinds/$f.yaml"
        expect_rc 1
        # The privileged line, and the object named in the message.
        line=$(grep -n 'privileged: true' "$K8FX/kinds/$f.yaml" | cut -d: -f1)
        expect_out "kinds/$f.yaml:$line:[0-9]+: critical: \[RT001\]"
        case $f in
        list) kind=Pod/listed ;;
        pod) kind=Pod/p ;;
        *) kind=$(sed -n 's/^kind: //p' "$K8FX/kinds/$f.yaml")/$f ;;
        esac
        expect_out "\[RT001\] $kind container"
    done
}

t_hardened_is_clean() {
    run "$SCANNER" --k8s "$K8FX/hardened.yaml" --min-severity info
    expect_rc 0
    expect_out "no findings"
}

t_risky_reports_every_rule() {
    local r
    run "$SCANNER" --k8s "$K8FX/risky.yaml" -f json
    expect_rc 1
    for r in RT001 RT002 RT003 RT004 RT005 RT006 RT007 RT008 RT009 RT012 RT013 RT014 RT016 \
        RT017 RT018 RT019 RT020 RT022 RT023 RT026 RT030 RT034 RT035 RT038 K8S001 K8S002; do
        [ "$(count $r)" -gt 0 ] || fail "$r not reported on risky.yaml"
    done
    # Three engine sockets (containerd, CRI-O, Podman) and / (above the Docker socket).
    [ "$(count RT002)" -eq 4 ] || fail "RT002: $(count RT002) findings, expected 4"
    # The `${API_TOKEN}` template, the empty value and the username are not committed secrets.
    [ "$(count K8S001)" -eq 2 ] || fail "K8S001: $(count K8S001) findings, expected 2"
    expect_no_out '"message": *"[^"]*stringData.template'
    # Aliases ride along.
    expect_out 'CKV_K8S_16'
    expect_out 'KSV017'
    expect_out 'PSS-baseline'
}

# Each rule both ways: the hardened Deployment (clean) with one setting changed.
t_rules_one_setting_each() {
    local cases=(
        "RT001|s/allowPrivilegeEscalation: false/allowPrivilegeEscalation: false\n            privileged: true/"
        "RT022|s/allowPrivilegeEscalation: false/allowPrivilegeEscalation: true/"
        "RT022|/allowPrivilegeEscalation: false/d"
        "RT003|s/runAsUser: 10001/runAsUser: 0/"
        "RT033|/runAsNonRoot: true/d;/runAsUser: 10001/d"
        "RT033|s/runAsNonRoot: true/runAsNonRoot: false/;/runAsUser: 10001/d"
        "RT006|s/drop: \[\"ALL\"\]/drop: [\"ALL\"]\n              add: [\"SYS_ADMIN\"]/"
        "RT017|s/drop: \[\"ALL\"\]/drop: [\"NET_RAW\"]/"
        "RT018|s/readOnlyRootFilesystem: true/readOnlyRootFilesystem: false/"
        "RT019|/memory: 256Mi/d"
        "RT020|/cpu: 500m/d"
        "RT023|/livenessProbe:/d;/httpGet:/d"
        "RT034|s|image: .*|image: nginx:latest|"
        "RT034|s|image: .*|image: nginx|"
        "RT035|s|image: .*|image: registry.example.test/team/api:2.4.1|"
        "RT036|/seccompProfile:/,+1d"
        "RT012|0,/type: RuntimeDefault/s//type: Unconfined/"
        "RT013|/appArmorProfile:/,+1s/RuntimeDefault/Unconfined/"
        "RT037|/appArmorProfile:/,+1d"
        "RT038|s/automountServiceAccountToken: false/automountServiceAccountToken: true/"
        "RT038|/automountServiceAccountToken: false/d"
        "RT007|s/automountServiceAccountToken: false/automountServiceAccountToken: false\n      hostNetwork: true/"
        "RT008|s/automountServiceAccountToken: false/automountServiceAccountToken: false\n      hostPID: true/"
        "RT009|s/automountServiceAccountToken: false/automountServiceAccountToken: false\n      hostIPC: yes/"
        "RT005|s|emptyDir: {}|hostPath: {path: /etc}|"
        "RT002|s|emptyDir: {}|hostPath: {path: /var/run/docker.sock}|"
        "RT039|s|emptyDir: {}|hostPath: {path: /srv/cache}|"
        "RT014|s/- containerPort: 8443/- containerPort: 6379\n              hostPort: 6379/"
        "RT031|s/- containerPort: 8443/- containerPort: 8443\n              hostPort: 8443/"
        "RT016|s/readOnlyRootFilesystem: true/readOnlyRootFilesystem: true\n            procMount: Unmasked/"
        "RT026|s|readOnly: true|mountPropagation: Bidirectional|"
        "RT004|s/value: info/value: \"$FAKE_KEY\"/"
    )
    # Rules that come with another by nature (a hostPath of / is also sensitive, a port both).
    local -A also=([RT002]="RT005" [RT014]="RT031|RT030" [RT031]="RT014" [RT001]="RT022" [RT034]="RT035"
        [RT033]="RT003")
    local c rule expr n others
    for c in "${cases[@]}"; do
        rule=${c%%|*}
        expr=${c#*|}
        hardened_with "$expr"
        run "$SCANNER" --k8s m.yaml -f json --min-severity info
        n=$(count "$rule")
        [ "$n" -ge 1 ] || fail "$rule not reported after '$expr'"
        # Nothing else fires: every other finding would be a false alarm on the hardened file.
        others=$(grep -Eo '"rule":[[:space:]]*"[A-Z0-9]*"' "$TMP/.out" | grep -Eo '[A-Z]+[0-9]+' |
            grep -v "^$rule\$" | grep -Ev "^(${also[$rule]:-none})\$" | sort -u | tr '\n' ' ')
        [ -z "$others" ] || fail "after '$expr': also $others"
        expect_nowhere "$FAKE_KEY"
    done
}

t_env_secrets_literal_not_references() {
    cat >m.yaml <<YAML
apiVersion: v1
kind: Pod
metadata: {name: envs}
spec:
  containers:
    - name: app
      image: example.test/app:1
      env:
        - name: CLOUD_KEY
          value: $FAKE_KEY
        - name: DB_PASSWORD
          value: "$FAKE_PASS"
        - name: API_TOKEN
          valueFrom:
            secretKeyRef: {name: api, key: token}
        - name: SMTP_PASSWORD
          value: "\${SMTP_PASSWORD}"
YAML
    run "$SCANNER" --k8s m.yaml -f json
    expect_rc 1
    [ "$(count RT004)" -eq 2 ] || fail "RT004: $(count RT004) findings, expected 2 (CLOUD_KEY, DB_PASSWORD)"
    expect_out 'CLOUD_KEY'
    expect_no_out 'API_TOKEN'
    expect_no_out 'SMTP_PASSWORD'
    expect_nowhere "$FAKE_KEY"
    expect_nowhere "$FAKE_PASS"
    # With --show-secrets the user asked for them.
    run "$SCANNER" --k8s m.yaml --show-secrets
    expect_out "$FAKE_PASS"
}

t_secret_objects_redacted_everywhere() {
    local b64key b64pass
    b64key=$(printf '%s' "$FAKE_KEY" | base64 -w0)
    b64pass=$(printf '%s' "$FAKE_PASS" | base64 -w0)
    cat >s.yaml <<YAML
apiVersion: v1
kind: Secret
metadata: {name: cloud}
type: Opaque
data:
  key-id: $b64key
  password: $b64pass
  broken: "%%%not base64"
stringData:
  plain: "$FAKE_PASS"
  later: \${FROM_CI}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings}
data:
  app.env: |
    REGION=eu-west-1
    ACCESS=$FAKE_KEY
  MODE: fast
YAML
    run "$SCANNER" --k8s s.yaml -f sarif
    cp "$TMP/.out" r.sarif
    run "$SCANNER" --k8s s.yaml -f json
    expect_rc 1
    [ "$(count K8S001)" -eq 4 ] || fail "K8S001: $(count K8S001), expected 4"
    [ "$(count K8S002)" -eq 1 ] || fail "K8S002: $(count K8S002), expected 1"
    # The decoded AWS key id is recognised: critical, at the key's line.
    grep -Eq '"severity":[[:space:]]*"critical"' "$TMP/.out" || fail "the AWS key id in data is not critical"
    expect_out 'data.key-id'
    expect_out 'not valid base64'
    for v in "$FAKE_KEY" "$FAKE_PASS" "$b64key" "$b64pass"; do
        expect_nowhere "$v" r.sarif
    done
    expect_valid_sarif r.sarif
    run "$SCANNER" --k8s s.yaml
    expect_out "s.yaml:6:3: critical: \[K8S001\] Secret/cloud: data.key-id"
    for v in "$FAKE_KEY" "$FAKE_PASS" "$b64key" "$b64pass"; do
        expect_nowhere "$v"
    done
}

t_secret_types_tls_and_registry() {
    local cfg
    openssl req -x509 -newkey rsa:2048 -nodes -keyout k.pem -out c.pem -days 1 -subj /CN=e2e \
        >/dev/null 2>&1 || {
        fail "openssl could not make a test certificate"
        return
    }
    cfg=$(printf '{"auths":{"registry.example.test":{"auth":"%s"}}}' \
        "$(printf 'robot:%s' "$FAKE_PASS" | base64 -w0)")
    cat >t.yaml <<YAML
apiVersion: v1
kind: Secret
metadata: {name: web-tls}
type: kubernetes.io/tls
data:
  tls.crt: $(base64 -w0 c.pem)
  tls.key: $(base64 -w0 k.pem)
---
apiVersion: v1
kind: Secret
metadata: {name: pull}
type: kubernetes.io/dockerconfigjson
data:
  .dockerconfigjson: $(printf '%s' "$cfg" | base64 -w0)
YAML
    run "$SCANNER" --k8s t.yaml
    expect_rc 1
    # The certificate is public; the key and the registry credentials are not.
    expect_no_out 'tls.crt'
    expect_out 't.yaml:7:3: (high|critical): \[K8S001\] Secret/web-tls: data.tls.key'
    expect_out 't.yaml:14:3: critical: \[K8S001\] Secret/pull: data..dockerconfigjson .*\[secret.docker-config-auth\]'
    expect_nowhere "$FAKE_PASS"
    expect_nowhere "$(sed -n 2p k.pem)"
}

t_directory_recursive_sorted() {
    mkdir -p tree/a/b tree/.hidden tree/docs
    cp "$K8FX/kinds/pod.yaml" tree/a/b/pod.yml
    cp "$K8FX/kinds/job.yaml" tree/job.yaml
    cp "$K8FX/kinds/job.yaml" tree/.hidden/ignored.yaml
    printf 'name: CI\non: [push]\njobs:\n  build:\n    runs-on: ubuntu-latest\n' >tree/docs/workflow.yml
    printf 'privileged: true\n' >tree/notes.txt
    ln -s . tree/loop
    ln -s ../job.yaml tree/a/link.yaml
    run timeout 20 "$SCANNER" --k8s tree
    expect_rc 1
    expect_out 'tree/a/b/pod.yml:[0-9]+:[0-9]+: critical: \[RT001\]'
    expect_out 'tree/job.yaml:[0-9]+:[0-9]+: critical: \[RT001\]'
    expect_no_out 'hidden'
    expect_no_out 'link.yaml'
    expect_err 'tree/loop: symlink not followed'
    [ "$(grep -c '\[RT001\]' "$TMP/.out")" -eq 2 ] || fail "RT001 should be found twice"
    # `..` in the path is the user's to give.
    mkdir -p other
    run "$SCANNER" --k8s other/../tree/job.yaml
    expect_rc 1
    expect_out 'other/\.\./tree/job.yaml:[0-9]+:[0-9]+: critical: \[RT001\]'
    mkdir empty
    run "$SCANNER" --k8s empty
    expect_rc 0
    expect_err 'no \*.yaml or \*.yml file'
}

t_hostile_inputs_exit_2() {
    # An alias bomb: nine levels of ten aliases each.
    {
        echo 'a0: &a0 [x, x, x, x, x, x, x, x, x, x]'
        for i in 1 2 3 4 5 6 7 8; do
            p=$((i - 1))
            echo "a$i: &a$i [*a$p, *a$p, *a$p, *a$p, *a$p, *a$p, *a$p, *a$p, *a$p, *a$p]"
        done
        echo 'kind: Pod'
    } >bomb.yaml
    run timeout 20 "$SCANNER" --k8s bomb.yaml
    expect_rc 2
    expect_err 'bomb.yaml:[0-9]+:[0-9]+: .*alias'
    # Deep nesting.
    printf 'kind: Pod\nspec: %s\n' "$(printf '[%.0s' $(seq 1 200))" >deep.yaml
    run "$SCANNER" --k8s deep.yaml
    expect_rc 2
    expect_err 'deep.yaml:2:[0-9]+: YAML nested deeper'
    # 50 MB: refused before it is parsed, quickly.
    head -c $((50 * 1024 * 1024)) /dev/zero | tr '\0' 'a' >huge.yaml
    run timeout 20 "$SCANNER" --k8s huge.yaml
    expect_rc 2
    expect_err 'huge.yaml: larger than the limit'
    # Binary.
    head -c 4096 /dev/urandom >bin.yaml
    printf '\0' >>bin.yaml
    run "$SCANNER" --k8s bin.yaml
    expect_rc 2
    expect_err 'bin.yaml'
    # Truncated in the middle of a quoted string.
    head -c 200 "$K8FX/kinds/deployment.yaml" >cut.yaml
    printf '  image: "unterminated\n' >>cut.yaml
    run "$SCANNER" --k8s cut.yaml
    expect_rc 2
    expect_err 'cut.yaml:[0-9]+:[0-9]+: invalid YAML'
    # Findings stay in memory until the report: containers per scan are bounded.
    awk 'BEGIN { for (i = 0; i < 20001; i++) printf "---\nkind: Pod\nmetadata: {name: p%d}\nspec: {containers: [{name: a, image: x}]}\n", i }' >many.yaml
    run timeout 60 "$SCANNER" --k8s many.yaml -q
    expect_rc 2
    expect_err 'many.yaml:[0-9]+:[0-9]+: more than 20000 containers in one scan'
    # Missing.
    run "$SCANNER" --k8s nope.yaml
    expect_rc 2
    expect_err 'nope.yaml'
    # A directory with one bad file: the good one is still reported, the exit says error.
    mkdir d
    cp "$K8FX/kinds/pod.yaml" d/good.yaml
    cp cut.yaml d/bad.yaml
    run "$SCANNER" --k8s d
    expect_rc 2
    expect_out 'd/good.yaml:[0-9]+:[0-9]+: critical: \[RT001\]'
    expect_err 'd/bad.yaml:[0-9]+:[0-9]+: invalid YAML'
    expect_err '1 of 2 manifest files could not be scanned'
}

t_not_kubernetes_yaml_is_skipped() {
    printf 'name: CI\non: [push]\n---\n- just\n- a list\n---\nkind: Service\nmetadata: {name: x}\n' >w.yml
    run "$SCANNER" --k8s w.yml
    expect_rc 0
    expect_out 'no findings'
    # A kustomize patch with no pod template: a note, not an error.
    printf 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  replicas: 3\n' >p.yaml
    run "$SCANNER" --k8s p.yaml
    expect_rc 0
    expect_err 'p.yaml:1:1: Deployment/web has no pod template'
}

t_sarif_is_valid_with_lines_and_aliases() {
    run "$SCANNER" --k8s "$K8FX/kinds/pod.yaml" -f sarif
    expect_rc 1
    cp "$TMP/.out" out.sarif
    expect_valid_sarif out.sarif
    grep -Eq '"startLine":[[:space:]]*10' out.sarif || fail "SARIF lacks the RT001 line"
    grep -q 'CKV_K8S_16' out.sarif || fail "SARIF lacks the Checkov alias"
}

t_usage_lists_k8s() {
    run "$SCANNER" --help
    expect_out '--k8s PATH'
}

e2e_main
