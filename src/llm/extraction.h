// KeyInfo extraction with an LLM: the conversation sent for one report, the acceptance
// check of answers, and the raw KeyInfo line written per study (standardize repairs it).
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/json.h"
#include "common/status.h"
#include "keyinfo/keyinfo.h"
#include "llm/chat.h"

namespace cxrvqa::llm {

// The system prompt: `file` verbatim when given (InvalidArgument when it is not valid
// UTF-8), else the embedded data/prompts/system.txt.
Result<std::string> load_system_prompt(const std::optional<std::filesystem::path>& file);

// [system: system_prompt, user: report_text]. The report text is sent as is (a fine-tuned
// model sees exactly what it was trained on).
std::vector<ChatMessage> extraction_messages(std::string_view system_prompt,
                                             std::string_view report_text);

// Accepts an answer when parse_llm_json recovers a JSON object from it.
AnswerCheck keyinfo_answer_check();

// One line of a failures file: study_id, kind ("failed", "filtered", "unparseable",
// "empty"), error (never report text), answer (the model's text, if any) and, when a server
// answered with an error, raw (its error body, which may quote the report).
std::string failure_line(std::string_view study_id, std::string_view kind, std::string_view error,
                         std::string_view answer, std::string_view raw = {});
// Where the failures of a run writing `out` go unless told otherwise: <out>.failures.jsonl.
std::filesystem::path default_failures_file(const std::filesystem::path& out);

// One raw KeyInfo JSON line: the study metadata (study_id, subject_id, dicom_id, view,
// study_order, split) followed by the fields of the parsed answer (metadata keys in the
// answer are ignored). Not yet in the strict schema.
std::string raw_keyinfo_line(const Json& parsed_answer, const StudyMeta& meta);

}  // namespace cxrvqa::llm
