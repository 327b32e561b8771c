#include "common/memo.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cctype>
#include <string>
#include <thread>
#include <vector>

#include "common/parallel.h"

namespace cxrvqa {
namespace {

TEST(TextMemo, ComputesOncePerKeyAndStopsKeepingAtCapacity) {
  TextMemo<std::string> memo(2);
  int computed = 0;
  auto upper = [&](std::string_view key, std::string& out) {
    ++computed;
    for (char c : key) out += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  };
  std::string scratch;
  EXPECT_EQ(memo.Get("ab", scratch, upper), "AB");
  EXPECT_EQ(memo.Get("ab", scratch, upper), "AB");
  EXPECT_EQ(computed, 1);
  EXPECT_EQ(memo.Get("cd", scratch, upper), "CD");
  EXPECT_EQ(memo.size(), 2u);
  // Full: a new key is computed into the scratch every time, and not kept.
  EXPECT_EQ(memo.Get("ef", scratch, upper), "EF");
  EXPECT_EQ(memo.Get("ef", scratch, upper), "EF");
  EXPECT_EQ(computed, 4);
  EXPECT_EQ(memo.size(), 2u);
}

TEST(TextMemo, ThreadsShareResults) {
  TextMemo<size_t> memo;
  std::atomic<size_t> computed{0};
  std::vector<size_t> results(20000);
  parallel_chunks(results.size(), 4, [&](size_t begin, size_t end) {
    size_t scratch = 0;
    for (size_t i = begin; i < end; ++i) {
      std::string key = "k" + std::to_string(i % 100);
      results[i] = memo.Get(key, scratch, [&](std::string_view text, size_t& out) {
        ++computed;
        out = text.size();
      });
    }
  }, 64);
  for (size_t i = 0; i < results.size(); ++i) EXPECT_EQ(results[i], ("k" + std::to_string(i % 100)).size());
  EXPECT_EQ(memo.size(), 100u);
  EXPECT_LT(computed.load(), 200u) << "each key computed about once";
}

}  // namespace
}  // namespace cxrvqa
