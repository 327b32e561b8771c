// The TOML readers: the LLM configuration and the pipeline configuration over any text.
// Properties: an accepted LLM configuration has endpoints and numbers within their ranges,
// and its receiving hosts can be checked; an accepted pipeline configuration has questions
// options in range.
#include <cmath>

#include "fuzz_input.h"
#include "llm/config.h"
#include "llm/governance.h"
#include "pipeline/pipeline.h"

using namespace cxrvqa;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text = fuzz::as_text(data, size);
  auto config = llm::parse_llm_config(text, "fuzz.toml", "/tmp");
  if (config.ok()) {
    fuzz::require(!config->endpoints.empty(), "a configuration has endpoints");
    fuzz::require(std::isfinite(config->timeout_s) && config->timeout_s > 0 && config->timeout_s <= 86400,
                  "timeout_s in range");
    fuzz::require(std::isfinite(config->backoff_initial_s) && std::isfinite(config->backoff_max_s) &&
                      std::isfinite(config->max_retry_after_s) && std::isfinite(config->temperature),
                  "numbers finite");
    fuzz::require(config->concurrency >= 1 && config->max_answer_bytes >= 1024, "counts in range");
    auto hosts = llm::check_receiving_hosts(*config);
    fuzz::require(hosts.ok() ? !hosts->empty() : !hosts.status().message().empty(),
                  "an allowed configuration has a receiving host; a refused one says why");
  }
  PipelineOptions options;
  if (apply_pipeline_config_text(text, "/tmp/fuzz.toml", options).ok()) {
    fuzz::require(!options.ap_keep_rate || (*options.ap_keep_rate >= 0 && *options.ap_keep_rate <= 1),
                  "ap_keep_rate in [0, 1]");
    fuzz::require(options.per_type >= 1, "per_type at least 1");
  }
  return 0;
}
