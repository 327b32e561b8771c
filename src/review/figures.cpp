// `cxrvqa review report`: accuracy with Wilson intervals, per-finding errors, agreement
// between reviewers, and the exports of the corrections.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <set>
#include <unordered_map>

#include "lexicon/lexicon.h"
#include "questions/questions.h"
#include "review/corrections.h"
#include "review/review.h"
#include "review/review_db.h"

namespace cxrvqa {

using review_internal::ReviewDb;
using review_internal::StoredItem;
using review_internal::Verdict;

namespace {

constexpr double kZ95 = 1.959963984540054;  // the 97.5th percentile of the standard normal

void count_verdict(AccuracyRow& row, std::string_view verdict) {
  if (verdict == "correct") ++row.correct;
  if (verdict == "wrong") ++row.wrong;
  if (verdict == "unsure") ++row.unsure;
}

void finish_row(AccuracyRow& row) { row.accuracy = wilson_interval(row.correct, row.correct + row.wrong); }

std::vector<FindingErrors> finding_errors(const std::vector<Verdict>& verdicts,
                                          const std::unordered_map<int64_t, const StoredItem*>& items) {
  std::map<std::string, FindingErrors> by_name;
  for (const Verdict& verdict : verdicts) {
    const StoredItem* item = items.at(verdict.item_id);
    Json findings = Json::parse(item->findings, nullptr, false);
    if (!findings.is_array()) continue;
    for (const Json& name : findings) {
      if (!name.is_string()) continue;
      FindingErrors& row = by_name[name.get<std::string>()];
      row.finding = name.get<std::string>();
      ++row.judged;
      row.wrong += verdict.verdict == "wrong";
      row.unsure += verdict.verdict == "unsure";
    }
  }
  std::vector<FindingErrors> rows;
  for (auto& [name, row] : by_name) rows.push_back(std::move(row));
  std::stable_sort(rows.begin(), rows.end(), [](const FindingErrors& a, const FindingErrors& b) {
    return a.wrong != b.wrong ? a.wrong > b.wrong : a.judged > b.judged;
  });
  return rows;
}

std::vector<ReviewerAgreement> agreement(const std::vector<Verdict>& verdicts) {
  std::map<std::string, std::map<int64_t, int>> by_reviewer;
  for (const Verdict& v : verdicts) by_reviewer[v.reviewer][v.item_id] = review_internal::verdict_index(v.verdict);
  std::vector<ReviewerAgreement> pairs;
  for (auto a = by_reviewer.begin(); a != by_reviewer.end(); ++a) {
    for (auto b = std::next(a); b != by_reviewer.end(); ++b) {
      std::vector<int> first, second;
      for (const auto& [item, label] : a->second) {
        auto other = b->second.find(item);
        if (other == b->second.end()) continue;
        first.push_back(label);
        second.push_back(other->second);
      }
      if (first.empty()) continue;
      ReviewerAgreement pair{a->first, b->first, first.size(), 0, 0, 0};
      for (size_t i = 0; i < first.size(); ++i) pair.agreeing += first[i] == second[i];
      pair.raw_agreement = static_cast<double>(pair.agreeing) / static_cast<double>(pair.shared);
      pair.kappa = cohens_kappa(first, second, static_cast<int>(std::size(review_internal::kVerdictNames)));
      pairs.push_back(pair);
    }
  }
  return pairs;
}

Json proportion_json(const Proportion& p) {
  return Json{{"successes", p.successes}, {"trials", p.trials}, {"value", p.value}, {"ci95_low", p.low},
              {"ci95_high", p.high}};
}

Json row_json(const AccuracyRow& row) {
  return Json{{"correct", row.correct}, {"wrong", row.wrong}, {"unsure", row.unsure},
              {"accuracy", proportion_json(row.accuracy)}};
}

Json export_json(const std::optional<ExportCounts>& counts) {
  if (!counts) return Json();
  return Json{{"path", counts->path.string()}, {"records", counts->records}, {"corrected", counts->corrected},
              {"not_applied", counts->not_applied}};
}

std::string row_text(const AccuracyRow& row) {
  std::string accuracy = row.accuracy.trials == 0
                             ? std::string("-")
                             : fmt::format("{:.3f}  [{:.3f}, {:.3f}]", row.accuracy.value, row.accuracy.low,
                                           row.accuracy.high);
  return fmt::format("  {:<13} {:>7} {:>6} {:>7}  {}\n", row.name, row.correct, row.wrong, row.unsure, accuracy);
}

}  // namespace

Proportion wilson_interval(size_t successes, size_t trials) {
  Proportion p{successes, trials, 0, 0, 1};
  if (trials == 0) return p;
  double n = static_cast<double>(trials);
  double phat = static_cast<double>(successes) / n;
  double z2 = kZ95 * kZ95;
  double denominator = 1 + z2 / n;
  double center = (phat + z2 / (2 * n)) / denominator;
  double half = kZ95 * std::sqrt(phat * (1 - phat) / n + z2 / (4 * n * n)) / denominator;
  p.value = phat;
  p.low = std::max(0.0, center - half);
  p.high = std::min(1.0, center + half);
  return p;
}

double cohens_kappa(const std::vector<int>& first, const std::vector<int>& second, int categories) {
  size_t n = std::min(first.size(), second.size());
  if (n == 0) return 0;
  std::vector<double> first_share(categories, 0), second_share(categories, 0);
  double observed = 0;
  for (size_t i = 0; i < n; ++i) {
    observed += first[i] == second[i];
    first_share[first[i]] += 1;
    second_share[second[i]] += 1;
  }
  observed /= static_cast<double>(n);
  double expected = 0;
  for (int c = 0; c < categories; ++c) expected += first_share[c] * second_share[c] / (static_cast<double>(n) * n);
  if (expected >= 1) return 1;
  return (observed - expected) / (1 - expected);
}

Result<ReviewFigures> RunReviewReport(const ReviewReportOptions& options) {
  CXRVQA_ASSIGN_OR_RETURN(auto db, ReviewDb::Open(options.db));
  CXRVQA_ASSIGN_OR_RETURN(auto items, db->Items(std::nullopt));
  CXRVQA_ASSIGN_OR_RETURN(auto verdicts, db->Verdicts(options.reviewer, std::nullopt));
  CXRVQA_ASSIGN_OR_RETURN(auto studies, db->StudyCount());

  ReviewFigures figures;
  figures.db = options.db;
  figures.studies = studies;
  figures.items = items.size();
  std::unordered_map<int64_t, const StoredItem*> item_by_id;
  for (const StoredItem& item : items) item_by_id[item.item_id] = &item;
  std::vector<AccuracyRow> per_type(kQuestionTypeCount);
  for (size_t t = 0; t < kQuestionTypeCount; ++t) per_type[t].name = question_type_name(static_cast<QuestionType>(t));
  figures.overall.name = "overall";
  for (const Verdict& verdict : verdicts) {
    ++figures.verdicts_per_reviewer[verdict.reviewer];
    auto type = parse_question_type(item_by_id.at(verdict.item_id)->question_type);
    if (type) count_verdict(per_type[static_cast<size_t>(*type)], verdict.verdict);
    count_verdict(figures.overall, verdict.verdict);
  }
  std::vector<size_t> items_per_type(kQuestionTypeCount, 0);
  for (const StoredItem& item : items) {
    if (auto type = parse_question_type(item.question_type)) ++items_per_type[static_cast<size_t>(*type)];
  }
  for (size_t t = 0; t < kQuestionTypeCount; ++t) {
    if (items_per_type[t] == 0) continue;
    finish_row(per_type[t]);
    figures.per_type.push_back(per_type[t]);
  }
  finish_row(figures.overall);
  figures.per_finding = finding_errors(verdicts, item_by_id);
  figures.agreement = agreement(verdicts);

  auto chosen = review_internal::latest_verdicts(verdicts);
  if (options.gold_out) {
    CXRVQA_ASSIGN_OR_RETURN(auto lexicon, Lexicon::Load(options.lexicon_dir));
    CXRVQA_ASSIGN_OR_RETURN(auto gold, review_internal::export_gold(*options.gold_out, *db, *lexicon, items, chosen));
    figures.gold = gold;
  }
  if (options.questions_out) {
    CXRVQA_ASSIGN_OR_RETURN(auto questions, review_internal::export_questions(*options.questions_out, items, chosen));
    figures.questions = questions;
  }
  return figures;
}

std::string ReviewFigures::ToString() const {
  std::string reviewers;
  for (const auto& [name, count] : verdicts_per_reviewer) {
    reviewers += fmt::format("{}{} ({} verdicts)", reviewers.empty() ? "" : ", ", name, count);
  }
  std::string text = fmt::format("review report: {} ({} studies, {} question-answer pairs)\n", db.string(),
                                 studies, items);
  text += fmt::format("reviewers: {}\n\n", reviewers.empty() ? "none yet" : reviewers);
  text += "accuracy = correct / (correct + wrong), unsure left out; 95 % Wilson interval\n";
  text += "  type          correct  wrong  unsure  accuracy  95 % CI\n";
  for (const AccuracyRow& row : per_type) text += row_text(row);
  text += row_text(overall);
  if (!per_finding.empty()) {
    text += "\nper finding (verdicts on pairs naming it)\n  finding                         judged  wrong  unsure\n";
    for (const FindingErrors& row : per_finding) {
      text += fmt::format("  {:<31} {:>6} {:>6} {:>7}\n", row.finding, row.judged, row.wrong, row.unsure);
    }
  }
  text += "\nagreement between reviewers (items both judged; correct / wrong / unsure)\n";
  if (agreement.empty()) text += "  no item judged by two reviewers\n";
  for (const ReviewerAgreement& pair : agreement) {
    text += fmt::format("  {} vs {}: {} shared items, raw agreement {:.3f}, Cohen's kappa {:.3f}\n", pair.first,
                        pair.second, pair.shared, pair.raw_agreement, pair.kappa);
  }
  if (gold) {
    text += fmt::format("\nKeyInfo gold: {} studies -> {} ({} corrections applied, {} without KeyInfo meaning)\n",
                        gold->records, gold->path.string(), gold->corrected, gold->not_applied);
  }
  if (questions) {
    text += fmt::format("corrected questions: {} pairs -> {} ({} corrected; {} left out: unsure, or wrong "
                        "without a right answer)\n",
                        questions->records, questions->path.string(), questions->corrected, questions->not_applied);
  }
  return text;
}

Json ReviewFigures::ToJson() const {
  Json per_type_json = Json::object();
  for (const AccuracyRow& row : per_type) per_type_json[row.name] = row_json(row);
  Json findings = Json::array();
  for (const FindingErrors& row : per_finding) {
    findings.push_back({{"finding", row.finding}, {"judged", row.judged}, {"wrong", row.wrong}, {"unsure", row.unsure}});
  }
  Json pairs = Json::array();
  for (const ReviewerAgreement& pair : agreement) {
    pairs.push_back({{"first", pair.first}, {"second", pair.second}, {"shared", pair.shared},
                     {"agreeing", pair.agreeing}, {"raw_agreement", pair.raw_agreement}, {"kappa", pair.kappa}});
  }
  return Json{{"db", db.string()},
              {"studies", studies},
              {"items", items},
              {"verdicts_per_reviewer", verdicts_per_reviewer},
              {"per_type", per_type_json},
              {"overall", row_json(overall)},
              {"per_finding", findings},
              {"agreement", pairs},
              {"gold", export_json(gold)},
              {"questions", export_json(questions)}};
}

}  // namespace cxrvqa
