// Normalization of report text for rule matching: lower case, one space between words, and
// the sentence boundaries of the original text.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace cxrvqa {

struct NormalizedText {
  std::string text;                   // lower case, runs of white space collapsed to one space
  std::vector<size_t> sentence_ends;  // ascending offsets in `text` where a sentence ends
};

// Fills `out` (reusing its buffers) from a report's selected text. Sentences end at '.'
// followed by white space, an upper-case letter or the end (not after abbreviations such as
// "vs." or "e.g.", nor inside numbers such as "1.5"), and before numbered-list markers
// ("1.", "2)"). De-identification tokens ("XXXX") are ordinary words.
void normalize_report_text(std::string_view raw, NormalizedText& out);

// True when `c` may be part of a word for matching purposes (letters, digits, hyphen).
inline bool is_word_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || (c >= 'A' && c <= 'Z');
}

}  // namespace cxrvqa
