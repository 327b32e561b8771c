// cxrvqa batch export|import: offline batch engines (vLLM run-batch, OpenAI/Azure Batch).
#include <cstdio>
#include <memory>

#include "command.h"
#include "options.h"
#include "summary_output.h"
#include "corpus/report.h"
#include "llm/batch_run.h"
#include "llm/extraction.h"

namespace cxrvqa::app {
namespace {

struct BatchArgs {
  // export
  std::string corpus_kind = "mimic";
  std::filesystem::path reports;
  std::optional<std::filesystem::path> metadata;
  std::filesystem::path out;
  std::optional<std::filesystem::path> config;
  std::string model;
  std::optional<std::filesystem::path> system_prompt;
  std::optional<std::string> json_schema;
  size_t limit = 0, sample = 0;
  uint64_t seed = 0;
  std::optional<std::filesystem::path> ids;
  // import
  std::filesystem::path results;
  std::optional<std::filesystem::path> cache;
  std::optional<std::filesystem::path> failures;
};

Result<llm::LlmConfig> export_config(const BatchArgs& args) {
  llm::LlmConfig config;
  if (args.config) {
    CXRVQA_ASSIGN_OR_RETURN(auto loaded, llm::load_llm_config(*args.config));
    config = std::move(loaded);
  } else {
    if (args.model.empty()) return Status::InvalidArgument("batch export needs --model NAME or --config FILE");
    config.endpoints.push_back(llm::EndpointConfig{llm::EndpointKind::kOpenAi, "http://127.0.0.1", "", "", "", args.model, ""});
  }
  if (!args.model.empty()) {
    for (auto& endpoint : config.endpoints) endpoint.model = args.model;
    config.model = args.model;
  }
  if (args.json_schema) config.json_schema = llm::parse_json_schema_mode(*args.json_schema).value();
  return config;
}

int run_export(const BatchArgs& args) {
  auto corpus = parse_corpus_kind(args.corpus_kind);
  if (!corpus.ok()) return fail(corpus.status().message());
  auto config = export_config(args);
  if (!config.ok()) return fail(config.status().message());
  llm::BatchExportOptions options{{*corpus, args.reports, args.metadata, args.limit, args.sample, args.seed, args.ids},
                                  std::move(config).value(), args.system_prompt, args.out,
                                  print_summary_to_stderr<llm::BatchExportSummary>};
  auto summary = llm::RunBatchExport(options);
  if (!summary.ok()) return fail(summary.status().ToString());
  print_summary_to_stderr(*summary);
  return kExitOk;
}

int run_import(const BatchArgs& args) {
  llm::BatchImportOptions options;
  options.results = args.results;
  options.metadata = args.metadata;
  options.out = args.out;
  options.failures = args.failures.value_or(llm::default_failures_file(args.out));
  if (args.cache) {
    options.cache = *args.cache;
  } else if (args.config) {
    auto config = llm::load_llm_config(*args.config);
    if (!config.ok()) return fail(config.status().message());
    options.cache = config->cache;
  }
  if (options.cache.empty()) std::fputs("warning: no cache given: answers are not stored for later runs\n", stderr);
  options.on_error = print_summary_to_stderr<llm::BatchImportSummary>;
  auto summary = llm::RunBatchImport(options);
  if (!summary.ok()) return fail(summary.status().ToString());
  print_summary_to_stderr(*summary);
  return kExitOk;
}

}  // namespace

Command add_batch_command(CLI::App& parent) {
  auto args = std::make_shared<BatchArgs>();
  CLI::App* app = parent.add_subcommand("batch", "OpenAI batch JSONL for offline engines (vLLM run-batch, OpenAI/Azure Batch)");
  app->require_subcommand(1);
  CLI::App* out = app->add_subcommand("export", "Write one chat completion request per study (OpenAI batch input JSONL)");
  add_corpus_option(*out, args->corpus_kind)->capture_default_str();
  add_reports_option(*out, args->reports)->required();
  add_metadata_option(*out, args->metadata, "subject, image, view, split of each study");
  out->add_option("--out", args->out, "Batch input JSONL to write")->required();
  add_llm_config_option(*out, args->config, /*accept_config_alias=*/true);
  out->add_option("--model", args->model, "Model name in the requests (overrides the config)");
  out->add_option("--system-prompt", args->system_prompt, "System prompt file, used verbatim");
  out->add_option("--json-schema", args->json_schema, "on, off or auto (auto and on include the schema)")
      ->check(CLI::IsMember({"on", "off", "auto"}));
  out->add_option("--limit", args->limit, "Only the first N studies");
  out->add_option("--sample", args->sample, "A seeded random sample of N studies");
  add_seed_option(*out, args->seed, "--sample draw");
  out->add_option("--ids", args->ids, "Only the study ids listed in FILE");

  CLI::App* in = app->add_subcommand("import", "Read a batch output JSONL into the answer cache and raw KeyInfo JSONL");
  in->add_option("--results", args->results, "Batch output JSONL (joined on custom_id)")->required();
  add_llm_config_option(*in, args->config, /*accept_config_alias=*/true);
  in->add_option("--cache", args->cache, "Answer cache (SQLite) instead of the config's");
  add_metadata_option(*in, args->metadata, "subject, image, view, split of each study");
  in->add_option("--out", args->out, "Raw KeyInfo JSONL to write")->required();
  in->add_option("--failures", args->failures, "Failed results JSONL (default: <out>.failures.jsonl)");

  Command command;
  command.app = app;
  command.run = [args, out, in] {
    if (out->parsed()) return run_export(*args);
    if (in->parsed()) return run_import(*args);
    return kExitUsage;
  };
  return command;
}

}  // namespace cxrvqa::app
