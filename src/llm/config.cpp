#include "llm/config.h"

#include <fmt/format.h>
#include <toml++/toml.h>

#include <algorithm>
#include <cmath>

#include "common/file_io.h"
#include "common/text.h"

namespace cxrvqa::llm {
namespace {

// The number of single-character edits between `a` and `b`.
size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

// Reads TOML values into a config, remembering the first problem met: a key it does not
// know, a value of the wrong type, a number that is not finite or out of its range.
class TableReader {
 public:
  TableReader(const toml::table& table, std::string where, std::vector<std::string_view> known)
      : table_(table), where_(std::move(where)), known_(std::move(known)) {}

  void String(const char* key, std::string& out) {
    if (auto node = table_.get(key)) {
      if (auto value = node->value<std::string>()) out = *value;
      else Fail(key, "a string");
    }
  }
  void Number(const char* key, double& out, double min, double max) {
    if (auto node = table_.get(key)) {
      auto value = node->value<double>();
      if (!value) return Fail(key, "a number");
      if (!std::isfinite(*value) || *value < min || *value > max) {
        return Fail(key, fmt::format("a number from {} to {}", min, max));
      }
      out = *value;
    }
  }
  template <typename Int>
  void Integer(const char* key, Int& out, int64_t min, int64_t max) {
    if (auto node = table_.get(key)) {
      auto value = node->value_exact<int64_t>();
      if (!value) return Fail(key, "an integer");
      if (*value < min || *value > max) return Fail(key, fmt::format("an integer from {} to {}", min, max));
      out = static_cast<Int>(*value);
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
  // The first problem met, checking first for keys that are not known (typos would
  // otherwise be ignored silently).
  Status status() const {
    for (const auto& [key, node] : table_) {
      if (std::find(known_.begin(), known_.end(), key.str()) != known_.end()) continue;
      std::string_view closest;
      for (std::string_view name : known_) {
        if (edit_distance(key.str(), name) <= 2 && closest.empty()) closest = name;
      }
      return Status::ParseError(fmt::format("{}:{}: unknown key '{}'{}", where_, node.source().begin.line, key.str(),
                                            closest.empty() ? "" : fmt::format(" (did you mean '{}'?)", closest)));
    }
    return status_;
  }

 private:
  const toml::table& table_;
  std::string where_;
  std::vector<std::string_view> known_;
  Status status_;
};

std::string strip_trailing_slashes(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

Result<EndpointConfig> read_endpoint(const toml::table& table, const std::string& where) {
  EndpointConfig endpoint;
  TableReader reader(table, where,
                     {"kind", "base_url", "endpoint", "deployment", "api_version", "model", "api_key_env"});
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
    CXRVQA_ASSIGN_OR_RETURN(auto endpoint, read_endpoint(*table, where));
    config.endpoints.push_back(std::move(endpoint));
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
  TableReader reader(root, std::string(origin),
                     {"endpoints", "allow_hosts", "proxy", "model", "concurrency", "timeout_s", "max_retries",
                      "backoff_initial_s", "backoff_max_s", "max_retry_after_s", "max_answer_bytes",
                      "temperature", "max_tokens", "json_schema", "cache"});
  reader.StringList("allow_hosts", config.allow_hosts);
  reader.String("proxy", config.proxy);
  reader.String("model", config.model);
  reader.Integer("concurrency", config.concurrency, 1, 4096);
  reader.Number("timeout_s", config.timeout_s, 0.001, 86400);
  reader.Integer("max_retries", config.max_retries, 0, 100);
  reader.Number("backoff_initial_s", config.backoff_initial_s, 0, 3600);
  reader.Number("backoff_max_s", config.backoff_max_s, 0, 86400);
  reader.Number("max_retry_after_s", config.max_retry_after_s, 0, 86400);
  reader.Integer("max_answer_bytes", config.max_answer_bytes, 1024, int64_t{1} << 30);
  reader.Number("temperature", config.temperature, 0, 2);
  reader.Integer("max_tokens", config.max_tokens, 0, 1'000'000);
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
  CXRVQA_ASSIGN_OR_RETURN(auto text, read_file(path));
  return parse_llm_config(text, path.string(), path.parent_path());
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
