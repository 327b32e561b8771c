// cxrvqa export: a dataset folder as LLaVA conversations, a Hugging Face dataset or JSONL.
#include <memory>
#include <string>

#include "command.h"
#include "export/export.h"
#include "summary_output.h"

namespace cxrvqa::app {

namespace {

struct ExportCliOptions {
  std::string dataset, out_dir, format, image_root, image_layout;
  bool blind = false;
  bool json = false;
};

int run_export(const ExportCliOptions& cli) {
  ExportOptions options;
  options.dataset = cli.dataset;
  options.out_dir = cli.out_dir;
  options.image_root = cli.image_root;
  options.blind = cli.blind;
  auto format = parse_export_format(cli.format);
  if (!format.ok()) return fail(format.status().message());
  options.format = *format;
  if (!cli.image_layout.empty()) {
    auto layout = parse_image_layout(cli.image_layout);
    if (!layout.ok()) return fail(layout.status().message());
    options.image_layout = *layout;
  }
  return print_result(RunExport(options), cli.json);
}

}  // namespace

Command add_export_command(CLI::App& parent) {
  auto options = std::make_shared<ExportCliOptions>();
  Command command;
  command.app = parent.add_subcommand(
      "export", "Write a dataset folder as training data: LLaVA conversations, a Hugging Face dataset or JSONL");
  auto* app = command.app;
  app->add_option("--dataset", options->dataset, "Pipeline output folder (questions, manifest, keyinfo)")->required();
  app->add_option("--out-dir", options->out_dir, "Output folder")->required();
  app->add_option("--format", options->format, "llava, hf or jsonl")
      ->required()
      ->check(CLI::IsMember({"llava", "hf", "jsonl"}));
  app->add_option("--image-root", options->image_root,
                  "Prefix of image paths (e.g. the MIMIC-CXR-JPG folder holding files/); default: relative paths");
  app->add_option("--image-layout", options->image_layout,
                  "mimic-cxr-jpg or iu-xray; default: from the corpus in the manifest");
  app->add_flag("--blind", options->blind, "Test split without answers, answers in test_answer_key.csv");
  app->add_flag("--json", options->json, "Print the summary as JSON");
  command.run = [options] { return run_export(*options); };
  return command;
}

}  // namespace cxrvqa::app
