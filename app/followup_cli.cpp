#include "followup_cli.h"

#include <spdlog/spdlog.h>

namespace cxrvqa::app {
namespace {

constexpr size_t kShownProblems = 10;

template <typename Problem>
void log_first(const std::vector<Problem>& problems, const char* what) {
  for (size_t i = 0; i < problems.size() && i < kShownProblems; ++i) {
    spdlog::warn("{}", problems[i].ToString());
  }
  if (problems.size() > kShownProblems) {
    spdlog::warn("... {} {} in all", problems.size(), what);
  }
}

}  // namespace

void add_corpus_options(CLI::App& command, CorpusOptions& options) {
  command.add_option("--corpus", options.kind, "Corpus kind: mimic | iu | csv | jsonl")
      ->default_val("mimic");
  command.add_option("--reports", options.reports, "Corpus: MIMIC-CXR tree root, or the CSV/JSONL file")
      ->required();
  command.add_option("--metadata", options.metadata, "mimic_all.csv (MIMIC corpus only)");
}

Result<CorpusSource> corpus_source(const CorpusOptions& options) {
  Result<CorpusKind> kind = parse_corpus_kind(options.kind);
  if (!kind.ok()) return kind.status();
  return CorpusSource{*kind, options.reports, optional_path(options.metadata)};
}

Result<std::vector<KeyInfo>> read_keyinfo_logged(const std::filesystem::path& path,
                                                 size_t& skipped_lines) {
  std::vector<LineError> errors;
  auto records = read_keyinfo_jsonl(path, errors);
  log_first(errors, "unusable KeyInfo lines");
  skipped_lines = errors.size();
  return records;
}

void log_corpus_issues(const std::vector<CorpusIssue>& issues) { log_first(issues, "corpus issues"); }

std::optional<std::filesystem::path> optional_path(const std::string& value) {
  if (value.empty()) return std::nullopt;
  return std::filesystem::path(value);
}

}  // namespace cxrvqa::app
