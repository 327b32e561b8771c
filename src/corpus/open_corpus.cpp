#include "corpus/metadata.h"
#include "corpus/readers.h"
#include "corpus/report.h"

namespace cxrvqa {

Result<std::unique_ptr<CorpusReader>> open_corpus(
    CorpusKind kind, const std::filesystem::path& reports,
    const std::optional<std::filesystem::path>& metadata) {
  switch (kind) {
    case CorpusKind::kMimic: {
      if (!metadata) return corpus_internal::open_mimic_tree(reports);
      std::vector<CorpusIssue> issues;
      CXRVQA_ASSIGN_OR_RETURN(auto records, read_mimic_all(*metadata, issues));
      auto reader = open_mimic_corpus(
          reports, std::make_shared<const std::vector<StudyRecord>>(std::move(records)));
      if (reader.ok()) (*reader)->add_issues(std::move(issues));
      return reader;
    }
    case CorpusKind::kIu: return corpus_internal::open_iu_csv(reports);
    case CorpusKind::kCsv: return corpus_internal::open_generic_csv(reports);
    case CorpusKind::kJsonl: return corpus_internal::open_jsonl(reports);
    case CorpusKind::kR2gen: return corpus_internal::open_r2gen(reports);
  }
  return Status::InvalidArgument("unknown corpus kind");
}

}  // namespace cxrvqa
