#!/usr/bin/env bash
# Installs what Docsight needs to build, test and run on Debian 12 (run as root; a no-op when present).
set -euo pipefail
packages=(
  build-essential cmake ninja-build pkg-config
  clang libclang-rt-14-dev
  qt6-base-dev qt6-base-dev-tools libqt6sql6-sqlite qt6-qpa-plugins libgl-dev qt6-image-formats-plugins
  qt6-svg-dev libqt6svg6
  libpoppler-qt6-dev poppler-utils
  libtesseract-dev libleptonica-dev tesseract-ocr tesseract-ocr-eng tesseract-ocr-osd
  libhnswlib-dev libcurl4-openssl-dev qtkeychain-qt6-dev libquazip1-qt6-dev
  dbus dbus-x11 gnome-keyring libsecret-tools
  file dpkg-dev python3
  lintian desktop-file-utils appstream
  xvfb xauth
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "Installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
