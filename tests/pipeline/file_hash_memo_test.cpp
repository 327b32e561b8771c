#include <gtest/gtest.h>

#include <filesystem>
#include <string>

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

}  // namespace
}  // namespace cxrvqa
