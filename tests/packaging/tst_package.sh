#!/usr/bin/env bash
# Builds the .deb from this build folder, unpacks it into a scratch root and checks what a Debian system and a
# software centre look at: lintian (no errors), the desktop entry, the AppStream metadata, the man pages, the
# copyright file and changelog, and that the packaged binaries start.
# usage: tst_package.sh BUILD_DIR
set -euo pipefail
build=$(cd "$1" && pwd)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

cpack --config "$build/CPackConfig.cmake" -G DEB -B "$scratch/out" >"$scratch/cpack.log" 2>&1 \
  || { cat "$scratch/cpack.log" >&2; fail "cpack could not build the package"; }
deb=$(ls "$scratch"/out/docsight_*.deb)
echo "package: $(basename "$deb")"

root="$scratch/root"
dpkg-deb -x "$deb" "$root"

for f in usr/bin/docsight usr/bin/docsight-cli usr/share/applications/docsight.desktop \
         usr/share/icons/hicolor/scalable/apps/docsight.svg usr/share/metainfo/org.docsight.Docsight.metainfo.xml \
         usr/share/doc/docsight/copyright usr/share/doc/docsight/changelog.gz \
         usr/share/man/man1/docsight.1.gz usr/share/man/man1/docsight-cli.1.gz usr/share/docsight/samples/R-intro.pdf; do
  [[ -e "$root/$f" ]] || fail "the package lacks /$f"
done

desktop-file-validate "$root/usr/share/applications/docsight.desktop" || fail "desktop entry does not validate"
appstreamcli validate --no-net "$root/usr/share/metainfo/org.docsight.Docsight.metainfo.xml" \
  || fail "AppStream metadata does not validate"

for page in docsight docsight-cli; do
  warnings=$(LC_ALL=C.UTF-8 MANROFFSEQ='' MANWIDTH=80 man --warnings -E UTF-8 -l "$root/usr/share/man/man1/$page.1.gz" 2>&1 >/dev/null)
  [[ -z "$warnings" ]] || fail "man page $page.1 has warnings: $warnings"
done

gzip -t "$root/usr/share/doc/docsight/changelog.gz" || fail "changelog.gz is not a valid gzip file"
zcat "$root/usr/share/doc/docsight/changelog.gz" >"$scratch/changelog"
dpkg-parsechangelog -l "$scratch/changelog" -S Version | grep -qx "$(dpkg-deb -f "$deb" Version)" \
  || fail "the changelog's latest version is not the package's"

# The binaries in the package start and find their libraries (stripped, installed layout).
"$root/usr/bin/docsight-cli" --version | grep -q '^docsight-cli ' || fail "packaged docsight-cli does not start"
QT_QPA_PLATFORM=offscreen "$root/usr/bin/docsight" --version | grep -qi docsight || fail "packaged docsight does not start"

lintian --fail-on error --tag-display-limit 0 "$deb" 2>&1 | grep -v 'running with root privileges' | tee "$scratch/lintian.log" || true
if grep -q '^E: ' "$scratch/lintian.log"; then fail "lintian reports errors"; fi
echo "PASS: package checks"
