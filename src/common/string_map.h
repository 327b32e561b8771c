// Hash sets and maps keyed by std::string that look up std::string_view (or any string-like
// key) without building a std::string.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

namespace cxrvqa {

struct StringHash {
  using is_transparent = void;
  using transparent_key_equal = std::equal_to<>;  // the same, as oneTBB containers ask
  size_t operator()(std::string_view text) const { return std::hash<std::string_view>{}(text); }
};

using StringSet = std::unordered_set<std::string, StringHash, std::equal_to<>>;
template <typename Value>
using StringMap = std::unordered_map<std::string, Value, StringHash, std::equal_to<>>;

}  // namespace cxrvqa
