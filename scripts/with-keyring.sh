#!/usr/bin/env bash
# Runs a command against a real, throwaway Secret Service so keychain tests (locally and in CI)
# exercise libsecret for real: a private D-Bus session (dbus-run-session), throwaway HOME and XDG
# folders, and gnome-keyring-daemon with a login keyring unlocked by a random password on stdin.
#
#   scripts/with-keyring.sh CMD [ARGS...]     exits with CMD's status
#
# Without dbus-run-session or gnome-keyring-daemon, CMD runs anyway and the keychain tests skip.
# When the keyring is verified to be on the bus, TWINFOLD_TEST_KEYRING=1 is exported so those tests
# fail instead of skipping if they still cannot reach it.
set -uo pipefail

say() { printf 'with-keyring: %s\n' "$*" >&2; }

if [ "${1-}" = "--inside-session" ]; then
  # Second half: we are now inside dbus-run-session, DBUS_SESSION_BUS_ADDRESS is set.
  shift
  root=$1
  shift

  # Keep npm's own config and cache (registry, nodedir) although HOME moves, so `npx` behaves as outside.
  npm_userconfig=${NPM_CONFIG_USERCONFIG:-$HOME/.npmrc}
  npm_cache=${npm_config_cache:-$HOME/.npm}
  [ -f "$npm_userconfig" ] && export NPM_CONFIG_USERCONFIG="$npm_userconfig"
  [ -d "$npm_cache" ] && export npm_config_cache="$npm_cache"

  # Throwaway locations: the keyring files land here and never in the real user's home.
  export HOME="$root/home" XDG_CONFIG_HOME="$root/config" XDG_DATA_HOME="$root/data" \
    XDG_CACHE_HOME="$root/cache" XDG_RUNTIME_DIR="$root/runtime"
  mkdir -m 0700 "$HOME" "$XDG_CONFIG_HOME" "$XDG_DATA_HOME" "$XDG_CACHE_HOME" "$XDG_RUNTIME_DIR"
  # Never talk to a keyring or agent of the surrounding desktop session.
  unset GNOME_KEYRING_CONTROL SSH_AUTH_SOCK DISPLAY WAYLAND_DISPLAY

  # --unlock reads the password from stdin and creates the login keyring unlocked; the daemon forks
  # and the foreground process returns, printing NAME=value lines (e.g. GNOME_KEYRING_CONTROL) to export.
  password=$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')
  if env_lines=$(printf '%s' "$password" | gnome-keyring-daemon --unlock --components=secrets 2>"$root/keyring.log"); then
    while IFS= read -r line; do
      case $line in [A-Z_]*=*) export "$line" ;; esac
    done <<<"$env_lines"
  else
    say "gnome-keyring-daemon failed to start; keychain tests will skip. Its log:"
    cat "$root/keyring.log" >&2
  fi
  unset password

  # The foreground process can return before the daemon has claimed its bus name; wait for the name
  # (gdbus waits on the bus's NameOwnerChanged signal; without gdbus, poll for at most 10 s).
  if command -v gdbus >/dev/null 2>&1; then
    gdbus wait --session --timeout 10 org.freedesktop.secrets 2>/dev/null
  else
    for _ in $(seq 100); do
      dbus-send --session --print-reply=literal --dest=org.freedesktop.DBus /org/freedesktop/DBus \
        org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null | grep -q true && break
      sleep 0.1
    done
  fi
  # Who owns org.freedesktop.secrets proves the service is up, and gives the pid to stop afterwards.
  keyring_pid=$(dbus-send --session --print-reply=literal --dest=org.freedesktop.DBus /org/freedesktop/DBus \
    org.freedesktop.DBus.GetConnectionUnixProcessID string:org.freedesktop.secrets 2>/dev/null | awk '{print $2}')
  if [ -n "$keyring_pid" ]; then
    export TWINFOLD_TEST_KEYRING=1
    say "Secret Service ready (gnome-keyring-daemon pid $keyring_pid, bus $DBUS_SESSION_BUS_ADDRESS)"
  else
    say "no Secret Service on the session bus; keychain tests will skip"
  fi

  "$@"
  status=$?

  # Stop the daemon we started and let it finish writing before its folder is deleted.
  if [ -n "$keyring_pid" ] && kill "$keyring_pid" 2>/dev/null; then
    for _ in $(seq 50); do
      kill -0 "$keyring_pid" 2>/dev/null || break
      sleep 0.1
    done
  fi
  exit "$status"
fi

if [ $# -eq 0 ]; then
  say "usage: scripts/with-keyring.sh CMD [ARGS...]"
  exit 2
fi

for tool in dbus-run-session dbus-daemon dbus-send gnome-keyring-daemon; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    say "$tool not found (Debian: apt-get install dbus gnome-keyring); running without a Secret Service, keychain tests will skip"
    exec "$@"
  fi
done

root=$(mktemp -d "${TMPDIR:-/tmp}/twinfold-keyring.XXXXXX") || exit 1
trap 'rm -rf "$root"' EXIT
dbus-run-session -- bash "${BASH_SOURCE[0]}" --inside-session "$root" "$@"
