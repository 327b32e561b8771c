// The options that several commands share, declared in one place: one spelling, one help
// text and one check for each (--corpus, --reports, --metadata, --lexicon, --seed,
// --threads, --llm-config, --ap-keep-rate, --preset), and one way to print the first
// problems of a run. Commands declare their own options only when no other command has them.
#pragma once

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace cxrvqa::app {

// Each add_*_option declares one shared option on `app`, bound to `value` (any type CLI11
// can fill: strings, paths, optionals, integers), and returns it for command-specific
// additions (->required(), ->group(...)).

// --corpus: the corpus layout, one of the kinds the library reads.
template <typename T>
CLI::Option* add_corpus_option(CLI::App& app, T& value) {
  return app.add_option("--corpus", value, "Corpus layout: mimic, iu, r2gen, csv or jsonl (default mimic)")
      ->check(CLI::IsMember({"mimic", "iu", "r2gen", "csv", "jsonl"}, CLI::ignore_case));
}

// --reports: the report tree (mimic) or file (iu, csv, jsonl; r2gen: annotation.json).
template <typename T>
CLI::Option* add_reports_option(CLI::App& app, T& value) {
  return app.add_option("--reports", value, "Report tree (mimic) or file (iu, csv, jsonl; r2gen: annotation.json)");
}

// --metadata: mimic_all.csv; `use` says what the command takes from it.
template <typename T>
CLI::Option* add_metadata_option(CLI::App& app, T& value,
                                 std::string_view use = "views, splits, study order") {
  return app.add_option("--metadata", value, "mimic_all.csv (" + std::string(use) + ")");
}

// --lexicon: a lexicon folder instead of the embedded one.
template <typename T>
CLI::Option* add_lexicon_option(CLI::App& app, T& value) {
  return app.add_option("--lexicon", value, "Lexicon folder (default: the embedded lexicon)");
}

// --seed; `seeds` says what it seeds.
template <typename T>
CLI::Option* add_seed_option(CLI::App& app, T& value, std::string_view seeds = "sampling") {
  return app.add_option("--seed", value,
                        "Seed of the " + std::string(seeds) + " (same inputs and seed: same output; default 0)");
}

// --threads: worker threads, 0 = all cores.
template <typename T>
CLI::Option* add_threads_option(CLI::App& app, T& value) {
  return app.add_option("--threads", value, "Worker threads (0 = all cores, the default)");
}

// --llm-config: the LLM configuration TOML. The LLM commands (extract --extractor llm, batch,
// followup) also accept it as --config, their earlier name; the pipeline's --config is its
// own TOML file.
template <typename T>
CLI::Option* add_llm_config_option(CLI::App& app, T& value, bool accept_config_alias) {
  return app.add_option(accept_config_alias ? "--llm-config,--config" : "--llm-config", value,
                        "LLM configuration (TOML: endpoints, allow_hosts, cache ...)")
      ->check(CLI::ExistingFile);
}

// --ap-keep-rate: a number in [0, 1], or "auto" (parse_ap_keep_rate reads it).
CLI::Option* add_ap_keep_rate_option(CLI::App& app, std::string& value);

// --preset: cxrvqa, medical-cxr-vqa or medical-diff-vqa.
CLI::Option* add_preset_option(CLI::App& app, std::string& value);

// An optional path from a string option ("" = not given).
std::optional<std::filesystem::path> optional_path(const std::string& value);

// The value of --ap-keep-rate: nullopt for "auto", else the rate; InvalidArgument otherwise.
Result<std::optional<double>> parse_ap_keep_rate(const std::string& text);

// How many problems of one kind a command prints before "N more".
inline constexpr size_t kProblemsShown = 20;

// Logs the first kProblemsShown `problems` (anything with ToString()) as warnings, then how
// many more of `what` were not shown.
template <typename Problem>
void warn_first_problems(std::string_view what, const std::vector<Problem>& problems) {
  for (size_t i = 0; i < problems.size() && i < kProblemsShown; ++i) spdlog::warn("{}", problems[i].ToString());
  if (problems.size() > kProblemsShown) {
    spdlog::warn("{} more {} not shown", problems.size() - kProblemsShown, what);
  }
}

}  // namespace cxrvqa::app
