// Fine-tuning data from a labeled golden set: LLaMA-Factory alpaca JSON (with its
// dataset_info.json entry) and OpenAI chat fine-tuning JSONL.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "common/json.h"
#include "common/status.h"

namespace cxrvqa {

// One training pair: a report's selected text and the answer the model should give
// (keyinfo_answer_json of the golden record).
struct FinetuneExample {
  std::string study_id;
  std::string report_text;
  std::string answer;
};

// [{"instruction": instruction, "input": report_text, "output": answer}, ...]
Json alpaca_records(const std::vector<FinetuneExample>& examples, const std::string& instruction);

// The dataset_info.json object registering `file_name` under `dataset_name` with the alpaca
// columns (prompt = instruction, query = input, response = output).
Json alpaca_dataset_info(const std::string& dataset_name, const std::string& file_name);

// One line per example: {"messages": [system, user report, assistant answer]}.
std::string openai_chat_jsonl(const std::vector<FinetuneExample>& examples,
                              const std::string& system_prompt);

struct FinetuneFiles {
  std::filesystem::path alpaca;        // <dir>/<name>_alpaca.json
  std::filesystem::path dataset_info;  // <dir>/dataset_info.json
  std::filesystem::path openai;        // <dir>/<name>_openai.jsonl
};

// Writes the three files (atomically) into `dir` for dataset `name`. An existing
// dataset_info.json in `dir` keeps its other entries; an unreadable one is an error.
Result<FinetuneFiles> write_finetune_files(const std::filesystem::path& dir, const std::string& name,
                                           const std::vector<FinetuneExample>& examples,
                                           const std::string& system_prompt);

}  // namespace cxrvqa
