// Data governance for credentialed reports: report text goes only to loopback hosts, or to
// hosts the configuration explicitly allows.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "llm/config.h"

namespace cxrvqa::llm {

// True for 127.0.0.0/8, ::1 (with or without brackets) and "localhost" (any case).
bool is_loopback_host(std::string_view host);

// The host part of `url` (parsed by libcurl's URL API), lower-cased, without brackets.
Result<std::string> url_host(std::string_view url);

// The distinct hosts that would receive report text under `config`, in endpoint order, or
// PermissionDenied naming the first host that is neither loopback nor in allow_hosts.
Result<std::vector<std::string>> check_receiving_hosts(const LlmConfig& config);

}  // namespace cxrvqa::llm
