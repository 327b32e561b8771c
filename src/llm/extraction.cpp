#include "llm/extraction.h"

#include "common/embedded.h"
#include "common/file_io.h"
#include "common/text.h"
#include "llm/lenient_json.h"

namespace cxrvqa::llm {

Result<std::string> load_system_prompt(const std::optional<std::filesystem::path>& file) {
  if (!file) return read_data_file(std::nullopt, "prompts", "system.txt");
  auto text = read_file(*file);
  if (text.ok() && !is_valid_utf8(*text)) {
    return Status::InvalidArgument(file->string() + ": the system prompt is not valid UTF-8");
  }
  return text;
}

std::vector<ChatMessage> extraction_messages(std::string_view system_prompt, std::string_view report_text) {
  return {ChatMessage{"system", std::string(system_prompt)}, ChatMessage{"user", std::string(report_text)}};
}

AnswerCheck keyinfo_answer_check() {
  return [](std::string_view content) -> std::string {
    auto parsed = parse_llm_json(content);
    return parsed.ok() ? "" : parsed.status().message();
  };
}

std::string failure_line(std::string_view study_id, std::string_view kind, std::string_view error,
                         std::string_view answer, std::string_view raw) {
  Json line = Json::object();
  line["study_id"] = study_id;
  line["kind"] = kind;
  line["error"] = error;
  line["answer"] = answer;
  if (!raw.empty()) line["raw"] = raw;
  return line.dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::filesystem::path default_failures_file(const std::filesystem::path& out) {
  return out.string() + ".failures.jsonl";
}

std::string raw_keyinfo_line(const Json& parsed_answer, const StudyMeta& meta) {
  static constexpr const char* kMetaKeys[] = {"study_id", "subject_id", "dicom_id", "view", "study_order", "split"};
  Json record = Json::object();
  record["study_id"] = meta.study_id;
  record["subject_id"] = meta.subject_id;
  record["dicom_id"] = meta.dicom_id;
  record["view"] = meta.view;
  record["study_order"] = meta.study_order;
  record["split"] = meta.split;
  for (const auto& [key, value] : parsed_answer.items()) {
    if (std::find(std::begin(kMetaKeys), std::end(kMetaKeys), key) != std::end(kMetaKeys)) continue;
    record[key] = value;
  }
  return record.dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace cxrvqa::llm
