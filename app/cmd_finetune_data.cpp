// cxrvqa finetune-data: a labeled golden KeyInfo set as LLaMA-Factory alpaca JSON (with its
// dataset_info.json entry) and OpenAI chat fine-tuning JSONL.
#include <spdlog/spdlog.h>

#include <memory>
#include <string>
#include <unordered_set>

#include "command.h"
#include "common/embedded.h"
#include "common/file_io.h"
#include "golden/finetune.h"
#include "followup/followup.h"
#include "followup_cli.h"

namespace cxrvqa::app {
namespace {

struct FinetuneOptions {
  CorpusOptions corpus;
  std::string keyinfo;
  std::string out_dir;
  std::string system_prompt;
  std::string name = "cxrvqa_keyinfo";
};

// The short instruction: the given file verbatim, or the embedded prompts/simple_system.txt.
Result<std::string> instruction_text(const std::string& file) {
  if (!file.empty()) return read_file(file);
  return read_data_file(std::nullopt, "prompts", "simple_system.txt");
}

int run_finetune_data(const FinetuneOptions& options) {
  auto source = corpus_source(options.corpus);
  if (!source.ok()) return fail(source.status().ToString());
  auto instruction = instruction_text(options.system_prompt);
  if (!instruction.ok()) return fail(instruction.status().ToString());
  size_t skipped_lines = 0;
  auto golden = read_keyinfo_logged(options.keyinfo, skipped_lines);
  if (!golden.ok()) return fail(golden.status().ToString());

  std::unordered_set<std::string> wanted;
  for (const KeyInfo& record : *golden) wanted.insert(record.meta.study_id);
  auto texts = read_report_texts(*source, &wanted);
  if (!texts.ok()) return fail(texts.status().ToString());
  log_corpus_issues(texts->issues);

  std::vector<FinetuneExample> examples;
  size_t without_report = 0;
  for (const KeyInfo& record : *golden) {
    auto text = texts->by_study.find(record.meta.study_id);
    if (text == texts->by_study.end()) {
      ++without_report;
      spdlog::warn("study {}: no report text in the corpus; left out", record.meta.study_id);
      continue;
    }
    examples.push_back({record.meta.study_id, text->second, keyinfo_answer_json(record)});
  }
  if (examples.empty()) return fail("no golden study has a report in the corpus");

  auto files = write_finetune_files(options.out_dir, options.name, examples, *instruction);
  if (!files.ok()) return fail(files.status().ToString());
  const std::filesystem::path prompt_copy = std::filesystem::path(options.out_dir) / "system_prompt.txt";
  Status copied = write_file_atomic(prompt_copy, *instruction);
  if (!copied.ok()) return fail(copied.ToString());
  std::printf("finetune-data: %zu golden records (%zu lines skipped), %zu examples written, "
              "%zu without a report\n  %s\n  %s (entry \"%s\")\n  %s\n  %s (use it verbatim: "
              "extract --system-prompt)\n",
              golden->size(), skipped_lines, examples.size(), without_report,
              files->alpaca.c_str(), files->dataset_info.c_str(), options.name.c_str(),
              files->openai.c_str(), prompt_copy.c_str());
  return kExitOk;
}

}  // namespace

Command add_finetune_data_command(CLI::App& parent) {
  auto options = std::make_shared<FinetuneOptions>();
  Command command;
  command.app = parent.add_subcommand(
      "finetune-data",
      "Fine-tuning data from a golden KeyInfo set: LLaMA-Factory alpaca JSON + OpenAI chat JSONL");
  command.app->add_option("--keyinfo", options->keyinfo, "Golden KeyInfo JSONL")->required();
  add_corpus_options(*command.app, options->corpus);
  command.app->add_option("--out-dir", options->out_dir, "Output directory")->required();
  command.app->add_option("--system-prompt", options->system_prompt,
                          "Instruction file (default: the embedded short prompt)");
  command.app->add_option("--name", options->name, "Dataset name in dataset_info.json")
      ->default_val("cxrvqa_keyinfo");
  command.run = [options] { return run_finetune_data(*options); };
  return command;
}

}  // namespace cxrvqa::app
