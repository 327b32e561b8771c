// An insert-only hash index from string keys to positions: where, in a sequence the caller
// owns (a vector of rows, say), the item holding each key sits.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string_view>
#include <utility>
#include <vector>

namespace cxrvqa {

// Files positions under their keys, first come first kept. Only positions are stored:
// `key_of(position)` gives a position's key back, so keys are neither copied nor required to
// stay where they are (a position stays valid when the caller's vector grows; a view would
// not). One array, open addressing: a lookup touches one slot, and the key only when the
// slot's hash tag matches — several times cheaper than a node-based map over a corpus's
// study ids.
//
// KeyOf: callable as `std::string_view(size_t position) const`; the key of a filed position
// must not change while the index is in use. Positions are below 2^40. Not thread-safe.
template <typename KeyOf>
class PositionIndex {
 public:
  static constexpr size_t kNone = SIZE_MAX;

  explicit PositionIndex(KeyOf key_of, size_t expected = 0) : key_of_(std::move(key_of)) { Reserve(expected); }

  // Makes room for `count` keys in all, so that filing them never regrows the array.
  void Reserve(size_t count) {
    size_t capacity = 16;
    while (capacity < 2 * count) capacity *= 2;
    if (capacity > slots_.size()) Rehash(capacity);
  }

  // The position filed under `key`, or kNone.
  size_t Find(std::string_view key) const {
    if (slots_.empty()) return kNone;
    size_t hash = Hash(key);
    for (size_t i = hash & Mask();; i = (i + 1) & Mask()) {
      uint64_t slot = slots_[i];
      if (slot == 0) return kNone;
      if (Matches(slot, hash, key)) return PositionOf(slot);
    }
  }

  // The position already filed under `key`; when there is none, files `position` under it
  // and returns `position`. `key` must be key_of(position).
  size_t FindOrInsert(std::string_view key, size_t position) {
    if (2 * (size_ + 1) > slots_.size()) Rehash(slots_.empty() ? 16 : 2 * slots_.size());
    size_t hash = Hash(key);
    for (size_t i = hash & Mask();; i = (i + 1) & Mask()) {
      uint64_t slot = slots_[i];
      if (slot == 0) {
        slots_[i] = MakeSlot(hash, position);
        ++size_;
        return position;
      }
      if (Matches(slot, hash, key)) return PositionOf(slot);
    }
  }

  size_t size() const { return size_; }

 private:
  // A slot holds position + 1 in its low 40 bits (0 = empty) and the top 24 bits of the key's
  // hash above them; the low bits of the hash choose where probing starts.
  static constexpr int kPositionBits = 40;
  static constexpr uint64_t kPositionMask = (uint64_t{1} << kPositionBits) - 1;

  static size_t Hash(std::string_view key) { return std::hash<std::string_view>{}(key); }
  static uint64_t Tag(size_t hash) { return static_cast<uint64_t>(hash) >> kPositionBits; }
  static uint64_t MakeSlot(size_t hash, size_t position) {
    return (Tag(hash) << kPositionBits) | ((position + 1) & kPositionMask);
  }
  static size_t PositionOf(uint64_t slot) { return static_cast<size_t>((slot & kPositionMask) - 1); }
  size_t Mask() const { return slots_.size() - 1; }
  bool Matches(uint64_t slot, size_t hash, std::string_view key) const {
    return (slot >> kPositionBits) == Tag(hash) && key_of_(PositionOf(slot)) == key;
  }

  void Rehash(size_t capacity) {
    std::vector<uint64_t> old = std::exchange(slots_, std::vector<uint64_t>(capacity, 0));
    for (uint64_t slot : old) {
      if (slot == 0) continue;
      size_t i = Hash(key_of_(PositionOf(slot))) & Mask();
      while (slots_[i] != 0) i = (i + 1) & Mask();
      slots_[i] = slot;
    }
  }

  std::vector<uint64_t> slots_;
  size_t size_ = 0;
  KeyOf key_of_;
};

}  // namespace cxrvqa
