#!/usr/bin/env bash
# Runs the whole pipeline on the bundled demo corpus (invented MIMIC-style reports) with the
# embedded rules extractor, then shows what came out.
set -euo pipefail
bin=${1:-build/cxrvqa}
out=${2:-demo-out}
root="$(cd "$(dirname "$0")/.." && pwd)"
demo="$root/data/demo/mimic"

"$bin" pipeline --corpus mimic --reports "$demo" --metadata "$demo/mimic_all.csv" \
  --out-dir "$out" --min-count 1 --seed 7
echo
echo "== first questions ($out/questions.csv)"
head -n 12 "$out/questions.csv"
echo
echo "Outputs are in $out/ (manifest.json records inputs, options and counts)."
