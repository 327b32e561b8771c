#include "common/mapped_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <utility>

#include "common/file_io.h"

namespace cxrvqa {

namespace {

// Maps `path` when it is a non-empty regular file that does not start with the gzip magic;
// nullptr otherwise (the caller reads it instead, which also reports any error). Anything
// but a regular file is left unopened: a pipe opened and closed here would lose its data.
const char* map_plain_file(const std::filesystem::path& path, size_t& size) {
  struct stat kind {};
  if (::stat(path.c_str(), &kind) != 0 || !S_ISREG(kind.st_mode)) return nullptr;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return nullptr;
  struct stat info {};
  void* map = MAP_FAILED;
  if (::fstat(fd, &info) == 0 && S_ISREG(info.st_mode) && info.st_size > 0) {
    size = static_cast<size_t>(info.st_size);
    map = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
  }
  ::close(fd);
  if (map == MAP_FAILED) return nullptr;
  const char* bytes = static_cast<const char*>(map);
  if (has_gzip_magic(std::string_view(bytes, size))) {
    ::munmap(map, size);
    return nullptr;
  }
  return bytes;
}

}  // namespace

Result<MappedFile> MappedFile::Open(const std::filesystem::path& path) {
  MappedFile file;
  file.mapped_ = map_plain_file(path, file.size_);
  if (file.mapped_ == nullptr) {
    CXRVQA_ASSIGN_OR_RETURN(file.owned_, read_file(path));
  }
  return file;
}

MappedFile::MappedFile(MappedFile&& other) noexcept
    : mapped_(std::exchange(other.mapped_, nullptr)), size_(std::exchange(other.size_, 0)),
      owned_(std::move(other.owned_)) {}

MappedFile& MappedFile::operator=(MappedFile&& other) noexcept {
  if (this != &other) {
    Unmap();
    mapped_ = std::exchange(other.mapped_, nullptr);
    size_ = std::exchange(other.size_, 0);
    owned_ = std::move(other.owned_);
  }
  return *this;
}

MappedFile::~MappedFile() { Unmap(); }

void MappedFile::Unmap() {
  if (mapped_ != nullptr) ::munmap(const_cast<char*>(mapped_), size_);
  mapped_ = nullptr;
  size_ = 0;
}

}  // namespace cxrvqa
