// RFC 4180 CSV reading (quoted fields, doubled quotes, newlines inside quotes) over a plain
// or gzip file, and CSV writing. Malformed rows are returned with an error, not skipped.
#pragma once

#include <deque>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/file_io.h"
#include "common/status.h"

namespace cxrvqa {

struct CsvRow {
  size_t line = 0;                  // line number where the row starts (header is line 1)
  std::vector<std::string> fields;
  // Non-empty when the row is malformed. Its fields then hold what its first line reads as
  // (for the record's id in messages; check it with looks_like_id before showing it).
  std::string error;

  // Field `column`, or "" when the row is shorter.
  std::string_view get(size_t column) const {
    return column < fields.size() ? std::string_view(fields[column]) : std::string_view();
  }
};

class CsvReader {
 public:
  // Opens `path` and reads its header row.
  static Result<std::unique_ptr<CsvReader>> Open(const std::filesystem::path& path);

  const std::vector<std::string>& header() const { return header_; }
  // Index of the header column named `name` (exact match), if any.
  std::optional<size_t> column(std::string_view name) const;
  // Indexes of `names`; NotFound naming the file and the first missing column.
  Result<std::vector<size_t>> require_columns(const std::vector<std::string>& names) const;

  // Reads the next row; false at end of input. A row whose field count differs from the
  // header, with text after a closing quote, or whose quote is never closed comes back with
  // `error` set. A quoted field may span lines, but a line that starts a valid record (the
  // header's field count, an id-like first field with a digit) ends a quote left open, so a
  // broken quote never swallows the next record. After a broken row spanning several lines,
  // reading resynchronises at its second line: each line is a row again, so every record
  // affected is returned (broken or not) with its own line number.
  bool Next(CsvRow& row);
  const std::filesystem::path& path() const { return lines_->path(); }
  // OK, or the I/O error that ended reading.
  const Status& status() const { return lines_->status(); }

 private:
  explicit CsvReader(std::unique_ptr<LineReader> lines) : lines_(std::move(lines)) {}
  bool NextLine(std::string& line, size_t& number);
  // Whether `line` alone is a complete record that looks like the start of one.
  bool StartsRecord(std::string_view line) const;

  std::unique_ptr<LineReader> lines_;
  std::deque<std::pair<size_t, std::string>> pending_;  // lines to re-read after a bad row
  std::string line_;  // the line being read; kept to reuse its memory
  std::vector<std::string> header_;
};

// How a CSV record parsed.
enum class CsvParse {
  kComplete,        // every field read
  kOpenQuote,       // a quoted field is still open at the end of the text
  kTextAfterQuote,  // a quoted field is followed by text other than a comma (or blanks)
};
// Parses one logical CSV record held in `text` (may contain newlines inside quotes). A quote
// opens a quoted field only at the start of a field; elsewhere it is an ordinary character.
// `fields` holds what was read, up to the problem.
CsvParse parse_csv_fields(std::string_view text, std::vector<std::string>& fields);
// True when `text` parses as one complete record (kComplete).
bool parse_csv_record(std::string_view text, std::vector<std::string>& fields);
// The records of a small CSV held in `text`, one per line (header included, blank lines
// skipped, quoted fields without newlines), each with its line number; ParseError naming
// `source` and the line of an unclosed quote.
Result<std::vector<CsvRow>> parse_csv_lines(std::string_view text, const std::string& source);
// Whether `field` holds a comma, quote, CR or LF, and so must be quoted in a CSV file.
bool needs_csv_quotes(std::string_view field);
// `field` quoted when it holds a comma, quote, CR or LF.
std::string csv_escape(std::string_view field);
// The same, appended to `out`.
void append_csv_field(std::string& out, std::string_view field);
// `fields` joined by commas, each quoted when it needs it, appended to `out` (no newline).
void append_csv_record(std::string& out, std::span<const std::string_view> fields);
// Fields joined by commas, each escaped; no trailing newline.
std::string csv_line(const std::vector<std::string>& fields);

}  // namespace cxrvqa
