#include "score/score.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <deque>
#include <functional>
#include <iterator>
#include <memory>
#include <simdjson.h>

#include "common/csv.h"
#include "common/jsonl.h"
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

// String keys (views that must outlive it) to positions: open addressing over a flat array
// of (entry, hash tag) slots, so that a lookup touches one slot run and compares a key only
// when the tags agree. The first position given for a key stays.
class KeyIndex {
 public:
  // Room for `expected` keys before the first rehash.
  void Reserve(size_t expected) {
    if (expected * 2 > slots_.size()) Rehash(expected * 2);
  }

  // Adds `key` -> `position`; false when the key is there already.
  bool Add(std::string_view key, uint32_t position) {
    if ((keys_.size() + 1) * 2 > slots_.size()) Rehash(std::max<size_t>(64, slots_.size() * 2));
    uint64_t hash = Hash(key);
    size_t i = hash & mask_;
    for (; slots_[i].entry != 0; i = (i + 1) & mask_) {
      if (slots_[i].tag == Tag(hash) && keys_[slots_[i].entry - 1] == key) return false;
    }
    keys_.push_back(key);
    hashes_.push_back(hash);
    positions_.push_back(position);
    slots_[i] = {static_cast<uint32_t>(keys_.size()), Tag(hash)};
    return true;
  }

  // The position of `key`, or nullptr.
  const uint32_t* Find(std::string_view key) const {
    if (keys_.empty()) return nullptr;
    uint64_t hash = Hash(key);
    for (size_t i = hash & mask_; slots_[i].entry != 0; i = (i + 1) & mask_) {
      if (slots_[i].tag == Tag(hash) && keys_[slots_[i].entry - 1] == key) return &positions_[slots_[i].entry - 1];
    }
    return nullptr;
  }

 private:
  struct Slot {
    uint32_t entry = 0;  // 1 + index into keys_; 0 = free
    uint32_t tag = 0;    // high bits of the key's hash
  };
  static uint64_t Hash(std::string_view key) { return std::hash<std::string_view>{}(key); }
  static uint32_t Tag(uint64_t hash) { return static_cast<uint32_t>(hash >> 32); }

  void Rehash(size_t capacity) {
    size_t size = 16;
    while (size < capacity) size <<= 1;
    slots_.assign(size, Slot{});
    mask_ = size - 1;
    for (size_t e = 0; e < keys_.size(); ++e) {
      size_t i = hashes_[e] & mask_;
      while (slots_[i].entry != 0) i = (i + 1) & mask_;
      slots_[i] = {static_cast<uint32_t>(e + 1), Tag(hashes_[e])};
    }
  }

  std::vector<Slot> slots_;
  size_t mask_ = 0;
  std::vector<std::string_view> keys_;
  std::vector<uint64_t> hashes_;
  std::vector<uint32_t> positions_;
};

// About how many rows a file of questions or predictions holds, from its size (rows of
// `row_bytes` on average); for reserving memory only.
size_t expected_rows(const fs::path& path, size_t row_bytes) {
  std::error_code ec;
  uintmax_t bytes = fs::file_size(path, ec);
  return ec ? 0 : static_cast<size_t>(bytes / row_bytes);
}

AnswerKind kind_of_normalized(QuestionType type, std::string_view question, std::string_view normalized_gold) {
  if (type == QuestionType::kDifference) return AnswerKind::kDifference;
  if (normalized_gold == "yes" || normalized_gold == "no") return AnswerKind::kYesNo;
  if (type == QuestionType::kView || question.find(" or ") != std::string_view::npos) return AnswerKind::kChoice;
  return AnswerKind::kOpen;
}

// normalize_answer into `out` (cleared first), reusing its memory.
void normalize_into(std::string& out, QuestionType type, std::string_view answer) {
  out.clear();
  if (type != QuestionType::kAbnormality || answer.find(',') == std::string_view::npos) {
    append_caption_words(out, answer);
    return;
  }
  std::vector<std::string> items;
  for (std::string_view item : split(answer, ',')) {
    std::string words;
    append_caption_words(words, item);
    if (!words.empty()) items.push_back(std::move(words));
  }
  std::sort(items.begin(), items.end());
  out = join(items, ", ");
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

struct Prediction {
  std::string_view key, answer;  // in the arena
  bool used = false;             // matched to a gold question
};

// The predictions are read and indexed first; then the gold questions stream by and are
// scored as they come (of them, only the words of difference answers are kept).
class Scoring {
 public:
  Status ReadPredictions(const fs::path& path) {
    predictions_by_key_.Reserve(expected_rows(path, 48));
    std::string extension = to_lower(path.extension().string());
    if (extension == ".gz") extension = to_lower(path.stem().extension().string());
    if (extension == ".jsonl" || extension == ".json") return ReadJsonlPredictions(path);
    return ReadCsvPredictions(path);
  }

  Status ScoreGold(const fs::path& path) {
    CXRVQA_RETURN_IF_ERROR(for_each_question(
        path, [&](const QuestionRef& q) { AddGold(q); }, summary_.gold_errors));
    if (summary_.gold_questions == 0) return Status::InvalidArgument("no question could be read from " + path.string());
    return Status::Ok();
  }

  ScoreSummary Finish() &&;

 private:
  // Records one prediction given by question id (when `question_id` is not empty) or by
  // study id and question.
  void AddPrediction(std::string_view question_id, std::string_view study_id, std::string_view question,
                     std::string_view answer) {
    ++summary_.predictions;
    std::string study_key;
    std::string_view key = question_id;
    if (question_id.empty()) {
      key = study_key = study_question_key(study_id, question);
      by_study_question_ = true;
    }
    std::string_view stored = arena_.Store(key);
    if (!predictions_by_key_.Add(stored, static_cast<uint32_t>(predictions_.size()))) {
      summary_.duplicates.push_back(printable_key(key));
      return;
    }
    predictions_.push_back({stored, arena_.Store(answer), false});
  }

  // The prediction for `q` (by id, else by study and question), or nullptr. Files that list
  // the predictions in the order of the questions match without a lookup.
  Prediction* PredictionFor(const QuestionRef& q, std::string_view id) {
    if (next_ < predictions_.size() && predictions_[next_].key == id) return &predictions_[next_++];
    const uint32_t* position = predictions_by_key_.Find(id);
    if (position == nullptr && by_study_question_) {
      key_buffer_.clear();
      key_buffer_.append(q.study_id).append(1, kKeySeparator).append(q.question);
      position = predictions_by_key_.Find(key_buffer_);
    }
    if (position == nullptr) return nullptr;
    next_ = *position + 1;
    return &predictions_[*position];
  }

  void AddGold(const QuestionRef& q) {
    id_buffer_.clear();
    append_question_id(id_buffer_, q);
    Prediction* prediction = PredictionFor(q, id_buffer_);
    if (prediction != nullptr && prediction->used) {
      // Taken by an earlier question: the same id again is a repeated gold question; another
      // question of the same study and text has no answer left.
      if (prediction->key == id_buffer_) {
        summary_.gold_duplicates.push_back(id_buffer_);
        return;
      }
      prediction = nullptr;
    }
    ++summary_.gold_questions;
    std::string_view answer;
    if (prediction != nullptr) {
      prediction->used = true;
      answer = prediction->answer;
      ++summary_.matched;
    } else {
      summary_.missing.push_back(id_buffer_);
    }
    normalize_into(gold_normalized_, q.type, q.answer);
    normalize_into(predicted_normalized_, q.type, answer);
    bool right = gold_normalized_ == predicted_normalized_;
    AnswerKind kind = kind_of_normalized(q.type, q.question, gold_normalized_);
    size_t split = SplitIndex(q.split);
    for (GroupScores* group : {&summary_.all, split_groups_[split]}) {
      group->per_kind[static_cast<size_t>(kind)].Add(right);
      group->per_type[static_cast<size_t>(q.type)].Add(right);
    }
    if (kind == AnswerKind::kDifference) {
      split_pairs_[split].push_back(difference_answers_.size());
      difference_answers_.Add(answer, q.answer);
    }
  }

  size_t SplitIndex(std::string_view split) {
    for (size_t i = 0; i < split_names_.size(); ++i) {
      if (split_names_[i] == split) return i;
    }
    split_names_.emplace_back(split);
    split_groups_.push_back(&summary_.per_split[split_names_.back()]);  // std::map: stable address
    split_pairs_.emplace_back();
    return split_names_.size() - 1;
  }

  Status ReadCsvPredictions(const fs::path& path) {
    CXRVQA_ASSIGN_OR_RETURN(auto reader, CsvReader::Open(path));
    CsvReader& csv = *reader;
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

  // One line of a JSONL prediction file: the fields that matter, read with simdjson's On
  // Demand parser (the views live until the next line is parsed).
  Status AddJsonlPrediction(simdjson::ondemand::parser& parser, std::string& buffer, std::string_view line) {
    buffer.reserve(line.size() + simdjson::SIMDJSON_PADDING);
    buffer.assign(line);
    simdjson::ondemand::document document;
    simdjson::ondemand::object object;
    if (parser.iterate(simdjson::padded_string_view(buffer.data(), buffer.size(), buffer.capacity())).get(document) ||
        document.get_object().get(object)) {
      return Status::ParseError("not a JSON object");
    }
    std::string_view question_id, study_id, question, answer;
    size_t answer_rank = std::size(kAnswerKeys);  // the preferred answer key seen so far
    for (auto field : object) {
      std::string_view key;
      if (field.unescaped_key().get(key)) return Status::ParseError("not valid JSON");
      size_t rank = std::find(std::begin(kAnswerKeys), std::end(kAnswerKeys), key) - std::begin(kAnswerKeys);
      std::string_view* target = rank < answer_rank ? &answer
                                 : key == "question_id" ? &question_id
                                 : key == "study_id"    ? &study_id
                                 : key == "question"    ? &question
                                                        : nullptr;
      if (target == nullptr) continue;
      simdjson::ondemand::value value;
      simdjson::ondemand::json_type type;
      if (field.value().get(value) || value.type().get(type)) return Status::ParseError("not valid JSON");
      if (type == simdjson::ondemand::json_type::string) {
        if (value.get_string().get(*target)) return Status::ParseError("not valid JSON");
      } else if (type == simdjson::ondemand::json_type::number && target != &answer && target != &question) {
        *target = trim(value.raw_json_token());  // e.g. study_id 50000011
      } else {
        continue;  // null, or a value that cannot be an id or a text
      }
      if (target == &answer) answer_rank = rank;
    }
    if (answer_rank == std::size(kAnswerKeys)) return Status::ParseError("no string answer (answer, prediction, pred or text)");
    if (question_id.empty() && (study_id.empty() || question.empty())) {
      return Status::ParseError("no question_id, nor study_id and question");
    }
    AddPrediction(question_id, study_id, question, answer);
    return Status::Ok();
  }

  Status ReadJsonlPredictions(const fs::path& path) {
    simdjson::ondemand::parser parser;
    std::string buffer;
    return for_each_jsonl_line(
        path, [&](std::string_view line, size_t) { return AddJsonlPrediction(parser, buffer, line); },
        [&](const LineError& error) { summary_.malformed.push_back(error); });
  }

  TextArena arena_;
  std::vector<Prediction> predictions_;
  KeyIndex predictions_by_key_;
  bool by_study_question_ = false;  // some prediction is keyed by study id and question
  size_t next_ = 0;                 // the prediction after the one matched last
  std::vector<std::string> split_names_;
  std::vector<GroupScores*> split_groups_;        // per split name, into summary_.per_split
  std::vector<std::vector<size_t>> split_pairs_;  // per split: its pairs in difference_answers_
  CaptionCorpus difference_answers_;              // (prediction, gold) of every difference question
  std::string id_buffer_, key_buffer_, gold_normalized_, predicted_normalized_;
  ScoreSummary summary_;
};

ScoreSummary Scoring::Finish() && {
  for (const Prediction& prediction : predictions_) {
    if (!prediction.used) summary_.extra.push_back(printable_key(prediction.key));
  }
  if (difference_answers_.size() > 0) summary_.all.difference = difference_answers_.Compute();
  for (size_t i = 0; i < split_names_.size(); ++i) {
    if (!split_pairs_[i].empty()) split_groups_[i]->difference = difference_answers_.Compute(&split_pairs_[i]);
  }
  return std::move(summary_);
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
  normalize_into(normalized, type, answer);
  return normalized;
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
  std::error_code ec;
  if (!fs::exists(options.gold, ec)) return Status::NotFound("gold questions " + options.gold.string() + " not found");
  Scoring scoring;
  CXRVQA_RETURN_IF_ERROR(scoring.ReadPredictions(options.predictions));
  CXRVQA_RETURN_IF_ERROR(scoring.ScoreGold(options.gold));
  return std::move(scoring).Finish();
}

}  // namespace cxrvqa
