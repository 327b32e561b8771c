// `cxrvqa questions` as a library call: read KeyInfo, metadata and libraries, generate, write.
#include "questions/questions.h"

#include "common/file_io.h"

namespace cxrvqa {

Result<QuestionJobResult> run_question_job(const QuestionJob& job) {
  QuestionJobResult result;
  std::vector<std::filesystem::path> inputs = {job.keyinfo};
  if (job.metadata) inputs.push_back(*job.metadata);
  CXRVQA_RETURN_IF_ERROR(check_outputs_apart({job.out}, inputs));
  auto records = read_keyinfo_jsonl(job.keyinfo, result.keyinfo_errors);
  if (!records.ok()) return records.status();
  std::vector<StudyRecord> metadata;
  if (job.metadata) {
    auto rows = read_mimic_all(*job.metadata, result.metadata_issues);
    if (!rows.ok()) return rows.status();
    metadata = std::move(*rows);
  }
  auto libraries = load_libraries(job.libraries);
  if (!libraries.ok()) return libraries.status();
  QuestionVocabulary vocabulary = QuestionVocabulary::FromLibraries(*libraries, job.min_count);

  std::vector<QuestionStudy> studies = prepare_question_studies(*records, metadata, &result.summary);
  QuestionLines lines = generate_question_lines(studies, vocabulary, job.options, job.format, &result.summary);
  result.questions = lines.count;
  CXRVQA_RETURN_IF_ERROR(write_question_lines(job.out, lines));
  return result;
}

}  // namespace cxrvqa
