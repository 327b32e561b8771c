// RunStandardize: the standardize stage as `cxrvqa standardize` and the pipeline run it.
#include "standardize/standardize.h"

namespace cxrvqa {

std::filesystem::path StandardizeOptions::rejects_file() const {
  return rejects ? *rejects : std::filesystem::path(out.string() + ".rejects.jsonl");
}

Result<StandardizeSummary> RunStandardize(const StandardizeOptions& options) {
  std::shared_ptr<const Lexicon> lexicon = options.lexicon;
  if (!lexicon) {
    CXRVQA_ASSIGN_OR_RETURN(lexicon, Lexicon::Load(options.lexicon_dir));
  }
  const Standardizer standardizer(lexicon);
  CXRVQA_ASSIGN_OR_RETURN(auto summary, standardize_file(standardizer, options));
  summary.rejects = options.rejects_file();
  return summary;
}

}  // namespace cxrvqa
