// cxrvqa eval: scores a KeyInfo JSONL (--pred: RunLabelEval) or a question file (--questions:
// RunQuestionEval) against gold labels (IU MeSH, Open-i 14 labels, or another KeyInfo file)
// and prints the figures.
#include <cstdio>
#include <memory>
#include <optional>
#include <string>

#include "command.h"
#include "options.h"
#include "summary_output.h"
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

int run_question_eval(const EvalArgs& args, GoldFormat format) {
  QuestionEvalOptions options;
  options.questions = args.questions;
  options.gold = args.gold;
  options.format = format;
  options.map = optional_path(args.map);
  options.lexicon_dir = optional_path(args.lexicon);
  options.examples = args.examples;
  return print_result(RunQuestionEval(options), args.json);
}

int run_label_eval(const EvalArgs& args, GoldFormat format) {
  LabelEvalOptions options;
  options.gold = args.gold;
  options.format = format;
  options.pred = args.pred;
  options.map = optional_path(args.map);
  options.lexicon_dir = optional_path(args.lexicon);
  options.scoring.uncertain_as_positive = args.uncertain_as_positive;
  return print_result(RunLabelEval(options), args.json);
}

int run_eval(const EvalArgs& args) {
  auto format = parse_gold_format(args.format);
  if (!format.ok()) return fail(format.status().message());
  if (args.pred.empty() == args.questions.empty()) {
    std::fputs("error: give either --pred (KeyInfo) or --questions (a question file)\n", stderr);
    return kExitUsage;
  }
  return args.questions.empty() ? run_label_eval(args, *format) : run_question_eval(args, *format);
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
