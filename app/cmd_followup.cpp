// cxrvqa followup: asks the LLM again where its KeyInfo disagrees with the rules reference,
// in the same conversation, and writes the updated KeyInfo set.
#include <spdlog/spdlog.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "command.h"
#include "options.h"
#include "followup/followup_job.h"
#include "followup_cli.h"
#include "lexicon/lexicon.h"
#include "llm/config.h"

namespace cxrvqa::app {
namespace {

struct FollowupOptions {
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

void print_summary(const FollowupJobSummary& job, const std::string& out) {
  const FollowupSummary& summary = job.followup;
  std::printf("followup: %zu studies compared (%zu LLM studies without reference), "
              "%zu disagreeing, %zu requests -> %s\n",
              summary.studies_compared, summary.llm_without_reference, job.first_round_disagreeing,
              job.requests(), out.c_str());
  for (size_t r = 0; r < summary.rounds.size(); ++r) {
    const FollowupRound& round = summary.rounds[r];
    std::printf("  round %zu: %zu disagreeing studies, %zu requests, %zu changed, %zu failed, "
                "%zu filtered, %zu unusable answers, %zu without report\n",
                r + 1, round.disagreeing_studies, round.requests, round.changed, round.failed,
                round.filtered, round.unusable_answers, round.without_report);
  }
  for (const std::string& problem : summary.problems) spdlog::warn("{}", problem);
}

Result<FollowupJob> make_job(const FollowupOptions& options) {
  FollowupJob job;
  CXRVQA_ASSIGN_OR_RETURN(auto source, corpus_source(options.corpus));
  CXRVQA_ASSIGN_OR_RETURN(auto config, llm::load_llm_config(options.config));
  if (options.concurrency > 0) config.concurrency = options.concurrency;
  CXRVQA_ASSIGN_OR_RETURN(auto lexicon, Lexicon::Load(optional_path(options.lexicon_dir)));
  job.corpus = std::move(source);
  job.llm_keyinfo = options.llm_keyinfo;
  job.reference = options.reference;
  job.out = options.out;
  job.config = std::move(config);
  job.system_prompt = optional_path(options.system_prompt);
  job.prompts_dir = optional_path(options.prompts_dir);
  job.lexicon = lexicon;
  job.rounds = options.rounds;
  job.per_finding = options.per_finding;
  job.on_hosts = print_hosts;
  return job;
}

int run_followup_command(const FollowupOptions& options) {
  auto job = make_job(options);
  if (!job.ok()) return fail(job.status().ToString());
  auto summary = run_followup_job(*job);
  if (!summary.ok()) return fail(summary.status().ToString());
  print_summary(*summary, options.out);
  return kExitOk;
}

}  // namespace

Command add_followup_command(CLI::App& parent) {
  auto options = std::make_shared<FollowupOptions>();
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
