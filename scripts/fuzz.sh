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
# libFuzzer runs one process on one core: FRONTDESK_FUZZ_JOBS targets run side by side (default
# 2, the CI machine's cores), each for its full time, so the same fuzzing takes half the wall time.
jobs="${FRONTDESK_FUZZ_JOBS:-2}"
rm -f "$dir"/fuzz_*.failed
export dir secs
# shellcheck disable=SC2016
printf '%s\n' "$dir"/fuzz/fuzz_* | xargs -P "$jobs" -I{} bash -c '
  f={}; name=$(basename "$f"); mkdir -p "$dir/corpus/$name"
  printf "\033[1m==> fuzzing %s for %s s\033[0m\n" "$name" "$secs" >&2
  "$f" -max_total_time="$secs" -max_len=4096 -print_final_stats=0 "$dir/corpus/$name" \
    2>"$dir/$name.log" || touch "$dir/$name.failed"' || true
failed=()
for m in "$dir"/fuzz_*.failed; do
  [ -e "$m" ] || continue
  name=$(basename "$m" .failed)
  failed+=("$name")
  tail -40 "$dir/$name.log" >&2
  say "$name found a failure (see $dir/$name.log)"
done
[ "${#failed[@]}" -eq 0 ] || die "${#failed[@]} fuzz target(s) failed: ${failed[*]}"
say "fuzzers ran clean"
