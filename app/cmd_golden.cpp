// cxrvqa golden select: a seeded, reproducible sample of study ids for the golden set.
#include <cstdio>
#include <memory>
#include <string>

#include "command.h"
#include "options.h"
#include "golden/golden.h"
#include "followup_cli.h"

namespace cxrvqa::app {
namespace {

struct GoldenSelectFlags {
  CorpusOptions corpus;
  size_t n = 100;
  uint64_t seed = 0;
  std::string exclude;
  std::string out;
};

int run_golden_select(const GoldenSelectFlags& flags) {
  GoldenOptions options;
  auto source = corpus_source(flags.corpus);
  if (!source.ok()) return fail(source.status().ToString());
  options.corpus = std::move(*source);
  options.n = flags.n;
  options.seed = flags.seed;
  options.exclude = optional_path(flags.exclude);
  options.out = flags.out;
  auto summary = RunGolden(options);
  if (!summary.ok()) return fail(summary.status().ToString());
  std::fputs(summary->ToString().c_str(), stdout);
  if (summary->selected < summary->requested) {
    std::fprintf(stderr, "warning: only %zu of the %zu requested studies are available\n", summary->selected,
                 summary->requested);
  }
  return kExitOk;
}

}  // namespace

Command add_golden_command(CLI::App& parent) {
  auto options = std::make_shared<GoldenSelectFlags>();
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
