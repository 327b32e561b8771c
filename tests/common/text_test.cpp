// Text helpers: trimming, counting a byte.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "common/text.h"

namespace cxrvqa {
namespace {

TEST(Trim, DropsAsciiSpaceAtBothEndsOnly) {
  EXPECT_EQ(trim(""), "");
  EXPECT_EQ(trim(" \t\r\n\f\v"), "");
  EXPECT_EQ(trim("a"), "a");
  EXPECT_EQ(trim("  left lower lobe \r\n"), "left lower lobe");
  EXPECT_EQ(trim("\va b\f"), "a b");
  // Only ASCII space counts: a no-break space (UTF-8) or a NUL byte stays.
  EXPECT_EQ(trim("\xc2\xa0x\xc2\xa0"), "\xc2\xa0x\xc2\xa0");
  EXPECT_EQ(trim(std::string("\0x\0", 3)), std::string("\0x\0", 3));
  // Every pair of spaces around every short word, against the rule written with the set.
  const std::string spaces = " \t\r\n\f\v";
  for (char before : spaces) {
    for (char after : spaces) {
      for (const std::string& word : {std::string("w"), std::string("two words"), std::string(" ")}) {
        std::string text = std::string(1, before) + word + std::string(2, after);
        size_t begin = text.find_first_not_of(spaces), end = text.find_last_not_of(spaces);
        std::string expected = begin == std::string::npos ? "" : text.substr(begin, end - begin + 1);
        EXPECT_EQ(trim(text), expected) << int(before) << " " << int(after);
      }
    }
  }
}

TEST(CountByte, CountsEveryOccurrenceIncludingTheEnds) {
  EXPECT_EQ(count_byte("", '\n'), 0u);
  EXPECT_EQ(count_byte("abc", '\n'), 0u);
  EXPECT_EQ(count_byte("\na\nb\n", '\n'), 3u);
  EXPECT_EQ(count_byte(std::string("\0a\0", 3), '\0'), 2u);
  // Long texts, against std::count.
  std::string text;
  for (int i = 0; i < 5000; ++i) text += (i % 7 == 0 ? "\"," : "x") + std::to_string(i);
  EXPECT_EQ(count_byte(text, '"'), static_cast<size_t>(std::count(text.begin(), text.end(), '"')));
  EXPECT_EQ(count_byte(text, ','), static_cast<size_t>(std::count(text.begin(), text.end(), ',')));
}

}  // namespace
}  // namespace cxrvqa
