#include "stats/stats.h"

#include <fmt/format.h>

#include <iterator>
#include <unordered_set>

#include "common/string_map.h"

namespace cxrvqa {

namespace {

double share(size_t part, size_t whole) {
  return whole == 0 ? 0.0 : 100.0 * static_cast<double>(part) / static_cast<double>(whole);
}

std::optional<size_t> released_count(QuestionType type) {
  for (const ReleasedFigure& figure : kReleasedFigures) {
    if (figure.type == type) return figure.count;
  }
  return std::nullopt;
}

template <typename... Args>
void append_line(std::string& out, fmt::format_string<Args...> format, Args&&... args) {
  fmt::format_to(std::back_inserter(out), format, std::forward<Args>(args)...);
  out += '\n';
}

std::string split_label(const std::string& split) { return split.empty() ? "(none)" : split; }

// How often each value of one field occurs. A question file lists a study's questions
// together, so the value of the question before is remembered and not looked up again.
class ValueCounts {
 public:
  void Add(std::string_view value) {
    if (last_ == nullptr || value != last_->first) {
      auto it = counts_.find(value);
      if (it == counts_.end()) it = counts_.emplace(std::string(value), 0).first;
      last_ = &*it;  // nodes do not move while the map grows
    }
    ++last_->second;
  }
  size_t size() const { return counts_.size(); }
  const StringMap<size_t>& counts() const { return counts_; }

 private:
  StringMap<size_t> counts_;
  std::pair<const std::string, size_t>* last_ = nullptr;
};

// The distinct images and patients of a scope (all questions, one split).
struct ImagesAndPatients {
  ValueCounts images, patients;
  void Add(const QuestionRef& q) {
    images.Add(q.dicom_id.empty() ? q.study_id : q.dicom_id);
    if (!q.subject_id.empty()) patients.Add(q.subject_id);
  }
};

}  // namespace

// The distinct answers of each type (the overall ones are their union), and the distinct
// images and patients.
struct QuestionStatsCounter::Distinct {
  ValueCounts type_answers[kQuestionTypeCount];
  ImagesAndPatients subjects;
};

// The questions of one split, its images and patients.
struct QuestionStatsCounter::Split {
  std::string_view name;  // the key of per_split_
  size_t questions = 0;
  std::array<size_t, kQuestionTypeCount> per_type = {};
  ImagesAndPatients subjects;
};

QuestionStatsCounter::QuestionStatsCounter() : distinct_(std::make_unique<Distinct>()) {}

QuestionStatsCounter::~QuestionStatsCounter() = default;

void QuestionStatsCounter::Add(const QuestionRef& q) {
  TypeStats& type = stats_.per_type[static_cast<size_t>(q.type)];
  ++type.count;
  bool yes = q.answer == "yes", no = q.answer == "no";
  if (yes || no) ++type.closed;
  type.yes += yes;
  type.no += no;
  ++stats_.total;
  distinct_->type_answers[static_cast<size_t>(q.type)].Add(q.answer);
  distinct_->subjects.Add(q);
  if (split_ == nullptr || q.split != split_->name) {
    auto it = per_split_.find(q.split);
    if (it == per_split_.end()) it = per_split_.emplace(std::string(q.split), std::make_unique<Split>()).first;
    split_ = it->second.get();
    split_->name = it->first;
  }
  split_->subjects.Add(q);
  ++split_->questions;
  ++split_->per_type[static_cast<size_t>(q.type)];
}

QuestionStats QuestionStatsCounter::Finish() && {
  QuestionStats stats = std::move(stats_);
  for (size_t i = 0; i < kQuestionTypeCount; ++i) {
    TypeStats& type = stats.per_type[i];
    type.answer_vocabulary = distinct_->type_answers[i].size();
    const StringMap<size_t>& answers = distinct_->type_answers[i].counts();
    type.answers.assign(answers.begin(), answers.end());
    stats.closed += type.closed;
    stats.yes += type.yes;
    stats.no += type.no;
  }
  stats.open = stats.total - stats.closed;
  std::unordered_set<std::string_view> answers;
  for (const ValueCounts& type_answers : distinct_->type_answers) {
    for (const auto& [answer, count] : type_answers.counts()) answers.insert(answer);
  }
  stats.answer_vocabulary = answers.size();
  stats.images = distinct_->subjects.images.size();
  stats.patients = distinct_->subjects.patients.size();
  for (auto& [name, split] : per_split_) {
    stats.per_split[name] = {split->questions, split->subjects.images.size(), split->subjects.patients.size(),
                             split->per_type};
  }
  return stats;
}

QuestionStats compute_question_stats(const std::vector<Question>& questions) {
  QuestionStatsCounter counter;
  for (const Question& q : questions) counter.Add(question_ref(q));
  return std::move(counter).Finish();
}

std::string format_question_stats(const QuestionStats& stats) {
  std::string out;
  append_line(out, "{:<12} {:>10} {:>7} {:>11} {:>7} {:>9} {:>9} {:>9} {:>8}", "type", "count", "share",
       "released", "share", "closed", "yes", "no", "answers");
  for (size_t i = 0; i < kQuestionTypeCount; ++i) {
    auto type = static_cast<QuestionType>(i);
    const TypeStats& t = stats.per_type[i];
    std::optional<size_t> released = released_count(type);
    std::string released_text = released ? fmt::format("{}", *released) : "-";
    std::string released_share = released ? fmt::format("{:.1f}%", share(*released, kReleasedTotal)) : "-";
    append_line(out, "{:<12} {:>10} {:>6.1f}% {:>11} {:>7} {:>9} {:>9} {:>9} {:>8}", question_type_name(type),
         t.count, share(t.count, stats.total), released_text, released_share, t.closed, t.yes, t.no,
         t.answer_vocabulary);
  }
  append_line(out, "{:<12} {:>10} {:>6.1f}% {:>11} {:>7} {:>9} {:>9} {:>9} {:>8}", "total", stats.total, 100.0,
       kReleasedTotal, "100.0%", stats.closed, stats.yes, stats.no, stats.answer_vocabulary);
  out += '\n';
  append_line(out, "open {} ({:.1f}%), closed {} ({:.1f}%); yes {} ({:.1f}% of closed), no {} ({:.1f}% of closed)",
       stats.open, share(stats.open, stats.total), stats.closed, share(stats.closed, stats.total),
       stats.yes, share(stats.yes, stats.closed), stats.no, share(stats.no, stats.closed));
  append_line(out, "answer vocabulary {}; patients {}; images {}", stats.answer_vocabulary, stats.patients,
       stats.images);
  out += '\n';
  append_line(out, "{:<12} {:>10} {:>7} {:>10} {:>10}", "split", "questions", "share", "images", "patients");
  for (const auto& [split, s] : stats.per_split) {
    append_line(out, "{:<12} {:>10} {:>6.1f}% {:>10} {:>10}", split_label(split), s.questions,
         share(s.questions, stats.total), s.images, s.patients);
  }
  return out;
}

Result<QuestionStats> read_question_stats(const std::filesystem::path& path, std::vector<LineError>& errors) {
  QuestionStatsCounter counter;
  CXRVQA_RETURN_IF_ERROR(
      for_each_question(path, [&](const QuestionRef& question) { counter.Add(question); }, errors));
  return std::move(counter).Finish();
}

Json question_stats_counts(const QuestionStats& stats) {
  return Json{{"questions", stats.total}, {"images", stats.images}, {"patients", stats.patients},
              {"yes", stats.yes}, {"no", stats.no}};
}

Json question_stats_to_json(const QuestionStats& stats) {
  Json json;
  json["total"] = stats.total;
  json["open"] = stats.open;
  json["closed"] = stats.closed;
  json["yes"] = stats.yes;
  json["no"] = stats.no;
  json["answer_vocabulary"] = stats.answer_vocabulary;
  json["patients"] = stats.patients;
  json["images"] = stats.images;
  Json types = Json::object();
  for (size_t i = 0; i < kQuestionTypeCount; ++i) {
    auto type = static_cast<QuestionType>(i);
    const TypeStats& t = stats.per_type[i];
    Json entry = {{"count", t.count},   {"share", share(t.count, stats.total) / 100.0},
                  {"closed", t.closed}, {"yes", t.yes},
                  {"no", t.no},         {"answer_vocabulary", t.answer_vocabulary}};
    if (auto released = released_count(type)) {
      entry["released"] = *released;
      entry["released_share"] = share(*released, kReleasedTotal) / 100.0;
    } else {
      entry["released"] = nullptr;
    }
    types[std::string(question_type_name(type))] = std::move(entry);
  }
  json["per_type"] = std::move(types);
  json["released_total"] = kReleasedTotal;
  Json splits = Json::object();
  for (const auto& [split, s] : stats.per_split) {
    splits[split_label(split)] = {{"questions", s.questions}, {"images", s.images}, {"patients", s.patients}};
  }
  json["per_split"] = std::move(splits);
  return json;
}

std::string StatsSummary::ToString() const { return format_question_stats(stats); }

Json StatsSummary::ToJson() const { return question_stats_to_json(stats); }

Result<StatsSummary> RunStats(const StatsOptions& options) {
  StatsSummary summary;
  CXRVQA_ASSIGN_OR_RETURN(summary.stats, read_question_stats(options.questions, summary.malformed));
  return summary;
}

}  // namespace cxrvqa
