// Question generation speed on one thread over a synthetic KeyInfo set (records/s of CPU time;
// the machine may be shared, so wall time is not the measure).
#include <benchmark/benchmark.h>

#include "../tests/questions/fixtures.h"
#include "libraries/libraries.h"
#include "questions/questions.h"

namespace cxrvqa {
namespace {

constexpr size_t kRecords = 50000;

struct Input {
  std::vector<StudyRecord> metadata;
  std::vector<KeyInfo> records;
  QuestionVocabulary vocabulary;
  Input() {
    records = testing::fixture_records(kRecords, &metadata, 11);
    vocabulary = QuestionVocabulary::FromLibraries(compute_libraries(records, nullptr), 10);
  }
};

const Input& input() {
  static const Input data;
  return data;
}

QuestionOptions one_thread() {
  QuestionOptions options;
  options.threads = 1;
  return options;
}

// The input's records per second of CPU time over all iterations.
void count_records(benchmark::State& state) {
  state.counters["records/s"] = benchmark::Counter(static_cast<double>(input().records.size() * state.iterations()),
                                                   benchmark::Counter::kIsRate);
}

// Metadata join, reference pairing and generation into Question rows (the library API).
void BM_QuestionsAsRows(benchmark::State& state) {
  const Input& in = input();
  QuestionOptions options = one_thread();
  size_t questions = 0;
  for (auto _ : state) {
    auto studies = prepare_question_studies(in.records, in.metadata, nullptr);
    auto generated = generate_questions(studies, in.vocabulary, options, nullptr);
    questions = generated.size();
    benchmark::DoNotOptimize(generated.data());
  }
  count_records(state);
  state.counters["questions"] = static_cast<double>(questions);
}
BENCHMARK(BM_QuestionsAsRows)->Unit(benchmark::kMillisecond);

// Metadata join, reference pairing, generation and CSV formatting straight into text: what
// `cxrvqa questions` does between reading its inputs and writing its output.
void BM_QuestionsGenerateCsvLines(benchmark::State& state) {
  const Input& in = input();
  QuestionOptions options = one_thread();
  size_t bytes = 0;
  for (auto _ : state) {
    auto studies = prepare_question_studies(in.records, in.metadata, nullptr);
    QuestionLines lines = generate_question_lines(studies, in.vocabulary, options, QuestionFormat::kCsv, nullptr);
    bytes = 0;
    for (const std::string& block : lines.blocks) bytes += block.size();
    benchmark::DoNotOptimize(bytes);
  }
  count_records(state);
  state.counters["MB"] = static_cast<double>(bytes) / 1e6;
}
BENCHMARK(BM_QuestionsGenerateCsvLines)->Unit(benchmark::kMillisecond);

// The same for a release preset (state.range(0): 1 = medical-cxr-vqa, 2 = medical-diff-vqa).
void BM_QuestionsReleasePresetCsvLines(benchmark::State& state) {
  const Input& in = input();
  QuestionOptions options = one_thread();
  options.preset = static_cast<QuestionPreset>(state.range(0));
  auto vocabulary = QuestionVocabulary::ForPreset(compute_libraries(in.records, nullptr), 10, options.preset);
  if (!vocabulary.ok()) return state.SkipWithError(vocabulary.status().message().c_str());
  for (auto _ : state) {
    auto studies = prepare_question_studies(in.records, in.metadata, nullptr, options);
    QuestionLines lines = generate_question_lines(studies, *vocabulary, options, QuestionFormat::kCsv, nullptr);
    benchmark::DoNotOptimize(lines.count);
  }
  count_records(state);
  state.SetLabel(std::string(question_preset_name(options.preset)));
}
BENCHMARK(BM_QuestionsReleasePresetCsvLines)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace cxrvqa

BENCHMARK_MAIN();
