// A small, fast, portable pseudo-random stream (SplitMix64). Unlike the standard library's
// distributions, its numbers are the same on every platform and compiler, so seeded outputs
// (question sampling, synthetic corpora) are reproducible byte for byte.
#pragma once

#include <cstddef>
#include <cstdint>

namespace cxrvqa {

class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t seed) : state_(seed) {}

  uint64_t Next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  // Uniform in [0, n); 0 when n is 0.
  size_t Below(size_t n) {
    if (n == 0) return 0;
    return static_cast<size_t>((static_cast<unsigned __int128>(Next()) * n) >> 64);
  }
  // Uniform in [0, 1).
  double Unit() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
  // True with probability p.
  bool Chance(double p) { return Unit() < p; }

 private:
  uint64_t state_;
};

}  // namespace cxrvqa
