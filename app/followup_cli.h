// The corpus options shared by the followup, golden and finetune-data subcommands.
#pragma once

#include <CLI/CLI.hpp>

#include <string>

#include "common/status.h"
#include "corpus/report.h"
#include "sections/report_texts.h"

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

}  // namespace cxrvqa::app
