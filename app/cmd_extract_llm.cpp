// The LLM branch of `cxrvqa extract`: options, config overrides, and the run summary.
#include "extract_llm.h"

#include <cstdio>

#include "command.h"
#include "options.h"
#include "summary_output.h"
#include "common/progress.h"
#include "llm/extract_run.h"
#include "llm/extraction.h"

namespace cxrvqa::app {

struct ExtractLlmOptions {
  std::filesystem::path config;
  std::optional<int> concurrency;
  size_t limit = 0;
  size_t sample = 0;
  uint64_t seed = 0;
  std::optional<std::filesystem::path> ids;
  std::optional<std::filesystem::path> system_prompt;
  std::optional<std::string> json_schema;
  std::optional<std::filesystem::path> cache;
  std::optional<std::filesystem::path> failures;
};

ExtractLlmOptions& add_llm_extract_options(CLI::App& extract) {
  static ExtractLlmOptions options;
  auto group = "LLM extractor";
  add_llm_config_option(extract, options.config, /*accept_config_alias=*/true)->group(group);
  extract.add_option("--concurrency", options.concurrency, "Requests in flight (overrides the config; default 16)")
      ->check(CLI::PositiveNumber)
      ->group(group);
  extract.add_option("--limit", options.limit, "Only the first N studies")->group(group);
  extract.add_option("--sample", options.sample, "A seeded random sample of N studies")->group(group);
  add_seed_option(extract, options.seed, "--sample draw")->group(group);
  extract.add_option("--ids", options.ids, "Only the study ids listed in FILE (one per line)")->group(group);
  extract.add_option("--system-prompt", options.system_prompt,
                     "System prompt file, used verbatim (default: the embedded prompt)")
      ->group(group);
  extract.add_option("--json-schema", options.json_schema, "Constrain answers with the KeyInfo JSON schema: on, off, auto")
      ->check(CLI::IsMember({"on", "off", "auto"}))
      ->group(group);
  extract.add_option("--cache", options.cache, "Answer cache (SQLite; overrides the config)")->group(group);
  extract.add_option("--failures", options.failures, "Failed studies JSONL (default: <out>.failures.jsonl)")
      ->group(group);
  return options;
}

int run_llm_extract(const ExtractCommonOptions& common, const ExtractLlmOptions& options) {
  if (options.config.empty()) return fail("--extractor llm needs --config FILE (see examples/llm-vllm.toml)");
  auto config = llm::load_llm_config(options.config);
  if (!config.ok()) return fail(config.status().message());
  auto corpus = parse_corpus_kind(common.corpus_kind);
  if (!corpus.ok()) return fail(corpus.status().message());
  llm::LlmExtractionOptions run;
  run.config = std::move(config).value();
  if (options.concurrency) run.config.concurrency = *options.concurrency;
  if (options.cache) run.config.cache = *options.cache;
  if (options.json_schema) run.config.json_schema = llm::parse_json_schema_mode(*options.json_schema).value();
  run.selection = llm::StudySelection{*corpus, common.reports, common.metadata, options.limit, options.sample,
                                      options.seed, options.ids};
  run.system_prompt = options.system_prompt;
  run.out = common.out;
  run.failures = options.failures.value_or(llm::default_failures_file(common.out));
  run.progress = stderr_is_terminal();
  if (run.config.cache.empty()) {
    std::fputs("warning: no cache configured: answers are not kept and a re-run asks again\n", stderr);
  }
  run.on_error = print_summary_to_stderr<llm::LlmExtractionSummary>;  // the counts so far, then the error
  auto summary = llm::RunLlmExtraction(run);
  if (!summary.ok()) return fail(summary.status().ToString());
  print_summary_to_stderr(*summary);
  if (summary->attempted() > 0 && summary->failed == summary->attempted()) {
    return fail("every study failed (first error: " + summary->first_failure + "); run again when the server answers");
  }
  return kExitOk;
}

}  // namespace cxrvqa::app
