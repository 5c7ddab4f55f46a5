#!/usr/bin/env bash
# Runs the whole test suite headless: offscreen Qt, a private D-Bus session with an unlocked
# gnome-keyring (for the keychain tests), and private XDG folders so no test reads or writes the
# user's own settings, data or keyrings. Usage: scripts/test.sh [BUILD_DIR] [ctest args...]
set -euo pipefail
build=$(realpath "${1:-build}")
shift || true
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
export QT_QPA_PLATFORM=offscreen
export XDG_DATA_HOME="$scratch/data" XDG_CONFIG_HOME="$scratch/config" XDG_CACHE_HOME="$scratch/cache"
export XDG_RUNTIME_DIR="$scratch/runtime"
mkdir -p "$XDG_DATA_HOME" "$XDG_CONFIG_HOME" "$XDG_CACHE_HOME" "$XDG_RUNTIME_DIR"
chmod 700 "$XDG_RUNTIME_DIR"
dbus-run-session -- bash -c '
  # An empty password unlocks (and on first use creates) the login keyring; the daemon lives as
  # long as this D-Bus session.
  printf "" | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1 || true
  ctest --test-dir "$0" --output-on-failure --timeout 900 -j2 "$@"
' "$build" "$@"
