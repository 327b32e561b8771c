// cxrvqa pipeline: corpus -> extract -> standardize -> libraries -> questions -> stats; with
// --extractor llm: extract (LLM) -> standardize -> follow-up against the rules -> standardize
// -> libraries -> questions -> stats.
#include <cstdio>
#include <memory>

#include "command.h"
#include "options.h"
#include "common/progress.h"
#include "pipeline/pipeline.h"

namespace cxrvqa::app {

namespace {

struct PipelineFlags {
  std::string config;
  std::string corpus, reports, metadata, projections, out_dir, lexicon, format, preset;
  std::string extractor, llm_config, system_prompt;
  int rounds = 1;
  bool per_finding = false;
  uint64_t seed = 0;
  unsigned threads = 0;
  size_t min_count = 10, per_type = 1;
  std::string ap_keep_rate = "auto";
  bool force = false;
};

// Flags given on the command line override the config file, which overrides the defaults.
Status resolve_options(const CLI::App& app, const PipelineFlags& f, PipelineOptions& o) {
  if (!f.config.empty()) CXRVQA_RETURN_IF_ERROR(apply_pipeline_config(f.config, o));
  auto given = [&](const char* name) { return app.get_option(name)->count() > 0; };
  if (given("--corpus")) {
    CXRVQA_ASSIGN_OR_RETURN(auto kind, parse_corpus_kind(f.corpus));
    o.corpus = kind;
  }
  if (given("--reports")) o.reports = f.reports;
  if (given("--metadata")) o.metadata = f.metadata;
  if (given("--projections")) o.projections = f.projections;
  if (given("--preset")) {
    CXRVQA_ASSIGN_OR_RETURN(auto preset, parse_question_preset(f.preset));
    o.preset = preset;
  }
  if (given("--out-dir")) o.out_dir = f.out_dir;
  if (given("--lexicon")) o.lexicon_dir = f.lexicon;
  if (given("--format")) {
    CXRVQA_ASSIGN_OR_RETURN(auto format, parse_question_format(f.format));
    o.format = format;
  }
  if (given("--seed")) o.seed = f.seed;
  if (given("--threads")) o.threads = f.threads;
  if (given("--min-count")) o.min_count = f.min_count;
  if (given("--per-type")) o.per_type = f.per_type;
  if (given("--ap-keep-rate")) {
    CXRVQA_ASSIGN_OR_RETURN(o.ap_keep_rate, parse_ap_keep_rate(f.ap_keep_rate));
  }
  if (given("--extractor")) o.extractor = f.extractor;
  if (given("--llm-config")) o.llm_config = f.llm_config;
  if (given("--system-prompt")) o.system_prompt = f.system_prompt;
  if (given("--rounds")) o.followup_rounds = f.rounds;
  if (given("--per-finding")) o.per_finding = f.per_finding;
  o.force = f.force;
  o.progress = stderr_is_terminal();
  if (o.reports.empty()) return Status::InvalidArgument("no reports: give --reports or 'reports' in the config");
  if (o.out_dir.empty()) return Status::InvalidArgument("no output directory: give --out-dir or 'out_dir' in the config");
  return Status::Ok();
}

void announce_stage(size_t index, size_t count, std::string_view name) {
  std::fprintf(stderr, "[%zu/%zu] %.*s\n", index, count, static_cast<int>(name.size()), name.data());
}

}  // namespace

Command add_pipeline_command(CLI::App& parent) {
  auto flags = std::make_shared<PipelineFlags>();
  Command command;
  CLI::App* app = parent.add_subcommand(
      "pipeline", "Run corpus -> extract -> standardize -> libraries -> questions -> stats into one directory "
      "(--extractor llm adds the LLM extraction and its follow-up against the rules)");
  app->add_option("--config", flags->config, "Pipeline TOML file (flags given here override it)")
      ->check(CLI::ExistingFile);
  add_corpus_option(*app, flags->corpus);
  add_reports_option(*app, flags->reports);
  add_metadata_option(*app, flags->metadata);
  app->add_option("--projections", flags->projections,
                  "IU X-ray: indiana_projections.csv (uid,filename,projection), the images of each report")
      ->check(CLI::ExistingFile);
  add_preset_option(*app, flags->preset);
  app->add_option("--out-dir", flags->out_dir, "Directory for every stage's output and manifest.json");
  add_lexicon_option(*app, flags->lexicon);
  add_seed_option(*app, flags->seed, "question sampling");
  add_threads_option(*app, flags->threads);
  app->add_option("--min-count", flags->min_count, "Leave out names and words seen fewer times (default 10)");
  app->add_option("--per-type", flags->per_type, "Questions per type per study (default 1)");
  add_ap_keep_rate_option(*app, flags->ap_keep_rate);
  app->add_option("--format", flags->format, "Questions as csv (default) or jsonl");
  app->add_option("--extractor", flags->extractor, "KeyInfo extractor: rules (default) or llm")
      ->check(CLI::IsMember({"rules", "llm"}));
  add_llm_config_option(*app, flags->llm_config, /*accept_config_alias=*/false);
  app->add_option("--system-prompt", flags->system_prompt,
                  "System prompt file, used verbatim (default: embedded prompts/system.txt)")
      ->check(CLI::ExistingFile);
  app->add_option("--rounds", flags->rounds, "Rounds of follow-up + standardize (default 1)")
      ->check(CLI::Range(1, 100));
  app->add_flag("--per-finding", flags->per_finding,
                "One follow-up turn per disagreeing finding (default: one turn per study)");
  app->add_flag("--force", flags->force, "Run every stage even when its inputs did not change");
  command.app = app;
  command.run = [app, flags] {
    PipelineOptions options;
    Status status = resolve_options(*app, *flags, options);
    if (!status.ok()) return fail(status.message());
    options.on_stage = announce_stage;
    auto summary = RunPipeline(options);
    if (!summary.ok()) return fail(summary.status().message());
    std::fputs(summary->ToString().c_str(), stdout);
    return kExitOk;
  };
  return command;
}

}  // namespace cxrvqa::app
