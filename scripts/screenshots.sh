#!/usr/bin/env bash
# Screenshots of the main window under Xvfb, in a light and a dark palette at 1x and 2x (a 1280x800 screen, so
# 2x is a 2560x1600 screen of 1280x800 logical pixels), over a library holding the samples and, when the shared
# corpus is beside the checkout, three real filings with long names. PNGs go to BUILD_DIR/screenshots (out of
# the repository); look at them after a change to the desktop.
# usage: scripts/screenshots.sh [BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
build=$(realpath "${1:-build}")
out="$build/screenshots"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
export XDG_DATA_HOME="$scratch/data" XDG_CONFIG_HOME="$scratch/config" XDG_CACHE_HOME="$scratch/cache"
export XDG_RUNTIME_DIR="$scratch/runtime"
mkdir -p "$XDG_DATA_HOME" "$XDG_CONFIG_HOME" "$XDG_CACHE_HOME" "$XDG_RUNTIME_DIR" "$out"
chmod 700 "$XDG_RUNTIME_DIR"

library="$scratch/library"
inputs=(resources/samples/R-intro.pdf resources/samples/phototest.tif resources/samples/par-known-paragraphs.docx
        resources/samples/shared-mime-info-spec.pdf)
shopt -s nullglob
filings=(../shared/corpus/filings/*.pdf)
inputs+=("${filings[@]:0:3}")
QT_QPA_PLATFORM=offscreen "$build/app/docsight-cli" --library "$library" import "${inputs[@]}" >"$scratch/import.log" 2>&1 \
  || { cat "$scratch/import.log" >&2; echo "screenshots: import failed" >&2; exit 1; }

status=0
for theme in light dark; do
  for scale in 1 2; do
    width=$((1280 * scale)) height=$((800 * scale))
    dbus-run-session -- xvfb-run -a -s "-screen 0 ${width}x${height}x24 -nolisten tcp" \
      env QT_QPA_PLATFORM=xcb QT_SCALE_FACTOR="$scale" QT_LOGGING_RULES="*.debug=false;qt.qpa.*=false" \
      "$build/tests/screenshots/docsight-screenshots" --library "$library" --out "$out" --prefix "$theme-${scale}x" \
      --theme "$theme" || status=1
  done
done
echo "screenshots in $out"
exit $status
