#include "llm/config.h"

#include <gtest/gtest.h>

#include "llm/chat.h"
#include "llm/governance.h"

namespace cxrvqa::llm {
namespace {

LlmConfig parse_ok(std::string_view text) {
  auto config = parse_llm_config(text, "test.toml", "/base");
  EXPECT_TRUE(config.ok()) << config.status().ToString();
  return config.ok() ? *config : LlmConfig{};
}

TEST(LlmConfig, ReadsEndpointsAndSettings) {
  LlmConfig config = parse_ok(R"(
concurrency = 64
timeout_s = 30
json_schema = "off"
cache = "cache/answers.sqlite"
allow_hosts = ["My-Resource.openai.azure.com"]
[[endpoints]]
base_url = "http://127.0.0.1:8000/v1/"
model = "llama"
[[endpoints]]
kind = "azure"
endpoint = "https://my-resource.openai.azure.com"
deployment = "gpt-4"
api_key_env = "AZURE_OPENAI_API_KEY"
)");
  ASSERT_EQ(config.endpoints.size(), 2u);
  EXPECT_EQ(config.concurrency, 64);
  EXPECT_EQ(config.json_schema, JsonSchemaMode::kOff);
  EXPECT_EQ(config.cache, std::filesystem::path("/base/cache/answers.sqlite"));
  EXPECT_EQ(config.allow_hosts[0], "my-resource.openai.azure.com");
  EXPECT_EQ(chat_completions_url(config.endpoints[0]), "http://127.0.0.1:8000/v1/chat/completions");
  EXPECT_EQ(chat_completions_url(config.endpoints[1]),
            "https://my-resource.openai.azure.com/openai/deployments/gpt-4/chat/completions?api-version=2024-06-01");
  EXPECT_EQ(model_identity(config), "llama");
  EXPECT_EQ(config.temperature, 0);
}

TEST(LlmConfig, ErrorsNameTheFileAndField) {
  auto missing = parse_llm_config("concurrency = 4\n", "a.toml", ".");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("a.toml"), std::string::npos);
  auto bad = parse_llm_config("concurrency = \"x\"\n[[endpoints]]\nbase_url=\"http://localhost/v1\"\nmodel=\"m\"\n",
                              "b.toml", ".");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("concurrency"), std::string::npos);
  EXPECT_FALSE(parse_llm_config("[[endpoints]]\nkind=\"azure\"\nendpoint=\"https://x\"\n", "c.toml", ".").ok());
  EXPECT_FALSE(parse_llm_config("x = [", "d.toml", ".").ok());
}

constexpr const char* kEndpoint = "[[endpoints]]\nbase_url = \"http://127.0.0.1:8000/v1\"\nmodel = \"m\"\n";

// The message of parsing `settings` followed by one endpoint, or "" when it parses.
std::string config_error(const std::string& settings) {
  auto config = parse_llm_config(settings + "\n" + kEndpoint, "llm.toml", ".");
  return config.ok() ? "" : config.status().message();
}

TEST(LlmConfig, NumbersMustBeFiniteAndInRange) {
  for (const char* bad : {"timeout_s = nan", "timeout_s = inf", "timeout_s = 1e300", "timeout_s = -1",
                          "backoff_initial_s = 1e308", "backoff_max_s = inf", "max_retry_after_s = 1e9",
                          "temperature = nan", "concurrency = 100000000", "max_retries = 1000000",
                          "max_answer_bytes = 0", "max_tokens = -5"}) {
    std::string key(bad, std::string_view(bad).find(' '));
    std::string message = config_error(bad);
    EXPECT_NE(message.find("'" + key + "' must be"), std::string::npos) << bad << ": " << message;
    EXPECT_NE(message.find("llm.toml"), std::string::npos) << message;
  }
  LlmConfig config = parse_ok(std::string("timeout_s = 86400\nmax_retry_after_s = 10\nmax_answer_bytes = 65536\n") + kEndpoint);
  EXPECT_EQ(config.timeout_s, 86400);
  EXPECT_EQ(config.max_retry_after_s, 10);
  EXPECT_EQ(config.max_answer_bytes, 65536);
  LlmConfig defaults = parse_ok(kEndpoint);
  EXPECT_EQ(defaults.max_retry_after_s, 300) << "Retry-After is capped by default";
  EXPECT_EQ(defaults.max_answer_bytes, 4 << 20) << "answers are capped by default";
}

TEST(LlmConfig, UnknownKeysAreErrorsWithASuggestion) {
  std::string message = config_error("concurency = 8");
  EXPECT_NE(message.find("llm.toml:1: unknown key 'concurency' (did you mean 'concurrency'?)"), std::string::npos)
      << message;
  auto endpoint_typo = parse_llm_config("[[endpoints]]\nbase_url = \"http://127.0.0.1:8000/v1\"\nmodel = \"m\"\n"
                                        "api_key_var = \"KEY\"\n", "llm.toml", ".");
  ASSERT_FALSE(endpoint_typo.ok());
  EXPECT_NE(endpoint_typo.status().message().find("unknown key 'api_key_var'"), std::string::npos)
      << endpoint_typo.status().message();
  EXPECT_NE(config_error("colour = \"blue\"").find("unknown key 'colour'"), std::string::npos);
}

TEST(LlmConfig, ProxyIsReadAndCheckedLikeAnEndpoint) {
  LlmConfig local = parse_ok(std::string("proxy = \"http://127.0.0.1:3128\"\n") + kEndpoint);
  EXPECT_EQ(local.proxy, "http://127.0.0.1:3128");
  EXPECT_EQ(check_receiving_hosts(local).value(), (std::vector<std::string>{"127.0.0.1"}));
  LlmConfig remote = parse_ok(std::string("proxy = \"socks5h://proxy.corp:1080\"\n") + kEndpoint);
  auto refused = check_receiving_hosts(remote);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(refused.status().message().find("proxy host 'proxy.corp'"), std::string::npos) << refused.status().message();
  remote.allow_hosts = {"proxy.corp"};
  EXPECT_EQ(check_receiving_hosts(remote).value(), (std::vector<std::string>{"127.0.0.1", "proxy.corp"}));
  EXPECT_EQ(proxy_host("proxy.corp:3128").value(), "proxy.corp");
  EXPECT_FALSE(proxy_host("ftp://proxy.corp").ok());
}

TEST(Governance, NamesThatNeedDnsAreRemote) {
  EXPECT_FALSE(is_loopback_host("localhost."));
  EXPECT_FALSE(is_loopback_host("LOCALHOST."));
  EXPECT_FALSE(is_loopback_host("localhost.localdomain"));
  EXPECT_TRUE(is_loopback_host("localhost"));
  LlmConfig config = parse_ok("[[endpoints]]\nbase_url = \"http://localhost.:8000/v1\"\nmodel = \"m\"\n");
  auto refused = check_receiving_hosts(config);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kPermissionDenied);
}

TEST(Governance, LoopbackHosts) {
  EXPECT_TRUE(is_loopback_host("127.0.0.1"));
  EXPECT_TRUE(is_loopback_host("127.10.0.200"));
  EXPECT_TRUE(is_loopback_host("[::1]"));
  EXPECT_TRUE(is_loopback_host("LocalHost"));
  EXPECT_FALSE(is_loopback_host("128.0.0.1"));
  EXPECT_FALSE(is_loopback_host("127.0.0.1.evil.com"));
  EXPECT_FALSE(is_loopback_host("localhost.evil.com"));
  EXPECT_FALSE(is_loopback_host("10.0.0.1"));
  EXPECT_EQ(url_host("http://[::1]:8000/v1").value(), "::1");
}

TEST(Governance, RemoteHostsAreRefusedUnlessAllowed) {
  LlmConfig config = parse_ok("[[endpoints]]\nbase_url = \"https://api.example.org/v1\"\nmodel = \"m\"\n");
  auto refused = ChatRunner::Create(config);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(refused.status().message().find("api.example.org"), std::string::npos);
  config.allow_hosts = {"api.example.org"};
  auto allowed = ChatRunner::Create(config);
  ASSERT_TRUE(allowed.ok()) << allowed.status().ToString();
  EXPECT_EQ((*allowed)->receiving_hosts(), std::vector<std::string>{"api.example.org"});
}

TEST(Governance, MissingKeyVariableIsAnError) {
  LlmConfig config = parse_ok(
      "[[endpoints]]\nbase_url = \"http://127.0.0.1:9/v1\"\nmodel = \"m\"\napi_key_env = \"CXRVQA_TEST_UNSET_KEY\"\n");
  auto runner = ChatRunner::Create(config);
  ASSERT_FALSE(runner.ok());
  EXPECT_NE(runner.status().message().find("CXRVQA_TEST_UNSET_KEY"), std::string::npos);
}

}  // namespace
}  // namespace cxrvqa::llm
