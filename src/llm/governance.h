// Data governance for credentialed reports: report text goes only to loopback hosts, or to
// hosts the configuration explicitly allows.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "llm/config.h"

namespace cxrvqa::llm {

// True for literal loopback addresses (127.0.0.0/8 in dotted decimal, ::1, with or without
// brackets) and "localhost" (any case), which libcurl resolves itself. Anything that needs a
// DNS answer ("localhost." with its trailing dot, "localhost.example.com") is not loopback.
bool is_loopback_host(std::string_view host);

// Host and port (the scheme's default when absent) of an http or https URL.
struct UrlParts {
  std::string host;  // lower-cased, without brackets
  std::string port;
};
Result<UrlParts> endpoint_url_parts(std::string_view url);
// The host part of an http or https `url` (parsed by libcurl's URL API), lower-cased,
// without brackets.
Result<std::string> url_host(std::string_view url);
// The host of a proxy URL (http, https, socks4, socks4a, socks5, socks5h; "host:port"
// alone means http).
Result<std::string> proxy_host(std::string_view proxy);

// The distinct hosts that would receive report text under `config` (the endpoints' hosts in
// order, then the proxy's), or PermissionDenied naming the first host that is neither
// loopback nor in allow_hosts.
Result<std::vector<std::string>> check_receiving_hosts(const LlmConfig& config);

}  // namespace cxrvqa::llm
