#include "standardize/name_parser.h"

#include <algorithm>
#include <array>

#include "common/text.h"

namespace cxrvqa {

namespace {

// Words that carry nothing once the finding and its attributes are known.
constexpr std::array<std::string_view, 9> kStopWords = {
    "the", "a", "an", "of", "with", "to", "is", "are", "there"};
// Tokens that separate two values of an attribute ("left lower lobe and right base").
constexpr std::array<std::string_view, 3> kSeparators = {",", "and", "or"};
// Words that start a location phrase after the finding ("effusion in the right base").
constexpr std::array<std::string_view, 7> kPostLocationStarts = {
    "in", "at", "within", "involving", "along", "over", "on"};
// "areas of atelectasis": quantity phrases before a finding, dropped like modifiers.
constexpr std::array<std::string_view, 12> kQuantityPhrases = {
    "area of",   "areas of",  "focus of",    "foci of",    "region of", "regions of",
    "amount of", "degree of", "evidence of", "signs of",   "component of", "element of"};
constexpr std::string_view kSides[] = {"left", "right", "bilateral"};
constexpr size_t kLongestAttributePhrase = 3;

template <size_t N>
bool one_of(const std::array<std::string_view, N>& words, std::string_view word) {
  return std::find(words.begin(), words.end(), word) != words.end();
}

std::string join_range(const std::vector<std::string>& tokens, size_t begin, size_t end) {
  std::string out;
  for (size_t i = begin; i < end; ++i) {
    if (i > begin) out.push_back(' ');
    out += tokens[i];
  }
  return out;
}

bool is_word_char(unsigned char c) { return std::isalnum(c) || c >= 0x80 || c == '\'' || c == '-'; }

bool is_bare_side(std::string_view value) {
  return std::find(std::begin(kSides), std::end(kSides), value) != std::end(kSides);
}

bool names_side(std::string_view value) {
  return std::any_of(std::begin(kSides), std::end(kSides),
                     [&](std::string_view side) { return contains_word(value, side); });
}

void add_token(std::string& token, std::vector<std::string>& tokens) {
  while (!token.empty() && token.back() == '-') token.pop_back();
  while (!token.empty() && token.front() == '-') token.erase(token.begin());
  if (token.size() > 6 && token.ends_with("-sided")) token.resize(token.size() - 6);
  if (!token.empty() && token != "sided") tokens.push_back(token);
  token.clear();
}

std::vector<std::string> split_hyphens(const std::vector<std::string>& tokens) {
  std::vector<std::string> out;
  for (const auto& token : tokens) {
    for (auto part : split(token, '-')) {
      if (!part.empty()) out.emplace_back(part);
    }
  }
  return out;
}

bool has_hyphen(const std::vector<std::string>& tokens) {
  return std::any_of(tokens.begin(), tokens.end(),
                     [](const std::string& t) { return t.find('-') != std::string::npos; });
}

}  // namespace

std::vector<std::string>& AttributeWords::of(int kind) {
  switch (kind) {
    case kLevelAttr: return level;
    case kTypeAttr: return type;
    case kPostLocationAttr: return post_location;
    default: return location;
  }
}

const std::vector<std::string>& AttributeWords::of(int kind) const {
  return const_cast<AttributeWords*>(this)->of(kind);
}

void AttributeWords::AddWord(int kind, std::string word) {
  auto& values = of(kind);
  bool& open = open_[static_cast<size_t>(kind)];
  if (open && !values.empty()) {
    if (!contains_word(values.back(), word)) values.back() += " " + word;
    return;
  }
  open = true;
  values.push_back(std::move(word));
}

void AttributeWords::AddValue(int kind, std::string value) {
  auto& values = of(kind);
  if (value.empty() || std::find(values.begin(), values.end(), value) != values.end()) return;
  if (kind == kLocationAttr && values.size() == 1) {
    std::string& sole = values.front();
    if (is_bare_side(value) && !names_side(sole)) {
      sole = value + " " + sole;
      return;
    }
    if (is_bare_side(sole) && !names_side(value)) {
      sole += " " + value;
      return;
    }
  }
  values.push_back(std::move(value));
}

void AttributeWords::append(const AttributeWords& other) {
  for (int kind = 0; kind < 4; ++kind) {
    for (const auto& value : other.of(kind)) AddValue(kind, value);
  }
  hedged = hedged || other.hedged;
  negated = negated || other.negated;
}

std::vector<std::string> NameParser::Tokenize(std::string_view text, bool separators) {
  std::vector<std::string> tokens;
  std::string token;
  for (char ch : text) {
    auto c = static_cast<unsigned char>(ch);
    if (is_word_char(c)) {
      token.push_back(static_cast<char>(std::tolower(c)));
      continue;
    }
    add_token(token, tokens);
    if (separators && (c == ',' || c == ';') && !tokens.empty() && tokens.back() != ",") {
      tokens.emplace_back(",");
    }
  }
  add_token(token, tokens);
  return tokens;
}

NameParser::NameParser(const Lexicon& lexicon) : lexicon_(lexicon) {
  std::vector<std::string> change_levels;
  for (const auto& change : lexicon.level_changes()) {
    if (change.role == LevelChange::Role::kChange) change_levels.push_back(change.phrase);
  }
  for (auto [kind, words] : {std::pair{kLocationAttr, &lexicon.locations()}, std::pair{kLevelAttr, &lexicon.levels()},
                             std::pair{kTypeAttr, &lexicon.types()},
                             std::pair{kLevelAttr, static_cast<const std::vector<std::string>*>(&change_levels)}}) {
    for (const std::string& word : *words) {
      auto [it, inserted] = curated_.emplace(word, kind);
      if (!inserted && it->second != kind) it->second = -1;
    }
  }
  for (const Cue& cue : lexicon.cues()) {
    if (cue.phrase.find('*') != std::string::npos) continue;
    std::vector<std::string> tokens = Tokenize(cue.phrase);
    if (tokens.empty()) continue;
    longest_cue_ = std::max(longest_cue_, tokens.size());
    CueReach& reach = cues_[join(tokens, " ")];
    reach.kind = cue.kind;
    (cue.direction == Cue::Direction::kBackward ? reach.backward : reach.forward) = true;
  }
}

size_t NameParser::CueAt(const std::vector<std::string>& tokens, size_t begin, size_t end,
                         CueReach& cue) const {
  for (size_t len = std::min(longest_cue_, end - begin); len >= 1; --len) {
    auto it = cues_.find(len == 1 ? tokens[begin] : join_range(tokens, begin, begin + len));
    if (it != cues_.end()) {
      cue = it->second;
      return len;
    }
  }
  return 0;
}

int NameParser::CuratedKind(std::string_view word) const {
  auto it = curated_.find(word);
  return it == curated_.end() ? -1 : it->second;
}

const Finding* NameParser::Resolve(std::string_view phrase, RepairCounts* repairs) const {
  if (const Finding* f = lexicon_.FindByPhrase(phrase)) {
    if (repairs != nullptr && f->name != phrase) {
      bool plural = lexicon_.Singular(phrase) == f->name;
      repairs->add(plural ? Repair::kPlural : Repair::kSynonym);
    }
    return f;
  }
  std::string singular = lexicon_.Singular(phrase);
  if (singular == phrase) return nullptr;
  const Finding* f = lexicon_.FindByPhrase(singular);
  if (f != nullptr && repairs != nullptr) {
    repairs->add(Repair::kPlural);
    if (f->name != singular) repairs->add(Repair::kSynonym);
  }
  return f;
}

void NameParser::FileTokens(const std::vector<std::string>& tokens, size_t begin, size_t end,
                            int fallback_kind, CueScope scope, AttributeWords& out,
                            std::vector<std::string>* unknown, RepairCounts& repairs) const {
  for (size_t i = begin; i < end;) {
    if (one_of(kSeparators, tokens[i])) {
      out.EndSegment();
      ++i;
      continue;
    }
    CueReach cue;
    if (size_t cue_length = CueAt(tokens, i, end, cue)) {
      bool applies = scope == CueScope::kAny || (scope == CueScope::kBeforeHead ? cue.forward : cue.backward);
      if (applies && cue.kind == Cue::Kind::kUncertainty) out.hedged = true;
      if (applies && cue.kind == Cue::Kind::kNegation) out.negated = true;
      i += cue_length;
      continue;
    }
    if (tokens[i] == "both") {  // "both bases": both sides
      repairs.add(Repair::kBothToBilateral);
      AddWord(kLocationAttr, "bilateral", out, repairs);
      ++i;
      continue;
    }
    size_t len = std::min(kLongestAttributePhrase, end - i);
    for (; len >= 1; --len) {
      std::string phrase = len == 1 ? tokens[i] : join_range(tokens, i, i + len);
      if (lexicon_.IsDropModifier(phrase) || one_of(kQuantityPhrases, phrase)) {
        repairs.add(Repair::kModifierDropped);
        break;
      }
      if (int kind = CuratedKind(phrase); kind >= 0) {
        if (unknown == nullptr && kind != fallback_kind) repairs.add(Repair::kRefiled);
        AddWord(kind, std::move(phrase), out, repairs);
        break;
      }
      if (len > 1) continue;
      std::vector<std::string> parts = split_hyphens({phrase});
      if (parts.size() > 1) {
        FileTokens(parts, 0, parts.size(), fallback_kind, scope, out, unknown, repairs);
      } else if (one_of(kStopWords, phrase)) {
        // carries nothing
      } else if (unknown != nullptr) {
        unknown->push_back(std::move(phrase));
      } else {
        AddWord(fallback_kind, std::move(phrase), out, repairs);
      }
    }
    i += std::max<size_t>(len, 1);
  }
}

void NameParser::AddWord(int kind, std::string word, AttributeWords& out, RepairCounts& repairs) const {
  if (kind == kLevelAttr) {
    std::string_view form = lexicon_.LevelForm(word);
    if (form != word) {
      repairs.add(Repair::kLevelForm);
      word = std::string(form);
    }
  }
  out.AddWord(kind, std::move(word));
}

std::vector<std::string> NameParser::Pieces(std::string_view value) const {
  std::vector<std::string> tokens = Tokenize(value);
  std::vector<std::string> pieces;
  for (size_t i = 0; i < tokens.size();) {
    size_t len = std::min(kLongestAttributePhrase, tokens.size() - i);
    for (; len > 1; --len) {
      if (CuratedKind(join_range(tokens, i, i + len)) >= 0) break;
    }
    pieces.push_back(join_range(tokens, i, i + len));
    i += len;
  }
  return pieces;
}

void NameParser::FileWords(std::string_view text, int fallback_kind, AttributeWords& out,
                           RepairCounts& repairs) const {
  std::vector<std::string> tokens = Tokenize(text, /*separators=*/true);
  out.EndSegment();
  FileTokens(tokens, 0, tokens.size(), fallback_kind, CueScope::kAny, out, nullptr, repairs);
  out.EndSegment();
}

void NameParser::ParseHead(const std::vector<std::string>& tokens, ParsedName& out,
                           RepairCounts& repairs) const {
  size_t best_begin = 0, best_end = 0;
  const Finding* best = nullptr;
  for (size_t len = tokens.size(); len >= 1 && best == nullptr; --len) {
    for (size_t b = 0; b + len <= tokens.size(); ++b) {
      if ((best = Resolve(join_range(tokens, b, b + len), nullptr)) != nullptr) {
        best_begin = b, best_end = b + len;
        break;
      }
    }
  }
  std::vector<std::string> unknown;
  size_t filed_before = out.words.location.size() + out.words.level.size() + out.words.type.size();
  bool head = best != nullptr;
  FileTokens(tokens, 0, best_begin, kLocationAttr, head ? CueScope::kBeforeHead : CueScope::kAny,
             out.words, &unknown, repairs);
  out.words.EndSegment();
  FileTokens(tokens, best_end, tokens.size(), kLocationAttr,
             head ? CueScope::kAfterHead : CueScope::kAny, out.words, &unknown, repairs);
  out.words.EndSegment();
  size_t filed = out.words.location.size() + out.words.level.size() + out.words.type.size();
  if (filed > filed_before) repairs.add(Repair::kAttributeFromName, filed - filed_before);
  if (best != nullptr) {
    Resolve(join_range(tokens, best_begin, best_end), &repairs);
    out.name = best->name;
    out.known = true;
    repairs.add(Repair::kUnknownWordDropped, unknown.size());
    return;
  }
  for (size_t i = 0; i < tokens.size() && !out.device; ++i) {
    out.device = lexicon_.IsDevice(tokens[i]) || lexicon_.IsDevice(lexicon_.Singular(tokens[i])) ||
                 (i + 1 < tokens.size() && lexicon_.IsDevice(join_range(tokens, i, i + 2)));
  }
  if (!unknown.empty()) out.name = lexicon_.Singular(join(unknown, " "));
}

void NameParser::ParseTail(const std::vector<std::string>& tokens, size_t begin, ParsedName& out,
                           RepairCounts& repairs) const {
  std::string phrase = join_range(tokens, begin, tokens.size());
  for (const auto& post : lexicon_.post_locations()) {
    if (post.phrase == phrase || post.phrase == "the " + phrase) {
      out.words.AddValue(kPostLocationAttr, post.phrase);
      break;
    }
  }
  repairs.add(Repair::kPostLocationFromName);
  FileWords(phrase, kLocationAttr, out.words, repairs);
}

void NameParser::Parse(std::string_view phrase, ParsedName& out, RepairCounts& repairs) const {
  std::string lower = collapse_whitespace(to_lower(phrase));
  while (!lower.empty() && (lower.back() == '.' || lower.back() == ',')) lower.pop_back();
  if (lower.empty()) return;
  out.tokens = Tokenize(lower);
  if (const Finding* f = Resolve(lower, &repairs)) {
    out.name = f->name;
    out.known = true;
    return;
  }
  if (lexicon_.IsDevice(lower) || lexicon_.IsDevice(lexicon_.Singular(lower))) {
    out.device = true;
    return;
  }
  std::vector<std::string> tokens = out.tokens;
  size_t head_end = tokens.size();
  for (size_t i = 1; i + 1 < tokens.size(); ++i) {
    if (one_of(kPostLocationStarts, tokens[i])) {
      head_end = i;
      ParseTail(tokens, i + 1, out, repairs);
      break;
    }
  }
  tokens.resize(head_end);
  ParseHead(tokens, out, repairs);
  if (!out.known && has_hyphen(tokens)) {
    ParsedName retry;
    retry.tokens = out.tokens;
    RepairCounts retry_repairs;
    ParseHead(split_hyphens(tokens), retry, retry_repairs);
    if (retry.known) {
      retry.words.append(out.words);
      out = std::move(retry);
      repairs += retry_repairs;
    }
  }
}

}  // namespace cxrvqa
