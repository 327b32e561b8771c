// cxrvqa libraries: frequency dictionaries and the merged disease library of a KeyInfo set.
#include <spdlog/spdlog.h>

#include <memory>
#include <optional>
#include <string>

#include "command.h"
#include "options.h"
#include "keyinfo/keyinfo.h"
#include "lexicon/lexicon.h"
#include "libraries/libraries.h"

namespace cxrvqa::app {

namespace {

struct LibrariesArgs {
  std::string in;
  std::string out;
  std::string lexicon_dir;
};

int run_libraries(const LibrariesArgs& args) {
  auto lexicon = Lexicon::Load(optional_path(args.lexicon_dir));
  if (!lexicon.ok()) return fail(lexicon.status().ToString());
  auto summary = RunLibraries({args.in, args.out, lexicon->get()});
  if (!summary.ok()) return fail(summary.status().ToString());
  warn_first_problems("unreadable KeyInfo lines", summary->bad_lines);
  std::fputs(summary->ToString(args.out).c_str(), stdout);
  return kExitOk;
}

}  // namespace

Command add_libraries_command(CLI::App& parent) {
  auto options = std::make_shared<LibrariesArgs>();
  Command command;
  command.app = parent.add_subcommand(
      "libraries", "Frequency dictionaries (entity, location, level, type) and the disease library");
  command.app->add_option("--in", options->in, "Standardized KeyInfo JSONL")->required();
  command.app->add_option("--out", options->out, "Output directory")->required();
  add_lexicon_option(*command.app, options->lexicon_dir);
  command.run = [options] { return run_libraries(*options); };
  return command;
}

}  // namespace cxrvqa::app
