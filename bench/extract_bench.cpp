// Rule extraction speed on one thread over real IU (Open-i) development reports, repeated to
// at least 100,000 reports. Reports reports/s as the "reports_per_second" counter, measured
// against the thread's CPU time (one core's throughput, unaffected by other load).
//   build/bench/extract_bench --benchmark_counters_tabular=true
#include <benchmark/benchmark.h>

#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "common/csv.h"
#include "extract/rules_extractor.h"

namespace {

constexpr size_t kMinReports = 100000;

std::filesystem::path iu_reports_path() {
  const char* env = std::getenv("CXRVQA_SHARED_DATA");
  std::filesystem::path dir = env ? env : CXRVQA_SHARED_DATA_DIR;
  return dir / "iu_xray" / "iu_reports_dev.csv";
}

// Findings followed by impression of each IU dev report, or empty when the file is absent.
std::vector<std::string> load_reports() {
  std::vector<std::string> reports;
  auto reader = cxrvqa::CsvReader::Open(iu_reports_path());
  if (!reader.ok()) return reports;
  auto columns = (*reader)->require_columns({"findings", "impression"});
  if (!columns.ok()) return reports;
  cxrvqa::CsvRow row;
  while ((*reader)->Next(row)) {
    if (!row.error.empty()) continue;
    reports.push_back(std::string(row.get((*columns)[0])) + " " +
                      std::string(row.get((*columns)[1])));
  }
  return reports;
}

void BM_RulesExtractOneThread(benchmark::State& state) {
  static const std::vector<std::string> reports = load_reports();
  if (reports.empty()) {
    state.SkipWithError(("IU dev reports not found at " + iu_reports_path().string() +
                         "; benchmark skipped")
                            .c_str());
    return;
  }
  auto lexicon = cxrvqa::Lexicon::Load(std::nullopt);
  if (!lexicon.ok()) {
    state.SkipWithError(lexicon.status().ToString().c_str());
    return;
  }
  cxrvqa::RulesExtractor extractor(*lexicon);
  size_t repeats = (kMinReports + reports.size() - 1) / reports.size();
  size_t processed = 0;
  size_t findings = 0;
  for (auto _ : state) {
    for (size_t r = 0; r < repeats; ++r) {
      for (const auto& report : reports) {
        cxrvqa::KeyInfo info = extractor.Extract(report);
        findings += info.entity.size();
        benchmark::DoNotOptimize(info);
      }
    }
    processed += repeats * reports.size();
  }
  state.counters["reports_per_pass"] = static_cast<double>(repeats * reports.size());
  state.counters["reports_per_second"] =
      benchmark::Counter(static_cast<double>(processed), benchmark::Counter::kIsRate);
  state.counters["findings_per_report"] =
      static_cast<double>(findings) / static_cast<double>(processed);
}

BENCHMARK(BM_RulesExtractOneThread)->Unit(benchmark::kMillisecond)->Iterations(1);

}  // namespace

BENCHMARK_MAIN();
