#include "followup_cli.h"

#include "options.h"

#include "followup/followup_run.h"

namespace cxrvqa::app {

void add_corpus_options(CLI::App& command, CorpusOptions& options) {
  add_corpus_option(command, options.kind)->default_val("mimic");
  add_reports_option(command, options.reports)->required();
  add_metadata_option(command, options.metadata);
}

Result<CorpusSource> corpus_source(const CorpusOptions& options) {
  Result<CorpusKind> kind = parse_corpus_kind(options.kind);
  if (!kind.ok()) return kind.status();
  return CorpusSource{*kind, options.reports, optional_path(options.metadata)};
}

Result<std::vector<KeyInfo>> read_keyinfo_logged(const std::filesystem::path& path,
                                                 size_t& skipped_lines) {
  return read_keyinfo_warned(path, skipped_lines);
}

void log_corpus_issues(const std::vector<CorpusIssue>& issues) { warn_corpus_issues(issues); }

}  // namespace cxrvqa::app
