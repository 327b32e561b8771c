#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "common/hash.h"
#include "pipeline/stage_ledger.h"
#include "test_util.h"

namespace cxrvqa {
namespace {

TEST(FileHashMemo, HashesOnceAndAgainWhenTheFileIsReplacedOrChanged) {
  testing::TempDir dir;
  auto file = dir / "questions.csv";
  testing::write_text(file, "study_id,question\n1,is there effusion?\n");
  FileHashMemo memo;
  auto first = memo.Sha256(file);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(*first, *sha256_file(file));
  EXPECT_EQ(*memo.Sha256(file), *first);

  // Replaced by rename, as the stages write their outputs: a new inode, a new hash.
  testing::write_text(dir / "questions.csv.tmp", "study_id,question\n2,is there edema?\n");
  std::filesystem::rename(dir / "questions.csv.tmp", file);
  auto replaced = memo.Sha256(file);
  ASSERT_TRUE(replaced.ok());
  EXPECT_NE(*replaced, *first);
  EXPECT_EQ(*replaced, *sha256_file(file));

  // Changed in place (same size, later modification time).
  testing::write_text(file, "study_id,question\n3,is there edema?\n");
  std::filesystem::last_write_time(file, std::filesystem::last_write_time(file) + std::chrono::seconds(5));
  EXPECT_EQ(*memo.Sha256(file), *sha256_file(file));

  std::filesystem::remove(file);
  auto missing = memo.Sha256(file);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("questions.csv"), std::string::npos);
}

TEST(FingerprintInput, ATreeCountsEveryFileBelowItOnceAndNotTheFoldersLinkedIn) {
  testing::TempDir dir;
  auto root = dir / "files";
  testing::write_text(root / "top.txt", "a");
  testing::write_text(root / "p10" / "p10000001" / "s50000001.txt", "FINDINGS: clear.");
  testing::write_text(root / "p11" / "p11000002" / "s50000002.txt", "IMPRESSION: effusion.");
  std::filesystem::create_directory_symlink(root / "p10", root / "linked");
  auto tree = fingerprint_input(root, /*directory_by_content=*/true);
  ASSERT_TRUE(tree.ok()) << tree.status().ToString();
  EXPECT_TRUE(tree->directory);
  EXPECT_EQ(tree->files, 3u);
  EXPECT_EQ(tree->bytes, 1u + 16u + 21u);

  // The same tree gives the same fingerprint; a changed report below it another one.
  EXPECT_EQ(fingerprint_input(root, true)->sha256, tree->sha256);
  testing::write_text(root / "p11" / "p11000002" / "s50000002.txt", "IMPRESSION: edema.....");
  EXPECT_NE(fingerprint_input(root, true)->sha256, tree->sha256);
}

// The fingerprint as InputFingerprint defines it, computed here with std::filesystem: one
// line "relative\tsize\tmtime" per regular file below `root`, sorted by relative name.
std::string expected_tree_hash(const std::filesystem::path& root) {
  std::vector<std::string> lines;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
    std::error_code ec;
    if (!entry.is_regular_file(ec)) continue;
    struct stat info {};
    EXPECT_EQ(::stat(entry.path().c_str(), &info), 0);
    lines.push_back(entry.path().lexically_relative(root).generic_string() + "\t" + std::to_string(info.st_size) +
                    "\t" + std::to_string(info.st_mtim.tv_sec) + "." + std::to_string(info.st_mtim.tv_nsec) + "\n");
  }
  std::sort(lines.begin(), lines.end());
  std::string listing;
  for (const auto& line : lines) listing += line;
  return sha256_hex(listing);
}

TEST(FingerprintInput, AReportTreeIsHashedByNamesSizesAndTimesOfItsFilesAtEveryDepth) {
  testing::TempDir dir;
  auto root = dir / "reports";
  testing::write_text(root / "mimic_all.csv", "study_id\n");
  for (int subject = 0; subject < 40; ++subject) {
    for (int study = 0; study < 3; ++study) {
      std::string name = "p1" + std::to_string(subject % 4);
      testing::write_text(root / "files" / name / ("p1" + std::to_string(subject)) / ("s" + std::to_string(study) + ".txt"),
                          std::string(static_cast<size_t>(subject + study), 'x'));
    }
  }
  // A link to a file counts as that file; a dangling link and a link to a folder are no files.
  std::filesystem::create_symlink(root / "mimic_all.csv", root / "files" / "alias.csv");
  std::filesystem::create_symlink(root / "nowhere.txt", root / "files" / "dangling.txt");
  std::filesystem::create_directory_symlink(root / "files" / "p10", root / "files" / "p10-again");
  auto tree = fingerprint_input(root, /*directory_by_content=*/false);
  ASSERT_TRUE(tree.ok()) << tree.status().ToString();
  EXPECT_EQ(tree->files, 40u * 3u + 2u);
  EXPECT_EQ(tree->sha256, expected_tree_hash(root));
}

}  // namespace
}  // namespace cxrvqa
