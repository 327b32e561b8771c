// The release presets' question generation for one study after another: the originals'
// per-type functions with their draw structure (template id draws, coin flips, shuffles of
// the findings taken from the end), in their order. Each study's draws come from its own
// stream, stable_hash64(study_id, seed); the originals' global CPython/NumPy streams are not
// emulated (same probabilities, other numbers).
//
// Plain defects of the originals fixed here, the format kept (README "Presets"):
// - a located or side question always names the finding its location came from (Q8, Q9);
// - the "no" variant of a located presence question writes a bare side as "<side> lung"
//   like the "yes" variant, and never turns "left and right" into "right and right" (Q10);
// - no empty slot, no doubled or edge space (names and attributes are trimmed, empty ones
//   are absent), no "area area", no trailing space after the last difference sentence;
// - the area of a difference question keeps the main study's word order (Q5).
#include <algorithm>
#include <deque>
#include <initializer_list>
#include <numeric>
#include <string>
#include <string_view>

#include "common/hash.h"
#include "common/rng.h"
#include "common/text.h"
#include "questions/release.h"

namespace cxrvqa::questions_internal {
namespace {

constexpr std::string_view kYes = "yes";
constexpr std::string_view kNo = "no";
// medical-cxr-vqa asks no presence question about a library name holding one of these.
constexpr std::string_view kSkipWords[] = {"abnormality", "abnormalities", "disease",    "diseases", "findings",
                                           "finding",     "impression",    "impressions", "deformity"};
// A "no" post-location is redrawn while it holds a keyword of the finding's own; give up
// after this many draws (only a table whose every phrase holds one could get there).
constexpr int kMaxPhraseDraws = 1000;

using Words = std::vector<std::string_view>;

// An attribute as the originals hold it: null, or a list of words (medical-cxr-vqa: one
// element, the whole string).
struct Attribute {
  bool set = false;
  Words words;

  void Reset() {
    set = false;
    words.clear();
  }
  bool Has(std::string_view word) const { return std::find(words.begin(), words.end(), word) != words.end(); }
  bool BothSides() const { return Has("left") && Has("right"); }
};

struct ReleaseEntity {
  std::string_view key;  // the name questions and answers use
  Attribute location, level, type;
  Attribute location2;             // medical-diff-vqa: a second location on another side
  std::string_view post_location;  // medical-diff-vqa: "the left lung base"; "" = none

  void Reset() {
    key = {};
    location.Reset();
    level.Reset();
    type.Reset();
    location2.Reset();
    post_location = {};
  }
};

// A list of entities whose buffers are reused from study to study.
class EntityList {
 public:
  void Clear() { size_ = 0; }
  ReleaseEntity& Add() {
    if (size_ == items_.size()) items_.emplace_back();
    ReleaseEntity& entity = items_[size_++];
    entity.Reset();
    return entity;
  }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  const ReleaseEntity& operator[](size_t i) const { return items_[i]; }
  bool Contains(std::string_view key) const {
    return std::any_of(items_.begin(), items_.begin() + static_cast<std::ptrdiff_t>(size_),
                       [&](const ReleaseEntity& e) { return e.key == key; });
  }

 private:
  std::vector<ReleaseEntity> items_;
  size_t size_ = 0;
};

bool contains(std::string_view text, std::string_view part) { return text.find(part) != std::string_view::npos; }

void append_words(const Words& words, std::string& out) {
  for (size_t i = 0; i < words.size(); ++i) {
    if (i > 0) out += ' ';
    out += words[i];
  }
}

// "<location> area", the location written once when it already ends with "area".
void append_area(std::string_view location, std::string& out) {
  out += location;
  if (location != "area" && !location.ends_with(" area")) out += " area";
}

// A bare side reads "left lung" / "right lung".
void append_place(std::string_view location, std::string& out) {
  out += location;
  if (location == "left" || location == "right") out += " lung";
}

void replace_all_in(std::string& text, std::string_view from, std::string_view to) {
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
}

class ReleaseGenerator {
 public:
  ReleaseGenerator(const ReleaseTables& tables, const QuestionOptions& options, double ap_keep_rate,
                   QuestionSink& sink)
      : tables_(tables),
        options_(options),
        ap_keep_rate_(ap_keep_rate),
        sink_(sink),
        diff_(tables.preset() == QuestionPreset::kMedicalDiffVqa) {}

  void Run(const QuestionStudy& study) {
    if (diff_ && study.reference == nullptr) return;  // every medical-diff-vqa row has a reference
    study_ = &study;
    rng_ = SplitMix64(stable_hash64(study.study_id, options_.seed));
    asked_count_ = 0;
    stored_.clear();
    Prepare(*study.record, main_);
    PrepareNegated(*study.record);
    if (diff_) Prepare(*study.reference, reference_);
    for (size_t pass = 0; pass < std::max<size_t>(options_.per_type, 1); ++pass) {
      Abnormality();
      Presence();
      View();
      Location();
      AttributeQuestion(&ReleaseEntity::level, "what level is the ", QuestionType::kLevel);
      AttributeQuestion(&ReleaseEntity::type, "what type is the ", QuestionType::kType);
      if (diff_ && options_.difference) Difference();
    }
  }

 private:
  // ---- preparation ------------------------------------------------------------------

  void Prepare(const KeyInfo& record, EntityList& out) {
    out.Clear();
    if (diff_) {
      for (const Entity& entity : record.entity) AddDiffEntity(entity.name, entity.attributes, out);
      return;
    }
    for (const Entity& entity : record.entity) {
      const EntityAttributes& a = entity.attributes;
      AddCxrEntity(entity.name, a.location, a.level, a.type, out);
    }
    // The opacity statement becomes an entity named "opacity", unless one exists.
    if (record.opacity && record.find_entity("opacity") == nullptr) {
      AddCxrEntity("opacity", record.opacity->location, record.opacity->level, record.opacity->type, out);
    }
  }

  // medical-cxr-vqa: the record's name; each attribute one whole string, dropped when rare;
  // the entity dropped when its resolved name is rare.
  void AddCxrEntity(std::string_view name, const std::optional<std::string>& location,
                    const std::optional<std::string>& level, const std::optional<std::string>& type,
                    EntityList& out) {
    name = trim(name);
    if (name.empty() || out.Contains(name) || !tables_.FrequentEntity(name)) return;
    ReleaseEntity& e = out.Add();
    e.key = name;
    SetWhole(e.location, location, LibraryKind::kLocation);
    SetWhole(e.level, level, LibraryKind::kLevel);
    SetWhole(e.type, type, LibraryKind::kType);
  }

  void SetWhole(Attribute& attribute, const std::optional<std::string>& value, LibraryKind kind) {
    if (!value) return;
    std::string_view text = trim(*value);
    if (text.empty() || !tables_.FrequentAttribute(kind, *value)) return;
    attribute.set = true;
    attribute.words.push_back(text);
  }

  // medical-diff-vqa: the library's official name; locations rewritten by its position
  // rules and split into words, a second ", "-joined location kept as location2; levels and
  // types split into words; a post-location phrase kept when it reads "the ...", else
  // taken as the location when there is none.
  void AddDiffEntity(std::string_view name, const EntityAttributes& a, EntityList& out) {
    name = OfficialName(trim(name));
    if (name.empty() || out.Contains(name)) return;
    ReleaseEntity& e = out.Add();
    e.key = name;
    if (a.location) {
      std::string_view text = trim(*a.location);
      size_t comma = text.find(", ");
      SetWords(e.location, Store(tables_.RewritePosition(text.substr(0, comma))));
      if (comma != std::string_view::npos) SetWords(e.location2, Store(tables_.RewritePosition(text.substr(comma + 2))));
    }
    if (a.level) SetWords(e.level, *a.level);
    if (a.type) SetWords(e.type, *a.type);
    if (a.post_location) {
      std::string_view phrase = Store(tables_.RewritePosition(trim(*a.post_location)));
      if (phrase.starts_with("the ")) {
        e.post_location = phrase;
      } else if (!e.location.set) {
        SetWords(e.location, phrase);
      }
    }
  }

  std::string_view OfficialName(std::string_view name) const {
    auto row = tables_.RowOfSynonym(name);
    return row ? std::string_view(tables_.rows()[*row].official_name) : name;
  }

  static void SetWords(Attribute& attribute, std::string_view text) {
    for (std::string_view word : split(text, ' ')) {
      word = trim(word);
      while (word.ends_with(',')) word.remove_suffix(1);
      if (!word.empty()) attribute.words.push_back(word);
    }
    attribute.set = !attribute.words.empty();
  }

  std::string_view Store(std::string text) { return stored_.emplace_back(std::move(text)); }

  void PrepareNegated(const KeyInfo& record) {
    negated_.clear();
    for (const std::string& name : record.no_entity) {
      std::string_view trimmed = trim(name);
      if (!trimmed.empty()) negated_.push_back(diff_ ? OfficialName(trimmed) : trimmed);
    }
  }

  // ---- draws ----------------------------------------------------------------------------

  // A fresh random order of main_'s entities in order_; callers take them from the end.
  void Shuffle() {
    order_.resize(main_.size());
    std::iota(order_.begin(), order_.end(), size_t{0});
    for (size_t i = order_.size(); i > 1; --i) std::swap(order_[i - 1], order_[rng_.Below(i)]);
  }
  size_t RandInt(size_t n) { return rng_.Below(n); }
  double Rand() { return rng_.Unit(); }

  // ---- output ---------------------------------------------------------------------------

  // Gives the question in question_ with `answer` to the sink unless this study asked it.
  void Emit(QuestionType type, std::string_view answer) {
    for (size_t i = 0; i < asked_count_; ++i) {
      if (asked_[i] == question_) return;
    }
    if (asked_.size() <= asked_count_) asked_.emplace_back();
    asked_[asked_count_++] = question_;
    const QuestionStudy& s = *study_;
    sink_.Add(QuestionRef{s.study_id, s.subject_id, type, question_, answer, s.dicom_id, s.split,
                          diff_ ? s.reference_id : std::string_view()});
  }

  void Ask(std::initializer_list<std::string_view> parts) {
    question_.clear();
    for (std::string_view part : parts) question_ += part;
  }

  // ---- the types ------------------------------------------------------------------------

  void Abnormality() {
    for (;;) {
      size_t q = RandInt(3);
      if (q < 2 && main_.empty()) {
        if (Rand() > 0.5) return;
        continue;
      }
      if (q == 0) {
        answer_.clear();
        for (size_t i = 0; i < main_.size(); ++i) {
          if (i > 0) answer_ += ", ";
          answer_ += main_[i].key;
        }
        Ask({"what abnormalities are seen in this image?"});
        return Emit(QuestionType::kAbnormality, answer_);
      }
      if (q == 1) {
        Shuffle();
        for (auto it = order_.rbegin(); it != order_.rend(); ++it) {
          const ReleaseEntity& e = main_[*it];
          if (!e.post_location.empty()) {
            Ask({"what abnormalities are seen in ", e.post_location, "?"});
          } else if (!diff_ && e.location.set) {
            Ask({"what abnormalities are seen in the ", e.location.words.front(), "?"});
          } else {
            continue;
          }
          return Emit(QuestionType::kAbnormality, e.key);
        }
        continue;  // no entity has a place: draw another template
      }
      Ask({"is there evidence of any abnormalities in this image?"});
      return Emit(QuestionType::kAbnormality, main_.empty() ? kNo : kYes);
    }
  }

  void AskPresence(size_t q, std::string_view name) {
    if (q == 0) {
      Ask({"is there evidence of ", name, " in this image?"});
    } else {
      Ask({"is there ", name, "?"});
    }
  }

  void Presence() {
    if (main_.empty() && negated_.empty()) return;
    for (;;) {
      size_t q = RandInt(3);
      if (q == 2) {
        if (LocatedPresence()) return;
        continue;
      }
      if (Rand() > 0.5) {  // the negative-leaning branch always ends the question
        bool negated = Rand() > 0.5 ? !negated_.empty() : main_.empty();
        return negated ? NegatedPresence(q) : LibraryPresence(q);
      }
      if (main_.empty()) continue;
      Shuffle();
      AskPresence(q, main_[order_.back()].key);
      return Emit(QuestionType::kPresence, kYes);
    }
  }

  void NegatedPresence(size_t q) {
    AskPresence(q, negated_[RandInt(negated_.size())]);
    Emit(QuestionType::kPresence, kNo);
  }

  // A finding drawn from the disease library, answered by whether a finding of the record
  // resolves to its row.
  void LibraryPresence(size_t q) {
    size_t row = RandInt(tables_.original_rows());
    const std::string& name = tables_.rows()[row].official_name;
    if (!diff_ && std::any_of(std::begin(kSkipWords), std::end(kSkipWords),
                              [&](std::string_view word) { return contains(name, word); })) {
      return;  // medical-cxr-vqa asks nothing then (no second draw)
    }
    bool present = false;
    for (size_t i = 0; i < main_.size() && !present; ++i) {
      auto own = diff_ ? tables_.RowOfSynonym(main_[i].key) : tables_.ResolveBySubstring(main_[i].key);
      present = own == row;
    }
    AskPresence(q, name);
    Emit(QuestionType::kPresence, present ? kYes : kNo);
  }

  // "is there <finding> in the <place> area?": its own place (yes) or a moved one (no).
  bool LocatedPresence() {
    Shuffle();
    bool yes = Rand() > 0.5;
    if (main_.empty()) return false;
    return yes ? LocatedYes() : LocatedNo();
  }

  bool LocatedYes() {
    for (auto it = order_.rbegin(); it != order_.rend(); ++it) {
      const ReleaseEntity& e = main_[*it];
      if (e.location.set) {
        place_.clear();
        append_words(e.location.words, place_);
        if (place_ == "bilateral") {
          Ask({"is the ", e.key, " bilateral?"});
        } else {
          area_.clear();
          append_place(place_, area_);
          Ask({"is there ", e.key, " in the "});
          append_area(area_, question_);
          question_ += '?';
        }
      } else if (!e.post_location.empty()) {
        Ask({"is there ", e.key, " in ", e.post_location, "?"});
      } else {
        continue;
      }
      Emit(QuestionType::kPresence, kYes);
      return true;
    }
    return false;
  }

  bool LocatedNo() {
    for (size_t i : order_) {  // front to back: the first finding with a post-location
      const ReleaseEntity& e = main_[i];
      if (e.post_location.empty()) continue;
      std::vector<std::string_view> keywords = tables_.KeywordsOf(e.post_location);
      const auto& phrases = tables_.post_locations();
      for (int draw = 0; draw < kMaxPhraseDraws; ++draw) {
        std::string_view phrase = phrases[RandInt(phrases.size())].phrase;
        if (std::any_of(keywords.begin(), keywords.end(), [&](std::string_view k) { return contains(phrase, k); })) {
          continue;
        }
        Ask({"is there ", e.key, " in ", phrase, "?"});
        Emit(QuestionType::kPresence, kNo);
        return true;
      }
      return false;
    }
    for (auto it = order_.rbegin(); it != order_.rend(); ++it) {
      const ReleaseEntity& e = main_[*it];
      if (!e.location.set) continue;
      place_.clear();
      append_words(e.location.words, place_);
      if (!Moved(place_, moved_)) continue;
      area_.clear();
      append_place(moved_, area_);
      Ask({"is there ", e.key, " in the "});
      append_area(area_, question_);
      question_ += '?';
      Emit(QuestionType::kPresence, kNo);
      return true;
    }
    return false;
  }

  // The originals' mirror of a location: the first rule that applies moves it to the other
  // side or zone; false when none does. A location naming both sides is moved by zone.
  bool Moved(std::string_view location, std::string& out) {
    out.assign(location);
    bool left = contains(location, "left"), right = contains(location, "right");
    if (left != right) {
      replace_all_in(out, left ? "left" : "right", left ? "right" : "left");
      return true;
    }
    if (contains(location, "mid to lower")) {
      out = "upper to mid";
    } else if (contains(location, "upper to mid")) {
      out = "mid to lower";
    } else if (contains(location, "upper")) {
      replace_all_in(out, "upper", "lower");
    } else if (contains(location, "lower")) {
      replace_all_in(out, "lower", "upper");
    } else if (contains(location, "middle") || contains(location, "mid")) {
      std::string_view middle = RandInt(2) == 0 ? "upper" : "lower";
      std::string_view mid = RandInt(2) == 0 ? "upper" : "lower";
      replace_all_in(out, "middle", middle);
      replace_all_in(out, "mid", mid);
    } else {
      return false;
    }
    return true;
  }

  void View() {
    const std::string_view label = study_->pa ? "PA view" : "AP view";
    if (!study_->pa && Rand() > ap_keep_rate_) return;
    if (Rand() > 0.5) {
      Ask({"which view is this image taken?"});
      return Emit(QuestionType::kView, label);
    }
    if (Rand() > 0.5) {
      Ask({"is this PA view?"});
      return Emit(QuestionType::kView, study_->pa ? kYes : kNo);
    }
    Ask({"is this AP view?"});
    Emit(QuestionType::kView, study_->pa ? kNo : kYes);
  }

  void Location() {
    size_t q = RandInt(3);
    Shuffle();
    for (auto it = order_.rbegin(); it != order_.rend(); ++it) {
      const ReleaseEntity& e = main_[*it];
      bool answered = q < 2 ? WhereAnswer(e) : SideAnswer(e);
      if (!answered) continue;
      if (q == 0) {
        Ask({"where in the image is the ", e.key, " located?"});
      } else if (q == 1) {
        Ask({"where is the ", e.key, "?"});
      } else {
        Ask({"is the ", e.key, " located on the left side or right side?"});
      }
      return Emit(QuestionType::kLocation, answer_);
    }
  }

  // The answer of "where is the <e>?" into answer_; false when `e` has none.
  bool WhereAnswer(const ReleaseEntity& e) {
    answer_.clear();
    if (e.location.set) {
      if (e.location.BothSides() || (e.location2.set && e.location2.BothSides())) return false;
      place_.clear();
      append_words(e.location.words, place_);
      append_area(place_, answer_);
      if (e.location2.set) {
        place_.clear();
        append_words(e.location2.words, place_);
        answer_ += " and ";
        append_area(place_, answer_);
      }
      return true;
    }
    if (e.post_location.empty() || e.location2.set) return false;
    if (contains(e.post_location, "left") && contains(e.post_location, "right")) return false;
    answer_ = e.post_location;
    return true;
  }

  // "left side" / "right side" into answer_; false when `e` names no single side.
  bool SideAnswer(const ReleaseEntity& e) {
    if (e.location2.set) return false;
    if (e.location.set) {
      if (e.location.BothSides()) return false;
      if (e.location.Has("left") || e.location.Has("right")) {
        answer_ = e.location.Has("left") ? "left side" : "right side";
        return true;
      }
    }
    if (e.post_location.empty()) return false;
    bool left = contains(e.post_location, "left"), right = contains(e.post_location, "right");
    if (left == right) return false;
    answer_ = left ? "left side" : "right side";
    return true;
  }

  void AttributeQuestion(Attribute ReleaseEntity::*attribute, std::string_view prefix, QuestionType type) {
    Shuffle();
    for (auto it = order_.rbegin(); it != order_.rend(); ++it) {
      const ReleaseEntity& e = main_[*it];
      const Attribute& value = e.*attribute;
      if (!value.set) continue;
      Ask({prefix, e.key, "?"});
      answer_.clear();
      append_words(value.words, answer_);
      return Emit(type, answer_);
    }
  }

  // ---- difference (medical-diff-vqa) ------------------------------------------------------

  void Difference() {
    Shuffle();
    answer_.clear();
    for (size_t i : order_) {
      const ReleaseEntity& m = main_[i];
      for (size_t j = 0; j < reference_.size(); ++j) {
        const ReleaseEntity& r = reference_[j];
        if (r.key != m.key || !m.level.set || !r.level.set || m.level.words == r.level.words) continue;
        if (m.location.set && r.location.set && AreaQuestion(m, r)) return;
        AppendLevelChange(m, r, answer_);
      }
    }
    added_.clear();
    missing_.clear();
    for (size_t i : order_) {
      std::string_view name = main_[i].key;
      if (!reference_.Contains(name) && std::find(added_.begin(), added_.end(), name) == added_.end()) {
        added_.push_back(name);
      }
    }
    for (size_t j = 0; j < reference_.size(); ++j) {
      std::string_view name = reference_[j].key;
      if (!main_.Contains(name) && std::find(missing_.begin(), missing_.end(), name) == missing_.end()) {
        missing_.push_back(name);
      }
    }
    AppendFindings("the main image has an additional finding of", "the main image has additional findings of",
                   added_, answer_);
    AppendFindings("the main image is missing the finding of", "the main image is missing the findings of",
                   missing_, answer_);
    while (answer_.ends_with(' ')) answer_.pop_back();
    Ask({"what has changed compared to the reference image?"});
    Emit(QuestionType::kDifference, answer_.empty() ? std::string_view("nothing has changed.") : answer_);
  }

  // "what has changed in the <area> area?" when both studies place the finding in a common
  // area other than "bilateral": asked and true.
  bool AreaQuestion(const ReleaseEntity& m, const ReleaseEntity& r) {
    common_.clear();
    for (std::string_view word : m.location.words) {
      if (r.location.Has(word) && std::find(common_.begin(), common_.end(), word) == common_.end()) {
        common_.push_back(word);
      }
    }
    place_.clear();
    append_words(common_, place_);
    if (common_.empty() || place_ == "bilateral") return false;
    area_.clear();
    append_place(place_, area_);
    Ask({"what has changed in the ", area_, " area?"});
    answer_.clear();
    AppendLevelChange(m, r, answer_);
    answer_.pop_back();  // the trailing space
    Emit(QuestionType::kDifference, answer_);
    return true;
  }

  static void AppendLevelChange(const ReleaseEntity& m, const ReleaseEntity& r, std::string& out) {
    out += "the level of ";
    out += m.key;
    out += " has changed from ";
    append_words(r.level.words, out);
    out += " to ";
    append_words(m.level.words, out);
    out += ". ";
  }

  // "<one> a than the reference image. " or "<several> a, b, and c than the reference image. "
  static void AppendFindings(std::string_view one, std::string_view several, const Words& names, std::string& out) {
    if (names.empty()) return;
    out += names.size() == 1 ? one : several;
    for (size_t i = 0; i + 1 < names.size(); ++i) {
      out += ' ';
      out += names[i];
      out += ',';
    }
    out += names.size() == 1 ? " " : " and ";
    out += names.back();
    out += " than the reference image. ";
  }

  const ReleaseTables& tables_;
  const QuestionOptions& options_;
  double ap_keep_rate_;
  QuestionSink& sink_;
  bool diff_;
  // The study in hand.
  const QuestionStudy* study_ = nullptr;
  SplitMix64 rng_{0};
  EntityList main_, reference_;
  Words negated_;
  std::deque<std::string> stored_;  // texts rewritten for this study (views point into them)
  std::vector<std::string> asked_;  // its questions so far: the first asked_count_ entries
  size_t asked_count_ = 0;
  // Buffers reused from study to study.
  std::vector<size_t> order_;
  Words common_, added_, missing_;
  std::string question_, answer_, place_, area_, moved_;
};

}  // namespace

void generate_release_range(const std::vector<QuestionStudy>& studies, size_t begin, size_t end,
                            const ReleaseTables& tables, const QuestionOptions& options, double ap_keep_rate,
                            QuestionSink& sink) {
  ReleaseGenerator generator(tables, options, ap_keep_rate, sink);
  for (size_t i = begin; i < end; ++i) generator.Run(studies[i]);
}

}  // namespace cxrvqa::questions_internal
