# Starts and stops the real services the tests use; sourced by tests/run.sh.
# - A Secret Service keyring (gnome-keyring-daemon) on the private session bus run.sh made, with a
#   throwaway HOME so no real keyring is touched.
# - A Docker-compatible engine: Podman's Engine API service on a private socket, with private
#   storage (vfs) under the services dir. Exports DOCKER_HOST=unix://... and SUITE_PODMAN (the
#   podman command line that shares the service's storage).
# Each service exports what tests need to find it and is skipped (with a note) when its program
# is missing; the tests that need it then fail, never pass silently.

SERVICES_DIR=""
KEYRING_PID=""
PODMAN_PID=""

# True when org.freedesktop.secrets has an owner on the session bus.
services_secrets_on_bus() {
    dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
        org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null |
        grep -q 'boolean true'
}

keyring_start() {
    local i
    # --foreground keeps the daemon our child, so we stop it by its pid and nobody else's.
    # --unlock reads the new login keyring's password on stdin (printf: no newline in it).
    printf 'test-keyring-password' |
        gnome-keyring-daemon --foreground --unlock --components=secrets \
            >"$SERVICES_DIR/keyring.env" 2>"$SERVICES_DIR/keyring.log" &
    KEYRING_PID=$!
    export SUITE_KEYRING_PID=$KEYRING_PID
    # Wait for it to own the Secret Service name; a call before that would make D-Bus activate a
    # second daemon.
    for i in $(seq 100); do
        services_secrets_on_bus && break
        sleep 0.05
    done
    if ! services_secrets_on_bus; then
        echo "services: gnome-keyring-daemon did not register on the bus; keyring tests will fail"
        sed 's/^/services:   /' "$SERVICES_DIR/keyring.log"
        return 1
    fi
    # Prove the keyring works before any test relies on it: store, look up, clear.
    if printf 'probe' | timeout 10 secret-tool store --label=probe suite-probe 1 2>/dev/null &&
        [ "$(timeout 10 secret-tool lookup suite-probe 1 2>/dev/null)" = probe ] &&
        timeout 10 secret-tool clear suite-probe 1 2>/dev/null; then
        export SUITE_KEYRING=1
        echo "services: keyring daemon (pid $KEYRING_PID) on the test session bus, unlocked"
    else
        echo "services: keyring daemon started but store/lookup failed; keyring tests will fail"
        sed 's/^/services:   /' "$SERVICES_DIR/keyring.log"
        return 1
    fi
}

services_start() {
    SERVICES_DIR=$(mktemp -d /tmp/suite-services.XXXXXX)
    export SUITE_SERVICES_DIR=$SERVICES_DIR
    export REAL_HOME=${HOME:-/root}
    export HOME=$SERVICES_DIR/home
    export XDG_DATA_HOME=$HOME/.local/share XDG_CONFIG_HOME=$HOME/.config XDG_CACHE_HOME=$HOME/.cache
    mkdir -p "$HOME" "$XDG_DATA_HOME"
    chmod 700 "$HOME"
    if [ -z "${DBUS_SESSION_BUS_ADDRESS:-}" ]; then
        echo "services: no session bus; keyring tests will fail"
    elif ! command -v gnome-keyring-daemon >/dev/null 2>&1 || ! command -v secret-tool >/dev/null 2>&1; then
        echo "services: gnome-keyring-daemon or secret-tool missing; keyring tests will fail"
    else
        keyring_start
    fi
    podman_start
}

podman_start() {
    local d=$SERVICES_DIR/podman i
    if ! command -v podman >/dev/null 2>&1; then
        echo "services: no podman; engine tests will fail"
        return
    fi
    mkdir -p "$d/tmp"
    export SUITE_PODMAN="podman --root $d/root --runroot $d/runroot --tmpdir $d/tmp --storage-driver vfs --events-backend none"
    $SUITE_PODMAN system service --time=0 "unix://$d/engine.sock" >"$d/log" 2>&1 &
    PODMAN_PID=$!
    for i in $(seq 100); do
        [ -S "$d/engine.sock" ] && break
        sleep 0.1
    done
    if [ -S "$d/engine.sock" ]; then
        export DOCKER_HOST=unix://$d/engine.sock
        echo "services: podman engine API at $d/engine.sock"
    else
        echo "services: podman service did not start ($(tail -1 "$d/log")); engine tests will fail"
    fi
}

podman_stop() {
    [ -n "$PODMAN_PID" ] || return 0
    kill "$PODMAN_PID" 2>/dev/null
    wait "$PODMAN_PID" 2>/dev/null
    PODMAN_PID=""
}

services_stop() {
    podman_stop
    if [ -n "$KEYRING_PID" ]; then
        kill "$KEYRING_PID" 2>/dev/null
        wait "$KEYRING_PID" 2>/dev/null
    fi
    [ -n "$SERVICES_DIR" ] && rm -rf "$SERVICES_DIR"
}
