// ChatRunner against the fake OpenAI-compatible server: faults, cache, fatal errors, Azure.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <map>

#include "fake_server_process.h"
#include "llm/cache.h"
#include "llm/chat.h"
#include "llm/extraction.h"
#include "llm/lenient_json.h"
#include "runner_fixtures.h"
#include "test_util.h"

namespace cxrvqa::llm {
namespace {

using cxrvqa::testing::FakeLlmServer;
using cxrvqa::testing::TempDir;

const char* kSentences[] = {"Small left pleural effusion.", "No pneumothorax.", "Possible right lower lobe pneumonia.",
                            "Heart size is normal.", "Bilateral edema.", "No focal consolidation.",
                            "Mild bibasilar atelectasis.", "There may be a nodule in the right apex."};

std::vector<ChatJob> make_jobs(size_t n, const std::string& marker = "") {
  std::vector<ChatJob> jobs;
  for (size_t i = 0; i < n; ++i) {
    std::string report = "Study " + std::to_string(i) + ". ";
    for (size_t k = 0; k < 3; ++k) report += std::string(kSentences[(i * 3 + k * 5) % std::size(kSentences)]) + " ";
    jobs.push_back(ChatJob{"s" + std::to_string(i), extraction_messages("Extract KeyInfo as JSON.", report + marker)});
  }
  return jobs;
}

LlmConfig config_for(const FakeLlmServer& server, const std::filesystem::path& cache) {
  return cxrvqa::testing::test_llm_config(server.base_url(), cache);
}

using cxrvqa::testing::run;
using cxrvqa::testing::RunResult;

void expect_each_job_once_ok(const RunResult& result, const std::vector<ChatJob>& jobs) {
  ASSERT_EQ(result.by_id.size(), jobs.size());
  for (const auto& job : jobs) {
    auto it = result.by_id.find(job.id);
    ASSERT_NE(it, result.by_id.end()) << job.id;
    ASSERT_EQ(it->second.size(), 1u) << job.id << " delivered more than once";
    EXPECT_EQ(it->second[0].kind, ChatOutcome::Kind::kOk) << job.id << ": " << it->second[0].error;
    EXPECT_TRUE(parse_llm_json(it->second[0].content).ok()) << job.id;
  }
}

TEST(ChatRunner, NothingLostOrDuplicatedUnderTwentyPercentFaultsAndSecondRunSendsNothing) {
  TempDir dir;
  FakeLlmServer server({"--fault-rate", "0.2", "--faults", "429,500,slow,drop,prose,fence,comma,nonjson",
                        "--slow-ms", "2500", "--retry-after", "0"});
  ASSERT_GT(server.port(), 0);
  auto jobs = make_jobs(300);
  LlmConfig config = config_for(server, dir / "cache.sqlite");
  config.timeout_s = 1;
  RunResult first = run(config, jobs);
  ASSERT_TRUE(first.status.ok()) << first.status.ToString();
  expect_each_job_once_ok(first, jobs);
  auto stats = server.Stats();
  EXPECT_GT(stats["faults"].size(), 3u) << stats.dump();
  EXPECT_GT(first.totals.retries, 20u);
  // Requests that timed out while queued behind slow ones never reach a handler: the server
  // may count fewer than were sent, never more.
  EXPECT_GE(first.totals.requests, stats["requests"].get<uint64_t>());

  uint64_t requests_before = server.Requests();
  RunResult second = run(config, jobs);
  ASSERT_TRUE(second.status.ok());
  expect_each_job_once_ok(second, jobs);
  EXPECT_EQ(server.Requests(), requests_before) << "a re-run must be served from the cache";
  EXPECT_EQ(second.totals.cache_hits, jobs.size());
  for (const auto& job : jobs) {
    EXPECT_TRUE(second.by_id[job.id][0].from_cache);
    EXPECT_EQ(parse_llm_json(second.by_id[job.id][0].content).value(),
              parse_llm_json(first.by_id[job.id][0].content).value());
  }
}

TEST(ChatRunner, UnauthorizedStopsTheRunWithAClearErrorAndNoKey) {
  FakeLlmServer server({"--api-key", "right-key"});
  TempDir dir;
  setenv("CXRVQA_TEST_WRONG_KEY", "wrong-key-value", 1);
  LlmConfig config = config_for(server, dir / "cache.sqlite");
  config.endpoints[0].api_key_env = "CXRVQA_TEST_WRONG_KEY";
  RunResult result = run(config, make_jobs(50));
  ASSERT_FALSE(result.status.ok());
  EXPECT_NE(result.status.message().find("HTTP 401"), std::string::npos) << result.status.message();
  EXPECT_EQ(result.status.message().find("wrong-key-value"), std::string::npos);
  EXPECT_LT(result.totals.requests, 50u + 1);
  EXPECT_TRUE(result.by_id.empty());

  setenv("CXRVQA_TEST_RIGHT_KEY", "right-key", 1);
  config.endpoints[0].api_key_env = "CXRVQA_TEST_RIGHT_KEY";
  auto jobs = make_jobs(5);
  RunResult ok = run(config, jobs);
  ASSERT_TRUE(ok.status.ok()) << ok.status.ToString();
  expect_each_job_once_ok(ok, jobs);
}

TEST(ChatRunner, AzureUrlsKeyHeaderAndContentFilter) {
  FakeLlmServer server({"--api-key", "azure-key"});
  TempDir dir;
  setenv("CXRVQA_TEST_AZURE_KEY", "azure-key", 1);
  LlmConfig config = config_for(server, dir / "cache.sqlite");
  EndpointConfig azure;
  azure.kind = EndpointKind::kAzure;
  azure.endpoint = "http://127.0.0.1:" + std::to_string(server.port());
  azure.deployment = "gpt-4";
  azure.api_key_env = "CXRVQA_TEST_AZURE_KEY";
  config.endpoints = {azure};
  auto jobs = make_jobs(4);
  auto filtered = make_jobs(1, " [[fault:filter]]");
  filtered[0].id = "filtered";
  jobs.push_back(filtered[0]);
  RunResult result = run(config, jobs);
  ASSERT_TRUE(result.status.ok()) << result.status.ToString();
  EXPECT_EQ(result.by_id["filtered"].at(0).kind, ChatOutcome::Kind::kFiltered);
  EXPECT_EQ(result.totals.filtered, 1u);
  EXPECT_EQ(result.totals.ok, 4u);
  EXPECT_EQ(server.Requests(), 5u) << "a content-filter refusal is not retried";
  RunResult again = run(config, jobs);
  EXPECT_EQ(server.Requests(), 5u) << "the refusal is recorded in the cache";
  EXPECT_EQ(again.by_id["filtered"].at(0).kind, ChatOutcome::Kind::kFiltered);
}

TEST(ChatRunner, UnparseableAnswersFailAfterRetriesAndAreNotCached) {
  FakeLlmServer server;
  TempDir dir;
  LlmConfig config = config_for(server, dir / "cache.sqlite");
  config.max_retries = 2;
  auto jobs = make_jobs(1, " [[fault:nonjson]]");
  RunResult first = run(config, jobs);
  ASSERT_TRUE(first.status.ok());
  const ChatOutcome& outcome = first.by_id.begin()->second.at(0);
  EXPECT_EQ(outcome.kind, ChatOutcome::Kind::kFailed);
  EXPECT_NE(outcome.content.find("unable"), std::string::npos) << "the raw answer is kept";
  EXPECT_EQ(server.Requests(), 3u);
  run(config, jobs);
  EXPECT_EQ(server.Requests(), 6u) << "a failed study is asked again by the next run";
}

TEST(ChatRunner, RetryAfterIsHonoured) {
  FakeLlmServer server({"--retry-after", "1"});
  TempDir dir;
  auto jobs = make_jobs(2, " [[fault-once:429]]");
  auto start = std::chrono::steady_clock::now();
  RunResult result = run(config_for(server, dir / "cache.sqlite"), jobs);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_TRUE(result.status.ok());
  expect_each_job_once_ok(result, jobs);
  EXPECT_GE(seconds, 0.95);
  EXPECT_EQ(result.totals.retries, 2u);
}

TEST(ChatRunner, JsonSchemaAutoFallsBackWhenTheServerRejectsIt) {
  FakeLlmServer server({"--reject-schema"});
  TempDir dir;
  LlmConfig config = config_for(server, dir / "cache.sqlite");
  config.json_schema = JsonSchemaMode::kAuto;
  config.concurrency = 1;
  auto jobs = make_jobs(10);
  RunResult result = run(config, jobs);
  ASSERT_TRUE(result.status.ok()) << result.status.ToString();
  expect_each_job_once_ok(result, jobs);
  EXPECT_EQ(server.Requests(), 11u) << "one rejected attempt, then no schema";
  config.json_schema = JsonSchemaMode::kOn;
  RunResult forced = run(config, make_jobs(3, " other"));
  EXPECT_FALSE(forced.status.ok()) << "json_schema = on does not fall back";
}

TEST(ChatRunner, SeveralEndpointsShareTheWorkAndADeadOneIsAvoided) {
  FakeLlmServer a, b;
  TempDir dir;
  LlmConfig config = config_for(a, dir / "cache.sqlite");
  EndpointConfig second = config.endpoints[0];
  second.base_url = b.base_url();
  EndpointConfig dead = config.endpoints[0];
  dead.base_url = "http://127.0.0.1:1/v1";  // nothing listens on port 1
  config.endpoints = {config.endpoints[0], second, dead};
  auto jobs = make_jobs(200);
  RunResult result = run(config, jobs);
  ASSERT_TRUE(result.status.ok()) << result.status.ToString();
  expect_each_job_once_ok(result, jobs);
  // Work goes by requests in flight times latency, so a server slowed by a busy machine gets
  // less than half; each live one still gets a real share (over 10 %).
  EXPECT_GT(a.Requests(), 20u);
  EXPECT_GT(b.Requests(), 20u);
  EXPECT_LT(result.totals.requests - a.Requests() - b.Requests(), 40u) << "the dead endpoint got little work";
}

}  // namespace
}  // namespace cxrvqa::llm
