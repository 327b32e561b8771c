// Question types, vocabulary, study preparation (metadata join, reference pairing) and the
// parallel driver.
#include "questions/questions.h"

#include <algorithm>
#include <iterator>
#include <mutex>
#include <unordered_map>

#include "common/parallel.h"

namespace cxrvqa {

namespace {
constexpr std::string_view kTypeNames[kQuestionTypeCount] = {
    "abnormality", "presence", "view", "location", "level", "type", "difference"};
}  // namespace

std::string_view question_type_name(QuestionType type) {
  return kTypeNames[static_cast<size_t>(type)];
}

std::optional<QuestionType> parse_question_type(std::string_view name) {
  for (size_t i = 0; i < kQuestionTypeCount; ++i) {
    if (kTypeNames[i] == name) return static_cast<QuestionType>(i);
  }
  return std::nullopt;
}

QuestionVocabulary QuestionVocabulary::FromLibraries(const Libraries& libraries, size_t min_count) {
  QuestionVocabulary vocabulary;
  vocabulary.findings = libraries.frequent(LibraryKind::kEntity, min_count);
  vocabulary.finding_set.insert(vocabulary.findings.begin(), vocabulary.findings.end());
  auto fill = [&](LibraryKind kind, WordSet& set) {
    for (std::string& word : libraries.frequent(kind, min_count)) set.insert(std::move(word));
  };
  fill(LibraryKind::kLocation, vocabulary.locations);
  fill(LibraryKind::kLevel, vocabulary.levels);
  fill(LibraryKind::kType, vocabulary.types);
  return vocabulary;
}

namespace {

void apply_metadata(const StudyRecord& row, StudyMeta& meta) {
  if (!row.subject_id.empty()) meta.subject_id = row.subject_id;
  meta.dicom_id = row.dicom_id;
  meta.view = row.view;
  meta.split = row.split;
  meta.study_order = row.study_order;
}

// Sets each study's reference: the latest study of the same subject and split with a
// strictly smaller, known study_order.
void pair_references(std::vector<QuestionStudy>& studies, QuestionSummary* summary) {
  std::unordered_map<std::string, std::vector<size_t>> by_patient;
  for (size_t i = 0; i < studies.size(); ++i) {
    const StudyMeta& meta = studies[i].meta;
    if (meta.subject_id.empty() || meta.study_order <= 0) continue;
    by_patient[meta.subject_id + '\x1f' + meta.split].push_back(i);
  }
  for (auto& [key, members] : by_patient) {
    std::sort(members.begin(), members.end(), [&](size_t a, size_t b) {
      int order_a = studies[a].meta.study_order, order_b = studies[b].meta.study_order;
      return order_a != order_b ? order_a < order_b : a < b;
    });
    size_t run_start = 0;  // first member with the current study_order
    for (size_t k = 1; k < members.size(); ++k) {
      if (studies[members[k]].meta.study_order != studies[members[k - 1]].meta.study_order) {
        run_start = k;
      }
      if (run_start == 0) continue;  // nothing strictly earlier
      // The latest earlier study: the last of the previous run (highest index among ties).
      const QuestionStudy& reference = studies[members[run_start - 1]];
      QuestionStudy& study = studies[members[k]];
      study.reference = reference.record;
      study.reference_id = reference.meta.study_id;
      if (summary) ++summary->difference_pairs;
    }
  }
}

}  // namespace

std::vector<QuestionStudy> prepare_question_studies(const std::vector<KeyInfo>& records,
                                                    const std::vector<StudyRecord>& metadata,
                                                    QuestionSummary* summary) {
  QuestionSummary local;
  QuestionSummary& counts = summary ? *summary : local;
  std::unordered_map<std::string_view, const StudyRecord*> by_study;
  by_study.reserve(metadata.size());
  for (const StudyRecord& row : metadata) by_study.emplace(row.study_id, &row);

  std::unordered_set<std::string_view> seen;
  seen.reserve(records.size());
  std::vector<QuestionStudy> studies;
  studies.reserve(records.size());
  counts.records += records.size();
  for (const KeyInfo& record : records) {
    if (!seen.insert(record.meta.study_id).second) {
      ++counts.duplicate_records;
      continue;
    }
    QuestionStudy study;
    study.record = &record;
    study.meta = record.meta;
    if (auto row = by_study.find(record.meta.study_id); row != by_study.end()) {
      apply_metadata(*row->second, study.meta);
    } else if (!metadata.empty()) {
      ++counts.without_metadata;
    }
    ViewKind kind = view_kind(study.meta.view);
    if (!is_frontal(kind)) {
      ++counts.not_frontal;
      continue;
    }
    study.pa = kind == ViewKind::kPA;
    studies.push_back(std::move(study));
  }
  counts.frontal += studies.size();
  pair_references(studies, &counts);
  return studies;
}

namespace {

double resolve_ap_keep_rate(const std::vector<QuestionStudy>& studies, const QuestionOptions& options) {
  if (options.ap_keep_rate) return std::clamp(*options.ap_keep_rate, 0.0, 1.0);
  size_t pa = std::count_if(studies.begin(), studies.end(), [](const QuestionStudy& s) { return s.pa; });
  size_t ap = studies.size() - pa;
  if (ap == 0 || pa >= ap) return 1.0;
  return static_cast<double>(pa) / static_cast<double>(ap);
}

}  // namespace

std::vector<Question> generate_questions(const std::vector<QuestionStudy>& studies,
                                         const QuestionVocabulary& vocabulary,
                                         const QuestionOptions& options, QuestionSummary* summary) {
  double ap_keep_rate = resolve_ap_keep_rate(studies, options);
  // Each chunk's questions, keyed by its first study; concatenated in study order below.
  std::vector<std::pair<size_t, std::vector<Question>>> chunks;
  std::mutex mutex;
  parallel_chunks(studies.size(), options.threads, [&](size_t begin, size_t end) {
    std::vector<Question> questions;
    questions.reserve((end - begin) * 8);
    generate_range_questions(studies, begin, end, vocabulary, options, ap_keep_rate, questions);
    std::lock_guard<std::mutex> lock(mutex);
    chunks.emplace_back(begin, std::move(questions));
  }, 256);
  std::sort(chunks.begin(), chunks.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<Question> all;
  if (chunks.size() == 1) {
    all = std::move(chunks.front().second);
  } else {
    size_t total = 0;
    for (const auto& chunk : chunks) total += chunk.second.size();
    all.reserve(total);
    for (auto& chunk : chunks) std::move(chunk.second.begin(), chunk.second.end(), std::back_inserter(all));
  }
  if (summary) {
    for (const Question& question : all) ++summary->per_type[static_cast<size_t>(question.type)];
  }
  if (summary) summary->ap_keep_rate = ap_keep_rate;
  return all;
}

}  // namespace cxrvqa
