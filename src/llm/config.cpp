#include "llm/config.h"

#include <fmt/format.h>
#include <toml++/toml.h>

#include "common/file_io.h"
#include "common/text.h"

namespace cxrvqa::llm {
namespace {

// Reads TOML values into a config, remembering the first problem met.
class TableReader {
 public:
  TableReader(const toml::table& table, std::string where) : table_(table), where_(std::move(where)) {}

  void String(const char* key, std::string& out) {
    if (auto node = table_.get(key)) {
      if (auto value = node->value<std::string>()) out = *value;
      else Fail(key, "a string");
    }
  }
  void Number(const char* key, double& out, double min) {
    if (auto node = table_.get(key)) {
      auto value = node->value<double>();
      if (!value) return Fail(key, "a number");
      if (*value < min) return Fail(key, fmt::format("at least {}", min));
      out = *value;
    }
  }
  void Integer(const char* key, int& out, int min) {
    if (auto node = table_.get(key)) {
      auto value = node->value<int64_t>();
      if (!value) return Fail(key, "an integer");
      if (*value < min || *value > 1'000'000) return Fail(key, fmt::format("an integer >= {}", min));
      out = static_cast<int>(*value);
    }
  }
  void StringList(const char* key, std::vector<std::string>& out) {
    auto node = table_.get(key);
    if (!node) return;
    auto array = node->as_array();
    if (!array) return Fail(key, "a list of strings");
    for (const auto& item : *array) {
      auto value = item.value<std::string>();
      if (!value) return Fail(key, "a list of strings");
      out.push_back(*value);
    }
  }
  void Fail(const char* key, std::string_view expected) {
    if (status_.ok()) {
      status_ = Status::ParseError(fmt::format("{}: '{}' must be {}", where_, key, expected));
    }
  }
  const Status& status() const { return status_; }

 private:
  const toml::table& table_;
  std::string where_;
  Status status_;
};

std::string strip_trailing_slashes(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

Result<EndpointConfig> read_endpoint(const toml::table& table, const std::string& where) {
  EndpointConfig endpoint;
  TableReader reader(table, where);
  std::string kind = "openai";
  reader.String("kind", kind);
  reader.String("base_url", endpoint.base_url);
  reader.String("endpoint", endpoint.endpoint);
  reader.String("deployment", endpoint.deployment);
  reader.String("api_version", endpoint.api_version);
  reader.String("model", endpoint.model);
  reader.String("api_key_env", endpoint.api_key_env);
  CXRVQA_RETURN_IF_ERROR(reader.status());
  endpoint.base_url = strip_trailing_slashes(endpoint.base_url);
  endpoint.endpoint = strip_trailing_slashes(endpoint.endpoint);
  kind = to_lower(kind);
  if (kind == "openai") {
    endpoint.kind = EndpointKind::kOpenAi;
    if (endpoint.base_url.empty()) return Status::ParseError(where + ": 'base_url' is required for kind \"openai\"");
    if (endpoint.model.empty()) return Status::ParseError(where + ": 'model' is required for kind \"openai\"");
  } else if (kind == "azure") {
    endpoint.kind = EndpointKind::kAzure;
    if (endpoint.endpoint.empty() || endpoint.deployment.empty() || endpoint.api_version.empty()) {
      return Status::ParseError(where + ": kind \"azure\" needs 'endpoint', 'deployment' and 'api_version'");
    }
  } else {
    return Status::ParseError(fmt::format("{}: kind must be \"openai\" or \"azure\", not \"{}\"", where, kind));
  }
  return endpoint;
}

Status read_endpoints(const toml::table& root, std::string_view origin, LlmConfig& config) {
  auto node = root.get("endpoints");
  if (!node) return Status::ParseError(fmt::format("{}: no [[endpoints]] table", origin));
  auto array = node->as_array();
  if (!array || array->empty()) return Status::ParseError(fmt::format("{}: 'endpoints' must be a non-empty array of tables ([[endpoints]])", origin));
  for (size_t i = 0; i < array->size(); ++i) {
    auto table = array->get(i)->as_table();
    std::string where = fmt::format("{}: endpoints[{}]", origin, i);
    if (!table) return Status::ParseError(where + " is not a table");
    auto endpoint = read_endpoint(*table, where);
    if (!endpoint.ok()) return endpoint.status();
    config.endpoints.push_back(std::move(endpoint).value());
  }
  return Status::Ok();
}

}  // namespace

Result<JsonSchemaMode> parse_json_schema_mode(std::string_view text) {
  std::string lower = to_lower(text);
  if (lower == "on" || lower == "true") return JsonSchemaMode::kOn;
  if (lower == "off" || lower == "false") return JsonSchemaMode::kOff;
  if (lower == "auto") return JsonSchemaMode::kAuto;
  return Status::InvalidArgument(fmt::format("json_schema must be on, off or auto, not \"{}\"", text));
}

std::string_view endpoint_kind_name(EndpointKind kind) {
  return kind == EndpointKind::kAzure ? "azure" : "openai";
}

Result<LlmConfig> parse_llm_config(std::string_view toml_text, std::string_view origin,
                                   const std::filesystem::path& base_dir) {
  toml::table root;
  try {
    root = toml::parse(toml_text, origin);
  } catch (const toml::parse_error& e) {
    return Status::ParseError(fmt::format("{}:{}: {}", origin, e.source().begin.line, e.description()));
  }
  LlmConfig config;
  CXRVQA_RETURN_IF_ERROR(read_endpoints(root, origin, config));
  TableReader reader(root, std::string(origin));
  reader.StringList("allow_hosts", config.allow_hosts);
  reader.String("model", config.model);
  reader.Integer("concurrency", config.concurrency, 1);
  reader.Number("timeout_s", config.timeout_s, 0.001);
  reader.Integer("max_retries", config.max_retries, 0);
  reader.Number("backoff_initial_s", config.backoff_initial_s, 0);
  reader.Number("backoff_max_s", config.backoff_max_s, 0);
  reader.Number("temperature", config.temperature, 0);
  reader.Integer("max_tokens", config.max_tokens, 0);
  std::string schema = "auto", cache;
  reader.String("json_schema", schema);
  reader.String("cache", cache);
  CXRVQA_RETURN_IF_ERROR(reader.status());
  auto mode = parse_json_schema_mode(schema);
  if (!mode.ok()) return Status::ParseError(fmt::format("{}: {}", origin, mode.status().message()));
  config.json_schema = *mode;
  for (auto& host : config.allow_hosts) host = to_lower(host);
  if (!cache.empty()) {
    std::filesystem::path path(cache);
    config.cache = path.is_absolute() ? path : base_dir / path;
  }
  return config;
}

Result<LlmConfig> load_llm_config(const std::filesystem::path& path) {
  auto text = read_file(path);
  if (!text.ok()) return text.status();
  return parse_llm_config(*text, path.string(), path.parent_path());
}

std::string chat_completions_url(const EndpointConfig& endpoint) {
  if (endpoint.kind == EndpointKind::kAzure) {
    return fmt::format("{}/openai/deployments/{}/chat/completions?api-version={}", endpoint.endpoint,
                       endpoint.deployment, endpoint.api_version);
  }
  return endpoint.base_url + "/chat/completions";
}

std::string model_identity(const LlmConfig& config) {
  if (!config.model.empty()) return config.model;
  if (config.endpoints.empty()) return "";
  const auto& first = config.endpoints.front();
  if (!first.model.empty()) return first.model;
  return first.deployment;
}

}  // namespace cxrvqa::llm
