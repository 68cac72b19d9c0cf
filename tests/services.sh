# Starts and stops the real services the tests use; sourced by tests/run.sh.
# - A Secret Service keyring (gnome-keyring-daemon) on the private session bus run.sh made, with a
#   throwaway HOME so no real keyring is touched.
# Each service exports what tests need to find it and is skipped (with a note) when its program
# is missing; the tests that need it then fail, never pass silently.

SERVICES_DIR=""

services_start() {
    SERVICES_DIR=$(mktemp -d /tmp/suite-services.XXXXXX)
    export SUITE_SERVICES_DIR=$SERVICES_DIR
    export REAL_HOME=${HOME:-/root}
    export HOME=$SERVICES_DIR/home
    mkdir -p "$HOME"
    chmod 700 "$HOME"
    if [ -n "${DBUS_SESSION_BUS_ADDRESS:-}" ] && command -v gnome-keyring-daemon >/dev/null 2>&1; then
        # --unlock reads the new keyring's password on stdin and creates the login collection.
        eval "$(printf 'test-keyring-password' |
            gnome-keyring-daemon --unlock --components=secrets 2>/dev/null)"
        export SUITE_KEYRING=1
        echo "services: keyring daemon on the test session bus"
    else
        echo "services: no session bus or gnome-keyring-daemon; keyring tests will fail"
    fi
}

services_stop() {
    # Only our daemon: the one whose HOME is this run's throwaway home (other runs may be going).
    local pid
    for pid in $(pgrep -f 'gnome-keyring-daemon' 2>/dev/null); do
        if tr '\0' '\n' <"/proc/$pid/environ" 2>/dev/null | grep -qxF "HOME=$HOME"; then
            kill "$pid" 2>/dev/null
        fi
    done
    [ -n "$SERVICES_DIR" ] && rm -rf "$SERVICES_DIR"
}
