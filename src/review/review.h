// Clinician review of a dataset: a seeded, stratified sample of studies stored with everything
// the review page needs in one SQLite file (sample), a local web app where reviewers give a
// verdict on each question-answer pair (serve, server.h), and the figures and corrections that
// come out of the verdicts (report).
//
// The review file holds, per sampled study: the report text the extractor read, the KeyInfo
// record, the spans of the report to highlight (finding mentions and negation/uncertainty
// cues), the question-answer pairs and, for a difference question, the reference study's report
// and KeyInfo. It needs neither the corpus nor the dataset afterwards, so it can move to another
// machine. Reviewers' verdicts go into the same file, each committed when given.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/json.h"
#include "common/status.h"
#include "corpus/report.h"

namespace cxrvqa {

// ---- sample ------------------------------------------------------------------------------

struct ReviewSampleOptions {
  // A pipeline output folder: manifest.json, keyinfo.jsonl, questions.csv (or .jsonl).
  std::filesystem::path dataset;
  std::filesystem::path db;  // the review file to create; it must not hold a sample yet
  // Studies in all (shared out over the question types), or, when per_type is set, that many
  // studies drawn for each question type. Exactly one of the two is used: per_type wins.
  size_t n = 100;
  std::optional<size_t> per_type;
  uint64_t seed = 0;
  std::optional<std::filesystem::path> exclude;  // study ids never to sample (one per line)
  // The corpus of the report texts; by default the one manifest.json names. A relative path
  // in the manifest is taken relative to the current directory, then to the dataset's parent.
  std::optional<CorpusKind> corpus;
  std::optional<std::filesystem::path> reports;
  std::optional<std::filesystem::path> metadata;
  std::optional<std::filesystem::path> lexicon_dir;  // nullopt: the embedded lexicon
};

struct ReviewSampleSummary {
  std::filesystem::path db;
  size_t candidate_studies = 0;  // studies with questions, report text and KeyInfo
  size_t excluded = 0;           // candidates left out by --exclude
  size_t without_text = 0;       // studies with questions but no report text in the corpus
  size_t without_keyinfo = 0;    // studies with questions but no KeyInfo record
  size_t studies = 0;            // sampled
  size_t items = 0;              // question-answer pairs of the sampled studies
  size_t references = 0;         // reference studies stored for difference questions
  std::map<std::string, size_t> studies_per_stratum;  // question type -> studies drawn for it
  std::map<std::string, size_t> items_per_type;       // question type -> pairs in the sample
  std::string ToString() const;
  Json ToJson() const;
};

// Draws the sample and writes the review file (atomically: a failed run leaves no file).
// Studies are drawn per question type ("stratum"), rarest type first, each type taking the
// candidates that have a question of that type with the smallest stable_hash64(id, seed)
// not drawn yet; a type with too few candidates leaves its share to the others. All the
// question-answer pairs of a drawn study are reviewed. The same inputs and seed give the same
// sample, in the same order.
Result<ReviewSampleSummary> RunReviewSample(const ReviewSampleOptions& options);

// ---- report ------------------------------------------------------------------------------

struct ReviewReportOptions {
  std::filesystem::path db;
  std::optional<std::string> reviewer;  // only this reviewer's verdicts; nullopt: everyone's
  // KeyInfo gold JSONL of the reviewed studies with the corrections applied (for
  // `cxrvqa eval --gold-format keyinfo`).
  std::optional<std::filesystem::path> gold_out;
  // The reviewed question-answer pairs, with corrected answers, in the dataset's format
  // (.csv or .jsonl by extension).
  std::optional<std::filesystem::path> questions_out;
  std::optional<std::filesystem::path> lexicon_dir;  // for the gold export; nullopt: embedded
};

// A proportion with its 95 % Wilson score interval (0/0 gives 0 and [0, 1]).
struct Proportion {
  size_t successes = 0;
  size_t trials = 0;
  double value = 0;
  double low = 0;
  double high = 1;
};

struct AccuracyRow {
  std::string name;  // question type, or "overall"
  size_t correct = 0, wrong = 0, unsure = 0;
  Proportion accuracy;  // correct / (correct + wrong); unsure verdicts are left out
};

struct FindingErrors {
  std::string finding;  // official name
  size_t judged = 0;    // verdicts on pairs whose question or answer names the finding
  size_t wrong = 0;
  size_t unsure = 0;
};

struct ReviewerAgreement {
  std::string first, second;
  size_t shared = 0;         // items both gave a verdict on
  size_t agreeing = 0;
  double raw_agreement = 0;  // agreeing / shared
  double kappa = 0;          // Cohen's kappa over correct / wrong / unsure
};

struct ExportCounts {
  std::filesystem::path path;
  size_t records = 0;      // studies (gold) or pairs (questions) written
  size_t corrected = 0;    // corrections applied
  size_t not_applied = 0;  // gold: corrections with no KeyInfo meaning (difference, no right
                           // answer, ...); questions: pairs left out (unsure, or wrong without a
                           // right answer)
};

struct ReviewFigures {
  std::filesystem::path db;
  size_t studies = 0, items = 0;
  std::map<std::string, size_t> verdicts_per_reviewer;
  // Verdicts are pooled over the reviewers taken: an item two reviewers judged counts twice.
  std::vector<AccuracyRow> per_type;  // types in question-type order, those with items only
  AccuracyRow overall;
  std::vector<FindingErrors> per_finding;  // most wrong verdicts first
  std::vector<ReviewerAgreement> agreement;  // every pair of reviewers with shared items
  std::optional<ExportCounts> gold, questions;
  std::string ToString() const;
  Json ToJson() const;
};

// Reads the verdicts of the review file and computes the figures; writes the exports asked
// for (atomically). When several reviewers judged an item, the latest verdict is the one
// exported.
Result<ReviewFigures> RunReviewReport(const ReviewReportOptions& options);

// The 95 % Wilson score interval of successes / trials.
Proportion wilson_interval(size_t successes, size_t trials);

// Cohen's kappa of two raters' labels (same length, labels 0..categories-1): (po - pe) /
// (1 - pe); 1 when pe is 1 (both raters always gave one same label), 0 for no pairs.
double cohens_kappa(const std::vector<int>& first, const std::vector<int>& second, int categories);

}  // namespace cxrvqa
