// Starts tests/llm/fake_llm_server on a free loopback port for the duration of a test.
#pragma once

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <string>
#include <vector>

#include <httplib.h>
#include <nlohmann/json.hpp>

namespace cxrvqa::testing {

class FakeLlmServer {
 public:
  explicit FakeLlmServer(std::vector<std::string> args = {}) {
    int fds[2];
    if (pipe(fds) != 0) return;
    pid_ = fork();
    if (pid_ == 0) {
      dup2(fds[1], STDOUT_FILENO);
      close(fds[0]);
      std::vector<char*> argv;
      std::string program = CXRVQA_FAKE_LLM_SERVER;
      argv.push_back(program.data());
      for (auto& arg : args) argv.push_back(arg.data());
      argv.push_back(nullptr);
      execv(program.c_str(), argv.data());
      _exit(127);
    }
    close(fds[1]);
    FILE* out = fdopen(fds[0], "r");
    char line[128] = {};
    if (out != nullptr && std::fgets(line, sizeof line, out) != nullptr) std::sscanf(line, "listening on %d", &port_);
    if (out != nullptr) std::fclose(out);
  }
  ~FakeLlmServer() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
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
  pid_t pid_ = -1;
  int port_ = 0;
};

}  // namespace cxrvqa::testing
