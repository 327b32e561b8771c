// The JSON type used across cxrvqa: nlohmann's ordered_json, so that key order read from a
// file (e.g. the order of findings in a KeyInfo record) is kept; and the one bounded way to
// parse JSON text.
#pragma once

#include <cstddef>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/status.h"

namespace cxrvqa {
using Json = nlohmann::ordered_json;

// The deepest nesting of arrays and objects that cxrvqa reads. A KeyInfo record needs 4
// levels and a chat completion about 6; deeper text is refused before anything walks it,
// because printing, copying and comparing a JSON value recurse once per level.
inline constexpr size_t kMaxJsonDepth = 64;

// Calls `on_bracket(c, position)` for each bracket ('[', ']', '{', '}') of `text` that is not
// inside a double-quoted string, in order, until it returns false. Any text can be given.
template <typename OnBracket>
void for_each_json_bracket(std::string_view text, OnBracket on_bracket) {
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if ((c == '[' || c == '{' || c == ']' || c == '}') && !on_bracket(c, i)) {
      return;
    }
  }
}

// True when arrays and objects in `text` nest deeper than `limit` (brackets inside strings
// do not count). Any text can be given, valid JSON or not; the scan stops at the first
// level past the limit.
bool json_nesting_exceeds(std::string_view text, size_t limit = kMaxJsonDepth);

// `text` as one JSON value. ParseError "not valid JSON", or "JSON nested deeper than 64
// levels" (never the text itself).
Result<Json> parse_json(std::string_view text);

// The message of the ParseError for text nested deeper than kMaxJsonDepth.
std::string json_too_deep_message();

}  // namespace cxrvqa
