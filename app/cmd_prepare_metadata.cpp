// cxrvqa prepare-metadata: mimic_all.csv (one row per study) from MIMIC-CXR-JPG's tables.
#include <cstdio>
#include <memory>

#include <fmt/format.h>

#include "command.h"
#include "common/file_io.h"
#include "corpus/metadata.h"

namespace cxrvqa::app {

namespace {

constexpr size_t kIssuesShown = 10;

struct PrepareArgs {
  PrepareMetadataInputs inputs;
  std::filesystem::path out;
};

void print_summary(const PrepareMetadataSummary& s, const std::filesystem::path& out) {
  std::string text = fmt::format(
      "{}: {} studies of {} subjects from {} image rows; {} with a frontal image, {} without "
      "a split{}\n",
      out.string(), s.studies, s.subjects, s.image_rows, s.frontal_studies, s.without_split,
      s.chexpert_missing > 0 ? fmt::format(", {} not in the CheXpert table", s.chexpert_missing)
                             : std::string());
  if (!s.issues.empty()) {
    text += fmt::format("{} row issue(s); first ones:\n", s.issues.size());
    for (size_t i = 0; i < s.issues.size() && i < kIssuesShown; ++i) {
      text += "  " + s.issues[i].ToString() + "\n";
    }
  }
  std::fputs(text.c_str(), stderr);
}

int run_prepare(const PrepareArgs& args) {
  std::vector<std::filesystem::path> inputs = {args.inputs.metadata, args.inputs.split};
  if (args.inputs.chexpert) inputs.push_back(*args.inputs.chexpert);
  Status apart = check_outputs_apart({args.out}, inputs);
  if (!apart.ok()) return fail(apart.message());
  PrepareMetadataSummary summary;
  auto records = build_mimic_all(args.inputs, &summary);
  if (!records.ok()) return fail(records.status().ToString());
  Status written = write_mimic_all(args.out, *records);
  if (!written.ok()) return fail(written.ToString());
  print_summary(summary, args.out);
  return kExitOk;
}

}  // namespace

Command add_prepare_metadata_command(CLI::App& parent) {
  auto args = std::make_shared<PrepareArgs>();
  CLI::App* app = parent.add_subcommand(
      "prepare-metadata", "Build mimic_all.csv (one row per study) from MIMIC-CXR-JPG tables");
  app->add_option("--metadata", args->inputs.metadata, "mimic-cxr-2.0.0-metadata.csv[.gz]")
      ->required()
      ->check(CLI::ExistingFile);
  app->add_option("--split", args->inputs.split, "mimic-cxr-2.0.0-split.csv[.gz]")
      ->required()
      ->check(CLI::ExistingFile);
  app->add_option("--chexpert", args->inputs.chexpert,
                  "mimic-cxr-2.0.0-chexpert.csv[.gz] (optional; counts studies it lacks)")
      ->check(CLI::ExistingFile);
  app->add_option("--out", args->out, "mimic_all.csv to write")->required();
  Command command;
  command.app = app;
  command.run = [args] { return run_prepare(*args); };
  return command;
}

}  // namespace cxrvqa::app
