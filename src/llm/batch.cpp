#include "llm/batch.h"

#include <fmt/format.h>

#include "llm/completion_response.h"

namespace cxrvqa::llm {
namespace {

bool is_cache_key(std::string_view text) {
  return text.size() == 64 && text.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

bool json_schema_for_batch(const LlmConfig& config) { return config.json_schema != JsonSchemaMode::kOff; }

// The outcome of one batch result line, or a ParseError describing what is wrong with it.
Result<ChatOutcome> read_result_line(const nlohmann::json& line, const std::string& job_id) {
  ChatOutcome outcome;
  outcome.id = job_id;
  auto error = line.find("error");
  if (error != line.end() && !error->is_null()) {
    outcome.kind = is_content_filter_error(*error) ? ChatOutcome::Kind::kFiltered : ChatOutcome::Kind::kFailed;
    outcome.raw = error->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    outcome.error = "batch error (" + http_error_text(0, outcome.raw) + ")";
    return outcome;
  }
  auto response = line.find("response");
  if (response == line.end() || !response->is_object()) return Status::ParseError("no 'response' object");
  auto status = response->find("status_code");
  int code = status != response->end() && status->is_number_integer() ? status->get<int>() : 0;
  auto body = response->find("body");
  if (body == response->end()) return Status::ParseError("no 'response.body'");
  if (code != 200) {
    bool filtered = body->is_object() && body->contains("error") && is_content_filter_error((*body)["error"]);
    outcome.kind = filtered ? ChatOutcome::Kind::kFiltered : ChatOutcome::Kind::kFailed;
    outcome.raw = body->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    outcome.error = http_error_text(code, outcome.raw);
    return outcome;
  }
  CompletionAnswer answer = read_completion(*body);
  outcome.prompt_tokens = answer.prompt_tokens;
  outcome.completion_tokens = answer.completion_tokens;
  outcome.content = std::move(answer.content);
  outcome.error = std::move(answer.error);
  outcome.kind = answer.kind == CompletionAnswer::Kind::kAnswer     ? ChatOutcome::Kind::kOk
                 : answer.kind == CompletionAnswer::Kind::kFiltered ? ChatOutcome::Kind::kFiltered
                                                                    : ChatOutcome::Kind::kFailed;
  return outcome;
}

}  // namespace

std::string batch_custom_id(std::string_view job_id, std::string_view cache_key) {
  return fmt::format("{}|{}", job_id, cache_key);
}

Result<BatchIds> parse_batch_custom_id(std::string_view custom_id) {
  size_t bar = custom_id.rfind('|');
  if (bar == std::string_view::npos || bar == 0 || !is_cache_key(custom_id.substr(bar + 1))) {
    return Status::ParseError("custom_id is not '<study id>|<cache key>' as written by batch export");
  }
  return BatchIds{std::string(custom_id.substr(0, bar)), std::string(custom_id.substr(bar + 1))};
}

std::string batch_request_line(const LlmConfig& config, const ChatJob& job) {
  const EndpointConfig& endpoint = config.endpoints.front();
  bool json_schema = json_schema_for_batch(config);
  Json body = chat_request_body(config, endpoint, job.messages, json_schema);
  std::string url = "/v1/chat/completions";
  if (endpoint.kind == EndpointKind::kAzure) {
    // Azure OpenAI Batch names the deployment in the body's model field.
    Json with_model = Json::object();
    with_model["model"] = endpoint.deployment;
    with_model.update(body);
    body = std::move(with_model);
    url = "/chat/completions";
  }
  Json line = Json::object();
  line["custom_id"] = batch_custom_id(job.id, chat_cache_key(config, job.messages, json_schema));
  line["method"] = "POST";
  line["url"] = url;
  line["body"] = std::move(body);
  return line.dump(-1, ' ', false, Json::error_handler_t::replace);
}

Status import_batch_results(const std::filesystem::path& results, AnswerCache* cache,
                            const AnswerCheck& check,
                            const std::function<void(const BatchResult&)>& on_result,
                            const std::function<void(const LineError&)>& on_error) {
  auto on_line = [&](const Json& ordered, size_t) -> Status {
    nlohmann::json line = nlohmann::json::parse(ordered.dump());
    if (!line.is_object() || !line.contains("custom_id") || !line["custom_id"].is_string()) {
      return Status::ParseError("no string 'custom_id'");
    }
    CXRVQA_ASSIGN_OR_RETURN(auto ids, parse_batch_custom_id(line["custom_id"].get<std::string>()));
    CXRVQA_ASSIGN_OR_RETURN(auto outcome, read_result_line(line, ids.job_id));
    if (check && outcome.kind == ChatOutcome::Kind::kOk) {
      std::string rejected = check(outcome.content);
      if (!rejected.empty()) {
        outcome.kind = ChatOutcome::Kind::kFailed;
        outcome.error = "answer rejected: " + rejected;
      }
    }
    if (cache != nullptr && outcome.kind != ChatOutcome::Kind::kFailed) {
      bool filtered = outcome.kind == ChatOutcome::Kind::kFiltered;
      CXRVQA_RETURN_IF_ERROR(cache->Put(ids.cache_key, CachedAnswer{filtered, filtered ? outcome.error : outcome.content,
                                                                     outcome.prompt_tokens, outcome.completion_tokens}));
    }
    on_result(BatchResult{std::move(ids), std::move(outcome)});
    return Status::Ok();
  };
  Status status = for_each_jsonl(results, on_line, on_error);
  if (cache != nullptr) {
    Status flushed = cache->Flush();
    if (status.ok()) status = flushed;
  }
  return status;
}

}  // namespace cxrvqa::llm
