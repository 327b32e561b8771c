// Configuration of the LLM client: which OpenAI-compatible endpoints to call, how hard, and
// where answers are cached. Read from a TOML file (see examples/llm-vllm.toml and
// examples/llm-azure.toml); command-line options may override fields after loading.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace cxrvqa::llm {

enum class EndpointKind { kOpenAi, kAzure };

// One server that answers chat completions.
struct EndpointConfig {
  EndpointKind kind = EndpointKind::kOpenAi;
  // kOpenAi: requests go to {base_url}/chat/completions (base_url usually ends in /v1).
  std::string base_url;
  // kAzure: requests go to
  // {endpoint}/openai/deployments/{deployment}/chat/completions?api-version={api_version}.
  std::string endpoint;
  std::string deployment;
  std::string api_version = "2024-06-01";
  // The "model" field of the request (kOpenAi); for kAzure the deployment chooses the model.
  std::string model;
  // Name of the environment variable holding the key (never the key itself). Empty: no key
  // is sent (typical for a local vLLM or llama.cpp server).
  std::string api_key_env;
};

enum class JsonSchemaMode { kOff, kOn, kAuto };  // auto: try once, fall back to off if rejected

struct LlmConfig {
  std::vector<EndpointConfig> endpoints;
  // Non-loopback hosts that may receive report text. Loopback (127.0.0.0/8, ::1, localhost)
  // is always allowed; any other host must be listed here by name, exactly.
  std::vector<std::string> allow_hosts;
  // The proxy every request goes through ("http://host:port", also https://, socks5://,
  // socks5h://...), or "" for none. Proxy environment variables (http_proxy, HTTPS_PROXY,
  // ALL_PROXY...) are never used. The proxy host receives report text, so it is checked like
  // an endpoint: loopback or listed in allow_hosts.
  std::string proxy;
  // Identity of the model for the cache key. Defaults to the first endpoint's model (or
  // Azure deployment); all endpoints of one config are expected to serve the same model.
  std::string model;
  int concurrency = 16;           // requests in flight over all endpoints
  double timeout_s = 120;         // per request, connection included
  int max_retries = 5;            // retries after the first attempt (timeouts, 429, 5xx, ...)
  double backoff_initial_s = 0.5; // first retry delay; doubles per retry, full jitter
  double backoff_max_s = 30;
  double max_retry_after_s = 300; // a server's Retry-After is honoured up to this many seconds
  int64_t max_answer_bytes = 4 << 20;  // a larger response body fails the study (not kept)
  double temperature = 0;
  int max_tokens = 1024;          // 0: not sent
  JsonSchemaMode json_schema = JsonSchemaMode::kAuto;
  std::filesystem::path cache;    // SQLite file; empty: no cache
};

// Parses TOML text; `origin` names the file in error messages. Relative cache paths are
// resolved against `base_dir`. Every field is validated: unknown keys are errors (with the
// closest known key suggested), numbers must be finite and within their range (e.g.
// timeout_s in [0.001, 86400]), kinds and URLs must be known.
Result<LlmConfig> parse_llm_config(std::string_view toml_text, std::string_view origin,
                                   const std::filesystem::path& base_dir);
// Reads and parses a TOML file (relative cache paths resolve against its directory).
Result<LlmConfig> load_llm_config(const std::filesystem::path& path);

// "on" | "off" | "auto".
Result<JsonSchemaMode> parse_json_schema_mode(std::string_view text);
std::string_view endpoint_kind_name(EndpointKind kind);

// The URL a chat completion request for `endpoint` is posted to.
std::string chat_completions_url(const EndpointConfig& endpoint);
// The cache identity of the model: config.model, or the first endpoint's model/deployment.
std::string model_identity(const LlmConfig& config);

}  // namespace cxrvqa::llm
