// Helpers shared by the tests: temporary directories, the shared real-data folder, files.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <random>
#include <sstream>
#include <string>

namespace cxrvqa::testing {

// A fresh directory under the build's test-tmp folder (or the system temp dir), removed at
// the end of the test.
class TempDir {
 public:
  TempDir() {
    const char* base = std::getenv("CXRVQA_TEST_TMP");
    std::filesystem::path root = base ? base : std::filesystem::temp_directory_path();
    std::random_device device;
    path_ = root / ("cxrvqa-" + std::to_string(device()) + "-" + std::to_string(device()));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

inline void write_text(const std::filesystem::path& path, const std::string& text) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary);
  out << text;
}

inline std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// ../shared/data (or $CXRVQA_SHARED_DATA), when it exists.
inline std::optional<std::filesystem::path> shared_data_dir() {
  const char* env = std::getenv("CXRVQA_SHARED_DATA");
  std::filesystem::path dir = env ? env : CXRVQA_SHARED_DATA_DIR;
  if (std::filesystem::exists(dir / "iu_xray" / "iu_reports_dev.csv")) return dir;
  return std::nullopt;
}

// ../shared/reference/original_outputs/<name> (what the original programs produced), when it
// exists.
inline std::optional<std::filesystem::path> original_outputs_dir(const std::string& name) {
  std::filesystem::path dir = std::filesystem::path(CXRVQA_SHARED_REFERENCE_DIR) / "original_outputs" / name;
  if (std::filesystem::exists(dir)) return dir;
  return std::nullopt;
}

// `path` in double quotes, for a command line.
inline std::string quoted(const std::filesystem::path& path) { return "\"" + path.string() + "\""; }

// Runs the shell command `command`; returns its exit code and puts its standard output (and
// whatever the command itself redirects there) in `output`.
inline int run_command(const std::string& command, std::string* output = nullptr) {
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return -1;
  std::string text;
  char buffer[4096];
  size_t n;
  while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) text.append(buffer, n);
  int status = pclose(pipe);
  if (output != nullptr) *output = text;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// Runs the cxrvqa program with `args` (a shell-quoted string); returns its exit code and
// puts standard output and error (merged) in `output`.
inline int run_cxrvqa(const std::string& args, std::string* output = nullptr) {
  return run_command(std::string("\"") + CXRVQA_BINARY + "\" " + args + " 2>&1", output);
}

// The Debian Python interpreter (its dist-packages hold python3-nltk and python3-yaml),
// else the first python3 on the PATH.
inline std::string system_python() {
  return std::filesystem::exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
}

}  // namespace cxrvqa::testing

// Skips the current test with a message when the shared real-data folder is absent.
#define CXRVQA_REQUIRE_SHARED_DATA(var)                                              \
  auto var##_opt = ::cxrvqa::testing::shared_data_dir();                             \
  if (!var##_opt) GTEST_SKIP() << "../shared/data not found; real-report test skipped"; \
  const std::filesystem::path var = *var##_opt
