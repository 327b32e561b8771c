// How cxrvqa subcommands plug into the program: each cmd_*.cpp defines one factory that adds
// its subcommand (options included) to the CLI and returns what to run when it is chosen.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <string>

namespace cxrvqa::app {

// Exit codes shared by all subcommands.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;   // the run failed (bad input, I/O, server refused)
inline constexpr int kExitUsage = 2;     // bad options

struct Command {
  CLI::App* app = nullptr;        // the subcommand, to know whether it was chosen
  std::function<int()> run;       // runs it after parsing; returns the exit code
};

Command add_prepare_metadata_command(CLI::App& parent);
Command add_extract_command(CLI::App& parent);
Command add_eval_command(CLI::App& parent);
Command add_standardize_command(CLI::App& parent);
Command add_libraries_command(CLI::App& parent);
Command add_questions_command(CLI::App& parent);
Command add_stats_command(CLI::App& parent);
Command add_compare_command(CLI::App& parent);
Command add_synth_command(CLI::App& parent);
Command add_pipeline_command(CLI::App& parent);
Command add_batch_command(CLI::App& parent);
Command add_followup_command(CLI::App& parent);
Command add_golden_command(CLI::App& parent);
Command add_finetune_data_command(CLI::App& parent);
Command add_review_command(CLI::App& parent);
Command add_export_command(CLI::App& parent);
Command add_score_command(CLI::App& parent);
Command add_report_command(CLI::App& parent);

// Prints "error: <message>" to standard error (never report text) and returns kExitFailure.
int fail(const std::string& message);

}  // namespace cxrvqa::app
