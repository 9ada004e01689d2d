#!/usr/bin/env bash
# Builds the libFuzzer targets with clang and runs each for a short while (default 20 s each).
#   scripts/fuzz.sh [SECONDS]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
secs="${1:-20}"
dir="$FD_ROOT/build-fuzz"
command -v clang++ >/dev/null || die "clang is needed for the fuzzers (scripts/packages.txt lists it)"
if [ ! -f "$dir/build.ninja" ]; then
  CC=clang CXX=clang++ cmake -S "$FD_ROOT" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DFRONTDESK_BUILD_FUZZERS=ON -DFRONTDESK_BUILD_TESTS=OFF >/dev/null
fi
cmake --build "$dir" -j 2 --target fuzzers
for f in "$dir"/fuzz/fuzz_*; do
  name=$(basename "$f")
  corpus="$dir/corpus/$name"
  mkdir -p "$corpus"
  say "fuzzing $name for $secs s"
  "$f" -max_total_time="$secs" -max_len=4096 -print_final_stats=0 "$corpus" 2>"$dir/$name.log" ||
    { tail -40 "$dir/$name.log" >&2; die "$name found a failure (see $dir/$name.log)"; }
done
say "fuzzers ran clean"
