// A thread-safe memo for a pure function of a text: each result is computed once per key and
// kept while the memo lives. Past `capacity` keys, results are computed but no longer kept,
// so memory stays bounded on corpora with an unbounded variety of texts.
#pragma once

#include <atomic>
#include <cstddef>
#include <string>
#include <string_view>

#include <oneapi/tbb/concurrent_unordered_map.h>

#include "common/string_map.h"

namespace cxrvqa {

template <typename Value>
class TextMemo {
 public:
  explicit TextMemo(size_t capacity = kDefaultCapacity) : capacity_(capacity) {}
  TextMemo(const TextMemo&) = delete;
  TextMemo& operator=(const TextMemo&) = delete;

  // The result for `key`: the kept one, or `compute(key, scratch)` written into `scratch`
  // (then kept when there is room). The reference stays valid while the memo and `scratch` live.
  template <typename Compute>
  const Value& Get(std::string_view key, Value& scratch, Compute&& compute) const {
    if (auto it = kept_.find(key); it != kept_.end()) return it->second;
    scratch = Value();
    compute(key, scratch);
    if (size_.load(std::memory_order_relaxed) >= capacity_) return scratch;
    auto [it, inserted] = kept_.emplace(std::string(key), scratch);
    if (inserted) size_.fetch_add(1, std::memory_order_relaxed);
    return it->second;
  }

  size_t size() const { return size_.load(std::memory_order_relaxed); }

  static constexpr size_t kDefaultCapacity = size_t{1} << 16;

 private:
  size_t capacity_;
  mutable tbb::concurrent_unordered_map<std::string, Value, StringHash, std::equal_to<>> kept_;
  mutable std::atomic<size_t> size_{0};
};

}  // namespace cxrvqa
