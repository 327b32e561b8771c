// A program run as a child process by a test or benchmark (servers tested from outside).
#pragma once

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <string>
#include <vector>

namespace cxrvqa::testing {

// A program run as a child process whose standard output the test reads line by line. It is
// killed (SIGKILL) and reaped when the object goes, unless Kill() did it before.
class ChildProcess {
 public:
  ChildProcess(const std::string& program, std::vector<std::string> args) {
    int fds[2];
    if (pipe(fds) != 0) return;
    pid_ = fork();
    if (pid_ == 0) {
      dup2(fds[1], STDOUT_FILENO);
      close(fds[0]);
      std::vector<char*> argv = {const_cast<char*>(program.c_str())};
      for (auto& arg : args) argv.push_back(arg.data());
      argv.push_back(nullptr);
      execv(program.c_str(), argv.data());
      _exit(127);
    }
    close(fds[1]);
    out_ = fdopen(fds[0], "r");
  }
  ~ChildProcess() {
    Kill(SIGKILL);
    if (out_ != nullptr) std::fclose(out_);
  }
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // The next line of its standard output, without the newline; false at the end.
  bool ReadLine(std::string& line) {
    line.clear();
    char buffer[1024];
    while (out_ != nullptr && std::fgets(buffer, sizeof buffer, out_) != nullptr) {
      line += buffer;
      if (line.back() == '\n') {
        line.pop_back();
        return true;
      }
    }
    return !line.empty();
  }
  // Sends `signal` and waits for the process to end.
  void Kill(int signal = SIGKILL) {
    if (pid_ <= 0) return;
    kill(pid_, signal);
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }

 private:
  pid_t pid_ = -1;
  FILE* out_ = nullptr;
};

}  // namespace cxrvqa::testing
