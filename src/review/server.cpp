#include "review/server.h"

#include <fmt/format.h>
#include <httplib.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>

#include "common/embedded.h"
#include "common/json.h"
#include "llm/governance.h"
#include "review/highlight.h"
#include "review/review_db.h"

namespace cxrvqa {

using review_internal::ReviewDb;
using review_internal::StoredStudy;
using review_internal::Verdict;

namespace {

constexpr size_t kMaxRequestBody = 64 * 1024;
// cpp-httplib listens with a backlog of 5: a burst of page loads would see connections
// dropped and retried for seconds. A second listen() on the socket raises it.
constexpr int kListenBacklog = 512;
constexpr const char* kJson = "application/json; charset=utf-8";
constexpr const char* kSecurityPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

Result<std::string> random_token() {
  std::array<unsigned char, 16> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
    return Status::Internal("no random bytes for the session token");
  }
  std::string token;
  for (unsigned char byte : bytes) token += fmt::format("{:02x}", byte);
  return token;
}

// The host part of a Host header ("127.0.0.1:8080", "[::1]:8080", "localhost").
std::string_view host_of(std::string_view header) {
  if (header.starts_with('[')) {
    size_t end = header.find(']');
    return end == std::string_view::npos ? header : header.substr(1, end - 1);
  }
  return header.substr(0, header.find(':'));
}

std::string url_host(const std::string& host) {
  return host.find(':') != std::string::npos ? "[" + host + "]" : host;
}

Json verdict_json(const Verdict& v) {
  return Json{{"verdict", v.verdict}, {"right_answer", v.right_answer}, {"comment", v.comment},
              {"given_at", v.given_at}};
}

void reply_json(httplib::Response& response, int status, const Json& body) {
  response.status = status;
  response.set_content(body.dump(), kJson);
}

void reply_error(httplib::Response& response, int status, const Status& error) {
  reply_json(response, status, Json{{"error", error.message()}});
}

int http_status(const Status& status) {
  switch (status.code()) {
    case StatusCode::kInvalidArgument:
    case StatusCode::kParseError: return 400;
    case StatusCode::kNotFound: return 404;
    default: return 500;
  }
}

}  // namespace

struct ReviewServer::Impl {
  ReviewServeOptions options;
  std::unique_ptr<ReviewDb> db;
  std::string token;
  std::string url;
  int port = 0;
  size_t studies = 0, items = 0;
  std::atomic<size_t> recorded{0};
  int listen_socket = -1;
  httplib::Server server;

  bool Authorized(const httplib::Request& request) const {
    if (!llm::is_loopback_host(host_of(request.get_header_value("Host")))) return false;
    std::string given = request.has_param("token") ? request.get_param_value("token")
                                                   : request.get_header_value("X-Review-Token");
    return given.size() == token.size() && CRYPTO_memcmp(given.data(), token.data(), token.size()) == 0;
  }

  void ServeAsset(httplib::Response& response, std::string_view name, const char* type) const {
    auto content = embedded_file(std::string("web/") + std::string(name));
    if (!content) {
      reply_error(response, 500, Status::Internal("asset missing from this build"));
      return;
    }
    std::string body(*content);
    if (name == "review.html") {
      for (size_t at; (at = body.find("{{TOKEN}}")) != std::string::npos;) body.replace(at, 9, token);
    }
    response.set_content(body, type);
  }

  Result<Json> State() {
    CXRVQA_ASSIGN_OR_RETURN(auto reviewed, db->VerdictCount(options.reviewer));
    CXRVQA_ASSIGN_OR_RETURN(auto position, db->Position(options.reviewer));
    return Json{{"reviewer", options.reviewer}, {"studies", studies}, {"items", items},
                {"reviewed", reviewed}, {"position", std::clamp(position, 1, static_cast<int>(studies))}};
  }

  static Json Side(const std::string& study_id, const std::string& text, const std::string& keyinfo,
                   const std::string& spans) {
    Json parsed_spans = Json::parse(spans.empty() ? "[]" : spans, nullptr, false);
    Json record = Json::parse(keyinfo.empty() ? "null" : keyinfo, nullptr, false);
    return Json{{"study_id", study_id},
                {"report", review_internal::text_segments(text, parsed_spans.is_array() ? parsed_spans : Json::array())},
                {"keyinfo", record.is_discarded() ? Json() : record}};
  }

  Result<Json> Study(int position) {
    CXRVQA_ASSIGN_OR_RETURN(auto study, db->StudyAt(position));
    CXRVQA_ASSIGN_OR_RETURN(auto items_of, db->Items(study.study_id));
    CXRVQA_ASSIGN_OR_RETURN(auto verdicts, db->Verdicts(options.reviewer, study.study_id));
    Json out = Side(study.study_id, study.report_text, study.keyinfo, study.spans);
    out["position"] = position;
    out["studies"] = studies;
    out["subject_id"] = study.subject_id;
    out["stratum"] = study.stratum;
    out["reference"] = study.ref_id.empty()
                           ? Json()
                           : Side(study.ref_id, study.ref_report_text, study.ref_keyinfo, study.ref_spans);
    Json items_json = Json::array();
    for (const auto& item : items_of) {
      Json entry = {{"item_id", item.item_id}, {"type", item.question_type}, {"question", item.question},
                    {"answer", item.answer}, {"findings", Json::parse(item.findings, nullptr, false)},
                    {"verdict", Json()}};
      for (const Verdict& v : verdicts) {
        if (v.item_id == item.item_id) entry["verdict"] = verdict_json(v);
      }
      items_json.push_back(std::move(entry));
    }
    out["items"] = std::move(items_json);
    return out;
  }

  Result<Json> PostVerdict(const std::string& body) {
    Json request = Json::parse(body, nullptr, false);
    if (request.is_discarded() || !request.is_object() || !request.contains("item_id") ||
        !request["item_id"].is_number_integer() || !request.contains("verdict") || !request["verdict"].is_string()) {
      return Status::InvalidArgument("expected {\"item_id\": N, \"verdict\": \"correct|wrong|unsure\", "
                                     "\"right_answer\": \"...\", \"comment\": \"...\"}");
    }
    auto text_field = [&request](const char* key) {
      return request.contains(key) && request[key].is_string() ? request[key].get<std::string>() : std::string();
    };
    Verdict verdict{options.reviewer, request["item_id"].get<int64_t>(), request["verdict"].get<std::string>(),
                    text_field("right_answer"), text_field("comment"), "", 0};
    CXRVQA_ASSIGN_OR_RETURN(auto saved, db->RecordVerdict(std::move(verdict)));
    recorded.fetch_add(1);
    CXRVQA_ASSIGN_OR_RETURN(auto reviewed, db->VerdictCount(options.reviewer));
    Json out = verdict_json(saved);
    out["item_id"] = saved.item_id;
    out["seq"] = saved.seq;
    out["reviewed"] = reviewed;
    return out;
  }

  Result<Json> PostPosition(const std::string& body) {
    Json request = Json::parse(body, nullptr, false);
    if (request.is_discarded() || !request.is_object() || !request.contains("position") ||
        !request["position"].is_number_integer()) {
      return Status::InvalidArgument("expected {\"position\": N}");
    }
    int64_t position = request["position"].get<int64_t>();
    if (position < 1 || position > static_cast<int64_t>(studies)) {
      return Status::InvalidArgument(fmt::format("position must be within 1..{}", studies));
    }
    CXRVQA_RETURN_IF_ERROR(db->SetPosition(options.reviewer, static_cast<int>(position)));
    return Json{{"position", position}};
  }

  // Answers with the result's JSON, or with its error and a matching status.
  static void Answer(httplib::Response& response, const Result<Json>& result) {
    if (result.ok()) {
      reply_json(response, 200, *result);
    } else {
      reply_error(response, http_status(result.status()), result.status());
    }
  }

  void Routes() {
    server.set_pre_routing_handler([this](const httplib::Request& request, httplib::Response& response) {
      if (Authorized(request)) return httplib::Server::HandlerResponse::Unhandled;
      response.status = 403;
      response.set_content("403 forbidden: this address needs the token printed by `cxrvqa review serve`\n",
                           "text/plain; charset=utf-8");
      return httplib::Server::HandlerResponse::Handled;
    });
    server.set_post_routing_handler([](const httplib::Request&, httplib::Response& response) {
      response.set_header("Content-Security-Policy", kSecurityPolicy);
      response.set_header("X-Content-Type-Options", "nosniff");
      response.set_header("Referrer-Policy", "no-referrer");
      response.set_header("X-Frame-Options", "DENY");
      response.set_header("Cache-Control", "no-store");
    });
    server.Get("/", [this](const httplib::Request&, httplib::Response& response) {
      ServeAsset(response, "review.html", "text/html; charset=utf-8");
    });
    server.Get("/review.css", [this](const httplib::Request&, httplib::Response& response) {
      ServeAsset(response, "review.css", "text/css; charset=utf-8");
    });
    server.Get("/review.js", [this](const httplib::Request&, httplib::Response& response) {
      ServeAsset(response, "review.js", "text/javascript; charset=utf-8");
    });
    server.Get("/api/state", [this](const httplib::Request&, httplib::Response& response) {
      Answer(response, State());
    });
    server.Get(R"(/api/study/(\d{1,9}))", [this](const httplib::Request& request, httplib::Response& response) {
      Answer(response, Study(std::stoi(request.matches[1].str())));
    });
    server.Post("/api/verdict", [this](const httplib::Request& request, httplib::Response& response) {
      Answer(response, PostVerdict(request.body));
    });
    server.Post("/api/position", [this](const httplib::Request& request, httplib::Response& response) {
      Answer(response, PostPosition(request.body));
    });
    server.set_error_handler([](const httplib::Request&, httplib::Response& response) {
      if (response.body.empty()) reply_json(response, response.status, Json{{"error", "not found"}});
    });
    server.set_logger([](const httplib::Request& request, const httplib::Response& response) {
      spdlog::debug("review serve: {} {} -> {}", request.method, request.path, response.status);
    });
  }
};

ReviewServer::ReviewServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ReviewServer::~ReviewServer() = default;

Result<std::unique_ptr<ReviewServer>> ReviewServer::Open(const ReviewServeOptions& options) {
  if (!llm::is_loopback_host(options.host)) {
    return Status::PermissionDenied(fmt::format(
        "refusing to bind {}: the review serves credentialed reports and binds loopback addresses only "
        "(127.0.0.1, ::1, localhost)", options.host));
  }
  if (options.reviewer.empty() || options.reviewer.size() > review_internal::kMaxReviewerName) {
    return Status::InvalidArgument(fmt::format("--reviewer must be a name of 1 to {} bytes",
                                               review_internal::kMaxReviewerName));
  }
  if (options.port < 0 || options.port > 65535) return Status::InvalidArgument("--port must be within 0..65535");
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  CXRVQA_ASSIGN_OR_RETURN(auto db, ReviewDb::Open(options.db));
  impl->db = std::move(db);
  CXRVQA_ASSIGN_OR_RETURN(auto studies, impl->db->StudyCount());
  if (studies == 0) return Status::InvalidArgument(options.db.string() + " holds no study to review");
  CXRVQA_ASSIGN_OR_RETURN(auto items, impl->db->Items(std::nullopt));
  impl->studies = studies;
  impl->items = items.size();
  CXRVQA_ASSIGN_OR_RETURN(auto token, random_token());
  impl->token = token;

  unsigned threads = std::max(2u, options.threads);
  impl->server.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  impl->server.set_payload_max_length(kMaxRequestBody);
  impl->server.set_keep_alive_max_count(1000);
  impl->Routes();
  Impl* state = impl.get();
  impl->server.set_socket_options([state](socket_t socket) {
    httplib::default_socket_options(socket);
    // Accepted sockets inherit it: a response's header and body go out without waiting for
    // the client's delayed ACK (40 ms a request otherwise).
    int one = 1;
    setsockopt(socket, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    state->listen_socket = socket;
  });
  int port = options.port;
  bool bound = port == 0 ? (port = impl->server.bind_to_any_port(options.host)) > 0
                         : impl->server.bind_to_port(options.host, port);
  if (!bound) return Status::Unavailable(fmt::format("cannot listen on {} port {}", options.host, options.port));
  if (impl->listen_socket >= 0) ::listen(impl->listen_socket, kListenBacklog);
  impl->port = port;
  impl->url = fmt::format("http://{}:{}/?token={}", url_host(options.host), port, impl->token);
  return std::unique_ptr<ReviewServer>(new ReviewServer(std::move(impl)));
}

const std::string& ReviewServer::url() const { return impl_->url; }
int ReviewServer::port() const { return impl_->port; }

Status ReviewServer::Run() {
  if (!impl_->server.listen_after_bind()) return Status::IoError("the review server stopped on an error");
  return Status::Ok();
}

void ReviewServer::Stop() { impl_->server.stop(); }

size_t ReviewServer::verdicts_recorded() const { return impl_->recorded.load(); }

}  // namespace cxrvqa
