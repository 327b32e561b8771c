// `cxrvqa pipeline`: corpus -> extract -> standardize -> libraries -> questions -> stats -> report into
// one output directory. Every stage's output is kept (so one stage can be re-run alone with
// its own subcommand), a stage whose inputs and options did not change since it last
// completed is skipped, and manifest.json records inputs (sizes, hashes), options, seed,
// version and counts so that a dataset can be reproduced.
//
// Output directory layout (extractor "rules"):
//   keyinfo_raw.jsonl   extract (rules)
//   keyinfo.jsonl       standardize (+ keyinfo.rejects.jsonl)
// With extractor "llm" the KeyInfo stages are instead
//   keyinfo_llm_raw.jsonl    extract_llm (+ keyinfo_llm_raw.failures.jsonl)
//   keyinfo_llm.jsonl        standardize_llm (+ keyinfo_llm.rejects.jsonl)
//   keyinfo_rules.jsonl      extract_rules (the rules reference for the follow-up)
//   keyinfo_followup.jsonl   followup (the LLM asked again where it disagrees with the rules)
//   keyinfo.jsonl            standardize (+ keyinfo.rejects.jsonl)
// and the later stages are the same. LLM answers are cached (the cache file named by the LLM
// config), so a re-run after a change sends only what is not cached yet.
//   metadata.csv        corpora other than MIMIC-CXR given without metadata: views, images
//                       and splits built from the corpus (build_corpus_metadata)
//   libraries/          entity/location/level/type dictionaries, disease_lib.csv
//   questions.csv       questions (or questions.jsonl with format = "jsonl")
//   stats.txt, stats.json
//   report.html         the dataset at a glance (cxrvqa report)
//   manifest.json, .stages.json (the stage ledger), .pipeline.lock (held while a run goes)
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/json.h"
#include "common/status.h"
#include "corpus/report.h"
#include "questions/questions.h"

namespace cxrvqa {

struct PipelineOptions {
  CorpusKind corpus = CorpusKind::kMimic;
  std::filesystem::path reports;
  std::optional<std::filesystem::path> metadata;     // mimic_all.csv
  std::optional<std::filesystem::path> projections;  // IU X-ray: indiana_projections.csv
  std::filesystem::path out_dir;
  std::optional<std::filesystem::path> lexicon_dir;  // nullopt: embedded lexicon
  QuestionPreset preset = QuestionPreset::kCxrvqa;
  uint64_t seed = 0;
  unsigned threads = 0;                              // 0 = all cores
  size_t min_count = 10;
  size_t per_type = 1;
  std::optional<double> ap_keep_rate;                // nullopt: balance views
  QuestionFormat format = QuestionFormat::kCsv;
  std::string extractor = "rules";                   // "rules" | "llm"
  std::optional<std::filesystem::path> llm_config;   // LLM TOML config (extractor "llm")
  std::optional<std::filesystem::path> system_prompt;  // used verbatim; nullopt: embedded
  int followup_rounds = 1;                           // rounds of follow-up + standardize
  bool per_finding = false;                          // one follow-up turn per finding
  bool force = false;                                // run every stage even if up to date
  bool progress = false;                             // progress bars on stderr
  // Told when each stage starts ("[2/5] standardize"), so that a caller can show it; may be
  // null. Not part of ToJson.
  void (*on_stage)(size_t index, size_t count, std::string_view name) = nullptr;

  // The options that decide the outputs, as JSON (for fingerprints and the manifest).
  Json ToJson() const;
};

// Reads a pipeline TOML file into `options` (keys: corpus, reports, metadata, projections,
// out_dir, lexicon, preset, seed, threads, min_count, per_type, ap_keep_rate, format,
// extractor, llm_config, system_prompt, followup_rounds, per_finding). Relative paths resolve
// against the file's directory. Unknown keys, values of the wrong type and numbers out of
// range (ap_keep_rate outside [0, 1] or NaN, per_type 0, ...) are errors naming the key.
Status apply_pipeline_config(const std::filesystem::path& toml_file, PipelineOptions& options);
// The same for TOML text read from `toml_file` (names it in errors, resolves paths against it).
Status apply_pipeline_config_text(std::string_view toml_text, const std::filesystem::path& toml_file,
                                  PipelineOptions& options);

struct StageSummary {
  std::string name;
  bool skipped = false;
  double seconds = 0;
  Json counts = Json::object();  // the stage's summary ToJson (recorded when it last ran)
  size_t failed = 0;  // studies that failed (LLM stages); the stage runs again next time
};

struct PipelineSummary {
  std::filesystem::path out_dir;
  std::vector<StageSummary> stages;
  std::vector<std::string> warnings;  // said once per run, also kept in manifest.json
  double seconds = 0;
  // The one-screen summary: one line per stage (ran/skipped, time, key counts), where the
  // outputs are, and a line per stage whose studies failed.
  std::string ToString() const;
  // {out_dir, stages: [{name, skipped, seconds, counts, failed}], warnings, seconds, complete}.
  Json ToJson() const;
  // Failed studies over all stages; 0 for a complete run.
  size_t failed() const;
};

// Runs the pipeline. An unknown extractor, extractor "llm" without an LLM config, an
// ap_keep_rate outside [0, 1] (or NaN), per_type 0, or a stage output that is one of the
// inputs is InvalidArgument before any stage runs. A corpus other than MIMIC-CXR given
// without metadata gets a metadata stage (metadata.csv) that the questions stage reads; when
// its reports come without image information a warning says so (once, also in the
// manifest). The output directory is locked (<out_dir>/.pipeline.lock, an advisory lock): a
// second run on it is Unavailable while the first one runs. Stops at the first stage that
// fails, keeping what earlier stages wrote (a re-run continues from there). A stage where
// some studies failed (LLM answers that never came) is recorded as incomplete and run again
// next time; the others go on with the studies that worked. A stage where every study failed
// is Unavailable.
Result<PipelineSummary> RunPipeline(const PipelineOptions& options);

}  // namespace cxrvqa
