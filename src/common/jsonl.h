// Reading JSON Lines files with per-line error reporting.
#pragma once

#include <filesystem>
#include <functional>
#include <string>

#include "common/json.h"

#include "common/status.h"

namespace cxrvqa {

// A line of a JSONL file that could not be used.
struct LineError {
  std::filesystem::path file;
  size_t line = 0;
  std::string message;
  // "<file>:<line>: <message>"
  std::string ToString() const;
};

// Calls `on_line(text, line_number)` for each non-blank line, and `on_error` for each line
// for which it returns a non-OK Status. Returns a non-OK Status only when the file cannot be
// opened or read.
Status for_each_jsonl_line(const std::filesystem::path& path,
                           const std::function<Status(std::string_view, size_t)>& on_line,
                           const std::function<void(const LineError&)>& on_error);

// One line as JSON (parse_json: nesting bounded by kMaxJsonDepth); ParseError with the reason
// when it is not usable.
Result<Json> parse_json_line(std::string_view line);

// Calls `on_record(json, line_number)` for each non-blank line that parses as JSON and
// `on_error` for each that does not (or for which on_record returns a non-OK Status).
// Returns a non-OK Status only when the file cannot be opened or read.
Status for_each_jsonl(const std::filesystem::path& path,
                      const std::function<Status(const Json&, size_t)>& on_record,
                      const std::function<void(const LineError&)>& on_error);

}  // namespace cxrvqa
