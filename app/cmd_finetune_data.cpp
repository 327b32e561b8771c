// cxrvqa finetune-data: a labeled golden KeyInfo set as LLaMA-Factory alpaca JSON (with its
// dataset_info.json entry) and OpenAI chat fine-tuning JSONL.
#include <cstdio>
#include <memory>
#include <string>

#include "command.h"
#include "options.h"
#include "golden/finetune.h"
#include "followup_cli.h"

namespace cxrvqa::app {
namespace {

struct FinetuneFlags {
  CorpusOptions corpus;
  std::string keyinfo;
  std::string out_dir;
  std::string system_prompt;
  std::string name = "cxrvqa_keyinfo";
};

int run_finetune_data(const FinetuneFlags& flags) {
  FinetuneOptions options;
  auto source = corpus_source(flags.corpus);
  if (!source.ok()) return fail(source.status().ToString());
  options.corpus = std::move(*source);
  options.keyinfo = flags.keyinfo;
  options.out_dir = flags.out_dir;
  options.system_prompt = optional_path(flags.system_prompt);
  options.name = flags.name;
  auto summary = RunFinetune(options);
  if (!summary.ok()) return fail(summary.status().ToString());
  if (summary->examples == 0) return fail("no golden study has a report in the corpus");
  std::fputs(summary->ToString().c_str(), stdout);
  return kExitOk;
}

}  // namespace

Command add_finetune_data_command(CLI::App& parent) {
  auto options = std::make_shared<FinetuneFlags>();
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
