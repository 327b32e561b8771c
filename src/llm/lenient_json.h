// Lenient parsing of LLM answers that should contain one JSON object.
#pragma once

#include <string_view>

#include "common/json.h"
#include "common/status.h"

namespace cxrvqa::llm {

// The JSON object between the first '{' and the last '}' of `answer`; surrounding prose and
// code fences are ignored. Common slips are repaired: trailing commas, single-quoted strings,
// Python literals (None/True/False), // and /* */ comments, raw newlines inside strings,
// unbalanced closing brackets at the end. ParseError (with the reason, never the answer
// text) when no object can be recovered, or when it nests deeper than kMaxJsonDepth.
Result<Json> parse_llm_json(std::string_view answer);

}  // namespace cxrvqa::llm
