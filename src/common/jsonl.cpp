#include "common/jsonl.h"

#include "common/file_io.h"
#include "common/text.h"

namespace cxrvqa {

std::string LineError::ToString() const {
  return file.string() + ":" + std::to_string(line) + ": " + message;
}

Status for_each_jsonl_line(const std::filesystem::path& path,
                           const std::function<Status(std::string_view, size_t)>& on_line,
                           const std::function<void(const LineError&)>& on_error) {
  CXRVQA_ASSIGN_OR_RETURN(auto reader, LineReader::Open(path));
  std::string line;
  while (reader->Next(line)) {
    if (trim(line).empty()) continue;
    size_t number = reader->line_number();
    Status status = on_line(line, number);
    if (!status.ok()) on_error({path, number, status.message()});
  }
  return reader->status();
}

Result<Json> parse_json_line(std::string_view line) { return parse_json(line); }

Status for_each_jsonl(const std::filesystem::path& path,
                      const std::function<Status(const Json&, size_t)>& on_record,
                      const std::function<void(const LineError&)>& on_error) {
  return for_each_jsonl_line(
      path,
      [&](std::string_view line, size_t number) -> Status {
        CXRVQA_ASSIGN_OR_RETURN(auto record, parse_json_line(line));
        return on_record(record, number);
      },
      on_error);
}

}  // namespace cxrvqa
