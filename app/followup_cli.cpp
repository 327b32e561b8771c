#include "followup_cli.h"

#include "options.h"

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

}  // namespace cxrvqa::app
