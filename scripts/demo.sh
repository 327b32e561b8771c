#!/usr/bin/env bash
# Runs the whole pipeline on the bundled demo corpus (invented MIMIC-style reports) with the
# embedded rules extractor, then uses the dataset: exports in each format, scores the gold
# answers against themselves and an all-"no" prediction, and points at the HTML report.
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
echo "== export: LLaVA conversations, Hugging Face dataset, JSONL with a blind test split"
"$bin" export --dataset "$out" --out-dir "$out/export/llava" --format llava --image-root mimic-cxr-jpg/2.0.0
"$bin" export --dataset "$out" --out-dir "$out/export/hf" --format hf
"$bin" export --dataset "$out" --out-dir "$out/export/jsonl" --format jsonl --blind

echo
echo "== score: the gold answers against themselves"
"$bin" score --gold "$out/questions.csv" --pred "$out/questions.csv"
echo
echo "== score: every answer \"no\" (closed accuracy = share of \"no\" among closed questions)"
sed -E 's/^\{"question_id":"([^"]*)".*/{"question_id":"\1","answer":"no"}/' "$out"/export/hf/data/*.jsonl \
  > "$out/all_no.jsonl"
"$bin" score --gold "$out/questions.csv" --pred "$out/all_no.jsonl"

echo
echo "== report"
"$bin" report --dataset "$out" --out "$out/report.html"

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
echo
echo "Outputs are in $out/ (manifest.json records inputs, options and counts; open report.html in a browser)."
