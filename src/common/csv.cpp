#include "common/csv.h"

#include <algorithm>
#include <cstdint>
#include <cstring>

#if defined(__SSE2__) && defined(__x86_64__)
#include <emmintrin.h>
#endif

#include "common/byte_lanes.h"
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

// The bytes of `text` that matter to CSV quoting: its commas, and whether it holds a quote,
// CR or LF. Many bytes at a time: this runs over every byte a CSV writer writes.
struct SpecialBytes {
  size_t commas = 0;
  bool others = false;
};

// find_special_bytes eight bytes at a time, then byte by byte.
SpecialBytes find_special_bytes_by_word(std::string_view text) {
  SpecialBytes found;
  uint64_t others = 0;
  size_t i = 0;
  for (; i + sizeof(uint64_t) <= text.size(); i += sizeof(uint64_t)) {
    uint64_t word = load_lanes(text.data() + i);
    found.commas += lane_count(lanes_equal(word, ','));
    others |= lanes_equal(word, '"') | lanes_equal(word, '\r') | lanes_equal(word, '\n');
  }
  for (; i < text.size(); ++i) {
    char c = text[i];
    found.commas += c == ',' ? 1 : 0;
    others |= (c == '"' || c == '\r' || c == '\n') ? 1 : 0;
  }
  found.others = others != 0;
  return found;
}

#if defined(__SSE2__) && defined(__x86_64__)
// find_special_bytes sixteen bytes at a time, for texts of 16 bytes or more: the last sixteen
// overlap the ones before when the length is no multiple of 16, the overlap masked off. Each
// lane counts its commas in a byte; the lanes are summed before any can pass 255.
SpecialBytes find_special_bytes_sse2(std::string_view text) {
  static constexpr unsigned char kLastLanes[32] = {
      0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
      0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};
  const __m128i comma = _mm_set1_epi8(','), quote = _mm_set1_epi8('"'), cr = _mm_set1_epi8('\r'),
                lf = _mm_set1_epi8('\n'), all_lanes = _mm_set1_epi8(-1);
  __m128i comma_lanes = _mm_setzero_si128(), other_lanes = _mm_setzero_si128();
  size_t commas = 0;
  int rounds = 0;
  auto sum_commas = [&] {
    __m128i sums = _mm_sad_epu8(comma_lanes, _mm_setzero_si128());
    commas += static_cast<size_t>(_mm_cvtsi128_si64(sums)) + static_cast<size_t>(_mm_extract_epi16(sums, 4));
    comma_lanes = _mm_setzero_si128();
    rounds = 0;
  };
  auto add = [&](const char* at, __m128i kept_lanes) {
    __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(at));
    comma_lanes = _mm_sub_epi8(comma_lanes, _mm_and_si128(_mm_cmpeq_epi8(bytes, comma), kept_lanes));
    __m128i special = _mm_or_si128(_mm_cmpeq_epi8(bytes, quote),
                                   _mm_or_si128(_mm_cmpeq_epi8(bytes, cr), _mm_cmpeq_epi8(bytes, lf)));
    other_lanes = _mm_or_si128(other_lanes, _mm_and_si128(special, kept_lanes));
    if (++rounds == 255) sum_commas();
  };
  size_t i = 0;
  for (; i + 16 <= text.size(); i += 16) add(text.data() + i, all_lanes);
  if (i < text.size()) {
    size_t rest = text.size() - i;  // 1 to 15 bytes: the last lanes of the last 16
    add(text.data() + text.size() - 16, _mm_loadu_si128(reinterpret_cast<const __m128i*>(kLastLanes + rest)));
  }
  sum_commas();
  return {commas, _mm_movemask_epi8(other_lanes) != 0};
}
#endif

SpecialBytes find_special_bytes(std::string_view text) {
#if defined(__SSE2__) && defined(__x86_64__)
  if (text.size() >= 16) return find_special_bytes_sse2(text);
#endif
  return find_special_bytes_by_word(text);
}

}  // namespace

bool needs_csv_quotes(std::string_view field) {
  SpecialBytes found = find_special_bytes(field);
  return found.commas > 0 || found.others;
}

void append_csv_field(std::string& out, std::string_view field) {
  if (!needs_csv_quotes(field)) {
    out += field;
    return;
  }
  // Quoted, each quote doubled: the text between quotes goes in whole.
  out += '"';
  for (size_t at = 0;;) {
    size_t quote = field.find('"', at);
    if (quote == std::string_view::npos) {
      out += field.substr(at);
      break;
    }
    out += field.substr(at, quote + 1 - at);
    out += '"';
    at = quote + 1;
  }
  out += '"';
}

void append_csv_record(std::string& out, std::span<const std::string_view> fields) {
  if (fields.empty()) return;
  // Most records need no quotes: join the fields as they are and look over the result once.
  // When it holds more commas than separators, or a quote, CR or LF, write it again field by
  // field.
  size_t start = out.size(), size = fields.size() - 1;  // the separators
  for (std::string_view field : fields) size += field.size();
  out.resize(start + size);  // one size change, then the bytes in place
  char* at = out.data() + start;
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) *at++ = ',';
    if (!fields[i].empty()) std::memcpy(at, fields[i].data(), fields[i].size());
    at += fields[i].size();
  }
  SpecialBytes found = find_special_bytes(std::string_view(out).substr(start));
  if (found.commas == fields.size() - 1 && !found.others) return;
  out.resize(start);
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) out += ',';
    append_csv_field(out, fields[i]);
  }
}

std::string csv_escape(std::string_view field) {
  std::string out;
  append_csv_field(out, field);
  return out;
}

std::string csv_line(const std::vector<std::string>& fields) {
  std::vector<std::string_view> views(fields.begin(), fields.end());
  std::string out;
  append_csv_record(out, views);
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
