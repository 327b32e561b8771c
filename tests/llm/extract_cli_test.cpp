// `cxrvqa extract --extractor llm` and `cxrvqa batch` end to end against the fake server.
#include <gtest/gtest.h>

#include <functional>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <set>
#include <thread>

#include "common/json.h"
#include "fake_server_process.h"
#include "llm/cache.h"
#include "test_util.h"

namespace cxrvqa::llm {
namespace {

using cxrvqa::testing::FakeLlmServer;
using cxrvqa::testing::read_text;
using cxrvqa::testing::run_cxrvqa;
using cxrvqa::testing::TempDir;
using cxrvqa::testing::write_text;

const char* kFindings[] = {"Small left pleural effusion.", "No pneumothorax.", "Possible pneumonia.",
                           "Bilateral edema.", "Mild right atelectasis.", "No consolidation."};

std::filesystem::path write_corpus(const TempDir& dir, size_t n) {
  std::string lines;
  for (size_t i = 0; i < n; ++i) {
    Json line = {{"study_id", "5" + std::to_string(1000 + i)},
                 {"subject_id", "1" + std::to_string(i % 7)},
                 {"text", std::string("FINDINGS: ") + kFindings[i % 6] + " " + kFindings[(i / 6) % 6] +
                              " Study " + std::to_string(i) + "."}};
    lines += line.dump() + "\n";
  }
  write_text(dir / "reports.jsonl", lines);
  return dir / "reports.jsonl";
}

std::filesystem::path write_config(const TempDir& dir, const FakeLlmServer& server, int concurrency) {
  std::string text = "concurrency = " + std::to_string(concurrency) +
                     "\ntimeout_s = 10\nbackoff_initial_s = 0.01\njson_schema = \"off\"\ncache = \"cache.sqlite\"\n"
                     "[[endpoints]]\nbase_url = \"" + server.base_url() + "\"\nmodel = \"fake\"\n";
  write_text(dir / "llm.toml", text);
  return dir / "llm.toml";
}

// The study ids of a JSONL file, in order.
std::vector<std::string> study_ids(const std::filesystem::path& path) {
  std::vector<std::string> ids;
  std::string text = read_text(path);
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    if (end > start) ids.push_back(Json::parse(text.substr(start, end - start))["study_id"].get<std::string>());
    start = end + 1;
  }
  return ids;
}

// Starts the cxrvqa program with `args` and kills it with SIGKILL once `ready()` holds (polled;
// at most 30 s), so the kill lands mid-run however slow the machine is.
void run_and_kill(const std::vector<std::string>& args, const std::function<bool()>& ready) {
  pid_t pid = fork();
  if (pid == 0) {
    std::vector<char*> argv;
    std::string program = CXRVQA_BINARY;
    argv.push_back(program.data());
    std::vector<std::string> copy = args;
    for (auto& arg : copy) argv.push_back(arg.data());
    argv.push_back(nullptr);
    int null = open("/dev/null", O_WRONLY);
    dup2(null, STDERR_FILENO);
    execv(program.c_str(), argv.data());
    _exit(127);
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!ready() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  kill(pid, SIGKILL);
  waitpid(pid, nullptr, 0);
}

TEST(ExtractLlmCli, KilledRunResumesFromTheCacheWithNothingLostOrDuplicated) {
  TempDir dir;
  const size_t n = 60;
  auto corpus = write_corpus(dir, n);
  {
    FakeLlmServer slow({"--fault-rate", "1", "--faults", "slow", "--slow-ms", "60"});
    auto config = write_config(dir, slow, 2);
    // Two requests in flight at a time, 60 ms each (about two seconds for all): the run is
    // killed as soon as the cache holds committed answers, with most studies still to do.
    auto committed = [&] {
      auto cache = AnswerCache::Open(dir / "cache.sqlite");
      auto size = cache.ok() ? (*cache)->Size() : Result<size_t>(cache.status());
      return size.ok() && *size >= 3;
    };
    run_and_kill({"extract", "--extractor", "llm", "--config", config.string(), "--corpus", "jsonl", "--reports",
                  corpus.string(), "--out", (dir / "raw.jsonl").string()},
                 committed);
  }
  EXPECT_FALSE(std::filesystem::exists(dir / "raw.jsonl")) << "a killed run leaves no partial output";
  size_t cached = AnswerCache::Open(dir / "cache.sqlite").value()->Size().value();
  EXPECT_GT(cached, 0u);
  EXPECT_LT(cached, n);

  FakeLlmServer server;
  auto config = write_config(dir, server, 8);
  std::string output;
  int code = run_cxrvqa("extract --extractor llm --config " + config.string() + " --corpus jsonl --reports " +
                            corpus.string() + " --out " + (dir / "raw.jsonl").string(),
                        &output);
  ASSERT_EQ(code, 0) << output;
  EXPECT_EQ(server.Requests(), n - cached) << "only studies missing from the cache are sent";
  auto ids = study_ids(dir / "raw.jsonl");
  ASSERT_EQ(ids.size(), n);
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), n);
  EXPECT_EQ(ids.front(), "51000");
  EXPECT_EQ(ids.back(), "51059") << "corpus order";
  EXPECT_NE(output.find("report text will be sent to: 127.0.0.1"), std::string::npos) << output;
  EXPECT_EQ(output.find("pleural effusion"), std::string::npos) << "no report text in the log";

  code = run_cxrvqa("extract --extractor llm --config " + config.string() + " --corpus jsonl --reports " +
                        corpus.string() + " --out " + (dir / "again.jsonl").string() + " --limit 10",
                    &output);
  ASSERT_EQ(code, 0) << output;
  EXPECT_EQ(server.Requests(), n - cached) << "a re-run sends no request";
  EXPECT_EQ(study_ids(dir / "again.jsonl").size(), 10u);
}

TEST(ExtractLlmCli, RefusesARemoteHostThatIsNotAllowed) {
  TempDir dir;
  auto corpus = write_corpus(dir, 3);
  write_text(dir / "remote.toml", "[[endpoints]]\nbase_url = \"https://api.example.org/v1\"\nmodel = \"m\"\n");
  std::string output;
  int code = run_cxrvqa("extract --extractor llm --config " + (dir / "remote.toml").string() +
                            " --corpus jsonl --reports " + corpus.string() + " --out " + (dir / "raw.jsonl").string(),
                        &output);
  EXPECT_NE(code, 0);
  EXPECT_NE(output.find("allow_hosts"), std::string::npos) << output;
}

TEST(BatchCli, ExportThenImportFillsTheCacheForOnlineRuns) {
  TempDir dir;
  const size_t n = 12;
  auto corpus = write_corpus(dir, n);
  FakeLlmServer server;
  auto config = write_config(dir, server, 4);
  std::string output;
  ASSERT_EQ(run_cxrvqa("batch export --corpus jsonl --reports " + corpus.string() + " --config " + config.string() +
                           " --out " + (dir / "batch.jsonl").string(),
                       &output),
            0)
      << output;
  // Play the batch engine: answer each request line through the fake server.
  std::string results;
  httplib::Client client("127.0.0.1", server.port());
  std::string input = read_text(dir / "batch.jsonl");
  size_t start = 0, lines = 0;
  while (start < input.size()) {
    size_t end = input.find('\n', start);
    Json request = Json::parse(input.substr(start, end - start));
    EXPECT_EQ(request["method"], "POST");
    EXPECT_EQ(request["url"], "/v1/chat/completions");
    auto response = client.Post("/v1/chat/completions", request["body"].dump(), "application/json");
    ASSERT_TRUE(response);
    Json line = {{"id", "batch_req_" + std::to_string(lines)},
                 {"custom_id", request["custom_id"]},
                 {"response", {{"status_code", 200}, {"body", Json::parse(response->body)}}},
                 {"error", nullptr}};
    results += line.dump() + "\n";
    if (lines == 0) results += line.dump() + "\n";  // a duplicate result is read once
    ++lines;
    start = end + 1;
  }
  ASSERT_EQ(lines, n);
  results += "not json\n";
  write_text(dir / "results.jsonl", results);
  ASSERT_EQ(run_cxrvqa("batch import --results " + (dir / "results.jsonl").string() + " --config " + config.string() +
                           " --out " + (dir / "imported.jsonl").string(),
                       &output),
            0)
      << output;
  EXPECT_NE(output.find("1 duplicates skipped"), std::string::npos) << output;
  EXPECT_NE(output.find("1 bad lines"), std::string::npos) << output;
  EXPECT_EQ(study_ids(dir / "imported.jsonl").size(), n);

  uint64_t before = server.Requests();
  ASSERT_EQ(run_cxrvqa("extract --extractor llm --config " + config.string() + " --corpus jsonl --reports " +
                           corpus.string() + " --out " + (dir / "online.jsonl").string(),
                       &output),
            0)
      << output;
  EXPECT_EQ(server.Requests(), before) << "imported answers serve the online run";
  EXPECT_EQ(read_text(dir / "online.jsonl").size() > 0, true);
}

TEST(ExtractLlmCli, RealIuReports) {
  CXRVQA_REQUIRE_SHARED_DATA(shared);
  TempDir dir;
  FakeLlmServer server({"--fault-rate", "0.2", "--retry-after", "0", "--slow-ms", "1500"});
  std::string config_text = "timeout_s = 1\nbackoff_initial_s = 0.01\nmax_retries = 10\njson_schema = \"off\"\n"
                            "cache = \"cache.sqlite\"\n[[endpoints]]\nbase_url = \"" + server.base_url() +
                            "\"\nmodel = \"fake\"\n";
  write_text(dir / "llm.toml", config_text);
  std::string output;
  int code = run_cxrvqa("extract --extractor llm --config " + (dir / "llm.toml").string() + " --corpus iu --reports " +
                            (shared / "iu_xray" / "iu_reports_dev.csv").string() + " --sample 40 --seed 3 --out " +
                            (dir / "raw.jsonl").string(),
                        &output);
  ASSERT_EQ(code, 0) << output;
  auto ids = study_ids(dir / "raw.jsonl");
  EXPECT_NE(output.find("40 studies selected"), std::string::npos) << output;
  EXPECT_GE(ids.size(), 30u) << output;
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), ids.size());
}

}  // namespace
}  // namespace cxrvqa::llm
