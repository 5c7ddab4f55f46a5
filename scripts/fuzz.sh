#!/usr/bin/env bash
# Builds the libFuzzer harnesses of tests/fuzz with clang (ASan + UBSan), seeds each from the shared
# corpus, tests/fuzz/seeds and tests/fuzz/regressions, and runs each for SECONDS. Exits non-zero if
# any harness found a crash, leak, timeout or broken promise; the input is kept in
# BUILD_DIR/artifacts/<harness>/ (copy it to tests/fuzz/regressions/<harness>/ once fixed).
# Usage: scripts/fuzz.sh [SECONDS_PER_HARNESS=600] [BUILD_DIR=build-fuzz] [HARNESS...]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-600}
build=${2:-build-fuzz}
shift 2 || shift $# # the rest, if any, names the harnesses to run
[[ $build = /* ]] || build=$root/$build
corpus=$(realpath -m "$root/../shared/corpus")
harnesses=(pdfloader docxloader textloader imageloader sseparser piiredactor ftsquery)
(($#)) && harnesses=("$@")

launcher=()
if command -v ccache >/dev/null; then
  launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
fi
# -O1 with line tables: what libFuzzer's documentation suggests, and half the compile time of -O2 -g.
CC=clang CXX=clang++ cmake -S "$root" -B "$build" -G Ninja -DDOCSIGHT_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -gline-tables-only -DNDEBUG" "${launcher[@]}" >/dev/null
cmake --build "$build" -j2 --target "${harnesses[@]/#/fuzz_}"

# Seeds: copies, so the fuzzer may add what it finds to them without touching the corpus.
add_seeds() { # harness max-bytes file...
  local dir=$build/seeds/$1 max=$2
  shift 2
  mkdir -p "$dir"
  local f
  for f in "$@"; do
    [[ -f $f ]] && (($(stat -c %s "$f") <= max)) && cp -f "$f" "$dir/"
  done
  return 0
}
[[ -d $corpus ]] || echo "note: no shared corpus at $corpus; seeding from tests/fuzz only" >&2
for h in "${harnesses[@]}"; do
  add_seeds "$h" 2097152 "$root"/tests/fuzz/seeds/"$h"/* "$root"/tests/fuzz/regressions/"$h"/*
done
# Born-digital, malformed and encrypted PDFs; the scanned ones (OCR at every run) are left out.
add_seeds pdfloader 1048576 "$corpus"/pdf/*.pdf "$corpus"/malformed/*.pdf "$corpus"/encrypted/*.pdf
add_seeds docxloader 1048576 "$corpus"/docx/*.docx
add_seeds textloader 65536 "$corpus"/scans/*.txt "$root"/README.md "$root"/docs/*.md
add_seeds imageloader 262144 "$corpus"/scans/*.tif "$corpus"/scans/*.png
add_seeds piiredactor 65536 "$corpus"/scans/*.txt
add_seeds ftsquery 4096 "$corpus"/scans/phototest.txt "$corpus"/scans/eurotext.txt

# Tesseract, OpenMP and fontconfig keep caches for the process lifetime (lsan.supp); everything
# else must be freed after each input.
export LSAN_OPTIONS=suppressions=$root/tests/fuzz/lsan.supp:print_suppressions=0
export ASAN_OPTIONS=abort_on_error=0:detect_leaks=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export QT_QPA_PLATFORM=offscreen OMP_THREAD_LIMIT=1

failed=()
for h in "${harnesses[@]}"; do
  artifacts=$build/artifacts/$h
  mkdir -p "$artifacts" "$build/found/$h"
  log=$build/artifacts/$h.log
  echo "== fuzz_$h for ${seconds}s (log: $log)"
  # New inputs go to found/, so the seed folders stay what this script put there.
  if "$build/tests/fuzz/fuzz_$h" -max_total_time="$seconds" -rss_limit_mb=4096 -timeout=30 -print_final_stats=1 \
      -artifact_prefix="$artifacts/" "$build/found/$h" "$build/seeds/$h" >"$log" 2>&1; then
    grep -E '^stat::number_of_executed_units|^Done' "$log" | tr '\n' ' ' || true
    echo
  else
    failed+=("$h")
    grep -E 'ERROR|fuzz check failed|SUMMARY|Test unit written' "$log" | head -n 8 || true
  fi
done

if ((${#failed[@]})); then
  echo "fuzzing found problems in: ${failed[*]} (inputs under $build/artifacts/)" >&2
  exit 1
fi
echo "no crashes in ${#harnesses[@]} harness(es), ${seconds}s each"
