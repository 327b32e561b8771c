// Question generation for one study: candidate questions per type, grouped into pools, then
// sampled with the study's own random stream.
#include <algorithm>
#include <array>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "common/hash.h"
#include "common/rng.h"
#include "questions/questions.h"

namespace cxrvqa {
namespace {

struct Candidate {
  std::string question;
  std::string answer;
};

// Candidates that answer alike; `group` lets a type balance e.g. yes against no: a group is
// drawn first (uniformly among groups with candidates left), then a pool within it.
struct Pool {
  int group = 0;
  std::vector<Candidate> items;
};

constexpr std::string_view kYes = "yes";
constexpr std::string_view kNo = "no";
constexpr std::string_view kDifferenceQuestion = "what has changed compared to the reference image?";

bool contains_word(std::string_view text, std::string_view word) {
  size_t pos = 0;
  while ((pos = text.find(word, pos)) != std::string_view::npos) {
    bool starts = pos == 0 || text[pos - 1] == ' ' || text[pos - 1] == '-';
    size_t end = pos + word.size();
    bool ends = end == text.size() || text[end] == ' ' || text[end] == '-';
    if (starts && ends) return true;
    pos = end;
  }
  return false;
}

// A location that names only a side ("left", "bilateral") reads badly after "in the".
bool is_bare_side(std::string_view location) {
  return location == "left" || location == "right" || location == "bilateral" ||
         location == "both";
}

// "left side", "right side", "both sides", or "" when the location names no side.
std::string_view side_of(std::string_view location) {
  bool left = contains_word(location, "left");
  bool right = contains_word(location, "right");
  if ((left && right) || contains_word(location, "bilateral") || contains_word(location, "both") ||
      location.rfind("bi", 0) == 0) {
    return "both sides";
  }
  if (left) return "left side";
  if (right) return "right side";
  return {};
}

// `location` with left/right swapped, else upper/lower swapped; "" when neither occurs.
std::string moved_location(std::string_view location) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 2> kSwaps = {
      std::pair{"left", "right"}, std::pair{"upper", "lower"}};
  for (const auto& [a, b] : kSwaps) {
    bool has_a = contains_word(location, a), has_b = contains_word(location, b);
    if (has_a == has_b) continue;
    std::string_view from = has_a ? a : b, to = has_a ? b : a;
    std::string moved(location);
    size_t pos = moved.find(from);
    moved.replace(pos, from.size(), to);
    return moved;
  }
  return {};
}

// "<location> area", unless the location already names an area.
std::string location_answer(std::string_view location) {
  for (std::string_view tail : {" area", " region", " zone"}) {
    if (location.size() >= tail.size() && location.substr(location.size() - tail.size()) == tail) {
      return std::string(location);
    }
  }
  return std::string(location) + " area";
}

std::string join_names(const std::vector<std::string_view>& names) {
  std::string out;
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += ", ";
    out += names[i];
  }
  return out;
}

bool mentioned(const KeyInfo& record, std::string_view name) {
  if (record.find_entity(name) != nullptr) return true;
  auto in = [&](const std::vector<std::string>& list) {
    return std::find(list.begin(), list.end(), name) != list.end();
  };
  return in(record.uncertain_entity) || in(record.no_entity);
}

// Generation state of one study.
class StudyGenerator {
 public:
  StudyGenerator(const QuestionStudy& study, const QuestionVocabulary& vocabulary,
                 const QuestionOptions& options, double ap_keep_rate, std::vector<Question>& out)
      : study_(study),
        record_(*study.record),
        vocabulary_(vocabulary),
        options_(options),
        ap_keep_rate_(ap_keep_rate),
        rng_(stable_hash64(study.meta.study_id, options.seed)),
        out_(out) {}

  void Run() {
    Emit(QuestionType::kAbnormality, AbnormalityPools());
    Emit(QuestionType::kPresence, PresencePools());
    // The keep draw happens for every study so that later draws do not depend on the view.
    bool keep_view = rng_.Unit() < (study_.pa ? 1.0 : ap_keep_rate_);
    if (keep_view) Emit(QuestionType::kView, ViewPools());
    Emit(QuestionType::kLocation, LocationPools());
    Emit(QuestionType::kLevel, AttributePools(&EntityAttributes::level, vocabulary_.levels, "what level is the "));
    Emit(QuestionType::kType, AttributePools(&EntityAttributes::type, vocabulary_.types, "what type is the "));
    if (options_.difference && study_.reference != nullptr) {
      Emit(QuestionType::kDifference, DifferencePools());
    }
  }

 private:
  // Positive findings whose names are frequent enough, in record order.
  std::vector<const Entity*> KnownPositives() const {
    std::vector<const Entity*> known;
    for (const Entity& entity : record_.entity) {
      if (vocabulary_.HasFinding(entity.name)) known.push_back(&entity);
    }
    return known;
  }
  bool AllPositivesKnown() const {
    return std::all_of(record_.entity.begin(), record_.entity.end(),
                       [&](const Entity& e) { return vocabulary_.HasFinding(e.name); });
  }
  const std::string* KnownLocation(const Entity& entity) const {
    const auto& location = entity.attributes.location;
    return location && vocabulary_.HasLocation(*location) ? &*location : nullptr;
  }

  std::vector<Pool> AbnormalityPools() const {
    Pool open, yes_no, located;
    if (!record_.entity.empty() && AllPositivesKnown()) {
      std::vector<std::string_view> names;
      for (const Entity& entity : record_.entity) names.push_back(entity.name);
      open.items.push_back({"what abnormalities are seen in this image?", join_names(names)});
      for (const Entity& entity : record_.entity) {
        const std::string* location = KnownLocation(entity);
        if (location == nullptr || is_bare_side(*location)) continue;
        std::vector<std::string_view> there;
        for (const Entity& other : record_.entity) {
          if (other.attributes.location == *location) there.push_back(other.name);
        }
        located.items.push_back({"what abnormalities are seen in the " + *location + "?", join_names(there)});
      }
    }
    bool abnormal = !record_.entity.empty() || record_.opacity.has_value();
    if (abnormal || record_.uncertain_entity.empty()) {
      yes_no.items.push_back({"is there evidence of any abnormalities in this image?",
                              std::string(abnormal ? kYes : kNo)});
    }
    return {std::move(open), std::move(yes_no), std::move(located)};
  }

  static void AddPresence(Pool& pool, std::string_view name, std::string_view answer) {
    pool.items.push_back({"is there evidence of " + std::string(name) + " in this image?", std::string(answer)});
    pool.items.push_back({"is there " + std::string(name) + "?", std::string(answer)});
  }

  std::vector<Pool> PresencePools() {
    constexpr int kYesGroup = 0, kNoGroup = 1;
    Pool yes{kYesGroup, {}}, located_yes{kYesGroup, {}};
    Pool negated{kNoGroup, {}}, absent{kNoGroup, {}}, located_no{kNoGroup, {}};
    for (const Entity* entity : KnownPositives()) {
      AddPresence(yes, entity->name, kYes);
      const std::string* location = KnownLocation(*entity);
      if (location == nullptr || is_bare_side(*location)) continue;
      located_yes.items.push_back({"is there " + entity->name + " in the " + *location + "?", std::string(kYes)});
      std::string moved = moved_location(*location);
      if (!moved.empty() && vocabulary_.HasLocation(moved)) {
        located_no.items.push_back({"is there " + entity->name + " in the " + moved + "?", std::string(kNo)});
      }
    }
    for (const std::string& name : record_.no_entity) {
      if (!vocabulary_.HasFinding(name) || record_.find_entity(name) != nullptr) continue;
      if (std::find(record_.uncertain_entity.begin(), record_.uncertain_entity.end(), name) !=
          record_.uncertain_entity.end()) {
        continue;
      }
      AddPresence(negated, name, kNo);
    }
    // A few library findings the report does not mention at all.
    constexpr int kAbsentTries = 4;
    for (int i = 0; i < kAbsentTries && !vocabulary_.findings.empty(); ++i) {
      const std::string& name = vocabulary_.findings[rng_.Below(vocabulary_.findings.size())];
      if (!mentioned(record_, name)) AddPresence(absent, name, kNo);
    }
    return {std::move(yes), std::move(located_yes), std::move(negated), std::move(absent),
            std::move(located_no)};
  }

  std::vector<Pool> ViewPools() const {
    Pool open, closed;
    open.items.push_back({"which view is this image taken?", study_.pa ? "PA view" : "AP view"});
    closed.items.push_back({"is this PA view?", std::string(study_.pa ? kYes : kNo)});
    closed.items.push_back({"is this AP view?", std::string(study_.pa ? kNo : kYes)});
    return {std::move(open), std::move(closed)};
  }

  std::vector<Pool> LocationPools() const {
    Pool where, side;
    for (const Entity* entity : KnownPositives()) {
      const std::string* location = KnownLocation(*entity);
      if (location == nullptr) continue;
      std::string answer = location_answer(*location);
      where.items.push_back({"where in the image is the " + entity->name + " located?", answer});
      where.items.push_back({"where is the " + entity->name + "?", answer});
      std::string_view which = side_of(*location);
      if (!which.empty()) {
        side.items.push_back({"is the " + entity->name + " located on the left side or right side?",
                              std::string(which)});
      }
    }
    return {std::move(where), std::move(side)};
  }

  std::vector<Pool> AttributePools(std::optional<std::string> EntityAttributes::*attribute,
                                   const std::unordered_set<std::string>& known_words,
                                   std::string_view prefix) const {
    Pool pool;
    for (const Entity* entity : KnownPositives()) {
      const auto& value = entity->attributes.*attribute;
      if (!value || known_words.count(*value) == 0) continue;
      pool.items.push_back({std::string(prefix) + entity->name + "?", *value});
    }
    return {std::move(pool)};
  }

  std::vector<Pool> DifferencePools() const {
    const KeyInfo& reference = *study_.reference;
    std::vector<std::string_view> added, missing;
    for (const Entity& entity : record_.entity) {
      if (vocabulary_.HasFinding(entity.name) && reference.find_entity(entity.name) == nullptr) {
        added.push_back(entity.name);
      }
    }
    for (const Entity& entity : reference.entity) {
      if (vocabulary_.HasFinding(entity.name) && record_.find_entity(entity.name) == nullptr) {
        missing.push_back(entity.name);
      }
    }
    Pool pool;
    pool.items.push_back({std::string(kDifferenceQuestion), difference_answer(added, missing)});
    return {std::move(pool)};
  }

  // Draws up to per_type questions from `pools`, never repeating a question of this study.
  void Emit(QuestionType type, std::vector<Pool> pools) {
    for (size_t taken = 0; taken < options_.per_type;) {
      Pool* pool = DrawPool(pools);
      if (pool == nullptr) return;
      size_t index = rng_.Below(pool->items.size());
      Candidate candidate = std::move(pool->items[index]);
      pool->items[index] = std::move(pool->items.back());
      pool->items.pop_back();
      if (!asked_.insert(candidate.question).second) continue;
      out_.push_back(Question{study_.meta.study_id, study_.meta.subject_id, type,
                              std::move(candidate.question), std::move(candidate.answer),
                              study_.meta.dicom_id, study_.meta.split,
                              type == QuestionType::kDifference ? study_.reference_id : std::string()});
      ++taken;
    }
  }

  Pool* DrawPool(std::vector<Pool>& pools) {
    std::array<int, 8> groups{};
    size_t group_count = 0;
    for (const Pool& pool : pools) {
      if (pool.items.empty()) continue;
      if (std::find(groups.begin(), groups.begin() + group_count, pool.group) == groups.begin() + group_count) {
        groups[group_count++] = pool.group;
      }
    }
    if (group_count == 0) return nullptr;
    int group = groups[rng_.Below(group_count)];
    std::array<Pool*, 8> members{};
    size_t member_count = 0;
    for (Pool& pool : pools) {
      if (!pool.items.empty() && pool.group == group) members[member_count++] = &pool;
    }
    return members[rng_.Below(member_count)];
  }

  const QuestionStudy& study_;
  const KeyInfo& record_;
  const QuestionVocabulary& vocabulary_;
  const QuestionOptions& options_;
  double ap_keep_rate_;
  SplitMix64 rng_;
  std::vector<Question>& out_;
  std::unordered_set<std::string> asked_;
};

}  // namespace

std::string difference_answer(const std::vector<std::string_view>& added,
                              const std::vector<std::string_view>& missing) {
  if (added.empty() && missing.empty()) return "nothing has changed.";
  std::string answer = "the main image ";
  if (!added.empty()) answer += "has additional findings of " + join_names(added);
  if (!added.empty() && !missing.empty()) answer += ", and ";
  if (!missing.empty()) answer += "is missing the findings of " + join_names(missing);
  return answer + ".";
}

void generate_study_questions(const QuestionStudy& study, const QuestionVocabulary& vocabulary,
                              const QuestionOptions& options, double ap_keep_rate,
                              std::vector<Question>& out) {
  StudyGenerator(study, vocabulary, options, ap_keep_rate, out).Run();
}

}  // namespace cxrvqa
