// cxrvqa score: a VQA model's answers against the gold questions.
#include <memory>
#include <string>

#include "command.h"
#include "score/score.h"
#include "summary_output.h"

namespace cxrvqa::app {

namespace {

struct ScoreCliOptions {
  std::string gold, predictions;
  bool json = false;
};

int run_score(const ScoreCliOptions& cli) {
  return print_result(RunScore({cli.gold, cli.predictions}), cli.json);
}

}  // namespace

Command add_score_command(CLI::App& parent) {
  auto options = std::make_shared<ScoreCliOptions>();
  Command command;
  command.app = parent.add_subcommand(
      "score", "Score VQA predictions: closed/open accuracy per type and split, BLEU/ROUGE-L/CIDEr-D of difference answers");
  auto* app = command.app;
  app->add_option("--gold", options->gold, "questions.csv/.jsonl with answers (or test_answer_key.csv)")->required();
  app->add_option("--pred", options->predictions,
                  "Predictions .csv or .jsonl: question_id (or study_id + question) and answer")
      ->required();
  app->add_flag("--json", options->json, "Print every figure and every missing/extra id as JSON");
  command.run = [options] { return run_score(*options); };
  return command;
}

}  // namespace cxrvqa::app
