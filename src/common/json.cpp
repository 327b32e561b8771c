#include "common/json.h"

#include <string>

namespace cxrvqa {

bool json_nesting_exceeds(std::string_view text, size_t limit) {
  size_t depth = 0;
  bool exceeds = false;
  for_each_json_bracket(text, [&](char c, size_t) {
    if (c == '[' || c == '{') {
      exceeds = ++depth > limit;
    } else if (depth > 0) {
      --depth;
    }
    return !exceeds;
  });
  return exceeds;
}

std::string json_too_deep_message() {
  return "JSON nested deeper than " + std::to_string(kMaxJsonDepth) + " levels";
}

Result<Json> parse_json(std::string_view text) {
  if (json_nesting_exceeds(text)) return Status::ParseError(json_too_deep_message());
  Json value = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (value.is_discarded()) return Status::ParseError("not valid JSON");
  return value;
}

}  // namespace cxrvqa
