#include "common/hash.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace cxrvqa {
namespace {

// Hashing the parts of a text gives the hash of the whole text, wherever it is cut, and with
// any seed: question ids are derived this way and must not change.
TEST(StableHash, PartsHashLikeTheirConcatenation) {
  const std::string text = "50414267\x1flocation\x1fwhere is the pleural effusion located?\x1f" "53189527";
  for (uint64_t seed : {0ULL, 1ULL, 0x7265666572656e63ULL}) {
    uint64_t whole = stable_hash64(text, seed);
    EXPECT_EQ(stable_hash64_of_parts({text}, seed), whole);
    for (size_t a = 0; a <= text.size(); a += 7) {
      for (size_t b = a; b <= text.size(); b += 11) {
        std::string_view view(text);
        EXPECT_EQ(stable_hash64_of_parts({view.substr(0, a), view.substr(a, b - a), view.substr(b)}, seed), whole)
            << "cut at " << a << " and " << b;
      }
    }
  }
  EXPECT_NE(stable_hash64_of_parts({"50414267", "-"}), stable_hash64_of_parts({"50414267", "+"}));
  EXPECT_EQ(stable_hash64_of_parts({}), stable_hash64(""));
  EXPECT_NE(stable_hash64("", 1), stable_hash64(""));
}

}  // namespace
}  // namespace cxrvqa
