// The CSV reader over any bytes: the generic record parser, the file reader (quotes spanning
// lines, resynchronisation after broken rows), and the corpus and metadata readers built on
// it. Properties: every row it accepts writes back to the same fields; a broken row's line
// number never goes backwards.
#include "common/csv.h"
#include "corpus/metadata.h"
#include "corpus/report.h"
#include "fuzz_input.h"

using namespace cxrvqa;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text = fuzz::as_text(data, size);
  std::vector<std::string> fields, again;
  if (parse_csv_fields(text, fields) == CsvParse::kComplete) {
    fuzz::require(parse_csv_record(csv_line(fields), again) && again == fields, "a parsed record writes back as itself");
  }

  const auto& path = fuzz::write_input("csv", text);
  if (auto reader = CsvReader::Open(path); reader.ok()) {
    CsvRow row;
    size_t last_line = 0;
    while ((*reader)->Next(row)) {
      fuzz::require(row.line > last_line, "rows come in line order");
      last_line = row.line;
      if (!row.error.empty()) continue;
      fuzz::require(parse_csv_record(csv_line(row.fields), again) && again == row.fields,
                    "an accepted row writes back as itself");
    }
  }
  if (auto corpus = open_corpus(CorpusKind::kCsv, path, std::nullopt); corpus.ok()) {
    Report report;
    while ((*corpus)->Next(report)) {
    }
    for (const auto& issue : (*corpus)->issues()) issue.ToString();
  }
  std::vector<CorpusIssue> issues;
  auto studies = read_mimic_all(path, issues);
  fuzz::require(studies.ok() || !studies.status().message().empty(), "a failure says why");
  return 0;
}
