#include "llm/chat.h"

#include <curl/curl.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <deque>
#include <queue>
#include <random>
#include <thread>

#include "llm/cache.h"
#include "llm/completion_response.h"
#include "llm/governance.h"

namespace cxrvqa::llm {
namespace {

using Clock = std::chrono::steady_clock;

// One endpoint and what the runner has learned about it. Work goes to the endpoint with the
// lowest (in flight + 1) x latency / health, so a slow or failing one gets less.
struct Endpoint {
  EndpointConfig config;
  std::string url;
  std::string host;
  curl_slist* headers = nullptr;
  curl_slist* resolve = nullptr;  // "localhost" pinned to loopback addresses (never DNS)
  int in_flight = 0;
  double latency_s = 0.001;  // moving average of successful answers
  double health = 1.0;       // halves on a failure, recovers on success; in [0.05, 1]
};

// What one finished HTTP exchange means for its job.
enum class Verdict { kAnswer, kFiltered, kRetry, kSchemaRejected, kJobFailed, kFatal };

struct Exchange {
  Verdict verdict = Verdict::kRetry;
  std::string content;
  std::string error;  // never the server's text: it may echo the report
  std::string raw;    // the server's error body, for the failures file only
  double retry_after_s = 0;
  int prompt_tokens = 0;
  int completion_tokens = 0;
};

// One request in flight.
struct Request {
  CURL* easy = nullptr;
  size_t job = 0;
  size_t endpoint = 0;
  bool json_schema = false;
  std::string body;
  std::string response;
  size_t max_response = 0;     // a larger response stops the transfer
  bool too_large = false;
  char curl_error[CURL_ERROR_SIZE] = {};
  Clock::time_point start;
};

struct JobState {
  int attempts = 0;
  std::string last_error;
  std::string last_content;
};

size_t append_response(char* data, size_t size, size_t count, void* user) {
  auto* request = static_cast<Request*>(user);
  if (request->response.size() + size * count > request->max_response) {
    request->too_large = true;
    return 0;  // libcurl stops the transfer (CURLE_WRITE_ERROR)
  }
  request->response.append(data, size * count);
  return size * count;
}

constexpr size_t kMaxRawBytes = 4096;  // of a server's error body kept for the failures file

std::string short_text(std::string text, size_t max = 300) {
  if (text.size() > max) {
    text.resize(max);
    text += "...";
  }
  return text;
}

Exchange read_success(const std::string& response) {
  Exchange result;
  auto body = nlohmann::json::parse(response, nullptr, false);
  CompletionAnswer answer = read_completion(body);
  result.prompt_tokens = answer.prompt_tokens;
  result.completion_tokens = answer.completion_tokens;
  result.error = std::move(answer.error);
  result.content = std::move(answer.content);
  if (answer.kind == CompletionAnswer::Kind::kAnswer) result.verdict = Verdict::kAnswer;
  if (answer.kind == CompletionAnswer::Kind::kFiltered) result.verdict = Verdict::kFiltered;
  return result;
}

Exchange read_http_error(long code, const std::string& response, bool json_schema, bool may_drop_schema) {
  Exchange result;
  auto body = nlohmann::json::parse(response, nullptr, false);
  // The body may quote the request (and so the report): it is described, never shown.
  result.error = http_error_text(code, response);
  result.raw = short_text(response, kMaxRawBytes);
  spdlog::debug("llm: HTTP {} body: {}", code, short_text(server_error_text(body)));
  if (code == 400 && body.is_object() && body.contains("error") && is_content_filter_error(body["error"])) {
    result.verdict = Verdict::kFiltered;
    result.error = "the prompt was refused by the server's content filter";
  } else if (json_schema && may_drop_schema && (code == 400 || code == 422)) {
    result.verdict = Verdict::kSchemaRejected;
  } else if (code == 400 || code == 401 || code == 403 || code == 404) {
    result.verdict = Verdict::kFatal;
  } else if (code == 408 || code == 409 || code == 429 || code >= 500) {
    result.verdict = Verdict::kRetry;
  } else {
    result.verdict = Verdict::kJobFailed;
  }
  return result;
}

// Transport errors no retry can cure. A garbled reply is not one of them (libcurl reports a
// reply that is not HTTP as CURLE_UNSUPPORTED_PROTOCOL, "HTTP/0.9 not allowed"): the URL
// schemes were checked before any request, so it is retried like a dropped connection.
bool is_fatal_transport_error(CURLcode code) {
  return code == CURLE_URL_MALFORMAT || code == CURLE_PEER_FAILED_VERIFICATION ||
         code == CURLE_SSL_CACERT_BADFILE || code == CURLE_SSL_CERTPROBLEM || code == CURLE_FAILED_INIT;
}

}  // namespace

struct ChatRunner::Impl {
  LlmConfig config;
  std::vector<std::string> hosts;
  std::vector<Endpoint> endpoints;
  std::unique_ptr<AnswerCache> cache;
  CURLM* multi = nullptr;
  std::vector<std::unique_ptr<Request>> idle_requests;
  UsageTotals totals;
  bool json_schema_on = false;  // the mode new requests use (auto starts on)
  size_t round_robin = 0;
  uint64_t choices = 0;
  std::mt19937_64 random{std::random_device{}()};

  ~Impl() {
    for (auto& request : idle_requests) curl_easy_cleanup(request->easy);
    if (multi != nullptr) curl_multi_cleanup(multi);
    for (auto& endpoint : endpoints) {
      curl_slist_free_all(endpoint.headers);
      curl_slist_free_all(endpoint.resolve);
    }
  }

  // Cache keys to look up for `messages`, most preferred first.
  std::vector<std::string> LookupKeys(const std::vector<ChatMessage>& messages) const {
    switch (config.json_schema) {
      case JsonSchemaMode::kOn: return {chat_cache_key(config, messages, true)};
      case JsonSchemaMode::kOff: return {chat_cache_key(config, messages, false)};
      case JsonSchemaMode::kAuto:
        return {chat_cache_key(config, messages, true), chat_cache_key(config, messages, false)};
    }
    return {};
  }

  size_t ChooseEndpoint() {
    // Every 64th request goes round-robin, so an endpoint that failed gets a chance to recover.
    if (++choices % 64 == 0) return (round_robin++) % endpoints.size();
    size_t best = 0;
    double best_score = INFINITY;
    for (size_t n = 0; n < endpoints.size(); ++n) {
      size_t i = (round_robin + n) % endpoints.size();
      const auto& endpoint = endpoints[i];
      double score = (endpoint.in_flight + 1) * endpoint.latency_s / endpoint.health;
      if (score < best_score) {
        best_score = score;
        best = i;
      }
    }
    round_robin = (round_robin + 1) % endpoints.size();
    return best;
  }

  std::unique_ptr<Request> TakeRequest() {
    if (!idle_requests.empty()) {
      auto request = std::move(idle_requests.back());
      idle_requests.pop_back();
      return request;
    }
    auto request = std::make_unique<Request>();
    request->easy = curl_easy_init();
    return request;
  }

  void Configure(Request& request, const Endpoint& endpoint) {
    CURL* easy = request.easy;
    curl_easy_setopt(easy, CURLOPT_URL, endpoint.url.c_str());
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, endpoint.headers);
    curl_easy_setopt(easy, CURLOPT_POST, 1L);
    curl_easy_setopt(easy, CURLOPT_POSTFIELDS, request.body.data());
    curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, append_response);
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, &request);
    curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, request.curl_error);
    curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, static_cast<long>(config.timeout_s * 1000));
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 0L);  // never follow report text elsewhere
    curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
    // Only the proxy the config names, checked like an endpoint; "" makes libcurl ignore the
    // proxy environment variables, which no allowlist check would see.
    curl_easy_setopt(easy, CURLOPT_PROXY, config.proxy.c_str());
    curl_easy_setopt(easy, CURLOPT_NOPROXY, "");
    curl_easy_setopt(easy, CURLOPT_RESOLVE, endpoint.resolve);
    curl_easy_setopt(easy, CURLOPT_PRIVATE, &request);
  }

  double BackoffSeconds(int attempt, double retry_after_s) {
    double base = std::min(config.backoff_max_s, config.backoff_initial_s * std::pow(2.0, std::max(0, attempt - 1)));
    double jittered = std::uniform_real_distribution<double>(base / 2, base)(random);
    // The server's Retry-After is honoured up to the configured cap.
    return std::max(jittered, std::min(retry_after_s, config.max_retry_after_s));
  }

  Exchange Interpret(Request& request, CURLcode code) {
    Exchange result;
    if (request.too_large) {
      result.verdict = Verdict::kJobFailed;
      result.error = fmt::format("the answer is larger than max_answer_bytes ({} bytes); not kept", request.max_response);
      return result;
    }
    if (code != CURLE_OK) {
      result.verdict = is_fatal_transport_error(code) ? Verdict::kFatal : Verdict::kRetry;
      result.error = fmt::format("{} ({})", curl_easy_strerror(code), short_text(request.curl_error, 200));
      return result;
    }
    long status = 0;
    curl_easy_getinfo(request.easy, CURLINFO_RESPONSE_CODE, &status);
    if (status == 200) return read_success(request.response);
    result = read_http_error(status, request.response, request.json_schema,
                             config.json_schema == JsonSchemaMode::kAuto);
    curl_off_t retry_after = 0;
    if (curl_easy_getinfo(request.easy, CURLINFO_RETRY_AFTER, &retry_after) == CURLE_OK && retry_after > 0) {
      result.retry_after_s = static_cast<double>(retry_after);
    }
    return result;
  }

  void UpdateEndpoint(Endpoint& endpoint, const Exchange& exchange, double seconds) {
    --endpoint.in_flight;
    if (exchange.verdict == Verdict::kRetry) {
      // A failure counts as a slow answer (at least a second) as well as lowering health.
      endpoint.health = std::max(0.05, endpoint.health * 0.5);
      endpoint.latency_s = 0.8 * endpoint.latency_s + 0.2 * std::max(seconds, 1.0);
    } else {
      endpoint.health = std::min(1.0, endpoint.health + 0.1);
      endpoint.latency_s = 0.8 * endpoint.latency_s + 0.2 * std::max(seconds, 0.0005);
    }
  }

  class JobRun;
};

ChatRunner::ChatRunner(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ChatRunner::~ChatRunner() = default;

Result<std::unique_ptr<ChatRunner>> ChatRunner::Create(const LlmConfig& config) {
  static const CURLcode global_init = curl_global_init(CURL_GLOBAL_DEFAULT);
  if (global_init != CURLE_OK) return Status::Internal("libcurl could not be initialised");
  if (config.endpoints.empty()) return Status::InvalidArgument("the LLM configuration names no endpoint");
  if (config.concurrency < 1) return Status::InvalidArgument("concurrency must be at least 1");
  CXRVQA_ASSIGN_OR_RETURN(auto hosts, check_receiving_hosts(config));
  auto impl = std::make_unique<Impl>();
  impl->config = config;
  impl->hosts = std::move(hosts);
  impl->json_schema_on = config.json_schema != JsonSchemaMode::kOff;
  for (size_t i = 0; i < config.endpoints.size(); ++i) {
    Endpoint endpoint;
    endpoint.config = config.endpoints[i];
    endpoint.url = chat_completions_url(endpoint.config);
    UrlParts parts = endpoint_url_parts(endpoint.url).value();
    endpoint.host = parts.host;
    if (endpoint.host == "localhost") {
      std::string pin = "localhost:" + parts.port + ":127.0.0.1,[::1]";
      endpoint.resolve = curl_slist_append(nullptr, pin.c_str());
    }
    endpoint.headers = curl_slist_append(nullptr, "Content-Type: application/json");
    endpoint.headers = curl_slist_append(endpoint.headers, "Expect:");
    if (!endpoint.config.api_key_env.empty()) {
      const char* key = std::getenv(endpoint.config.api_key_env.c_str());
      if (key == nullptr || *key == '\0') {
        curl_slist_free_all(endpoint.headers);
        curl_slist_free_all(endpoint.resolve);
        return Status::InvalidArgument(fmt::format(
            "endpoint {} ({}): environment variable {} (api_key_env) is not set", i, endpoint.host,
            endpoint.config.api_key_env));
      }
      std::string header = endpoint.config.kind == EndpointKind::kAzure ? fmt::format("api-key: {}", key)
                                                                        : fmt::format("Authorization: Bearer {}", key);
      endpoint.headers = curl_slist_append(endpoint.headers, header.c_str());
    }
    impl->endpoints.push_back(std::move(endpoint));
  }
  if (!config.cache.empty()) {
    CXRVQA_ASSIGN_OR_RETURN(auto cache, AnswerCache::Open(config.cache));
    impl->cache = std::move(cache);
  }
  impl->multi = curl_multi_init();
  curl_multi_setopt(impl->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, static_cast<long>(config.concurrency));
  curl_multi_setopt(impl->multi, CURLMOPT_MAXCONNECTS, static_cast<long>(config.concurrency));
  return std::unique_ptr<ChatRunner>(new ChatRunner(std::move(impl)));
}

UsageTotals ChatRunner::totals() const { return impl_->totals; }
const std::vector<std::string>& ChatRunner::receiving_hosts() const { return impl_->hosts; }
const LlmConfig& ChatRunner::config() const { return impl_->config; }

// One call of Run: the jobs' queues, their retry state and the requests in flight. It
// borrows the runner's state, lives on the calling thread for the call only, and owns the
// requests it has in flight until it releases them to the runner's idle pool.
class ChatRunner::Impl::JobRun {
 public:
  JobRun(Impl& runner, const std::vector<ChatJob>& jobs, const std::function<void(const ChatOutcome&)>& on_done,
         const AnswerCheck& check)
      : s_(runner), jobs_(jobs), on_done_(on_done), check_(check), states_(jobs.size()) {}
  JobRun(const JobRun&) = delete;
  JobRun& operator=(const JobRun&) = delete;

  // Cached answers first, then the servers until every job has an outcome or a fatal answer
  // stops the run. The cache is flushed at the end either way.
  Status Run() {
    CXRVQA_RETURN_IF_ERROR(DeliverCachedAnswers());
    Status result = Status::Ok();
    last_flush_ = Clock::now();
    while (result.ok() && (!ready_.empty() || !delayed_.empty() || !in_flight_.empty())) {
      MoveDueRetriesToReady();
      StartReadyJobs();
      int running = 0;
      curl_multi_perform(s_.multi, &running);
      result = FinishCompletedRequests();
      if (result.ok()) result = FlushCacheIfDue();
      if (!result.ok()) break;
      WaitForProgress();
    }
    while (!in_flight_.empty()) Release(in_flight_.back().get());
    if (s_.cache) {
      Status flushed = s_.cache->Flush();
      if (result.ok()) result = flushed;
    }
    return result;
  }

 private:
  using Delayed = std::pair<Clock::time_point, size_t>;  // when a job may be sent again

  void Deliver(ChatOutcome outcome) {
    ++s_.totals.jobs;
    if (outcome.kind == ChatOutcome::Kind::kOk) ++s_.totals.ok;
    else if (outcome.kind == ChatOutcome::Kind::kFiltered) ++s_.totals.filtered;
    else ++s_.totals.failed;
    on_done_(outcome);
  }

  // Delivers every job whose answer is cached (they cost no request); queues the others.
  Status DeliverCachedAnswers() {
    for (size_t i = 0; i < jobs_.size(); ++i) {
      CXRVQA_ASSIGN_OR_RETURN(std::optional<CachedAnswer> hit, UsableCachedAnswer(jobs_[i]));
      if (!hit) {
        ready_.push_back(i);
        continue;
      }
      ++s_.totals.cache_hits;
      ChatOutcome outcome{jobs_[i].id, hit->filtered ? ChatOutcome::Kind::kFiltered : ChatOutcome::Kind::kOk,
                          hit->filtered ? "" : hit->content,
                          hit->filtered ? hit->content : "", true, hit->prompt_tokens, hit->completion_tokens, ""};
      Deliver(std::move(outcome));
    }
    return Status::Ok();
  }

  // The cached answer for `job` under the first lookup key that has one, unless today's
  // check rejects it; nullopt when the job must be asked.
  Result<std::optional<CachedAnswer>> UsableCachedAnswer(const ChatJob& job) {
    std::optional<CachedAnswer> hit;
    if (s_.cache) {
      for (const auto& key : s_.LookupKeys(job.messages)) {
        CXRVQA_ASSIGN_OR_RETURN(auto found, s_.cache->Get(key));
        if (found) {
          hit = std::move(found);
          break;
        }
      }
    }
    if (hit && !hit->filtered && check_) {
      // Answers cached by an older program may not pass today's check: asked again.
      std::string rejected = check_(hit->content);
      if (!rejected.empty()) {
        spdlog::debug("llm: cached answer for {} rejected ({}); asking again", job.id, rejected);
        hit.reset();
      }
    }
    return hit;
  }

  void MoveDueRetriesToReady() {
    auto now = Clock::now();
    while (!delayed_.empty() && delayed_.top().first <= now) {
      ready_.push_back(delayed_.top().second);
      delayed_.pop();
    }
  }

  void StartReadyJobs() {
    while (in_flight_.size() < static_cast<size_t>(s_.config.concurrency) && !ready_.empty()) {
      size_t job = ready_.front();
      ready_.pop_front();
      StartRequest(job);
    }
  }

  void StartRequest(size_t job) {
    size_t e = s_.ChooseEndpoint();
    auto request = s_.TakeRequest();
    request->job = job;
    request->endpoint = e;
    request->json_schema = s_.json_schema_on;
    request->body = chat_request_body(s_.config, s_.endpoints[e].config, jobs_[job].messages, request->json_schema)
                        .dump(-1, ' ', false, Json::error_handler_t::replace);
    request->response.clear();
    request->max_response = static_cast<size_t>(s_.config.max_answer_bytes);
    request->too_large = false;
    request->curl_error[0] = '\0';
    request->start = Clock::now();
    s_.Configure(*request, s_.endpoints[e]);
    curl_multi_add_handle(s_.multi, request->easy);
    ++s_.endpoints[e].in_flight;
    ++s_.totals.requests;
    spdlog::debug("llm: request for {} to {} (attempt {})", jobs_[job].id, s_.endpoints[e].host,
                  states_[job].attempts + 1);
    in_flight_.push_back(std::move(request));
  }

  // Finishes every request libcurl reports done and releases it. Returns the first non-OK
  // Status (a fatal answer or a cache error); the requests after it are released unread.
  Status FinishCompletedRequests() {
    Status result = Status::Ok();
    int queued = 0;
    while (CURLMsg* message = curl_multi_info_read(s_.multi, &queued)) {
      if (message->msg != CURLMSG_DONE) continue;
      Request* request = nullptr;
      curl_easy_getinfo(message->easy_handle, CURLINFO_PRIVATE, &request);
      CURLcode code = message->data.result;
      if (result.ok()) result = Finish(*request, code);
      Release(request);
    }
    return result;
  }

  // Acts on one finished exchange. Returns a non-OK Status to stop the run.
  Status Finish(Request& request, CURLcode code) {
    size_t job = request.job;
    Exchange exchange = s_.Interpret(request, code);
    double seconds = std::chrono::duration<double>(Clock::now() - request.start).count();
    Endpoint& endpoint = s_.endpoints[request.endpoint];
    s_.UpdateEndpoint(endpoint, exchange, seconds);
    s_.totals.prompt_tokens += exchange.prompt_tokens;
    s_.totals.completion_tokens += exchange.completion_tokens;
    switch (exchange.verdict) {
      case Verdict::kFatal:
        return Status::Unavailable(fmt::format("endpoint {} refused the request ({}); the run stops",
                                               endpoint.url, exchange.error));
      case Verdict::kSchemaRejected:
        StopSendingSchema(endpoint, exchange);
        ready_.push_front(job);
        return Status::Ok();
      case Verdict::kRetry:
        spdlog::debug("llm: {} from {}: {}", jobs_[job].id, endpoint.host, exchange.error);
        RetryOrFail(job, exchange);
        return Status::Ok();
      case Verdict::kJobFailed:
        Deliver(ChatOutcome{jobs_[job].id, ChatOutcome::Kind::kFailed, "", exchange.error, false, 0, 0,
                            std::move(exchange.raw)});
        return Status::Ok();
      case Verdict::kFiltered:
        CXRVQA_RETURN_IF_ERROR(Store(job, request.json_schema, CachedAnswer{true, exchange.error, 0, 0}));
        Deliver(ChatOutcome{jobs_[job].id, ChatOutcome::Kind::kFiltered, "", exchange.error, false,
                            exchange.prompt_tokens, exchange.completion_tokens, ""});
        return Status::Ok();
      case Verdict::kAnswer:
        break;
    }
    return AcceptAnswer(job, request.json_schema, std::move(exchange));
  }

  // An endpoint rejected response_format json_schema: no later request sends it.
  void StopSendingSchema(const Endpoint& endpoint, const Exchange& exchange) {
    if (!s_.json_schema_on) return;
    s_.json_schema_on = false;
    spdlog::warn("llm: {} rejected response_format json_schema ({}); continuing without it", endpoint.host,
                 exchange.error);
  }

  // A fresh answer: asked again when the check rejects it, else cached and delivered.
  Status AcceptAnswer(size_t job, bool json_schema, Exchange exchange) {
    if (check_) {
      std::string rejected = check_(exchange.content);
      if (!rejected.empty()) {
        states_[job].last_content = std::move(exchange.content);
        exchange.error = "answer rejected: " + rejected;
        RetryOrFail(job, exchange);
        return Status::Ok();
      }
    }
    CXRVQA_RETURN_IF_ERROR(Store(job, json_schema,
                                 CachedAnswer{false, exchange.content, exchange.prompt_tokens, exchange.completion_tokens}));
    Deliver(ChatOutcome{jobs_[job].id, ChatOutcome::Kind::kOk, std::move(exchange.content), "", false,
                        exchange.prompt_tokens, exchange.completion_tokens, ""});
    return Status::Ok();
  }

  // Schedules the job again after a backoff, or fails it once its retries are spent.
  void RetryOrFail(size_t job, const Exchange& exchange) {
    JobState& state = states_[job];
    state.last_error = exchange.error;
    if (++state.attempts > s_.config.max_retries) {
      Deliver(ChatOutcome{jobs_[job].id, ChatOutcome::Kind::kFailed, state.last_content,
                          fmt::format("gave up after {} attempts: {}", state.attempts, state.last_error), false,
                          exchange.prompt_tokens, exchange.completion_tokens, exchange.raw});
      return;
    }
    ++s_.totals.retries;
    double wait = s_.BackoffSeconds(state.attempts, exchange.retry_after_s);
    delayed_.emplace(Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(wait)),
                     job);
  }

  Status Store(size_t job, bool json_schema, const CachedAnswer& answer) {
    if (!s_.cache) return Status::Ok();
    return s_.cache->Put(chat_cache_key(s_.config, jobs_[job].messages, json_schema), answer);
  }

  // Hands a finished request back to the runner's idle pool.
  void Release(Request* request) {
    curl_multi_remove_handle(s_.multi, request->easy);
    auto it = std::find_if(in_flight_.begin(), in_flight_.end(),
                           [&](const auto& owned) { return owned.get() == request; });
    s_.idle_requests.push_back(std::move(*it));
    *it = std::move(in_flight_.back());
    in_flight_.pop_back();
  }

  // The cache commits at least every 250 ms, so an interrupted run keeps its answers.
  Status FlushCacheIfDue() {
    if (!s_.cache || Clock::now() - last_flush_ <= std::chrono::milliseconds(250)) return Status::Ok();
    Status flushed = s_.cache->Flush();
    last_flush_ = Clock::now();
    return flushed;
  }

  // Waits (at most 100 ms) for a request to progress or the next delayed retry to fall due.
  void WaitForProgress() {
    if (in_flight_.empty() && delayed_.empty()) return;
    int wait_ms = 100;
    if (!delayed_.empty() && ready_.empty()) {
      auto until = std::chrono::duration_cast<std::chrono::milliseconds>(delayed_.top().first - Clock::now()).count();
      wait_ms = static_cast<int>(std::clamp<int64_t>(until, 0, 100));
    }
    if (!in_flight_.empty()) curl_multi_poll(s_.multi, nullptr, 0, wait_ms, nullptr);
    else if (wait_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(wait_ms));
  }

  Impl& s_;
  const std::vector<ChatJob>& jobs_;
  const std::function<void(const ChatOutcome&)>& on_done_;
  const AnswerCheck& check_;
  std::vector<JobState> states_;  // by job index
  std::deque<size_t> ready_;      // jobs to send now
  std::priority_queue<Delayed, std::vector<Delayed>, std::greater<>> delayed_;  // earliest first
  std::vector<std::unique_ptr<Request>> in_flight_;
  Clock::time_point last_flush_;
};

Status ChatRunner::Run(const std::vector<ChatJob>& jobs, const std::function<void(const ChatOutcome&)>& on_done,
                       const AnswerCheck& check) {
  return Impl::JobRun(*impl_, jobs, on_done, check).Run();
}

}  // namespace cxrvqa::llm
