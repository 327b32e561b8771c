// cxrvqa golden select: a seeded, reproducible sample of study ids for the golden set.
#include <memory>
#include <string>
#include <unordered_set>

#include "command.h"
#include "options.h"
#include "common/file_io.h"
#include "golden/golden.h"
#include "followup_cli.h"

namespace cxrvqa::app {
namespace {

struct GoldenSelectOptions {
  CorpusOptions corpus;
  size_t n = 100;
  uint64_t seed = 0;
  std::string exclude;
  std::string out;
};

int run_golden_select(const GoldenSelectOptions& options) {
  auto source = corpus_source(options.corpus);
  if (!source.ok()) return fail(source.status().ToString());
  std::unordered_set<std::string> exclude;
  if (!options.exclude.empty()) {
    auto listed = read_id_list(options.exclude);
    if (!listed.ok()) return fail(listed.status().ToString());
    exclude = std::move(*listed);
  }
  std::vector<CorpusIssue> issues;
  auto candidates = read_study_ids(*source, issues);
  if (!candidates.ok()) return fail(candidates.status().ToString());
  log_corpus_issues(issues);

  std::vector<std::string> chosen = select_golden_ids(*candidates, options.n, options.seed, exclude);
  std::string text;
  for (const std::string& id : chosen) text.append(id).push_back('\n');
  Status written = write_file_atomic(options.out, text);
  if (!written.ok()) return fail(written.ToString());

  size_t excluded = 0;
  for (const std::string& id : *candidates) excluded += exclude.count(id);
  std::printf("golden select: %zu studies with report text, %zu excluded (%zu ids listed), "
              "%zu selected (seed %llu) -> %s\n",
              candidates->size(), excluded, exclude.size(), chosen.size(),
              static_cast<unsigned long long>(options.seed), options.out.c_str());
  if (chosen.size() < options.n) {
    std::fprintf(stderr, "warning: only %zu of the %zu requested studies are available\n",
                 chosen.size(), options.n);
  }
  return kExitOk;
}

}  // namespace

Command add_golden_command(CLI::App& parent) {
  auto options = std::make_shared<GoldenSelectOptions>();
  Command command;
  command.app = parent.add_subcommand("golden", "Golden set tools");
  command.app->require_subcommand(1);
  CLI::App* select = command.app->add_subcommand(
      "select", "Pick a seeded, reproducible sample of study ids (one per line)");
  add_corpus_options(*select, options->corpus);
  select->add_option("--n", options->n, "Number of studies")->default_val(100)
      ->check(CLI::PositiveNumber);
  add_seed_option(*select, options->seed, "selection")->default_val(0);
  select->add_option("--exclude", options->exclude,
                     "File of study ids never to pick (e.g. reserved for clinician review)");
  select->add_option("--out", options->out, "Output file: study ids, one per line")->required();
  command.run = [options] { return run_golden_select(*options); };
  return command;
}

}  // namespace cxrvqa::app
