// cxrvqa followup: asks the LLM again where its KeyInfo disagrees with the rules reference,
// in the same conversation, and writes the updated KeyInfo set.
#include <spdlog/spdlog.h>

#include <memory>
#include <string>
#include <unordered_set>

#include "command.h"
#include "common/file_io.h"
#include "followup/followup.h"
#include "followup_cli.h"
#include "lexicon/lexicon.h"
#include "llm/config.h"
#include "llm/extraction.h"

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

Result<FollowupSettings> load_settings(const FollowupOptions& options) {
  FollowupSettings settings;
  auto system_prompt = llm::load_system_prompt(optional_path(options.system_prompt));
  if (!system_prompt.ok()) return system_prompt.status();
  auto templates = load_followup_templates(optional_path(options.prompts_dir));
  if (!templates.ok()) return templates.status();
  settings.system_prompt = std::move(*system_prompt);
  settings.templates = std::move(*templates);
  settings.per_finding = options.per_finding;
  settings.rounds = options.rounds;
  return settings;
}

Result<std::unique_ptr<llm::ChatRunner>> make_runner(const FollowupOptions& options) {
  auto config = llm::load_llm_config(options.config);
  if (!config.ok()) return config.status();
  if (options.concurrency > 0) config->concurrency = options.concurrency;
  auto runner = llm::ChatRunner::Create(*config);
  if (!runner.ok()) return runner.status();
  for (const std::string& host : (*runner)->receiving_hosts()) {
    std::printf("report text goes to: %s\n", host.c_str());
  }
  return runner;
}

Status write_records(const std::filesystem::path& path, const std::vector<KeyInfo>& records) {
  std::string text;
  for (const KeyInfo& record : records) text.append(keyinfo_to_json_line(record)).push_back('\n');
  return write_file_atomic(path, text);
}

void print_summary(const FollowupSummary& summary, size_t first_round_disagreeing,
                   const std::string& out) {
  size_t requests = 0;
  for (const FollowupRound& round : summary.rounds) requests += round.requests;
  std::printf("followup: %zu studies compared (%zu LLM studies without reference), "
              "%zu disagreeing, %zu requests -> %s\n",
              summary.studies_compared, summary.llm_without_reference, first_round_disagreeing,
              requests, out.c_str());
  for (size_t r = 0; r < summary.rounds.size(); ++r) {
    const FollowupRound& round = summary.rounds[r];
    std::printf("  round %zu: %zu disagreeing studies, %zu requests, %zu changed, %zu failed, "
                "%zu filtered, %zu unusable answers, %zu without report\n",
                r + 1, round.disagreeing_studies, round.requests, round.changed, round.failed,
                round.filtered, round.unusable_answers, round.without_report);
  }
  for (const std::string& problem : summary.problems) spdlog::warn("{}", problem);
}

int run_followup_command(const FollowupOptions& options) {
  auto source = corpus_source(options.corpus);
  if (!source.ok()) return fail(source.status().ToString());
  auto settings = load_settings(options);
  if (!settings.ok()) return fail(settings.status().ToString());
  auto lexicon = Lexicon::Load(optional_path(options.lexicon_dir));
  if (!lexicon.ok()) return fail(lexicon.status().ToString());
  size_t skipped_llm = 0, skipped_reference = 0;
  auto records = read_keyinfo_logged(options.llm_keyinfo, skipped_llm);
  if (!records.ok()) return fail(records.status().ToString());
  auto reference = read_keyinfo_logged(options.reference, skipped_reference);
  if (!reference.ok()) return fail(reference.status().ToString());
  if (skipped_llm + skipped_reference > 0) {
    spdlog::warn("{} LLM and {} reference KeyInfo lines skipped (unusable); skipped LLM lines "
                 "are not in the output", skipped_llm, skipped_reference);
  }

  // Only studies that disagree now can change, so only their report texts are needed.
  const FindingMatcher matcher(*lexicon);
  DisagreementScan first = scan_disagreements(*records, *reference, matcher);
  std::unordered_set<std::string> wanted;
  for (const StudyDisagreements& study : first.studies) wanted.insert(study.study_id);
  auto texts = read_report_texts(*source, &wanted);
  if (!texts.ok()) return fail(texts.status().ToString());
  log_corpus_issues(texts->issues);

  auto runner = make_runner(options);
  if (!runner.ok()) return fail(runner.status().ToString());
  // Answers are standardized like any LLM output, attribute words re-filed by the
  // frequencies of the input set.
  auto standardizer = std::make_shared<const Standardizer>(*lexicon);
  auto frequencies = std::make_shared<const Libraries>(compute_libraries(*records, lexicon->get()));
  auto summary = run_followup(*records, *reference, texts->by_study, matcher, *settings, **runner,
                              standardize_with(standardizer, frequencies));
  Status written = write_records(options.out, *records);
  if (!written.ok()) return fail(written.ToString());
  if (!summary.ok()) return fail(summary.status().ToString() + " (completed answers were written)");
  print_summary(*summary, first.studies.size(), options.out);
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
  app.add_option("--config", options->config, "LLM configuration (TOML)")->required();
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
  app.add_option("--lexicon", options->lexicon_dir, "Lexicon directory (default: embedded)");
  command.run = [options] { return run_followup_command(*options); };
  return command;
}

}  // namespace cxrvqa::app
