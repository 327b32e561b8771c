// Internal to standardize: splits a finding phrase as an LLM writes it ("small left-sided
// pleural effusions", "new areas of atelectasis in the right base") into the official
// finding name and the attribute words it carried.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/string_map.h"
#include "lexicon/lexicon.h"
#include "standardize/standardize.h"

namespace cxrvqa {

// The attributes a finding collects while it is read, each a list of words or phrases in
// the order met. Joined by spaces when the strict record is written.
struct AttributeWords {
  std::vector<std::string> location, level, type, post_location;
  std::vector<std::string>& of(int kind);  // 0 location, 1 level, 2 type, 3 post_location
  void append(const AttributeWords& other);
};
inline constexpr int kLocationAttr = 0, kLevelAttr = 1, kTypeAttr = 2, kPostLocationAttr = 3;

struct ParsedName {
  std::string name;  // official name when the lexicon knows it, else the cleaned phrase; "" = none
  bool known = false;   // the lexicon knows the name
  bool device = false;  // the phrase names a device or hardware
  AttributeWords words;
  std::vector<std::string> tokens;  // every word of the phrase (lower case), for special rules
};

class NameParser {
 public:
  explicit NameParser(const Lexicon& lexicon);

  // Parses `phrase` into `out` (empty), counting the repairs it makes.
  void Parse(std::string_view phrase, ParsedName& out, RepairCounts& repairs) const;
  // Which attribute the word or phrase belongs to by the curated lists (-1: none or several).
  int CuratedKind(std::string_view word) const;
  // Lower case, '-', '_', '/', punctuation to spaces, "x-sided" to "x", whitespace collapsed.
  static std::vector<std::string> Tokenize(std::string_view text);
  // Files `text` (an attribute value) word by word: curated kind when there is one, else
  // `fallback_kind`. Drop modifiers go; phrases of up to three words are tried first.
  void FileWords(std::string_view text, int fallback_kind, AttributeWords& out,
                 RepairCounts& repairs) const;
  // Adds `word` to the `kind` list of `out` unless there already; a level word in its dataset
  // form ("mildly" -> "mild", counted as a repair).
  void AddWord(int kind, std::string word, AttributeWords& out, RepairCounts& repairs) const;
  // `value` cut into curated phrases (longest first, up to three words) and single words.
  std::vector<std::string> Pieces(std::string_view value) const;

 private:
  const Finding* Resolve(std::string_view phrase, RepairCounts* repairs) const;
  void FileTokens(const std::vector<std::string>& tokens, size_t begin, size_t end,
                  int fallback_kind, AttributeWords& out, std::vector<std::string>* unknown,
                  RepairCounts& repairs) const;
  void ParseHead(const std::vector<std::string>& tokens, ParsedName& out,
                 RepairCounts& repairs) const;
  void ParseTail(const std::vector<std::string>& tokens, size_t begin, ParsedName& out,
                 RepairCounts& repairs) const;
  const Lexicon& lexicon_;
  StringMap<int> curated_;  // word or phrase -> attribute kind, -1 when in several lists
};

}  // namespace cxrvqa
