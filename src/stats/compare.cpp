#include "stats/compare.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <iterator>

namespace cxrvqa {

namespace {

constexpr size_t kUnrecognizedExamples = 5;

double percent(size_t part, size_t whole) {
  return whole == 0 ? 0.0 : 100.0 * static_cast<double>(part) / static_cast<double>(whole);
}

// Share of `profile`'s questions whose answer occurs in `other` (percent).
double coverage(const QuestionSetProfile& profile, const QuestionSetProfile& other) {
  size_t covered = 0;
  for (const auto& [answer, count] : profile.answers) {
    if (other.answers.find(answer) != other.answers.end()) covered += count;
  }
  return percent(covered, profile.total);
}

template <typename... Args>
void append_line(std::string& out, fmt::format_string<Args...> format, Args&&... args) {
  fmt::format_to(std::back_inserter(out), format, std::forward<Args>(args)...);
  out += '\n';
}

std::string joined_or_none(const std::vector<std::string>& names) {
  if (names.empty()) return "none";
  std::string out;
  for (const std::string& name : names) out += (out.empty() ? "" : " | ") + name;
  return out;
}

}  // namespace

void QuestionSetProfile::Add(const QuestionRef& q) {
  size_t type = static_cast<size_t>(q.type);
  ++total;
  ++per_type[type];
  yes[type] += q.answer == "yes";
  no[type] += q.answer == "no";
  std::string_view shape = question_template(q.question);
  if (shape.empty()) {
    ++unrecognized;
    if (unrecognized_examples.size() < kUnrecognizedExamples) unrecognized_examples.emplace_back(q.question);
  } else if (auto it = templates.find(shape); it != templates.end()) {
    ++it->second;
  } else {
    templates.emplace(std::string(shape), 1);
  }
  if (auto it = answers.find(q.answer); it != answers.end()) {
    ++it->second;
  } else {
    answers.emplace(std::string(q.answer), 1);
  }
}

Result<QuestionSetProfile> profile_question_file(const std::filesystem::path& path,
                                                 std::vector<LineError>& errors) {
  QuestionSetProfile profile;
  profile.name = path.filename().string();
  CXRVQA_RETURN_IF_ERROR(for_each_question(path, [&](const QuestionRef& q) { profile.Add(q); }, errors));
  return profile;
}

QuestionComparison compare_question_sets(const QuestionSetProfile& a, const QuestionSetProfile& b) {
  QuestionComparison c;
  c.name = a.name;
  c.reference_name = b.name;
  c.total = a.total;
  c.reference_total = b.total;
  for (size_t t = 0; t < kQuestionTypeCount; ++t) {
    if (a.per_type[t] == 0 && b.per_type[t] == 0) continue;
    c.types.push_back({static_cast<QuestionType>(t), percent(a.per_type[t], a.total),
                       percent(b.per_type[t], b.total), percent(a.yes[t], a.per_type[t]),
                       percent(b.yes[t], b.per_type[t]), percent(a.no[t], a.per_type[t]),
                       percent(b.no[t], b.per_type[t])});
  }
  std::map<std::string, TemplateUse, std::less<>> uses;
  for (const auto& [name, count] : a.templates) uses[name].count = count;
  for (const auto& [name, count] : b.templates) uses[name].reference_count = count;
  for (auto& [name, use] : uses) {
    use.name = name;
    c.templates.push_back(use);
  }
  c.unrecognized = a.unrecognized;
  c.reference_unrecognized = b.unrecognized;
  c.answers = a.answers.size();
  c.reference_answers = b.answers.size();
  for (const auto& [answer, count] : a.answers) c.common_answers += b.answers.count(answer);
  c.answer_coverage = coverage(a, b);
  c.reference_answer_coverage = coverage(b, a);
  return c;
}

double QuestionComparison::max_share_gap() const {
  double gap = 0;
  for (const TypeComparison& t : types) gap = std::max(gap, std::abs(t.share - t.reference_share));
  return gap;
}

double QuestionComparison::max_yes_no_gap(const std::vector<QuestionType>& which) const {
  double gap = 0;
  for (const TypeComparison& t : types) {
    if (!which.empty() && std::find(which.begin(), which.end(), t.type) == which.end()) continue;
    gap = std::max({gap, std::abs(t.yes_share - t.reference_yes_share), std::abs(t.no_share - t.reference_no_share)});
  }
  return gap;
}

std::vector<std::string> QuestionComparison::templates_only_in_questions() const {
  std::vector<std::string> names;
  for (const TemplateUse& use : templates) {
    if (use.reference_count == 0) names.push_back(use.name);
  }
  return names;
}

std::vector<std::string> QuestionComparison::templates_only_in_reference() const {
  std::vector<std::string> names;
  for (const TemplateUse& use : templates) {
    if (use.count == 0) names.push_back(use.name);
  }
  return names;
}

double QuestionComparison::answer_jaccard() const {
  size_t either = answers + reference_answers - common_answers;
  return either == 0 ? 1.0 : static_cast<double>(common_answers) / static_cast<double>(either);
}

std::string QuestionComparison::ToString() const {
  std::string out;
  append_line(out, "questions: {} ({})   reference: {} ({})", name, total, reference_name, reference_total);
  out += '\n';
  append_line(out, "{:<12} {:>8} {:>8} {:>7}   {:>7} {:>7} {:>7}   {:>7} {:>7} {:>7}", "type", "share", "ref",
              "gap", "yes", "ref", "gap", "no", "ref", "gap");
  for (const TypeComparison& t : types) {
    append_line(out, "{:<12} {:>7.2f}% {:>7.2f}% {:>+7.2f}   {:>6.2f}% {:>6.2f}% {:>+7.2f}   {:>6.2f}% {:>6.2f}% {:>+7.2f}",
                question_type_name(t.type), t.share, t.reference_share, t.share - t.reference_share, t.yes_share,
                t.reference_yes_share, t.yes_share - t.reference_yes_share, t.no_share, t.reference_no_share,
                t.no_share - t.reference_no_share);
  }
  append_line(out, "largest type-share gap {:.2f} points; largest yes/no gap {:.2f} points", max_share_gap(),
              max_yes_no_gap({}));
  out += '\n';
  append_line(out, "{:<56} {:>9} {:>9}", "template", "count", "ref");
  for (const TemplateUse& use : templates) append_line(out, "{:<56} {:>9} {:>9}", use.name, use.count, use.reference_count);
  append_line(out, "{:<56} {:>9} {:>9}", "(no template)", unrecognized, reference_unrecognized);
  append_line(out, "templates only in questions: {}", joined_or_none(templates_only_in_questions()));
  append_line(out, "templates only in reference: {}", joined_or_none(templates_only_in_reference()));
  out += '\n';
  append_line(out, "answers: {} distinct, reference {} distinct, {} in both (Jaccard {:.3f})", answers,
              reference_answers, common_answers, answer_jaccard());
  append_line(out, "questions whose answer the reference also gives: {:.2f}%; reference questions whose answer "
              "the questions also give: {:.2f}%", answer_coverage, reference_answer_coverage);
  return out;
}

Json QuestionComparison::ToJson() const {
  Json json = {{"questions", {{"name", name}, {"total", total}, {"unrecognized", unrecognized}}},
               {"reference", {{"name", reference_name}, {"total", reference_total},
                              {"unrecognized", reference_unrecognized}}}};
  Json type_list = Json::object();
  for (const TypeComparison& t : types) {
    type_list[std::string(question_type_name(t.type))] = {
        {"share", t.share},         {"reference_share", t.reference_share},
        {"yes_share", t.yes_share}, {"reference_yes_share", t.reference_yes_share},
        {"no_share", t.no_share},   {"reference_no_share", t.reference_no_share}};
  }
  json["types"] = std::move(type_list);
  Json template_list = Json::object();
  for (const TemplateUse& use : templates) {
    template_list[use.name] = {{"count", use.count}, {"reference_count", use.reference_count}};
  }
  json["templates"] = std::move(template_list);
  json["answers"] = {{"distinct", answers},
                     {"reference_distinct", reference_answers},
                     {"common", common_answers},
                     {"jaccard", answer_jaccard()},
                     {"coverage", answer_coverage},
                     {"reference_coverage", reference_answer_coverage}};
  json["max_share_gap"] = max_share_gap();
  json["max_yes_no_gap"] = max_yes_no_gap({});
  return json;
}

Result<QuestionComparison> RunCompare(const CompareOptions& options) {
  auto profile = [&options](const std::filesystem::path& path) {
    std::vector<LineError> malformed;
    auto read = profile_question_file(path, malformed);
    if (options.on_read) options.on_read(path, malformed);
    return read;
  };
  CXRVQA_ASSIGN_OR_RETURN(auto questions, profile(options.questions));
  CXRVQA_ASSIGN_OR_RETURN(auto reference, profile(options.reference));
  return compare_question_sets(questions, reference);
}

}  // namespace cxrvqa
