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

}  // namespace
}  // namespace cxrvqa
