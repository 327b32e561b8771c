// `cxrvqa review sample`: the stratified sample and the review file.
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <unordered_map>
#include <unordered_set>

#include "common/file_io.h"
#include "common/hash.h"
#include "golden/golden.h"
#include "sections/report_texts.h"
#include "keyinfo/keyinfo.h"
#include "lexicon/lexicon.h"
#include "review/highlight.h"
#include "review/review.h"
#include "review/review_db.h"
#include "review/sampling.h"

namespace cxrvqa {

namespace fs = std::filesystem;
using review_internal::DrawnStudy;
using review_internal::ReviewDb;
using review_internal::SampleCandidate;
using review_internal::StoredItem;
using review_internal::StoredStudy;

namespace {

// What the sample is read from: the dataset's files and the corpus of its reports.
struct DatasetFiles {
  fs::path keyinfo;
  fs::path questions;
  CorpusSource corpus;
  std::string manifest_sha256;
};

// The folder a relative path of the manifest was relative to: the dataset folder with the
// manifest's (relative) out_dir taken off its end, when it ends so.
std::optional<fs::path> pipeline_working_dir(const fs::path& dataset, const std::string& out_dir) {
  fs::path relative = fs::path(out_dir).lexically_normal();
  if (out_dir.empty() || relative.is_absolute()) return std::nullopt;
  std::error_code ec;
  fs::path base = fs::absolute(dataset, ec).lexically_normal();
  if (ec) return std::nullopt;
  if (!base.has_filename()) base = base.parent_path();
  std::vector<fs::path> parts(relative.begin(), relative.end());
  if (!parts.empty() && parts.back().empty()) parts.pop_back();
  for (auto part = parts.rbegin(); part != parts.rend(); ++part) {
    if (base.filename() != *part) return std::nullopt;
    base = base.parent_path();
  }
  return base;
}

// A path of the manifest: as it is when absolute or found from here, else relative to the
// folder the pipeline ran in.
fs::path resolve_manifest_path(const fs::path& dataset, const std::string& out_dir, const std::string& value) {
  fs::path path(value);
  if (path.is_absolute()) return path;
  std::error_code ec;
  if (fs::exists(path, ec)) return path;
  auto base = pipeline_working_dir(dataset, out_dir);
  if (base && fs::exists(*base / path, ec)) return *base / path;
  return path;
}

Result<DatasetFiles> dataset_files(const ReviewSampleOptions& o) {
  fs::path manifest_path = o.dataset / "manifest.json";
  auto text = read_file(manifest_path);
  if (!text.ok()) {
    return Status::NotFound(manifest_path.string() + " not found: --dataset must be a pipeline output folder");
  }
  Json manifest = Json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (manifest.is_discarded() || !manifest.is_object() || !manifest.contains("options") ||
      !manifest["options"].is_object()) {
    return Status::ParseError(manifest_path.string() + ": not a pipeline manifest (no \"options\" object)");
  }
  const Json& options = manifest["options"];
  auto string_option = [&options](const char* key) {
    return options.contains(key) && options[key].is_string() ? options[key].get<std::string>() : std::string();
  };
  DatasetFiles files;
  files.manifest_sha256 = sha256_hex(*text);
  files.keyinfo = o.dataset / "keyinfo.jsonl";
  files.questions = o.dataset / (string_option("format") == "jsonl" ? "questions.jsonl" : "questions.csv");
  if (o.corpus) {
    files.corpus.kind = *o.corpus;
  } else {
    auto kind = parse_corpus_kind(string_option("corpus"));
    if (!kind.ok()) return Status::ParseError(manifest_path.string() + ": options.corpus: " + kind.status().message());
    files.corpus.kind = *kind;
  }
  if (o.reports) {
    files.corpus.reports = *o.reports;
  } else if (std::string reports = string_option("reports"); !reports.empty()) {
    files.corpus.reports = resolve_manifest_path(o.dataset, string_option("out_dir"), reports);
  } else {
    return Status::ParseError(manifest_path.string() + ": options.reports is missing; pass --reports");
  }
  if (o.metadata) {
    files.corpus.metadata = *o.metadata;
  } else if (std::string metadata = string_option("metadata"); !metadata.empty()) {
    files.corpus.metadata = resolve_manifest_path(o.dataset, string_option("out_dir"), metadata);
  }
  std::error_code ec;
  if (!fs::exists(files.corpus.reports, ec)) {
    return Status::NotFound(fmt::format("the reports {} named in {} are not here; pass --reports (and "
                                        "--metadata) to say where the corpus is",
                                        files.corpus.reports.string(), manifest_path.string()));
  }
  return files;
}

// The question types of each study with questions, and the issues of the questions file.
struct QuestionIndex {
  std::unordered_map<std::string, uint32_t> types;
  size_t bad_rows = 0;
};

Result<QuestionIndex> index_questions(const fs::path& path) {
  QuestionIndex index;
  std::vector<LineError> errors;
  CXRVQA_RETURN_IF_ERROR(for_each_question(path, [&index](const QuestionRef& q) {
    index.types[std::string(q.study_id)] |= 1u << static_cast<unsigned>(q.type);
  }, errors));
  index.bad_rows = errors.size();
  for (size_t i = 0; i < errors.size() && i < 5; ++i) spdlog::warn("{}", errors[i].ToString());
  return index;
}

// Everything read for the sampled studies.
struct SampleContent {
  std::vector<DrawnStudy> drawn;
  std::unordered_map<std::string, KeyInfo> keyinfo;        // drawn studies and their references
  std::unordered_map<std::string, std::string> reference;  // study -> reference study id
  std::vector<Question> items;                             // in questions-file order
  ReportTexts texts;                                       // drawn studies and references
};

class SampleWriter {
 public:
  SampleWriter(const Lexicon& lexicon, const PhraseMatcher& matcher) : lexicon_(lexicon), matcher_(matcher) {}

  std::string Spans(const std::string& text, const KeyInfo& record) const {
    return review_internal::spans_to_json(review_internal::highlight_spans(matcher_, lexicon_, text, record)).dump();
  }

  Status Write(ReviewDb& db, const SampleContent& content, ReviewSampleSummary& summary) const {
    std::unordered_map<std::string, std::vector<const Question*>> items_of;
    for (const Question& item : content.items) items_of[item.study_id].push_back(&item);
    int position = 0;
    for (const DrawnStudy& drawn : content.drawn) {
      const KeyInfo& record = content.keyinfo.at(drawn.study_id);
      StoredStudy study;
      study.position = ++position;
      study.study_id = drawn.study_id;
      study.subject_id = record.meta.subject_id;
      study.stratum = std::string(question_type_name(drawn.stratum));
      study.report_text = content.texts.by_study.at(drawn.study_id);
      study.keyinfo = keyinfo_to_json_line(record);
      study.spans = Spans(study.report_text, record);
      FillReference(content, study, summary);
      CXRVQA_RETURN_IF_ERROR(db.AddStudy(study));
      summary.studies_per_stratum[study.stratum] += 1;
      for (const Question* question : items_of[drawn.study_id]) {
        Json findings = review_internal::findings_named(matcher_, lexicon_, question->question + " " + question->answer);
        StoredItem item{0, question->study_id, question->subject_id, std::string(question_type_name(question->type)),
                        question->question, question->answer, question->dicom_id, question->split,
                        question->ref_id, findings.dump()};
        CXRVQA_RETURN_IF_ERROR(db.AddItem(item).status());
        summary.items_per_type[item.question_type] += 1;
        ++summary.items;
      }
    }
    summary.studies = content.drawn.size();
    return Status::Ok();
  }

 private:
  void FillReference(const SampleContent& content, StoredStudy& study, ReviewSampleSummary& summary) const {
    auto reference = content.reference.find(study.study_id);
    if (reference == content.reference.end()) return;
    study.ref_id = reference->second;
    auto record = content.keyinfo.find(study.ref_id);
    auto text = content.texts.by_study.find(study.ref_id);
    if (record != content.keyinfo.end()) study.ref_keyinfo = keyinfo_to_json_line(record->second);
    if (text != content.texts.by_study.end()) {
      study.ref_report_text = text->second;
      study.ref_spans = record != content.keyinfo.end() ? Spans(text->second, record->second) : "[]";
    }
    ++summary.references;
  }

  const Lexicon& lexicon_;
  const PhraseMatcher& matcher_;
};

// Reads the KeyInfo, questions and report texts of the drawn studies and their references.
Status read_sample_content(const DatasetFiles& files, std::vector<KeyInfo>& records, SampleContent& content) {
  std::unordered_set<std::string> drawn_ids;
  for (const DrawnStudy& drawn : content.drawn) drawn_ids.insert(drawn.study_id);
  std::vector<LineError> errors;
  CXRVQA_RETURN_IF_ERROR(for_each_question(files.questions, [&](const QuestionRef& q) {
    if (!drawn_ids.contains(std::string(q.study_id))) return;
    content.items.push_back(to_question(q));
    if (!q.ref_id.empty()) content.reference.emplace(std::string(q.study_id), std::string(q.ref_id));
  }, errors));
  std::unordered_set<std::string> wanted = drawn_ids;
  for (const auto& [study, reference] : content.reference) wanted.insert(reference);
  for (KeyInfo& record : records) {
    if (wanted.contains(record.meta.study_id)) content.keyinfo.emplace(record.meta.study_id, std::move(record));
  }
  CXRVQA_ASSIGN_OR_RETURN(auto texts, read_report_texts(files.corpus, &wanted));
  content.texts = std::move(texts);
  for (const DrawnStudy& drawn : content.drawn) {
    if (!content.texts.by_study.contains(drawn.study_id)) {
      return Status::Internal("report text of study " + drawn.study_id + " vanished between two readings");
    }
  }
  return Status::Ok();
}

Status write_sample_meta(ReviewDb& db, const ReviewSampleOptions& o, const DatasetFiles& files) {
  std::error_code ec;
  fs::path dataset = fs::absolute(o.dataset, ec);
  Json sampling = {{"n", o.per_type ? Json() : Json(o.n)}, {"per_type", o.per_type ? Json(*o.per_type) : Json()},
                   {"seed", o.seed}, {"exclude", o.exclude ? Json(o.exclude->string()) : Json()}};
  for (const auto& [key, value] :
       {std::pair<std::string_view, std::string>{"dataset", dataset.lexically_normal().string()},
        {"manifest_sha256", files.manifest_sha256},
        {"corpus", std::string(corpus_kind_name(files.corpus.kind))},
        {"sampling", sampling.dump()},
        {"program_version", CXRVQA_VERSION}}) {
    CXRVQA_RETURN_IF_ERROR(db.SetMeta(key, value));
  }
  return Status::Ok();
}

// Writes the sample into a new file beside `db`, then renames it into place.
Status write_review_file(const ReviewSampleOptions& o, const DatasetFiles& files, const SampleContent& content,
                         const Lexicon& lexicon, ReviewSampleSummary& summary) {
  PhraseMatcher matcher(lexicon);
  if (!matcher.ok()) return Status::Internal("lexicon phrases do not compile: " + matcher.error());
  fs::path temporary = o.db;
  temporary += fmt::format(".tmp-{}", getpid());
  std::error_code ec;
  if (o.db.has_parent_path()) fs::create_directories(o.db.parent_path(), ec);
  Status written = [&]() -> Status {
    CXRVQA_ASSIGN_OR_RETURN(auto db, ReviewDb::Create(temporary));
    CXRVQA_RETURN_IF_ERROR(db->BeginSample());
    CXRVQA_RETURN_IF_ERROR(write_sample_meta(*db, o, files));
    CXRVQA_RETURN_IF_ERROR(SampleWriter(lexicon, matcher).Write(*db, content, summary));
    return db->CommitSample();
  }();
  if (written.ok() && fs::exists(o.db, ec)) written = Status::InvalidArgument(o.db.string() + " appeared meanwhile");
  if (written.ok()) {
    fs::rename(temporary, o.db, ec);
    if (ec) written = Status::IoError(fmt::format("cannot rename {} to {}: {}", temporary.string(), o.db.string(), ec.message()));
  }
  for (const char* suffix : {"", "-wal", "-shm"}) {
    fs::path leftover = temporary;
    leftover += suffix;
    fs::remove(leftover, ec);
  }
  return written;
}

}  // namespace

Result<ReviewSampleSummary> RunReviewSample(const ReviewSampleOptions& o) {
  std::error_code ec;
  if (fs::exists(o.db, ec)) {
    return Status::InvalidArgument(o.db.string() + " already exists; a review file holds one sample (choose another --db)");
  }
  if (!o.per_type && o.n == 0) return Status::InvalidArgument("--n must be at least 1");
  if (o.per_type && *o.per_type == 0) return Status::InvalidArgument("--per-type must be at least 1");
  CXRVQA_ASSIGN_OR_RETURN(auto files, dataset_files(o));
  std::unordered_set<std::string> exclude;
  if (o.exclude) {
    CXRVQA_ASSIGN_OR_RETURN(auto listed, read_id_list(*o.exclude));
    exclude = std::move(listed);
  }
  CXRVQA_ASSIGN_OR_RETURN(auto lexicon, Lexicon::Load(o.lexicon_dir));
  CXRVQA_ASSIGN_OR_RETURN(auto index, index_questions(files.questions));
  std::vector<LineError> keyinfo_errors;
  CXRVQA_ASSIGN_OR_RETURN(auto records, read_keyinfo_jsonl(files.keyinfo, keyinfo_errors));
  if (!keyinfo_errors.empty()) {
    spdlog::warn("{}: {} unusable lines skipped (first: {})", files.keyinfo.string(), keyinfo_errors.size(),
                 keyinfo_errors.front().ToString());
  }
  std::unordered_set<std::string> with_keyinfo;
  for (const KeyInfo& record : records) with_keyinfo.insert(record.meta.study_id);
  std::vector<CorpusIssue> issues;
  CXRVQA_ASSIGN_OR_RETURN(auto with_text, read_study_ids(files.corpus, issues));
  std::unordered_set<std::string> text_ids(with_text.begin(), with_text.end());

  ReviewSampleSummary summary;
  summary.db = o.db;
  std::vector<SampleCandidate> candidates;
  for (const auto& [study_id, types] : index.types) {
    if (!text_ids.contains(study_id)) {
      ++summary.without_text;
    } else if (!with_keyinfo.contains(study_id)) {
      ++summary.without_keyinfo;
    } else if (exclude.contains(study_id)) {
      ++summary.excluded;
    } else {
      candidates.push_back({study_id, types});
    }
  }
  summary.candidate_studies = candidates.size() + summary.excluded;
  SampleContent content;
  content.drawn = review_internal::draw_stratified(candidates, o.n, o.per_type, o.seed);
  if (content.drawn.empty()) {
    return Status::InvalidArgument(fmt::format("no study to sample in {}: {} studies with questions, {} without "
                                               "report text, {} without KeyInfo, {} excluded",
                                               o.dataset.string(), index.types.size(), summary.without_text,
                                               summary.without_keyinfo, summary.excluded));
  }
  CXRVQA_RETURN_IF_ERROR(read_sample_content(files, records, content));
  CXRVQA_RETURN_IF_ERROR(write_review_file(o, files, content, *lexicon, summary));
  return summary;
}

std::string ReviewSampleSummary::ToString() const {
  std::string text = fmt::format(
      "review sample: {} studies ({} question-answer pairs, {} reference reports) written to {}\n"
      "  candidates: {} studies with questions, report text and KeyInfo ({} excluded); {} without report text, "
      "{} without KeyInfo\n",
      studies, items, references, db.string(), candidate_studies, excluded, without_text, without_keyinfo);
  text += "  type          studies drawn   pairs\n";
  for (size_t t = 0; t < kQuestionTypeCount; ++t) {
    std::string name(question_type_name(static_cast<QuestionType>(t)));
    auto drawn = studies_per_stratum.find(name);
    auto pairs = items_per_type.find(name);
    if (drawn == studies_per_stratum.end() && pairs == items_per_type.end()) continue;
    text += fmt::format("  {:<13} {:>13} {:>7}\n", name, drawn == studies_per_stratum.end() ? 0 : drawn->second,
                        pairs == items_per_type.end() ? 0 : pairs->second);
  }
  return text;
}

Json ReviewSampleSummary::ToJson() const {
  return Json{{"db", db.string()},
              {"studies", studies},
              {"items", items},
              {"references", references},
              {"candidate_studies", candidate_studies},
              {"excluded", excluded},
              {"without_text", without_text},
              {"without_keyinfo", without_keyinfo},
              {"studies_per_stratum", studies_per_stratum},
              {"items_per_type", items_per_type}};
}

}  // namespace cxrvqa
