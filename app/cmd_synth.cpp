// cxrvqa synth: a synthetic MIMIC-CXR-like corpus (report tree + mimic_all.csv).
#include <cstdio>
#include <memory>
#include <string>

#include "command.h"
#include "options.h"
#include "common/progress.h"
#include "synth/synth.h"

namespace cxrvqa::app {

namespace {

struct SynthCommandOptions {
  size_t studies = 1000;
  std::string out;
  uint64_t seed = 0;
  unsigned threads = 0;
  std::string templates;
};

int run_synth(const SynthCommandOptions& options) {
  SynthOptions synth;
  synth.studies = options.studies;
  synth.seed = options.seed;
  synth.threads = options.threads;
  if (!options.templates.empty()) synth.templates = options.templates;
  Progress timer("synth", 0, false);
  auto summary = write_synthetic_corpus(options.out, synth);
  if (!summary.ok()) return fail(summary.status().ToString());
  std::printf("synth: %zu studies, %zu subjects, %zu frontal -> %s (%.1f s)\n", summary->studies,
              summary->subjects, summary->frontal, options.out.c_str(), timer.elapsed_seconds());
  return kExitOk;
}

}  // namespace

Command add_synth_command(CLI::App& parent) {
  auto options = std::make_shared<SynthCommandOptions>();
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
