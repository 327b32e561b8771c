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
