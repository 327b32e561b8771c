// File reading and writing. Reads are transparent to gzip: a .gz file (or any gzip stream)
// is decompressed with zlib, a plain file is read as is.
#pragma once

#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace cxrvqa {

// The whole content of `path` (decompressed when gzip).
Result<std::string> read_file(const std::filesystem::path& path);

// Writes `content` to `path` through a temporary file in the same directory and a rename,
// so readers never see a half-written file. Creates parent directories.
Status write_file_atomic(const std::filesystem::path& path, std::string_view content);
// The same for content given as pieces, written one after another.
Status write_file_atomic(const std::filesystem::path& path, const std::vector<std::string_view>& pieces);

// Reads a (possibly gzip) text file line by line. Lines are returned without the trailing
// "\n" or "\r\n"; line numbers start at 1.
class LineReader {
 public:
  static Result<std::unique_ptr<LineReader>> Open(const std::filesystem::path& path);
  ~LineReader();
  LineReader(const LineReader&) = delete;
  LineReader& operator=(const LineReader&) = delete;

  // Fills `line` with the next line; false at end of file or on a read error (see status()).
  bool Next(std::string& line);
  // The number of the line last returned by Next().
  size_t line_number() const { return line_number_; }
  const std::filesystem::path& path() const { return path_; }
  // OK, or the read error that ended Next().
  const Status& status() const { return status_; }

 private:
  LineReader(std::filesystem::path path, void* gz) : path_(std::move(path)), gz_(gz) {}
  bool Fill();

  std::filesystem::path path_;
  void* gz_;  // gzFile
  std::string buffer_;
  size_t pos_ = 0;
  bool eof_ = false;
  size_t line_number_ = 0;
  Status status_;
};

// Appends lines to a file, flushing whole lines only, so that an interrupted run leaves a file
// whose every complete line is valid. Used for resumable outputs.
class LineAppender {
 public:
  // Opens `path` for appending (truncate = false) or rewriting (truncate = true).
  static Result<std::unique_ptr<LineAppender>> Open(const std::filesystem::path& path,
                                                    bool truncate);
  ~LineAppender();
  LineAppender(const LineAppender&) = delete;
  LineAppender& operator=(const LineAppender&) = delete;

  // Appends `line` and a newline. Data reaches the OS at Flush() or when the buffer fills.
  Status Append(std::string_view line);
  Status Flush();

 private:
  explicit LineAppender(std::FILE* file, std::filesystem::path path)
      : file_(file), path_(std::move(path)) {}
  std::FILE* file_;
  std::filesystem::path path_;
  std::string buffer_;
};

// Drops an incomplete last line (no trailing newline) from `path`, as left by a killed run.
// Returns the number of complete lines kept. A missing file has 0 lines.
Result<size_t> truncate_to_complete_lines(const std::filesystem::path& path);

}  // namespace cxrvqa
