#include "review/corrections.h"

#include <algorithm>
#include <unordered_set>

#include "common/file_io.h"
#include "common/text.h"
#include "questions/questions.h"
#include "review/highlight.h"

namespace cxrvqa::review_internal {
namespace {

enum class YesNo { kYes, kNo, kNeither };

YesNo yes_no(std::string_view answer) {
  std::string text = to_lower(trim(answer));
  while (!text.empty() && (text.back() == '.' || text.back() == '!')) text.pop_back();
  if (text == "yes" || text == "y") return YesNo::kYes;
  if (text == "no" || text == "n") return YesNo::kNo;
  return YesNo::kNeither;
}

void erase_name(std::vector<std::string>& names, std::string_view name) {
  std::erase_if(names, [name](const std::string& n) { return n == name; });
}

Entity& ensure_entity(KeyInfo& record, const std::string& name) {
  erase_name(record.uncertain_entity, name);
  erase_name(record.no_entity, name);
  if (Entity* entity = record.find_entity(name)) return *entity;
  record.entity.push_back(Entity{name, {}});
  return record.entity.back();
}

void negate_entity(KeyInfo& record, const std::string& name) {
  std::erase_if(record.entity, [&name](const Entity& e) { return e.name == name; });
  erase_name(record.uncertain_entity, name);
  if (std::find(record.no_entity.begin(), record.no_entity.end(), name) == record.no_entity.end()) {
    record.no_entity.push_back(name);
  }
}

// True when the question is bound to a place ("is there X in the left lung?").
bool names_a_place(std::string_view question) {
  return question.find(" in the ") != std::string_view::npos;
}

// "left side" -> "left", "both sides" -> "bilateral", "left lower lobe area" -> "left lower lobe".
std::string location_from_answer(std::string_view answer) {
  std::string text = to_lower(trim(answer));
  if (text == "left side") return "left";
  if (text == "right side") return "right";
  if (text == "both sides") return "bilateral";
  for (std::string_view tail : {" area", " region", " zone"}) {
    if (text.size() > tail.size() && text.ends_with(tail)) return text.substr(0, text.size() - tail.size());
  }
  return text;
}

bool correct_abnormality(const PhraseMatcher& matcher, const Lexicon& lexicon, const StoredItem& item,
                         std::string_view right_answer, KeyInfo& record) {
  YesNo answer = yes_no(right_answer);
  if (answer == YesNo::kYes) return false;  // some finding is present: which one is not said
  if (answer == YesNo::kNo) {
    for (const Entity& entity : std::vector<Entity>(record.entity)) negate_entity(record, entity.name);
    record.opacity.reset();
    return true;
  }
  if (names_a_place(item.question)) return false;
  std::vector<std::string> present = findings_named(matcher, lexicon, right_answer);
  std::unordered_set<std::string> keep(present.begin(), present.end());
  std::erase_if(record.entity, [&keep](const Entity& e) { return !keep.contains(e.name); });
  for (const std::string& name : present) ensure_entity(record, name);
  return true;
}

bool correct_view(const StoredItem& item, std::string_view right_answer, KeyInfo& record) {
  std::string answer = to_lower(right_answer);
  std::string question = to_lower(item.question);
  bool pa = contains_word(answer, "pa", " .,"), ap = contains_word(answer, "ap", " .,");
  YesNo yn = yes_no(right_answer);
  if (yn != YesNo::kNeither) {
    bool asks_pa = contains_word(question, "pa", " ?"), asks_ap = contains_word(question, "ap", " ?");
    if (asks_pa == asks_ap) return false;
    pa = asks_pa == (yn == YesNo::kYes);
    ap = !pa;
  }
  if (pa == ap) return false;
  record.meta.view = pa ? "postero-anterior" : "antero-posterior";
  return true;
}

}  // namespace

bool apply_correction(const PhraseMatcher& matcher, const Lexicon& lexicon, const StoredItem& item,
                      std::string_view right_answer, KeyInfo& record) {
  if (trim(right_answer).empty()) return false;
  const std::string& type = item.question_type;
  if (type == "abnormality") return correct_abnormality(matcher, lexicon, item, right_answer, record);
  if (type == "view") return correct_view(item, right_answer, record);
  std::vector<std::string> asked = findings_named(matcher, lexicon, item.question);
  if (asked.empty()) return false;
  const std::string& finding = asked.front();
  if (type == "presence") {
    YesNo answer = yes_no(right_answer);
    if (answer == YesNo::kYes) {
      ensure_entity(record, finding);
      return true;
    }
    if (answer == YesNo::kNo && !names_a_place(item.question)) {
      negate_entity(record, finding);
      return true;
    }
    return false;
  }
  std::optional<std::string>* field = nullptr;
  std::string value = to_lower(trim(right_answer));
  if (type == "location") {
    Entity& entity = ensure_entity(record, finding);
    entity.attributes.post_location.reset();
    entity.attributes.location = location_from_answer(right_answer);
    return true;
  }
  if (type == "level") field = &ensure_entity(record, finding).attributes.level;
  if (type == "type") field = &ensure_entity(record, finding).attributes.type;
  if (field == nullptr) return false;
  *field = value;
  return true;
}

std::unordered_map<int64_t, const Verdict*> latest_verdicts(const std::vector<Verdict>& verdicts) {
  std::unordered_map<int64_t, const Verdict*> latest;
  for (const Verdict& verdict : verdicts) {
    const Verdict*& slot = latest[verdict.item_id];
    if (slot == nullptr || verdict.seq > slot->seq) slot = &verdict;
  }
  return latest;
}

Result<ExportCounts> export_gold(const std::filesystem::path& path, ReviewDb& db, const Lexicon& lexicon,
                                 const std::vector<StoredItem>& items,
                                 const std::unordered_map<int64_t, const Verdict*>& chosen) {
  PhraseMatcher matcher(lexicon);
  if (!matcher.ok()) return Status::Internal("lexicon phrases do not compile: " + matcher.error());
  CXRVQA_ASSIGN_OR_RETURN(auto studies, db.StudyCount());
  ExportCounts counts{path, 0, 0, 0};
  std::string text;
  for (int position = 1; position <= static_cast<int>(studies); ++position) {
    CXRVQA_ASSIGN_OR_RETURN(auto study, db.StudyAt(position));
    auto parsed = Json::parse(study.keyinfo, nullptr, false);
    auto record = keyinfo_from_json(parsed);
    if (!record.ok()) return Status::ParseError(db.path().string() + ": KeyInfo of study " + study.study_id +
                                                ": " + record.status().message());
    bool reviewed = false;
    for (const StoredItem& item : items) {
      auto verdict = chosen.find(item.item_id);
      if (item.study_id != study.study_id || verdict == chosen.end()) continue;
      reviewed = true;
      if (verdict->second->verdict != "wrong") continue;
      bool applied = apply_correction(matcher, lexicon, item, verdict->second->right_answer, *record);
      ++(applied ? counts.corrected : counts.not_applied);
    }
    if (!reviewed) continue;
    append_keyinfo_json_line(text, *record);
    text += '\n';
    ++counts.records;
  }
  CXRVQA_RETURN_IF_ERROR(write_file_atomic(path, text));
  return counts;
}

Result<ExportCounts> export_questions(const std::filesystem::path& path, const std::vector<StoredItem>& items,
                                      const std::unordered_map<int64_t, const Verdict*>& chosen) {
  ExportCounts counts{path, 0, 0, 0};
  std::vector<Question> questions;
  for (const StoredItem& item : items) {
    auto verdict = chosen.find(item.item_id);
    if (verdict == chosen.end()) continue;
    const Verdict& v = *verdict->second;
    bool corrected = v.verdict == "wrong" && !trim(v.right_answer).empty();
    if (v.verdict != "correct" && !corrected) {
      ++counts.not_applied;
      continue;
    }
    auto type = parse_question_type(item.question_type);
    if (!type) return Status::ParseError("item " + std::to_string(item.item_id) + ": unknown question type");
    questions.push_back(Question{item.study_id, item.subject_id, *type, item.question,
                                 corrected ? std::string(trim(v.right_answer)) : item.answer, item.dicom_id,
                                 item.split, item.ref_id});
    counts.corrected += corrected;
  }
  counts.records = questions.size();
  std::string extension = to_lower(path.extension().string());
  QuestionFormat format = extension == ".jsonl" || extension == ".json" ? QuestionFormat::kJsonl : QuestionFormat::kCsv;
  CXRVQA_RETURN_IF_ERROR(write_questions(path, questions, format, 1));
  return counts;
}

}  // namespace cxrvqa::review_internal
