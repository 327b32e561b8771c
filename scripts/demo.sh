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

# A clinician review sample of the demo dataset (kept once made: it holds the verdicts).
review_db="$out/review.sqlite"
echo
if [ -f "$review_db" ]; then
  echo "== review sample: $review_db already exists (it keeps its verdicts)"
else
  "$bin" review sample --dataset "$out" --db "$review_db" --n 12 --seed 7
fi
echo
echo "To review the demo dataset in a browser on this machine, run"
echo "  $bin review serve --db $review_db --reviewer YOUR_NAME"
echo "and open the http://127.0.0.1:PORT/?token=... address it prints (Ctrl+C stops it)."
echo "Figures and corrections afterwards:"
echo "  $bin review report --db $review_db --gold-out $out/review_gold.jsonl --questions-out $out/review_questions.csv"
