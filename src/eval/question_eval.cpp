#include "eval/question_eval.h"

#include <fmt/format.h>

#include <algorithm>
#include <memory>
#include <set>
#include <tuple>
#include <unordered_map>
#include <variant>

#include "common/csv.h"
#include "common/text.h"
#include "eval/gold_map.h"
#include "eval/metrics.h"
#include "lexicon/lexicon.h"

namespace cxrvqa {

namespace {

constexpr std::array<std::string_view, kQuestionFormCount> kFormNames = {
    "presence",  "presence_at", "any_abnormality", "abnormality_list", "abnormality_at",
    "location",  "side",        "level",           "type",             "view",
    "difference", "other"};

// One row of the question file.
struct QuestionRow {
  std::string study_id, type, question, answer, ref_id;
};

// A question's wording read as a form with its slots.
struct ReadQuestion {
  QuestionForm form = QuestionForm::kOther;
  std::string name;   // the finding X
  std::string place;  // the location L
};

// `text` between `prefix` and `suffix`, when it has both.
std::optional<std::string> between(std::string_view text, std::string_view prefix,
                                   std::string_view suffix) {
  if (text.size() < prefix.size() + suffix.size() || !text.starts_with(prefix) ||
      !text.ends_with(suffix)) {
    return std::nullopt;
  }
  return std::string(trim(text.substr(prefix.size(), text.size() - prefix.size() - suffix.size())));
}

ReadQuestion read_question(std::string_view raw) {
  std::string text = collapse_whitespace(to_lower(raw));
  using F = QuestionForm;
  struct Fixed {
    std::string_view text;
    QuestionForm form;
  };
  static constexpr Fixed kFixed[] = {
      {"is there evidence of any abnormalities in this image?", F::kAnyAbnormality},
      {"what abnormalities are seen in this image?", F::kAbnormalityList},
      {"which view is this image taken?", F::kView},
      {"is this pa view?", F::kView},
      {"is this ap view?", F::kView},
      {"what has changed compared to the reference image?", F::kDifference},
  };
  for (const auto& fixed : kFixed) {
    if (text == fixed.text) return {fixed.form, "", ""};
  }
  struct Slotted {
    std::string_view prefix, suffix;
    QuestionForm form;
    bool place;  // the slot is a location, not a finding
  };
  static constexpr Slotted kSlotted[] = {
      {"what abnormalities are seen in the ", "?", F::kAbnormalityAt, true},
      {"is there evidence of ", " in this image?", F::kPresence, false},
      {"is the ", " located on the left side or right side?", F::kSide, false},
      {"is the ", " bilateral?", F::kPresenceAt, false},
      {"where in the image is the ", " located?", F::kLocation, false},
      {"where is the ", "?", F::kLocation, false},
      {"what level is the ", "?", F::kLevel, false},
      {"what type is the ", "?", F::kType, false},
      {"is there ", "?", F::kPresence, false},
  };
  for (const auto& slotted : kSlotted) {
    auto slot = between(text, slotted.prefix, slotted.suffix);
    if (!slot || slot->empty()) continue;
    ReadQuestion read{slotted.form, slotted.place ? "" : *slot, slotted.place ? *slot : ""};
    if (slotted.form == F::kPresenceAt) read.place = "bilateral";
    if (slotted.form == F::kPresence) {
      if (size_t at = slot->find(" in the "); at != std::string::npos) {
        read = {F::kPresenceAt, slot->substr(0, at), slot->substr(at + 8)};
      }
    }
    return read;
  }
  return {};
}

// The names of a list answer ("a, b, c").
std::vector<std::string> answer_names(std::string_view answer) {
  std::vector<std::string> names;
  for (auto& name : split_trimmed(answer, ',')) {
    if (name == "and") continue;  // "a, and is missing ..." after the split
    if (name.starts_with("and ")) name = std::string(trim(std::string_view(name).substr(4)));
    if (!name.empty()) names.push_back(std::move(name));
  }
  return names;
}

// The added and missing names of a difference answer ("the main image has additional
// findings of a, b, and is missing the findings of c."), or nullopt when it is not one.
std::optional<std::pair<std::vector<std::string>, std::vector<std::string>>> difference_names(
    std::string_view answer) {
  std::string text = collapse_whitespace(to_lower(answer));
  if (text == "nothing has changed." || text == "nothing has changed") return std::pair{std::vector<std::string>{}, std::vector<std::string>{}};
  constexpr std::string_view kLead = "the main image ", kAdded = "has additional findings of ",
                             kMissing = "is missing the findings of ";
  if (!text.starts_with(kLead)) return std::nullopt;
  std::string_view rest = std::string_view(text).substr(kLead.size());
  if (rest.ends_with('.')) rest.remove_suffix(1);
  std::pair<std::vector<std::string>, std::vector<std::string>> names;
  if (rest.starts_with(kAdded)) {
    rest.remove_prefix(kAdded.size());
    size_t missing = rest.find(kMissing);
    names.first = answer_names(rest.substr(0, missing));
    rest = missing == std::string_view::npos ? std::string_view() : rest.substr(missing);
  }
  if (rest.starts_with(kMissing)) {
    names.second = answer_names(rest.substr(kMissing.size()));
  } else if (!rest.empty()) {
    return std::nullopt;
  }
  return names;
}

std::string side_words(std::optional<Side> side) {
  return side ? std::string(side_name(*side)) : "no side";
}

// What the gold says about one study, as the scorer needs it.
struct GoldView {
  MappedGoldStudy mapped;
  std::set<std::string> uncertain;
  std::string view;  // "PA", "AP" or ""
};

std::string view_of(std::string_view text) {
  std::string lower = to_lower(trim(text));
  if (lower == "pa" || lower == "postero-anterior" || lower == "pa view") return "PA";
  if (lower == "ap" || lower == "antero-posterior" || lower == "ap view") return "AP";
  return "";
}

// How a question's finding name stands in a study's gold.
struct NameInGold {
  enum Kind { kUnknown, kPresent, kAbsent } kind = kUnknown;
  std::string label;   // the gold label it is (or would be)
  bool exact = false;  // the label itself, not an accepted alternative
};

class QuestionScorer {
 public:
  QuestionScorer(const GoldMap& map, const Lexicon& lexicon, GoldFormat format, size_t examples,
                 QuestionEvalSummary& summary)
      : map_(map), lexicon_(lexicon), format_(format), examples_(examples), summary_(summary) {}

  void Score(const QuestionRow& row, const GoldView& gold,
             const std::unordered_map<std::string, GoldView>& all) {
    ReadQuestion read = read_question(row.question);
    std::string answer = collapse_whitespace(to_lower(row.answer));
    AnswerScore& form = summary_.forms[static_cast<size_t>(read.form)];
    std::string type = row.type.empty() ? std::string(question_form_name(read.form)) : to_lower(row.type);
    AnswerScore& by_type = summary_.types[type];
    ++form.questions;
    ++by_type.questions;
    Verdict verdict = Judge(read, answer, row, gold, all);
    if (!verdict.reason.empty()) {
      ++form.unscorable[verdict.reason];
      ++by_type.unscorable[verdict.reason];
      return;
    }
    for (AnswerScore* score : {&form, &by_type}) {
      ++score->scored;
      score->points += verdict.points;
      if (verdict.points >= 1.0) continue;
      ++score->wrong;
      if (score->examples.size() < examples_) {
        score->examples.push_back({row.study_id, row.question, row.answer, verdict.expected});
      }
    }
  }

 private:
  // The points of one answer, or why it cannot be scored.
  struct Verdict {
    double points = 0;
    std::string expected;  // the gold's answer, for wrong answers
    std::string reason;    // non-empty: unscorable
  };
  static Verdict Unscorable(std::string reason) { return {0, "", std::move(reason)}; }
  static Verdict Closed(bool right, std::string expected) { return {right ? 1.0 : 0.0, std::move(expected), ""}; }

  NameInGold Find(std::string_view raw_name, const GoldView& gold) const {
    std::string name = evaluation_name(to_lower(raw_name), map_, &lexicon_);
    NameInGold found;
    for (const auto& [label, unused] : gold.mapped.labels) {
      if (label == name) return {NameInGold::kPresent, label, true};
      if (found.kind == NameInGold::kUnknown && map_.Accepts(label, name)) {
        found = {NameInGold::kPresent, label, false};
      }
    }
    if (found.kind == NameInGold::kUnknown && map_.IsLabel(name)) found = {NameInGold::kAbsent, name, true};
    return found;
  }

  Verdict YesNo(const std::string& answer, bool expected_yes, bool no_is_unsure) const {
    if (answer != "yes" && answer != "no") return Unscorable("answer is not yes or no");
    if (answer == "no" && expected_yes && no_is_unsure) return Unscorable("the gold names a related finding");
    return Closed((answer == "yes") == expected_yes, expected_yes ? "yes" : "no");
  }

  // The gold label a question about `name` is about, or why there is none.
  std::variant<const GoldLabel*, std::string> LabelOf(const std::string& name, const GoldView& gold) const {
    NameInGold found = Find(name, gold);
    if (found.kind == NameInGold::kUnknown) return std::string("finding not in the gold's vocabulary");
    if (found.kind == NameInGold::kAbsent) return std::string("finding not in the gold");
    return &gold.mapped.labels.at(found.label);
  }

  Verdict Judge(const ReadQuestion& read, const std::string& answer, const QuestionRow& row,
                const GoldView& gold, const std::unordered_map<std::string, GoldView>& all) const {
    switch (read.form) {
      case QuestionForm::kPresence:
      case QuestionForm::kPresenceAt: return Presence(read, answer, gold);
      case QuestionForm::kAnyAbnormality: return YesNo(answer, !gold.mapped.normal, false);
      case QuestionForm::kAbnormalityList: return List(answer_names(answer), gold, std::nullopt);
      case QuestionForm::kAbnormalityAt: {
        auto side = side_from_text(read.place);
        if (!side) return Unscorable("the place names no side");
        return List(answer_names(answer), gold, side);
      }
      case QuestionForm::kLocation:
      case QuestionForm::kSide: return SideOf(read.name, answer, gold);
      case QuestionForm::kLevel: return Level(read.name, answer, gold);
      case QuestionForm::kType: return Type(read.name, answer, gold);
      case QuestionForm::kView: return View(read, answer, row, gold);
      case QuestionForm::kDifference: return Difference(answer, row, gold, all);
      case QuestionForm::kOther: return Unscorable("question wording not known");
    }
    return Unscorable("question wording not known");
  }

  Verdict Presence(const ReadQuestion& read, const std::string& answer, const GoldView& gold) const {
    NameInGold found = Find(read.name, gold);
    if (found.kind == NameInGold::kUnknown) return Unscorable("finding not in the gold's vocabulary");
    if (gold.uncertain.count(found.label)) return Unscorable("the gold calls the finding possible");
    bool present = found.kind == NameInGold::kPresent;
    if (read.form == QuestionForm::kPresence || !present) return YesNo(answer, present, !found.exact);
    auto place_side = side_from_text(read.place);
    auto gold_side = gold.mapped.labels.at(found.label).side();
    if (!place_side || !gold_side) return Unscorable("no side to compare");
    bool here = *gold_side == Side::kBilateral || *gold_side == *place_side;
    return YesNo(answer, here, false);
  }

  // F1 of the answered names against the gold labels (on `side` only, when given). As in
  // the KeyInfo scores: a gold label takes its own name first, else a name it accepts; a
  // name that is another label the gold does not have is a false positive; other names are
  // left out.
  Verdict List(const std::vector<std::string>& names, const GoldView& gold,
               std::optional<Side> side) const {
    std::set<std::string> wanted, matched;
    for (const auto& [label, what] : gold.mapped.labels) {
      auto label_side = what.side();
      if (!side || (label_side && (*label_side == *side || *label_side == Side::kBilateral))) {
        wanted.insert(label);
      }
    }
    std::vector<std::string> rest;  // names that are no gold label themselves
    size_t false_positive = 0;
    for (const auto& raw : names) {
      std::string name = evaluation_name(to_lower(raw), map_, &lexicon_);
      auto label = gold.mapped.labels.find(name);
      if (label == gold.mapped.labels.end()) {
        rest.push_back(std::move(name));
      } else if (wanted.count(name)) {
        matched.insert(name);
      } else if (label->second.side()) {
        ++false_positive;  // in the gold, on the other side
      }
    }
    for (const auto& name : rest) {
      auto accepting = std::find_if(wanted.begin(), wanted.end(), [&](const std::string& label) {
        return !matched.count(label) && map_.Accepts(label, name);
      });
      if (accepting != wanted.end()) {
        matched.insert(*accepting);
      } else if (map_.IsLabel(name)) {
        ++false_positive;
      }
    }
    size_t false_negative = wanted.size() - matched.size();
    if (matched.empty() && false_positive == 0 && false_negative == 0) {
      return Unscorable(names.empty() ? "empty answer" : "no answered name the gold can judge");
    }
    double f1 = 2.0 * matched.size() / (2.0 * matched.size() + false_positive + false_negative);
    std::vector<std::string> expected(wanted.begin(), wanted.end());
    return {f1, join(expected, ", "), ""};
  }

  Verdict SideOf(const std::string& name, const std::string& answer, const GoldView& gold) const {
    auto label = LabelOf(name, gold);
    if (auto* reason = std::get_if<std::string>(&label)) return Unscorable(*reason);
    auto gold_side = std::get<const GoldLabel*>(label)->side();
    if (!gold_side) return Unscorable("the gold gives no side");
    auto answer_side = side_from_text(answer);
    if (!answer_side) return Unscorable("the answer names no side");
    return Closed(*answer_side == *gold_side, side_words(gold_side));
  }

  Verdict Level(const std::string& name, const std::string& answer, const GoldView& gold) const {
    auto label = LabelOf(name, gold);
    if (auto* reason = std::get_if<std::string>(&label)) return Unscorable(*reason);
    const GoldLabel& what = *std::get<const GoldLabel*>(label);
    if (!what.level) return Unscorable("the gold gives no level");
    auto gold_grades = severity_grades(*what.level);
    auto answer_grades = severity_grades(answer);
    bool right = std::any_of(answer_grades.begin(), answer_grades.end(), [&](const std::string& g) {
      return std::find(gold_grades.begin(), gold_grades.end(), g) != gold_grades.end();
    });
    return Closed(right, *what.level);
  }

  Verdict Type(const std::string& name, const std::string& answer, const GoldView& gold) const {
    auto label = LabelOf(name, gold);
    if (auto* reason = std::get_if<std::string>(&label)) return Unscorable(*reason);
    std::set<std::string> types;
    for (const auto& word : std::get<const GoldLabel*>(label)->qualifiers) {
      if (format_ == GoldFormat::kKeyInfo || lexicon_.IsType(word)) types.insert(word);
    }
    if (types.empty()) return Unscorable("the gold gives no type");
    std::string words = answer;
    std::replace(words.begin(), words.end(), ',', ' ');
    auto answered = split_trimmed(words, ' ');
    bool right = std::any_of(answered.begin(), answered.end(),
                             [&](const std::string& word) { return types.count(word) > 0; });
    return Closed(right, join(std::vector<std::string>(types.begin(), types.end()), ", "));
  }

  Verdict View(const ReadQuestion& read, const std::string& answer, const QuestionRow& row,
               const GoldView& gold) const {
    if (gold.view.empty()) return Unscorable("the gold gives no view");
    std::string question = collapse_whitespace(to_lower(row.question));
    if (question == "which view is this image taken?") {
      return Closed(view_of(answer) == gold.view, gold.view + " view");
    }
    bool asks_pa = question == "is this pa view?";
    return YesNo(answer, (gold.view == "PA") == asks_pa, false);
  }

  Verdict Difference(const std::string& answer, const QuestionRow& row, const GoldView& gold,
                     const std::unordered_map<std::string, GoldView>& all) const {
    auto reference = all.find(normalize_study_id(row.ref_id));
    if (row.ref_id.empty() || reference == all.end()) return Unscorable("reference study not in the gold");
    auto names = difference_names(answer);
    if (!names) return Unscorable("answer not understood");
    // Tagged labels: "+label" added in the main study, "-label" missing from it.
    std::set<std::string> wanted, answered;
    const auto& main_labels = gold.mapped.labels;
    const auto& ref_labels = reference->second.mapped.labels;
    for (const auto& [label, unused] : main_labels) {
      if (!ref_labels.count(label)) wanted.insert("+" + label);
    }
    for (const auto& [label, unused] : ref_labels) {
      if (!main_labels.count(label)) wanted.insert("-" + label);
    }
    size_t unknown = 0;
    for (auto [list, sign, study] : {std::tuple{&names->first, '+', &gold},
                                     std::tuple{&names->second, '-', &reference->second}}) {
      for (const auto& name : *list) {
        NameInGold found = Find(name, *study);
        if (found.kind == NameInGold::kUnknown) {
          ++unknown;
          continue;
        }
        answered.insert(std::string(1, sign) + found.label);
      }
    }
    size_t matched = 0;
    for (const auto& item : answered) matched += wanted.count(item);
    size_t false_positive = answered.size() - matched, false_negative = wanted.size() - matched;
    if (matched + false_positive + false_negative == 0) {
      return unknown > 0 ? Unscorable("no answered name the gold can judge") : Verdict{1.0, "", ""};
    }
    double f1 = 2.0 * matched / (2.0 * matched + false_positive + false_negative);
    return {f1, wanted.empty() ? "nothing has changed" : join(std::vector<std::string>(wanted.begin(), wanted.end()), ", "), ""};
  }

  const GoldMap& map_;
  const Lexicon& lexicon_;
  GoldFormat format_;
  size_t examples_;
  QuestionEvalSummary& summary_;
};

// Reads every question row of a CSV or JSONL file (by extension: .jsonl / .json is JSONL).
Result<std::vector<QuestionRow>> read_question_rows(const std::filesystem::path& path,
                                                   std::vector<LineError>& errors) {
  std::vector<QuestionRow> rows;
  std::string extension = to_lower(path.extension().string());
  if (extension == ".jsonl" || extension == ".json") {
    auto text = [](const Json& object, const char* key) -> std::string {
      auto it = object.find(key);
      if (it == object.end() || it->is_null()) return "";
      return it->is_string() ? it->get<std::string>() : it->dump();
    };
    Status status = for_each_jsonl(
        path,
        [&](const Json& object, size_t) -> Status {
          if (!object.is_object() || !object.contains("study_id") || !object.contains("question") ||
              !object.contains("answer")) {
            return Status::ParseError("not a question object with study_id, question and answer");
          }
          rows.push_back({text(object, "study_id"), text(object, "question_type"),
                          text(object, "question"), text(object, "answer"), text(object, "ref_id")});
          return Status::Ok();
        },
        [&](const LineError& error) { errors.push_back(error); });
    if (!status.ok()) return status;
    return rows;
  }
  CXRVQA_ASSIGN_OR_RETURN(auto reader, CsvReader::Open(path));
  CXRVQA_ASSIGN_OR_RETURN(auto required, reader->require_columns({"study_id", "question", "answer"}));
  auto type = reader->column("question_type");
  auto ref = reader->column("ref_id");
  CsvRow row;
  while (reader->Next(row)) {
    if (!row.error.empty()) {
      errors.push_back({reader->path(), row.line, row.error});
      continue;
    }
    rows.push_back({std::string(trim(row.get((required)[0]))), type ? std::string(row.get(*type)) : "",
                    std::string(row.get((required)[1])), std::string(row.get((required)[2])),
                    ref ? std::string(trim(row.get(*ref))) : ""});
  }
  if (!reader->status().ok()) return reader->status();
  return rows;
}

std::string figure(const AnswerScore& score) {
  if (score.scored == 0) return "n/a (nothing scored)";
  return fmt::format("{:.3f} ({} scored, {} wrong, {} unscorable)", score.value(), score.scored,
                     score.wrong, score.unscorable_total());
}

Json score_json(const AnswerScore& score) {
  Json examples = Json::array();
  for (const auto& wrong : score.examples) {
    examples.push_back({{"study_id", wrong.study_id}, {"question", wrong.question},
                        {"answer", wrong.answer}, {"expected", wrong.expected}});
  }
  Json unscorable = Json::object();
  for (const auto& [reason, count] : score.unscorable) unscorable[reason] = count;
  return Json{{"questions", score.questions}, {"scored", score.scored}, {"value", score.value()},
              {"wrong", score.wrong},         {"unscorable", unscorable}, {"wrong_examples", examples}};
}

void add_score(AnswerScore& into, const AnswerScore& from) {
  into.questions += from.questions;
  into.scored += from.scored;
  into.points += from.points;
  into.wrong += from.wrong;
  for (const auto& [reason, count] : from.unscorable) into.unscorable[reason] += count;
  for (const auto& example : from.examples) into.examples.push_back(example);
}

}  // namespace

std::string_view question_form_name(QuestionForm form) {
  return kFormNames[static_cast<size_t>(form)];
}

size_t AnswerScore::unscorable_total() const {
  size_t total = 0;
  for (const auto& [reason, count] : unscorable) total += count;
  return total;
}

AnswerScore QuestionEvalSummary::Presence() const {
  AnswerScore total;
  add_score(total, form(QuestionForm::kPresence));
  add_score(total, form(QuestionForm::kPresenceAt));
  return total;
}

AnswerScore QuestionEvalSummary::Side() const {
  AnswerScore total;
  add_score(total, form(QuestionForm::kLocation));
  add_score(total, form(QuestionForm::kSide));
  return total;
}

Result<QuestionEvalSummary> RunQuestionEval(const QuestionEvalOptions& options) {
  CXRVQA_ASSIGN_OR_RETURN(auto map, GoldMap::Load(options.format, options.map));
  CXRVQA_ASSIGN_OR_RETURN(auto lexicon, Lexicon::Load(options.lexicon_dir));
  QuestionEvalSummary summary;
  summary.format = options.format;
  CXRVQA_ASSIGN_OR_RETURN(auto gold, read_gold(options.format, options.gold, summary.gold_errors, &summary.gold_stats));
  CXRVQA_ASSIGN_OR_RETURN(auto rows, read_question_rows(options.questions, summary.question_errors));
  summary.questions = rows.size();
  summary.gold_studies = gold.size();

  std::unordered_map<std::string, GoldView> views;
  for (const auto& study : gold) {
    GoldView view{map_gold_study(study, map), {}, view_of(study.view)};
    for (const auto& name : study.uncertain) {
      view.uncertain.insert(evaluation_name(to_lower(name), map, lexicon.get()));
    }
    views.emplace(study.study_id, std::move(view));
  }
  QuestionScorer scorer(map, *lexicon, options.format, options.examples, summary);
  std::set<std::string> studies;
  for (const auto& row : rows) {
    std::string id = normalize_study_id(row.study_id);
    auto it = views.find(id);
    if (it == views.end()) {
      ++summary.without_gold_study;
      continue;
    }
    studies.insert(id);
    scorer.Score(row, it->second, views);
  }
  summary.studies = studies.size();
  return summary;
}

std::string QuestionEvalSummary::ToString() const {
  std::string out;
  out += fmt::format("gold format {}: {} studies ({} rows, {} without annotation)\n",
                     gold_format_name(format), gold_studies, gold_stats.rows, gold_stats.unannotated);
  out += fmt::format("questions: {} read; {} about {} studies of the gold; {} about studies not in the gold (not scored)\n\n",
                     questions, questions - without_gold_study, studies, without_gold_study);
  out += "presence (yes/no):               " + figure(Presence()) + "\n";
  out += "any abnormality (yes/no):        " + figure(form(QuestionForm::kAnyAbnormality)) + "\n";
  out += "abnormality list (mean F1):      " + figure(form(QuestionForm::kAbnormalityList)) + "\n";
  out += "side of location answers:        " + figure(Side()) + "\n";
  out += "level vs gold severity:          " + figure(form(QuestionForm::kLevel)) + "\n\n";
  out += fmt::format("{:<18} {:>9} {:>7} {:>7} {:>6} {:>10}\n", "form", "questions", "scored",
                     "score", "wrong", "unscorable");
  auto line = [&](std::string_view name, const AnswerScore& s) {
    out += fmt::format("{:<18} {:>9} {:>7} {:>7} {:>6} {:>10}\n", name, s.questions, s.scored,
                       s.scored ? fmt::format("{:.3f}", s.value()) : "-", s.wrong, s.unscorable_total());
  };
  for (size_t i = 0; i < kQuestionFormCount; ++i) {
    if (forms[i].questions > 0) line(kFormNames[i], forms[i]);
  }
  out += "\nper question_type:\n";
  for (const auto& [type, score] : types) line(type, score);
  out += "\nunscorable questions, by reason:\n";
  for (size_t i = 0; i < kQuestionFormCount; ++i) {
    for (const auto& [reason, count] : forms[i].unscorable) {
      out += fmt::format("  {:<18} {:>6}  {}\n", kFormNames[i], count, reason);
    }
  }
  out += "\nwrong answers (first of each form):\n";
  for (size_t i = 0; i < kQuestionFormCount; ++i) {
    for (const auto& wrong : forms[i].examples) {
      out += fmt::format("  [{}] study {}: {} -> {} (gold: {})\n", kFormNames[i], wrong.study_id,
                         wrong.question, wrong.answer, wrong.expected.empty() ? "none" : wrong.expected);
    }
  }
  auto errors = [&](const char* what, const std::vector<LineError>& list) {
    if (list.empty()) return;
    out += fmt::format("{} unusable {} (skipped), first: {}\n", list.size(), what, list.front().ToString());
  };
  errors("question rows", question_errors);
  errors("gold rows", gold_errors);
  return out;
}

Json QuestionEvalSummary::ToJson() const {
  Json by_form = Json::object(), by_type = Json::object();
  for (size_t i = 0; i < kQuestionFormCount; ++i) {
    if (forms[i].questions > 0) by_form[std::string(kFormNames[i])] = score_json(forms[i]);
  }
  for (const auto& [type, score] : types) by_type[type] = score_json(score);
  return Json{{"gold_format", gold_format_name(format)},
              {"questions", questions},
              {"without_gold_study", without_gold_study},
              {"gold_studies", gold_studies},
              {"studies", studies},
              {"presence", score_json(Presence())},
              {"any_abnormality", score_json(form(QuestionForm::kAnyAbnormality))},
              {"abnormality_list", score_json(form(QuestionForm::kAbnormalityList))},
              {"side", score_json(Side())},
              {"level", score_json(form(QuestionForm::kLevel))},
              {"forms", by_form},
              {"question_types", by_type},
              {"question_errors", question_errors.size()},
              {"gold_errors", gold_errors.size()}};
}

}  // namespace cxrvqa
