// A whole input file as one read-only view, without copying it when it can be mapped.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

#include "common/status.h"

namespace cxrvqa {

// The text of a file, read-only. A plain file is mapped (the page cache's own pages, so
// reading a large input costs no memory of the program's own and no copy); a gzip file, or
// one that cannot be mapped, is read into memory as read_file does. Errors name the file.
// The view is valid while the object lives. A mapped file that another program truncates
// while it is being read ends the process (SIGBUS): inputs are expected to be replaced by
// rename, as this program writes them, not rewritten in place. Movable, not copyable; not
// thread-safe to move, safe to read from several threads.
class MappedFile {
 public:
  static Result<MappedFile> Open(const std::filesystem::path& path);
  MappedFile(MappedFile&& other) noexcept;
  MappedFile& operator=(MappedFile&& other) noexcept;
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  ~MappedFile();

  std::string_view text() const { return mapped_ ? std::string_view(mapped_, size_) : std::string_view(owned_); }

 private:
  MappedFile() = default;
  void Unmap();

  const char* mapped_ = nullptr;  // owned mapping of size_ bytes, or null
  size_t size_ = 0;
  std::string owned_;             // the text when not mapped
};

}  // namespace cxrvqa
