// cxrvqa followup: asks the LLM again where its KeyInfo disagrees with the rules reference,
// in the same conversation, and writes the updated KeyInfo set.
#include <spdlog/spdlog.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "command.h"
#include "options.h"
#include "followup/followup_run.h"
#include "followup_cli.h"
#include "lexicon/lexicon.h"
#include "llm/config.h"

namespace cxrvqa::app {
namespace {

struct FollowupFlags {
  CorpusOptions corpus;
  std::string llm_keyinfo;
  std::string reference;
  std::string config;
  std::string out;
  int rounds = 1;
  bool per_finding = false;
  int concurrency = 0;
  std::string system_prompt;
  std::string prompts_dir;
  std::string lexicon_dir;
};

void print_hosts(const std::vector<std::string>& hosts) {
  for (const std::string& host : hosts) std::printf("report text goes to: %s\n", host.c_str());
}

Result<FollowupOptions> resolve_options(const FollowupFlags& flags) {
  FollowupOptions options;
  CXRVQA_ASSIGN_OR_RETURN(options.corpus, corpus_source(flags.corpus));
  CXRVQA_ASSIGN_OR_RETURN(options.config, llm::load_llm_config(flags.config));
  if (flags.concurrency > 0) options.config.concurrency = flags.concurrency;
  CXRVQA_ASSIGN_OR_RETURN(options.lexicon, Lexicon::Load(optional_path(flags.lexicon_dir)));
  options.llm_keyinfo = flags.llm_keyinfo;
  options.reference = flags.reference;
  options.out = flags.out;
  options.system_prompt = optional_path(flags.system_prompt);
  options.prompts_dir = optional_path(flags.prompts_dir);
  options.rounds = flags.rounds;
  options.per_finding = flags.per_finding;
  options.on_hosts = print_hosts;
  return options;
}

int run_followup_command(const FollowupFlags& flags) {
  auto options = resolve_options(flags);
  if (!options.ok()) return fail(options.status().ToString());
  auto summary = RunFollowup(*options);
  if (!summary.ok()) return fail(summary.status().ToString());
  std::fputs(summary->ToString().c_str(), stdout);
  for (const std::string& problem : summary->problems) spdlog::warn("{}", problem);
  return kExitOk;
}

}  // namespace

Command add_followup_command(CLI::App& parent) {
  auto options = std::make_shared<FollowupFlags>();
  Command command;
  command.app = parent.add_subcommand(
      "followup", "Ask the LLM again where its KeyInfo disagrees with the rules reference");
  CLI::App& app = *command.app;
  app.add_option("--llm-keyinfo", options->llm_keyinfo, "KeyInfo JSONL from the LLM extractor")
      ->required();
  app.add_option("--reference", options->reference, "KeyInfo JSONL from the rules extractor")
      ->required();
  add_corpus_options(app, options->corpus);
  add_llm_config_option(app, options->config, /*accept_config_alias=*/true)->required();
  app.add_option("--out", options->out, "Updated KeyInfo JSONL")->required();
  app.add_option("--rounds", options->rounds, "Rounds of follow-up + standardize")
      ->default_val(1)->check(CLI::Range(1, 100));
  app.add_flag("--per-finding", options->per_finding,
               "One follow-up turn per disagreeing finding (default: one turn per study)");
  app.add_option("--concurrency", options->concurrency, "Requests in flight (default: config)")
      ->check(CLI::PositiveNumber);
  app.add_option("--system-prompt", options->system_prompt,
                 "System prompt file, used verbatim (default: embedded prompts/system.txt)");
  app.add_option("--prompts", options->prompts_dir,
                 "Directory holding followup.txt (default: embedded)");
  add_lexicon_option(app, options->lexicon_dir);
  command.run = [options] { return run_followup_command(*options); };
  return command;
}

}  // namespace cxrvqa::app
