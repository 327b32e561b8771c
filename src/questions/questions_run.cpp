// RunQuestions: the questions stage as a library call: read KeyInfo, metadata and libraries,
// generate, write.
#include <fmt/format.h>

#include <cstdio>

#include "common/file_io.h"
#include "questions/questions.h"

namespace cxrvqa {

namespace {

// Why a run made no question, from its counts.
std::string why_no_questions(const QuestionOptions& options, const QuestionSummary& s) {
  std::string keyinfo = options.keyinfo.string();
  if (s.records == 0) {
    return keyinfo + " holds no usable KeyInfo record" +
           (s.keyinfo_errors.empty() ? std::string() : " (" + std::to_string(s.keyinfo_errors.size()) +
                                                           " malformed, the first: " +
                                                           s.keyinfo_errors.front().ToString() + ")");
  }
  if (s.frontal == 0) {
    return "none of the " + std::to_string(s.records) + " studies has a frontal (PA or AP) view " +
           (options.metadata ? "in " + options.metadata->string() + " (" + std::to_string(s.without_metadata) +
                                   " studies are not in it)"
                             : std::string("in its record; give the view per study with --metadata (mimic_all.csv; "
                                           "`cxrvqa prepare-metadata --corpus iu|r2gen|csv|jsonl` builds one)"));
  }
  if (options.preset == QuestionPreset::kMedicalDiffVqa && s.difference_pairs == 0) {
    return "medical-diff-vqa asks only about studies with a strictly earlier frontal study of the same "
           "patient, and none of the " + std::to_string(s.frontal) + " frontal studies has one "
           "(study_order unknown, or one frontal study per patient)";
  }
  return std::to_string(s.frontal) + " frontal studies, but no question could be asked: no finding or "
         "attribute reaches --min-count " + std::to_string(options.min_count) + " and no view question was drawn";
}

}  // namespace

std::string QuestionSummary::ToString() const {
  // printf's rounding of the rate, as the command has always printed it.
  char rate[32];
  std::snprintf(rate, sizeof rate, "%.3f", ap_keep_rate);
  std::string text = fmt::format(
      "questions (preset {}): {} records ({} lines skipped, {} metadata rows skipped, {} duplicates), "
      "{} frontal, {} not frontal, {} without metadata, {} difference pairs, "
      "{} without an earlier study, AP keep rate {}\n",
      question_preset_name(preset), records, keyinfo_errors.size(), metadata_issues.size(), duplicate_records,
      frontal, not_frontal, without_metadata, difference_pairs, without_reference, rate);
  for (size_t i = 0; i < kQuestionTypeCount; ++i) {
    text += fmt::format("  {:<12} {}\n", question_type_name(static_cast<QuestionType>(i)), per_type[i]);
  }
  text += fmt::format("  {:<12} {} -> {}\n", "total", questions, out.string());
  return text;
}

Json QuestionSummary::ToJson() const {
  Json types = Json::object();
  for (size_t t = 0; t < kQuestionTypeCount; ++t) {
    types[std::string(question_type_name(static_cast<QuestionType>(t)))] = per_type[t];
  }
  return Json{{"questions", questions},
              {"frontal_studies", frontal},
              {"difference_pairs", difference_pairs},
              {"without_reference", without_reference},
              {"per_type", types},
              {"bad_keyinfo_lines", keyinfo_errors.size()},
              {"bad_metadata_rows", metadata_issues.size()}};
}

Result<QuestionSummary> RunQuestions(const QuestionOptions& options) {
  QuestionSummary summary;
  summary.preset = options.preset;
  summary.out = options.out;
  std::vector<std::filesystem::path> inputs = {options.keyinfo};
  if (options.metadata) inputs.push_back(*options.metadata);
  CXRVQA_RETURN_IF_ERROR(check_outputs_apart({options.out}, inputs));
  CXRVQA_ASSIGN_OR_RETURN(auto records, read_keyinfo_jsonl(options.keyinfo, summary.keyinfo_errors, options.threads));
  std::vector<StudyRecord> metadata;
  if (options.metadata) {
    CXRVQA_ASSIGN_OR_RETURN(auto rows, read_mimic_all(*options.metadata, summary.metadata_issues));
    metadata = std::move(rows);
  }
  CXRVQA_ASSIGN_OR_RETURN(auto libraries, load_libraries(options.libraries));
  CXRVQA_ASSIGN_OR_RETURN(auto vocabulary, QuestionVocabulary::ForPreset(libraries, options.min_count, options.preset));

  std::vector<QuestionStudy> studies = prepare_question_studies(records, metadata, &summary, options);
  CXRVQA_ASSIGN_OR_RETURN(summary.questions, write_generated_questions(options.out, studies, vocabulary, options,
                                                                      options.format, &summary));
  if (summary.questions == 0) {
    return Status::InvalidArgument("no questions to write: " + why_no_questions(options, summary));
  }
  return summary;
}

}  // namespace cxrvqa
