// KeyInfo JSONL: the strict fast reader, the JSON reader, the standardizer's lenient reader
// and the JSONL corpus reader over any line. Properties: the strict reader accepts only what
// the JSON reader reads the same way; a standardized record reads back through the strict
// reader.
#include <memory>

#include "common/json.h"
#include "common/jsonl.h"
#include "corpus/report.h"
#include "fuzz_input.h"
#include "keyinfo/keyinfo.h"
#include "lexicon/lexicon.h"
#include "standardize/standardize.h"

using namespace cxrvqa;

namespace {

const Standardizer& standardizer() {
  static const Standardizer instance(Lexicon::Load(std::nullopt).value());
  return instance;
}

void check_line(std::string_view line) {
  KeyInfo strict;
  if (parse_strict_keyinfo_line(line, strict)) {
    auto json = parse_json(line);
    fuzz::require(json.ok(), "a strict line is JSON");
    auto record = keyinfo_from_json(*json);
    fuzz::require(record.ok() && *record == strict, "the strict reader agrees with the JSON reader");
  } else if (auto json = parse_json(line); json.ok()) {
    auto record = keyinfo_from_json(*json);
    fuzz::require(record.ok() || record.status().code() == StatusCode::kParseError,
                  "an off-schema record is a ParseError");
  }
  RepairCounts repairs;
  auto repaired = standardizer().RepairLine(line, repairs);
  if (repaired.ok()) {
    KeyInfo again;
    fuzz::require(parse_strict_keyinfo_line(keyinfo_to_json_line(*repaired), again) && again == *repaired,
                  "a standardized record is strict");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text = fuzz::as_text(data, size);
  for (size_t start = 0; start <= text.size();) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    check_line(text.substr(start, end - start));
    start = end + 1;
  }
  const auto& path = fuzz::write_input("jsonl", text);
  std::vector<LineError> errors;
  auto records = read_keyinfo_jsonl(path, errors);
  fuzz::require(records.ok() || !records.status().message().empty(), "a failure says why");
  if (auto corpus = open_corpus(CorpusKind::kJsonl, path, std::nullopt); corpus.ok()) {
    Report report;
    while ((*corpus)->Next(report)) {
    }
  }
  return 0;
}
