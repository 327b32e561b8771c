// `cxrvqa score` on 1,000,000 predictions, one core: the whole job (reading the gold CSV and
// the predictions, matching, accuracy, BLEU/ROUGE-L/CIDEr-D of the difference answers) as
// RunScore does it for the command. The gold questions come from the question generator
// over synthetic KeyInfo; the predictions answer 85 % right, the rest wrong or shortened.
// Target: under 5 s per run (the "seconds" counter).
#include <benchmark/benchmark.h>

#include <chrono>
#include <filesystem>

#include "../tests/questions/fixtures.h"
#include "common/csv.h"
#include "common/file_io.h"
#include "common/rng.h"
#include "keyinfo/keyinfo.h"
#include "libraries/libraries.h"
#include "questions/questions.h"
#include "score/score.h"

namespace cxrvqa {
namespace {

namespace fs = std::filesystem;

constexpr size_t kPredictions = 1000000;

// A prediction for `q`: right, wrong or (free text) missing its last words.
std::string predicted_answer(const Question& q, SplitMix64& rng) {
  double roll = rng.Unit();
  if (roll < 0.85) return q.answer;
  if (q.answer == "yes" || q.answer == "no") return q.answer == "yes" ? "no" : "yes";
  if (roll < 0.95) return q.answer.substr(0, q.answer.size() / 2);
  return "no";
}

struct Files {
  fs::path dir, gold, jsonl, csv;
  Files() {
    const char* base = std::getenv("BENCH_DIR");
    dir = fs::path(base ? base : fs::temp_directory_path().string()) / "cxrvqa-score-bench";
    gold = dir / "questions.csv";
    jsonl = dir / "predictions.jsonl";
    csv = dir / "predictions.csv";
    std::vector<StudyRecord> metadata;
    std::vector<KeyInfo> records = testing::fixture_records(kPredictions / 3, &metadata, 5);
    QuestionVocabulary vocabulary = QuestionVocabulary::FromLibraries(compute_libraries(records, nullptr), 1);
    auto studies = prepare_question_studies(records, metadata, nullptr);
    std::vector<Question> questions = generate_questions(studies, vocabulary, QuestionOptions{}, nullptr);
    if (questions.size() < kPredictions) std::abort();  // the fixture always gives enough
    questions.resize(kPredictions);
    if (!write_questions(gold, questions, QuestionFormat::kCsv, 0).ok()) std::abort();
    SplitMix64 rng(9);
    std::string jsonl_text, csv_text = "question_id,answer\n";
    for (const Question& q : questions) {
      std::string answer = predicted_answer(q, rng);
      jsonl_text += "{\"question_id\":";
      append_json_string(jsonl_text, q.question_id);
      jsonl_text += ",\"answer\":";
      append_json_string(jsonl_text, answer);
      jsonl_text += "}\n";
      csv_text += csv_escape(q.question_id) + "," + csv_escape(answer) + "\n";
    }
    if (!write_file_atomic(jsonl, jsonl_text).ok() || !write_file_atomic(csv, csv_text).ok()) std::abort();
  }
};

const Files& files() {
  static const Files data;
  return data;
}

void score(benchmark::State& state, const fs::path& predictions) {
  const Files& in = files();
  double seconds = 0;
  for (auto _ : state) {
    auto start = std::chrono::steady_clock::now();
    auto summary = RunScore({in.gold, predictions});
    seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (!summary.ok() || summary->matched != kPredictions) {
      state.SkipWithError("scoring failed");
      return;
    }
    benchmark::DoNotOptimize(summary->all.overall().correct);
  }
  state.counters["predictions/s"] =
      benchmark::Counter(static_cast<double>(kPredictions * state.iterations()), benchmark::Counter::kIsRate);
  state.counters["seconds"] = seconds;  // wall time of the last run
}

void BM_ScoreJsonlPredictions(benchmark::State& state) { score(state, files().jsonl); }
void BM_ScoreCsvPredictions(benchmark::State& state) { score(state, files().csv); }
BENCHMARK(BM_ScoreJsonlPredictions)->Unit(benchmark::kSecond)->Iterations(1);
BENCHMARK(BM_ScoreCsvPredictions)->Unit(benchmark::kSecond)->Iterations(1);

}  // namespace
}  // namespace cxrvqa

BENCHMARK_MAIN();
