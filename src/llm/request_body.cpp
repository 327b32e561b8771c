// The request body and cache key of a chat completion, and the JSON schema of KeyInfo answers.
#include <fmt/format.h>

#include "common/hash.h"
#include "llm/chat.h"

namespace cxrvqa::llm {
namespace {

Json nullable_string() { return Json{{"type", Json::array({"string", "null"})}}; }

Json build_keyinfo_schema() {
  Json attributes = {{"type", "object"},
                     {"properties",
                      {{"location", nullable_string()},
                       {"level", nullable_string()},
                       {"type", nullable_string()},
                       {"post_location", nullable_string()}}}};
  Json statement = {{"anyOf", Json::array({Json{{"type", "object"},
                                                {"properties",
                                                 {{"location", nullable_string()},
                                                  {"level", nullable_string()},
                                                  {"type", nullable_string()}}}},
                                           Json{{"type", "null"}}})}};
  Json names = {{"type", "array"}, {"items", {{"type", "string"}}}};
  return Json{{"type", "object"},
              {"properties",
               {{"opacity_vs_clear",
                 {{"type", "object"}, {"properties", {{"opacity", statement}, {"clear", statement}}}}},
                {"entity", {{"type", "object"}, {"additionalProperties", attributes}}},
                {"uncertain_entity", names},
                {"no_entity", names}}},
              {"required", Json::array({"entity", "uncertain_entity", "no_entity"})}};
}

}  // namespace

const Json& keyinfo_answer_schema() {
  static const Json schema = build_keyinfo_schema();
  return schema;
}

Json chat_request_body(const LlmConfig& config, const EndpointConfig& endpoint,
                       const std::vector<ChatMessage>& messages, bool json_schema) {
  Json body = Json::object();
  if (endpoint.kind == EndpointKind::kOpenAi) body["model"] = endpoint.model;
  Json list = Json::array();
  for (const auto& message : messages) list.push_back({{"role", message.role}, {"content", message.content}});
  body["messages"] = std::move(list);
  body["temperature"] = config.temperature;
  if (config.max_tokens > 0) body["max_tokens"] = config.max_tokens;
  if (json_schema) {
    body["response_format"] = {
        {"type", "json_schema"},
        {"json_schema", {{"name", "keyinfo"}, {"strict", false}, {"schema", keyinfo_answer_schema()}}}};
  }
  return body;
}

std::string chat_cache_key(const LlmConfig& config, const std::vector<ChatMessage>& messages,
                           bool json_schema) {
  Json identity = Json::array();
  identity.push_back(model_identity(config));
  identity.push_back(config.temperature);
  identity.push_back(config.max_tokens);
  identity.push_back(json_schema);
  for (const auto& message : messages) identity.push_back(Json::array({message.role, message.content}));
  return sha256_hex(identity.dump());
}

}  // namespace cxrvqa::llm
