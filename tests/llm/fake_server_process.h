// Starts tests/llm/fake_llm_server on a free loopback port for the duration of a test.
#pragma once

#include <cstdio>
#include <string>
#include <vector>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "../child_process.h"

namespace cxrvqa::testing {

class FakeLlmServer {
 public:
  explicit FakeLlmServer(std::vector<std::string> args = {}) : process_(CXRVQA_FAKE_LLM_SERVER, std::move(args)) {
    std::string line;
    if (process_.ReadLine(line)) std::sscanf(line.c_str(), "listening on %d", &port_);
  }
  int port() const { return port_; }
  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/v1"; }
  // GET /stats: {"requests": N, "answers": N, "faults": {...}}.
  nlohmann::json Stats() const {
    httplib::Client client("127.0.0.1", port_);
    auto response = client.Get("/stats");
    return response ? nlohmann::json::parse(response->body) : nlohmann::json();
  }
  uint64_t Requests() const { return Stats().value("requests", uint64_t{0}); }
  // Every HTTP request it received, chat or not (e.g. requests sent to it as a proxy).
  uint64_t Received() const { return Stats().value("received", uint64_t{0}); }

 private:
  ChildProcess process_;
  int port_ = 0;
};

}  // namespace cxrvqa::testing
