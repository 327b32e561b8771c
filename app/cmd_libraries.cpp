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

struct LibrariesOptions {
  std::string in;
  std::string out;
  std::string lexicon_dir;
};

int run_libraries(const LibrariesOptions& options) {
  std::optional<std::filesystem::path> lexicon_dir;
  if (!options.lexicon_dir.empty()) lexicon_dir = options.lexicon_dir;
  auto lexicon = Lexicon::Load(lexicon_dir);
  if (!lexicon.ok()) return fail(lexicon.status().ToString());
  std::filesystem::path in = options.in;
  std::error_code ec;
  if (std::filesystem::equivalent(in.parent_path().empty() ? "." : in.parent_path(), options.out, ec)) {
    return fail("refusing to write the folder " + options.out + ": it holds the input " + options.in +
                ", which would be replaced");
  }
  std::vector<LineError> errors;
  auto records = read_keyinfo_jsonl(options.in, errors);
  if (!records.ok()) return fail(records.status().ToString());
  for (const auto& error : errors) spdlog::warn("{}", error.ToString());
  Libraries libraries = compute_libraries(*records, lexicon->get());
  Status written = write_libraries(libraries, options.out);
  if (!written.ok()) return fail(written.ToString());
  std::printf("libraries: %zu records read, %zu lines skipped; %zu entities, %zu locations, "
              "%zu levels, %zu types, %zu diseases -> %s\n",
              records->size(), errors.size(), libraries.entity.size(), libraries.location.size(),
              libraries.level.size(), libraries.type.size(), libraries.diseases.size(),
              options.out.c_str());
  return kExitOk;
}

}  // namespace

Command add_libraries_command(CLI::App& parent) {
  auto options = std::make_shared<LibrariesOptions>();
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
