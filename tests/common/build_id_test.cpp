#include "common/build_id.h"

#include <gtest/gtest.h>

#include <cctype>
#include <cstdio>
#include <string>

#include <unistd.h>

namespace cxrvqa {
namespace {

TEST(BuildId, IsTheLinkersHexIdAndStable) {
  std::string id = program_build_id();
  if (id.empty()) GTEST_SKIP() << "this test program was linked without a GNU build ID";
  EXPECT_GE(id.size(), 16u);
  EXPECT_EQ(id.size() % 2, 0u);
  for (char c : id) EXPECT_TRUE(std::isxdigit(static_cast<unsigned char>(c)) && !std::isupper(c)) << id;
  EXPECT_EQ(program_build_id(), id);
}

// The same ID binutils reads from the executable file (readelf comes with the compiler).
TEST(BuildId, MatchesReadelf) {
  std::string id = program_build_id();
  if (id.empty()) GTEST_SKIP() << "this test program was linked without a GNU build ID";
  std::string command = "readelf -n /proc/" + std::to_string(getpid()) + "/exe 2>/dev/null";
  std::FILE* pipe = popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string notes;
  char buffer[4096];
  while (size_t n = std::fread(buffer, 1, sizeof(buffer), pipe)) notes.append(buffer, n);
  pclose(pipe);
  if (notes.empty()) GTEST_SKIP() << "readelf is not available";
  EXPECT_NE(notes.find("Build ID: " + id), std::string::npos) << notes;
}

}  // namespace
}  // namespace cxrvqa
