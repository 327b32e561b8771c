// PLACEHOLDER: replaced by the real LLM extraction branch.
#include "extract_llm.h"

#include <memory>
#include <vector>

#include "command.h"

namespace cxrvqa::app {

struct ExtractLlmOptions {};

ExtractLlmOptions& add_llm_extract_options(CLI::App& extract) {
  static ExtractLlmOptions options;  // placeholder only
  return options;
}

int run_llm_extract(const ExtractCommonOptions&, const ExtractLlmOptions&) {
  return fail("--extractor llm is not built yet");
}

}  // namespace cxrvqa::app
