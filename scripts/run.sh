#!/usr/bin/env bash
# Sets up, builds and opens Docsight with its offline defaults; the first run imports the sample
# documents in resources/samples into a fresh library.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build build --target docsight docsight-cli
exec ./build/app/docsight "$@"
