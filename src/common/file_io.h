// File reading and writing. Reads are transparent to gzip: a .gz file (or any gzip stream)
// is decompressed with zlib, a plain file is read as is; a gzip stream that ends early (a
// truncated file) is an error naming the file. Writes are atomic (see AtomicFileWriter).
#pragma once

#include <cerrno>
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

// The system's wording of the error number `error` (errno by default), for error messages.
std::string errno_text(int error = errno);

// Whether `bytes` begin with the gzip magic number (1f 8b), as read_file tells gzip apart.
bool has_gzip_magic(std::string_view bytes);

// Where writing `path` lands: a symbolic link (or a chain of them) is followed, so that the
// link stays and the file it names is replaced. InvalidArgument when that file exists and is
// not a regular file (a directory, FIFO, socket or device is never replaced).
Result<std::filesystem::path> output_target(const std::filesystem::path& path);

// Refuses a run whose outputs would destroy its inputs or each other: InvalidArgument when an
// output is the same file as an input (same device and inode, so links and other spellings
// of the path count) or two outputs are the same file. Paths that do not exist never match an
// input; empty paths are ignored.
Status check_outputs_apart(const std::vector<std::filesystem::path>& outputs,
                           const std::vector<std::filesystem::path>& inputs);

// A file written in full or not at all. Bytes go to "<target>.tmp" beside the target (the
// target of a symbolic link: see output_target), which Commit() renames over the target, so
// readers see the old file or the new one, never a part. Every write error (a full disk, a
// file size limit) is returned, never lost; after an error, or when the writer is destroyed
// without Commit(), the temporary file is removed and the target is left as it was. The
// temporary file keeps the mode of the file it replaces. Not thread-safe.
class AtomicFileWriter {
 public:
  // Creates the parent directories and the temporary file.
  static Result<std::unique_ptr<AtomicFileWriter>> Open(const std::filesystem::path& path);
  ~AtomicFileWriter();
  AtomicFileWriter(const AtomicFileWriter&) = delete;
  AtomicFileWriter& operator=(const AtomicFileWriter&) = delete;

  // Appends `bytes` (buffered).
  Status Write(std::string_view bytes);
  // Appends `line` and a newline.
  Status Append(std::string_view line);
  // Writes what is buffered, closes the file and renames it over the target.
  Status Commit();

 private:
  AtomicFileWriter(std::filesystem::path target, std::filesystem::path temp, int fd)
      : target_(std::move(target)), temp_(std::move(temp)), fd_(fd) {}
  Status Drain();
  Status Fail(Status status);

  std::filesystem::path target_, temp_;
  int fd_;
  std::string buffer_;
  Status status_;
  bool committed_ = false;
};

// Writes `content` to `path` through an AtomicFileWriter.
Status write_file_atomic(const std::filesystem::path& path, std::string_view content);
// The same for content given as pieces, written one after another.
Status write_file_atomic(const std::filesystem::path& path, const std::vector<std::string_view>& pieces);

// One file of a folder written by write_folder_atomic.
struct FolderFile {
  std::string name;
  std::string content;
};

// Writes `files` into a new folder beside `dir` ("<dir>.tmp") and puts it in place of `dir`
// with one atomic rename (an exchange when `dir` exists, whose old folder is then removed), so
// readers see the old folder or the new one, never a mix. An existing `dir` may hold only
// files named in `files`: it is replaced whole, and anything else in it is an error.
Status write_folder_atomic(const std::filesystem::path& dir, const std::vector<FolderFile>& files);

// An advisory lock (flock) held on a file for the lifetime of the object. Released when the
// object is destroyed or the process ends, however it ends.
class FileLock {
 public:
  // Takes the lock on `path` (created when absent) without waiting. Unavailable when another
  // process (or another FileLock) holds it.
  static Result<std::unique_ptr<FileLock>> TryLock(const std::filesystem::path& path);
  ~FileLock();
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

 private:
  explicit FileLock(int fd) : fd_(fd) {}
  int fd_;
};

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

// The number of newline characters in `path` (a gzip file is counted decompressed): a bound,
// less one, on the lines LineReader returns, to reserve room before reading them.
Result<size_t> count_newlines(const std::filesystem::path& path);

// Drops an incomplete last line (no trailing newline) from `path`, as left by a killed run.
// Returns the number of complete lines kept. A missing file has 0 lines.
Result<size_t> truncate_to_complete_lines(const std::filesystem::path& path);

}  // namespace cxrvqa
