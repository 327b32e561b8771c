// Offline batch engines (vLLM run-batch, OpenAI/Azure Batch): request lines out, result lines
// back into the same answer cache as online runs.
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <string_view>

#include "common/json.h"
#include "common/jsonl.h"
#include "common/status.h"
#include "llm/cache.h"
#include "llm/chat.h"

namespace cxrvqa::llm {

// custom_id = "<job id>|<cache key>", so results join back to both the study and its cache
// entry without the original messages.
std::string batch_custom_id(std::string_view job_id, std::string_view cache_key);
struct BatchIds {
  std::string job_id;
  std::string cache_key;
};
Result<BatchIds> parse_batch_custom_id(std::string_view custom_id);

// One OpenAI batch input line: {"custom_id","method":"POST","url":"/v1/chat/completions",
// "body":{...}} for `job` under `config` (first endpoint's model; schema when json_schema is
// on or auto).
std::string batch_request_line(const LlmConfig& config, const ChatJob& job);

// One result of a batch output file.
struct BatchResult {
  BatchIds ids;
  ChatOutcome outcome;  // id = job id; kOk, kFiltered or kFailed (error from the line)
};

// Reads an OpenAI/vLLM batch output JSONL file; calls `on_result` for each line, in file
// order, after storing ok and filtered answers in `cache` (may be null). An answer that
// `check` (may be empty) rejects becomes kFailed (answer kept in content) and is not cached,
// so an online run asks again. Malformed lines go to `on_error` (file:line), never stop the
// import.
Status import_batch_results(const std::filesystem::path& results, AnswerCache* cache,
                            const AnswerCheck& check,
                            const std::function<void(const BatchResult&)>& on_result,
                            const std::function<void(const LineError&)>& on_error);

}  // namespace cxrvqa::llm
