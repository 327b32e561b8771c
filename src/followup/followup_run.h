// The follow-up stage as one file-level run (used by `cxrvqa followup` and the pipeline): reads
// the LLM's and the reference KeyInfo files, reads the report texts of the studies that
// disagree, asks the LLM again through a ChatRunner built from an LLM config, standardizes its
// answers and writes the updated KeyInfo set atomically.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "followup/followup.h"
#include "sections/report_texts.h"
#include "keyinfo/keyinfo.h"
#include "lexicon/lexicon.h"
#include "llm/config.h"

namespace cxrvqa {

struct FollowupOptions {
  CorpusSource corpus;                                 // where the report texts come from
  std::filesystem::path llm_keyinfo;                   // KeyInfo JSONL of the LLM extractor
  std::filesystem::path reference;                     // KeyInfo JSONL of the rules extractor
  std::filesystem::path out;                           // updated KeyInfo JSONL
  llm::LlmConfig config;
  std::optional<std::filesystem::path> system_prompt;  // used verbatim; else embedded
  std::optional<std::filesystem::path> prompts_dir;    // holds followup.txt; else embedded
  std::shared_ptr<const Lexicon> lexicon;              // required
  int rounds = 1;
  bool per_finding = false;
  // Told the hosts that will receive report text, before any request is sent.
  std::function<void(const std::vector<std::string>& hosts)> on_hosts;
};

// Reads a KeyInfo JSONL file; unusable lines are counted in `skipped_lines` and the first few
// logged as warnings (file and line).
Result<std::vector<KeyInfo>> read_keyinfo_warned(const std::filesystem::path& path,
                                                 size_t& skipped_lines);
// Logs the first few corpus issues as warnings, then their count.
void warn_corpus_issues(const std::vector<CorpusIssue>& issues);

// Runs the follow-up. Unusable input lines and corpus issues are counted and the first few logged as
// warnings (file and line, no report text). When the runner stops on a fatal server answer the
// records completed so far are still written and the error says so.
Result<FollowupSummary> RunFollowup(const FollowupOptions& options);

}  // namespace cxrvqa
