// cxrvqa standardize: KeyInfo as an LLM writes it -> the strict schema.
#include <cstdio>
#include <memory>
#include <optional>
#include <string>

#include "command.h"
#include "options.h"
#include "summary_output.h"
#include "standardize/standardize.h"

namespace cxrvqa::app {

namespace {

struct StandardizeCliOptions {
  std::string in;
  std::string out;
  std::string rejects;
  std::string libraries;
  std::string lexicon_dir;
  unsigned threads = 0;
};

int run_standardize(const StandardizeCliOptions& cli) {
  StandardizeOptions options;
  options.in = cli.in;
  options.out = cli.out;
  options.rejects = optional_path(cli.rejects);
  options.libraries = optional_path(cli.libraries);
  options.threads = cli.threads;
  options.lexicon_dir = optional_path(cli.lexicon_dir);
  return print_result(RunStandardize(options), /*json=*/false);
}

}  // namespace

Command add_standardize_command(CLI::App& parent) {
  auto options = std::make_shared<StandardizeCliOptions>();
  Command command;
  command.app = parent.add_subcommand(
      "standardize", "Rewrite KeyInfo as an LLM writes it (any JSON shape) into the strict schema");
  command.app->add_option("--in", options->in, "KeyInfo JSONL to repair (plain or .gz)")->required();
  command.app->add_option("--out", options->out, "Standardized KeyInfo JSONL")->required();
  command.app->add_option("--rejects", options->rejects,
                          "Lines that cannot be repaired, with file, line and reason "
                          "(default: <out>.rejects.jsonl)");
  command.app->add_option("--libraries", options->libraries,
                          "Frequency libraries used to re-file attribute words (default: computed "
                          "from this input)");
  add_lexicon_option(*command.app, options->lexicon_dir);
  add_threads_option(*command.app, options->threads);
  command.run = [options] { return run_standardize(*options); };
  return command;
}

}  // namespace cxrvqa::app
