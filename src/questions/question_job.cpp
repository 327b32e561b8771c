// `cxrvqa questions` as a library call: read KeyInfo, metadata and libraries, generate, write.
#include "questions/questions.h"

#include "common/file_io.h"

namespace cxrvqa {

namespace {

// Why a run made no question, from its counts.
std::string why_no_questions(const QuestionJob& job, const QuestionJobResult& result) {
  const QuestionSummary& s = result.summary;
  std::string keyinfo = job.keyinfo.string();
  if (s.records == 0) {
    return keyinfo + " holds no usable KeyInfo record" +
           (result.keyinfo_errors.empty() ? std::string() : " (" + std::to_string(result.keyinfo_errors.size()) +
                                                                 " malformed, the first: " +
                                                                 result.keyinfo_errors.front().ToString() + ")");
  }
  if (s.frontal == 0) {
    return "none of the " + std::to_string(s.records) + " studies has a frontal (PA or AP) view " +
           (job.metadata ? "in " + job.metadata->string() + " (" + std::to_string(s.without_metadata) +
                               " studies are not in it)"
                         : std::string("in its record; give the view per study with --metadata (mimic_all.csv; "
                                       "`cxrvqa prepare-metadata --corpus iu|r2gen|csv|jsonl` builds one)"));
  }
  if (job.options.preset == QuestionPreset::kMedicalDiffVqa && s.difference_pairs == 0) {
    return "medical-diff-vqa asks only about studies with a strictly earlier frontal study of the same "
           "patient, and none of the " + std::to_string(s.frontal) + " frontal studies has one "
           "(study_order unknown, or one frontal study per patient)";
  }
  return std::to_string(s.frontal) + " frontal studies, but no question could be asked: no finding or "
         "attribute reaches --min-count " + std::to_string(job.min_count) + " and no view question was drawn";
}

}  // namespace

Result<QuestionJobResult> run_question_job(const QuestionJob& job) {
  QuestionJobResult result;
  std::vector<std::filesystem::path> inputs = {job.keyinfo};
  if (job.metadata) inputs.push_back(*job.metadata);
  CXRVQA_RETURN_IF_ERROR(check_outputs_apart({job.out}, inputs));
  CXRVQA_ASSIGN_OR_RETURN(auto records, read_keyinfo_jsonl(job.keyinfo, result.keyinfo_errors));
  std::vector<StudyRecord> metadata;
  if (job.metadata) {
    CXRVQA_ASSIGN_OR_RETURN(auto rows, read_mimic_all(*job.metadata, result.metadata_issues));
    metadata = std::move(rows);
  }
  CXRVQA_ASSIGN_OR_RETURN(auto libraries, load_libraries(job.libraries));
  CXRVQA_ASSIGN_OR_RETURN(auto vocabulary, QuestionVocabulary::ForPreset(libraries, job.min_count, job.options.preset));

  std::vector<QuestionStudy> studies = prepare_question_studies(records, metadata, &result.summary, job.options);
  CXRVQA_ASSIGN_OR_RETURN(result.questions, write_generated_questions(job.out, studies, vocabulary, job.options,
                                                                      job.format, &result.summary));
  if (result.questions == 0) return Status::InvalidArgument("no questions to write: " + why_no_questions(job, result));
  return result;
}

}  // namespace cxrvqa
