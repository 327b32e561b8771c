#include "extract/rules_extractor.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <limits>
#include <mutex>

#include "common/text.h"
#include "extract/phrase_matcher.h"
#include "extract/report_text.h"

namespace cxrvqa {
namespace {

enum class Polarity : uint8_t { kNegated = 0, kUncertain = 1, kPositive = 2 };

constexpr uint32_t kNone = std::numeric_limits<uint32_t>::max();

// One finding mention with its clause and attributes.
struct Mention {
  uint32_t finding = 0;
  uint32_t sentence = 0;  // index of the sentence that holds the mention
  uint32_t from = 0, to = 0;  // its span in the normalized text
  Polarity polarity = Polarity::kPositive;
  bool location_after = false;  // its location was read from words after it
  EntityAttributes attributes;
};

// A sorted list with a search hint: each lookup gallops from where the last one ended, so
// the lookups of one mention after another, which move forward through the text, cost
// O(1) on average instead of a binary search over the whole list.
template <typename T>
struct HintedList : std::vector<T> {
  mutable size_t hint = 0;

  // The first index whose item is not `before` (the list must be partitioned by `before`).
  template <typename Before>
  size_t PartitionPoint(Before before) const {
    const std::vector<T>& items = *this;
    size_t n = items.size(), lo = 0, hi = n;
    hint = std::min(hint, n);
    if (hint < n && before(items[hint])) {  // the point lies after the hint
      lo = hint + 1;
      size_t step = 1;
      while (lo + step - 1 < n && before(items[lo + step - 1])) {
        lo += step;
        step *= 2;
      }
      hi = std::min(lo + step - 1, n);
    } else {  // at or before the hint
      hi = hint;
      size_t step = 1;
      while (hi >= step && !before(items[hi - step])) {
        hi -= step;
        step *= 2;
      }
      lo = hi >= step ? hi - step + 1 : 0;
    }
    hint = static_cast<size_t>(std::partition_point(items.begin() + lo, items.begin() + hi, before) -
                               items.begin());
    return hint;
  }
};
using MatchList = HintedList<PhraseMatch>;
using OffsetList = HintedList<uint32_t>;

// Cue lists by kind (negation, uncertainty) and direction (forward, backward, adjacent).
using CueLists = std::array<std::array<MatchList, 3>, 2>;

// Buffers reused across reports (one per concurrent Extract call). Every list of matches is
// sorted by start (longer first on ties) unless its name says otherwise; lists made
// non-overlapping are then sorted by end as well.
struct Scratch {
  NormalizedText normalized;
  std::vector<PhraseMatch> all;
  MatchList findings, cues, breaks, attributes, post_locations, devices, clears;
  MatchList connectors;
  MatchList attributes_by_end;  // sorted by (to, from)
  MatchList levels, levels_by_end, locations;
  CueLists cue_lists;
  OffsetList commas;     // offsets of ',' in the text
  OffsetList and_words;  // offsets of the word "and"
  OffsetList comparatives;  // offsets of "than", "greater", "more", "worse"
  std::vector<Mention> mentions;
  // The last comma part checked for a device, and the answer.
  std::pair<uint32_t, uint32_t> device_part{kNone, kNone};
  bool device_in_part = false;
};

bool longer_first(const PhraseMatch& a, const PhraseMatch& b) {
  if (a.from != b.from) return a.from < b.from;
  return a.to > b.to;
}

bool by_end(const PhraseMatch& a, const PhraseMatch& b) {
  if (a.to != b.to) return a.to < b.to;
  return a.from < b.from;
}

// Keeps the leftmost-longest matches that do not overlap each other.
void keep_longest_non_overlapping(MatchList& matches) {
  std::sort(matches.begin(), matches.end(), longer_first);
  size_t kept = 0;
  uint32_t covered_to = 0;
  for (const auto& match : matches) {
    bool same_span = kept > 0 && matches[kept - 1].from == match.from &&
                     matches[kept - 1].to == match.to;  // e.g. "versus" forward and backward
    if (kept > 0 && match.from < covered_to && !same_span) continue;
    matches[kept++] = match;
    covered_to = match.to;
  }
  matches.resize(kept);
}

// The matches of a start-sorted list that start in [from, to).
std::pair<const PhraseMatch*, const PhraseMatch*> starting_in(const MatchList& list, uint32_t from,
                                                             uint32_t to) {
  size_t first = list.PartitionPoint([&](const PhraseMatch& m) { return m.from < from; });
  size_t last = first;
  while (last < list.size() && list[last].from < to) ++last;
  return {list.data() + first, list.data() + last};
}

// The matches of an end-sorted list that end exactly at `end`, in order of start.
std::pair<const PhraseMatch*, const PhraseMatch*> ending_at(const MatchList& list, uint32_t end) {
  size_t first = list.PartitionPoint([&](const PhraseMatch& m) { return m.to < end; });
  size_t last = first;
  while (last < list.size() && list[last].to == end) ++last;
  return {list.data() + first, list.data() + last};
}

// The last match of a non-overlapping list that ends at or before `pos`, or nullptr.
const PhraseMatch* last_ending_by(const MatchList& list, uint32_t pos) {
  size_t it = list.PartitionPoint([&](const PhraseMatch& m) { return m.to <= pos; });
  return it == 0 ? nullptr : &list[it - 1];
}

// The first match of a start-sorted list that starts at or after `pos`, or nullptr.
const PhraseMatch* first_starting_at(const MatchList& list, uint32_t pos) {
  size_t it = list.PartitionPoint([&](const PhraseMatch& m) { return m.from < pos; });
  return it == list.size() ? nullptr : &list[it];
}

// The first offset in `offsets` at or after `pos`, or kNone.
uint32_t next_offset(const OffsetList& offsets, uint32_t pos) {
  size_t it = offsets.PartitionPoint([&](uint32_t offset) { return offset < pos; });
  return it == offsets.size() ? kNone : offsets[it];
}

// True when some offset of `offsets` lies in [from, to).
bool any_offset_in(const OffsetList& offsets, uint32_t from, uint32_t to) {
  return next_offset(offsets, from) < to;
}

// The side of the body a location names.
enum class Side : uint8_t { kNone, kLeft, kRight, kBoth };

// `side` with `word_side` met too: the side both name, or both sides when they differ.
Side with_side(Side side, Side word_side) {
  if (word_side == Side::kNone) return side;
  return side == Side::kNone || side == word_side ? word_side : Side::kBoth;
}

// The side a location phrase names.
Side side_of(std::string_view location) {
  bool left = location.find("left") != std::string_view::npos ||
              location.find("lingul") != std::string_view::npos;  // the lingula is left
  bool right = location.find("right") != std::string_view::npos;
  bool both = location.find("bilateral") != std::string_view::npos ||
              location.find("bibasilar") != std::string_view::npos ||
              location.find("biapical") != std::string_view::npos ||
              location.find("both") != std::string_view::npos;
  if (both || (left && right)) return Side::kBoth;
  if (left) return Side::kLeft;
  if (right) return Side::kRight;
  return Side::kNone;
}

Side side_of(const EntityAttributes& attributes) {
  Side side = attributes.location ? side_of(*attributes.location) : Side::kNone;
  if (side == Side::kNone && attributes.post_location) side = side_of(*attributes.post_location);
  return side;
}

bool has_location(const EntityAttributes& attributes) {
  return attributes.location || attributes.post_location;
}

// Merges a later positive mention's attributes into an earlier one: absent fields are
// filled, and a different side turns the location into "bilateral".
void merge_attributes(EntityAttributes& into, const EntityAttributes& from) {
  Side old_side = side_of(into);
  Side new_side = side_of(from);
  if (!into.location) into.location = from.location;
  if (!into.level) into.level = from.level;
  if (!into.type) into.type = from.type;
  if (!into.post_location) into.post_location = from.post_location;
  if (old_side != Side::kNone && new_side != Side::kNone && old_side != new_side) {
    into.location = "bilateral";
  }
}

// How far (in bytes) a level word may stand before a mention it was not attached to by the
// word walk ("small T-spine osteophytes", "mild, age-indeterminate wedge deformity").
constexpr uint32_t kMaxLevelGap = 40;
// How many attribute phrases the walk left from a mention reads at most, and how many words
// the walk right from it.
constexpr int kMaxModifierPhrases = 16;
constexpr int kMaxPostWords = 8;
// How far apart (in bytes) two findings joined only by "and", "or" and attribute words may be
// for a location after the second to count for the first ("effusion and atelectasis at the
// left base").
constexpr uint32_t kMaxCoordinationGap = 60;

// The side a finding word itself names: "levoscoliosis" is left, "dextroscoliosis" right.
Side side_of_mention_word(std::string_view word) {
  if (word.starts_with("levo")) return Side::kLeft;
  if (word.starts_with("dextro")) return Side::kRight;
  return Side::kNone;
}

// True when a location names both members of a pair by a plural ("the lung bases",
// "lungs", "the upper lobes"): such a finding is bilateral.
bool names_both_sides(std::string_view location) {
  static constexpr std::string_view kPairedPlurals[] = {
      "lungs", "bases", "apices", "lobes", "hemidiaphragms", "hemithoraces", "hila"};
  for (const auto& word : split(location, ' ')) {
    for (auto plural : kPairedPlurals) {
      if (word == plural) return true;
    }
  }
  return false;
}

// True when the location or post-location names a pair by a plural.
bool names_both_sides(const EntityAttributes& attributes) {
  return (attributes.location && names_both_sides(std::string_view(*attributes.location))) ||
         (attributes.post_location && names_both_sides(std::string_view(*attributes.post_location)));
}

// "left", "right" or "bilateral" for a side other than kNone.
std::string_view side_name(Side side) {
  return side == Side::kLeft ? "left" : side == Side::kRight ? "right" : "bilateral";
}

// `location` without its side words.
std::string without_sides(std::string_view location) {
  std::vector<std::string> kept;
  for (auto word : split(location, ' ')) {
    if (!word.empty() && side_of(word) == Side::kNone) kept.emplace_back(word);
  }
  return join(kept, " ");
}

// True when `text` compares the two sides ("left greater than right", "right more than left",
// "greater on the left": a finding on both sides, more on one).
bool compares_sides(std::string_view text) {
  for (std::string_view more : {"greater on the ", "greater at the ", "more on the ", "worse on the "}) {
    for (size_t at = text.find(more); at != std::string_view::npos; at = text.find(more, at + 1)) {
      std::string_view after = text.substr(at + more.size());
      if (after.starts_with("left") || after.starts_with("right")) return true;
    }
  }
  for (std::string_view comparative : {" greater than ", " more than ", " worse than ", " larger than "}) {
    for (size_t at = text.find(comparative); at != std::string_view::npos;
         at = text.find(comparative, at + 1)) {
      std::string_view before = text.substr(0, at), after = text.substr(at + comparative.size());
      bool sided_before = before.ends_with("left") || before.ends_with("right");
      bool sided_after = after.starts_with("left") || after.starts_with("right");
      if (sided_before && sided_after) return true;
    }
  }
  return false;
}

// How many words may stand between a finding and an adjacent cue after it.
constexpr int kAdjacentCueWordsAfter = 3;

// True when [from, to) of `text` holds the word "or", "with" or "but".
bool has_conjunction(std::string_view text, uint32_t from, uint32_t to) {
  std::string_view part = text.substr(from, to - from);
  for (std::string_view word : {"or", "with", "but"}) {
    if (contains_word(part, word)) return true;
  }
  return false;
}

// True when [from, to) of `text` holds at most `limit` words.
bool at_most_words(std::string_view text, uint32_t from, uint32_t to, int limit) {
  int words = 0;
  bool in_word = false;
  for (uint32_t i = from; i < to; ++i) {
    bool space = text[i] == ' ';
    if (!space && !in_word && ++words > limit) return false;
    in_word = !space;
  }
  return true;
}

// What ReadAttributes gathers for one mention while it reads the words before, inside and
// after it: the attributes themselves (in the mention), a change word that stands in for a
// level ("increased"), and the first level word read (to drop it when it is a former level).
struct AttributeDraft {
  Mention& mention;
  std::optional<std::string> change_level;
  const PhraseMatch* first_level = nullptr;
};

std::string_view word_of(const std::string& text, const PhraseMatch& m) {
  return std::string_view(text).substr(m.from, m.to - m.from);
}

// The attribute an attribute word of `kind` fills, or nullptr for other words.
std::optional<std::string>* field_of(AttributeDraft& draft, PhraseKind kind) {
  EntityAttributes& attributes = draft.mention.attributes;
  switch (kind) {
    case PhraseKind::kLevel: return &attributes.level;
    case PhraseKind::kLevelChange: return &draft.change_level;
    case PhraseKind::kType: return &attributes.type;
    case PhraseKind::kLocation: return &attributes.location;
    default: return nullptr;
  }
}

// Puts the word of `m` in front of what its attribute holds, joined by `joiner` (the walk
// before the mention reads right to left).
void prepend_word(AttributeDraft& draft, const std::string& text, const PhraseMatch& m, std::string_view joiner) {
  std::optional<std::string>* field = field_of(draft, m.kind);
  if (field == nullptr) return;
  if (m.kind == PhraseKind::kLevel) draft.first_level = &m;
  std::string word(word_of(text, m));
  *field = field->has_value() ? word + std::string(joiner) + **field : word;
}

}  // namespace

struct RulesExtractor::Impl {
  explicit Impl(const Lexicon& lexicon) : lexicon(lexicon), matcher(lexicon) {
    for (const auto& anatomy : lexicon.anatomy()) {
      const Finding* finding = lexicon.FindByName(anatomy.negated_finding);
      anatomy_finding.push_back(
          finding ? static_cast<uint32_t>(finding - lexicon.findings().data()) : kNone);
    }
  }

  const Lexicon& lexicon;
  PhraseMatcher matcher;
  std::vector<uint32_t> anatomy_finding;  // anatomy index -> the finding its normal statement negates
  mutable std::mutex pool_mutex;
  mutable std::vector<std::unique_ptr<Scratch>> pool;

  std::unique_ptr<Scratch> Acquire() const {
    std::lock_guard<std::mutex> lock(pool_mutex);
    if (pool.empty()) return std::make_unique<Scratch>();
    auto scratch = std::move(pool.back());
    pool.pop_back();
    return scratch;
  }
  void Release(std::unique_ptr<Scratch> scratch) const {
    std::lock_guard<std::mutex> lock(pool_mutex);
    pool.push_back(std::move(scratch));
  }

  void Classify(Scratch& s) const;
  void IndexText(Scratch& s) const;
  // Start and end of the clause around [from, to): sentence ends and scope breaks bound it.
  std::pair<uint32_t, uint32_t> ClauseOf(const Scratch& s, uint32_t from, uint32_t to) const;
  uint32_t SentenceOf(const Scratch& s, uint32_t offset) const {
    const auto& ends = s.normalized.sentence_ends;
    return static_cast<uint32_t>(
        std::upper_bound(ends.begin(), ends.end(), static_cast<size_t>(offset)) - ends.begin());
  }
  uint32_t SentenceEnd(const Scratch& s, uint32_t offset) const {
    const auto& ends = s.normalized.sentence_ends;
    auto it = std::lower_bound(ends.begin(), ends.end(), static_cast<size_t>(offset));
    return it == ends.end() ? static_cast<uint32_t>(s.normalized.text.size())
                            : static_cast<uint32_t>(*it);
  }
  Polarity PolarityOf(const Scratch& s, size_t index, uint32_t clause_begin,
                      uint32_t clause_end) const;
  // Attributes from the words before the mention, inside it and the location after it.
  void ReadAttributes(const Scratch& s, size_t index, Mention& mention, uint32_t clause_begin,
                      uint32_t clause_end) const;
  // The attribute and modifier words right before the mention, walking left in its clause.
  void ReadWordsBefore(const Scratch& s, AttributeDraft& draft, uint32_t clause_begin) const;
  // Attribute words inside the mention's phrase that modify its finding.
  void ReadWordsInside(const Scratch& s, size_t index, AttributeDraft& draft) const;
  // A post-location phrase or location words after the mention, past connector words.
  void ReadLocationAfter(const Scratch& s, AttributeDraft& draft, uint32_t clause_end) const;
  // The level after a "now"/"to" in the mention's sentence before the next finding ("has
  // decreased and is now small"), or nullopt.
  std::optional<std::string> CurrentLevel(const Scratch& s, size_t index) const;
  // The role of the current/former cue that stands right before `level` ("now", "from").
  std::optional<LevelChange::Role> RoleBefore(const Scratch& s, const PhraseMatch& level) const;
  // True when a former-level cue ("previously", "from") stands right before `level`.
  bool IsFormerLevel(const Scratch& s, const PhraseMatch& level) const;
  // True when a device or treatment word shares the mention's comma-separated clause part.
  bool HasDevice(Scratch& s, const PhraseMatch& mention, uint32_t clause_begin,
                 uint32_t clause_end) const;
  // Fills a missing side or level from words near the mention in its clause (see the header).
  void FillNearbyAttributes(const Scratch& s, size_t index, uint32_t clause_begin,
                            uint32_t clause_end, Mention& mention) const;
  // The side that the words of the mention's stretch [begin, end) name, or kNone.
  Side NearbySide(const Scratch& s, uint32_t begin, uint32_t end, Mention& mention) const;
  // `side`, or kBoth when the words after the mention in [from, end) name the other side.
  Side WithEllipticalSides(const Scratch& s, uint32_t from, uint32_t end, uint32_t clause_end,
                           Side side) const;
  // A mention without location takes one from a neighbour it is said of (see the header).
  void ShareSentenceLocations(Scratch& s) const;
  bool CoordinatedWith(const Scratch& s, const Mention& first, const Mention& second) const;
  // The words of [from, to) when each is an attribute or connector word ("in", "at"), "and",
  // "or" or a comma: whether a conjunction joins them and the side their location words name.
  struct WordRun {
    bool joined = false;
    Side side = Side::kNone;
  };
  std::optional<WordRun> AttributeRun(const Scratch& s, uint32_t from, uint32_t to) const;
  std::optional<ClearStatement> ClearOf(const Scratch& s) const;
  KeyInfo Assemble(const Scratch& s) const;
};

void RulesExtractor::Impl::Classify(Scratch& s) const {
  for (auto* list : {&s.findings, &s.cues, &s.breaks, &s.attributes, &s.post_locations,
                     &s.devices, &s.clears, &s.connectors, &s.levels,
                     &s.locations}) {
    list->clear();
  }
  for (const auto& match : s.all) {
    switch (match.kind) {
      case PhraseKind::kFinding:
      case PhraseKind::kAnatomy: s.findings.push_back(match); break;
      case PhraseKind::kCue:
      case PhraseKind::kScopeBreak: s.cues.push_back(match); break;
      case PhraseKind::kDevice: s.devices.push_back(match); break;
      case PhraseKind::kPostLocation: s.post_locations.push_back(match); break;
      case PhraseKind::kConnector: s.connectors.push_back(match); break;
      case PhraseKind::kClear: s.clears.push_back(match); break;
      default: s.attributes.push_back(match); break;
    }
  }
  keep_longest_non_overlapping(s.findings);
  keep_longest_non_overlapping(s.devices);
  // Cues and scope breaks compete: "no change" (a break) wins over "no" (a cue), "partially
  // resolved" (a change cue) over "resolved".
  keep_longest_non_overlapping(s.cues);
  for (auto& kinds : s.cue_lists) {
    for (auto& list : kinds) list.clear();
  }
  for (const auto& match : s.cues) {
    if (match.kind == PhraseKind::kScopeBreak) {
      s.breaks.push_back(match);
      continue;
    }
    const Cue& cue = lexicon.cues()[match.index];
    if (cue.kind == Cue::Kind::kChange) continue;
    s.cue_lists[cue.kind == Cue::Kind::kNegation ? 0 : 1][static_cast<size_t>(cue.direction)]
        .push_back(match);
  }
  std::sort(s.attributes.begin(), s.attributes.end(), longer_first);
  std::sort(s.post_locations.begin(), s.post_locations.end(), longer_first);
  std::sort(s.connectors.begin(), s.connectors.end(), longer_first);
  s.attributes_by_end.assign(s.attributes.begin(), s.attributes.end());
  std::sort(s.attributes_by_end.begin(), s.attributes_by_end.end(), by_end);
  for (const auto& match : s.attributes) {
    if (match.kind == PhraseKind::kLevel) s.levels.push_back(match);
    if (match.kind == PhraseKind::kLocation) s.locations.push_back(match);
  }
  s.levels_by_end.assign(s.levels.begin(), s.levels.end());
  std::sort(s.levels_by_end.begin(), s.levels_by_end.end(), by_end);
}

void RulesExtractor::Impl::IndexText(Scratch& s) const {
  s.commas.clear();
  s.and_words.clear();
  s.comparatives.clear();
  const std::string& text = s.normalized.text;
  uint32_t size = static_cast<uint32_t>(text.size());
  uint32_t word_start = 0;
  for (uint32_t i = 0; i <= size; ++i) {
    if (i < size && is_word_char(text[i])) continue;
    std::string_view word = std::string_view(text).substr(word_start, i - word_start);
    if (word == "and") s.and_words.push_back(word_start);
    if (word == "than" || word == "greater" || word == "more" || word == "worse") {
      s.comparatives.push_back(word_start);
    }
    if (i < size && text[i] == ',') s.commas.push_back(i);
    word_start = i + 1;
  }
  s.device_part = {kNone, kNone};
}

std::pair<uint32_t, uint32_t> RulesExtractor::Impl::ClauseOf(const Scratch& s, uint32_t from,
                                                             uint32_t to) const {
  const auto& ends = s.normalized.sentence_ends;
  uint32_t end = SentenceEnd(s, to);
  uint32_t begin = 0;
  auto previous_end = std::upper_bound(ends.begin(), ends.end(), static_cast<size_t>(from));
  if (previous_end != ends.begin()) begin = static_cast<uint32_t>(*std::prev(previous_end));
  if (begin > from) begin = 0;
  if (const PhraseMatch* before = last_ending_by(s.breaks, from); before && before->to > begin) {
    begin = before->to;
  }
  if (const PhraseMatch* after = first_starting_at(s.breaks, to); after && after->from < end) {
    end = after->from;
  }
  return {begin, end};
}

Polarity RulesExtractor::Impl::PolarityOf(const Scratch& s, size_t index, uint32_t clause_begin,
                                          uint32_t clause_end) const {
  const PhraseMatch& mention = s.findings[index];
  const std::string& text = s.normalized.text;
  // A backward cue reaches back over its own comma-separated part only ("opacity,
  // atelectasis versus scarring": the opacity stays certain).
  uint32_t next_comma = next_offset(s.commas, mention.to);
  auto inside = [&](const MatchList& cues) {
    auto [first, last] = starting_in(cues, mention.from, mention.to);
    return std::any_of(first, last, [&](const PhraseMatch& m) { return m.to <= mention.to; });
  };
  auto before = [&](const MatchList& cues) {
    const PhraseMatch* cue = last_ending_by(cues, mention.from);
    return cue != nullptr && cue->from >= clause_begin;
  };
  auto after = [&](const MatchList& cues) {
    const PhraseMatch* cue = first_starting_at(cues, mention.to);
    return cue != nullptr && cue->to <= clause_end && next_comma >= cue->from;
  };
  // An adjacent cue modifies the noun phrase right after it ("resolved pulmonary edema",
  // "normal heart size") or stands right after it ("heart size normal"): no comma and no
  // other finding in between, and only a few words (after it, none of them a conjunction:
  // "cardiomegaly and normal vascularity" is no normal heart).
  auto adjacent = [&](const MatchList& cues) {
    if (inside(cues)) return true;
    const PhraseMatch* cue = last_ending_by(cues, mention.from);
    bool before_ok = cue != nullptr && cue->from >= clause_begin &&
                     !(index > 0 && s.findings[index - 1].to > cue->to) &&
                     !any_offset_in(s.commas, cue->to, mention.from) &&
                     at_most_words(text, cue->to, mention.from, kAdjacentCueWords);
    if (before_ok) return true;
    cue = first_starting_at(cues, mention.to);
    return cue != nullptr && cue->to <= clause_end && next_comma >= cue->from &&
           !(index + 1 < s.findings.size() && s.findings[index + 1].from < cue->from) &&
           at_most_words(text, mention.to, cue->from, kAdjacentCueWordsAfter) &&
           !any_offset_in(s.and_words, mention.to, cue->from) &&
           !has_conjunction(text, mention.to, cue->from);
  };
  constexpr size_t kForward = 0, kBackward = 1, kAdjacent = 2;
  bool forward[2], backward[2];
  for (size_t kind = 0; kind < 2; ++kind) {
    const auto& lists = s.cue_lists[kind];
    forward[kind] = before(lists[kForward]) || inside(lists[kForward]) || adjacent(lists[kAdjacent]);
    backward[kind] = after(lists[kBackward]) || inside(lists[kBackward]);
  }
  constexpr size_t kNegation = 0, kUncertainty = 1;
  if (backward[kUncertainty]) return Polarity::kUncertain;
  if (forward[kNegation]) return Polarity::kNegated;
  if (forward[kUncertainty]) return Polarity::kUncertain;
  if (backward[kNegation]) return Polarity::kNegated;
  return Polarity::kPositive;
}

std::optional<LevelChange::Role> RulesExtractor::Impl::RoleBefore(const Scratch& s,
                                                                  const PhraseMatch& level) const {
  std::string_view before = std::string_view(s.normalized.text).substr(0, level.from);
  if (!before.ends_with(' ')) return std::nullopt;
  before.remove_suffix(1);
  for (const LevelChange& cue : lexicon.level_changes()) {
    if (cue.role == LevelChange::Role::kChange || !before.ends_with(cue.phrase)) continue;
    size_t start = before.size() - cue.phrase.size();
    if (start == 0 || !is_word_char(before[start - 1])) return cue.role;
  }
  return std::nullopt;
}

bool RulesExtractor::Impl::IsFormerLevel(const Scratch& s, const PhraseMatch& level) const {
  return RoleBefore(s, level) == LevelChange::Role::kFormer;
}

std::optional<std::string> RulesExtractor::Impl::CurrentLevel(const Scratch& s,
                                                              size_t index) const {
  const PhraseMatch& mention = s.findings[index];
  uint32_t end = SentenceEnd(s, mention.to);
  if (index + 1 < s.findings.size()) end = std::min(end, s.findings[index + 1].from);
  const std::string& text = s.normalized.text;
  std::optional<std::string> current;
  uint32_t covered_to = 0;
  auto [first, last] = starting_in(s.levels, mention.to, end);
  for (const PhraseMatch* level = first; level != last; ++level) {
    if (level->from < covered_to || level->to > end) continue;
    covered_to = level->to;
    auto role = RoleBefore(s, *level);
    if (!role) continue;
    std::string_view word = std::string_view(text).substr(level->from, level->to - level->from);
    if (role == LevelChange::Role::kCurrent) {
      current = std::string(word);
    } else if (size_t to = word.find(" to "); role == LevelChange::Role::kFormer &&
                                              to != std::string_view::npos) {
      current = std::string(word.substr(to + 4));  // "from small to moderate"
    }
  }
  return current;
}

void RulesExtractor::Impl::ReadAttributes(const Scratch& s, size_t index, Mention& mention,
                                          uint32_t clause_begin, uint32_t clause_end) const {
  AttributeDraft draft{mention, std::nullopt, nullptr};
  ReadWordsBefore(s, draft, clause_begin);
  ReadWordsInside(s, index, draft);
  ReadLocationAfter(s, draft, clause_end);
  // A former level is no level ("previously large effusion"); a change word is the level
  // when there is no other ("increased opacity").
  EntityAttributes& attributes = mention.attributes;
  if (draft.first_level != nullptr && IsFormerLevel(s, *draft.first_level)) attributes.level.reset();
  if (!attributes.level) attributes.level = std::move(draft.change_level);
}

void RulesExtractor::Impl::ReadWordsBefore(const Scratch& s, AttributeDraft& draft, uint32_t clause_begin) const {
  const std::string& text = s.normalized.text;
  auto first_ending_at = [&](uint32_t end, const PhraseMatch* same_kind) -> const PhraseMatch* {
    auto [first, last] = ending_at(s.attributes_by_end, end);
    for (const PhraseMatch* m = first; m != last; ++m) {
      if (m->from >= clause_begin && (same_kind == nullptr || m->kind == same_kind->kind)) return m;
    }
    return nullptr;
  };
  uint32_t pos = draft.mention.from;
  for (int phrases = 0; phrases < kMaxModifierPhrases && pos > clause_begin; ++phrases) {
    uint32_t word_end = pos;
    while (word_end > clause_begin && (text[word_end - 1] == ' ' || text[word_end - 1] == ','))
      --word_end;
    const PhraseMatch* best = first_ending_at(word_end, nullptr);
    if (best == nullptr) break;
    prepend_word(draft, text, *best, " ");
    pos = best->from;
    // "interstitial and alveolar", "right and left": a joined word of the same class.
    for (std::string_view joiner : {" and ", " or ", "/", " to "}) {
      if (pos < clause_begin + joiner.size() ||
          std::string_view(text).substr(pos - joiner.size(), joiner.size()) != joiner) {
        continue;
      }
      if (const PhraseMatch* m = first_ending_at(pos - static_cast<uint32_t>(joiner.size()), best)) {
        prepend_word(draft, text, *m, joiner);
        pos = m->from;
      }
      break;
    }
  }
}

// Level words inside the finding phrase ("borderline heart size"); type and location words
// inside a gap phrase ("elevation of the left hemidiaphragm"); inside a fixed name only a
// type word that the finding is named without as well ("interstitial edema" is edema too,
// but "airspace disease" is no "disease"); never a word of the finding's own name ("rib" of
// "fractures of the left 6th and 7th ribs", "pleural" of "pleural effusion").
void RulesExtractor::Impl::ReadWordsInside(const Scratch& s, size_t index, AttributeDraft& draft) const {
  const std::string& text = s.normalized.text;
  const Mention& mention = draft.mention;
  bool gap_phrase = s.findings[index].gap;
  std::string_view phrase = std::string_view(text).substr(mention.from, mention.to - mention.from);
  const Finding& finding = lexicon.findings()[mention.finding];
  auto modifies = [&](const PhraseMatch& m) {
    if (contains_word(finding.name, lexicon.Singular(word_of(text, m)))) return false;
    if (m.kind == PhraseKind::kLevel) return true;
    if (gap_phrase) return m.kind == PhraseKind::kType || m.kind == PhraseKind::kLocation;
    if (m.kind != PhraseKind::kType || (m.from != mention.from && m.to != mention.to)) return false;
    std::string_view rest = m.from == mention.from ? phrase.substr(m.to - m.from + 1)
                                                   : phrase.substr(0, m.from - mention.from - 1);
    return lexicon.FindByPhrase(rest) == &finding;
  };
  auto [inside_first, inside_last] = starting_in(s.attributes, mention.from, mention.to);
  for (const PhraseMatch* m = inside_first; m != inside_last; ++m) {
    bool inside = m->to <= mention.to && m->to - m->from < mention.to - mention.from;
    if (!inside || !modifies(*m)) continue;
    std::optional<std::string>& field = *field_of(draft, m->kind);  // in text order, after the walk's words
    field = field ? *field + " " + std::string(word_of(text, *m)) : std::string(word_of(text, *m));
  }
}

// A post-location phrase after the mention, past connector words ("is seen in"), or the
// location words there ("in the peripheral right lung").
void RulesExtractor::Impl::ReadLocationAfter(const Scratch& s, AttributeDraft& draft, uint32_t clause_end) const {
  const std::string& text = s.normalized.text;
  Mention& mention = draft.mention;
  EntityAttributes& attributes = mention.attributes;
  uint32_t pos = mention.to;
  bool reading_location = false;  // the post walk is reading location words
  for (int hops = 0; hops < kMaxPostWords && pos < clause_end; ++hops) {
    while (pos < clause_end && text[pos] == ' ') ++pos;
    auto [post_first, post_last] = starting_in(s.post_locations, pos, pos + 1);
    const PhraseMatch* post = nullptr;
    for (const PhraseMatch* m = post_first; m != post_last && post == nullptr; ++m) {
      if (m->to <= clause_end) post = m;
    }
    if (post != nullptr) {
      const std::string& phrase = lexicon.post_locations()[post->index].phrase;
      attributes.post_location = phrase;
      if (reading_location) {  // "the lateral right lung base": the words before belong to it
        *attributes.location += " " + (phrase.starts_with("the ") ? phrase.substr(4) : phrase);
      }
      mention.location_after = true;
      break;
    }
    auto [connector_first, connector_last] = starting_in(s.connectors, pos, pos + 1);
    const PhraseMatch* step = connector_first != connector_last ? connector_last - 1 : nullptr;
    auto [word_first, word_last] = starting_in(s.attributes, pos, pos + 1);
    for (const PhraseMatch* m = word_first; m != word_last && step == nullptr; ++m) {
      if (m->kind == PhraseKind::kDropModifier) step = m;  // "the"
    }
    for (const PhraseMatch* m = word_first; m != word_last; ++m) {
      if (m->kind != PhraseKind::kLocation || (attributes.location && !reading_location)) continue;
      attributes.location = reading_location ? *attributes.location + " " + std::string(word_of(text, *m))
                                             : std::string(word_of(text, *m));
      mention.location_after = reading_location = true;
      step = m;
      break;
    }
    if (step == nullptr) break;
    if (step->kind != PhraseKind::kLocation) reading_location = false;
    pos = step->to;
  }
}

bool RulesExtractor::Impl::HasDevice(Scratch& s, const PhraseMatch& mention,
                                     uint32_t clause_begin, uint32_t clause_end) const {
  // The comma-separated part of the clause that holds the mention.
  uint32_t begin = clause_begin;
  uint32_t end = clause_end;
  auto comma_after = std::lower_bound(s.commas.begin(), s.commas.end(), mention.to);
  if (comma_after != s.commas.begin()) {
    uint32_t comma_before = *std::prev(comma_after);
    if (comma_before <= mention.from && comma_before >= clause_begin) begin = comma_before;
  }
  if (comma_after != s.commas.end() && *comma_after < clause_end) end = *comma_after;
  if (s.device_part != std::pair{begin, end}) {
    const PhraseMatch* device = first_starting_at(s.devices, begin);
    s.device_part = {begin, end};
    s.device_in_part = device != nullptr && device->to <= end;
  }
  return s.device_in_part;
}

void RulesExtractor::Impl::FillNearbyAttributes(const Scratch& s, size_t index,
                                                uint32_t clause_begin, uint32_t clause_end,
                                                Mention& mention) const {
  EntityAttributes& attributes = mention.attributes;
  const std::string& text = s.normalized.text;
  // The mention's own stretch of the clause: from the end of the finding mention before it to
  // the start of the one after it.
  uint32_t begin = clause_begin, end = clause_end;
  if (index > 0 && s.findings[index - 1].to > begin) begin = s.findings[index - 1].to;
  if (index + 1 < s.findings.size() && s.findings[index + 1].from < end) {
    end = s.findings[index + 1].from;
  }
  if (!attributes.level) {
    const PhraseMatch* nearest = nullptr;
    size_t it = s.levels_by_end.PartitionPoint(
        [&](const PhraseMatch& m) { return m.to <= mention.from; });
    for (; it > 0; --it) {
      const PhraseMatch& m = s.levels_by_end[it - 1];
      if (mention.from - m.to > kMaxLevelGap) break;
      if (m.from < begin || IsFormerLevel(s, m)) continue;
      if (!nearest || m.to > nearest->to || (m.to == nearest->to && m.from < nearest->from)) nearest = &m;
    }
    if (nearest) attributes.level = text.substr(nearest->from, nearest->to - nearest->from);
  }
  Side side = side_of(attributes);
  if (any_offset_in(s.comparatives, begin, end) &&
      compares_sides(std::string_view(text).substr(begin, end - begin))) {
    side = Side::kBoth;  // "left greater than right basilar opacity"
  } else if (side == Side::kNone) {
    side = NearbySide(s, begin, end, mention);
  }
  side = WithEllipticalSides(s, mention.to, end, clause_end, side);
  if (side == Side::kNone || side == side_of(attributes)) return;
  std::string place = attributes.location ? without_sides(*attributes.location) : "";
  attributes.location = std::string(side_name(side)) + (place.empty() ? "" : " " + place);
}

Side RulesExtractor::Impl::NearbySide(const Scratch& s, uint32_t begin, uint32_t end,
                                      Mention& mention) const {
  const std::string& text = s.normalized.text;
  std::string_view word_of_mention = std::string_view(text).substr(mention.from, mention.to - mention.from);
  if (Side side = side_of_mention_word(word_of_mention); side != Side::kNone) return side;
  // Side words before the mention (and inside it) first, then those after it; a pair named
  // by a plural ("the lung bases", "elevated hemidiaphragms") is both sides.
  for (auto [from, to] : {std::pair{begin, mention.to}, std::pair{mention.to, end}}) {
    Side side = Side::kNone;
    bool paired_plural = from == begin && names_both_sides(word_of_mention);
    auto [first, last] = starting_in(s.locations, from, to);
    for (const PhraseMatch* m = first; m != last; ++m) {
      if (m->to > to) continue;
      std::string_view word = std::string_view(text).substr(m->from, m->to - m->from);
      side = with_side(side, side_of(word));
      paired_plural = paired_plural || names_both_sides(word);
    }
    if (side == Side::kNone && paired_plural) side = Side::kBoth;
    if (side != Side::kNone) {
      if (from == mention.to && !has_location(mention.attributes)) mention.location_after = true;
      return side;
    }
  }
  return names_both_sides(mention.attributes) ? Side::kBoth : Side::kNone;
}

Side RulesExtractor::Impl::WithEllipticalSides(const Scratch& s, uint32_t from, uint32_t end,
                                               uint32_t clause_end, Side side) const {
  // Words after the finding that are only attribute and connector words name its place once
  // more, perhaps with the other side ("in a left apex and right base", "moderate right
  // pleural effusion, small left sided"): all of them up to the clause end when no other
  // finding follows, else each comma part closed before the next finding (whose own
  // modifiers stand right before it).
  if (side == Side::kNone || side == Side::kBoth) return side;
  auto other_side = [&](uint32_t part_from, uint32_t part_to) {
    auto run = AttributeRun(s, part_from, part_to);
    return run && run->side != Side::kNone && run->side != side;
  };
  if (end == clause_end) return other_side(from, end) ? Side::kBoth : side;
  for (uint32_t comma = next_offset(s.commas, from); comma < end;) {
    uint32_t next_comma = next_offset(s.commas, comma + 1);
    if (next_comma >= end) break;
    if (other_side(comma + 1, next_comma)) return Side::kBoth;
    comma = next_comma;
  }
  return side;
}

std::optional<RulesExtractor::Impl::WordRun> RulesExtractor::Impl::AttributeRun(
    const Scratch& s, uint32_t from, uint32_t to) const {
  const std::string& text = s.normalized.text;
  WordRun run;
  uint32_t pos = from;
  while (pos < to) {
    if (text[pos] == ' ' || text[pos] == ',') {
      ++pos;
      continue;
    }
    uint32_t word_end = pos;
    while (word_end < to && text[word_end] != ' ' && text[word_end] != ',') ++word_end;
    std::string_view word = std::string_view(text).substr(pos, word_end - pos);
    if (word == "and" || word == "or" || word == "and/or") {
      run.joined = true;
      pos = word_end;
      continue;
    }
    auto [attribute, none] = starting_in(s.attributes, pos, pos + 1);
    if (attribute == none) {
      auto [connector, no_connector] = starting_in(s.connectors, pos, pos + 1);
      if (connector == no_connector) return std::nullopt;
      pos = std::max(word_end, connector->to);
      continue;
    }
    if (attribute->kind == PhraseKind::kLocation) {
      run.side = with_side(run.side, side_of(word_of(text, *attribute)));
    }
    pos = std::max(word_end, attribute->to);
  }
  return run;
}

bool RulesExtractor::Impl::CoordinatedWith(const Scratch& s, const Mention& first,
                                           const Mention& second) const {
  // Only "and", "or", commas and attribute words between the two findings.
  if (second.from - first.to > kMaxCoordinationGap) return false;
  auto run = AttributeRun(s, first.to, second.from);
  return run && run->joined;
}

void RulesExtractor::Impl::ShareSentenceLocations(Scratch& s) const {
  // A mention without any location takes one from a neighbour in its sentence: from the
  // nearest earlier mention that has one, unless "and" joins the two ("opacity in the left
  // base, likely atelectasis", but not "bilateral effusions and mild edema"); or from the
  // nearest later mention whose location follows it and which is joined to it by "and"/"or"
  // ("effusion and atelectasis at the left base"). A sided location wins over one without
  // side; the earlier one wins a tie. Locations are taken from the mentions as read, not as
  // shared.
  auto& mentions = s.mentions;
  std::vector<uint32_t> previous(mentions.size(), kNone), next(mentions.size(), kNone);
  for (size_t i = 1; i < mentions.size(); ++i) {
    if (mentions[i].sentence != mentions[i - 1].sentence) continue;
    previous[i] = has_location(mentions[i - 1].attributes) ? static_cast<uint32_t>(i - 1) : previous[i - 1];
  }
  for (size_t i = mentions.size(); i-- > 1;) {
    if (mentions[i].sentence != mentions[i - 1].sentence) continue;
    next[i - 1] = has_location(mentions[i].attributes) ? static_cast<uint32_t>(i) : next[i];
  }
  std::vector<const EntityAttributes*> source(mentions.size(), nullptr);
  for (size_t i = 0; i < mentions.size(); ++i) {
    if (has_location(mentions[i].attributes)) continue;
    const Mention* earlier = previous[i] == kNone ? nullptr : &mentions[previous[i]];
    const Mention* later = next[i] == kNone ? nullptr : &mentions[next[i]];
    if (earlier && any_offset_in(s.and_words, earlier->to, mentions[i].from)) earlier = nullptr;
    if (later && !(later->location_after && CoordinatedWith(s, mentions[i], *later))) later = nullptr;
    const Mention* chosen = earlier ? earlier : later;
    if (earlier && later && side_of(earlier->attributes) == Side::kNone &&
        side_of(later->attributes) != Side::kNone) {
      chosen = later;
    }
    if (chosen) source[i] = &chosen->attributes;
  }
  for (size_t i = 0; i < mentions.size(); ++i) {
    if (source[i] == nullptr) continue;
    mentions[i].attributes.location = source[i]->location;
    mentions[i].attributes.post_location = source[i]->post_location;
  }
}

std::optional<ClearStatement> RulesExtractor::Impl::ClearOf(const Scratch& s) const {
  const std::string& text = s.normalized.text;
  const auto& forward_negations = s.cue_lists[0][0];
  std::pair<uint32_t, uint32_t> clause{kNone, kNone};
  bool lung = false;
  Side side = Side::kNone;
  for (const auto& clear : s.clears) {
    auto [begin, end] = ClauseOf(s, clear.from, clear.to);
    const PhraseMatch* cue = last_ending_by(forward_negations, clear.from);
    if (cue != nullptr && cue->from >= begin) continue;
    if (clause != std::pair{begin, end}) {  // the lung and side words of a new clause
      clause = {begin, end};
      lung = false;
      side = Side::kNone;
      auto [first, last] = starting_in(s.locations, begin, end);
      for (const PhraseMatch* m = first; m != last; ++m) {
        if (m->to > end) continue;
        std::string_view word = std::string_view(text).substr(m->from, m->to - m->from);
        if (word == "lung" || word == "lungs") lung = true;
        side = with_side(side, side_of(word));
      }
    }
    if (!lung) continue;
    ClearStatement statement;
    statement.location = side == Side::kLeft ? "left lung" : side == Side::kRight ? "right lung" : "lungs";
    return statement;
  }
  return std::nullopt;
}

KeyInfo RulesExtractor::Impl::Assemble(const Scratch& s) const {
  KeyInfo info;
  const auto& findings = lexicon.findings();
  std::vector<int> best(findings.size(), -1);
  std::vector<uint32_t> order;
  for (const auto& mention : s.mentions) {
    int& state = best[mention.finding];
    if (state < 0) order.push_back(mention.finding);
    state = std::max(state, static_cast<int>(mention.polarity));
  }
  for (uint32_t finding : order) {
    const std::string& name = findings[finding].name;
    if (best[finding] == static_cast<int>(Polarity::kNegated)) info.no_entity.push_back(name);
    if (best[finding] == static_cast<int>(Polarity::kUncertain)) {
      info.uncertain_entity.push_back(name);
    }
  }
  std::vector<uint32_t> entity_of(findings.size(), kNone);  // finding -> index in info.entity
  for (const auto& mention : s.mentions) {
    if (mention.polarity != Polarity::kPositive) continue;
    const Finding& finding = findings[mention.finding];
    uint32_t& entity = entity_of[mention.finding];
    if (entity == kNone) {
      entity = static_cast<uint32_t>(info.entity.size());
      info.entity.push_back({finding.name, mention.attributes});
    } else {
      merge_attributes(info.entity[entity].attributes, mention.attributes);
    }
    if (finding.category == "opacity" && !info.opacity) {
      OpacityStatement opacity;
      opacity.location = mention.attributes.location ? mention.attributes.location
                                                     : mention.attributes.post_location;
      opacity.level = mention.attributes.level;
      opacity.type = mention.attributes.type;
      info.opacity = opacity;
    }
  }
  info.clear = ClearOf(s);
  return info;
}

RulesExtractor::RulesExtractor(std::shared_ptr<const Lexicon> lexicon)
    : lexicon_(std::move(lexicon)), impl_(std::make_unique<Impl>(*lexicon_)) {}

RulesExtractor::~RulesExtractor() = default;

bool RulesExtractor::Ready() const { return impl_->matcher.ok(); }
const std::string& RulesExtractor::compile_error() const { return impl_->matcher.error(); }

KeyInfo RulesExtractor::Extract(std::string_view selected_text) const {
  auto scratch = impl_->Acquire();
  Scratch& s = *scratch;
  normalize_report_text(selected_text, s.normalized);
  s.all.clear();
  impl_->matcher.Scan(s.normalized.text, s.all);
  impl_->Classify(s);
  impl_->IndexText(s);
  s.mentions.clear();
  s.mentions.reserve(s.findings.size());
  for (size_t index = 0; index < s.findings.size(); ++index) {
    const PhraseMatch& match = s.findings[index];
    auto [begin, end] = impl_->ClauseOf(s, match.from, match.to);
    if (impl_->HasDevice(s, match, begin, end)) continue;
    Mention mention;
    mention.polarity = impl_->PolarityOf(s, index, begin, end);
    // Anatomy counts only in a normal statement ("heart size is normal": no cardiomegaly).
    bool anatomy = match.kind == PhraseKind::kAnatomy;
    if (anatomy && mention.polarity != Polarity::kNegated) continue;
    mention.finding = anatomy ? impl_->anatomy_finding[match.index] : match.index;
    mention.sentence = impl_->SentenceOf(s, match.from);
    mention.from = match.from;
    mention.to = match.to;
    impl_->ReadAttributes(s, index, mention, begin, end);
    if (auto current = impl_->CurrentLevel(s, index)) mention.attributes.level = std::move(current);
    impl_->FillNearbyAttributes(s, index, begin, end, mention);
    s.mentions.push_back(std::move(mention));
  }
  impl_->ShareSentenceLocations(s);
  KeyInfo info = impl_->Assemble(s);
  impl_->Release(std::move(scratch));
  return info;
}

}  // namespace cxrvqa
