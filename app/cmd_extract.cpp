// cxrvqa extract: key information of every report of a corpus, as KeyInfo JSONL, with the
// rule-based extractor (default) or an LLM (see extract_llm.h).
#include <cstdio>
#include <memory>
#include <string>

#include "command.h"
#include "options.h"
#include "summary_output.h"
#include "common/progress.h"
#include "corpus/report.h"
#include "extract/extraction.h"
#include "extract_llm.h"

namespace cxrvqa::app {

namespace {

struct ExtractArgs {
  ExtractCommonOptions common;
  std::string extractor = "rules";
  size_t batch_size = 4096;
  bool no_progress = false;
};

int run_rules_extract(const ExtractArgs& args) {
  auto kind = parse_corpus_kind(args.common.corpus_kind);
  if (!kind.ok()) return fail(kind.status().message());
  ExtractionOptions options;
  options.corpus = *kind;
  options.reports = args.common.reports;
  options.metadata = args.common.metadata;
  options.out = args.common.out;
  options.lexicon_dir = args.common.lexicon_dir;
  options.threads = args.common.threads;
  options.batch_size = args.batch_size;
  options.progress = !args.no_progress && stderr_is_terminal();
  auto summary = RunExtraction(options);
  if (!summary.ok()) return fail(summary.status().ToString());  // nothing was written: no summary
  print_summary_to_stderr(*summary);
  return kExitOk;
}

}  // namespace

Command add_extract_command(CLI::App& parent) {
  auto args = std::make_shared<ExtractArgs>();
  CLI::App* app = parent.add_subcommand(
      "extract", "Extract the key information of every report into KeyInfo JSONL");
  ExtractCommonOptions& common = args->common;
  add_corpus_option(*app, common.corpus_kind)->capture_default_str();
  add_reports_option(*app, common.reports)->required();
  add_metadata_option(*app, common.metadata, "study order for MIMIC; subject, image, view, split for any corpus");
  app->add_option("--out", common.out, "KeyInfo JSONL to write (rewritten)")->required();
  add_threads_option(*app, common.threads);
  add_lexicon_option(*app, common.lexicon_dir);
  app->add_option("--extractor", args->extractor, "rules (no server) or llm")
      ->capture_default_str()
      ->check(CLI::IsMember({"rules", "llm"}));
  app->add_option("--batch-size", args->batch_size, "Reports held in memory at once (rules)")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app->add_flag("--no-progress", args->no_progress, "Never draw the progress bar");
  ExtractLlmOptions& llm = add_llm_extract_options(*app);

  Command command;
  command.app = app;
  command.run = [args, &llm] {
    if (args->extractor == "llm") return run_llm_extract(args->common, llm);
    return run_rules_extract(*args);
  };
  return command;
}

}  // namespace cxrvqa::app
