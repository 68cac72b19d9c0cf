#!/usr/bin/env bash
# `make demo`: runs the suite's main jobs on the realistic examples beside this script and shows
# what a new user sees. Every step runs the real programs; a step whose exit status is 1 means
# "findings", which is the point of the examples.
set -u
BUILD=${1:-build}
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
SECRETS=$BUILD/secrets
SCANNER=$BUILD/scanner
WORK=$(mktemp -d /tmp/secrets-demo.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

step() {
    printf '\n\033[1m$ %s\033[0m\n' "$*"
    "$@"
    printf '(exit status %d)\n' "$?"
}
has_cmd() { "$SECRETS" --help 2>/dev/null | grep -q "^  $1 "; }
has_target() { "$SCANNER" --help 2>/dev/null | grep -q -- "--$1 "; }

echo "== Random secrets"
step "$SECRETS" generate --length 32
step "$SECRETS" generate --length 24 --charset base64url --count 3 --verbose

if has_cmd validate; then
    echo
    echo "== Checking a .env file before it ships"
    step "$SECRETS" validate --env-file "$HERE/.env"
fi
if has_target dockerfile; then
    echo
    echo "== Scanning a Dockerfile"
    step "$SCANNER" --dockerfile "$HERE/Dockerfile"
fi
if has_target compose; then
    echo
    echo "== Checking a Compose file before anything runs"
    step "$SCANNER" --compose "$HERE/docker-compose.yml"
fi
if has_target path; then
    echo
    echo "== Looking for leaked credentials in a source tree, with a SARIF report"
    step "$SCANNER" --path "$HERE" --report "$WORK/security-report.sarif"
    echo "report written: $(wc -c <"$WORK/security-report.sarif") bytes of SARIF"
fi
if has_cmd init; then
    echo
    echo "== A vault round trip (key-file unlock; a passphrase works too)"
    export SECRETS_VAULT=$WORK/vault/team.sv SECRETS_NO_KEYRING=1
    step "$SECRETS" init --no-passphrase --key-file "$WORK/vault.key"
    export SECRETS_KEY_FILE=$WORK/vault.key
    printf 'pg-%s' "$("$SECRETS" generate --length 20 2>/dev/null)" >"$WORK/value"
    step "$SECRETS" set prod/db/password --from-file "$WORK/value" --tag prod --rotate-after 90
    step "$SECRETS" set prod/api/token --generate --length 40 --charset base64url
    step "$SECRETS" rotate prod/api/token
    step "$SECRETS" list
    step "$SECRETS" history prod/api/token
    echo
    echo "== Handing secrets to containers without ENV: Docker secret files and exports"
    (cd "$WORK" && step "$SECRETS" create-file --name db-password --from-vault prod/db/password)
    ls -l "$WORK/secrets"
    step "$SECRETS" export --format k8s --name app-secrets prod/api/token
fi
if has_target image; then
    echo
    echo "== Scanning an image archive, every layer (built offline with umoci + skopeo)"
    if "$ROOT/tests/fixtures/image/build.sh" "$WORK/img" >/dev/null 2>&1; then
        step "$SCANNER" --image "$WORK/img/image.docker.tar"
    else
        echo "(umoci/skopeo missing: run make deps)"
    fi
fi
exit 0
