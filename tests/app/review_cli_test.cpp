// End to end: `cxrvqa review sample | serve | report` on a dataset built from the demo corpus,
// the server tested from outside over HTTP (token, loopback, concurrent loads, kill -9).
#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <latch>
#include <mutex>
#include <regex>
#include <set>
#include <thread>

#include <nlohmann/json.hpp>

#include "child_process.h"
#include "review/review_db.h"
#include "test_util.h"

namespace cxrvqa {
namespace {

using testing::read_text;
using testing::run_cxrvqa;
using testing::quoted;
using testing::TempDir;

const std::filesystem::path kDemo = std::filesystem::path(CXRVQA_SOURCE_DIR) / "data/demo/mimic";

// `cxrvqa review serve` as a child process; the URL it prints gives the port and token.
class ServeProcess {
 public:
  explicit ServeProcess(const std::filesystem::path& db, const std::string& reviewer = "tester")
      : process_(CXRVQA_BINARY, {"-q", "review", "serve", "--db", db.string(), "--reviewer", reviewer}) {
    for (std::string line; process_.ReadLine(line);) {
      if (!line.starts_with("http://")) continue;
      std::sscanf(line.c_str(), "http://127.0.0.1:%d/", &port_);
      token_ = line.substr(line.find("token=") + 6, 32);
      break;
    }
  }
  void Kill(int signal = SIGKILL) { process_.Kill(signal); }
  int port() const { return port_; }
  const std::string& token() const { return token_; }
  httplib::Client Client() const {
    httplib::Client client("127.0.0.1", port_);
    client.set_connection_timeout(10);
    client.set_read_timeout(30);
    return client;
  }
  httplib::Headers Auth() const { return {{"X-Review-Token", token_}}; }

 private:
  testing::ChildProcess process_;
  int port_ = 0;
  std::string token_;
};

// A dataset built by the pipeline from the demo corpus, shared by the tests of this file.
class ReviewCliTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    std::string output;
    int code = run_cxrvqa("-q pipeline --corpus mimic --reports " + quoted(kDemo) + " --metadata " +
                              quoted(kDemo / "mimic_all.csv") + " --out-dir " + quoted(*dir_ / "dataset") +
                              " --min-count 1 --seed 7",
                          &output);
    ASSERT_EQ(code, 0) << output;
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }

  // A fresh review file of `n` studies.
  static std::filesystem::path Sample(const std::string& name, int n, std::string* output = nullptr) {
    std::filesystem::path db = *dir_ / name;
    std::string text;
    int code = run_cxrvqa("review sample --dataset " + quoted(*dir_ / "dataset") + " --db " + quoted(db) +
                              " --n " + std::to_string(n) + " --seed 4",
                          &text);
    EXPECT_EQ(code, 0) << text;
    if (output != nullptr) *output = text;
    return db;
  }

  static std::vector<int64_t> ItemIds(const std::filesystem::path& db) {
    auto review = review_internal::ReviewDb::Open(db);
    std::vector<int64_t> ids;
    if (!review.ok()) return ids;
    auto items = (*review)->Items(std::nullopt);
    for (const auto& item : *items) ids.push_back(item.item_id);
    return ids;
  }

  static TempDir* dir_;
};
TempDir* ReviewCliTest::dir_ = nullptr;

TEST_F(ReviewCliTest, SampleServeReportAndEvalTheCorrections) {
  std::string output;
  auto db = Sample("review.sqlite", 10, &output);
  EXPECT_NE(output.find("review sample: 10 studies"), std::string::npos) << output;
  EXPECT_NE(output.find("difference"), std::string::npos) << output;

  ServeProcess server(db, "dr-a");
  ASSERT_GT(server.port(), 0);
  auto client = server.Client();
  auto page = client.Get(("/?token=" + server.token()).c_str());
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
  EXPECT_NE(page->body.find("<title>cxrvqa review</title>"), std::string::npos);
  EXPECT_NE(page->body.find("review.js?token=" + server.token()), std::string::npos);
  EXPECT_NE(page->get_header_value("Content-Security-Policy").find("default-src 'none'"), std::string::npos);
  for (const char* asset : {"/review.js", "/review.css"}) {
    auto response = client.Get(asset, server.Auth());
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 200) << asset;
  }
  auto study = client.Get("/api/study/1", server.Auth());
  ASSERT_TRUE(study);
  ASSERT_EQ(study->status, 200);
  auto json = nlohmann::json::parse(study->body);
  EXPECT_EQ(json["position"], 1);
  EXPECT_FALSE(json["report"].empty());
  EXPECT_FALSE(json["items"].empty());
  EXPECT_TRUE(json["keyinfo"].contains("entity"));

  // dr-a says every pair of the first study is wrong, and gives "no" for presence pairs.
  size_t judged = 0;
  for (const auto& item : json["items"]) {
    nlohmann::json verdict = {{"item_id", item["item_id"]}, {"verdict", "wrong"},
                              {"right_answer", item["type"] == "presence" ? "no" : ""}};
    auto saved = client.Post("/api/verdict", server.Auth(), verdict.dump(), "application/json");
    ASSERT_TRUE(saved);
    EXPECT_EQ(saved->status, 200) << saved->body;
    EXPECT_EQ(nlohmann::json::parse(saved->body)["reviewed"], ++judged);
  }
  auto refused = client.Post("/api/verdict", server.Auth(), R"({"item_id": 1, "verdict": "perhaps"})",
                             "application/json");
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 400);
  auto outside = client.Get("/api/study/9999", server.Auth());
  ASSERT_TRUE(outside);
  EXPECT_EQ(outside->status, 404);
  server.Kill(SIGTERM);

  // A second reviewer of the same file sees none of dr-a's verdicts, and dr-a's are kept.
  {
    ServeProcess second(db, "dr-b");
    auto client_b = second.Client();
    auto state = client_b.Get("/api/state", second.Auth());
    ASSERT_TRUE(state);
    EXPECT_EQ(nlohmann::json::parse(state->body)["reviewed"], 0);
    auto first_study = client_b.Get("/api/study/1", second.Auth());
    ASSERT_TRUE(first_study);
    auto study_b = nlohmann::json::parse(first_study->body);
    ASSERT_FALSE(study_b["items"].empty());
    for (const auto& item : study_b["items"]) EXPECT_TRUE(item["verdict"].is_null());
  }

  ASSERT_EQ(run_cxrvqa("review report --db " + quoted(db) + " --gold-out " + quoted(*dir_ / "gold.jsonl") +
                           " --questions-out " + quoted(*dir_ / "corrected.csv"),
                       &output),
            0)
      << output;
  EXPECT_NE(output.find("reviewers: dr-a (" + std::to_string(judged) + " verdicts)"), std::string::npos) << output;
  // Every verdict was "wrong": the overall row counts them all as wrong and none correct.
  EXPECT_TRUE(std::regex_search(output, std::regex("overall +0 +" + std::to_string(judged) + " +0 +0\\.000")))
      << output;
  EXPECT_NE(output.find("KeyInfo gold: 1 studies"), std::string::npos) << output;
  ASSERT_EQ(run_cxrvqa("eval --gold " + quoted(*dir_ / "gold.jsonl") + " --gold-format keyinfo --pred " +
                           quoted(*dir_ / "dataset" / "keyinfo.jsonl") + " --json",
                       &output),
            0)
      << output;
  EXPECT_NE(output.find("\"studies\""), std::string::npos) << output;
  ASSERT_EQ(run_cxrvqa("stats --questions " + quoted(*dir_ / "corrected.csv"), &output), 0) << output;
}

TEST_F(ReviewCliTest, RequestsWithoutTheTokenAreRefused) {
  auto db = Sample("token.sqlite", 3);
  ServeProcess server(db);
  ASSERT_GT(server.port(), 0);
  auto client = server.Client();
  std::string wrong(32, '0');
  for (const std::string& path : {std::string("/"), std::string("/review.js"), std::string("/api/state"),
                                  std::string("/api/study/1"), "/?token=" + wrong, "/api/state?token=" + wrong}) {
    auto response = client.Get(path.c_str());
    ASSERT_TRUE(response) << path;
    EXPECT_EQ(response->status, 403) << path;
    EXPECT_EQ(response->body.find("study"), std::string::npos) << path;
  }
  auto post = client.Post("/api/verdict", R"({"item_id": 1, "verdict": "correct"})", "application/json");
  ASSERT_TRUE(post);
  EXPECT_EQ(post->status, 403);
  // The right token with a foreign Host header (DNS rebinding) is refused too.
  auto rebinding = client.Get("/api/state", {{"X-Review-Token", server.token()}, {"Host", "example.com"}});
  ASSERT_TRUE(rebinding);
  EXPECT_EQ(rebinding->status, 403);
  auto state = client.Get(("/api/state?token=" + server.token()).c_str());
  ASSERT_TRUE(state);
  EXPECT_EQ(state->status, 200);
  EXPECT_EQ(nlohmann::json::parse(state->body)["reviewed"], 0);
}

TEST_F(ReviewCliTest, RefusesToBindNonLoopbackAddresses) {
  auto db = Sample("bind.sqlite", 2);
  for (const char* host : {"0.0.0.0", "192.0.2.10", "::", "example.com"}) {
    std::string output;
    EXPECT_EQ(run_cxrvqa("review serve --db " + quoted(db) + " --reviewer r --host " + host, &output), 1) << host;
    EXPECT_NE(output.find("loopback"), std::string::npos) << output;
    EXPECT_EQ(output.find("http://"), std::string::npos) << output;
  }
}

TEST_F(ReviewCliTest, TwoHundredConcurrentPageLoadsAllSucceed) {
  auto db = Sample("load.sqlite", 10);
  ServeProcess server(db);
  ASSERT_GT(server.port(), 0);
  constexpr int kLoads = 200;
  std::latch start(kLoads);
  std::atomic<int> complete{0};
  std::mutex failures_mutex;
  std::vector<std::string> failures;
  std::vector<std::thread> threads;
  for (int i = 0; i < kLoads; ++i) {
    threads.emplace_back([&, i] {
      httplib::Client client("127.0.0.1", server.port());
      client.set_connection_timeout(30);
      client.set_read_timeout(60);
      start.arrive_and_wait();
      // What the browser fetches to show a page: the page, its CSS and JS, the state and a study.
      std::string study = "/api/study/" + std::to_string(i % 10 + 1);
      for (const std::string& path : {"/?token=" + server.token(), "/review.css?token=" + server.token(),
                                      "/review.js?token=" + server.token(), std::string("/api/state"), study}) {
        auto response = client.Get(path.c_str(), server.Auth());
        if (!response || response->status != 200) {
          std::lock_guard lock(failures_mutex);
          failures.push_back(path.substr(0, path.find('?')) + ": " +
                             (response ? std::to_string(response->status) : httplib::to_string(response.error())));
          return;
        }
      }
      complete.fetch_add(1);
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(complete.load(), kLoads);
  EXPECT_TRUE(failures.empty()) << failures.size() << " failed, first: " << failures.front();
}

TEST_F(ReviewCliTest, NothingIsLostWhenKilledDuringAThousandVerdicts) {
  auto db = Sample("kill.sqlite", 10);
  std::vector<int64_t> items = ItemIds(db);
  ASSERT_GE(items.size(), 10u);
  constexpr int kVerdicts = 1000;
  constexpr int kClients = 4;
  constexpr int kKillAfter = 300;
  const char* kinds[] = {"correct", "wrong", "unsure"};
  auto verdict_body = [&](int i) {
    return nlohmann::json{{"item_id", items[i % items.size()]}, {"verdict", kinds[i % 3]},
                          {"right_answer", i % 3 == 1 ? "answer " + std::to_string(i) : ""},
                          {"comment", "v" + std::to_string(i)}}
        .dump();
  };
  std::mutex mutex;
  std::set<int> acknowledged;
  // Posts verdicts i = first, first + kClients, ... until one fails; returns those not acknowledged.
  auto post_all = [&](const ServeProcess& server, const std::vector<int>& todo, bool kill_midway,
                      ServeProcess* to_kill) {
    std::vector<int> left;
    std::vector<std::thread> threads;
    std::atomic<bool> killed{false};
    for (int c = 0; c < kClients; ++c) {
      threads.emplace_back([&, c] {
        auto client = server.Client();
        for (size_t k = c; k < todo.size(); k += kClients) {
          int i = todo[k];
          auto response = client.Post("/api/verdict", server.Auth(), verdict_body(i), "application/json");
          std::lock_guard lock(mutex);
          if (response && response->status == 200) {
            acknowledged.insert(i);
            if (kill_midway && !killed && acknowledged.size() >= kKillAfter) {
              killed = true;
              to_kill->Kill(SIGKILL);
            }
          } else {
            left.push_back(i);
          }
        }
      });
    }
    for (auto& thread : threads) thread.join();
    return left;
  };
  std::vector<int> all(kVerdicts);
  for (int i = 0; i < kVerdicts; ++i) all[i] = i;

  std::vector<int> left;
  {
    ServeProcess server(db);
    ASSERT_GT(server.port(), 0);
    left = post_all(server, all, true, &server);
  }
  size_t acknowledged_before_kill = acknowledged.size();
  EXPECT_GE(acknowledged_before_kill, static_cast<size_t>(kKillAfter));
  EXPECT_LT(acknowledged_before_kill, static_cast<size_t>(kVerdicts)) << "the server was not killed midway";
  std::printf("killed after %zu acknowledged verdicts; %zu not acknowledged\n", acknowledged_before_kill, left.size());

  auto comments_in_file = [&db] {
    std::set<int> seen;
    auto review = review_internal::ReviewDb::Open(db);
    EXPECT_TRUE(review.ok()) << review.status().ToString();
    if (!review.ok()) return seen;
    auto log = (*review)->VerdictLog();
    EXPECT_TRUE(log.ok());
    for (const auto& verdict : *log) seen.insert(std::stoi(verdict.comment.substr(1)));
    return seen;
  };
  std::set<int> in_file = comments_in_file();
  for (int i : acknowledged) ASSERT_TRUE(in_file.contains(i)) << "verdict " << i << " got 200 but is not in the file";

  // A new server takes the rest: all 1000 end up in the file.
  std::sort(left.begin(), left.end());
  {
    ServeProcess server(db);
    ASSERT_GT(server.port(), 0);
    EXPECT_TRUE(post_all(server, left, false, nullptr).empty());
  }
  in_file = comments_in_file();
  EXPECT_EQ(in_file.size(), static_cast<size_t>(kVerdicts));
  EXPECT_EQ(acknowledged.size(), static_cast<size_t>(kVerdicts));
}

}  // namespace
}  // namespace cxrvqa
