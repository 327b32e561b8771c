// Question types, vocabulary, study preparation (metadata join, reference pairing) and the
// parallel driver.
#include "questions/questions.h"

#include <algorithm>
#include <iterator>
#include <mutex>
#include <cstdint>
#include <unordered_map>

#include "common/hash.h"
#include "common/file_io.h"
#include "common/ordered_writer.h"
#include "common/position_index.h"
#include "common/parallel.h"
#include "common/rng.h"
#include "common/text.h"
#include "questions/release.h"

namespace cxrvqa {

namespace {
constexpr std::string_view kTypeNames[kQuestionTypeCount] = {
    "abnormality", "presence", "view", "location", "level", "type", "difference"};
constexpr std::string_view kPresetNames[] = {"cxrvqa", "medical-cxr-vqa", "medical-diff-vqa"};
}  // namespace

std::string_view question_preset_name(QuestionPreset preset) {
  return kPresetNames[static_cast<size_t>(preset)];
}

Result<QuestionPreset> parse_question_preset(std::string_view name) {
  std::string lower = to_lower(trim(name));
  for (size_t i = 0; i < std::size(kPresetNames); ++i) {
    if (kPresetNames[i] == lower) return static_cast<QuestionPreset>(i);
  }
  return Status::InvalidArgument("unknown preset '" + std::string(name) +
                                 "' (cxrvqa, medical-cxr-vqa or medical-diff-vqa)");
}

QuestionLayout question_layout(QuestionPreset preset) {
  // The columns of the released file, in its order; the rest follow in kQuestionColumns order.
  static constexpr std::string_view kDiffVqaReleased[] = {"study_id", "subject_id", "ref_id",
                                                          "question_type", "question", "answer"};
  QuestionLayout layout{};
  size_t next = 0;
  std::array<bool, kQuestionColumnCount> placed{};
  auto place = [&](size_t column) {
    layout[next++] = static_cast<uint8_t>(column);
    placed[column] = true;
  };
  if (preset == QuestionPreset::kMedicalDiffVqa) {
    for (std::string_view name : kDiffVqaReleased) {
      for (size_t c = 0; c < kQuestionColumnCount; ++c) {
        if (kQuestionColumns[c] == name) place(c);
      }
    }
  }
  for (size_t c = 0; c < kQuestionColumnCount; ++c) {
    if (!placed[c]) place(c);
  }
  return layout;
}

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
  auto fill = [&](LibraryKind kind, StringSet& set) {
    for (std::string& word : libraries.frequent(kind, min_count)) set.insert(std::move(word));
  };
  fill(LibraryKind::kLocation, vocabulary.locations);
  fill(LibraryKind::kLevel, vocabulary.levels);
  fill(LibraryKind::kType, vocabulary.types);
  return vocabulary;
}

Result<QuestionVocabulary> QuestionVocabulary::ForPreset(const Libraries& libraries, size_t min_count,
                                                         QuestionPreset preset) {
  QuestionVocabulary vocabulary = FromLibraries(libraries, min_count);
  if (preset == QuestionPreset::kCxrvqa) return vocabulary;
  CXRVQA_ASSIGN_OR_RETURN(auto tables, questions_internal::ReleaseTables::Build(libraries, min_count, preset));
  vocabulary.release = std::move(tables);
  return vocabulary;
}

QuestionRef question_ref(const Question& q) {
  return {q.study_id, q.subject_id, q.type, q.question, q.answer, q.dicom_id, q.split, q.ref_id, q.question_id};
}

Question to_question(const QuestionRef& q) {
  Question question{std::string(q.study_id), std::string(q.subject_id), q.type,
                    std::string(q.question), std::string(q.answer),     std::string(q.dicom_id),
                    std::string(q.split),    std::string(q.ref_id)};
  append_question_id(question.question_id, q);
  return question;
}

namespace {

// Sets each study's reference: the latest study of the same subject and split with a
// strictly smaller, known study_order.
void pair_references(std::vector<QuestionStudy>& studies, QuestionSummary& summary) {
  // The studies with a subject and an order, each with its subject and its split numbered
  // (by the first such study that has them); sorted by (subject, split, order, index), each
  // (subject, split) group's studies come together and in order, with integer comparisons
  // only. Numbers and indexes fit in 32 bits: 2^32 studies would take over 1.8 TB of records.
  struct Known {
    uint32_t subject = 0;
    uint32_t split = 0;
    int order;
    uint32_t index;
    auto operator<=>(const Known&) const = default;
  };
  std::vector<Known> known;
  for (size_t i = 0; i < studies.size(); ++i) {
    if (!studies[i].subject_id.empty() && studies[i].study_order > 0) {
      known.push_back({.order = studies[i].study_order, .index = static_cast<uint32_t>(i)});
    }
  }
  auto subject_at = [&](size_t k) -> std::string_view { return studies[known[k].index].subject_id; };
  auto split_at = [&](size_t k) -> std::string_view { return studies[known[k].index].split; };
  PositionIndex<decltype(subject_at)> subjects(subject_at, known.size());
  PositionIndex<decltype(split_at)> splits(split_at);
  for (size_t k = 0; k < known.size(); ++k) {
    known[k].subject = static_cast<uint32_t>(subjects.FindOrInsert(subject_at(k), k));
    known[k].split = static_cast<uint32_t>(splits.FindOrInsert(split_at(k), k));
  }
  std::sort(known.begin(), known.end());
  // Walking each group in order: `reference` is the last study of the previous order run.
  constexpr size_t kNone = SIZE_MAX;
  size_t reference = kNone;
  for (size_t k = 0; k < known.size(); ++k) {
    size_t i = known[k].index;
    if (k == 0 || known[k - 1].subject != known[k].subject || known[k - 1].split != known[k].split) {
      reference = kNone;
    } else if (known[k - 1].order != known[k].order) {
      reference = known[k - 1].index;
    }
    if (reference == kNone) continue;
    studies[i].reference = studies[reference].record;
    studies[i].reference_id = studies[reference].study_id;
    ++summary.difference_pairs;
  }
}

// Medical-Diff-VQA's rule: the reference is drawn uniformly among the other frontal studies
// of the same subject (any split) with a strictly smaller study_order; a study with none
// gets no questions at all. The draw comes from the study id and the seed alone.
void draw_earlier_references(std::vector<QuestionStudy>& studies, uint64_t seed, QuestionSummary& summary) {
  std::unordered_map<std::string_view, std::vector<size_t>> by_subject;
  for (size_t i = 0; i < studies.size(); ++i) {
    if (!studies[i].subject_id.empty() && studies[i].study_order > 0) by_subject[studies[i].subject_id].push_back(i);
  }
  std::vector<size_t> earlier;
  for (QuestionStudy& study : studies) {
    earlier.clear();
    if (auto group = by_subject.find(study.subject_id); group != by_subject.end() && study.study_order > 0) {
      for (size_t other : group->second) {
        if (studies[other].study_order < study.study_order) earlier.push_back(other);
      }
    }
    if (earlier.empty()) {
      ++summary.without_reference;
      continue;
    }
    SplitMix64 rng(stable_hash64(study.study_id, seed ^ 0x7265666572656e63ULL));  // "referenc"
    const QuestionStudy& reference = studies[earlier[rng.Below(earlier.size())]];
    study.reference = reference.record;
    study.reference_id = reference.study_id;
    ++summary.difference_pairs;
  }
}

}  // namespace

std::vector<QuestionStudy> prepare_question_studies(const std::vector<KeyInfo>& records,
                                                    const std::vector<StudyRecord>& metadata,
                                                    QuestionSummary* summary,
                                                    const QuestionOptions& options) {
  QuestionSummary local;
  QuestionSummary& counts = summary ? *summary : local;
  // Each study id filed once: positions below metadata.size() are metadata rows (the first
  // row of a study wins), the others records whose study has no row (at metadata.size() plus
  // their index); `taken` marks the positions whose study a record has taken.
  auto study_id_at = [&](size_t position) -> std::string_view {
    return position < metadata.size() ? std::string_view(metadata[position].study_id)
                                      : std::string_view(records[position - metadata.size()].meta.study_id);
  };
  PositionIndex<decltype(study_id_at)> by_study(study_id_at, std::max(metadata.size(), records.size()));
  std::vector<bool> first_row(metadata.size(), false);  // the row its study is filed under
  for (size_t row = 0; row < metadata.size(); ++row) {
    first_row[row] = by_study.FindOrInsert(metadata[row].study_id, row) == row;
  }
  std::vector<bool> taken(metadata.size() + records.size(), false);

  std::vector<QuestionStudy> studies;
  studies.reserve(records.size());
  counts.records += records.size();
  for (size_t r = 0; r < records.size(); ++r) {
    const KeyInfo& record = records[r];
    const StudyMeta& own = record.meta;
    // Records mostly come in the metadata's order (the pipeline extracts in that order): when
    // row r is the first row of record r's study, it is where the index would lead.
    bool row_in_step = r < metadata.size() && first_row[r] && metadata[r].study_id == own.study_id;
    size_t position = row_in_step ? r : by_study.FindOrInsert(own.study_id, metadata.size() + r);
    if (taken[position]) {
      ++counts.duplicate_records;
      continue;
    }
    taken[position] = true;
    const StudyRecord* row = position < metadata.size() ? &metadata[position] : nullptr;
    QuestionStudy study;
    study.record = &record;
    study.study_id = own.study_id;
    study.subject_id = own.subject_id;
    study.dicom_id = own.dicom_id;
    study.split = own.split;
    study.study_order = own.study_order;
    std::string_view view = own.view;
    if (row != nullptr) {
      const StudyRecord& meta = *row;  // the metadata wins, except an empty subject
      if (!meta.subject_id.empty()) study.subject_id = meta.subject_id;
      study.dicom_id = meta.dicom_id;
      study.split = meta.split;
      study.study_order = meta.study_order;
      view = meta.view;
    } else if (!metadata.empty()) {
      ++counts.without_metadata;
      if (options.preset != QuestionPreset::kCxrvqa) continue;  // the originals skip such a study
    }
    ViewKind kind = view_kind(view);
    if (!is_frontal(kind)) {
      ++counts.not_frontal;
      continue;
    }
    study.pa = kind == ViewKind::kPA;
    studies.push_back(study);
  }
  counts.frontal += studies.size();
  switch (options.preset) {
    case QuestionPreset::kCxrvqa: pair_references(studies, counts); break;
    case QuestionPreset::kMedicalDiffVqa: draw_earlier_references(studies, options.seed, counts); break;
    case QuestionPreset::kMedicalCxrVqa: break;
  }
  return studies;
}

namespace {

double resolve_ap_keep_rate(const std::vector<QuestionStudy>& studies, const QuestionOptions& options) {
  if (options.ap_keep_rate) return std::clamp(*options.ap_keep_rate, 0.0, 1.0);
  if (options.preset != QuestionPreset::kCxrvqa) return questions_internal::kReleaseApKeepRate;
  size_t pa = std::count_if(studies.begin(), studies.end(), [](const QuestionStudy& s) { return s.pa; });
  size_t ap = studies.size() - pa;
  if (ap == 0 || pa >= ap) return 1.0;
  return static_cast<double>(pa) / static_cast<double>(ap);
}

// Counts questions per type for the summary.
class CountingSink : public QuestionSink {
 public:
  void Add(const QuestionRef& question) override { ++per_type[static_cast<size_t>(question.type)]; }
  size_t per_type[kQuestionTypeCount] = {};
};

class RowSink : public CountingSink {
 public:
  void Add(const QuestionRef& question) override {
    CountingSink::Add(question);
    rows.push_back(to_question(question));
  }
  std::vector<Question> rows;
};

class LineSink : public CountingSink {
 public:
  // Room for the lines of `studies` studies: a study's questions take about 800 bytes of CSV
  // on MIMIC-scale data, so a block's text rarely needs to grow and copy itself.
  LineSink(QuestionFormat format, QuestionLayout layout, size_t studies) : format_(format), layout_(layout) {
    text.reserve(studies * 1024);
  }
  void Add(const QuestionRef& question) override {
    CountingSink::Add(question);
    append_question_line(text, question, format_, layout_, id_buffer_);
    text += '\n';
  }
  std::string text;

 private:
  QuestionFormat format_;
  QuestionLayout layout_;
  std::string id_buffer_;
};

constexpr size_t kBlockStudies = 1024;

size_t block_count(const std::vector<QuestionStudy>& studies) {
  return (studies.size() + kBlockStudies - 1) / kBlockStudies;
}

// Generates the questions of `studies` in blocks of kBlockStudies, in parallel and in block
// order (parallel_in_order), each block into a fresh sink made by `make_sink(study count)`
// that is handed to `on_block(index, sink)` on its thread as soon as the block is done. Adds
// the counts to `summary` and returns the number of questions.
template <typename Sink, typename MakeSink, typename OnBlock>
size_t generate_in_blocks(const std::vector<QuestionStudy>& studies, const QuestionVocabulary& vocabulary,
                          const QuestionOptions& options, QuestionSummary* summary, MakeSink make_sink,
                          OnBlock on_block) {
  double ap_keep_rate = resolve_ap_keep_rate(studies, options);
  std::mutex mutex;
  size_t per_type[kQuestionTypeCount] = {};
  parallel_in_order(block_count(studies), options.threads, [&](size_t b) {
    size_t begin = b * kBlockStudies, end = std::min(studies.size(), begin + kBlockStudies);
    Sink sink = make_sink(end - begin);
    generate_range_questions(studies, begin, end, vocabulary, options, ap_keep_rate, sink);
    {
      std::lock_guard<std::mutex> lock(mutex);
      for (size_t t = 0; t < kQuestionTypeCount; ++t) per_type[t] += sink.per_type[t];
    }
    on_block(b, sink);
  });
  size_t total = 0;
  for (size_t t = 0; t < kQuestionTypeCount; ++t) {
    total += per_type[t];
    if (summary) summary->per_type[t] += per_type[t];
  }
  if (summary) summary->ap_keep_rate = ap_keep_rate;
  return total;
}

}  // namespace

std::vector<Question> generate_questions(const std::vector<QuestionStudy>& studies,
                                         const QuestionVocabulary& vocabulary,
                                         const QuestionOptions& options, QuestionSummary* summary) {
  std::vector<std::vector<Question>> blocks(block_count(studies));
  size_t total = generate_in_blocks<RowSink>(studies, vocabulary, options, summary, [](size_t) { return RowSink(); },
                                             [&](size_t b, RowSink& sink) { blocks[b] = std::move(sink.rows); });
  if (blocks.size() == 1) return std::move(blocks.front());
  std::vector<Question> all;
  all.reserve(total);
  for (auto& block : blocks) std::move(block.begin(), block.end(), std::back_inserter(all));
  return all;
}

QuestionLines generate_question_lines(const std::vector<QuestionStudy>& studies,
                                      const QuestionVocabulary& vocabulary,
                                      const QuestionOptions& options, QuestionFormat format,
                                      QuestionSummary* summary) {
  QuestionLines lines;
  lines.format = format;
  lines.layout = question_layout(options.preset);
  lines.blocks.resize(block_count(studies));
  lines.count = generate_in_blocks<LineSink>(
      studies, vocabulary, options, summary, [&](size_t studies) { return LineSink(format, lines.layout, studies); },
      [&](size_t b, LineSink& sink) { lines.blocks[b] = std::move(sink.text); });
  return lines;
}

Result<size_t> write_generated_questions(const std::filesystem::path& path,
                                         const std::vector<QuestionStudy>& studies,
                                         const QuestionVocabulary& vocabulary, const QuestionOptions& options,
                                         QuestionFormat format, QuestionSummary* summary) {
  QuestionLayout layout = question_layout(options.preset);
  CXRVQA_ASSIGN_OR_RETURN(auto file, AtomicFileWriter::Open(path));
  CXRVQA_RETURN_IF_ERROR(file->Write(question_file_header(format, layout)));
  OrderedBlockWriter blocks(*file);
  size_t count = generate_in_blocks<LineSink>(
      studies, vocabulary, options, summary, [&](size_t studies) { return LineSink(format, layout, studies); },
      [&](size_t b, LineSink& sink) { blocks.Put(b, std::move(sink.text)); });
  CXRVQA_RETURN_IF_ERROR(blocks.status());
  if (count > 0) CXRVQA_RETURN_IF_ERROR(file->Commit());
  return count;
}

}  // namespace cxrvqa
