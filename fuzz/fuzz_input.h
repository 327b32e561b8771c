// Helpers shared by the fuzz targets: readers that take a path get the fuzz input as a file.
#pragma once

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>

namespace cxrvqa::fuzz {

// The input as text.
inline std::string_view as_text(const uint8_t* data, size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// A file of this process (under $TMPDIR or /tmp), removed when the process exits.
class InputFile {
 public:
  explicit InputFile(const char* name) {
    const char* base = std::getenv("TMPDIR");
    path_ = std::filesystem::path(base != nullptr ? base : "/tmp") /
            ("cxrvqa-fuzz-" + std::to_string(::getpid()) + "-" + name);
  }
  ~InputFile() {
    std::error_code ec;
    std::filesystem::remove(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// Rewrites this process's file `name` with `bytes` and returns its path.
inline const std::filesystem::path& write_input(const char* name, std::string_view bytes) {
  static InputFile input(name);  // one name per fuzz target
  const std::filesystem::path& path = input.path();
  std::FILE* file = std::fopen(path.c_str(), "wb");
  if (file == nullptr) std::abort();
  if (!bytes.empty() && std::fwrite(bytes.data(), 1, bytes.size(), file) != bytes.size()) std::abort();
  if (std::fclose(file) != 0) std::abort();
  return path;
}

// Stops the fuzzer with a message when a property of the code under test does not hold.
inline void require(bool holds, const char* property) {
  if (holds) return;
  std::fprintf(stderr, "property broken: %s\n", property);
  std::abort();
}

}  // namespace cxrvqa::fuzz
