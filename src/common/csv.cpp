#include "common/csv.h"

#include <algorithm>
#include <cstdint>
#include <cstring>

#include "common/text.h"

namespace cxrvqa {

namespace {
// A record spanning more lines than this is taken as an unclosed quote.
constexpr size_t kMaxLinesPerRecord = 200;
}  // namespace

CsvParse parse_csv_fields(std::string_view text, std::vector<std::string>& fields) {
  // The strings already in `fields` are filled again (keeping their memory); those left over
  // are dropped at the end.
  size_t count = 0;
  auto next_field = [&]() -> std::string& {
    if (count == fields.size()) fields.emplace_back();
    std::string& field = fields[count++];
    field.clear();
    return field;
  };
  auto done = [&](CsvParse parse) {
    fields.resize(count);
    return parse;
  };
  size_t i = 0;
  for (;;) {  // one field per turn
    std::string& field = next_field();
    if (i < text.size() && text[i] == '"') {
      ++i;
      for (;;) {
        if (i >= text.size()) return done(CsvParse::kOpenQuote);
        char c = text[i++];
        if (c != '"') {
          field.push_back(c);
        } else if (i < text.size() && text[i] == '"') {
          field.push_back('"');
          ++i;
        } else {
          break;
        }
      }
      while (i < text.size() && (text[i] == ' ' || text[i] == '\t' || text[i] == '\r')) ++i;
      if (i < text.size() && text[i] != ',') return done(CsvParse::kTextAfterQuote);
    } else {
      size_t comma = text.find(',', i);  // a quote inside an unquoted field is kept as it is
      size_t end = comma == std::string_view::npos ? text.size() : comma;
      field.assign(text.substr(i, end - i));
      i = end;
    }
    if (i >= text.size()) return done(CsvParse::kComplete);
    ++i;  // the comma
  }
}

bool parse_csv_record(std::string_view text, std::vector<std::string>& fields) {
  return parse_csv_fields(text, fields) == CsvParse::kComplete;
}

Result<std::vector<CsvRow>> parse_csv_lines(std::string_view text, const std::string& source) {
  std::vector<CsvRow> records;
  size_t number = 0;
  for (std::string_view line : split(text, '\n')) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) continue;
    CsvRow& row = records.emplace_back();
    row.line = number;
    if (!parse_csv_record(line, row.fields)) {
      return Status::ParseError(source + ":" + std::to_string(number) + ": unclosed quote");
    }
  }
  return records;
}

namespace {

bool is_csv_special(char c) { return c == ',' || c == '"' || c == '\r' || c == '\n'; }

// Nonzero when one of the 8 bytes of `word` equals `byte` (the classic zero-byte test on
// word ^ byte-in-every-lane: exact as a yes/no answer).
uint64_t has_byte(uint64_t word, unsigned char byte) {
  constexpr uint64_t kOnes = 0x0101010101010101ULL, kHighBits = 0x8080808080808080ULL;
  uint64_t x = word ^ (kOnes * byte);
  return (x - kOnes) & ~x & kHighBits;
}

}  // namespace

bool needs_csv_quotes(std::string_view field) {
  // Eight bytes at a time: this check runs over every byte a CSV writer writes.
  size_t i = 0;
  for (; i + sizeof(uint64_t) <= field.size(); i += sizeof(uint64_t)) {
    uint64_t word;
    std::memcpy(&word, field.data() + i, sizeof word);
    if (has_byte(word, ',') | has_byte(word, '"') | has_byte(word, '\r') | has_byte(word, '\n')) return true;
  }
  return std::any_of(field.begin() + static_cast<std::ptrdiff_t>(i), field.end(), is_csv_special);
}

void append_csv_field(std::string& out, std::string_view field) {
  if (!needs_csv_quotes(field)) {
    out += field;
    return;
  }
  out += '"';
  for (char c : field) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

std::string csv_escape(std::string_view field) {
  std::string out;
  append_csv_field(out, field);
  return out;
}

std::string csv_line(const std::vector<std::string>& fields) {
  std::string out;
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) out.push_back(',');
    append_csv_field(out, fields[i]);
  }
  return out;
}

Result<std::unique_ptr<CsvReader>> CsvReader::Open(const std::filesystem::path& path) {
  CXRVQA_ASSIGN_OR_RETURN(auto lines, LineReader::Open(path));
  std::unique_ptr<CsvReader> reader(new CsvReader(std::move(lines)));
  CsvRow header;
  if (!reader->Next(header)) return Status::ParseError(path.string() + ": empty file, no CSV header");
  if (!header.error.empty()) return Status::ParseError(path.string() + ":1: bad CSV header: " + header.error);
  if (!header.fields.empty() && header.fields[0].rfind("\xEF\xBB\xBF", 0) == 0) {
    header.fields[0].erase(0, 3);  // UTF-8 byte order mark
  }
  reader->header_ = std::move(header.fields);
  return reader;
}

std::optional<size_t> CsvReader::column(std::string_view name) const {
  for (size_t i = 0; i < header_.size(); ++i) {
    if (header_[i] == name) return i;
  }
  return std::nullopt;
}

Result<std::vector<size_t>> CsvReader::require_columns(const std::vector<std::string>& names) const {
  std::vector<size_t> indexes;
  for (const auto& name : names) {
    auto index = column(name);
    if (!index) return Status::NotFound(path().string() + ": no column '" + name + "' in the header");
    indexes.push_back(*index);
  }
  return indexes;
}

bool CsvReader::NextLine(std::string& line, size_t& number) {
  if (!pending_.empty()) {
    number = pending_.front().first;
    line = std::move(pending_.front().second);
    pending_.pop_front();
    return true;
  }
  if (!lines_->Next(line)) return false;
  number = lines_->line_number();
  return true;
}

bool CsvReader::StartsRecord(std::string_view line) const {
  std::vector<std::string> fields;
  if (parse_csv_fields(line, fields) != CsvParse::kComplete || fields.size() != header_.size()) return false;
  std::string_view id = trim(fields[0]);
  return looks_like_id(id) && id.find_first_of("0123456789") != std::string_view::npos;
}

bool CsvReader::Next(CsvRow& row) {
  std::string& line = line_;
  size_t number = 0;
  do {
    if (!NextLine(line, number)) return false;
  } while (line.empty() && !header_.empty());  // blank lines between records are ignored
  row.line = number;
  row.error.clear();
  std::string_view record = line;
  std::string joined;  // the lines of a record that spans several, joined
  std::vector<std::pair<size_t, std::string>> extra;  // the lines after the first one
  // On an error the lines after the first are read again as records of their own, so that
  // reading resynchronises at the next line that starts a valid record.
  auto broken = [&](std::string error) {
    row.error = std::move(error);
    parse_csv_fields(line, row.fields);  // what the first line holds (its id, usually)
    for (auto it = extra.rbegin(); it != extra.rend(); ++it) pending_.push_front(std::move(*it));
    return true;
  };
  for (;;) {
    CsvParse parsed = parse_csv_fields(record, row.fields);
    if (parsed == CsvParse::kTextAfterQuote) return broken("text after a closing quote");
    if (parsed == CsvParse::kComplete) break;
    std::string next;
    size_t next_number = 0;
    if (extra.size() >= kMaxLinesPerRecord || !NextLine(next, next_number)) return broken("unclosed quote");
    if (!header_.empty() && StartsRecord(next)) {
      // A quote left open would swallow the next record: the record ends here, broken.
      pending_.push_front({next_number, std::move(next)});
      return broken("unclosed quote");
    }
    if (joined.empty()) joined = line;
    joined.push_back('\n');
    joined.append(next);
    record = joined;
    extra.emplace_back(next_number, std::move(next));
  }
  if (!header_.empty() && row.fields.size() != header_.size()) {
    std::string error = "expected " + std::to_string(header_.size()) + " fields, found " +
                        std::to_string(row.fields.size());
    if (!extra.empty()) return broken(error);
    row.error = error;
  }
  return true;
}

}  // namespace cxrvqa
