// The writing half of file_io.h: output targets, atomic files and folders, advisory locks.
#include <fcntl.h>
#include <stdio.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <optional>
#include <system_error>

#include "common/file_io.h"

namespace cxrvqa {

namespace fs = std::filesystem;

namespace {

constexpr size_t kWriteBuffer = 1 << 16;
constexpr int kMaxLinkHops = 40;

const char* file_type_name(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISSOCK(mode)) return "a socket";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISREG(mode)) return "a regular file";
  return "not a regular file";
}

// Device and inode of an existing path (links followed), or nullopt.
std::optional<std::pair<dev_t, ino_t>> file_identity(const fs::path& path) {
  struct stat info {};
  if (path.empty() || ::stat(path.c_str(), &info) != 0) return std::nullopt;
  return std::make_pair(info.st_dev, info.st_ino);
}

bool same_file(const fs::path& a, const fs::path& b) {
  auto first = file_identity(a), second = file_identity(b);
  if (first && second) return *first == *second;
  if (first || second) return false;
  std::error_code ec;  // neither exists: compare what the names would resolve to
  return fs::weakly_canonical(a, ec) == fs::weakly_canonical(b, ec);
}

fs::path temp_path_for(const fs::path& target) {
  fs::path temp = target;
  temp += ".tmp";
  return temp;
}

// Writes all of `bytes` to `fd`, going on after short writes and interruptions; the errno of
// the failure, or 0.
int write_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno;
    if (n == 0) return EIO;
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return 0;
}

}  // namespace

Result<fs::path> output_target(const fs::path& path) {
  fs::path target = path;
  for (int hop = 0; hop <= kMaxLinkHops; ++hop) {
    struct stat info {};
    if (::lstat(target.c_str(), &info) != 0) {
      if (errno == ENOENT) return target;  // a new file (or the missing target of a link)
      return Status::IoError("cannot write " + path.string() + ": " + errno_text(errno));
    }
    if (S_ISREG(info.st_mode)) return target;
    if (!S_ISLNK(info.st_mode)) {
      return Status::InvalidArgument("refusing to write " + path.string() + ": it is " +
                                     file_type_name(info.st_mode) + ", not a regular file");
    }
    std::error_code ec;
    fs::path link = fs::read_symlink(target, ec);
    if (ec) return Status::IoError("cannot read the link " + target.string() + ": " + ec.message());
    target = link.is_absolute() ? link : target.parent_path() / link;
  }
  return Status::InvalidArgument("refusing to write " + path.string() + ": too many levels of symbolic links");
}

Status check_outputs_apart(const std::vector<fs::path>& outputs, const std::vector<fs::path>& inputs) {
  for (size_t i = 0; i < outputs.size(); ++i) {
    if (outputs[i].empty()) continue;
    for (const fs::path& input : inputs) {
      if (!input.empty() && file_identity(input) && same_file(outputs[i], input)) {
        return Status::InvalidArgument("refusing to write " + outputs[i].string() +
                                       ": it is the same file as the input " + input.string() +
                                       ", which would be destroyed");
      }
    }
    for (size_t j = 0; j < i; ++j) {
      if (!outputs[j].empty() && same_file(outputs[i], outputs[j])) {
        return Status::InvalidArgument("refusing to write " + outputs[i].string() +
                                       " twice: it is also the output " + outputs[j].string());
      }
    }
  }
  return Status::Ok();
}

Result<std::unique_ptr<AtomicFileWriter>> AtomicFileWriter::Open(const fs::path& path) {
  CXRVQA_ASSIGN_OR_RETURN(auto target, output_target(path));
  std::error_code ec;
  if (target.has_parent_path()) fs::create_directories(target.parent_path(), ec);
  fs::path temp = temp_path_for(target);
  ::unlink(temp.c_str());  // a leftover of a killed run (or a link planted there)
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0666);
  if (fd < 0) return Status::IoError("cannot write " + temp.string() + ": " + errno_text(errno));
  struct stat info {};
  if (::stat(target.c_str(), &info) == 0) ::fchmod(fd, info.st_mode & 07777);
  return std::unique_ptr<AtomicFileWriter>(new AtomicFileWriter(std::move(target), std::move(temp), fd));
}

AtomicFileWriter::~AtomicFileWriter() {
  if (committed_) return;
  if (fd_ >= 0) ::close(fd_);
  ::unlink(temp_.c_str());
}

Status AtomicFileWriter::Fail(Status status) {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  ::unlink(temp_.c_str());
  status_ = std::move(status);
  return status_;
}

Status AtomicFileWriter::Drain() {
  int error = write_all(fd_, buffer_);
  buffer_.clear();
  if (error != 0) return Fail(Status::IoError("cannot write " + target_.string() + ": " + errno_text(error)));
  return Status::Ok();
}

Status AtomicFileWriter::Write(std::string_view bytes) {
  if (!status_.ok() || committed_) return status_.ok() ? Status::Internal("write after commit") : status_;
  if (buffer_.size() + bytes.size() > kWriteBuffer) {
    CXRVQA_RETURN_IF_ERROR(Drain());
    if (bytes.size() > kWriteBuffer) {
      int error = write_all(fd_, bytes);
      if (error != 0) return Fail(Status::IoError("cannot write " + target_.string() + ": " + errno_text(error)));
      return Status::Ok();
    }
  }
  buffer_.append(bytes);
  return Status::Ok();
}

Status AtomicFileWriter::Append(std::string_view line) {
  CXRVQA_RETURN_IF_ERROR(Write(line));
  return Write("\n");
}

Status AtomicFileWriter::Commit() {
  if (!status_.ok()) return status_;
  if (committed_) return Status::Ok();
  CXRVQA_RETURN_IF_ERROR(Drain());
  int fd = fd_;
  fd_ = -1;
  if (::close(fd) != 0) return Fail(Status::IoError("cannot write " + target_.string() + ": " + errno_text(errno)));
  if (::rename(temp_.c_str(), target_.c_str()) != 0) {
    return Fail(Status::IoError("cannot rename " + temp_.string() + " to " + target_.string() + ": " +
                                errno_text(errno)));
  }
  committed_ = true;
  return Status::Ok();
}

Status write_file_atomic(const fs::path& path, std::string_view content) {
  return write_file_atomic(path, std::vector<std::string_view>{content});
}

Status write_file_atomic(const fs::path& path, const std::vector<std::string_view>& pieces) {
  CXRVQA_ASSIGN_OR_RETURN(auto writer, AtomicFileWriter::Open(path));
  for (std::string_view piece : pieces) CXRVQA_RETURN_IF_ERROR(writer->Write(piece));
  return writer->Commit();
}

namespace {

// Refuses to replace `dir` when it holds anything but the files about to be written.
Status check_replaceable_folder(const fs::path& dir, const std::vector<FolderFile>& files) {
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::string name = it->path().filename().string();
    bool ours = false;
    for (const auto& file : files) ours = ours || file.name == name;
    if (!ours || !it->is_regular_file(ec)) {
      return Status::InvalidArgument("refusing to replace the folder " + dir.string() + ": it holds " + name +
                                     ", which is not one of the files written there");
    }
  }
  if (ec) return Status::IoError("cannot list " + dir.string() + ": " + ec.message());
  return Status::Ok();
}

// Puts the folder `temp` at `folder`: one exchange of the two names when `folder` exists (the
// old folder is then at `temp`), one rename otherwise. A file system without exchanges gets two
// renames, with a moment where `folder` is absent.
Status swap_in_folder(const fs::path& temp, const fs::path& folder, bool exists) {
  if (::renameat2(AT_FDCWD, temp.c_str(), AT_FDCWD, folder.c_str(), exists ? RENAME_EXCHANGE : 0) == 0) {
    return Status::Ok();
  }
  int error = errno;
  if (exists && (error == EINVAL || error == ENOSYS || error == EOPNOTSUPP)) {
    fs::path old = folder;
    old += ".old";
    std::error_code ec;
    fs::remove_all(old, ec);
    if (::rename(folder.c_str(), old.c_str()) != 0) {
      error = errno;
    } else if (::rename(temp.c_str(), folder.c_str()) != 0) {
      error = errno;
      ::rename(old.c_str(), folder.c_str());
    } else {
      fs::remove_all(old, ec);
      return Status::Ok();
    }
  }
  return Status::IoError("cannot put " + temp.string() + " in place of " + folder.string() + ": " +
                         errno_text(error));
}

}  // namespace

Status write_folder_atomic(const fs::path& dir, const std::vector<FolderFile>& files) {
  std::error_code ec;
  fs::path folder;
  struct stat info {};
  bool exists = ::stat(dir.c_str(), &info) == 0;
  if (exists) {
    if (!S_ISDIR(info.st_mode)) {
      return Status::InvalidArgument("refusing to write the folder " + dir.string() + ": it is " +
                                     file_type_name(info.st_mode) + ", not a folder");
    }
    folder = fs::canonical(dir, ec);  // a link to a folder: the folder it names is replaced
    if (ec) return Status::IoError("cannot resolve " + dir.string() + ": " + ec.message());
    CXRVQA_RETURN_IF_ERROR(check_replaceable_folder(folder, files));
  } else {
    auto target = output_target(dir);  // a dangling link: its target is created
    if (!target.ok()) return target.status();
    folder = *target;
    if (folder.has_parent_path()) fs::create_directories(folder.parent_path(), ec);
  }
  fs::path temp = temp_path_for(folder);
  fs::remove_all(temp, ec);
  fs::create_directories(temp, ec);
  if (ec) return Status::IoError("cannot create " + temp.string() + ": " + ec.message());
  auto fail = [&](Status status) {
    fs::remove_all(temp, ec);
    return status;
  };
  for (const auto& file : files) {
    Status written = write_file_atomic(temp / file.name, file.content);
    if (!written.ok()) return fail(written);
  }
  Status swapped = swap_in_folder(temp, folder, exists);
  if (!swapped.ok()) return fail(swapped);
  fs::remove_all(temp, ec);  // the old folder, after an exchange
  return Status::Ok();
}

Result<std::unique_ptr<FileLock>> FileLock::TryLock(const fs::path& path) {
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0666);
  if (fd < 0) return Status::IoError("cannot open the lock file " + path.string() + ": " + errno_text(errno));
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    int error = errno;
    ::close(fd);
    if (error == EWOULDBLOCK) {
      return Status::Unavailable("another process holds the lock " + path.string());
    }
    return Status::IoError("cannot lock " + path.string() + ": " + errno_text(error));
  }
  return std::unique_ptr<FileLock>(new FileLock(fd));
}

FileLock::~FileLock() { ::close(fd_); }

}  // namespace cxrvqa
