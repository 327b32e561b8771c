// cxrvqa prepare-metadata: mimic_all.csv (one row per study) from MIMIC-CXR-JPG's tables, or
// the same table for a corpus without one (IU X-ray, R2Gen's annotation.json, CSV, JSONL).
#include <cstdio>
#include <memory>

#include <fmt/format.h>

#include "command.h"
#include "options.h"
#include "common/file_io.h"
#include "corpus/metadata.h"

namespace cxrvqa::app {

namespace {

constexpr size_t kIssuesShown = 10;

struct PrepareArgs {
  std::string corpus = "mimic";
  PrepareMetadataInputs inputs;
  CorpusMetadataInputs corpus_inputs;
  std::string projections;
  std::filesystem::path out;
};

void print_issues(const std::vector<CorpusIssue>& issues) {
  if (issues.empty()) return;
  std::string text = fmt::format("{} row issue(s); first ones:\n", issues.size());
  for (size_t i = 0; i < issues.size() && i < kIssuesShown; ++i) text += "  " + issues[i].ToString() + "\n";
  std::fputs(text.c_str(), stderr);
}

void print_summary(const PrepareMetadataSummary& s, const std::filesystem::path& out) {
  std::string text = fmt::format(
      "{}: {} studies of {} subjects from {} image rows; {} with a frontal image, {} without "
      "a split{}\n",
      out.string(), s.studies, s.subjects, s.image_rows, s.frontal_studies, s.without_split,
      s.chexpert_missing > 0 ? fmt::format(", {} not in the CheXpert table", s.chexpert_missing)
                             : std::string());
  std::fputs(text.c_str(), stderr);
  print_issues(s.issues);
}

Result<std::vector<StudyRecord>> prepare(PrepareArgs& args) {
  CXRVQA_ASSIGN_OR_RETURN(auto kind, parse_corpus_kind(args.corpus));
  std::vector<std::filesystem::path> inputs = {args.inputs.metadata, args.inputs.split,
                                                args.corpus_inputs.reports, args.projections};
  if (args.inputs.chexpert) inputs.push_back(*args.inputs.chexpert);
  std::erase_if(inputs, [](const std::filesystem::path& path) { return path.empty(); });
  CXRVQA_RETURN_IF_ERROR(check_outputs_apart({args.out}, inputs));
  if (kind == CorpusKind::kMimic) {
    if (args.inputs.metadata.empty() || args.inputs.split.empty()) {
      return Status::InvalidArgument("--corpus mimic needs --metadata and --split (MIMIC-CXR-JPG tables)");
    }
    PrepareMetadataSummary summary;
    auto records = build_mimic_all(args.inputs, &summary);
    if (records.ok()) print_summary(summary, args.out);
    return records;
  }
  if (args.corpus_inputs.reports.empty()) return Status::InvalidArgument("--corpus " + args.corpus + " needs --reports");
  args.corpus_inputs.corpus = kind;
  if (!args.projections.empty()) args.corpus_inputs.projections = args.projections;
  CorpusMetadataSummary summary;
  auto records = build_corpus_metadata(args.corpus_inputs, &summary);
  if (records.ok()) {
    std::fputs((args.out.string() + ": " + summary.ToString()).c_str(), stderr);
    print_issues(summary.issues);
  }
  return records;
}

int run_prepare(PrepareArgs& args) {
  auto records = prepare(args);
  if (!records.ok()) return fail(records.status().ToString());
  Status written = write_mimic_all(args.out, *records);
  if (!written.ok()) return fail(written.ToString());
  return kExitOk;
}

}  // namespace

Command add_prepare_metadata_command(CLI::App& parent) {
  auto args = std::make_shared<PrepareArgs>();
  CLI::App* app = parent.add_subcommand(
      "prepare-metadata",
      "Build mimic_all.csv (one row per study) from MIMIC-CXR-JPG tables, or for IU X-ray / R2Gen / CSV / JSONL");
  add_corpus_option(*app, args->corpus);
  app->add_option("--metadata", args->inputs.metadata, "mimic: mimic-cxr-2.0.0-metadata.csv[.gz]")
      ->check(CLI::ExistingFile);
  app->add_option("--split", args->inputs.split, "mimic: mimic-cxr-2.0.0-split.csv[.gz]")->check(CLI::ExistingFile);
  app->add_option("--chexpert", args->inputs.chexpert,
                  "mimic: mimic-cxr-2.0.0-chexpert.csv[.gz] (optional; counts studies it lacks)")
      ->check(CLI::ExistingFile);
  app->add_option("--reports", args->corpus_inputs.reports, "iu/r2gen/csv/jsonl: the report file or annotation.json")
      ->check(CLI::ExistingFile);
  app->add_option("--projections", args->projections, "iu/r2gen: indiana_projections.csv (uid,filename,projection)")
      ->check(CLI::ExistingFile);
  add_seed_option(*app, args->corpus_inputs.seed, "drawn patient-level split");
  app->add_option("--out", args->out, "mimic_all.csv to write")->required();
  Command command;
  command.app = app;
  command.run = [args] { return run_prepare(*args); };
  return command;
}

}  // namespace cxrvqa::app
