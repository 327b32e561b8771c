// The JSON type used across cxrvqa: nlohmann's ordered_json, so that key order read from a
// file (e.g. the order of findings in a KeyInfo record) is kept.
#pragma once

#include <nlohmann/json.hpp>

namespace cxrvqa {
using Json = nlohmann::ordered_json;
}  // namespace cxrvqa
