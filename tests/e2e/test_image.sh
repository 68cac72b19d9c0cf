#!/usr/bin/env bash
# End-to-end tests of `scanner --image`: one image built here with umoci + skopeo (several
# layers, planted problems, fresh secret values) read as docker-archive, Docker 25 archive,
# oci-archive, OCI layout and by name through the real Podman Engine API service; hostile
# archives; engine errors.
. "$(dirname "$0")/lib.sh"

IMGFX=$(mktemp -d /tmp/e2e-image.XXXXXX)
trap 'rm -rf "$IMGFX"' EXIT
if ! "$ROOT/tests/fixtures/image/build.sh" "$IMGFX" >"$IMGFX/build.log" 2>&1; then
    echo "image fixtures failed to build:"
    tail -20 "$IMGFX/build.log"
    exit 1
fi
. "$IMGFX/secrets.sh"

# The finding lines of a text report, without what differs by format (nothing should).
findings_of() {
    grep -E '\[(IMG|secret)' "$TMP/.out" | sort
}

t_docker_archive_reports_every_planted_problem() {
    run "$SCANNER" --image "$IMGFX/image.docker.tar"
    expect_rc 1
    # the AWS key added in layer 1 and deleted in layer 2: both layers named, with the history
    expect_out 'layer 1 \(sha256:[0-9a-f]{12}\):app/config.yml:2:[0-9]+: critical: \[IMG020\] \[secret\.[a-z0-9.-]+\]'
    expect_out 'IMG020.*added in layer 1 \([0-9a-f]{12}\) by `COPY \. /app # buildkit`, deleted in layer 2'
    expect_out 'layer 1 .*root/\.ssh/id_rsa: critical: \[IMG012\]'
    expect_out 'layer 1 .*app/\.env:2:[0-9]+: critical: \[IMG013\] .*DB_PASSWORD'
    expect_out 'layer 1 .*root/\.docker/config\.json: critical: \[IMG011\]'
    expect_out 'layer 1 .*usr/local/bin/helper: high: \[IMG016\] setuid'
    expect_no_out 'usr/bin/passwd'
    expect_out 'layer 1 .*srv/shared: medium: \[IMG017\]'
    expect_out 'layer 1 .*app/\.git: medium: \[IMG015\]'
    expect_out 'config\.Env\[0\]: critical: \[IMG00[23]\] ENV DB_PASSWORD'
    expect_out 'config\.Env\[1\]: critical: \[IMG00[23]\] ENV AWS_SECRET_ACCESS_KEY'
    expect_out 'config\.User: critical: \[IMG001\]'
    expect_out 'config\.ExposedPorts: high: \[IMG006\] exposes 22/tcp'
    expect_out 'config\.Healthcheck: medium: \[IMG005\]'
    expect_out 'config\.Labels: critical: \[IMG008\]'
    expect_out 'layer 2 .*history\[3\]\.created_by: critical: \[IMG004\] .*NPM_TOKEN'
    expect_out 'etc/shadow:2:1: critical: \[IMG018\] account .toor.'
    expect_out 'etc/passwd:2:1: high: \[IMG019\]'
    expect_out 'etc/os-release: medium: \[IMG010\] .*stretch'
    expect_out 'created: medium: \[IMG009\]'
    expect_out 'layer 0 .*opt/base/notes\.txt.*\[base image layer\]'
    # the ENV value is reported once, not again from its history entry
    [ "$(grep -c 'ENV DB_PASSWORD' "$TMP/.out")" -eq 1 ] || fail "ENV DB_PASSWORD reported twice"
    for s in "$AWS_ID" "$AWS_SECRET" "$BASE_AWS_ID" "$DB_PASSWORD" "$ENV_DB_PASSWORD" "$NPM_TOKEN" \
        "$LABEL_TOKEN" "$KEY_LINE"; do
        expect_nowhere "$s"
    done
}

t_json_and_sarif_carry_layers_and_no_secret() {
    run "$SCANNER" --image "$IMGFX/image.oci.tar" --format json
    expect_rc 1
    expect_out '"layer":[[:space:]]*"sha256:[0-9a-f]{64}"'
    expect_out '"layer_index":[[:space:]]*2'
    cp "$TMP/.out" "$TMP/r.json"
    run "$SCANNER" --image "$IMGFX/image.oci.tar" --report "$TMP/r.sarif"
    expect_rc 1
    expect_file "$TMP/r.sarif"
    grep -q 'sha256:[0-9a-f]\{64\}' "$TMP/r.sarif" || fail "SARIF lacks the layer digest"
    for s in "$AWS_ID" "$AWS_SECRET" "$DB_PASSWORD" "$ENV_DB_PASSWORD" "$NPM_TOKEN" "$LABEL_TOKEN"; do
        expect_nowhere "$s" "$TMP/r.sarif" "$TMP/r.json"
    done
}

t_every_format_gives_the_same_findings() {
    local ref
    run "$SCANNER" --image "$IMGFX/image.docker.tar"
    ref=$(findings_of)
    [ "$(echo "$ref" | wc -l)" -ge 15 ] || fail "too few findings: $ref"
    for x in image.docker25.tar image.oci.tar oci "oci:$IMGFX/oci"; do
        case $x in oci:*) run "$SCANNER" --image "$x" ;; *) run "$SCANNER" --image "$IMGFX/$x" ;; esac
        expect_rc 1
        [ "$(findings_of)" = "$ref" ] || fail "$x differs: $(diff <(echo "$ref") <(findings_of) | head -5)"
    done
}

t_engine_by_name_through_podman() {
    [ -n "${SUITE_PODMAN:-}" ] && [ -n "${DOCKER_HOST:-}" ] || { fail "no podman service"; return; }
    local ref
    run "$SCANNER" --image "$IMGFX/image.docker.tar"
    ref=$(findings_of)
    $SUITE_PODMAN load -q -i "$IMGFX/image.docker.tar" >/dev/null 2>&1 || fail "podman load failed"
    run "$SCANNER" --image demo/app:v1
    expect_rc 1
    [ "$(findings_of)" = "$ref" ] || fail "engine differs: $(diff <(echo "$ref") <(findings_of) | head -5)"
    expect_nowhere "$AWS_ID"
    run "$SCANNER" --image no/such-image:v0
    expect_rc 2
    expect_err "no/such-image:v0.*not found.*--image FILE.tar"
}

t_engine_missing_socket_is_an_error() {
    DOCKER_HOST=unix://$TMP/none.sock run "$SCANNER" --image demo/app:v1
    expect_rc 2
    expect_err "$TMP/none.sock"
    expect_err -- '--image FILE\.tar'
    DOCKER_HOST=tcp://127.0.0.1:2375 run "$SCANNER" --image demo/app:v1
    expect_rc 2
    expect_err 'only unix://'
    : >"$TMP/plain"
    DOCKER_HOST=unix://$TMP/plain run "$SCANNER" --image demo/app:v1
    expect_rc 2
    expect_err 'not a socket'
}

t_engine_permission_denied() {
    [ -n "${DOCKER_HOST:-}" ] || { fail "no podman service"; return; }
    command -v setpriv >/dev/null || { fail "setpriv missing"; return; }
    [ "$(id -u)" = 0 ] || { echo "    (not root: the socket is already ours)"; return; }
    cp "$SCANNER" "$TMP/scanner" && chmod 755 "$TMP" "$TMP/scanner"
    run setpriv --reuid=65534 --regid=65534 --clear-groups env DOCKER_HOST="$DOCKER_HOST" \
        "$TMP/scanner" --image demo/app:v1
    expect_rc 2
    expect_err 'permission denied'
    expect_err "${DOCKER_HOST#unix://}"
}

t_skip_base_hides_base_layers_only() {
    run "$SCANNER" --image "$IMGFX/image.docker.tar" --skip-base
    expect_rc 1
    expect_no_out 'opt/base/notes\.txt'
    expect_no_out 'etc/shadow'
    expect_no_out 'base image layer'
    expect_out 'IMG020'
    expect_out 'root/\.ssh/id_rsa'
}

t_platform_picks_from_an_index() {
    run "$SCANNER" --image "$IMGFX/multi" --platform linux/amd64
    expect_rc 1
    expect_out 'IMG020'
    run "$SCANNER" --image "$IMGFX/multi" --platform linux/arm64/v8
    expect_no_out 'IMG020'
    run "$SCANNER" --image "$IMGFX/multi" --platform linux/s390x
    expect_rc 2
    expect_err 'no image for platform linux/s390x.*linux/arm64, linux/amd64'
}

t_hostile_archives_fail_clearly() {
    local h
    for h in truncated corrupt notimage escape bomb; do
        run "$SCANNER" --image "$IMGFX/hostile/$h.tar"
        expect_rc 2
    done
    run "$SCANNER" --image "$IMGFX/hostile/truncated.tar"
    expect_err 'truncated or corrupt'
    run "$SCANNER" --image "$IMGFX/hostile/corrupt.tar"
    expect_err 'corrupt|Damaged'
    run "$SCANNER" --image "$IMGFX/hostile/escape.tar"
    expect_err "escapes the image root"
    [ ! -e /etc/evil ] || fail "/etc/evil exists"
    run "$SCANNER" --image "$IMGFX/hostile/bomb.tar"
    expect_err 'decompression bomb'
    run "$SCANNER" --image "$IMGFX/hostile/notimage.tar"
    expect_err 'not a tar archive'
    run "$SCANNER" --image "$TMP/missing.tar"
    expect_rc 2
    expect_err 'missing.tar'
}

t_symlinked_blob_in_a_layout_is_refused() {
    cp -r "$IMGFX/oci" "$TMP/lay"
    local b
    b=$(ls -S "$TMP"/lay/blobs/sha256/* | head -1)
    rm "$b"
    ln -s /etc/passwd "$b"
    run "$SCANNER" --image "$TMP/lay"
    expect_rc 2
    expect_err 'symlink'
}

e2e_main
