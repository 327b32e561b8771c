// Fine-tuning data from a labeled golden set: LLaMA-Factory alpaca JSON (with its
// dataset_info.json entry) and OpenAI chat fine-tuning JSONL.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "common/json.h"
#include "common/status.h"
#include "sections/report_texts.h"

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

// `cxrvqa finetune-data`: fine-tuning files from a labeled golden KeyInfo set and the report
// texts of its studies.
struct FinetuneOptions {
  CorpusSource corpus;
  std::filesystem::path keyinfo;  // golden KeyInfo JSONL
  std::filesystem::path out_dir;
  std::optional<std::filesystem::path> system_prompt;  // the instruction; else the embedded short prompt
  std::string name = "cxrvqa_keyinfo";                 // dataset name in dataset_info.json
};

struct FinetuneSummary {
  size_t golden_records = 0;
  size_t skipped_lines = 0;   // unusable golden KeyInfo lines
  size_t examples = 0;        // examples written; 0: no golden study has report text, nothing written
  size_t without_report = 0;  // golden studies without report text in the corpus (left out)
  std::string name;
  FinetuneFiles files;
  std::filesystem::path prompt_copy;  // <out_dir>/system_prompt.txt: the instruction used
  // The counts, then the files written, one per line.
  std::string ToString() const;
  // {golden_records, skipped_lines, examples, without_report, files: {alpaca, dataset_info,
  // openai, system_prompt}}.
  Json ToJson() const;
};

// Reads the golden set (unusable lines logged as warnings, first few) and the report texts
// of its studies (corpus issues and studies without text logged the same way), and writes
// write_finetune_files plus the instruction as system_prompt.txt into out_dir. When no
// golden study has report text it writes nothing and returns examples == 0. Errors: an
// unreadable instruction, golden set or corpus, a file that cannot be written.
Result<FinetuneSummary> RunFinetune(const FinetuneOptions& options);

}  // namespace cxrvqa
