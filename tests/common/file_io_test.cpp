#include "common/file_io.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include <string>
#include <thread>

#include "test_util.h"

namespace cxrvqa {
namespace {

void write_gzip(const std::filesystem::path& path, const std::string& text) {
  gzFile gz = gzopen(path.c_str(), "wb");
  ASSERT_NE(gz, nullptr);
  gzwrite(gz, text.data(), static_cast<unsigned>(text.size()));
  gzclose(gz);
}

TEST(ReadFile, PlainGzipEmptyAndLarge) {
  testing::TempDir dir;
  testing::write_text(dir / "plain.txt", "FINDINGS: small left effusion.\n");
  EXPECT_EQ(*read_file(dir / "plain.txt"), "FINDINGS: small left effusion.\n");

  // gzip is recognised by its magic bytes, whatever the file is called.
  write_gzip(dir / "report.txt", "IMPRESSION: no pneumothorax.\n");
  EXPECT_EQ(*read_file(dir / "report.txt"), "IMPRESSION: no pneumothorax.\n");

  testing::write_text(dir / "empty.txt", "");
  EXPECT_EQ(*read_file(dir / "empty.txt"), "");

  std::string large(300000, 'x');
  large[0] = 0x1f;  // one magic byte alone is not gzip
  testing::write_text(dir / "large.txt", large);
  EXPECT_EQ(*read_file(dir / "large.txt"), large);
  write_gzip(dir / "large.txt.gz", large);
  EXPECT_EQ(*read_file(dir / "large.txt.gz"), large);
}

TEST(ReadFile, APipeIsReadOncePlainOrCompressed) {
  testing::TempDir dir;
  std::string text = "study_id,text\n1,\"clear lungs\"\n";
  write_gzip(dir / "packed.gz", text);
  std::string packed = testing::read_text(dir / "packed.gz");
  for (const std::string& bytes : {text, packed}) {
    auto fifo = dir / "reports.csv";
    std::filesystem::remove(fifo);
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
    std::thread writer([&] { testing::write_text(fifo, bytes); });
    auto content = read_file(fifo);
    writer.join();
    ASSERT_TRUE(content.ok()) << content.status().ToString();
    EXPECT_EQ(*content, text);
  }
}

TEST(ReadFile, MissingFileNamesThePath) {
  testing::TempDir dir;
  auto content = read_file(dir / "absent.txt");
  ASSERT_FALSE(content.ok());
  EXPECT_NE(content.status().message().find("absent.txt"), std::string::npos);
}

std::string numbered_lines(size_t n) {
  std::string text;
  for (size_t i = 0; i < n; ++i) text += "line " + std::to_string(i) + ", some words to compress\n";
  return text;
}

// A gzip file of `text` cut to half its size, as an interrupted download leaves it.
void write_truncated_gzip(const std::filesystem::path& path, const std::string& text) {
  write_gzip(path, text);
  std::filesystem::resize_file(path, std::filesystem::file_size(path) / 2);
}

TEST(ReadFile, TruncatedGzipIsAnErrorNamingTheFile) {
  testing::TempDir dir;
  write_truncated_gzip(dir / "reports.csv.gz", numbered_lines(20000));
  auto whole = read_file(dir / "reports.csv.gz");
  ASSERT_FALSE(whole.ok()) << "read " << whole->size() << " bytes of a truncated file as if complete";
  EXPECT_NE(whole.status().message().find("reports.csv.gz"), std::string::npos) << whole.status().message();
  EXPECT_NE(whole.status().message().find("truncated"), std::string::npos) << whole.status().message();

  auto reader = LineReader::Open(dir / "reports.csv.gz");
  ASSERT_TRUE(reader.ok());
  std::string line;
  size_t lines = 0;
  while ((*reader)->Next(line)) ++lines;
  EXPECT_LT(lines, 20000u);
  ASSERT_FALSE((*reader)->status().ok()) << "the line reader ended a truncated file quietly";
  EXPECT_NE((*reader)->status().message().find("truncated"), std::string::npos);

  write_gzip(dir / "whole.gz", numbered_lines(100));  // a complete stream still reads whole
  EXPECT_EQ(*read_file(dir / "whole.gz"), numbered_lines(100));
}

TEST(WriteFile, WritesThroughSymlinksAndRefusesSpecialFiles) {
  testing::TempDir dir;
  testing::write_text(dir / "target.jsonl", "old\n");
  std::filesystem::create_symlink("target.jsonl", dir / "link.jsonl");
  ASSERT_TRUE(write_file_atomic(dir / "link.jsonl", "new\n").ok());
  EXPECT_TRUE(std::filesystem::is_symlink(dir / "link.jsonl")) << "the link was replaced by a file";
  EXPECT_EQ(testing::read_text(dir / "target.jsonl"), "new\n");

  std::filesystem::create_symlink("absent/made.jsonl", dir / "dangling.jsonl");
  ASSERT_TRUE(write_file_atomic(dir / "dangling.jsonl", "made\n").ok());
  EXPECT_EQ(testing::read_text(dir / "absent" / "made.jsonl"), "made\n");

  ASSERT_EQ(mkfifo((dir / "fifo").c_str(), 0600), 0);
  Status fifo = write_file_atomic(dir / "fifo", "x\n");
  EXPECT_EQ(fifo.code(), StatusCode::kInvalidArgument) << fifo.ToString();
  EXPECT_NE(fifo.message().find("FIFO"), std::string::npos) << fifo.message();
  struct stat info {};
  ASSERT_EQ(lstat((dir / "fifo").c_str(), &info), 0);
  EXPECT_TRUE(S_ISFIFO(info.st_mode)) << "the FIFO was replaced";

  std::filesystem::create_directory(dir / "folder");
  EXPECT_FALSE(write_file_atomic(dir / "folder", "x\n").ok());
  EXPECT_TRUE(std::filesystem::is_directory(dir / "folder"));

  // A device behind a link (the device itself is never written to: the write is refused).
  std::filesystem::create_symlink("/dev/null", dir / "device.jsonl");
  Status device = write_file_atomic(dir / "device.jsonl", "x\n");
  EXPECT_EQ(device.code(), StatusCode::kInvalidArgument) << device.ToString();
  EXPECT_NE(device.message().find("character device"), std::string::npos) << device.message();
  EXPECT_TRUE(std::filesystem::is_symlink(dir / "device.jsonl")) << "the link to the device was replaced";
}

TEST(WriteFile, KeepsTheModeOfTheFileItReplaces) {
  testing::TempDir dir;
  testing::write_text(dir / "private.jsonl", "old\n");
  std::filesystem::permissions(dir / "private.jsonl", std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  ASSERT_TRUE(write_file_atomic(dir / "private.jsonl", "new\n").ok());
  EXPECT_EQ(std::filesystem::status(dir / "private.jsonl").permissions() & std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
}

TEST(WriteFile, AWriteErrorKeepsTheOldFileAndLeavesNoTemporary) {
  testing::TempDir dir;
  testing::write_text(dir / "out.jsonl", "previous\n");
  // A child process whose files may not grow past 4 KB: every larger write fails (EFBIG), as
  // a full disk fails with ENOSPC.
  pid_t child = fork();
  if (child == 0) {
    signal(SIGXFSZ, SIG_IGN);
    struct rlimit limit {4096, 4096};
    setrlimit(RLIMIT_FSIZE, &limit);
    Status status = write_file_atomic(dir / "out.jsonl", std::string(1 << 20, 'x'));
    bool named = status.message().find("out.jsonl") != std::string::npos;
    _exit(status.ok() ? 1 : named ? 0 : 2);
  }
  int wait_status = 0;
  ASSERT_EQ(waitpid(child, &wait_status, 0), child);
  ASSERT_TRUE(WIFEXITED(wait_status));
  EXPECT_EQ(WEXITSTATUS(wait_status), 0) << "1: the failed write was reported as done; 2: the error names no file";
  EXPECT_EQ(testing::read_text(dir / "out.jsonl"), "previous\n");
  EXPECT_FALSE(std::filesystem::exists(dir / "out.jsonl.tmp")) << "an orphan temporary file";
}

TEST(WriteFile, AWriterDestroyedWithoutCommitLeavesNothing) {
  testing::TempDir dir;
  {
    auto writer = AtomicFileWriter::Open(dir / "out.jsonl");
    ASSERT_TRUE(writer.ok());
    ASSERT_TRUE((*writer)->Append("a line").ok());
  }
  EXPECT_TRUE(std::filesystem::is_empty(dir.path()));
}

TEST(OutputsApart, SameFileByDeviceAndInode) {
  testing::TempDir dir;
  testing::write_text(dir / "in.jsonl", "x\n");
  std::filesystem::create_hard_link(dir / "in.jsonl", dir / "hard.jsonl");
  std::filesystem::create_symlink(dir / "in.jsonl", dir / "soft.jsonl");
  for (const char* name : {"in.jsonl", "hard.jsonl", "soft.jsonl"}) {
    Status same = check_outputs_apart({dir / name}, {dir / "in.jsonl"});
    EXPECT_EQ(same.code(), StatusCode::kInvalidArgument) << name;
    EXPECT_NE(same.message().find("same file as the input"), std::string::npos) << same.message();
  }
  EXPECT_FALSE(check_outputs_apart({dir.path() / "." / "in.jsonl"}, {dir / "in.jsonl"}).ok());
  EXPECT_TRUE(check_outputs_apart({dir / "out.jsonl"}, {dir / "in.jsonl"}).ok());
  EXPECT_FALSE(check_outputs_apart({dir / "s.jsonl", dir / "s.jsonl"}, {}).ok()) << "two outputs, one file";
  EXPECT_TRUE(check_outputs_apart({dir / "a.jsonl", dir / "b.jsonl", {}}, {{}}).ok());
}

TEST(WriteFolder, ReplacesTheWholeFolderOrNothing) {
  testing::TempDir dir;
  std::vector<FolderFile> first = {{"a.json", "1"}, {"b.csv", "2"}};
  ASSERT_TRUE(write_folder_atomic(dir / "libs", first).ok());
  EXPECT_EQ(testing::read_text(dir / "libs" / "a.json"), "1");
  std::vector<FolderFile> second = {{"a.json", "3"}, {"b.csv", "4"}};
  ASSERT_TRUE(write_folder_atomic(dir / "libs", second).ok());
  EXPECT_EQ(testing::read_text(dir / "libs" / "a.json"), "3");
  EXPECT_EQ(testing::read_text(dir / "libs" / "b.csv"), "4");
  EXPECT_FALSE(std::filesystem::exists(dir / "libs.tmp"));

  testing::write_text(dir / "libs" / "notes.txt", "mine");
  Status refused = write_folder_atomic(dir / "libs", second);
  EXPECT_EQ(refused.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(refused.message().find("notes.txt"), std::string::npos) << refused.message();
  EXPECT_EQ(testing::read_text(dir / "libs" / "notes.txt"), "mine");

  testing::write_text(dir / "file", "x");
  EXPECT_FALSE(write_folder_atomic(dir / "file", first).ok());
}

TEST(FileLock, ASecondLockIsRefusedUntilTheFirstIsReleased) {
  testing::TempDir dir;
  auto first = FileLock::TryLock(dir / ".lock");
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  auto second = FileLock::TryLock(dir / ".lock");
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), StatusCode::kUnavailable);
  first->reset();
  EXPECT_TRUE(FileLock::TryLock(dir / ".lock").ok());
}

}  // namespace
}  // namespace cxrvqa
