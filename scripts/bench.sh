#!/usr/bin/env bash
# Prints the project's speed and memory figures: the Google Benchmark programs under
# build/bench, then the whole pipeline on a synthetic MIMIC-scale corpus (peak memory from
# GNU time). Usage: scripts/bench.sh [BUILD_DIR] [STUDIES]
set -euo pipefail
build=${1:-build}
studies=${2:-227835}
work=${BENCH_DIR:-$build/bench-data}

for program in "$build"/bench/*_bench; do
  [ -x "$program" ] || continue
  echo "== $(basename "$program")"
  "$program" --benchmark_counters_tabular=true
done

echo "== pipeline on a synthetic corpus of $studies studies"
if [ ! -f "$work/corpus/mimic_all.csv" ]; then
  "$build/cxrvqa" synth --studies "$studies" --out "$work/corpus" --seed 1
fi
rm -rf "$work/out"
timer=()
[ -x /usr/bin/time ] && timer=(/usr/bin/time -f "pipeline: %e s wall, %U s user, peak memory %M KB")
"${timer[@]}" "$build/cxrvqa" pipeline --corpus mimic --reports "$work/corpus" \
  --metadata "$work/corpus/mimic_all.csv" --out-dir "$work/out" --seed 1
