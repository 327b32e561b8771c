// cxrvqa: builds chest X-ray VQA datasets from radiology reports. A thin CLI over the library.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <exception>
#include <vector>

#include "command.h"

namespace cxrvqa::app {

int fail(const std::string& message) {
  std::fprintf(stderr, "error: %s\n", message.c_str());
  return kExitFailure;
}

namespace {

void configure_logging(int verbosity, bool quiet) {
  auto logger = spdlog::stderr_color_mt("cxrvqa");
  logger->set_pattern("%^%l%$: %v");
  spdlog::level::level_enum level = spdlog::level::info;
  if (quiet) level = spdlog::level::warn;
  if (verbosity == 1) level = spdlog::level::debug;
  if (verbosity >= 2) level = spdlog::level::trace;
  logger->set_level(level);
  spdlog::set_default_logger(logger);
}

int run(int argc, char** argv) {
  CLI::App cli{"cxrvqa: build chest X-ray visual question answering datasets from radiology reports"};
  cli.set_version_flag("--version", std::string("cxrvqa ") + CXRVQA_VERSION);
  cli.require_subcommand(1);
  int verbosity = 0;
  bool quiet = false;
  cli.add_flag("-v,--verbose", verbosity, "More log output (-vv for trace; debug level may show report text)");
  cli.add_flag("-q,--quiet", quiet, "Only warnings and errors");

  std::vector<Command> commands = {
      add_prepare_metadata_command(cli), add_extract_command(cli),   add_eval_command(cli),
      add_standardize_command(cli),      add_libraries_command(cli), add_questions_command(cli),
      add_stats_command(cli),            add_synth_command(cli),     add_pipeline_command(cli),
      add_batch_command(cli),            add_followup_command(cli),  add_golden_command(cli),
      add_finetune_data_command(cli),    add_review_command(cli),    add_compare_command(cli),
      add_export_command(cli),           add_score_command(cli),     add_report_command(cli),
  };
  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return cli.exit(e) == 0 ? kExitOk : kExitUsage;
  }
  configure_logging(verbosity, quiet);
  for (const auto& command : commands) {
    if (command.app->parsed()) return command.run();
  }
  return kExitUsage;
}

}  // namespace
}  // namespace cxrvqa::app

// The library reports errors as Status; anything thrown past it (std::bad_alloc, a
// std::stoull on a bad number, a bug) still ends the program with a message and exit 1.
int main(int argc, char** argv) {
  try {
    return cxrvqa::app::run(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: internal: %s\n", e.what());
  } catch (...) {
    std::fprintf(stderr, "error: internal: unknown exception\n");
  }
  return cxrvqa::app::kExitFailure;
}
