// ChatRunner against hostile conditions: proxy variables, answers too deep or too large,
// servers that quote the report in errors, absurd Retry-After values, garbled replies.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <map>
#include <thread>

#include "fake_server_process.h"
#include "llm/cache.h"
#include "llm/chat.h"
#include "llm/extraction.h"
#include "runner_fixtures.h"
#include "test_util.h"

namespace cxrvqa::llm {
namespace {

using cxrvqa::testing::FakeLlmServer;
using cxrvqa::testing::TempDir;

constexpr const char* kReport = "Moderate right pleural effusion with adjacent atelectasis.";

LlmConfig config_for(int port, const std::filesystem::path& cache) {
  LlmConfig config = cxrvqa::testing::test_llm_config("http://127.0.0.1:" + std::to_string(port) + "/v1", cache);
  config.timeout_s = 5;
  config.max_retries = 1;
  return config;
}

std::vector<ChatJob> one_job(const std::string& marker = "") {
  return {ChatJob{"s1", extraction_messages("Extract KeyInfo as JSON.", std::string(kReport) + marker)}};
}

using cxrvqa::testing::run;
using cxrvqa::testing::RunResult;

// The outcome of a run of one job, which must have completed (a failure is recorded and an
// empty outcome returned otherwise).
ChatOutcome only_outcome(const RunResult& result) {
  if (!result.status.ok() || result.by_id.size() != 1 || result.by_id.begin()->second.size() != 1) {
    ADD_FAILURE() << "expected one outcome: " << result.status.ToString();
    return {};
  }
  return result.by_id.begin()->second[0];
}

size_t cached_answers(const std::filesystem::path& cache) {
  auto opened = AnswerCache::Open(cache);
  EXPECT_TRUE(opened.ok());
  return opened.ok() ? (*opened)->Size().value() : 0;
}

// Sets environment variables for the lifetime of the object.
class ScopedEnv {
 public:
  explicit ScopedEnv(std::vector<std::pair<std::string, std::string>> values) : values_(std::move(values)) {
    for (const auto& [name, value] : values_) setenv(name.c_str(), value.c_str(), 1);
  }
  ~ScopedEnv() {
    for (const auto& [name, value] : values_) unsetenv(name.c_str());
  }

 private:
  std::vector<std::pair<std::string, std::string>> values_;
};

TEST(ChatRunnerHardening, ProxyVariablesAreNeverUsed) {
  FakeLlmServer server, proxy;
  ASSERT_GT(server.port(), 0);
  ASSERT_GT(proxy.port(), 0);
  std::string proxy_url = "http://127.0.0.1:" + std::to_string(proxy.port());
  ScopedEnv env({{"http_proxy", proxy_url}, {"https_proxy", proxy_url}, {"HTTPS_PROXY", proxy_url},
                 {"ALL_PROXY", proxy_url}, {"all_proxy", proxy_url}});
  TempDir dir;
  ChatOutcome outcome = only_outcome(run(config_for(server.port(), dir / "cache.sqlite"), one_job()));
  EXPECT_EQ(outcome.kind, ChatOutcome::Kind::kOk) << outcome.error;
  EXPECT_EQ(server.Requests(), 1u);
  EXPECT_EQ(proxy.Received(), 0u) << "report text went to a proxy no allowlist check saw";
}

TEST(ChatRunnerHardening, ANamedProxyIsUsedAndCheckedLikeAnEndpoint) {
  FakeLlmServer server, proxy;
  TempDir dir;
  LlmConfig config = config_for(server.port(), dir / "cache.sqlite");
  config.proxy = "http://127.0.0.1:" + std::to_string(proxy.port());
  auto runner = ChatRunner::Create(config);
  ASSERT_TRUE(runner.ok()) << runner.status().ToString();
  EXPECT_EQ((*runner)->receiving_hosts(), (std::vector<std::string>{"127.0.0.1"}));
  // The proxy is a bare recorder, so the run's own outcome says nothing here; where the
  // request went does.
  static_cast<void>((*runner)->Run(one_job(), [](const ChatOutcome&) {}));
  EXPECT_GT(proxy.Received(), 0u) << "the configured proxy carries the requests";
  EXPECT_EQ(server.Requests(), 0u);

  config.proxy = "http://proxy.example.org:3128";
  auto refused = ChatRunner::Create(config);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(refused.status().message().find("proxy.example.org"), std::string::npos);
  config.allow_hosts = {"proxy.example.org"};
  auto allowed = ChatRunner::Create(config);
  ASSERT_TRUE(allowed.ok()) << allowed.status().ToString();
  EXPECT_EQ((*allowed)->receiving_hosts(), (std::vector<std::string>{"127.0.0.1", "proxy.example.org"}));
}

TEST(ChatRunnerHardening, AnswerNestedDeeplyIsRejectedAndNeverCached) {
  FakeLlmServer server;
  TempDir dir;
  ChatOutcome outcome = only_outcome(run(config_for(server.port(), dir / "cache.sqlite"), one_job(" [[fault:deep]]")));
  EXPECT_EQ(outcome.kind, ChatOutcome::Kind::kFailed);
  EXPECT_NE(outcome.error.find("nested deeper than"), std::string::npos) << outcome.error;
  EXPECT_EQ(cached_answers(dir / "cache.sqlite"), 0u);
}

TEST(ChatRunnerHardening, AnswerLargerThanTheCapFailsAndIsNotCached) {
  FakeLlmServer server;
  TempDir dir;
  LlmConfig config = config_for(server.port(), dir / "cache.sqlite");
  config.max_answer_bytes = 64 * 1024;
  ChatOutcome outcome = only_outcome(run(config, one_job(" [[fault:big]]")));
  EXPECT_EQ(outcome.kind, ChatOutcome::Kind::kFailed);
  EXPECT_NE(outcome.error.find("max_answer_bytes"), std::string::npos) << outcome.error;
  EXPECT_EQ(cached_answers(dir / "cache.sqlite"), 0u);
  config.max_answer_bytes = 1 << 20;  // the same answer fits a larger cap
  ChatOutcome fits = only_outcome(run(config, one_job(" [[fault:big]]")));
  EXPECT_EQ(fits.kind, ChatOutcome::Kind::kOk) << fits.error;
}

TEST(ChatRunnerHardening, ServerErrorsThatQuoteTheReportStayOutOfErrors) {
  FakeLlmServer server;
  TempDir dir;
  ChatOutcome outcome = only_outcome(run(config_for(server.port(), dir / "cache.sqlite"), one_job(" [[fault:echo500]]")));
  EXPECT_EQ(outcome.kind, ChatOutcome::Kind::kFailed);
  EXPECT_NE(outcome.error.find("HTTP 500"), std::string::npos) << outcome.error;
  EXPECT_NE(outcome.error.find("sha256"), std::string::npos) << outcome.error;
  EXPECT_EQ(outcome.error.find("pleural effusion"), std::string::npos) << outcome.error;
  EXPECT_NE(outcome.raw.find("pleural effusion"), std::string::npos) << "the body is kept for the failures file";

  RunResult fatal = run(config_for(server.port(), dir / "cache.sqlite"), one_job(" [[fault:echo400]]"));
  ASSERT_FALSE(fatal.status.ok());
  EXPECT_NE(fatal.status.message().find("HTTP 400"), std::string::npos) << fatal.status.message();
  EXPECT_EQ(fatal.status.message().find("pleural effusion"), std::string::npos) << fatal.status.message();
}

TEST(ChatRunnerHardening, RetryAfterIsCapped) {
  FakeLlmServer server({"--retry-after", "999999999"});
  TempDir dir;
  LlmConfig config = config_for(server.port(), dir / "cache.sqlite");
  config.max_retry_after_s = 1;
  std::atomic<bool> done{false};
  RunResult result;
  std::thread worker([&] {
    result = run(config, one_job(" [[fault-once:429]]"));
    done = true;
  });
  // A run that honours the server's value would wait for 31 years.
  for (int i = 0; i < 300 && !done; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  if (!done) {
    worker.detach();
    FAIL() << "Retry-After was not capped: the run still waits after 30 s";
  }
  worker.join();
  EXPECT_EQ(only_outcome(result).kind, ChatOutcome::Kind::kOk);
  EXPECT_EQ(result.totals.retries, 1u);
}

// A loopback server that answers each connection with the next scripted reply, raw bytes.
class ScriptedServer {
 public:
  explicit ScriptedServer(std::vector<std::string> replies) : replies_(std::move(replies)) {
    listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t size = sizeof address;
    if (::bind(listener_, reinterpret_cast<sockaddr*>(&address), size) != 0 || ::listen(listener_, 8) != 0) return;
    ::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &size);
    port_ = ntohs(address.sin_port);
    thread_ = std::thread([this] { Serve(); });
  }
  ~ScriptedServer() {
    ::shutdown(listener_, SHUT_RDWR);
    ::close(listener_);
    if (thread_.joinable()) thread_.join();
  }
  int port() const { return port_; }
  size_t connections() const { return connections_; }

 private:
  void Serve() {
    for (const std::string& reply : replies_) {
      int client = ::accept(listener_, nullptr, nullptr);
      if (client < 0) return;
      ++connections_;
      ReadRequest(client);
      ::send(client, reply.data(), reply.size(), MSG_NOSIGNAL);
      ::close(client);
    }
  }
  static void ReadRequest(int client) {
    std::string request;
    char buffer[4096];
    size_t body_end = std::string::npos;
    while (body_end == std::string::npos || request.size() < body_end) {
      ssize_t n = ::recv(client, buffer, sizeof buffer, 0);
      if (n <= 0) return;
      request.append(buffer, static_cast<size_t>(n));
      size_t headers_end = request.find("\r\n\r\n");
      if (headers_end != std::string::npos && body_end == std::string::npos) {
        size_t length = request.find("Content-Length: ");
        size_t bytes = length == std::string::npos ? 0 : std::stoul(request.substr(length + 16));
        body_end = headers_end + 4 + bytes;
      }
    }
  }

  std::vector<std::string> replies_;
  int listener_ = -1;
  int port_ = 0;
  std::atomic<size_t> connections_{0};
  std::thread thread_;
};

std::string http_ok(const std::string& body) {
  return "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
         "\r\nConnection: close\r\n\r\n" + body;
}

TEST(ChatRunnerHardening, AGarbledReplyIsRetriedNotFatal) {
  std::string answer =
      R"({"choices":[{"index":0,"message":{"role":"assistant","content":"{\"entity\":{},\"uncertain_entity\":[],\"no_entity\":[]}"},"finish_reason":"stop"}]})";
  ScriptedServer server({"garbage that is not HTTP\r\n\r\n", http_ok(answer)});
  ASSERT_GT(server.port(), 0);
  TempDir dir;
  LlmConfig config = config_for(server.port(), dir / "cache.sqlite");
  config.max_retries = 2;
  ChatOutcome outcome = only_outcome(run(config, one_job()));
  EXPECT_EQ(outcome.kind, ChatOutcome::Kind::kOk) << outcome.error;
  EXPECT_EQ(server.connections(), 2u);
}

TEST(ChatRunnerHardening, CachedAnswersTheCheckRejectsAreAskedAgain) {
  FakeLlmServer server;
  TempDir dir;
  LlmConfig config = config_for(server.port(), dir / "cache.sqlite");
  std::vector<ChatJob> jobs = one_job();
  {
    // An answer cached by an older program that did not bound the depth.
    auto cache = AnswerCache::Open(config.cache);
    ASSERT_TRUE(cache.ok());
    std::string deep = "{\"entity\": " + std::string(100000, '[') + std::string(100000, ']') + "}";
    ASSERT_TRUE((*cache)->Put(chat_cache_key(config, jobs[0].messages, false), CachedAnswer{false, deep, 0, 0}).ok());
    ASSERT_TRUE((*cache)->Flush().ok());
  }
  ChatOutcome outcome = only_outcome(run(config, jobs));
  EXPECT_EQ(outcome.kind, ChatOutcome::Kind::kOk) << outcome.error;
  EXPECT_FALSE(outcome.from_cache);
  EXPECT_EQ(server.Requests(), 1u);
}

}  // namespace
}  // namespace cxrvqa::llm
