#include "common/text.h"

#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>

namespace cxrvqa {

std::string to_lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool looks_like_id(std::string_view text) {
  if (text.empty() || text.size() > 64) return false;
  for (char c : text) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7f || c == '"' || c == '\'' || c == ',') return false;
  }
  return true;
}

std::string_view trim(std::string_view text) {
  // A test per byte: find_first_not_of with a set searches the set for every byte.
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v'; };
  size_t begin = 0, end = text.size();
  while (begin < end && space(text[begin])) ++begin;
  while (end > begin && space(text[end - 1])) --end;
  return text.substr(begin, end - begin);
}

size_t count_byte(std::string_view text, char byte) {
  size_t count = 0;
  const char* end = text.data() + text.size();
  for (const char* at = text.data(); at < end; ++at) {
    at = static_cast<const char*>(std::memchr(at, byte, static_cast<size_t>(end - at)));
    if (at == nullptr) break;
    ++count;
  }
  return count;
}

std::vector<NumberedLine> non_blank_lines(std::string_view text) {
  std::vector<NumberedLine> lines;
  size_t number = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    ++number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (!trim(line).empty()) lines.push_back({number, line});
  }
  return lines;
}

std::vector<std::string_view> split(std::string_view text, char sep) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    size_t pos = text.find(sep, start);
    if (pos == std::string_view::npos) {
      parts.push_back(text.substr(start));
      return parts;
    }
    parts.push_back(text.substr(start, pos - start));
    start = pos + 1;
  }
}

std::vector<std::string> split_trimmed(std::string_view text, char sep) {
  std::vector<std::string> parts;
  for (std::string_view part : split(text, sep)) {
    part = trim(part);
    if (!part.empty()) parts.emplace_back(part);
  }
  return parts;
}

std::string join(const std::vector<std::string>& parts, std::string_view sep) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) out.append(sep);
    out.append(parts[i]);
  }
  return out;
}

bool contains_word(std::string_view text, std::string_view word, std::string_view separators) {
  if (word.empty() || word.size() > text.size()) return false;
  auto is_separator = [&](char c) { return separators.find(c) != std::string_view::npos; };
  for (size_t pos = 0; pos + word.size() <= text.size(); ++pos) {
    if (text[pos] != word[0] || (pos > 0 && !is_separator(text[pos - 1]))) continue;
    size_t end = pos + word.size();
    if (text.compare(pos, word.size(), word) == 0 && (end == text.size() || is_separator(text[end]))) {
      return true;
    }
  }
  return false;
}

std::optional<int> integral(double value) {
  if (!(value >= static_cast<double>(std::numeric_limits<int>::min()) &&
        value <= static_cast<double>(std::numeric_limits<int>::max())) ||
      value != std::floor(value)) {
    return std::nullopt;
  }
  return static_cast<int>(value);
}

std::optional<int> parse_integral(std::string_view text) {
  text = trim(text);
  size_t dot = text.find('.');
  std::string_view number = text.substr(0, dot);
  std::string_view digits = number.starts_with('-') ? number.substr(1) : number;
  if (digits.empty() || digits.find_first_not_of("0123456789") != std::string_view::npos) return std::nullopt;
  if (dot != std::string_view::npos) {
    std::string_view fraction = text.substr(dot + 1);
    if (fraction.empty() || fraction.find_first_not_of('0') != std::string_view::npos) return std::nullopt;
  }
  int value = 0;
  auto [end, error] = std::from_chars(number.data(), number.data() + number.size(), value);
  if (error != std::errc() || end != number.data() + number.size()) return std::nullopt;
  return value;
}

std::string collapse_whitespace(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  bool pending_space = false;
  for (char c : text) {
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out.push_back(' ');
    pending_space = false;
    out.push_back(c);
  }
  return out;
}

namespace {
// Length of the valid UTF-8 sequence starting at text[i], or 0 when it is invalid.
size_t utf8_sequence_length(std::string_view text, size_t i) {
  auto byte = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
  unsigned char lead = byte(i);
  if (lead < 0x80) return 1;
  size_t length;
  unsigned min_second = 0x80, max_second = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) min_second = 0xA0;
    if (lead == 0xED) max_second = 0x9F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) min_second = 0x90;
    if (lead == 0xF4) max_second = 0x8F;
  } else {
    return 0;
  }
  if (i + length > text.size()) return 0;
  if (byte(i + 1) < min_second || byte(i + 1) > max_second) return 0;
  for (size_t k = 2; k < length; ++k) {
    if (byte(i + k) < 0x80 || byte(i + k) > 0xBF) return 0;
  }
  return length;
}
}  // namespace

bool is_valid_utf8(std::string_view text) {
  for (size_t i = 0; i < text.size();) {
    size_t n = utf8_sequence_length(text, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

std::string sanitize_utf8(std::string_view text, size_t* replaced) {
  std::string out;
  out.reserve(text.size());
  size_t count = 0;
  for (size_t i = 0; i < text.size();) {
    size_t n = utf8_sequence_length(text, i);
    if (n == 0) {
      out.append("\xEF\xBF\xBD");
      ++count;
      ++i;
    } else {
      out.append(text.substr(i, n));
      i += n;
    }
  }
  if (replaced != nullptr) *replaced = count;
  return out;
}

}  // namespace cxrvqa
