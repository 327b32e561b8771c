// Chat completions at scale: many requests in flight over one or several OpenAI-compatible
// endpoints, every answer cached, retries with backoff, and a clear stop on fatal errors.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/json.h"
#include "common/status.h"
#include "llm/config.h"

namespace cxrvqa::llm {

struct ChatMessage {
  std::string role;     // "system" | "user" | "assistant"
  std::string content;
};

// One conversation to complete. `id` is the caller's key (e.g. the study id); it is echoed in
// the outcome and never sent to the server.
struct ChatJob {
  std::string id;
  std::vector<ChatMessage> messages;
};

struct ChatOutcome {
  std::string id;
  enum class Kind {
    kOk,        // `content` holds the assistant's answer
    kFiltered,  // the server's content filter refused (Azure); recorded, not retried
    kFailed,    // retries exhausted, or the answer was rejected by the caller's check
  } kind = Kind::kFailed;
  std::string content;  // the answer (kOk), or the last rejected answer text (kFailed)
  std::string error;    // why, for kFiltered/kFailed; never contains report text or keys
  bool from_cache = false;
  int prompt_tokens = 0;
  int completion_tokens = 0;
  // kFailed after an HTTP error: the server's error body (at most a few KB). It may quote the
  // report, so it goes only to the failures file, never to a log above debug level.
  std::string raw;
};

// Counters over the runner's lifetime.
struct UsageTotals {
  uint64_t jobs = 0;              // outcomes delivered
  uint64_t cache_hits = 0;
  uint64_t requests = 0;          // HTTP requests sent (retries included)
  uint64_t retries = 0;
  uint64_t ok = 0;
  uint64_t filtered = 0;
  uint64_t failed = 0;
  uint64_t prompt_tokens = 0;     // as reported by the server (fresh answers only)
  uint64_t completion_tokens = 0;
};

// Checks a fresh answer before it is accepted and cached (and a cached answer before it is
// used): returns "" when acceptable, or the reason it is not (e.g. "no JSON object"). A rejected answer is requested again (counted as
// a retry); when retries run out the outcome is kFailed with the last answer in `content`,
// and nothing is cached, so a later run asks again.
using AnswerCheck = std::function<std::string(std::string_view content)>;

// The cache key of `messages` under `config`: sha256 over (model identity, messages,
// temperature, max_tokens, whether a JSON schema constrains the answer).
std::string chat_cache_key(const LlmConfig& config, const std::vector<ChatMessage>& messages,
                           bool json_schema);

class ChatRunner {
 public:
  // Validates the config (hosts allowed, keys present in the environment, cache openable).
  // PermissionDenied for a host that is neither loopback nor allowed.
  static Result<std::unique_ptr<ChatRunner>> Create(const LlmConfig& config);
  ~ChatRunner();
  ChatRunner(const ChatRunner&) = delete;
  ChatRunner& operator=(const ChatRunner&) = delete;

  // Completes every job (cache first, then the servers) and calls `on_done` once per job, in
  // completion order, always from the calling thread. Cached answers go through `check` too
  // (one a newer check rejects is asked again). A response larger than max_answer_bytes
  // fails its job; Retry-After is honoured up to max_retry_after_s; a reply that is not HTTP
  // is retried. Returns OK when every job got an
  // outcome; a fatal server answer (400 other than a content filter, 401, 403, 404) stops
  // the run and returns a Status naming the endpoint and HTTP code (outcomes already
  // delivered stay valid and cached).
  Status Run(const std::vector<ChatJob>& jobs,
             const std::function<void(const ChatOutcome&)>& on_done,
             const AnswerCheck& check = {});

  UsageTotals totals() const;
  // The distinct hosts that receive report text, in endpoint order.
  const std::vector<std::string>& receiving_hosts() const;
  const LlmConfig& config() const;

 private:
  struct Impl;
  explicit ChatRunner(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// The JSON Schema of a KeyInfo answer (entity names are free keys), as sent in
// response_format when json_schema is on.
const Json& keyinfo_answer_schema();

// The request body for `messages` under `config` (model, temperature, max_tokens, and
// response_format when `json_schema`); used by the online client and batch export alike.
Json chat_request_body(const LlmConfig& config, const EndpointConfig& endpoint,
                       const std::vector<ChatMessage>& messages, bool json_schema);

}  // namespace cxrvqa::llm
