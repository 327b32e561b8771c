#include "common/jsonl.h"

#include "common/file_io.h"
#include "common/text.h"

namespace cxrvqa {

std::string LineError::ToString() const {
  return file.string() + ":" + std::to_string(line) + ": " + message;
}

Status for_each_jsonl(const std::filesystem::path& path,
                      const std::function<Status(const Json&, size_t)>& on_record,
                      const std::function<void(const LineError&)>& on_error) {
  auto reader = LineReader::Open(path);
  if (!reader.ok()) return reader.status();
  std::string line;
  while ((*reader)->Next(line)) {
    if (trim(line).empty()) continue;
    size_t number = (*reader)->line_number();
    Json record = Json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (record.is_discarded()) {
      on_error({path, number, "not valid JSON"});
      continue;
    }
    Status status = on_record(record, number);
    if (!status.ok()) on_error({path, number, status.message()});
  }
  return (*reader)->status();
}

}  // namespace cxrvqa
