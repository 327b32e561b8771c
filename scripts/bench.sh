#!/usr/bin/env bash
# Prints the project's speed and memory figures: the Google Benchmark programs under
# build/bench, then the whole pipeline on a synthetic MIMIC-scale corpus (peak memory from
# GNU time), `cxrvqa score` on the 1,000,000 predictions score_bench wrote (one core) and on
# the pipeline's questions. Usage: scripts/bench.sh [BUILD_DIR] [STUDIES]
set -euo pipefail
build=${1:-build}
studies=${2:-227835}
export BENCH_DIR=${BENCH_DIR:-$build/bench-data}
work=$BENCH_DIR
mkdir -p "$work"

for program in "$build"/bench/*_bench; do
  [ -x "$program" ] || continue
  echo "== $(basename "$program")"
  "$program" --benchmark_counters_tabular=true
done

echo "== one 10 MB report through cxrvqa extract (time must grow linearly with length)"
mkdir -p "$work"
long="$work/long_report.csv"
if [ ! -f "$long" ]; then
  {
    echo "study_id,text"
    awk 'BEGIN {
      s = "Small left pleural effusion and no pneumothorax, possible right lower lobe pneumonia. " \
          "Heart size normal and resolved edema; partially resolved consolidation."
      printf "1,\""
      for (n = 0; n < 10485760; n += length(s) + 1) printf "%s ", s
      print "\""
    }'
  } > "$long"
fi
long_timer=()
[ -x /usr/bin/time ] && long_timer=(/usr/bin/time -f "extract, one 10 MB report: %e s wall, %U s user, %S s system, peak memory %M KB")
"${long_timer[@]}" "$build/cxrvqa" -q extract --corpus csv --reports "$long" --out "$work/long_report.jsonl" \
  --no-progress

# `cxrvqa score` as a user runs it, pinned to one core, on score_bench's files.
scored="$work/cxrvqa-score-bench"
if [ -f "$scored/questions.csv" ]; then
  pin=()
  command -v taskset >/dev/null && pin=(taskset -c 0)
  for predictions in predictions.jsonl predictions.csv; do
    echo "== score: 1,000,000 predictions ($predictions), whole process, one core"
    timer=()
    [ -x /usr/bin/time ] && timer=(/usr/bin/time -f "score: %e s wall, %U s user, %S s system, peak memory %M KB")
    "${timer[@]}" "${pin[@]}" "$build/cxrvqa" score --gold "$scored/questions.csv" --pred "$scored/$predictions" \
      > "$work/score-1m.txt"
    head -n 1 "$work/score-1m.txt"
  done
fi

echo "== pipeline on a synthetic corpus of $studies studies"
if [ ! -f "$work/corpus/mimic_all.csv" ]; then
  "$build/cxrvqa" synth --studies "$studies" --out "$work/corpus" --seed 1
fi
# BENCH_PIPELINE_RUNS runs (default 3), each from an empty output folder; the last one's
# outputs feed the steps below.
pipeline_runs=${BENCH_PIPELINE_RUNS:-3}
timer=()
[ -x /usr/bin/time ] && timer=(/usr/bin/time -f "pipeline: %e s wall, %U s user, peak memory %M KB")
for _ in $(seq "$pipeline_runs"); do
  rm -rf "$work/out"
  "${timer[@]}" "$build/cxrvqa" pipeline --corpus mimic --reports "$work/corpus" \
    --metadata "$work/corpus/mimic_all.csv" --out-dir "$work/out" --seed 1
done

# `standardize` and `questions` as users run them, one thread on one core, on the pipeline's
# own stage outputs: records per second of the whole process (reading, work and writing).
# Each runs BENCH_RUNS times (default 5): the best run is the machine's quiet figure, the
# median what a shared machine gives most of the time; both are printed.
runs=${BENCH_RUNS:-5}
whole_process() {  # NAME RECORDS COMMAND...
  local name=$1 records=$2 start end walls=()
  shift 2
  for _ in $(seq "$runs"); do
    start=$(date +%s.%N)
    if ! "$@" >/dev/null 2>"$work/$name.err"; then
      cat "$work/$name.err" >&2
      return 1
    fi
    end=$(date +%s.%N)
    walls+=("$(awk -v s="$start" -v e="$end" 'BEGIN { printf "%.3f", e - s }')")
  done
  printf '%s\n' "${walls[@]}" | sort -n | awk -v n="$name" -v r="$records" -v runs="$runs" '
    { wall[NR] = $1 }
    END {
      best = wall[1]; median = (NR % 2) ? wall[(NR + 1) / 2] : (wall[NR / 2] + wall[NR / 2 + 1]) / 2
      printf "%s: %d records, best of %d runs %.2f s wall = %.0f records/s, median %.2f s = %.0f records/s (one thread, whole process)\n",
             n, r, runs, best, r / best, median, r / median
    }'
}
pin=()
command -v taskset >/dev/null && pin=(taskset -c 0)
echo "== standardize and questions, whole process, one thread"
records=$(wc -l < "$work/out/keyinfo_raw.jsonl")
whole_process "standardize" "$records" "${pin[@]}" "$build/cxrvqa" -q standardize --threads 1 \
  --in "$work/out/keyinfo_raw.jsonl" --out "$work/standardized.jsonl" --rejects "$work/standardize-rejects.jsonl"
records=$(wc -l < "$work/out/keyinfo.jsonl")
whole_process "questions" "$records" "${pin[@]}" "$build/cxrvqa" -q questions --threads 1 --seed 1 \
  --keyinfo "$work/out/keyinfo.jsonl" --metadata "$work/corpus/mimic_all.csv" \
  --libraries "$work/out/libraries" --out "$work/questions-1thread.csv"

echo "== score: the pipeline's questions against themselves (whole process)"
timer=()
[ -x /usr/bin/time ] && timer=(/usr/bin/time -f "score: %e s wall, %U s user, peak memory %M KB")
"${timer[@]}" "$build/cxrvqa" score --gold "$work/out/questions.csv" --pred "$work/out/questions.csv" \
  > "$work/score.txt"
head -n 1 "$work/score.txt"
