// cxrvqa eval: scores a KeyInfo JSONL (--pred) or a question file (--questions) against gold
// labels (IU MeSH, Open-i 14 labels, or another KeyInfo file) and prints the figures.
#include <cstdio>
#include <memory>
#include <optional>
#include <string>

#include "command.h"
#include "options.h"
#include "eval/evaluation.h"
#include "eval/question_eval.h"

namespace cxrvqa::app {

namespace {

struct EvalArgs {
  std::string gold;
  std::string format;
  std::string pred;
  std::string questions;
  std::string map;
  std::string lexicon;
  size_t examples = 5;
  bool json = false;
  bool uncertain_as_positive = false;
};

int print(const std::string& text) {
  std::fputs(text.c_str(), stdout);
  return kExitOk;
}

int run_question_eval(const EvalArgs& args, GoldFormat format) {
  QuestionEvalOptions options;
  options.questions = args.questions;
  options.gold = args.gold;
  options.format = format;
  options.map = optional_path(args.map);
  options.lexicon_dir = optional_path(args.lexicon);
  options.examples = args.examples;
  auto summary = RunQuestionEval(options);
  if (!summary.ok()) return fail(summary.status().ToString());
  return print(args.json ? summary->ToJson().dump(2) + "\n" : summary->ToString());
}

int run_eval(const EvalArgs& args) {
  auto format = parse_gold_format(args.format);
  if (!format.ok()) return fail(format.status().message());
  if (args.pred.empty() == args.questions.empty()) {
    std::fputs("error: give either --pred (KeyInfo) or --questions (a question file)\n", stderr);
    return kExitUsage;
  }
  if (!args.questions.empty()) return run_question_eval(args, *format);
  EvalRequest request;
  request.gold = args.gold;
  request.format = *format;
  request.pred = args.pred;
  request.map = optional_path(args.map);
  request.lexicon_dir = optional_path(args.lexicon);
  request.options.uncertain_as_positive = args.uncertain_as_positive;
  auto outcome = run_evaluation(request);
  if (!outcome.ok()) return fail(outcome.status().ToString());
  return print(args.json ? eval_json(*outcome).dump(2) + "\n" : format_eval_text(*outcome));
}

}  // namespace

Command add_eval_command(CLI::App& parent) {
  auto args = std::make_shared<EvalArgs>();
  Command command;
  CLI::App* app = parent.add_subcommand(
      "eval", "Score a KeyInfo JSONL (--pred: per-finding P/R/F1, micro/macro F1, normal, "
              "laterality and severity accuracy) or a question file (--questions: answer "
              "accuracy per question form and type) against gold labels");
  app->add_option("--gold", args->gold, "Gold file (CSV for iu-mesh/openi14, JSONL for keyinfo)")
      ->required()
      ->check(CLI::ExistingFile);
  app->add_option("--gold-format", args->format, "iu-mesh | openi14 | keyinfo")
      ->required()
      ->check(CLI::IsMember({"iu-mesh", "openi14", "keyinfo"}));
  app->add_option("--pred", args->pred, "Predicted KeyInfo JSONL")->check(CLI::ExistingFile);
  app->add_option("--questions", args->questions,
                  "Question file to score (questions.csv or .jsonl, any preset, or the "
                  "released 5-column CSV)")
      ->check(CLI::ExistingFile);
  app->add_option("--map", args->map,
                  "Gold term -> official finding names CSV (default: the embedded map for the format)")
      ->check(CLI::ExistingFile);
  app->add_option("--lexicon", args->lexicon,
                  "Lexicon directory whose subtype parents name findings the map does not know "
                  "(default: the embedded lexicon)")
      ->check(CLI::ExistingDirectory);
  app->add_option("--examples", args->examples, "Wrong answers listed per question form (--questions)")
      ->check(CLI::Range(0, 1000));
  app->add_flag("--json", args->json, "Print the figures as JSON");
  app->add_flag("--uncertain-as-positive", args->uncertain_as_positive,
                "Count uncertain findings as predicted positive (--pred; default: negative)");
  command.app = app;
  command.run = [args] { return run_eval(*args); };
  return command;
}

}  // namespace cxrvqa::app
