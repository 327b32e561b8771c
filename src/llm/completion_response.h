// Reading a chat completion response body (online answers and batch result lines alike).
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace cxrvqa::llm {

struct CompletionAnswer {
  enum class Kind { kAnswer, kFiltered, kMalformed } kind = Kind::kMalformed;
  std::string content;  // kAnswer
  std::string error;    // kFiltered / kMalformed: why (never the answer text)
  int prompt_tokens = 0;
  int completion_tokens = 0;
};

// A chat.completion object: the first choice's message content, or a content-filter finish.
CompletionAnswer read_completion(const nlohmann::json& body);

// True for an error object that reports a content-filter refusal (Azure OpenAI's
// "content_filter" code or ResponsibleAIPolicyViolation inner error).
bool is_content_filter_error(const nlohmann::json& error);

// The server's error text of an error body ("code: message"), or "". It may quote the
// request, and so the report: for debug logs and the failures file only.
std::string server_error_text(const nlohmann::json& body);

// What logs and error messages say about a server's error answer: "HTTP 500 (body of 57
// bytes, sha256 1a2b3c4d5e6f)" (code 0: no HTTP code). Never the body itself.
std::string http_error_text(long code, std::string_view body);

}  // namespace cxrvqa::llm
