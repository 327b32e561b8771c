#!/usr/bin/env bash
# Answer accuracy on the IU X-ray development reports (the figures in the README): every
# report becomes one PA frontal study of its own patient (a metadata table in the
# mimic_all.csv layout written from the study ids), the pipeline builds the questions, and
# `cxrvqa eval --questions` scores them against the MeSH annotation; the rules extraction is
# also scored against the Open-i 14 labels.
# Usage: scripts/iu-answer-accuracy.sh [BUILD_DIR] [OUT_DIR] [SEED]
set -euo pipefail
build=${1:-build}
out=${2:-iu-answer-accuracy}
seed=${3:-1}
data=${CXRVQA_SHARED_DATA:-../shared/data}/iu_xray
reports="$data/iu_reports_dev.csv"
[ -f "$reports" ] || { echo "error: $reports not found (set CXRVQA_SHARED_DATA)" >&2; exit 1; }
mkdir -p "$out"

"$build/cxrvqa" -q extract --corpus iu --no-progress --reports "$reports" --out "$out/rules.jsonl"
{
  echo "subject_id,study_id,dicom_id,view,split,study_date,study_order"
  sed -n 's/^{"study_id":"\([^"]*\)".*/\1,\1,\1,postero-anterior,train,,1/p' "$out/rules.jsonl"
} > "$out/iu_metadata.csv"
"$build/cxrvqa" -q pipeline --corpus iu --reports "$reports" --metadata "$out/iu_metadata.csv" \
  --out-dir "$out/pipeline" --seed "$seed"

echo "== answer accuracy: $out/pipeline/questions.csv against the MeSH annotation"
"$build/cxrvqa" eval --questions "$out/pipeline/questions.csv" --gold "$reports" --gold-format iu-mesh
echo "== extraction against the Open-i 14 labels"
"$build/cxrvqa" eval --pred "$out/rules.jsonl" --gold "$data/openi_gold14_dev.csv" --gold-format openi14 |
  grep -E "^(micro|macro|normal)"
