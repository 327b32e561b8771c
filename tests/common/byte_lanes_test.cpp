// Byte-lane tests on 64-bit words: every byte value in every lane, against the byte rule.
#include "common/byte_lanes.h"

#include <gtest/gtest.h>

#include <bit>
#include <cstring>

namespace cxrvqa {
namespace {

// The marks the byte rule gives to the eight bytes of `bytes`, lane i for bytes[i].
template <typename Rule>
uint64_t marks_by_byte(const unsigned char (&bytes)[8], Rule rule) {
  uint64_t marks = 0;
  for (int lane = 0; lane < 8; ++lane) {
    if (rule(bytes[lane])) marks |= uint64_t{0x80} << (8 * lane);
  }
  return marks;
}

TEST(ByteLanes, EveryByteInEveryLaneIsMarkedExactlyByTheRule) {
  static_assert(std::endian::native == std::endian::little, "lane i is byte i on this machine");
  const unsigned char targets[] = {0x00, ',', '"', '\\', 0x1F, 0x20, 0x7F, 0x80, 0xFF};
  for (int lane = 0; lane < 8; ++lane) {
    for (int value = 0; value < 256; ++value) {
      // The other lanes hold neighbours of the value and of the targets, where a borrow or a
      // carry from this lane would show.
      unsigned char bytes[8];
      for (int other = 0; other < 8; ++other) bytes[other] = static_cast<unsigned char>(value + other - lane);
      bytes[lane] = static_cast<unsigned char>(value);
      uint64_t word;
      std::memcpy(&word, bytes, sizeof word);
      EXPECT_EQ(load_lanes(reinterpret_cast<const char*>(bytes)), word);
      for (unsigned char target : targets) {
        uint64_t expected = marks_by_byte(bytes, [&](unsigned char b) { return b == target; });
        ASSERT_EQ(lanes_equal(word, target), expected) << "lane " << lane << " value " << value << " target " << int(target);
        ASSERT_EQ(lane_count(lanes_equal(word, target)), static_cast<size_t>(std::popcount(expected)));
      }
      for (unsigned char bound : {0x01, 0x20, 0x41, 0x80}) {
        ASSERT_EQ(lanes_below(word, bound), marks_by_byte(bytes, [&](unsigned char b) { return b < bound; }))
            << "lane " << lane << " value " << value << " bound " << int(bound);
      }
      ASSERT_EQ(lanes_non_ascii(word), marks_by_byte(bytes, [](unsigned char b) { return b >= 0x80; }));
    }
  }
}

}  // namespace
}  // namespace cxrvqa
