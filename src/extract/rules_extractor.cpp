#include "extract/rules_extractor.h"

#include <algorithm>
#include <cstdint>
#include <mutex>

#include "common/text.h"
#include "extract/phrase_matcher.h"
#include "extract/report_text.h"

namespace cxrvqa {
namespace {

enum class Polarity : uint8_t { kNegated = 0, kUncertain = 1, kPositive = 2 };

// One finding mention with its clause and attributes.
struct Mention {
  uint32_t finding = 0;
  uint32_t sentence = 0;  // index of the sentence that holds the mention
  Polarity polarity = Polarity::kPositive;
  EntityAttributes attributes;
};

// Buffers reused across reports (one per concurrent Extract call).
struct Scratch {
  NormalizedText normalized;
  std::vector<PhraseMatch> all;
  std::vector<PhraseMatch> findings, cues, breaks, attributes, post_locations, devices, clears;
  std::vector<PhraseMatch> connectors;
  std::vector<Mention> mentions;
};

bool longer_first(const PhraseMatch& a, const PhraseMatch& b) {
  if (a.from != b.from) return a.from < b.from;
  return a.to > b.to;
}

// Keeps the leftmost-longest matches that do not overlap each other.
void keep_longest_non_overlapping(std::vector<PhraseMatch>& matches) {
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

// The side a location phrase names: 'l', 'r', 'b' (both) or 0.
char side_of(std::string_view location) {
  bool left = location.find("left") != std::string_view::npos;
  bool right = location.find("right") != std::string_view::npos;
  bool both = location.find("bilateral") != std::string_view::npos ||
              location.find("bibasilar") != std::string_view::npos ||
              location.find("biapical") != std::string_view::npos ||
              location.find("both") != std::string_view::npos;
  if (both || (left && right)) return 'b';
  if (left) return 'l';
  if (right) return 'r';
  return 0;
}

char side_of(const EntityAttributes& attributes) {
  char side = attributes.location ? side_of(*attributes.location) : 0;
  if (side == 0 && attributes.post_location) side = side_of(*attributes.post_location);
  return side;
}

// Merges a later positive mention's attributes into an earlier one: absent fields are
// filled, and a different side turns the location into "bilateral".
void merge_attributes(EntityAttributes& into, const EntityAttributes& from) {
  char old_side = side_of(into);
  char new_side = side_of(from);
  if (!into.location) into.location = from.location;
  if (!into.level) into.level = from.level;
  if (!into.type) into.type = from.type;
  if (!into.post_location) into.post_location = from.post_location;
  if (old_side != 0 && new_side != 0 && old_side != new_side) into.location = "bilateral";
}

// How far (in bytes) a level word may stand before a mention it was not attached to by the
// word walk ("small T-spine osteophytes", "mild, age-indeterminate wedge deformity").
constexpr uint32_t kMaxLevelGap = 40;

// The side a finding word itself names: "levoscoliosis" is left, "dextroscoliosis" right.
std::optional<std::string> side_of_mention_word(std::string_view word) {
  if (word.starts_with("levo")) return "left";
  if (word.starts_with("dextro")) return "right";
  return std::nullopt;
}

// True when a location names both members of a pair by a plural ("the lung bases",
// "lungs", "the upper lobes"): such a finding is bilateral.
bool names_both_sides(const std::optional<std::string>& location) {
  static constexpr std::string_view kPairedPlurals[] = {
      "lungs", "bases", "apices", "lobes", "hemidiaphragms", "hemithoraces", "hila"};
  if (!location) return false;
  for (const auto& word : split(*location, ' ')) {
    for (auto plural : kPairedPlurals) {
      if (word == plural) return true;
    }
  }
  return false;
}

void append_word(std::optional<std::string>& field, std::string_view word) {
  if (!field) {
    field = std::string(word);
  } else {
    field = std::string(word) + " " + *field;
  }
}

// A mention without any location takes the location of the nearest mention in the same
// sentence that has one ("opacity in the left base, likely atelectasis").
void share_sentence_locations(std::vector<Mention>& mentions) {
  for (size_t i = 0; i < mentions.size(); ++i) {
    EntityAttributes& attributes = mentions[i].attributes;
    if (attributes.location || attributes.post_location) continue;
    const Mention* source = nullptr;
    size_t best_distance = SIZE_MAX;
    for (size_t j = 0; j < mentions.size(); ++j) {
      const Mention& other = mentions[j];
      if (j == i || other.sentence != mentions[i].sentence) continue;
      if (!other.attributes.location && !other.attributes.post_location) continue;
      size_t distance = j < i ? (i - j) * 2 : (j - i) * 2 + 1;  // earlier mentions first
      if (side_of(other.attributes) == 0) distance += mentions.size() * 2;  // sided ones first
      if (distance < best_distance) {
        best_distance = distance;
        source = &other;
      }
    }
    if (source == nullptr) continue;
    attributes.location = source->attributes.location;
    attributes.post_location = source->attributes.post_location;
  }
}

}  // namespace

struct RulesExtractor::Impl {
  explicit Impl(const Lexicon& lexicon) : lexicon(lexicon), matcher(lexicon) {}

  const Lexicon& lexicon;
  PhraseMatcher matcher;
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
  // Start and end of the clause around [from, to): sentence ends and scope breaks bound it.
  std::pair<uint32_t, uint32_t> ClauseOf(const Scratch& s, uint32_t from, uint32_t to) const;
  uint32_t SentenceOf(const Scratch& s, uint32_t offset) const {
    const auto& ends = s.normalized.sentence_ends;
    return static_cast<uint32_t>(
        std::upper_bound(ends.begin(), ends.end(), static_cast<size_t>(offset)) - ends.begin());
  }
  Polarity PolarityOf(const Scratch& s, const PhraseMatch& mention, uint32_t clause_begin,
                      uint32_t clause_end) const;
  EntityAttributes AttributesOf(const Scratch& s, const PhraseMatch& mention,
                                uint32_t clause_begin, uint32_t clause_end) const;
  // True when a device or treatment word shares the mention's comma-separated clause part.
  bool HasDevice(const Scratch& s, const PhraseMatch& mention, uint32_t clause_begin,
                 uint32_t clause_end) const;
  // Fills a missing side or level from words near the mention in its clause (see the header).
  void FillNearbyAttributes(const Scratch& s, const PhraseMatch& mention, uint32_t clause_begin,
                            uint32_t clause_end, EntityAttributes& attributes) const;
  std::optional<ClearStatement> ClearOf(const Scratch& s) const;
  KeyInfo Assemble(const Scratch& s) const;
};

void RulesExtractor::Impl::Classify(Scratch& s) const {
  for (auto* list : {&s.findings, &s.cues, &s.breaks, &s.attributes, &s.post_locations,
                     &s.devices, &s.clears, &s.connectors}) {
    list->clear();
  }
  for (const auto& match : s.all) {
    switch (match.kind) {
      case PhraseKind::kFinding: s.findings.push_back(match); break;
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
  // Cues and scope breaks compete: "no change" (a break) wins over "no" (a cue).
  keep_longest_non_overlapping(s.cues);
  for (const auto& match : s.cues) {
    if (match.kind == PhraseKind::kScopeBreak) s.breaks.push_back(match);
  }
  std::erase_if(s.cues, [](const PhraseMatch& m) { return m.kind != PhraseKind::kCue; });
  std::sort(s.attributes.begin(), s.attributes.end(), longer_first);
  std::sort(s.post_locations.begin(), s.post_locations.end(), longer_first);
  std::sort(s.connectors.begin(), s.connectors.end(), longer_first);
}

std::pair<uint32_t, uint32_t> RulesExtractor::Impl::ClauseOf(const Scratch& s, uint32_t from,
                                                             uint32_t to) const {
  const auto& ends = s.normalized.sentence_ends;
  auto next_end = std::lower_bound(ends.begin(), ends.end(), static_cast<size_t>(to));
  uint32_t end = next_end == ends.end() ? static_cast<uint32_t>(s.normalized.text.size())
                                        : static_cast<uint32_t>(*next_end);
  uint32_t begin = 0;
  auto previous_end = std::upper_bound(ends.begin(), ends.end(), static_cast<size_t>(from));
  if (previous_end != ends.begin()) begin = static_cast<uint32_t>(*std::prev(previous_end));
  if (begin > from) begin = 0;
  for (const auto& scope_break : s.breaks) {
    if (scope_break.to <= from && scope_break.to > begin) begin = scope_break.to;
    if (scope_break.from >= to && scope_break.from < end) end = scope_break.from;
  }
  return {begin, end};
}

Polarity RulesExtractor::Impl::PolarityOf(const Scratch& s, const PhraseMatch& mention,
                                          uint32_t clause_begin, uint32_t clause_end) const {
  bool forward_negation = false, forward_uncertainty = false;
  bool backward_negation = false, backward_uncertainty = false;
  const auto& cues = lexicon.cues();
  for (const auto& match : s.cues) {
    if (match.from < clause_begin || match.to > clause_end) continue;
    const Cue& cue = cues[match.index];
    bool inside = match.from >= mention.from && match.to <= mention.to;
    bool before = match.to <= mention.from;
    // A backward cue reaches back over its own comma-separated part only ("opacity,
    // atelectasis versus scarring": the opacity stays certain).
    bool after = match.from >= mention.to &&
                 s.normalized.text.find(',', mention.to) >= match.from;
    bool negation = cue.kind == Cue::Kind::kNegation;
    if (cue.direction == Cue::Direction::kForward && (before || inside)) {
      (negation ? forward_negation : forward_uncertainty) = true;
    } else if (cue.direction == Cue::Direction::kBackward && (after || inside)) {
      (negation ? backward_negation : backward_uncertainty) = true;
    }
  }
  if (backward_uncertainty) return Polarity::kUncertain;
  if (forward_negation) return Polarity::kNegated;
  if (forward_uncertainty) return Polarity::kUncertain;
  if (backward_negation) return Polarity::kNegated;
  return Polarity::kPositive;
}

EntityAttributes RulesExtractor::Impl::AttributesOf(const Scratch& s, const PhraseMatch& mention,
                                                    uint32_t clause_begin,
                                                    uint32_t clause_end) const {
  EntityAttributes attributes;
  const std::string& text = s.normalized.text;
  auto word_of = [&](const PhraseMatch& m) {
    return std::string_view(text).substr(m.from, m.to - m.from);
  };
  auto attach = [&](const PhraseMatch& m) {
    switch (m.kind) {
      case PhraseKind::kLevel: append_word(attributes.level, word_of(m)); break;
      case PhraseKind::kType: append_word(attributes.type, word_of(m)); break;
      case PhraseKind::kLocation: append_word(attributes.location, word_of(m)); break;
      default: break;
    }
  };
  auto attach_joined = [&](const PhraseMatch& m, std::string_view joiner) {
    std::optional<std::string>* field = m.kind == PhraseKind::kLevel  ? &attributes.level
                                        : m.kind == PhraseKind::kType ? &attributes.type
                                                                      : &attributes.location;
    if (m.kind != PhraseKind::kLevel && m.kind != PhraseKind::kType &&
        m.kind != PhraseKind::kLocation) {
      return;
    }
    std::string prefix = std::string(word_of(m)) + std::string(joiner);
    *field = field->has_value() ? prefix + **field : std::string(word_of(m));
  };
  // Words before the mention, walking left while each word is an attribute or modifier.
  uint32_t pos = mention.from;
  while (pos > clause_begin) {
    uint32_t word_end = pos;
    while (word_end > clause_begin && (text[word_end - 1] == ' ' || text[word_end - 1] == ','))
      --word_end;
    const PhraseMatch* best = nullptr;
    for (const auto& m : s.attributes) {
      if (m.to == word_end && m.from >= clause_begin && (best == nullptr || m.from < best->from))
        best = &m;
    }
    if (best == nullptr) break;
    attach(*best);
    pos = best->from;
    // "interstitial and alveolar", "right and left": a joined word of the same class.
    for (std::string_view joiner : {" and ", " or ", "/", " to "}) {
      if (pos < clause_begin + joiner.size() ||
          std::string_view(text).substr(pos - joiner.size(), joiner.size()) != joiner) {
        continue;
      }
      uint32_t joined_end = pos - static_cast<uint32_t>(joiner.size());
      for (const auto& m : s.attributes) {
        if (m.to == joined_end && m.kind == best->kind && m.from >= clause_begin) {
          attach_joined(m, joiner);
          pos = m.from;
          break;
        }
      }
      break;
    }
  }
  // Level words inside the finding phrase ("borderline heart size"); type and location words
  // only inside a gap phrase ("elevation of the left hemidiaphragm"), not inside a fixed name
  // ("pleural effusion", "airspace disease").
  bool gap_phrase = lexicon.FindByPhrase(word_of(mention)) == nullptr;
  for (const auto& m : s.attributes) {
    bool inside = m.from >= mention.from && m.to <= mention.to &&
                  m.to - m.from < mention.to - mention.from;
    bool wanted = m.kind == PhraseKind::kLevel ||
                  (gap_phrase && (m.kind == PhraseKind::kType || m.kind == PhraseKind::kLocation));
    if (inside && wanted) attach(m);
  }
  // A post-location phrase after the mention, past connector words ("is seen in").
  pos = mention.to;
  for (int hops = 0; hops < 5 && pos < clause_end; ++hops) {
    while (pos < clause_end && text[pos] == ' ') ++pos;
    const PhraseMatch* post = nullptr;
    for (const auto& m : s.post_locations) {
      if (m.from == pos && m.to <= clause_end && (post == nullptr || m.to > post->to)) post = &m;
    }
    if (post != nullptr) {
      attributes.post_location = lexicon.post_locations()[post->index].phrase;
      break;
    }
    const PhraseMatch* step = nullptr;
    for (const auto& m : s.connectors) {
      if (m.from == pos) step = &m;
    }
    for (const auto& m : s.attributes) {
      if (m.from == pos && m.kind == PhraseKind::kLocation && !attributes.location) {
        attributes.location = std::string(word_of(m));
        step = &m;
      }
    }
    if (step == nullptr) break;
    pos = step->to;
  }
  return attributes;
}

bool RulesExtractor::Impl::HasDevice(const Scratch& s, const PhraseMatch& mention,
                                     uint32_t clause_begin, uint32_t clause_end) const {
  // The comma-separated part of the clause that holds the mention.
  const std::string& text = s.normalized.text;
  size_t comma_before = text.rfind(',', mention.from);
  size_t comma_after = text.find(',', mention.to);
  uint32_t begin = clause_begin;
  uint32_t end = clause_end;
  if (comma_before != std::string::npos && comma_before >= clause_begin) {
    begin = static_cast<uint32_t>(comma_before);
  }
  if (comma_after != std::string::npos && comma_after < clause_end) {
    end = static_cast<uint32_t>(comma_after);
  }
  for (const auto& m : s.devices) {
    if (m.from >= begin && m.to <= end) return true;
  }
  return false;
}

void RulesExtractor::Impl::FillNearbyAttributes(const Scratch& s, const PhraseMatch& mention,
                                                uint32_t clause_begin, uint32_t clause_end,
                                                EntityAttributes& attributes) const {
  const std::string& text = s.normalized.text;
  // The mention's own stretch of the clause: from the end of the finding mention before it to
  // the start of the one after it.
  uint32_t begin = clause_begin, end = clause_end;
  for (const auto& other : s.findings) {
    if (other.to <= mention.from && other.to > begin) begin = other.to;
    if (other.from >= mention.to && other.from < end) end = other.from;
  }
  if (!attributes.level) {
    const PhraseMatch* nearest = nullptr;
    for (const auto& m : s.attributes) {
      bool before = m.from >= begin && m.to <= mention.from &&
                    mention.from - m.to <= kMaxLevelGap;
      if (m.kind == PhraseKind::kLevel && before && (!nearest || m.to > nearest->to)) nearest = &m;
    }
    if (nearest) attributes.level = text.substr(nearest->from, nearest->to - nearest->from);
  }
  if (side_of(attributes) != 0) return;
  std::optional<std::string> side_word = side_of_mention_word(
      std::string_view(text).substr(mention.from, mention.to - mention.from));
  // Side words before the mention (and inside it) first, then those after it.
  for (auto [from, to] : {std::pair{begin, mention.to}, std::pair{mention.to, end}}) {
    if (side_word) break;
    char side = 0;
    bool paired_plural = false;
    for (const auto& m : s.attributes) {
      if (m.kind != PhraseKind::kLocation || m.from < from || m.to > to) continue;
      std::string word = text.substr(m.from, m.to - m.from);
      char word_side = side_of(word);
      if (word_side != 0) side = side == 0 || side == word_side ? word_side : 'b';
      paired_plural = paired_plural || names_both_sides(word);
    }
    if (side == 0 && paired_plural) side = 'b';
    if (side != 0) side_word = side == 'l' ? "left" : side == 'r' ? "right" : "bilateral";
  }
  if (!side_word && (names_both_sides(attributes.location) ||
                     names_both_sides(attributes.post_location))) {
    side_word = "bilateral";
  }
  if (!side_word) return;
  attributes.location = attributes.location ? *side_word + " " + *attributes.location : *side_word;
}

std::optional<ClearStatement> RulesExtractor::Impl::ClearOf(const Scratch& s) const {
  const std::string& text = s.normalized.text;
  for (const auto& clear : s.clears) {
    auto [begin, end] = ClauseOf(s, clear.from, clear.to);
    bool negated = false;
    for (const auto& cue : s.cues) {
      if (cue.from >= begin && cue.to <= clear.from &&
          lexicon.cues()[cue.index].kind == Cue::Kind::kNegation &&
          lexicon.cues()[cue.index].direction == Cue::Direction::kForward) {
        negated = true;
      }
    }
    if (negated) continue;
    bool lung = false;
    char side = 0;
    for (const auto& m : s.attributes) {
      if (m.kind != PhraseKind::kLocation || m.from < begin || m.to > end) continue;
      std::string_view word = std::string_view(text).substr(m.from, m.to - m.from);
      if (word == "lung" || word == "lungs") lung = true;
      char word_side = side_of(word);
      if (word_side != 0) side = side == 0 || side == word_side ? word_side : 'b';
    }
    if (!lung) continue;
    ClearStatement statement;
    statement.location = side == 'l' ? "left lung" : side == 'r' ? "right lung" : "lungs";
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
  for (const auto& mention : s.mentions) {
    if (mention.polarity != Polarity::kPositive) continue;
    const Finding& finding = findings[mention.finding];
    Entity* entity = info.find_entity(finding.name);
    if (entity == nullptr) {
      info.entity.push_back({finding.name, mention.attributes});
    } else {
      merge_attributes(entity->attributes, mention.attributes);
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
  s.mentions.clear();
  for (const auto& match : s.findings) {
    auto [begin, end] = impl_->ClauseOf(s, match.from, match.to);
    if (impl_->HasDevice(s, match, begin, end)) continue;
    Mention mention;
    mention.finding = match.index;
    mention.sentence = impl_->SentenceOf(s, match.from);
    mention.polarity = impl_->PolarityOf(s, match, begin, end);
    mention.attributes = impl_->AttributesOf(s, match, begin, end);
    impl_->FillNearbyAttributes(s, match, begin, end, mention.attributes);
    s.mentions.push_back(std::move(mention));
  }
  share_sentence_locations(s.mentions);
  KeyInfo info = impl_->Assemble(s);
  impl_->Release(std::move(scratch));
  return info;
}

}  // namespace cxrvqa
