// Question generation for one study: candidate questions per type, grouped into pools, then
// sampled with the study's own random stream.
#include <algorithm>
#include <array>
#include <string>
#include <string_view>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <vector>

#include "common/hash.h"
#include "common/rng.h"
#include "common/text.h"
#include "questions/questions.h"
#include "questions/release.h"

namespace cxrvqa {
namespace {

// The question templates. A candidate keeps only the words its text needs; the text itself
// is built only for the candidates drawn.
enum class Form : uint8_t {
  kAbnormalities,     // "what abnormalities are seen in this image?"
  kAbnormalitiesAt,   // "what abnormalities are seen in the <place>?"
  kAnyAbnormality,    // "is there evidence of any abnormalities in this image?"
  kEvidenceOf,        // "is there evidence of <name> in this image?"
  kIsThere,           // "is there <name>?"
  kIsThereAt,         // "is there <name> in the <place> area?"
  kIsThereMoved,      // "is there <name> in the <place moved to the other side or zone> area?"
  kIsBilateral,       // "is the <name> bilateral?"
  kWhichView,         // "which view is this image taken?"
  kIsPa,              // "is this PA view?"
  kIsAp,              // "is this AP view?"
  kWhereLocated,      // "where in the image is the <name> located?"
  kWhereIs,           // "where is the <name>?"
  kWhichSide,         // "is the <name> located on the left side or right side?"
  kWhatLevel,         // "what level is the <name>?"
  kWhatType,          // "what type is the <name>?"
  kDifference,        // "what has changed compared to the reference image?"
};

struct Candidate {
  Form form;
  std::string_view name;    // finding name, when the form has one
  std::string_view place;   // location, when the form has one
  std::string_view answer;  // the answer, for forms whose answer is not computed
};

// Candidates that answer alike; `group` lets a type balance e.g. yes against no: a group is
// drawn first (uniformly among groups with candidates left), then a pool within it.
struct Pool {
  int group = 0;
  std::vector<Candidate> items;
};
inline constexpr size_t kMaxPools = 5;

constexpr std::string_view kYes = "yes";
constexpr std::string_view kNo = "no";
constexpr std::string_view kDifferenceQuestion = "what has changed compared to the reference image?";
// The finding an opacity statement ("opacity_vs_clear") stands for: the lexicon's name.
constexpr std::string_view kOpacityFinding = "lung opacity";

// Location words are bounded by spaces or hyphens ("left-sided").
bool has_location_word(std::string_view location, std::string_view word) {
  return contains_word(location, word, " -");
}

// A location that names only a side ("left", "bilateral") reads badly after "in the".
bool is_bare_side(std::string_view location) {
  return location == "left" || location == "right" || location == "bilateral" ||
         location == "both";
}

// Appends a place as questions and answers name it: "<location> area" (the location alone
// when it already names an area or region), a bare side as "<side> lung area".
void append_place_area(std::string_view location, std::string& out) {
  std::string_view area = " area";
  for (std::string_view tail : {" area", " region", " zone"}) {
    if (location.ends_with(tail)) area = {};
  }
  out += location;
  if (location == "left" || location == "right") out += " lung";
  out += area;
}

// "left side", "right side", "both sides", or "" when the location names no side.
std::string_view side_of(std::string_view location) {
  bool left = has_location_word(location, "left");
  bool right = has_location_word(location, "right");
  if ((left && right) || has_location_word(location, "bilateral") || has_location_word(location, "both") ||
      location.rfind("bi", 0) == 0) {
    return "both sides";
  }
  if (left) return "left side";
  if (right) return "right side";
  return {};
}

// Appends `location` with left/right swapped, else upper/lower swapped, to `out`; false (and
// nothing appended) when neither occurs.
bool append_moved_location(std::string_view location, std::string& out) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 2> kSwaps = {
      std::pair{"left", "right"}, std::pair{"upper", "lower"}};
  for (const auto& [a, b] : kSwaps) {
    bool has_a = has_location_word(location, a), has_b = has_location_word(location, b);
    if (has_a == has_b) continue;
    std::string_view from = has_a ? a : b, to = has_a ? b : a;
    size_t pos = location.find(from);
    out.append(location.substr(0, pos)).append(to).append(location.substr(pos + from.size()));
    return true;
  }
  return false;
}

void append_joined(const std::vector<std::string_view>& names, std::string& out) {
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += ", ";
    out += names[i];
  }
}

void append_difference_answer(const std::vector<std::string_view>& added,
                              const std::vector<std::string_view>& missing, std::string& out) {
  if (added.empty() && missing.empty()) {
    out += "nothing has changed.";
    return;
  }
  out += "the main image ";
  if (!added.empty()) {
    out += "has additional findings of ";
    append_joined(added, out);
  }
  if (!added.empty() && !missing.empty()) out += ", and ";
  if (!missing.empty()) {
    out += "is missing the findings of ";
    append_joined(missing, out);
  }
  out += '.';
}

// The record's positive findings in `out`: its entities, then its opacity statement as a
// "lung opacity" finding (held in `promoted`) when no entity has that name.
void collect_positives(const KeyInfo& record, Entity& promoted, std::vector<const Entity*>& out) {
  out.clear();
  for (const Entity& entity : record.entity) out.push_back(&entity);
  if (!record.opacity || record.find_entity(kOpacityFinding) != nullptr) return;
  promoted.name = kOpacityFinding;
  promoted.attributes = {record.opacity->location, record.opacity->level, record.opacity->type, std::nullopt};
  out.push_back(&promoted);
}

const Entity* find_positive(const std::vector<const Entity*>& positives, std::string_view name) {
  for (const Entity* entity : positives) {
    if (entity->name == name) return entity;
  }
  return nullptr;
}

bool mentioned(const KeyInfo& record, const std::vector<const Entity*>& positives, std::string_view name) {
  if (find_positive(positives, name) != nullptr) return true;
  auto in = [&](const std::vector<std::string>& list) {
    return std::find(list.begin(), list.end(), name) != list.end();
  };
  return in(record.uncertain_entity) || in(record.no_entity);
}

// Generates the questions of one study after another, reusing its buffers.
class StudyGenerator {
 public:
  StudyGenerator(const QuestionVocabulary& vocabulary, const QuestionOptions& options,
                 double ap_keep_rate, QuestionSink& sink)
      : vocabulary_(vocabulary), options_(options), ap_keep_rate_(ap_keep_rate), sink_(sink) {}

  void Run(const QuestionStudy& study) {
    study_ = &study;
    record_ = study.record;
    rng_ = SplitMix64(stable_hash64(study.study_id, options_.seed));
    asked_count_ = 0;
    collect_positives(*record_, promoted_, positives_);
    known_.clear();
    for (const Entity* entity : positives_) {
      if (vocabulary_.HasFinding(entity->name)) known_.push_back(entity);
    }
    Emit(QuestionType::kAbnormality, AbnormalityPools());
    Emit(QuestionType::kPresence, PresencePools());
    // The keep draw happens for every study so that later draws do not depend on the view.
    bool keep_view = rng_.Unit() < (study.pa ? 1.0 : ap_keep_rate_);
    if (keep_view) Emit(QuestionType::kView, ViewPools());
    Emit(QuestionType::kLocation, LocationPools());
    Emit(QuestionType::kLevel, AttributePools(&EntityAttributes::level, vocabulary_.levels, Form::kWhatLevel));
    Emit(QuestionType::kType, AttributePools(&EntityAttributes::type, vocabulary_.types, Form::kWhatType));
    if (options_.difference && study.reference != nullptr) {
      Emit(QuestionType::kDifference, DifferencePools());
    }
  }

 private:
  // Where the finding is: its location when that is a known word, else its post-location
  // phrase without "the " ("the left lung base" -> "left lung base"); empty when neither.
  std::string_view Place(const Entity& entity) const {
    const auto& a = entity.attributes;
    if (a.location && vocabulary_.HasLocation(*a.location)) return *a.location;
    if (a.location || !a.post_location) return {};
    std::string_view phrase = *a.post_location;
    if (phrase.starts_with("the ")) phrase.remove_prefix(4);
    return phrase;
  }

  // Empties the first `count` pools and sets their groups; returns `count`.
  size_t ResetPools(std::initializer_list<int> groups) {
    size_t count = 0;
    for (int group : groups) {
      pools_[count].group = group;
      pools_[count++].items.clear();
    }
    return count;
  }

  size_t AbnormalityPools() {
    size_t count = ResetPools({0, 0, 0});
    Pool &open = pools_[0], &yes_no = pools_[1], &located = pools_[2];
    const KeyInfo& record = *record_;
    if (!positives_.empty() && known_.size() == positives_.size()) {
      open.items.push_back({Form::kAbnormalities, {}, {}, {}});
      seen_locations_.clear();
      for (const Entity* entity : positives_) {
        std::string_view place = Place(*entity);
        if (place.empty() || is_bare_side(place) ||
            std::find(seen_locations_.begin(), seen_locations_.end(), place) != seen_locations_.end()) {
          continue;
        }
        seen_locations_.push_back(place);
        located.items.push_back({Form::kAbnormalitiesAt, {}, place, {}});
      }
    }
    bool abnormal = !positives_.empty();
    if (abnormal || record.uncertain_entity.empty()) {
      yes_no.items.push_back({Form::kAnyAbnormality, {}, {}, abnormal ? kYes : kNo});
    }
    return count;
  }

  static void AddPresence(Pool& pool, std::string_view name, std::string_view answer) {
    pool.items.push_back({Form::kEvidenceOf, name, {}, answer});
    pool.items.push_back({Form::kIsThere, name, {}, answer});
  }

  size_t PresencePools() {
    constexpr int kYesGroup = 0, kNoGroup = 1;
    size_t count = ResetPools({kYesGroup, kYesGroup, kNoGroup, kNoGroup, kNoGroup});
    Pool &yes = pools_[0], &located_yes = pools_[1], &negated = pools_[2], &absent = pools_[3],
         &located_no = pools_[4];
    const KeyInfo& record = *record_;
    for (const Entity* entity : known_) {
      AddPresence(yes, entity->name, kYes);
      std::string_view place = Place(*entity);
      if (place == "bilateral") located_yes.items.push_back({Form::kIsBilateral, entity->name, {}, kYes});
      if (place.empty() || place == "bilateral" || place == "both") continue;
      located_yes.items.push_back({Form::kIsThereAt, entity->name, place, kYes});
      moved_.clear();
      if (append_moved_location(place, moved_) && vocabulary_.HasLocation(moved_)) {
        located_no.items.push_back({Form::kIsThereMoved, entity->name, place, kNo});
      }
    }
    for (const std::string& name : record.no_entity) {
      if (!vocabulary_.HasFinding(name) || find_positive(positives_, name) != nullptr) continue;
      if (std::find(record.uncertain_entity.begin(), record.uncertain_entity.end(), name) !=
          record.uncertain_entity.end()) {
        continue;
      }
      AddPresence(negated, name, kNo);
    }
    // A few library findings the report does not mention at all.
    constexpr int kAbsentTries = 4;
    for (int i = 0; i < kAbsentTries && !vocabulary_.findings.empty(); ++i) {
      const std::string& name = vocabulary_.findings[rng_.Below(vocabulary_.findings.size())];
      if (!mentioned(record, positives_, name)) AddPresence(absent, name, kNo);
    }
    return count;
  }

  size_t ViewPools() {
    size_t count = ResetPools({0, 0});
    bool pa = study_->pa;
    pools_[0].items.push_back({Form::kWhichView, {}, {}, pa ? "PA view" : "AP view"});
    pools_[1].items.push_back({Form::kIsPa, {}, {}, pa ? kYes : kNo});
    pools_[1].items.push_back({Form::kIsAp, {}, {}, pa ? kNo : kYes});
    return count;
  }

  size_t LocationPools() {
    size_t count = ResetPools({0, 0});
    Pool &where = pools_[0], &side = pools_[1];
    for (const Entity* entity : known_) {
      std::string_view place = Place(*entity);
      if (place.empty()) continue;
      where.items.push_back({Form::kWhereLocated, entity->name, place, {}});
      where.items.push_back({Form::kWhereIs, entity->name, place, {}});
      std::string_view which = side_of(place);
      if (!which.empty()) side.items.push_back({Form::kWhichSide, entity->name, {}, which});
    }
    return count;
  }

  size_t AttributePools(std::optional<std::string> EntityAttributes::*attribute,
                        const StringSet& known_words, Form form) {
    size_t count = ResetPools({0});
    for (const Entity* entity : known_) {
      const auto& value = entity->attributes.*attribute;
      if (!value || known_words.find(*value) == known_words.end()) continue;
      pools_[0].items.push_back({form, entity->name, {}, *value});
    }
    return count;
  }

  size_t DifferencePools() {
    size_t count = ResetPools({0});
    pools_[0].items.push_back({Form::kDifference, {}, {}, {}});
    return count;
  }

  // Appends the names of the record's positives (all of them, or those at `place`),
  // comma-separated.
  void AppendPositiveNames(std::optional<std::string_view> place, std::string& out) {
    names_.clear();
    for (const Entity* entity : positives_) {
      if (!place || Place(*entity) == *place) names_.push_back(entity->name);
    }
    append_joined(names_, out);
  }

  // Added and missing findings, then each common finding's level and place changes, in
  // the main record's order; "nothing has changed." when there is none.
  void AppendDifferenceAnswer(std::string& out) {
    collect_positives(*study_->reference, reference_promoted_, reference_positives_);
    added_.clear();
    missing_.clear();
    for (const Entity* entity : known_) {  // the positives the vocabulary has, in order
      if (find_positive(reference_positives_, entity->name) == nullptr) added_.push_back(entity->name);
    }
    for (const Entity* entity : reference_positives_) {
      if (vocabulary_.HasFinding(entity->name) && find_positive(positives_, entity->name) == nullptr) {
        missing_.push_back(entity->name);
      }
    }
    size_t start = out.size();
    if (!added_.empty() || !missing_.empty()) append_difference_answer(added_, missing_, out);
    for (const Entity* entity : known_) {
      const Entity* before = find_positive(reference_positives_, entity->name);
      if (before == nullptr) continue;
      const auto &level = entity->attributes.level, &earlier_level = before->attributes.level;
      if (level && earlier_level && *level != *earlier_level && KnownLevel(*level) && KnownLevel(*earlier_level)) {
        AppendChange(out, start, "level", entity->name, *earlier_level, *level);
      }
      std::string_view place = Place(*entity), earlier_place = Place(*before);
      if (!place.empty() && !earlier_place.empty() && place != earlier_place) {
        AppendChange(out, start, "location", entity->name, earlier_place, place);
      }
    }
    if (out.size() == start) out += "nothing has changed.";
  }

  bool KnownLevel(std::string_view level) const { return vocabulary_.levels.find(level) != vocabulary_.levels.end(); }

  // "the <what> of <name> has changed from <from> to <to>." after what `out` holds since `start`.
  static void AppendChange(std::string& out, size_t start, std::string_view what, std::string_view name,
                           std::string_view from, std::string_view to) {
    if (out.size() > start) out += ' ';
    Append(out, {"the ", what, " of ", name, " has changed from ", from, " to ", to, "."});
  }

  static void Append(std::string& out, std::initializer_list<std::string_view> parts) {
    for (std::string_view part : parts) out += part;
  }

  static void AppendQuestionText(const Candidate& c, std::string& out) {
    switch (c.form) {
      case Form::kAbnormalities: return Append(out, {"what abnormalities are seen in this image?"});
      case Form::kAbnormalitiesAt: return Append(out, {"what abnormalities are seen in the ", c.place, "?"});
      case Form::kAnyAbnormality: return Append(out, {"is there evidence of any abnormalities in this image?"});
      case Form::kEvidenceOf: return Append(out, {"is there evidence of ", c.name, " in this image?"});
      case Form::kIsThere: return Append(out, {"is there ", c.name, "?"});
      case Form::kIsThereAt:
        Append(out, {"is there ", c.name, " in the "});
        append_place_area(c.place, out);
        return Append(out, {"?"});
      case Form::kIsThereMoved: {
        Append(out, {"is there ", c.name, " in the "});
        std::string moved;
        append_moved_location(c.place, moved);
        append_place_area(moved, out);
        return Append(out, {"?"});
      }
      case Form::kIsBilateral: return Append(out, {"is the ", c.name, " bilateral?"});
      case Form::kWhichView: return Append(out, {"which view is this image taken?"});
      case Form::kIsPa: return Append(out, {"is this PA view?"});
      case Form::kIsAp: return Append(out, {"is this AP view?"});
      case Form::kWhereLocated: return Append(out, {"where in the image is the ", c.name, " located?"});
      case Form::kWhereIs: return Append(out, {"where is the ", c.name, "?"});
      case Form::kWhichSide: return Append(out, {"is the ", c.name, " located on the left side or right side?"});
      case Form::kWhatLevel: return Append(out, {"what level is the ", c.name, "?"});
      case Form::kWhatType: return Append(out, {"what type is the ", c.name, "?"});
      case Form::kDifference: return Append(out, {kDifferenceQuestion});
    }
  }

  // The candidate's answer: its fixed answer, or one computed into answer_.
  std::string_view AnswerText(const Candidate& c) {
    answer_.clear();
    switch (c.form) {
      case Form::kAbnormalities: AppendPositiveNames(std::nullopt, answer_); break;
      case Form::kAbnormalitiesAt: AppendPositiveNames(c.place, answer_); break;
      case Form::kWhereLocated:
      case Form::kWhereIs: append_place_area(c.place, answer_); break;
      case Form::kDifference: AppendDifferenceAnswer(answer_); break;
      default: return c.answer;
    }
    return answer_;
  }

  // The buffer for the next question of this study (reused from earlier studies).
  std::string& NextQuestionBuffer() {
    if (asked_.size() <= asked_count_) asked_.emplace_back();
    std::string& text = asked_[asked_count_];
    text.clear();
    return text;
  }

  bool AlreadyAsked(std::string_view question) const {
    return std::any_of(asked_.begin(), asked_.begin() + static_cast<std::ptrdiff_t>(asked_count_),
                       [&](const std::string& asked) { return asked == question; });
  }

  // Draws up to per_type questions from the first `pool_count` pools, never repeating a
  // question of this study.
  void Emit(QuestionType type, size_t pool_count) {
    const QuestionStudy& study = *study_;
    for (size_t taken = 0; taken < options_.per_type;) {
      Pool* pool = DrawPool(pool_count);
      if (pool == nullptr) return;
      size_t index = rng_.Below(pool->items.size());
      Candidate candidate = pool->items[index];
      pool->items[index] = pool->items.back();
      pool->items.pop_back();
      std::string& question = NextQuestionBuffer();
      AppendQuestionText(candidate, question);
      if (AlreadyAsked(question)) continue;
      ++asked_count_;
      sink_.Add(QuestionRef{study.study_id, study.subject_id, type, question, AnswerText(candidate),
                            study.dicom_id, study.split,
                            type == QuestionType::kDifference ? study.reference_id : std::string_view()});
      ++taken;
    }
  }

  Pool* DrawPool(size_t pool_count) {
    std::array<int, kMaxPools> groups{};
    size_t group_count = 0;
    for (size_t i = 0; i < pool_count; ++i) {
      const Pool& pool = pools_[i];
      if (pool.items.empty()) continue;
      if (std::find(groups.begin(), groups.begin() + group_count, pool.group) == groups.begin() + group_count) {
        groups[group_count++] = pool.group;
      }
    }
    if (group_count == 0) return nullptr;
    int group = groups[rng_.Below(group_count)];
    std::array<Pool*, kMaxPools> members{};
    size_t member_count = 0;
    for (size_t i = 0; i < pool_count; ++i) {
      Pool& pool = pools_[i];
      if (!pool.items.empty() && pool.group == group) members[member_count++] = &pool;
    }
    return members[rng_.Below(member_count)];
  }

  const QuestionVocabulary& vocabulary_;
  const QuestionOptions& options_;
  double ap_keep_rate_;
  QuestionSink& sink_;
  // The study in hand.
  const QuestionStudy* study_ = nullptr;
  const KeyInfo* record_ = nullptr;
  SplitMix64 rng_{0};
  std::vector<std::string> asked_;  // its questions so far: the first asked_count_ entries
  size_t asked_count_ = 0;
  // Buffers reused from study to study.
  Entity promoted_, reference_promoted_;  // the opacity statements as findings
  std::vector<const Entity*> positives_, reference_positives_;  // positive findings, record order
  std::vector<const Entity*> known_;  // positives whose names are frequent enough, in record order
  std::array<Pool, kMaxPools> pools_;
  std::vector<std::string_view> seen_locations_, names_, added_, missing_;
  std::string moved_, answer_;
};

}  // namespace

std::string difference_answer(const std::vector<std::string_view>& added,
                              const std::vector<std::string_view>& missing) {
  std::string answer;
  append_difference_answer(added, missing, answer);
  return answer;
}

void generate_range_questions(const std::vector<QuestionStudy>& studies, size_t begin, size_t end,
                              const QuestionVocabulary& vocabulary, const QuestionOptions& options,
                              double ap_keep_rate, QuestionSink& sink) {
  if (options.preset != QuestionPreset::kCxrvqa) {
    if (vocabulary.release == nullptr) return;  // a release preset needs QuestionVocabulary::ForPreset
    return questions_internal::generate_release_range(studies, begin, end, *vocabulary.release, options,
                                                      ap_keep_rate, sink);
  }
  StudyGenerator generator(vocabulary, options, ap_keep_rate, sink);
  for (size_t i = begin; i < end; ++i) generator.Run(studies[i]);
}

}  // namespace cxrvqa
