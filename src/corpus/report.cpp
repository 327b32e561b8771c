#include "corpus/report.h"

#include "common/text.h"

namespace cxrvqa {

std::string CorpusIssue::ToString() const {
  std::string out = file;
  if (line > 0) out += ":" + std::to_string(line);
  if (looks_like_id(study_id)) out += " study " + study_id;  // never misparsed report text
  out += ": " + reason;
  return out;
}

std::string CorpusIssue::kind() const { return reason.substr(0, reason.find(':')); }

Result<CorpusKind> parse_corpus_kind(std::string_view name) {
  std::string lower = to_lower(trim(name));
  if (lower == "mimic") return CorpusKind::kMimic;
  if (lower == "iu") return CorpusKind::kIu;
  if (lower == "csv") return CorpusKind::kCsv;
  if (lower == "jsonl") return CorpusKind::kJsonl;
  if (lower == "r2gen") return CorpusKind::kR2gen;
  return Status::InvalidArgument("unknown corpus kind '" + std::string(name) +
                                 "' (expected mimic, iu, r2gen, csv or jsonl)");
}

std::string_view corpus_kind_name(CorpusKind kind) {
  switch (kind) {
    case CorpusKind::kMimic: return "mimic";
    case CorpusKind::kIu: return "iu";
    case CorpusKind::kCsv: return "csv";
    case CorpusKind::kJsonl: return "jsonl";
    case CorpusKind::kR2gen: return "r2gen";
  }
  return "unknown";
}

CorpusReader::~CorpusReader() = default;

bool CorpusReader::accept_report(Report& report, const std::string& file, size_t line) {
  if (!is_valid_utf8(report.text)) {
    size_t replaced = 0;
    report.text = sanitize_utf8(report.text, &replaced);
    add_issue({file, line, report.study_id,
               "invalid UTF-8: " + std::to_string(replaced) + " byte(s) replaced"});
  }
  if (trim(report.text).empty()) {
    add_issue({file, line, report.study_id, "empty report"});
    return false;
  }
  return true;
}

}  // namespace cxrvqa
