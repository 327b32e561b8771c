// cxrvqa prepare-metadata: mimic_all.csv (one row per study) from MIMIC-CXR-JPG's tables, or
// the same table for a corpus without one (IU X-ray, R2Gen's annotation.json, CSV, JSONL).
#include <memory>
#include <string>

#include "command.h"
#include "options.h"
#include "corpus/metadata.h"
#include "summary_output.h"

namespace cxrvqa::app {

namespace {

struct PrepareCliOptions {
  PrepareMetadataOptions options;
  std::string projections;
};

// The counts go to standard error, also when writing the table failed.
int run_prepare(const PrepareCliOptions& cli) {
  PrepareMetadataOptions options = cli.options;
  options.other.projections = optional_path(cli.projections);
  options.on_error = print_summary_to_stderr<PrepareMetadataSummary>;
  auto result = RunPrepareMetadata(options);
  if (!result.ok()) return fail(result.status().ToString());
  print_summary_to_stderr(*result);
  return kExitOk;
}

}  // namespace

Command add_prepare_metadata_command(CLI::App& parent) {
  auto cli = std::make_shared<PrepareCliOptions>();
  PrepareMetadataOptions& options = cli->options;
  CLI::App* app = parent.add_subcommand(
      "prepare-metadata",
      "Build mimic_all.csv (one row per study) from MIMIC-CXR-JPG tables, or for IU X-ray / R2Gen / CSV / JSONL");
  add_corpus_option(*app, options.corpus);
  app->add_option("--metadata", options.mimic.metadata, "mimic: mimic-cxr-2.0.0-metadata.csv[.gz]")
      ->check(CLI::ExistingFile);
  app->add_option("--split", options.mimic.split, "mimic: mimic-cxr-2.0.0-split.csv[.gz]")->check(CLI::ExistingFile);
  app->add_option("--chexpert", options.mimic.chexpert,
                  "mimic: mimic-cxr-2.0.0-chexpert.csv[.gz] (optional; counts studies it lacks)")
      ->check(CLI::ExistingFile);
  app->add_option("--reports", options.other.reports, "iu/r2gen/csv/jsonl: the report file or annotation.json")
      ->check(CLI::ExistingFile);
  app->add_option("--projections", cli->projections, "iu/r2gen: indiana_projections.csv (uid,filename,projection)")
      ->check(CLI::ExistingFile);
  add_seed_option(*app, options.other.seed, "drawn patient-level split");
  app->add_option("--out", options.out, "mimic_all.csv to write")->required();
  Command command;
  command.app = app;
  command.run = [cli] { return run_prepare(*cli); };
  return command;
}

}  // namespace cxrvqa::app
