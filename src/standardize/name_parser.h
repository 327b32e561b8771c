// Internal to standardize: splits a finding phrase as an LLM writes it ("small left-sided
// pleural effusions", "new areas of atelectasis in the right base", "possible pneumonia")
// into the official finding name, the attribute words it carried and the hedge or negation
// it stated.
#pragma once

#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "common/string_map.h"
#include "lexicon/lexicon.h"
#include "standardize/standardize.h"

namespace cxrvqa {

inline constexpr int kLocationAttr = 0, kLevelAttr = 1, kTypeAttr = 2, kPostLocationAttr = 3;

// The attributes a finding collects while it is read. Each attribute is a list of values;
// a value is the words of one place, level or type, in the order met ("left lower lobe").
// The strict record joins the values of an attribute with ", " (kValueSeparator), so
// several locations stay several: "left lower lobe, right base".
struct AttributeWords {
  std::vector<std::string> location, level, type, post_location;
  bool hedged = false;   // an uncertainty cue was met ("possible", "cannot be excluded")
  bool negated = false;  // a negation cue was met ("no", "resolved")

  std::vector<std::string>& of(int kind);
  const std::vector<std::string>& of(int kind) const;
  // Adds `word` to the value of `kind` being read in the current segment of a text, or
  // starts a new value with it.
  void AddWord(int kind, std::string word);
  // Ends the current segment (at ",", "and", "or"): the next word of any kind starts a new
  // value.
  void EndSegment() { open_ = {}; }
  // Adds one whole value of `kind` unless it is there already. A bare side ("left") and a
  // sole value without a side make one value ("left" + "lower lobe" -> "left lower lobe").
  void AddValue(int kind, std::string value);
  // Adds every value of `other` (AddValue) and its hedge and negation.
  void append(const AttributeWords& other);

 private:
  std::array<bool, 4> open_{};
};

// ", ": joins the values of one attribute in the strict record.
inline constexpr std::string_view kValueSeparator = ", ";

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
  // Change words ("increased", "worsening") are levels.
  int CuratedKind(std::string_view word) const;
  // Lower case, '-', '_', '/', punctuation to spaces, "x-sided" to "x", whitespace collapsed.
  // With `separators`, each ',' and ';' becomes a token "," of its own.
  static std::vector<std::string> Tokenize(std::string_view text, bool separators = false);
  // Files `text` (an attribute value) word by word: curated kind when there is one, else
  // `fallback_kind`. Drop modifiers go; phrases of up to three words are tried first; ",",
  // "and" and "or" separate values; "both" is "bilateral"; hedge and negation cues are noted
  // in `out` (hedged, negated) and not filed.
  void FileWords(std::string_view text, int fallback_kind, AttributeWords& out,
                 RepairCounts& repairs) const;
  // Adds `word` to the `kind` value being read in `out`; a level word in its dataset form
  // ("mildly" -> "mild", counted as a repair).
  void AddWord(int kind, std::string word, AttributeWords& out, RepairCounts& repairs) const;
  // `value` cut into curated phrases (longest first, up to three words) and single words.
  std::vector<std::string> Pieces(std::string_view value) const;

 private:
  const Finding* Resolve(std::string_view phrase, RepairCounts* repairs) const;
  // The number of tokens from `begin` that a cue phrase covers (longest), 0 when none, with
  // the cue.
  // A cue phrase as filing reads it: its kind, and whether it reaches forward (it may stand
  // before a finding) or backward (after it); one phrase may do both ("resolved").
  struct CueReach {
    Cue::Kind kind = Cue::Kind::kNegation;
    bool forward = false, backward = false;
  };
  size_t CueAt(const std::vector<std::string>& tokens, size_t begin, size_t end,
               CueReach& cue) const;
  // Which cues count while filing: all, or in a name only those that reach the finding's
  // head from where they stand (forward ones before it, backward ones after it: "atelectasis
  // without effusion" is not a negated atelectasis).
  enum class CueScope { kAny, kBeforeHead, kAfterHead };
  void FileTokens(const std::vector<std::string>& tokens, size_t begin, size_t end,
                  int fallback_kind, CueScope scope, AttributeWords& out,
                  std::vector<std::string>* unknown, RepairCounts& repairs) const;
  void ParseHead(const std::vector<std::string>& tokens, ParsedName& out,
                 RepairCounts& repairs) const;
  void ParseTail(const std::vector<std::string>& tokens, size_t begin, ParsedName& out,
                 RepairCounts& repairs) const;
  const Lexicon& lexicon_;
  StringMap<int> curated_;  // word or phrase -> attribute kind, -1 when in several lists
  StringMap<CueReach> cues_;  // cue phrase (tokenized, without gaps) -> its reach
  size_t longest_cue_ = 1;     // in tokens
};

}  // namespace cxrvqa
