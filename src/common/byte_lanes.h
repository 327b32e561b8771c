// Eight bytes of text as one 64-bit word of byte "lanes", tested all at once where no vector
// instructions are at hand (and for texts too short for them). Each test marks the high
// bit of every lane whose byte passes it, exactly: no lane is marked because of another.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace cxrvqa {

inline constexpr uint64_t kLaneOnes = 0x0101010101010101ULL;
inline constexpr uint64_t kLaneHighBits = 0x8080808080808080ULL;
inline constexpr uint64_t kLaneLow7Bits = 0x7F7F7F7F7F7F7F7FULL;

// The eight bytes at `at` (no alignment needed), the first in the lowest lane on a
// little-endian machine.
inline uint64_t load_lanes(const char* at) {
  uint64_t word;
  std::memcpy(&word, at, sizeof word);
  return word;
}

// The lanes whose byte equals `byte`.
inline uint64_t lanes_equal(uint64_t word, unsigned char byte) {
  uint64_t x = word ^ (kLaneOnes * byte);
  return ~(((x & kLaneLow7Bits) + kLaneLow7Bits) | x | kLaneLow7Bits);
}

// The lanes whose byte is below `bound` (at most 0x80).
inline uint64_t lanes_below(uint64_t word, unsigned char bound) {
  return ~(((word & kLaneLow7Bits) + kLaneOnes * (0x80 - bound)) | word | kLaneLow7Bits);
}

// The lanes whose byte is above 0x7F.
inline uint64_t lanes_non_ascii(uint64_t word) { return word & kLaneHighBits; }

// How many lanes `lanes` marks: a multiply sums the marks into the top byte (std::popcount
// is a library call on baseline x86-64).
inline size_t lane_count(uint64_t lanes) { return static_cast<size_t>(((lanes >> 7) * kLaneOnes) >> 56); }

}  // namespace cxrvqa
