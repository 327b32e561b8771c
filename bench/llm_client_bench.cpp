// Throughput of the LLM client against the local fake server (no artificial delay): requests
// per second at a given concurrency, and the client's own CPU time per request (the server
// runs in another process, so this process's CPU time is the client's).
//   cmake --build BUILD --target llm_client_bench fake_llm_server
//   BUILD/bench/llm_client_bench
#include <benchmark/benchmark.h>
#include <sys/resource.h>

#include <filesystem>
#include <random>
#include <string>

#include "../tests/llm/fake_server_process.h"
#include "llm/chat.h"
#include "llm/extraction.h"

namespace {

using cxrvqa::llm::ChatJob;
using cxrvqa::llm::ChatOutcome;
using cxrvqa::llm::ChatRunner;

double process_cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_utime.tv_sec + usage.ru_stime.tv_sec + (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) * 1e-6;
}

std::vector<ChatJob> make_jobs(size_t n, size_t round) {
  const std::string system = "Extract the key information of the chest X-ray report as JSON.";
  std::vector<ChatJob> jobs;
  jobs.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    std::string report = "Round " + std::to_string(round) + " study " + std::to_string(i) +
                         ". Small left pleural effusion. No pneumothorax. Possible right lower lobe pneumonia. "
                         "Heart size is normal. Mild bibasilar atelectasis.";
    jobs.push_back(ChatJob{std::to_string(i), cxrvqa::llm::extraction_messages(system, report)});
  }
  return jobs;
}

// Args: concurrency, cache (0 = none, 1 = SQLite in a temporary folder).
void BM_ChatRunner(benchmark::State& state) {
  const int concurrency = static_cast<int>(state.range(0));
  const bool with_cache = state.range(1) != 0;
  cxrvqa::testing::FakeLlmServer server({"--threads", std::to_string(concurrency + 16)});
  if (server.port() <= 0) {
    state.SkipWithError("fake_llm_server did not start");
    return;
  }
  std::filesystem::path cache_dir =
      std::filesystem::temp_directory_path() / ("cxrvqa-llm-bench-" + std::to_string(std::random_device{}()));
  cxrvqa::llm::LlmConfig config;
  cxrvqa::llm::EndpointConfig endpoint;
  endpoint.base_url = server.base_url();
  endpoint.model = "fake";
  config.endpoints.push_back(endpoint);
  config.concurrency = concurrency;
  config.json_schema = cxrvqa::llm::JsonSchemaMode::kOff;
  if (with_cache) config.cache = cache_dir / "cache.sqlite";
  auto runner = ChatRunner::Create(config);
  if (!runner.ok()) {
    state.SkipWithError(runner.status().ToString().c_str());
    return;
  }
  const size_t jobs_per_round = 20'000;
  size_t round = 0, requests = 0, failures = 0;
  double cpu = 0;
  for (auto _ : state) {
    state.PauseTiming();
    auto jobs = make_jobs(jobs_per_round, round++);
    state.ResumeTiming();
    double cpu_start = process_cpu_seconds();
    auto status = (*runner)->Run(jobs, [&](const ChatOutcome& outcome) {
      failures += outcome.kind != ChatOutcome::Kind::kOk;
    });
    cpu += process_cpu_seconds() - cpu_start;
    if (!status.ok()) state.SkipWithError(status.ToString().c_str());
    requests += jobs.size();
  }
  state.counters["requests_per_s"] = benchmark::Counter(static_cast<double>(requests), benchmark::Counter::kIsRate);
  state.counters["client_cpu_us_per_request"] = requests ? cpu / requests * 1e6 : 0;
  state.counters["failures"] = static_cast<double>(failures);
  std::error_code ec;
  std::filesystem::remove_all(cache_dir, ec);
}

BENCHMARK(BM_ChatRunner)
    ->ArgNames({"concurrency", "cache"})
    ->Args({256, 0})
    ->Args({256, 1})
    ->Args({16, 1})
    ->Iterations(2)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
