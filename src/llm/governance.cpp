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

// One part of a URL parsed by libcurl, or "" when it has none.
std::string url_part(CURLU* handle, CURLUPart part, unsigned flags = 0) {
  char* text = nullptr;
  if (curl_url_get(handle, part, &text, flags) != CURLUE_OK) return "";
  std::string result = text;
  curl_free(text);
  return result;
}

std::string without_brackets(std::string host) {
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  return host;
}

// The parsed URL of `url` when its scheme is one of `schemes`.
Result<UrlParts> parse_url(std::string_view url, std::initializer_list<std::string_view> schemes) {
  std::unique_ptr<CURLU, decltype(&curl_url_cleanup)> handle(curl_url(), &curl_url_cleanup);
  if (!handle) return Status::Internal("curl_url failed");
  std::string text(url);
  // Proxy schemes (socks5h ...) are not transfer schemes: libcurl parses them only when told to.
  if (curl_url_set(handle.get(), CURLUPART_URL, text.c_str(), CURLU_NON_SUPPORT_SCHEME) != CURLUE_OK) {
    return Status::InvalidArgument(fmt::format("not a valid URL: {}", text));
  }
  std::string scheme = to_lower(url_part(handle.get(), CURLUPART_SCHEME));
  if (std::find(schemes.begin(), schemes.end(), scheme) == schemes.end()) {
    return Status::InvalidArgument(fmt::format("unsupported URL scheme '{}': {}", scheme, text));
  }
  UrlParts parts;
  parts.host = without_brackets(to_lower(url_part(handle.get(), CURLUPART_HOST)));
  if (parts.host.empty()) return Status::InvalidArgument(fmt::format("URL without host: {}", text));
  parts.port = url_part(handle.get(), CURLUPART_PORT, CURLU_DEFAULT_PORT);
  return parts;
}

bool is_allowed(const LlmConfig& config, const std::string& host) {
  return is_loopback_host(host) ||
         std::find(config.allow_hosts.begin(), config.allow_hosts.end(), host) != config.allow_hosts.end();
}

Status not_allowed(std::string_view what, const std::string& host) {
  return Status::PermissionDenied(fmt::format(
      "{} '{}' is not a loopback address and is not listed in allow_hosts; reports are credentialed "
      "data and go only to hosts the configuration explicitly allows",
      what, host));
}

}  // namespace

bool is_loopback_host(std::string_view host) {
  std::string lower = without_brackets(to_lower(host));
  // "localhost" is resolved by libcurl itself (and pinned to loopback by the client); any
  // other name, "localhost." included, needs a DNS answer and is a remote host.
  if (lower == "localhost") return true;
  if (lower == "::1" || lower == "0:0:0:0:0:0:0:1") return true;
  return is_ipv4_loopback(lower);
}

Result<UrlParts> endpoint_url_parts(std::string_view url) { return parse_url(url, {"http", "https"}); }

Result<std::string> url_host(std::string_view url) {
  CXRVQA_ASSIGN_OR_RETURN(auto parts, endpoint_url_parts(url));
  return parts.host;
}

Result<std::string> proxy_host(std::string_view proxy) {
  std::string url(proxy);
  if (url.find("://") == std::string::npos) url = "http://" + url;  // libcurl's default proxy scheme
  auto parts = parse_url(url, {"http", "https", "socks4", "socks4a", "socks5", "socks5h"});
  if (!parts.ok()) return Status::InvalidArgument("proxy: " + parts.status().message());
  return parts->host;
}

Result<std::vector<std::string>> check_receiving_hosts(const LlmConfig& config) {
  std::vector<std::string> hosts;
  for (const auto& endpoint : config.endpoints) {
    CXRVQA_ASSIGN_OR_RETURN(auto host, url_host(chat_completions_url(endpoint)));
    if (!is_allowed(config, host)) return not_allowed("host", host);
    if (std::find(hosts.begin(), hosts.end(), host) == hosts.end()) hosts.push_back(host);
  }
  if (!config.proxy.empty()) {
    CXRVQA_ASSIGN_OR_RETURN(auto host, proxy_host(config.proxy));
    if (!is_allowed(config, host)) return not_allowed("proxy host", host);
    if (std::find(hosts.begin(), hosts.end(), host) == hosts.end()) hosts.push_back(host);
  }
  return hosts;
}

}  // namespace cxrvqa::llm
