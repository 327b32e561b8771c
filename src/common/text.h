// Small string helpers shared by all modules. ASCII case folding only: report vocabulary is
// English; other bytes pass through unchanged.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cxrvqa {

std::string to_lower(std::string_view text);
std::string_view trim(std::string_view text);
// Equal when ASCII letters are compared without case.
inline bool equals_ignore_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  auto fold = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i] != b[i] && fold(a[i]) != fold(b[i])) return false;
  }
  return true;
}
// How often `byte` occurs in `text` (memchr, the C library's vectorised search; std::count
// goes byte by byte).
size_t count_byte(std::string_view text, char byte);
// Splits on `sep`; empty fields are kept.
std::vector<std::string_view> split(std::string_view text, char sep);

// One line of a text and its number (1-based).
struct NumberedLine {
  size_t number = 0;
  std::string_view text;
};
// The lines of `text` that are not blank, as LineReader reads them: split at '\n', a '\r'
// before it dropped, a last line without newline kept. The views point into `text`.
std::vector<NumberedLine> non_blank_lines(std::string_view text);
// Splits on `sep`, trims each piece and drops empty ones.
std::vector<std::string> split_trimmed(std::string_view text, char sep);
std::string join(const std::vector<std::string>& parts, std::string_view sep);
// Whether `word` occurs in `text` as a whole word: bounded on each side by the text's edge or
// one of `separators`.
bool contains_word(std::string_view text, std::string_view word, std::string_view separators = " ");
// Collapses runs of white space (space, tab, CR, LF) into one space and trims the ends.
std::string collapse_whitespace(std::string_view text);
// An integer written as such ("2", "-1") or as a decimal whose fraction is zero ("2.0", as
// pandas writes integer columns that held a missing value), surrounding spaces allowed;
// nullopt for anything else, or outside the range of int.
std::optional<int> parse_integral(std::string_view text);
// `value` as an int when it is integral and in range, else nullopt.
std::optional<int> integral(double value);

// True for text that can be a record identifier (a study or subject id): 1 to 64
// characters, none of them white space, a control character, a quote or a comma. Messages
// show an id only when it passes, so that misparsed report text never reaches a log.
bool looks_like_id(std::string_view text);

// True when `text` is valid UTF-8.
bool is_valid_utf8(std::string_view text);
// `text` with each invalid UTF-8 byte replaced by U+FFFD; `replaced` counts them.
std::string sanitize_utf8(std::string_view text, size_t* replaced = nullptr);

}  // namespace cxrvqa
