// cxrvqa report: a dataset folder as one self-contained HTML page with charts.
#include <memory>
#include <string>

#include "command.h"
#include "report/report.h"
#include "summary_output.h"

namespace cxrvqa::app {

namespace {

struct ReportCliOptions {
  std::string dataset, out;
  bool json = false;
};

int run_report(const ReportCliOptions& cli) {
  return print_result(RunReport({cli.dataset, cli.out}), cli.json);
}

}  // namespace

Command add_report_command(CLI::App& parent) {
  auto options = std::make_shared<ReportCliOptions>();
  Command command;
  command.app = parent.add_subcommand("report", "Write a dataset folder's HTML report (inline SVG charts, offline)");
  command.app->add_option("--dataset", options->dataset, "Pipeline output folder")->required();
  command.app->add_option("--out", options->out, "Output HTML file (default: <dataset>/report.html)");
  command.app->add_flag("--json", options->json, "Print the summary as JSON");
  command.run = [options] { return run_report(*options); };
  return command;
}

}  // namespace cxrvqa::app
