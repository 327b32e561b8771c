// The lenient reader of LLM answers over any text, and what is built from what it accepts.
// Properties: an accepted answer is a JSON object that prints, and the raw KeyInfo line made
// from it is valid JSON of bounded depth.
#include "common/json.h"
#include "fuzz_input.h"
#include "llm/extraction.h"
#include "llm/lenient_json.h"

using namespace cxrvqa;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view answer = fuzz::as_text(data, size);
  auto parsed = llm::parse_llm_json(answer);
  bool accepted = llm::keyinfo_answer_check()(answer).empty();
  fuzz::require(accepted == parsed.ok(), "the answer check accepts what the reader parses");
  if (!parsed.ok()) return 0;
  fuzz::require(parsed->is_object(), "an accepted answer is an object");
  StudyMeta meta;
  meta.study_id = "50000001";
  std::string line = llm::raw_keyinfo_line(*parsed, meta);
  fuzz::require(parse_json(line).ok(), "the raw KeyInfo line is JSON");
  return 0;
}
