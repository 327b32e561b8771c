// cxrvqa synth: a synthetic MIMIC-CXR-like corpus (report tree + mimic_all.csv).
#include <memory>
#include <string>

#include "command.h"
#include "options.h"
#include "summary_output.h"
#include "synth/synth.h"

namespace cxrvqa::app {

namespace {

struct SynthCliOptions {
  size_t studies = 1000;
  std::string out;
  uint64_t seed = 0;
  unsigned threads = 0;
  std::string templates;
};

int run_synth(const SynthCliOptions& cli) {
  SynthOptions options;
  options.studies = cli.studies;
  options.seed = cli.seed;
  options.threads = cli.threads;
  options.templates = optional_path(cli.templates);
  options.out = cli.out;
  return print_result(RunSynth(options), false);
}

}  // namespace

Command add_synth_command(CLI::App& parent) {
  auto options = std::make_shared<SynthCliOptions>();
  Command command;
  command.app = parent.add_subcommand("synth", "Write a synthetic MIMIC-CXR-like corpus for tests and benchmarks");
  command.app->add_option("--studies", options->studies, "Number of studies")->check(CLI::PositiveNumber);
  command.app->add_option("--out", options->out, "Output directory (files/ tree and mimic_all.csv)")->required();
  add_seed_option(*command.app, options->seed, "synthetic corpus");
  add_threads_option(*command.app, options->threads);
  command.app->add_option("--templates", options->templates,
                          "Directory with synth_findings.csv and synth_sentences.csv (default: embedded)");
  command.run = [options] { return run_synth(*options); };
  return command;
}

}  // namespace cxrvqa::app
