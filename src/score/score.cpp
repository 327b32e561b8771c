#include "score/score.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <deque>
#include <functional>
#include <iterator>
#include <memory>
#include <unordered_map>

#include "common/csv.h"
#include "common/text.h"

namespace cxrvqa {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view kKindNames[kAnswerKindCount] = {"yes/no", "choice", "open", "difference"};
// Columns (CSV) or keys (JSONL) that may hold the predicted answer, in order of preference.
constexpr std::string_view kAnswerKeys[] = {"answer", "prediction", "pred", "text"};
constexpr char kKeySeparator = '\x1f';

// Strings that live as long as the arena; views into it stay valid (blocks never move).
class TextArena {
 public:
  std::string_view Store(std::string_view text) {
    if (text.empty()) return {};
    if (blocks_.empty() || blocks_.back().size() + text.size() > blocks_.back().capacity()) {
      blocks_.emplace_back();
      blocks_.back().reserve(std::max(kBlock, text.size()));
    }
    std::string& block = blocks_.back();
    size_t offset = block.size();
    block.append(text);
    return std::string_view(block).substr(offset, text.size());
  }

 private:
  static constexpr size_t kBlock = 1 << 20;
  std::deque<std::string> blocks_;
};

struct GoldQuestion {
  QuestionType type;
  AnswerKind kind;
  uint32_t split;  // index into Scoring::split_names
  std::string_view id, answer, normalized;
  std::string_view prediction;
  bool answered = false;
};

AnswerKind kind_of_normalized(QuestionType type, std::string_view question, std::string_view normalized_gold) {
  if (type == QuestionType::kDifference) return AnswerKind::kDifference;
  if (normalized_gold == "yes" || normalized_gold == "no") return AnswerKind::kYesNo;
  if (type == QuestionType::kView || question.find(" or ") != std::string_view::npos) return AnswerKind::kChoice;
  return AnswerKind::kOpen;
}

std::string study_question_key(std::string_view study_id, std::string_view question) {
  std::string key;
  key.reserve(study_id.size() + question.size() + 1);
  key.append(study_id).append(1, kKeySeparator).append(question);
  return key;
}

// "study_id + question" keys are shown as "<study_id>: <question>".
std::string printable_key(std::string_view key) {
  std::string text(key);
  if (size_t at = text.find(kKeySeparator); at != std::string::npos) text.replace(at, 1, ": ");
  return text;
}

// The gold questions, the predictions matched to them and the bookkeeping of both files.
class Scoring {
 public:
  Status ReadGold(const fs::path& path) {
    CXRVQA_RETURN_IF_ERROR(for_each_question(
        path, [&](const QuestionRef& q) { AddGold(q); }, summary_.gold_errors));
    if (gold_.empty()) return Status::InvalidArgument("no question could be read from " + path.string());
    summary_.gold_questions = gold_.size();
    return Status::Ok();
  }

  Status ReadPredictions(const fs::path& path) {
    std::string extension = to_lower(path.extension().string());
    if (extension == ".gz") extension = to_lower(path.stem().extension().string());
    if (extension == ".jsonl" || extension == ".json") return ReadJsonlPredictions(path);
    return ReadCsvPredictions(path);
  }

  ScoreSummary Finish() &&;

 private:
  void AddGold(const QuestionRef& q) {
    std::string id;
    append_question_id(id, q);
    std::string_view stored_id = arena_.Store(id);
    uint32_t index = static_cast<uint32_t>(gold_.size());
    if (!by_id_.emplace(stored_id, index).second) {
      summary_.gold_duplicates.emplace_back(stored_id);
      return;
    }
    std::string key = study_question_key(q.study_id, q.question);
    by_study_question_.emplace(arena_.Store(key), index);  // a repeated key keeps the first
    std::string normalized = normalize_answer(q.type, q.answer);
    GoldQuestion gold{q.type, kind_of_normalized(q.type, q.question, normalized), SplitIndex(q.split), stored_id,
                      arena_.Store(q.answer), arena_.Store(normalized), {}, false};
    gold_.push_back(gold);
  }

  uint32_t SplitIndex(std::string_view split) {
    for (uint32_t i = 0; i < split_names_.size(); ++i) {
      if (split_names_[i] == split) return i;
    }
    split_names_.emplace_back(split);
    return static_cast<uint32_t>(split_names_.size() - 1);
  }

  // Records one prediction given by question id (when `question_id` is not empty) or by
  // study id and question.
  void AddPrediction(std::string_view question_id, std::string_view study_id, std::string_view question,
                     std::string_view answer) {
    ++summary_.predictions;
    std::string key = question_id.empty() ? study_question_key(study_id, question) : std::string(question_id);
    const auto& index = question_id.empty() ? by_study_question_ : by_id_;
    auto it = index.find(key);
    if (it == index.end()) {
      summary_.extra.push_back(printable_key(key));
      return;
    }
    GoldQuestion& gold = gold_[it->second];
    if (gold.answered) {
      summary_.duplicates.push_back(printable_key(key));
      return;
    }
    gold.answered = true;
    gold.prediction = arena_.Store(answer);
  }

  Status ReadCsvPredictions(const fs::path& path) {
    auto reader = CsvReader::Open(path);
    if (!reader.ok()) return reader.status();
    CsvReader& csv = **reader;
    std::optional<size_t> id = csv.column("question_id"), study = csv.column("study_id"),
                          question = csv.column("question"), answer;
    for (std::string_view key : kAnswerKeys) {
      if ((answer = csv.column(key))) break;
    }
    if (!answer) {
      return Status::InvalidArgument(path.string() + ": no answer column (answer, prediction, pred or text)");
    }
    if (!id && !(study && question)) {
      return Status::InvalidArgument(path.string() + ": no question_id column, nor study_id and question columns");
    }
    CsvRow row;
    while (csv.Next(row)) {
      if (!row.error.empty()) {
        summary_.malformed.push_back({path, row.line, row.error});
        continue;
      }
      std::string_view question_id = id ? row.get(*id) : std::string_view();
      if (question_id.empty() && !(study && question)) {
        summary_.malformed.push_back({path, row.line, "empty question_id"});
        continue;
      }
      AddPrediction(question_id, study ? row.get(*study) : std::string_view(),
                    question ? row.get(*question) : std::string_view(), row.get(*answer));
    }
    return csv.status();
  }

  Status ReadJsonlPredictions(const fs::path& path) {
    auto text_of = [](const Json& object, std::string_view key, std::string& out) {
      auto it = object.find(key);
      if (it == object.end() || it->is_null()) return false;
      if (it->is_string()) {
        out = it->get_ref<const std::string&>();
      } else if (it->is_number_integer() || it->is_number_unsigned()) {
        out = it->dump();  // numeric ids, e.g. study_id 50000011
      } else {
        return false;
      }
      return true;
    };
    std::string question_id, study_id, question, answer;
    return for_each_jsonl(
        path,
        [&](const Json& object, size_t) -> Status {
          if (!object.is_object()) return Status::ParseError("not a JSON object");
          bool has_answer = false;
          for (std::string_view key : kAnswerKeys) {
            if ((has_answer = text_of(object, key, answer))) break;
          }
          if (!has_answer) return Status::ParseError("no string answer (answer, prediction, pred or text)");
          if (!text_of(object, "question_id", question_id)) {
            question_id.clear();
            if (!text_of(object, "study_id", study_id) || !text_of(object, "question", question)) {
              return Status::ParseError("no question_id, nor study_id and question");
            }
          }
          AddPrediction(question_id, study_id, question, answer);
          return Status::Ok();
        },
        [&](const LineError& error) { summary_.malformed.push_back(error); });
  }

  TextArena arena_;
  std::vector<GoldQuestion> gold_;
  std::vector<std::string> split_names_;
  std::unordered_map<std::string_view, uint32_t> by_id_, by_study_question_;
  ScoreSummary summary_;
};

ScoreSummary Scoring::Finish() && {
  ScoreSummary summary = std::move(summary_);
  // The difference answers of all questions (index 0) and of each split (1 + split index).
  std::vector<CaptionCorpus> corpora(1 + split_names_.size());
  std::vector<GroupScores*> split_groups;
  for (const std::string& name : split_names_) split_groups.push_back(&summary.per_split[name]);
  for (const GoldQuestion& gold : gold_) {
    if (gold.answered) {
      ++summary.matched;
    } else {
      summary.missing.emplace_back(gold.id);
    }
    bool right = normalize_answer(gold.type, gold.prediction) == gold.normalized;
    for (GroupScores* group : {&summary.all, split_groups[gold.split]}) {
      group->per_kind[static_cast<size_t>(gold.kind)].Add(right);
      group->per_type[static_cast<size_t>(gold.type)].Add(right);
    }
    if (gold.kind == AnswerKind::kDifference) {
      corpora[0].Add(gold.prediction, gold.answer);
      corpora[1 + gold.split].Add(gold.prediction, gold.answer);
    }
  }
  if (corpora[0].size() > 0) summary.all.difference = corpora[0].Compute();
  for (size_t i = 0; i < split_names_.size(); ++i) {
    if (corpora[1 + i].size() > 0) split_groups[i]->difference = corpora[1 + i].Compute();
  }
  return summary;
}

std::string split_label(std::string_view split) { return split.empty() ? "(none)" : std::string(split); }

template <typename... Args>
void append_line(std::string& out, fmt::format_string<Args...> format, Args&&... args) {
  fmt::format_to(std::back_inserter(out), format, std::forward<Args>(args)...);
  out += '\n';
}

// "0.8123 (812/1000)", or "-" when there is nothing to count.
std::string accuracy_cell(const AccuracyCount& count) {
  if (count.total == 0) return "-";
  return fmt::format("{:.4f} ({}/{})", count.accuracy(), count.correct, count.total);
}

// One table: a row per figure, a column per group (all splits, then each split).
void append_table(std::string& out, const std::vector<std::pair<std::string, const GroupScores*>>& groups) {
  std::vector<std::pair<std::string, std::function<AccuracyCount(const GroupScores&)>>> rows = {
      {"closed", [](const GroupScores& g) { return g.closed(); }},
      {"  yes/no", [](const GroupScores& g) { return g.per_kind[static_cast<size_t>(AnswerKind::kYesNo)]; }},
      {"  choice", [](const GroupScores& g) { return g.per_kind[static_cast<size_t>(AnswerKind::kChoice)]; }},
      {"open", [](const GroupScores& g) { return g.per_kind[static_cast<size_t>(AnswerKind::kOpen)]; }},
      {"overall (closed+open)", [](const GroupScores& g) { return g.overall(); }},
      {"difference (exact)", [](const GroupScores& g) { return g.per_kind[static_cast<size_t>(AnswerKind::kDifference)]; }}};
  for (size_t t = 0; t < kQuestionTypeCount; ++t) {
    rows.emplace_back(fmt::format("type {}", question_type_name(static_cast<QuestionType>(t))),
                      [t](const GroupScores& g) { return g.per_type[t]; });
  }
  fmt::format_to(std::back_inserter(out), "{:<22}", "accuracy");
  for (const auto& [name, group] : groups) fmt::format_to(std::back_inserter(out), " {:>22}", name);
  out += '\n';
  for (const auto& [label, figure] : rows) {
    fmt::format_to(std::back_inserter(out), "{:<22}", label);
    for (const auto& [name, group] : groups) fmt::format_to(std::back_inserter(out), " {:>22}", accuracy_cell(figure(*group)));
    out += '\n';
  }
  if (!groups.front().second->difference) return;
  append_line(out, "\ndifference answers (coco-caption definitions: corpus BLEU, ROUGE-L and CIDEr-D means)");
  fmt::format_to(std::back_inserter(out), "{:<22}", "");
  for (const auto& [name, group] : groups) fmt::format_to(std::back_inserter(out), " {:>22}", name);
  out += '\n';
  auto metric_row = [&](std::string_view label, auto value) {
    fmt::format_to(std::back_inserter(out), "{:<22}", label);
    for (const auto& [name, group] : groups) {
      std::string cell = group->difference ? value(*group->difference) : "-";
      fmt::format_to(std::back_inserter(out), " {:>22}", cell);
    }
    out += '\n';
  };
  metric_row("pairs", [](const TextMetrics& m) { return std::to_string(m.pairs); });
  for (size_t n = 0; n < 4; ++n) {
    metric_row(fmt::format("BLEU-{}", n + 1), [n](const TextMetrics& m) { return fmt::format("{:.4f}", m.bleu[n]); });
  }
  metric_row("ROUGE-L", [](const TextMetrics& m) { return fmt::format("{:.4f}", m.rouge_l); });
  metric_row("CIDEr-D", [](const TextMetrics& m) { return fmt::format("{:.4f}", m.cider_d); });
}

template <typename Item, typename Name>
void append_named(std::string& out, std::string_view what, const std::vector<Item>& items, size_t shown, Name name) {
  if (items.empty()) return;
  append_line(out, "{} ({}):", what, items.size());
  for (size_t i = 0; i < items.size() && i < shown; ++i) append_line(out, "  {}", name(items[i]));
  if (items.size() > shown) append_line(out, "  ... {} more (all in --json)", items.size() - shown);
}

Json accuracy_json(const AccuracyCount& count) {
  return Json{{"questions", count.total}, {"correct", count.correct},
              {"accuracy", count.total == 0 ? Json() : Json(count.accuracy())}};
}

Json group_json(const GroupScores& group) {
  Json json = {{"closed", accuracy_json(group.closed())}, {"overall", accuracy_json(group.overall())}};
  for (size_t k = 0; k < kAnswerKindCount; ++k) {
    json[std::string(kKindNames[k])] = accuracy_json(group.per_kind[k]);
  }
  Json types = Json::object();
  for (size_t t = 0; t < kQuestionTypeCount; ++t) {
    types[std::string(question_type_name(static_cast<QuestionType>(t)))] = accuracy_json(group.per_type[t]);
  }
  json["per_type"] = std::move(types);
  if (group.difference) {
    const TextMetrics& m = *group.difference;
    json["difference_text"] = {{"pairs", m.pairs},       {"bleu_1", m.bleu[0]},   {"bleu_2", m.bleu[1]},
                               {"bleu_3", m.bleu[2]},    {"bleu_4", m.bleu[3]},   {"rouge_l", m.rouge_l},
                               {"cider_d", m.cider_d}};
  } else {
    json["difference_text"] = nullptr;
  }
  return json;
}

}  // namespace

std::string_view answer_kind_name(AnswerKind kind) { return kKindNames[static_cast<size_t>(kind)]; }

AnswerKind answer_kind(QuestionType type, std::string_view question, std::string_view gold_answer) {
  return kind_of_normalized(type, question, normalize_answer(type, gold_answer));
}

std::string normalize_answer(QuestionType type, std::string_view answer) {
  std::string normalized;
  if (type != QuestionType::kAbnormality || answer.find(',') == std::string_view::npos) {
    append_caption_words(normalized, answer);
    return normalized;
  }
  std::vector<std::string> items;
  for (std::string_view item : split(answer, ',')) {
    std::string words;
    append_caption_words(words, item);
    if (!words.empty()) items.push_back(std::move(words));
  }
  std::sort(items.begin(), items.end());
  return join(items, ", ");
}

AccuracyCount GroupScores::closed() const {
  AccuracyCount count = per_kind[static_cast<size_t>(AnswerKind::kYesNo)];
  count += per_kind[static_cast<size_t>(AnswerKind::kChoice)];
  return count;
}

AccuracyCount GroupScores::overall() const {
  AccuracyCount count = closed();
  count += per_kind[static_cast<size_t>(AnswerKind::kOpen)];
  return count;
}

std::string ScoreSummary::ToString(size_t shown) const {
  std::string out;
  append_line(out, "score: {} gold questions, {} predictions read, {} matched, {} missing, {} extra, "
                   "{} duplicate, {} malformed",
              gold_questions, predictions, matched, missing.size(), extra.size(), duplicates.size(),
              malformed.size());
  std::vector<std::pair<std::string, const GroupScores*>> groups = {{"all", &all}};
  for (const auto& [split, group] : per_split) groups.emplace_back(split_label(split), &group);
  append_table(out, groups);
  auto same = [](const std::string& text) { return text; };
  auto error = [](const LineError& e) { return e.ToString(); };
  append_named(out, "missing predictions (scored as wrong)", missing, shown, same);
  append_named(out, "extra predictions (no such question)", extra, shown, same);
  append_named(out, "questions answered more than once (first answer kept)", duplicates, shown, same);
  append_named(out, "malformed prediction rows (skipped)", malformed, shown, error);
  append_named(out, "gold questions given twice (first kept)", gold_duplicates, shown, same);
  append_named(out, "malformed gold rows (skipped)", gold_errors, shown, error);
  return out;
}

Json ScoreSummary::ToJson() const {
  auto errors = [](const std::vector<LineError>& list) {
    Json json = Json::array();
    for (const LineError& e : list) json.push_back(e.ToString());
    return json;
  };
  Json json = {{"gold_questions", gold_questions}, {"predictions", predictions}, {"matched", matched},
               {"missing", missing},               {"extra", extra},             {"duplicates", duplicates},
               {"malformed", errors(malformed)},   {"gold_duplicates", gold_duplicates},
               {"gold_errors", errors(gold_errors)}, {"all", group_json(all)}};
  Json splits = Json::object();
  for (const auto& [split, group] : per_split) splits[split_label(split)] = group_json(group);
  json["per_split"] = std::move(splits);
  json["definitions"] =
      "accuracy: exact match after normalisation (case, punctuation; abnormality lists in any order); "
      "missing predictions count as wrong; overall = closed + open; difference text metrics as "
      "coco-caption computes them: corpus BLEU-1..4 (no smoothing), ROUGE-L (beta 1.2, mean over "
      "pairs), CIDEr-D (sigma 6, x10, mean over pairs)";
  return json;
}

Result<ScoreSummary> RunScore(const ScoreOptions& options) {
  Scoring scoring;
  CXRVQA_RETURN_IF_ERROR(scoring.ReadGold(options.gold));
  CXRVQA_RETURN_IF_ERROR(scoring.ReadPredictions(options.predictions));
  return std::move(scoring).Finish();
}

}  // namespace cxrvqa
