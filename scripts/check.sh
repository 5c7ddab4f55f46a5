#!/usr/bin/env bash
# The whole test suite, as CI runs it: install dependencies, build, run every test headless, then
# write the desktop's screenshots, build the loader, page-layout and chunker tests with AddressSanitizer+UBSan and run them on the corpus,
# then run each libFuzzer harness briefly.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
# The core folders form the graph docs/ARCHITECTURE.md draws; an include against it fails here.
python3 scripts/check-layers.py
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build build
./scripts/test.sh build
# The main window in light and dark palettes at 1x and 2x, as PNGs under build/screenshots (not in the repo).
./scripts/screenshots.sh build

if [[ "${DOCSIGHT_SKIP_SANITIZERS:-0}" != 1 ]]; then
  cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DDOCSIGHT_SANITIZE=ON -DDOCSIGHT_BUILD_BENCHMARKS=OFF
  sanitized=(tst_pdfloader tst_textlayout tst_chunker tst_ocr tst_docxloader tst_textloader)
  cmake --build build-asan --target docsight-cli "${sanitized[@]}"
  # Tesseract/OpenMP keep some allocations for the process lifetime; leaks are not what this run checks.
  ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ./scripts/test.sh build-asan -R "^($(IFS='|'; echo "${sanitized[*]}"))\$"
  # Every libFuzzer harness for 20 s (clang, into build-fuzz/); fails on any crash it finds.
  ./scripts/fuzz.sh 20
fi
