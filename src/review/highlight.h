// Internal to the review module: what to highlight in a report, found with the lexicon's
// phrase matcher (the one the rules extractor reads reports with).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/json.h"
#include "extract/phrase_matcher.h"
#include "keyinfo/keyinfo.h"
#include "lexicon/lexicon.h"

namespace cxrvqa::review_internal {

// A stretch of the report to highlight. A finding mention's class is the finding's status
// in the KeyInfo record (the record decides per finding, not per mention): "present",
// "uncertain", "negated", or "mentioned" when the record does not list it (e.g. a mention
// beside a device). Negation and uncertainty cue words are "negation" and "uncertainty".
struct HighlightSpan {
  uint32_t from = 0;  // byte offsets into the report text, [from, to)
  uint32_t to = 0;
  std::string kind;
  std::string finding;  // official name, for finding mentions
};

// The spans of `text`, in text order, not overlapping (the longest finding phrase wins;
// cues inside a finding phrase are dropped).
std::vector<HighlightSpan> highlight_spans(const PhraseMatcher& matcher, const Lexicon& lexicon,
                                           std::string_view text, const KeyInfo& record);

// [{"from":..,"to":..,"kind":..,"finding":..}, ...]
Json spans_to_json(const std::vector<HighlightSpan>& spans);

// The official names of the findings `text` names (questions and answers use them), in order
// of first mention, each once.
std::vector<std::string> findings_named(const PhraseMatcher& matcher, const Lexicon& lexicon,
                                        std::string_view text);

// The text cut at the spans: [{"text":..}, {"text":..,"kind":..,"finding":..}, ...], ready
// for the page (no offsets to convert). Spans outside the text or not on UTF-8 character
// boundaries are ignored.
Json text_segments(std::string_view text, const Json& spans);

}  // namespace cxrvqa::review_internal
