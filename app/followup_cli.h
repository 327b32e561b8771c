// Options and input handling shared by the followup, golden and finetune-data subcommands.
#pragma once

#include <CLI/CLI.hpp>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "corpus/report.h"
#include "sections/report_texts.h"
#include "keyinfo/keyinfo.h"

namespace cxrvqa::app {

struct CorpusOptions {
  std::string kind = "mimic";
  std::string reports;
  std::string metadata;
};

// Adds --corpus, --reports (required) and --metadata to `command`.
void add_corpus_options(CLI::App& command, CorpusOptions& options);

// The corpus the options name; InvalidArgument for an unknown corpus kind.
Result<CorpusSource> corpus_source(const CorpusOptions& options);

// Reads a KeyInfo JSONL file; each unusable line is logged as a warning (first few) and
// counted in `skipped_lines`.
Result<std::vector<KeyInfo>> read_keyinfo_logged(const std::filesystem::path& path,
                                                 size_t& skipped_lines);

// Logs corpus issues (first few as warnings, then a count).
void log_corpus_issues(const std::vector<CorpusIssue>& issues);

}  // namespace cxrvqa::app
