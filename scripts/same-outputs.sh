#!/usr/bin/env bash
# Checks that two builds of cxrvqa make the same datasets: runs the pipeline on the bundled
# demo corpus and on a 5,000-study synthetic corpus with each program, and compares every
# output byte for byte. The run's own record is compared without what must differ between two
# builds: manifest.json without build_id and timings, report.html with the build id blanked.
# Use it before and after a refactor that must not change behaviour.
# Usage: scripts/same-outputs.sh OLD_PROGRAM NEW_PROGRAM [WORK_DIR]
set -euo pipefail
old=$(realpath "$1")
new=$(realpath "$2")
work=${3:-$(mktemp -d)}
root=$(cd "$(dirname "$0")/.." && pwd)
demo="$root/data/demo/mimic"
mkdir -p "$work"

# The synthetic corpus each program writes is compared too; both pipelines read the old
# program's copy (the same paths and file times, so that input fingerprints agree). Each run
# happens in $work/run and its outputs are then moved to $work/TAG.
run_all() {  # PROGRAM TAG
  local bin=$1 tag=$2 run="$work/run"
  rm -rf "$run" "$work/$tag"
  "$bin" -q synth --studies 5000 --out "$run/synth-corpus" --seed 1 --threads 2 >/dev/null
  [ -d "$work/corpus" ] || cp -a "$run/synth-corpus" "$work/corpus"
  "$bin" -q pipeline --corpus mimic --reports "$demo" --metadata "$demo/mimic_all.csv" \
    --out-dir "$run/demo" --min-count 1 --seed 7 >/dev/null 2>&1
  "$bin" -q pipeline --corpus mimic --reports "$work/corpus" \
    --metadata "$work/corpus/mimic_all.csv" --out-dir "$run/synth" --seed 1 >/dev/null 2>&1
  mv "$run" "$work/$tag"
}

# manifest.json without what differs between two builds or two runs: the build id, timings,
# and the bytes and hash of report.html (which shows the build id).
normalised_manifest() {
  python3 -c '
import json, sys
m = json.load(open(sys.argv[1]))
m.pop("build_id", None)
m.pop("seconds", None)
for stage in m.get("stages", []):
    stage.pop("seconds", None)
    stage.get("outputs", {}).pop("report.html", None)
print(json.dumps(m, indent=1, sort_keys=True))
' "$1"
}

rm -rf "$work/corpus"
run_all "$old" old
run_all "$new" new
differences=0
while IFS= read -r -d '' file; do
  relative=${file#"$work/old/"}
  other="$work/new/$relative"
  case $relative in
    */.stages.json|*/.pipeline.lock) continue ;;
  esac
  if [ ! -f "$other" ]; then
    echo "only in the old program's output: $relative"; differences=$((differences + 1)); continue
  fi
  case $relative in
    */manifest.json)
      if ! diff -q <(normalised_manifest "$file") <(normalised_manifest "$other") >/dev/null; then
        echo "differs: $relative"; differences=$((differences + 1))
      fi ;;
    */report.html)
      old_id=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["build_id"])' "$(dirname "$file")/manifest.json")
      new_id=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["build_id"])' "$(dirname "$other")/manifest.json")
      if ! cmp -s <(sed "s/$old_id/BUILD/g" "$file") <(sed "s/$new_id/BUILD/g" "$other"); then
        echo "differs: $relative"; differences=$((differences + 1))
      fi ;;
    *)
      if ! cmp -s "$file" "$other"; then echo "differs: $relative"; differences=$((differences + 1)); fi ;;
  esac
done < <(find "$work/old" -type f -print0 | sort -z)
while IFS= read -r -d '' file; do
  relative=${file#"$work/new/"}
  case $relative in */.stages.json|*/.pipeline.lock) continue ;; esac
  [ -e "$work/old/$relative" ] || { echo "only in the new program's output: $relative"; differences=$((differences + 1)); }
done < <(find "$work/new" -type f -print0 | sort -z)
files=$(find "$work/old" -type f | wc -l)
echo "same-outputs: $files files compared, $differences difference(s) (outputs in $work)"
[ "$differences" -eq 0 ]
