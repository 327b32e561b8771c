#include "common/file_io.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <system_error>

#include "common/text.h"

namespace cxrvqa {

namespace fs = std::filesystem;

namespace {
constexpr size_t kChunk = 1 << 16;
}  // namespace

std::string errno_text(int error) { return std::error_code(error, std::generic_category()).message(); }

bool has_gzip_magic(std::string_view bytes) {
  return bytes.size() >= 2 && static_cast<unsigned char>(bytes[0]) == 0x1f &&
         static_cast<unsigned char>(bytes[1]) == 0x8b;
}

namespace {

// Closes a POSIX file descriptor when it goes out of scope.
struct FdCloser {
  int fd;
  ~FdCloser() { ::close(fd); }
};

// Reads a whole plain file with one fstat and few reads (no gzip buffers: report trees hold
// hundreds of thousands of small files). Sets `gzip` instead, and stops after the first
// chunk, when the file starts with the gzip magic bytes.
Result<std::string> read_plain_file(const fs::path& path, bool& gzip) {
  gzip = false;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::IoError("cannot open " + path.string() + ": " + errno_text());
  FdCloser closer{fd};
  struct stat info {};
  if (::fstat(fd, &info) != 0) return Status::IoError("cannot read " + path.string() + ": " + errno_text());
  // A file is read up to the size fstat gave (one read for a small report: report trees hold
  // hundreds of thousands); one of size 0 (a pipe, a /proc file) is read to its end.
  size_t expected = static_cast<size_t>(info.st_size);
  std::string content(expected, '\0');
  size_t filled = 0;
  char tail[4096];  // the next bytes of a file of unknown size
  while (expected == 0 || filled < expected) {
    bool full = filled == content.size();
    size_t wanted = full ? sizeof tail : content.size() - filled;
    if (filled == 0) wanted = std::min(wanted, kChunk);  // enough to see the gzip magic
    ssize_t n = ::read(fd, full ? tail : content.data() + filled, wanted);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Status::IoError("cannot read " + path.string() + ": " + errno_text());
    if (n == 0) break;
    if (full) content.append(tail, static_cast<size_t>(n));
    if (filled == 0 && has_gzip_magic(std::string_view(content.data(), static_cast<size_t>(n)))) {
      gzip = true;
      return std::string();
    }
    filled += static_cast<size_t>(n);
  }
  content.resize(filled);
  return content;
}

// OK when the gzip stream read to its end finished properly; IoError naming the file when it
// stopped early (zlib's Z_BUF_ERROR after the last read: the file is truncated).
Status gzip_end_status(gzFile gz, const fs::path& path) {
  int err = Z_OK;
  gzerror(gz, &err);
  if (err == Z_BUF_ERROR) {
    return Status::IoError(path.string() + ": truncated gzip file (the compressed stream ends before its end)");
  }
  return Status::Ok();
}

Result<std::string> read_gzip_file(const fs::path& path) {
  gzFile gz = gzopen(path.c_str(), "rb");
  if (gz == nullptr) return Status::IoError("cannot open " + path.string() + ": " + errno_text());
  gzbuffer(gz, kChunk);
  std::string content;
  std::string chunk(kChunk, '\0');
  while (true) {
    int n = gzread(gz, chunk.data(), static_cast<unsigned>(chunk.size()));
    if (n < 0) {
      int err = 0;
      std::string message = gzerror(gz, &err);
      gzclose(gz);
      return Status::IoError("cannot read " + path.string() + ": " + message);
    }
    if (n == 0) break;
    content.append(chunk.data(), static_cast<size_t>(n));
  }
  Status ended = gzip_end_status(gz, path);
  gzclose(gz);
  if (!ended.ok()) return ended;
  return content;
}

}  // namespace

Result<std::string> read_file(const fs::path& path) {
  // Anything but a regular file (a pipe) can be opened only once: zlib reads it whether it
  // is compressed or not.
  struct stat kind {};
  if (::stat(path.c_str(), &kind) == 0 && !S_ISREG(kind.st_mode)) return read_gzip_file(path);
  bool gzip = false;
  auto content = read_plain_file(path, gzip);
  if (!content.ok() || !gzip) return content;
  return read_gzip_file(path);
}

Result<std::unique_ptr<LineReader>> LineReader::Open(const fs::path& path) {
  gzFile gz = gzopen(path.c_str(), "rb");
  if (gz == nullptr) return Status::IoError("cannot open " + path.string() + ": " + errno_text());
  gzbuffer(gz, kChunk);
  return std::unique_ptr<LineReader>(new LineReader(path, gz));
}

LineReader::~LineReader() { gzclose(static_cast<gzFile>(gz_)); }

bool LineReader::Fill() {
  if (eof_) return false;
  buffer_.erase(0, pos_);
  pos_ = 0;
  size_t old = buffer_.size();
  buffer_.resize(old + kChunk);
  int n = gzread(static_cast<gzFile>(gz_), buffer_.data() + old, kChunk);
  if (n < 0) {
    int err = 0;
    status_ = Status::IoError("cannot read " + path_.string() + ": " +
                              gzerror(static_cast<gzFile>(gz_), &err));
    n = 0;
  }
  buffer_.resize(old + static_cast<size_t>(n));
  if (n == 0) {
    eof_ = true;
    if (status_.ok()) status_ = gzip_end_status(static_cast<gzFile>(gz_), path_);
  }
  return n > 0;
}

bool LineReader::Next(std::string& line) {
  while (true) {
    size_t newline = buffer_.find('\n', pos_);
    if (newline != std::string::npos) {
      size_t end = newline;
      if (end > pos_ && buffer_[end - 1] == '\r') --end;
      line.assign(buffer_, pos_, end - pos_);
      pos_ = newline + 1;
      ++line_number_;
      return true;
    }
    if (!Fill()) {
      if (pos_ < buffer_.size() && status_.ok()) {
        size_t end = buffer_.size();
        if (buffer_[end - 1] == '\r') --end;
        line.assign(buffer_, pos_, end - pos_);
        pos_ = buffer_.size();
        ++line_number_;
        return true;
      }
      return false;
    }
  }
}

Result<size_t> count_newlines(const fs::path& path) {
  gzFile gz = gzopen(path.c_str(), "rb");
  if (gz == nullptr) return Status::IoError("cannot open " + path.string() + ": " + errno_text());
  std::unique_ptr<gzFile_s, int (*)(gzFile)> closer(gz, &gzclose);
  std::vector<char> buffer(kChunk * 16);
  size_t newlines = 0;
  while (true) {
    int n = gzread(gz, buffer.data(), static_cast<unsigned>(buffer.size()));
    if (n < 0) {
      int err = 0;
      return Status::IoError("cannot read " + path.string() + ": " + gzerror(gz, &err));
    }
    if (n == 0) return newlines;
    newlines += count_byte(std::string_view(buffer.data(), static_cast<size_t>(n)), '\n');
  }
}

Result<size_t> truncate_to_complete_lines(const fs::path& path) {
  std::error_code ec;
  if (!fs::exists(path, ec)) return size_t{0};
  CXRVQA_ASSIGN_OR_RETURN(auto content, read_file(path));
  const std::string& text = content;
  size_t keep = text.rfind('\n');
  keep = (keep == std::string::npos) ? 0 : keep + 1;
  if (keep != text.size()) {
    fs::resize_file(path, keep, ec);
    if (ec) return Status::IoError("cannot truncate " + path.string() + ": " + ec.message());
  }
  size_t lines = 0;
  for (size_t i = 0; i < keep; ++i) lines += text[i] == '\n';
  return lines;
}

}  // namespace cxrvqa
