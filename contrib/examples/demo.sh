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
    echo "== A vault round trip (key file unlock)"
    export SECRETS_VAULT=$WORK/vault/demo.vault
    "$SECRETS" generate --length 32 --no-newline >"$WORK/key" 2>/dev/null
    head -c 32 /dev/urandom >"$WORK/vault.key"
    chmod 600 "$WORK/vault.key"
    export SECRETS_KEY_FILE=$WORK/vault.key
    step "$SECRETS" init --kdf interactive
    printf 's3cr3t-demo-value-%s' "$RANDOM" | step "$SECRETS" set db-password
    step "$SECRETS" rotate db-password
    step "$SECRETS" list
    step "$SECRETS" history db-password
fi
if has_target image && [ -x "$HERE/build-demo-image.sh" ]; then
    echo
    echo "== Scanning an image archive, every layer"
    "$HERE/build-demo-image.sh" "$WORK/image.tar" >/dev/null 2>&1 &&
        step "$SCANNER" --image "$WORK/image.tar"
fi
exit 0
