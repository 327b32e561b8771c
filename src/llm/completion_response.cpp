#include "llm/completion_response.h"

#include <fmt/format.h>

#include "common/hash.h"

namespace cxrvqa::llm {
namespace {

// The string at `key` of `object`, or "" when absent or not a string.
std::string string_field(const nlohmann::json& object, const char* key) {
  if (!object.is_object()) return "";
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : "";
}

int int_field(const nlohmann::json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_number_integer() ? it->get<int>() : 0;
}

}  // namespace

bool is_content_filter_error(const nlohmann::json& error) {
  if (!error.is_object()) return false;
  if (string_field(error, "code") == "content_filter") return true;
  auto inner = error.find("innererror");
  return inner != error.end() && inner->is_object() &&
         (string_field(*inner, "code") == "ResponsibleAIPolicyViolation" || inner->contains("content_filter_result"));
}

std::string server_error_text(const nlohmann::json& body) {
  if (!body.is_object()) return "";
  auto error = body.find("error");
  if (error == body.end()) {
    std::string message = string_field(body, "message");
    return message.empty() ? string_field(body, "detail") : message;
  }
  if (error->is_string()) return error->get<std::string>();
  std::string message = string_field(*error, "message");
  std::string code = string_field(*error, "code");
  return code.empty() ? message : code + ": " + message;
}

std::string http_error_text(long code, std::string_view body) {
  std::string described = body.empty() ? "empty body"
                                        : fmt::format("body of {} bytes, sha256 {}", body.size(),
                                                      sha256_hex(body).substr(0, 12));
  return code == 0 ? described : fmt::format("HTTP {} ({})", code, described);
}

CompletionAnswer read_completion(const nlohmann::json& body) {
  CompletionAnswer answer;
  if (!body.is_object()) {
    answer.error = "the server's answer is not a JSON object";
    return answer;
  }
  if (auto usage = body.find("usage"); usage != body.end() && usage->is_object()) {
    answer.prompt_tokens = int_field(*usage, "prompt_tokens");
    answer.completion_tokens = int_field(*usage, "completion_tokens");
  }
  auto choices = body.find("choices");
  if (choices == body.end() || !choices->is_array() || choices->empty() || !(*choices)[0].is_object()) {
    answer.error = "the server's answer has no choices";
    return answer;
  }
  const auto& choice = (*choices)[0];
  if (string_field(choice, "finish_reason") == "content_filter") {
    answer.kind = CompletionAnswer::Kind::kFiltered;
    answer.error = "the answer was withheld by the server's content filter";
    return answer;
  }
  auto message = choice.find("message");
  if (message == choice.end() || !message->is_object() || !message->contains("content") ||
      !(*message)["content"].is_string()) {
    answer.error = "the server's answer has no message content";
    return answer;
  }
  answer.kind = CompletionAnswer::Kind::kAnswer;
  answer.content = (*message)["content"].get<std::string>();
  return answer;
}

}  // namespace cxrvqa::llm
