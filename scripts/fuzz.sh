#!/usr/bin/env bash
# Runs every fuzz target of a build (fuzz_* under BUILD_DIR/fuzz) for SECONDS each with
# libFuzzer, several at a time, seeded with fuzz/seeds/<name> and the project's own data
# files. Fails when a target crashes, a sanitizer reports or a property breaks; the input
# that did it is kept under BUILD_DIR/fuzz-artifacts/ and the end of the log is shown.
# Usage: scripts/fuzz.sh [BUILD_DIR] [SECONDS]   (FUZZ_JOBS: targets run at once, default nproc)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-build-sanitize}" && pwd)
seconds=${2:-60}
jobs=${FUZZ_JOBS:-$(nproc)}
mkdir -p "$build/fuzz-corpus" "$build/fuzz-artifacts" "$build/fuzz-logs"

# Read-only seed folders of a target, beside fuzz/seeds/<name>.
seeds() {
  local dirs=("$root/fuzz/seeds/$1")
  case $1 in
    csv) dirs+=("$root/data/lexicon" "$root/data/demo/mimic") ;;
    toml_config) dirs+=("$root/examples") ;;
  esac
  for dir in "${dirs[@]}"; do [ -d "$dir" ] && echo "$dir"; done
}

run_one() {
  local name=$1 log="$build/fuzz-logs/$1.log"
  mkdir -p "$build/fuzz-corpus/$name"
  # shellcheck disable=SC2046
  if "$build/fuzz/fuzz_$name" -max_total_time="$seconds" -timeout=20 -rss_limit_mb=2048 -max_len=16384 \
       -print_final_stats=1 -artifact_prefix="$build/fuzz-artifacts/$name-" \
       "$build/fuzz-corpus/$name" $(seeds "$name") >"$log" 2>&1; then
    echo "fuzz $name: $(grep -m1 -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$') runs in ${seconds} s, nothing found"
  else
    echo "fuzz $name: FAILED (log $log, inputs in $build/fuzz-artifacts/)"
    tail -n 40 "$log"
    return 1
  fi
}

targets=()
for program in "$build"/fuzz/fuzz_*; do
  [ -x "$program" ] && targets+=("$(basename "$program" | sed 's/^fuzz_//')")
done
[ ${#targets[@]} -gt 0 ] || { echo "error: no fuzz targets in $build/fuzz (configure with -DCXRVQA_BUILD_FUZZ=ON)" >&2; exit 1; }

status=0
pids=()
for name in "${targets[@]}"; do
  run_one "$name" &
  pids+=($!)
  if [ ${#pids[@]} -ge "$jobs" ]; then
    wait "${pids[0]}" || status=1
    pids=("${pids[@]:1}")
  fi
done
for pid in "${pids[@]}"; do wait "$pid" || status=1; done
exit $status
