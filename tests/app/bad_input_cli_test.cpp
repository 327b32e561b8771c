// The cxrvqa program as a user runs it with outputs that would destroy inputs, outputs that
// are links or special files, and a disk that fills up.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <nlohmann/json.hpp>

#include "test_util.h"

namespace cxrvqa {
namespace {

namespace fs = std::filesystem;
using testing::read_text;
using testing::run_cxrvqa;
using testing::TempDir;
using testing::write_text;

const char* kSentences[] = {"Small left pleural effusion.", "No pneumothorax.", "Mild cardiomegaly.",
                            "Right lower lobe consolidation.", "Lungs are clear."};

// A JSONL corpus of `n` reports.
fs::path write_corpus(const TempDir& dir, size_t n) {
  std::string lines;
  for (size_t i = 0; i < n; ++i) {
    nlohmann::json line = {{"study_id", std::to_string(500000 + i)},
                           {"text", std::string("FINDINGS: ") + kSentences[i % 5] + " " + kSentences[(i / 5) % 5]}};
    lines += line.dump() + "\n";
  }
  write_text(dir / "reports.jsonl", lines);
  return dir / "reports.jsonl";
}

std::string extract(const fs::path& reports, const fs::path& out) {
  return "extract --corpus jsonl --reports " + reports.string() + " --out " + out.string();
}

TEST(BadInputCli, AnOutputThatIsAnInputIsRefusedAndTheInputKept) {
  TempDir dir;
  fs::path reports = write_corpus(dir, 20);
  const std::string before = read_text(reports);
  std::string output;
  EXPECT_NE(run_cxrvqa(extract(reports, reports), &output), 0) << output;
  EXPECT_NE(output.find("same file as the input"), std::string::npos) << output;
  EXPECT_EQ(read_text(reports), before);

  fs::create_symlink(reports, dir / "alias.jsonl");  // another name, the same file
  EXPECT_NE(run_cxrvqa(extract(reports, dir / "alias.jsonl"), &output), 0) << output;
  EXPECT_EQ(read_text(reports), before);

  ASSERT_EQ(run_cxrvqa(extract(reports, dir / "raw.jsonl"), &output), 0) << output;
  const std::string raw = read_text(dir / "raw.jsonl");
  std::string standardize = "standardize --in " + (dir / "raw.jsonl").string();
  EXPECT_NE(run_cxrvqa(standardize + " --out " + (dir / "s.jsonl").string() + " --rejects " + (dir / "s.jsonl").string(),
                       &output), 0) << output;
  EXPECT_NE(run_cxrvqa(standardize + " --out " + (dir / "s.jsonl").string() + " --rejects " + (dir / "raw.jsonl").string(),
                       &output), 0) << output;
  EXPECT_NE(run_cxrvqa(standardize + " --out " + (dir / "raw.jsonl").string(), &output), 0) << output;
  EXPECT_EQ(read_text(dir / "raw.jsonl"), raw);

  ASSERT_EQ(run_cxrvqa(standardize + " --out " + (dir / "std.jsonl").string(), &output), 0) << output;
  ASSERT_EQ(run_cxrvqa("libraries --in " + (dir / "std.jsonl").string() + " --out " + (dir / "libs").string(), &output), 0)
      << output;
  const std::string keyinfo = read_text(dir / "std.jsonl");
  EXPECT_NE(run_cxrvqa("questions --keyinfo " + (dir / "std.jsonl").string() + " --libraries " +
                           (dir / "libs").string() + " --out " + (dir / "std.jsonl").string(), &output), 0) << output;
  EXPECT_EQ(read_text(dir / "std.jsonl"), keyinfo);
}

TEST(BadInputCli, OutputsWriteThroughLinksAndRefuseSpecialFiles) {
  TempDir dir;
  fs::path reports = write_corpus(dir, 10);
  write_text(dir / "data" / "keyinfo.jsonl", "old\n");
  fs::create_symlink(dir / "data" / "keyinfo.jsonl", dir / "link.jsonl");
  std::string output;
  ASSERT_EQ(run_cxrvqa(extract(reports, dir / "link.jsonl"), &output), 0) << output;
  EXPECT_TRUE(fs::is_symlink(dir / "link.jsonl")) << "the link was replaced by a file";
  EXPECT_NE(read_text(dir / "data" / "keyinfo.jsonl").find("500000"), std::string::npos);

  ASSERT_EQ(mkfifo((dir / "fifo").c_str(), 0600), 0);
  EXPECT_NE(run_cxrvqa(extract(reports, dir / "fifo"), &output), 0) << output;
  EXPECT_NE(output.find("FIFO"), std::string::npos) << output;
  EXPECT_TRUE(fs::is_fifo(dir / "fifo")) << "the FIFO was replaced by a file";
}

TEST(BadInputCli, AFullDiskLeavesThePreviousOutputAndNoTemporaryFile) {
  TempDir dir;
  fs::path reports = write_corpus(dir, 2000);
  write_text(dir / "raw.jsonl", "previous run\n");
  // Files of this run may not grow past 64 KB (the output needs several hundred): writes fail
  // with EFBIG, as they fail with ENOSPC on a full disk.
  std::string output;
  int code = run_cxrvqa("--version >/dev/null; ulimit -f 128; trap '' XFSZ; exec \"" + std::string(CXRVQA_BINARY) +
                            "\" " + extract(reports, dir / "raw.jsonl"),
                        &output);
  EXPECT_NE(code, 0) << output;
  EXPECT_NE(output.find("raw.jsonl"), std::string::npos) << output;
  EXPECT_EQ(output.find("findings per report"), std::string::npos) << "a summary of a run that wrote nothing:\n" << output;
  EXPECT_EQ(read_text(dir / "raw.jsonl"), "previous run\n");
  EXPECT_FALSE(fs::exists(dir / "raw.jsonl.tmp"));
}

TEST(BadInputCli, LibrariesReplaceTheirFolderWholeAndNeverAForeignOne) {
  TempDir dir;
  fs::path reports = write_corpus(dir, 50);
  std::string output;
  ASSERT_EQ(run_cxrvqa(extract(reports, dir / "raw.jsonl"), &output), 0) << output;
  ASSERT_EQ(run_cxrvqa("standardize --in " + (dir / "raw.jsonl").string() + " --out " + (dir / "std.jsonl").string(),
                       &output), 0) << output;
  std::string libraries = "libraries --in " + (dir / "std.jsonl").string() + " --out ";
  ASSERT_EQ(run_cxrvqa(libraries + (dir / "libs").string(), &output), 0) << output;
  ASSERT_EQ(run_cxrvqa(libraries + (dir / "libs").string(), &output), 0) << "a library folder is replaced: " << output;
  EXPECT_FALSE(fs::exists(dir / "libs.tmp"));
  write_text(dir / "mine" / "notes.txt", "keep me");
  EXPECT_NE(run_cxrvqa(libraries + (dir / "mine").string(), &output), 0) << output;
  EXPECT_EQ(read_text(dir / "mine" / "notes.txt"), "keep me");
  EXPECT_FALSE(fs::exists(dir / "mine" / "entity_dict.json"));
}

}  // namespace
}  // namespace cxrvqa
