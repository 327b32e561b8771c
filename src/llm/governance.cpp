#include "llm/governance.h"

#include <curl/curl.h>
#include <fmt/format.h>

#include <algorithm>
#include <memory>

#include "common/text.h"

namespace cxrvqa::llm {
namespace {

bool is_ipv4_loopback(std::string_view host) {
  // 127.a.b.c with decimal octets 0..255.
  std::vector<std::string_view> parts = split(host, '.');
  if (parts.size() != 4 || parts[0] != "127") return false;
  for (const auto& part : parts) {
    if (part.empty() || part.size() > 3) return false;
    if (!std::all_of(part.begin(), part.end(), [](char c) { return c >= '0' && c <= '9'; })) return false;
    if (std::stoi(std::string(part)) > 255) return false;
  }
  return true;
}

}  // namespace

bool is_loopback_host(std::string_view host) {
  std::string lower = to_lower(host);
  if (lower.size() >= 2 && lower.front() == '[' && lower.back() == ']') lower = lower.substr(1, lower.size() - 2);
  if (lower == "localhost" || lower == "localhost.") return true;
  if (lower == "::1" || lower == "0:0:0:0:0:0:0:1") return true;
  return is_ipv4_loopback(lower);
}

Result<std::string> url_host(std::string_view url) {
  std::unique_ptr<CURLU, decltype(&curl_url_cleanup)> handle(curl_url(), &curl_url_cleanup);
  if (!handle) return Status::Internal("curl_url failed");
  std::string text(url);
  if (curl_url_set(handle.get(), CURLUPART_URL, text.c_str(), 0) != CURLUE_OK) {
    return Status::InvalidArgument(fmt::format("not a valid URL: {}", text));
  }
  char* scheme = nullptr;
  if (curl_url_get(handle.get(), CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK) {
    return Status::InvalidArgument(fmt::format("URL without scheme: {}", text));
  }
  std::string scheme_text = to_lower(scheme);
  curl_free(scheme);
  if (scheme_text != "http" && scheme_text != "https") {
    return Status::InvalidArgument(fmt::format("only http and https URLs are supported: {}", text));
  }
  char* host = nullptr;
  if (curl_url_get(handle.get(), CURLUPART_HOST, &host, 0) != CURLUE_OK) {
    return Status::InvalidArgument(fmt::format("URL without host: {}", text));
  }
  std::string result = to_lower(host);
  curl_free(host);
  if (result.size() >= 2 && result.front() == '[' && result.back() == ']') result = result.substr(1, result.size() - 2);
  return result;
}

Result<std::vector<std::string>> check_receiving_hosts(const LlmConfig& config) {
  std::vector<std::string> hosts;
  for (const auto& endpoint : config.endpoints) {
    auto host = url_host(chat_completions_url(endpoint));
    if (!host.ok()) return host.status();
    bool allowed = is_loopback_host(*host) ||
                   std::find(config.allow_hosts.begin(), config.allow_hosts.end(), *host) != config.allow_hosts.end();
    if (!allowed) {
      return Status::PermissionDenied(fmt::format(
          "host '{}' is not a loopback address and is not listed in allow_hosts; reports are "
          "credentialed data and go only to hosts the configuration explicitly allows",
          *host));
    }
    if (std::find(hosts.begin(), hosts.end(), *host) == hosts.end()) hosts.push_back(*host);
  }
  return hosts;
}

}  // namespace cxrvqa::llm
