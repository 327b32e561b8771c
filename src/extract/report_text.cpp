#include "extract/report_text.h"

#include <array>

namespace cxrvqa {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_upper(char c) { return c >= 'A' && c <= 'Z'; }

// Longer words are neither abbreviations nor list numbers, so no more is read.
constexpr size_t kLongestShortWord = 8;

// The word that ends at `end` (exclusive) in lower-case `text`, or its last
// kLongestShortWord + 1 bytes when it is longer (a run of text without spaces is not read
// again at every '.').
std::string_view word_before(std::string_view text, size_t end) {
  size_t start = end;
  while (start > 0 && !is_space(text[start - 1]) && end - start <= kLongestShortWord) --start;
  return text.substr(start, end - start);
}

bool is_abbreviation(std::string_view word) {
  static constexpr std::array<std::string_view, 10> kAbbreviations = {
      "vs", "e.g", "i.e", "dr", "mr", "mrs", "approx", "etc", "cf", "st"};
  for (auto abbreviation : kAbbreviations) {
    if (word == abbreviation) return true;
  }
  return false;
}

// True when `text` from `pos` holds a list marker: digits then '.' or ')' then a space.
bool list_marker_at(std::string_view raw, size_t pos) {
  size_t i = pos;
  while (i < raw.size() && is_digit(raw[i])) ++i;
  if (i == pos || i - pos > 2 || i + 1 >= raw.size()) return false;
  return (raw[i] == '.' || raw[i] == ')') && is_space(raw[i + 1]);
}

void mark_sentence_end(NormalizedText& out, size_t length) {
  if (length > 0 && (out.sentence_ends.empty() || out.sentence_ends.back() != length)) {
    out.sentence_ends.push_back(length);
  }
}

}  // namespace

void normalize_report_text(std::string_view raw, NormalizedText& out) {
  out.sentence_ends.clear();
  out.text.resize(raw.size());  // the normalized text is never longer
  char* text = out.text.data();
  size_t length = 0;
  bool pending_space = false;
  for (size_t i = 0; i < raw.size(); ++i) {
    char c = raw[i];
    if (is_space(c)) {
      pending_space = length > 0;
      continue;
    }
    bool at_word_start = length == 0 || pending_space;
    if (at_word_start && list_marker_at(raw, i)) mark_sentence_end(out, length);
    if (pending_space) text[length++] = ' ';
    pending_space = false;
    text[length++] = is_upper(c) ? static_cast<char>(c - 'A' + 'a') : c;
    if (c != '.') continue;
    char next = i + 1 < raw.size() ? raw[i + 1] : ' ';
    bool boundary = is_space(next) || is_upper(next);
    if (!boundary) continue;
    std::string_view word = word_before(std::string_view(text, length), length - 1);
    bool numbered = !word.empty() && word.size() <= 2 && is_digit(word[0]);
    if (!is_abbreviation(word) && !numbered) mark_sentence_end(out, length);
  }
  out.text.resize(length);
  mark_sentence_end(out, length);
}

}  // namespace cxrvqa
