#include "common/file_io.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <string>

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

TEST(ReadFile, MissingFileNamesThePath) {
  testing::TempDir dir;
  auto content = read_file(dir / "absent.txt");
  ASSERT_FALSE(content.ok());
  EXPECT_NE(content.status().message().find("absent.txt"), std::string::npos);
}

}  // namespace
}  // namespace cxrvqa
