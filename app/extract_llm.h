// The LLM branch of `cxrvqa extract` (--extractor llm). cmd_extract.cpp owns the shared
// options and calls these two functions; cmd_extract_llm.cpp implements them.
#pragma once

#include <CLI/CLI.hpp>

#include <filesystem>
#include <optional>
#include <string>

namespace cxrvqa::app {

// Options every extractor shares, filled by cmd_extract.cpp.
struct ExtractCommonOptions {
  std::string corpus_kind = "mimic";          // mimic | iu | csv | jsonl
  std::filesystem::path reports;              // corpus path (tree root or file)
  std::optional<std::filesystem::path> metadata;  // mimic_all.csv
  std::filesystem::path out;                  // KeyInfo JSONL to write
  std::optional<std::filesystem::path> lexicon_dir;
  unsigned threads = 0;                       // 0 = all cores
};

// Options only the LLM extractor reads; filled by the flags add_llm_extract_options adds.
struct ExtractLlmOptions;

// Adds the LLM-only flags (--config, --concurrency, --limit, --sample, --seed, --ids,
// --system-prompt, --json-schema, ...) to the extract subcommand. Returns the storage the
// flags write into; it lives as long as the program.
ExtractLlmOptions& add_llm_extract_options(CLI::App& extract);

// Runs the LLM extraction; returns the exit code.
int run_llm_extract(const ExtractCommonOptions& common, const ExtractLlmOptions& llm);

}  // namespace cxrvqa::app
