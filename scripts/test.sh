#!/usr/bin/env bash
# Runs the whole test suite headless: offscreen Qt, a private D-Bus session with an unlocked
# gnome-keyring (for the keychain tests). Usage: scripts/test.sh [BUILD_DIR] [ctest args...]
set -euo pipefail
build=${1:-build}
shift || true
export QT_QPA_PLATFORM=offscreen
exec dbus-run-session -- bash -c '
  # An empty password unlocks a fresh login keyring; the daemon lives as long as this session.
  printf "" | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1 || true
  ctest --test-dir "$0" --output-on-failure --timeout 900 -j2 "$@"
' "$build" "$@"
