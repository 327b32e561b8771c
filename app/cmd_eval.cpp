// cxrvqa eval: scores a KeyInfo JSONL against gold labels (IU MeSH, Open-i 14 labels, or
// another KeyInfo file) and prints per-finding and summary figures.
#include <cstdio>
#include <memory>
#include <optional>
#include <string>

#include "command.h"
#include "eval/evaluation.h"

namespace cxrvqa::app {

namespace {

struct EvalArgs {
  std::string gold;
  std::string format;
  std::string pred;
  std::string map;
  bool json = false;
  bool uncertain_as_positive = false;
};

int run_eval(const EvalArgs& args) {
  auto format = parse_gold_format(args.format);
  if (!format.ok()) return fail(format.status().message());
  EvalRequest request;
  request.gold = args.gold;
  request.format = *format;
  request.pred = args.pred;
  if (!args.map.empty()) request.map = args.map;
  request.options.uncertain_as_positive = args.uncertain_as_positive;
  auto outcome = run_evaluation(request);
  if (!outcome.ok()) return fail(outcome.status().ToString());
  std::string text = args.json ? eval_json(*outcome).dump(2) + "\n" : format_eval_text(*outcome);
  std::fputs(text.c_str(), stdout);
  return kExitOk;
}

}  // namespace

Command add_eval_command(CLI::App& parent) {
  auto args = std::make_shared<EvalArgs>();
  Command command;
  CLI::App* app = parent.add_subcommand(
      "eval", "Score a KeyInfo JSONL against gold labels (per-finding P/R/F1, micro/macro F1, "
              "normal accuracy, laterality and severity accuracy)");
  app->add_option("--gold", args->gold, "Gold file (CSV for iu-mesh/openi14, JSONL for keyinfo)")
      ->required()
      ->check(CLI::ExistingFile);
  app->add_option("--gold-format", args->format, "iu-mesh | openi14 | keyinfo")
      ->required()
      ->check(CLI::IsMember({"iu-mesh", "openi14", "keyinfo"}));
  app->add_option("--pred", args->pred, "Predicted KeyInfo JSONL")->required()->check(CLI::ExistingFile);
  app->add_option("--map", args->map,
                  "Gold term -> official finding names CSV (default: the embedded map for the format)")
      ->check(CLI::ExistingFile);
  app->add_flag("--json", args->json, "Print the figures as JSON");
  app->add_flag("--uncertain-as-positive", args->uncertain_as_positive,
                "Count uncertain findings as predicted positive (default: negative)");
  command.app = app;
  command.run = [args] { return run_eval(*args); };
  return command;
}

}  // namespace cxrvqa::app
