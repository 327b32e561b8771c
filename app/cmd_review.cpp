// cxrvqa review sample|serve|report: clinician review of a dataset (src/review).
#include <pthread.h>
#include <signal.h>

#include <cstdio>
#include <memory>
#include <string>
#include <thread>

#include "command.h"
#include "options.h"
#include "summary_output.h"
#include "followup_cli.h"
#include "review/review.h"
#include "review/server.h"

namespace cxrvqa::app {
namespace {

struct ReviewArgs {
  // sample
  std::string dataset, db, exclude, corpus, reports, metadata, lexicon;
  size_t n = 100;
  size_t per_type = 0;
  uint64_t seed = 0;
  // serve
  std::string reviewer, host = "127.0.0.1";
  int port = 0;
  unsigned threads = 16;
  // report
  std::string report_reviewer, gold_out, questions_out;
  bool json = false;
};

int run_sample(const ReviewArgs& args) {
  ReviewSampleOptions options;
  options.dataset = args.dataset;
  options.db = args.db;
  options.n = args.n;
  if (args.per_type > 0) options.per_type = args.per_type;
  options.seed = args.seed;
  options.exclude = optional_path(args.exclude);
  if (!args.corpus.empty()) {
    auto kind = parse_corpus_kind(args.corpus);
    if (!kind.ok()) return fail(kind.status().message());
    options.corpus = *kind;
  }
  options.reports = optional_path(args.reports);
  options.metadata = optional_path(args.metadata);
  options.lexicon_dir = optional_path(args.lexicon);
  return print_result(RunReviewSample(options), args.json);
}

// Serves until SIGINT or SIGTERM: the signals are taken by a thread of their own, so that
// the server stops cleanly (every verdict is committed as it comes in any case).
int run_serve(const ReviewArgs& args) {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  ReviewServeOptions options{args.db, args.reviewer, args.host, args.port, args.threads};
  auto server = ReviewServer::Open(options);
  if (!server.ok()) return fail(server.status().ToString());
  std::printf("review serve: reviewer %s, %s\nopen this address in a browser on this machine (the token "
              "in it is needed; stop with Ctrl+C):\n%s\n",
              args.reviewer.c_str(), args.db.c_str(), (*server)->url().c_str());
  std::fflush(stdout);
  std::thread stopper([&signals, &server] {
    int signal = 0;
    sigwait(&signals, &signal);
    (*server)->Stop();
  });
  Status served = (*server)->Run();
  pthread_kill(stopper.native_handle(), SIGTERM);  // wakes the stopper when Run ended by itself
  stopper.join();
  std::printf("review serve: stopped; %zu verdicts recorded in this session\n", (*server)->verdicts_recorded());
  if (!served.ok()) return fail(served.ToString());
  return kExitOk;
}

int run_report(const ReviewArgs& args) {
  ReviewReportOptions options;
  options.db = args.db;
  if (!args.report_reviewer.empty()) options.reviewer = args.report_reviewer;
  options.gold_out = optional_path(args.gold_out);
  options.questions_out = optional_path(args.questions_out);
  options.lexicon_dir = optional_path(args.lexicon);
  return print_result(RunReviewReport(options), args.json);
}

}  // namespace

Command add_review_command(CLI::App& parent) {
  auto args = std::make_shared<ReviewArgs>();
  Command command;
  command.app = parent.add_subcommand("review", "Clinician review of a dataset: sample, serve, report");
  command.app->require_subcommand(1);

  CLI::App* sample = command.app->add_subcommand(
      "sample", "Draw a seeded sample stratified by question type into a review file (SQLite)");
  sample->add_option("--dataset", args->dataset, "Pipeline output folder (manifest.json, keyinfo.jsonl, questions)")
      ->required()->check(CLI::ExistingDirectory);
  sample->add_option("--db", args->db, "Review file to create")->required();
  auto* n = sample->add_option("--n", args->n, "Studies in all, shared out over the question types")
                ->default_val(100)->check(CLI::PositiveNumber);
  sample->add_option("--per-type", args->per_type, "Instead of --n: this many studies per question type")
      ->check(CLI::PositiveNumber)->excludes(n);
  add_seed_option(*sample, args->seed, "sample")->default_val(0);
  sample->add_option("--exclude", args->exclude, "File of study ids never to sample (e.g. the golden set)")
      ->check(CLI::ExistingFile);
  // The corpus, when it is not where manifest.json says.
  add_corpus_option(*sample, args->corpus);
  add_reports_option(*sample, args->reports);
  add_metadata_option(*sample, args->metadata);
  add_lexicon_option(*sample, args->lexicon);
  sample->add_flag("--json", args->json, "Print the summary as JSON");

  CLI::App* serve = command.app->add_subcommand("serve", "Serve the review page on this machine (loopback only)");
  serve->add_option("--db", args->db, "Review file made by `review sample`")->required()->check(CLI::ExistingFile);
  serve->add_option("--reviewer", args->reviewer, "Your name: verdicts are recorded under it")->required();
  serve->add_option("--port", args->port, "Port (default: any free port)")->default_val(0);
  serve->add_option("--host", args->host, "Loopback address to bind: 127.0.0.1 (default), ::1 or localhost")
      ->default_val("127.0.0.1");
  serve->add_option("--threads", args->threads, "Request threads")->default_val(16)->check(CLI::Range(2, 256));

  CLI::App* report = command.app->add_subcommand(
      "report", "Accuracy per question type (95 % Wilson intervals), per-finding errors, agreement, exports");
  report->add_option("--db", args->db, "Review file")->required()->check(CLI::ExistingFile);
  report->add_option("--reviewer", args->report_reviewer, "Only this reviewer's verdicts (default: everyone's)");
  report->add_option("--gold-out", args->gold_out,
                     "Write the reviewed studies' KeyInfo with corrections (for eval --gold-format keyinfo)");
  report->add_option("--questions-out", args->questions_out,
                     "Write the reviewed pairs with corrected answers (.csv or .jsonl)");
  add_lexicon_option(*report, args->lexicon);
  report->add_flag("--json", args->json, "Print the figures as JSON");

  command.run = [args, sample, serve] {
    if (sample->parsed()) return run_sample(*args);
    if (serve->parsed()) return run_serve(*args);
    return run_report(*args);
  };
  return command;
}

}  // namespace cxrvqa::app
