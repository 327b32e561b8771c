// Rule extraction of one very long report (1 MB and 10 MB) on one thread: the time must grow
// linearly with the length (about the same cpu_ns_per_byte at both sizes) and a 10 MB report
// must take under 2 s of CPU time (cpu_seconds_per_report; seconds_per_report is wall time,
// longer on a busy machine). Two kinds of text: finding words, cues, attributes and devices repeated in one
// endless sentence (every mention shares its sentence and clause with all others: the worst
// case for lookups by position), and the same words cut into short sentences.
//   build/bench/long_report_bench --benchmark_counters_tabular=true
#include <benchmark/benchmark.h>

#include <array>
#include <chrono>
#include <ctime>
#include <string>
#include <string_view>

#include "extract/rules_extractor.h"

namespace {

constexpr size_t kMegabyte = 1 << 20;

// Phrases that exercise every part of the extractor: findings with attributes before and
// after them, negation and uncertainty cues, level changes, devices, commas and "and".
constexpr std::array<std::string_view, 14> kPhrases = {
    "small left pleural effusion",      "no pneumothorax",
    "possible right lower lobe pneumonia", "atelectasis in the left base",
    "resolved pulmonary edema",          "heart size normal",
    "moderate cardiomegaly",             "opacity, likely atelectasis",
    "chest tube in place",               "effusion has decreased and is now small",
    "bilateral interstitial and alveolar opacities", "the lungs are clear",
    "partially resolved consolidation",  "hiatal hernia and rib fractures"};

// About `bytes` of report text: the phrases joined by "and" into one sentence, or every
// third one ending a sentence.
std::string long_report(size_t bytes, bool sentences) {
  std::string text;
  text.reserve(bytes + 64);
  for (size_t i = 0; text.size() < bytes; ++i) {
    text += kPhrases[i % kPhrases.size()];
    text += sentences && i % 3 == 2 ? ". " : " and ";
  }
  return text;
}

const cxrvqa::RulesExtractor* extractor() {
  static const cxrvqa::RulesExtractor* instance = [] {
    auto lexicon = cxrvqa::Lexicon::Load(std::nullopt);
    return lexicon.ok() ? new cxrvqa::RulesExtractor(*lexicon) : nullptr;
  }();
  return instance;
}

void BM_LongReport(benchmark::State& state, bool sentences) {
  if (extractor() == nullptr) {
    state.SkipWithError("the embedded lexicon did not load");
    return;
  }
  const std::string report = long_report(static_cast<size_t>(state.range(0)) * kMegabyte, sentences);
  size_t findings = 0;
  auto start = std::chrono::steady_clock::now();
  std::clock_t cpu_start = std::clock();
  for (auto _ : state) {
    cxrvqa::KeyInfo info = extractor()->Extract(report);
    findings = info.entity.size() + info.uncertain_entity.size() + info.no_entity.size();
    benchmark::DoNotOptimize(info);
  }
  double iterations = static_cast<double>(state.iterations());
  std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
  double cpu_seconds = static_cast<double>(std::clock() - cpu_start) / CLOCKS_PER_SEC / iterations;
  state.counters["MB"] = static_cast<double>(report.size()) / kMegabyte;
  state.counters["seconds_per_report"] = elapsed.count() / iterations;
  // CPU time: what one free core takes, whatever else runs on the machine.
  state.counters["cpu_seconds_per_report"] = cpu_seconds;
  state.counters["cpu_ns_per_byte"] = cpu_seconds * 1e9 / static_cast<double>(report.size());
  state.counters["findings"] = static_cast<double>(findings);
}

BENCHMARK_CAPTURE(BM_LongReport, one_sentence, false)
    ->Arg(1)->Arg(10)->Unit(benchmark::kMillisecond)->Iterations(3)->UseRealTime();
BENCHMARK_CAPTURE(BM_LongReport, short_sentences, true)
    ->Arg(1)->Arg(10)->Unit(benchmark::kMillisecond)->Iterations(3)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
