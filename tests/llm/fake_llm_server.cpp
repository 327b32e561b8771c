// A small OpenAI-compatible chat completions server for tests and benchmarks. It answers
// deterministically from the report text with a tiny keyword rule (a KeyInfo JSON object),
// serves OpenAI (/v1/chat/completions, /chat/completions) and Azure
// (/openai/deployments/{name}/chat/completions?api-version=...) URLs, counts requests
// (GET /stats: "requests" = chat requests, "received" = every HTTP request, whatever its
// target, e.g. one sent to it as a proxy), and injects faults on demand:
//   --fault-rate R       a share R of chat requests fails with a fault from --faults, chosen
//                        deterministically from (request text, attempt number)
//   --faults LIST        comma list among 429,500,slow,drop,prose,fence,comma,nonjson,filter,
//                        echo500 (a 500 whose error message quotes the report), echo400,
//                        deep (an answer nested 100,000 levels), big (an answer of 200 KB)
//   a marker in the request text: [[fault:NAME]] on every attempt, [[fault-once:NAME]] on the
//   first attempt of that conversation only.
// Other options: --port (0 = any free port; "listening on PORT" is printed), --threads,
// --api-key KEY (401 without it), --reject-schema (400 on response_format), --slow-ms,
// --retry-after S.
#include <httplib.h>

#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

namespace {

using nlohmann::json;

struct Options {
  std::string host = "127.0.0.1";
  int port = 0;
  int threads = 64;
  double fault_rate = 0;
  std::vector<std::string> faults = {"429", "500", "slow", "drop", "prose", "fence", "comma", "nonjson"};
  std::string api_key;
  bool reject_schema = false;
  int slow_ms = 3000;
  int retry_after_s = 0;
};

uint64_t fnv1a(std::string_view text, uint64_t seed = 1469598103934665603ULL) {
  uint64_t hash = seed;
  for (unsigned char c : text) {
    hash ^= c;
    hash *= 1099511628211ULL;
  }
  hash ^= hash >> 33;
  hash *= 0xff51afd7ed558ccdULL;
  hash ^= hash >> 33;
  return hash;
}

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    if (comma == std::string::npos) comma = text.size();
    if (comma > start) parts.push_back(text.substr(start, comma - start));
    start = comma + 1;
  }
  return parts;
}

std::string lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

// The keyword rule: each finding word found in a sentence is negated ("no", "without"),
// uncertain ("may", "possible", "cannot exclude") or present (with a side as location).
json keyinfo_from_text(const std::string& report) {
  static const std::pair<const char*, const char*> kFindings[] = {
      {"effusion", "pleural effusion"}, {"pneumothorax", "pneumothorax"}, {"consolidation", "consolidation"},
      {"atelectasis", "atelectasis"},   {"cardiomegaly", "cardiomegaly"}, {"edema", "edema"},
      {"pneumonia", "pneumonia"},       {"nodule", "nodule"}};
  json entity = json::object(), uncertain = json::array(), negated = json::array();
  std::string text = lower(report);
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find_first_of(".\n", start);
    if (end == std::string::npos) end = text.size();
    std::string sentence = " " + text.substr(start, end - start) + " ";
    for (const auto& [word, name] : kFindings) {
      if (sentence.find(word) == std::string::npos || entity.contains(name)) continue;
      if (sentence.find(" no ") != std::string::npos || sentence.find("without") != std::string::npos) {
        negated.push_back(name);
      } else if (sentence.find(" may ") != std::string::npos || sentence.find("possible") != std::string::npos ||
                 sentence.find("cannot exclude") != std::string::npos) {
        uncertain.push_back(name);
      } else {
        json location = nullptr;
        if (sentence.find("bilateral") != std::string::npos) location = "bilateral";
        else if (sentence.find("left") != std::string::npos) location = "left";
        else if (sentence.find("right") != std::string::npos) location = "right";
        entity[name] = {{"location", location}, {"level", nullptr}, {"type", nullptr}};
      }
    }
    start = end + 1;
  }
  return {{"entity", entity}, {"uncertain_entity", uncertain}, {"no_entity", negated}};
}

class FakeServer {
 public:
  explicit FakeServer(Options options) : options_(std::move(options)) {}

  int Run() {
    server_.new_task_queue = [this] { return new httplib::ThreadPool(options_.threads); };
    server_.set_pre_routing_handler([this](const httplib::Request& request, httplib::Response&) {
      if (request.path != "/stats") ++received_;
      return httplib::Server::HandlerResponse::Unhandled;
    });
    server_.set_keep_alive_max_count(1'000'000);
    server_.set_keep_alive_timeout(30);
    auto chat = [this](const httplib::Request& request, httplib::Response& response) { Chat(request, response, false); };
    server_.Post("/v1/chat/completions", chat);
    server_.Post("/chat/completions", chat);
    server_.Post(R"(/openai/deployments/([^/]+)/chat/completions)",
                 [this](const httplib::Request& request, httplib::Response& response) { Chat(request, response, true); });
    server_.Get("/stats", [this](const httplib::Request&, httplib::Response& response) {
      std::lock_guard lock(mutex_);
      json stats = {{"requests", requests_.load()}, {"received", received_.load()}, {"answers", answers_.load()},
                    {"faults", fault_counts_}};
      response.set_content(stats.dump(), "application/json");
    });
    server_.Post("/shutdown", [this](const httplib::Request&, httplib::Response& response) {
      response.set_content("{}", "application/json");
      std::thread([this] { server_.stop(); }).detach();
    });
    int port = options_.port == 0 ? server_.bind_to_any_port(options_.host)
                                  : (server_.bind_to_port(options_.host, options_.port) ? options_.port : -1);
    if (port < 0) {
      std::fprintf(stderr, "fake_llm_server: cannot bind %s:%d\n", options_.host.c_str(), options_.port);
      return 1;
    }
    std::printf("listening on %d\n", port);
    std::fflush(stdout);
    return server_.listen_after_bind() ? 0 : 1;
  }

 private:
  // The fault to inject for this request, or "".
  std::string ChooseFault(const std::string& conversation) {
    int attempt = 0;
    {
      std::lock_guard lock(mutex_);
      attempt = attempts_[fnv1a(conversation)]++;
    }
    for (const char* prefix : {"[[fault:", "[[fault-once:"}) {
      size_t at = conversation.find(prefix);
      if (at == std::string::npos) continue;
      size_t from = at + std::strlen(prefix);
      size_t end = conversation.find("]]", from);
      bool once = std::string_view(prefix) == "[[fault-once:";
      if (end != std::string::npos && (!once || attempt == 0)) return conversation.substr(from, end - from);
    }
    if (options_.fault_rate <= 0 || options_.faults.empty()) return "";
    uint64_t roll = fnv1a(conversation, 7 + attempt);
    if (static_cast<double>(roll % 1'000'000) >= options_.fault_rate * 1'000'000) return "";
    return options_.faults[(roll / 1'000'000) % options_.faults.size()];
  }

  bool Authorized(const httplib::Request& request, bool azure) const {
    if (options_.api_key.empty()) return true;
    if (azure) return request.get_header_value("api-key") == options_.api_key;
    return request.get_header_value("Authorization") == "Bearer " + options_.api_key;
  }

  static void Error(httplib::Response& response, int status, const std::string& code, const std::string& message) {
    response.status = status;
    response.set_content(json{{"error", {{"code", code}, {"message", message}}}}.dump(), "application/json");
  }

  void Chat(const httplib::Request& request, httplib::Response& response, bool azure) {
    ++requests_;
    if (azure && !request.has_param("api-version")) return Error(response, 404, "404", "api-version missing");
    if (!Authorized(request, azure)) return Error(response, 401, "invalid_api_key", "Incorrect API key provided");
    json body = json::parse(request.body, nullptr, false);
    if (body.is_discarded() || !body.contains("messages") || !body["messages"].is_array()) {
      return Error(response, 400, "invalid_request", "body is not a chat completion request");
    }
    if (options_.reject_schema && body.contains("response_format")) {
      return Error(response, 400, "invalid_request", "response_format is not supported");
    }
    std::string conversation, last_user;
    for (const auto& message : body["messages"]) {
      std::string content = message.value("content", "");
      conversation += message.value("role", "") + ":" + content + "\n";
      if (message.value("role", "") == "user") last_user = content;
    }
    std::string fault = ChooseFault(conversation);
    if (!fault.empty()) {
      std::lock_guard lock(mutex_);
      fault_counts_[fault] = fault_counts_.value(fault, 0) + 1;
    }
    Answer(fault, body.value("model", std::string("fake")), last_user, conversation.size(), response);
  }

  void Answer(const std::string& fault, const std::string& model, const std::string& report, size_t prompt_chars,
              httplib::Response& response) {
    if (fault == "429") {
      response.set_header("Retry-After", std::to_string(options_.retry_after_s));
      return Error(response, 429, "rate_limit_exceeded", "Rate limit reached");
    }
    if (fault == "500") return Error(response, 500, "server_error", "internal error");
    // Some servers quote the request in their errors (context length, validation): the
    // client must keep such text out of its logs.
    if (fault == "echo500") return Error(response, 500, "server_error", "could not process: " + report);
    if (fault == "echo400") return Error(response, 400, "invalid_request", "bad request: " + report);
    if (fault == "401") return Error(response, 401, "invalid_api_key", "Incorrect API key provided");
    if (fault == "filter") {
      response.status = 400;
      json error = {{"code", "content_filter"},
                    {"message", "The response was filtered due to the prompt triggering content management policy."},
                    {"innererror", {{"code", "ResponsibleAIPolicyViolation"}}}};
      response.set_content(json{{"error", error}}.dump(), "application/json");
      return;
    }
    if (fault == "drop") {
      response.set_content_provider(1000, "application/json",
                                    [](size_t, size_t, httplib::DataSink&) { return false; });
      return;
    }
    if (fault == "slow") std::this_thread::sleep_for(std::chrono::milliseconds(options_.slow_ms));
    std::string keyinfo = keyinfo_from_text(report).dump();
    std::string content = keyinfo;
    if (fault == "prose") content = "Here is the key information of the report:\n" + keyinfo + "\nI hope this helps.";
    if (fault == "fence") content = "```json\n" + keyinfo + "\n```";
    if (fault == "comma") content = keyinfo.substr(0, keyinfo.size() - 1) + ",}";
    if (fault == "nonjson") content = "I am unable to extract findings from this report.";
    if (fault == "deep") content = "{\"entity\": " + std::string(100000, '[') + std::string(100000, ']') + "}";
    if (fault == "big") content = keyinfo.substr(0, keyinfo.size() - 1) + ", \"note\": \"" + std::string(200000, 'x') + "\"}";
    ++answers_;
    json completion = {
        {"id", "chatcmpl-fake"},
        {"object", "chat.completion"},
        {"model", model},
        {"choices", json::array({{{"index", 0},
                                  {"message", {{"role", "assistant"}, {"content", content}}},
                                  {"finish_reason", "stop"}}})},
        {"usage", {{"prompt_tokens", prompt_chars / 4 + 1}, {"completion_tokens", content.size() / 4 + 1}}}};
    response.set_content(completion.dump(), "application/json");
  }

  Options options_;
  httplib::Server server_;
  std::atomic<uint64_t> requests_{0};
  std::atomic<uint64_t> received_{0};
  std::atomic<uint64_t> answers_{0};
  std::mutex mutex_;
  std::unordered_map<uint64_t, int> attempts_;
  json fault_counts_ = json::object();
};

bool parse_options(int argc, char** argv, Options& options) {
  for (int i = 1; i < argc; ++i) {
    std::string flag = argv[i];
    auto value = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    if (flag == "--host") options.host = value();
    else if (flag == "--port") options.port = std::atoi(value().c_str());
    else if (flag == "--threads") options.threads = std::max(1, std::atoi(value().c_str()));
    else if (flag == "--fault-rate") options.fault_rate = std::atof(value().c_str());
    else if (flag == "--faults") options.faults = split_list(value());
    else if (flag == "--api-key") options.api_key = value();
    else if (flag == "--reject-schema") options.reject_schema = true;
    else if (flag == "--slow-ms") options.slow_ms = std::atoi(value().c_str());
    else if (flag == "--retry-after") options.retry_after_s = std::atoi(value().c_str());
    else {
      std::fprintf(stderr, "fake_llm_server: unknown option %s\n", flag.c_str());
      return false;
    }
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  if (!parse_options(argc, argv, options)) return 2;
  return FakeServer(std::move(options)).Run();
}
