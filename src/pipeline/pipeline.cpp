#include "pipeline/pipeline.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <functional>
#include <future>
#include <map>
#include <memory>

#include "common/build_id.h"
#include "common/file_io.h"
#include "common/hash.h"
#include "corpus/metadata.h"
#include "extract/extraction.h"
#include "followup/followup_run.h"
#include "keyinfo/keyinfo.h"
#include "lexicon/lexicon.h"
#include "libraries/libraries.h"
#include "llm/config.h"
#include "llm/extract_run.h"
#include "pipeline/stage_ledger.h"
#include "report/report.h"
#include "standardize/standardize.h"
#include "stats/stats.h"

#ifndef CXRVQA_VERSION
#define CXRVQA_VERSION "unknown"
#endif

namespace cxrvqa {

namespace fs = std::filesystem;

namespace {

constexpr const char* kRawKeyInfo = "keyinfo_raw.jsonl";
constexpr const char* kKeyInfo = "keyinfo.jsonl";
constexpr const char* kRejects = "keyinfo.rejects.jsonl";
constexpr const char* kLlmRawKeyInfo = "keyinfo_llm_raw.jsonl";
constexpr const char* kLlmFailures = "keyinfo_llm_raw.failures.jsonl";
constexpr const char* kLlmKeyInfo = "keyinfo_llm.jsonl";
constexpr const char* kLlmRejects = "keyinfo_llm.rejects.jsonl";
constexpr const char* kRulesKeyInfo = "keyinfo_rules.jsonl";
constexpr const char* kFollowupKeyInfo = "keyinfo_followup.jsonl";
constexpr const char* kLibraries = "libraries";
constexpr const char* kCorpusMetadata = "metadata.csv";
constexpr const char* kStatsText = "stats.txt";
constexpr const char* kStatsJson = "stats.json";
constexpr const char* kManifest = "manifest.json";
constexpr const char* kReport = "report.html";
constexpr const char* kLock = ".pipeline.lock";

std::string questions_file(const PipelineOptions& o) {
  return o.format == QuestionFormat::kJsonl ? "questions.jsonl" : "questions.csv";
}

// What a stage's run produced.
struct StageResult {
  Json counts;           // the stage's summary figures
  size_t failed = 0;     // studies that failed (not cached: the next run asks again)
  size_t attempted = 0;  // studies the stage tried to complete (LLM stages)
};

// One step of the pipeline: what it reads, what it writes and how to run it.
struct Stage {
  std::string name;
  std::vector<fs::path> inputs;        // user inputs (report tree, metadata, lexicon dir)
  std::vector<std::string> reads;      // outputs of earlier stages (relative to out_dir)
  std::vector<std::string> writes;     // relative to out_dir
  Json options = Json::object();       // what else decides the output
  std::function<Result<StageResult>()> run;
  bool reads_manifest = false;         // manifest.json is written (so far) before it runs
};

// Shared state of one run: options, the lexicon (loaded once) and input fingerprints.
class PipelineRun {
 public:
  explicit PipelineRun(const PipelineOptions& options) : o_(options) {}

  fs::path out(const std::string& relative) const { return o_.out_dir / relative; }

  Result<std::shared_ptr<const Lexicon>> lexicon() {
    if (!lexicon_) {
      CXRVQA_ASSIGN_OR_RETURN(auto loaded, Lexicon::Load(o_.lexicon_dir));
      lexicon_ = loaded;
    }
    return lexicon_;
  }

  Result<InputFingerprint> fingerprint(const fs::path& path, bool by_content) {
    auto it = fingerprints_.find(path.string());
    if (it != fingerprints_.end()) return it->second;
    auto fingerprint = fingerprint_input(path, by_content);
    if (fingerprint.ok()) fingerprints_.emplace(path.string(), *fingerprint);
    return fingerprint;
  }

  // What a stage's fingerprint holds besides its inputs. The build takes part: a rebuilt
  // program redoes every stage.
  Json stage_identity(const Stage& stage) const {
    return Json{{"stage", stage.name}, {"version", CXRVQA_VERSION}, {"build", build_id_}, {"options", stage.options}};
  }
  // The hash of stage_identity (StageRecord::setup): when it differs from the recorded one
  // the stage runs whatever its inputs are.
  std::string stage_setup(const Stage& stage) const { return sha256_hex(stage_identity(stage).dump()); }

  Result<std::string> stage_fingerprint(const Stage& stage, FileHashMemo& hashes) {
    Json identity = stage_identity(stage);
    Json inputs = Json::array();
    for (const auto& path : stage.inputs) {
      CXRVQA_ASSIGN_OR_RETURN(auto fingerprint, this->fingerprint(path, /*by_content=*/false));
      inputs.push_back(fingerprint.sha256);
    }
    for (const auto& relative : stage.reads) {
      CXRVQA_ASSIGN_OR_RETURN(auto fingerprint, fingerprint_input(out(relative), /*by_content=*/true, &hashes));
      inputs.push_back(fingerprint.sha256);
    }
    identity["inputs"] = inputs;
    return sha256_hex(identity.dump());
  }

  const std::map<std::string, InputFingerprint>& fingerprints() const { return fingerprints_; }

  // The stats stage's counts of the question file `path`, kept for the report stage while
  // the file is the one they were counted from (same identity before and after).
  void KeepQuestionStats(const fs::path& path, const std::string& identity, StatsSummary summary) {
    if (identity.empty() || file_identity(path) != identity) return;
    question_stats_ = std::make_shared<const StatsSummary>(std::move(summary));
    question_stats_identity_ = identity;
  }
  // Those counts when `path` is still that file, else null.
  std::shared_ptr<const StatsSummary> QuestionStatsOf(const fs::path& path) const {
    if (!question_stats_ || file_identity(path) != question_stats_identity_) return nullptr;
    return question_stats_;
  }

 private:
  const PipelineOptions& o_;
  std::shared_ptr<const Lexicon> lexicon_;
  std::map<std::string, InputFingerprint> fingerprints_;
  std::string build_id_ = program_build_id();
  std::shared_ptr<const StatsSummary> question_stats_;
  std::string question_stats_identity_;
};

std::vector<fs::path> corpus_inputs(const PipelineOptions& o) {
  std::vector<fs::path> inputs = {o.reports};
  if (o.metadata) inputs.push_back(*o.metadata);
  return inputs;
}

std::vector<fs::path> user_inputs(const PipelineOptions& o) {
  std::vector<fs::path> inputs = corpus_inputs(o);
  if (o.lexicon_dir) inputs.push_back(*o.lexicon_dir);
  return inputs;
}

// The corpus, the LLM config and the system prompt: what decides the LLM's answers.
std::vector<fs::path> llm_inputs(const PipelineOptions& o) {
  std::vector<fs::path> inputs = corpus_inputs(o);
  if (o.llm_config) inputs.push_back(*o.llm_config);
  if (o.system_prompt) inputs.push_back(*o.system_prompt);
  return inputs;
}

Result<llm::LlmConfig> load_llm_config(const PipelineOptions& o) {
  if (!o.llm_config) return Status::InvalidArgument("extractor llm needs an LLM config (llm_config)");
  return llm::load_llm_config(*o.llm_config);
}

Stage extract_stage(const PipelineOptions& o, PipelineRun& run, const std::string& name,
                    const char* out_file) {
  Stage stage{name, user_inputs(o), {}, {out_file}, {{"extractor", "rules"}}, {}};
  stage.run = [&o, &run, out_file]() -> Result<StageResult> {
    CXRVQA_ASSIGN_OR_RETURN(auto lexicon, run.lexicon());
    ExtractionOptions options;
    options.corpus = o.corpus;
    options.reports = o.reports;
    options.metadata = o.metadata;
    options.out = run.out(out_file);
    options.lexicon = lexicon;
    options.threads = o.threads;
    options.progress = o.progress;
    CXRVQA_ASSIGN_OR_RETURN(auto summary, RunExtraction(options));
    return StageResult{summary.ToJson()};
  };
  return stage;
}

// Names of one standardize step: raw KeyInfo in, standardized KeyInfo and rejects out.
struct StandardizeFiles {
  const char* in;
  const char* out;
  const char* rejects;
};

Stage standardize_stage(const PipelineOptions& o, PipelineRun& run, const std::string& name,
                        StandardizeFiles files) {
  Stage stage{name, {}, {files.in}, {files.out, files.rejects}, Json::object(), {}};
  if (o.lexicon_dir) stage.inputs.push_back(*o.lexicon_dir);
  stage.run = [&o, &run, files]() -> Result<StageResult> {
    CXRVQA_ASSIGN_OR_RETURN(auto lexicon, run.lexicon());
    StandardizeOptions options;
    options.in = run.out(files.in);
    options.out = run.out(files.out);
    options.rejects = run.out(files.rejects);
    options.threads = o.threads;
    options.lexicon = lexicon;
    CXRVQA_ASSIGN_OR_RETURN(auto summary, RunStandardize(options));
    return StageResult{summary.ToJson()};
  };
  return stage;
}

Stage extract_llm_stage(const PipelineOptions& o, PipelineRun& run) {
  Stage stage{"extract_llm", llm_inputs(o), {}, {kLlmRawKeyInfo, kLlmFailures}, {{"extractor", "llm"}}, {}};
  stage.run = [&o, &run]() -> Result<StageResult> {
    CXRVQA_ASSIGN_OR_RETURN(auto config, load_llm_config(o));
    llm::LlmExtractionOptions options;
    options.selection.corpus = o.corpus;
    options.selection.reports = o.reports;
    options.selection.metadata = o.metadata;
    options.config = std::move(config);
    options.system_prompt = o.system_prompt;
    options.out = run.out(kLlmRawKeyInfo);
    options.failures = run.out(kLlmFailures);
    options.progress = o.progress;
    CXRVQA_ASSIGN_OR_RETURN(auto summary, llm::RunLlmExtraction(options));
    return StageResult{summary.ToJson(), summary.failed, summary.attempted()};
  };
  return stage;
}

Stage followup_stage(const PipelineOptions& o, PipelineRun& run) {
  Stage stage{"followup", llm_inputs(o), {kLlmKeyInfo, kRulesKeyInfo}, {kFollowupKeyInfo},
              {{"rounds", o.followup_rounds}, {"per_finding", o.per_finding}}, {}};
  if (o.lexicon_dir) stage.inputs.push_back(*o.lexicon_dir);
  stage.run = [&o, &run]() -> Result<StageResult> {
    CXRVQA_ASSIGN_OR_RETURN(auto config, load_llm_config(o));
    CXRVQA_ASSIGN_OR_RETURN(auto lexicon, run.lexicon());
    FollowupOptions options;
    options.corpus = CorpusSource{o.corpus, o.reports, o.metadata};
    options.llm_keyinfo = run.out(kLlmKeyInfo);
    options.reference = run.out(kRulesKeyInfo);
    options.out = run.out(kFollowupKeyInfo);
    options.config = std::move(config);
    options.system_prompt = o.system_prompt;
    options.lexicon = lexicon;
    options.rounds = o.followup_rounds;
    options.per_finding = o.per_finding;
    CXRVQA_ASSIGN_OR_RETURN(auto summary, RunFollowup(options));
    return StageResult{summary.ToJson(), summary.failed(), summary.asked()};
  };
  return stage;
}

Stage libraries_stage(const PipelineOptions& o, PipelineRun& run) {
  Stage stage{"libraries", {}, {kKeyInfo}, {kLibraries}, Json::object(), {}};
  if (o.lexicon_dir) stage.inputs.push_back(*o.lexicon_dir);
  stage.run = [&run]() -> Result<StageResult> {
    CXRVQA_ASSIGN_OR_RETURN(auto lexicon, run.lexicon());
    CXRVQA_ASSIGN_OR_RETURN(auto summary, RunLibraries({run.out(kKeyInfo), run.out(kLibraries), lexicon.get()}));
    return StageResult{summary.ToJson()};
  };
  return stage;
}

// Whether the run builds its own metadata (a corpus other than MIMIC-CXR, no metadata given).
bool builds_metadata(const PipelineOptions& o) { return o.corpus != CorpusKind::kMimic && !o.metadata; }

Stage metadata_stage(const PipelineOptions& o, PipelineRun& run) {
  Stage stage{"metadata", {o.reports}, {}, {kCorpusMetadata}, {{"seed", o.seed}}, {}};
  if (o.projections) stage.inputs.push_back(*o.projections);
  stage.run = [&o, &run]() -> Result<StageResult> {
    PrepareMetadataOptions options;
    options.corpus = std::string(corpus_kind_name(o.corpus));
    options.other = {o.corpus, o.reports, o.projections, o.seed};
    options.out = run.out(kCorpusMetadata);
    CXRVQA_ASSIGN_OR_RETURN(auto summary, RunPrepareMetadata(options));
    return StageResult{summary.ToJson()};
  };
  return stage;
}

Stage questions_stage(const PipelineOptions& o, PipelineRun& run) {
  Stage stage{"questions", {}, {kKeyInfo, kLibraries}, {questions_file(o)}, Json::object(), {}};
  if (o.metadata) stage.inputs.push_back(*o.metadata);
  if (builds_metadata(o)) stage.reads.push_back(kCorpusMetadata);
  stage.options = {{"preset", question_preset_name(o.preset)}, {"seed", o.seed}, {"min_count", o.min_count},
                   {"per_type", o.per_type},
                   {"ap_keep_rate", o.ap_keep_rate ? Json(*o.ap_keep_rate) : Json()},
                   {"format", questions_file(o)}};
  stage.run = [&o, &run]() -> Result<StageResult> {
    QuestionOptions options;
    options.keyinfo = run.out(kKeyInfo);
    options.metadata = builds_metadata(o) ? std::optional<fs::path>(run.out(kCorpusMetadata)) : o.metadata;
    options.libraries = run.out(kLibraries);
    options.out = run.out(questions_file(o));
    options.format = o.format;
    options.min_count = o.min_count;
    options.preset = o.preset;
    options.seed = o.seed;
    options.threads = o.threads;
    options.per_type = o.per_type;
    options.ap_keep_rate = o.ap_keep_rate;
    CXRVQA_ASSIGN_OR_RETURN(auto summary, RunQuestions(options));
    return StageResult{summary.ToJson()};
  };
  return stage;
}

Stage stats_stage(const PipelineOptions& o, PipelineRun& run) {
  Stage stage{"stats", {}, {questions_file(o)}, {kStatsText, kStatsJson}, Json::object(), {}};
  stage.run = [&o, &run]() -> Result<StageResult> {
    fs::path questions = run.out(questions_file(o));
    std::string identity = file_identity(questions);
    CXRVQA_ASSIGN_OR_RETURN(auto summary, RunStats({questions}));
    CXRVQA_RETURN_IF_ERROR(write_file_atomic(run.out(kStatsText), summary.ToString()));
    CXRVQA_RETURN_IF_ERROR(write_file_atomic(run.out(kStatsJson), summary.ToJson().dump(2) + "\n"));
    StageResult result{question_stats_counts(summary.stats)};
    run.KeepQuestionStats(questions, identity, std::move(summary));
    return result;
  };
  return stage;
}

// The HTML report of the dataset. It reads the manifest written just before it (not part of
// its fingerprint: the manifest's timings change on every run).
Stage report_stage(const PipelineOptions& o, PipelineRun& run) {
  Stage stage{"report", {}, {kKeyInfo, kLibraries, questions_file(o)}, {kReport}, Json::object(), {}};
  stage.reads_manifest = true;
  stage.run = [&o, &run]() -> Result<StageResult> {
    CXRVQA_ASSIGN_OR_RETURN(auto summary,
                            RunReport({o.out_dir, run.out(kReport), run.QuestionStatsOf(run.out(questions_file(o)))}));
    return StageResult{summary.StageCounts()};
  };
  return stage;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Runs `stage` and returns its fingerprint. A stage that runs whatever its inputs are (forced,
// never completed, or recorded with another setup: options or program) is fingerprinted
// while it runs, on another thread: the walk over a report tree then overlaps the
// extraction. Stages touch neither the fingerprints nor the hash memo, so the two never
// share state. Otherwise the fingerprint decides first.
Result<std::string> fingerprint_while_running(const Stage& stage, PipelineRun& run, StageLedger& ledger,
                                              Result<StageResult>& result) {
  auto fingerprint = std::async(std::launch::async, [&] { return run.stage_fingerprint(stage, ledger.hashes()); });
  result = stage.run();
  return fingerprint.get();
}

Result<StageSummary> run_stage(const Stage& stage, PipelineRun& run, StageLedger& ledger, bool force) {
  auto start = std::chrono::steady_clock::now();
  Result<StageResult> result = Status::Internal("stage not run");
  Result<std::string> fingerprint = Status::Internal("no fingerprint");
  std::string setup = run.stage_setup(stage);
  if (force || !ledger.MayBeUpToDate(stage.name, setup)) {
    fingerprint = fingerprint_while_running(stage, run, ledger, result);
  } else {
    fingerprint = run.stage_fingerprint(stage, ledger.hashes());
    if (!fingerprint.ok()) return fingerprint.status();
    if (const StageRecord* done = ledger.UpToDate(stage.name, *fingerprint)) {
      return StageSummary{stage.name, true, seconds_since(start), done->counts};
    }
    result = stage.run();
  }
  if (!result.ok()) return Status(result.status().code(), stage.name + ": " + result.status().message());
  if (!fingerprint.ok()) return fingerprint.status();
  // A stage whose studies failed is recorded as incomplete, so the next run does it again
  // (answers already cached cost nothing) instead of skipping it.
  CXRVQA_RETURN_IF_ERROR(
      ledger.Complete(stage.name, *fingerprint, setup, stage.writes, result->counts, result->failed == 0));
  if (result->attempted > 0 && result->failed == result->attempted) {
    std::string first = result->counts.value("first_failure", std::string());
    return Status::Unavailable(fmt::format(
        "{}: every study failed ({} of {}{}); nothing was cached for them, so the next run asks again",
        stage.name, result->failed, result->attempted, first.empty() ? "" : "; first error: " + first));
  }
  return StageSummary{stage.name, false, seconds_since(start), std::move(result->counts), result->failed};
}

// One stage as the manifest and PipelineSummary::ToJson list it; `outputs` (the manifest's
// fingerprints of the files written) may be null.
Json stage_json(const StageSummary& stage, const Json* outputs) {
  Json json = {{"name", stage.name}, {"skipped", stage.skipped}, {"seconds", stage.seconds}};
  if (outputs != nullptr) json["outputs"] = *outputs;
  json["counts"] = stage.counts;
  json["failed"] = stage.failed;
  return json;
}

Status write_manifest(const PipelineOptions& o, const PipelineRun& run, const std::vector<Stage>& stages,
                      const PipelineSummary& summary, FileHashMemo& hashes) {
  Json manifest = {{"program", "cxrvqa"}, {"version", CXRVQA_VERSION}, {"build_id", program_build_id()},
                   {"seed", o.seed}, {"options", o.ToJson()}};
  Json inputs = Json::array();
  for (const auto& [path, fingerprint] : run.fingerprints()) inputs.push_back(fingerprint.ToJson());
  manifest["inputs"] = inputs;
  Json stage_list = Json::array();
  for (size_t i = 0; i < summary.stages.size(); ++i) {
    const StageSummary& done = summary.stages[i];
    Json outputs = Json::object();
    for (const auto& relative : stages[i].writes) {
      std::error_code ec;
      if (!fs::exists(o.out_dir / relative, ec)) continue;
      CXRVQA_ASSIGN_OR_RETURN(auto fingerprint, fingerprint_input(o.out_dir / relative, /*by_content=*/true, &hashes));
      outputs[relative] = {{"bytes", fingerprint.bytes}, {"sha256", fingerprint.sha256}};
    }
    stage_list.push_back(stage_json(done, &outputs));
  }
  manifest["stages"] = stage_list;
  manifest["warnings"] = summary.warnings;
  manifest["complete"] = summary.failed() == 0;
  return write_file_atomic(o.out_dir / kManifest, manifest.dump(2) + "\n");
}

Status check_options(const PipelineOptions& o) {
  if (o.ap_keep_rate && !(*o.ap_keep_rate >= 0 && *o.ap_keep_rate <= 1)) {  // NaN fails too
    return Status::InvalidArgument(fmt::format("ap_keep_rate must be a number in [0, 1], not {}", *o.ap_keep_rate));
  }
  if (o.per_type < 1) return Status::InvalidArgument("per_type must be at least 1 (questions per type per study)");
  if (o.extractor == "rules") return Status::Ok();
  if (o.extractor != "llm") {
    return Status::InvalidArgument("unknown extractor '" + o.extractor + "' (rules or llm)");
  }
  if (!o.llm_config) return Status::InvalidArgument("extractor llm needs an LLM config (--llm-config)");
  if (o.followup_rounds < 1) return Status::InvalidArgument("followup rounds must be at least 1");
  return Status::Ok();
}

// Refuses an output folder where a stage would overwrite one of the user's inputs.
Status check_stage_outputs(const PipelineOptions& o, const std::vector<Stage>& stages) {
  std::vector<fs::path> outputs = {o.out_dir / kManifest};
  for (const Stage& stage : stages) {
    for (const auto& relative : stage.writes) outputs.push_back(o.out_dir / relative);
  }
  std::vector<fs::path> inputs = user_inputs(o);
  for (const auto& path : {o.llm_config, o.system_prompt}) {
    if (path) inputs.push_back(*path);
  }
  return check_outputs_apart(outputs, inputs);
}

// The stages up to keyinfo.jsonl. Rules: extract, standardize. LLM: extract_llm,
// standardize_llm, extract_rules (the reference), followup, standardize.
std::vector<Stage> keyinfo_stages(const PipelineOptions& o, PipelineRun& run) {
  if (o.extractor != "llm") {
    return {extract_stage(o, run, "extract", kRawKeyInfo),
            standardize_stage(o, run, "standardize", {kRawKeyInfo, kKeyInfo, kRejects})};
  }
  return {extract_llm_stage(o, run),
          standardize_stage(o, run, "standardize_llm", {kLlmRawKeyInfo, kLlmKeyInfo, kLlmRejects}),
          extract_stage(o, run, "extract_rules", kRulesKeyInfo), followup_stage(o, run),
          standardize_stage(o, run, "standardize", {kFollowupKeyInfo, kKeyInfo, kRejects})};
}

}  // namespace

Json PipelineOptions::ToJson() const {
  return Json{{"corpus", std::string(corpus_kind_name(corpus))},
              {"reports", reports.string()},
              {"metadata", metadata ? Json(metadata->string()) : Json()},
              {"projections", projections ? Json(projections->string()) : Json()},
              {"preset", question_preset_name(preset)},
              {"out_dir", out_dir.string()},
              {"lexicon", lexicon_dir ? Json(lexicon_dir->string()) : Json("embedded")},
              {"extractor", extractor},
              {"llm_config", llm_config ? Json(llm_config->string()) : Json()},
              {"system_prompt", system_prompt ? Json(system_prompt->string()) : Json("embedded")},
              {"followup_rounds", followup_rounds},
              {"per_finding", per_finding},
              {"seed", seed},
              {"threads", threads},
              {"min_count", min_count},
              {"per_type", per_type},
              {"ap_keep_rate", ap_keep_rate ? Json(*ap_keep_rate) : Json()},
              {"format", format == QuestionFormat::kJsonl ? "jsonl" : "csv"}};
}

std::string PipelineSummary::ToString() const {
  std::string text = "stage         status    seconds  counts\n";
  for (const auto& stage : stages) {
    std::string counts;
    for (const auto& [key, value] : stage.counts.items()) {
      if (value.is_object() || key == "warning") continue;  // warnings are said on their own
      if (!counts.empty()) counts += ", ";
      counts += key + " " + value.dump();
    }
    text += fmt::format("{:<13} {:<9} {:>7.2f}  {}\n", stage.name, stage.skipped ? "skipped" : "ran",
                        stage.seconds, counts);
  }
  text += fmt::format("total {:.2f} s; outputs and manifest.json in {}\n", seconds, out_dir.string());
  for (const auto& stage : stages) {
    if (stage.failed == 0) continue;
    text += fmt::format("incomplete: {} studies failed in {} and are left out; run the same command again to "
                        "retry them\n", stage.failed, stage.name);
  }
  return text;
}

Json PipelineSummary::ToJson() const {
  Json stage_list = Json::array();
  for (const auto& stage : stages) stage_list.push_back(stage_json(stage, nullptr));
  return Json{{"out_dir", out_dir.string()}, {"stages", stage_list}, {"warnings", warnings},
              {"seconds", seconds}, {"complete", failed() == 0}};
}

size_t PipelineSummary::failed() const {
  size_t total = 0;
  for (const auto& stage : stages) total += stage.failed;
  return total;
}

Result<PipelineSummary> RunPipeline(const PipelineOptions& options) {
  auto start = std::chrono::steady_clock::now();
  CXRVQA_RETURN_IF_ERROR(check_options(options));
  std::error_code ec;
  fs::create_directories(options.out_dir, ec);
  if (ec) return Status::IoError("cannot create " + options.out_dir.string() + ": " + ec.message());
  auto lock = FileLock::TryLock(options.out_dir / kLock);
  if (!lock.ok()) {
    if (lock.status().code() != StatusCode::kUnavailable) return lock.status();
    return Status::Unavailable("another cxrvqa pipeline is writing to " + options.out_dir.string() +
                               " (it holds " + (options.out_dir / kLock).string() + "); wait for it to finish");
  }
  PipelineRun run(options);
  std::vector<Stage> stages;
  if (builds_metadata(options)) stages.push_back(metadata_stage(options, run));
  for (Stage& stage : keyinfo_stages(options, run)) stages.push_back(std::move(stage));
  for (auto* later : {libraries_stage, questions_stage, stats_stage, report_stage}) {
    stages.push_back(later(options, run));
  }
  CXRVQA_RETURN_IF_ERROR(check_stage_outputs(options, stages));
  CXRVQA_ASSIGN_OR_RETURN(auto ledger, StageLedger::Open(options.out_dir));
  PipelineSummary summary;
  summary.out_dir = options.out_dir;
  for (size_t i = 0; i < stages.size(); ++i) {
    if (options.on_stage != nullptr) options.on_stage(i + 1, stages.size(), stages[i].name);
    if (stages[i].reads_manifest) {
      CXRVQA_RETURN_IF_ERROR(write_manifest(options, run, stages, summary, ledger.hashes()));
    }
    CXRVQA_ASSIGN_OR_RETURN(auto done, run_stage(stages[i], run, ledger, options.force));
    if (auto warning = done.counts.find("warning"); warning != done.counts.end() && warning->is_string()) {
      spdlog::warn("{}", warning->get<std::string>());  // also when the stage was up to date
      summary.warnings.push_back(warning->get<std::string>());
    }
    summary.stages.push_back(std::move(done));
  }
  summary.seconds = seconds_since(start);
  CXRVQA_RETURN_IF_ERROR(write_manifest(options, run, stages, summary, ledger.hashes()));
  return summary;
}

}  // namespace cxrvqa
