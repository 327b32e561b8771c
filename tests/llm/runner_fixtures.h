// What the ChatRunner tests share: the configuration they start from (one endpoint, quick
// retries, no schema) and a run that collects every outcome.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "llm/chat.h"
#include "llm/config.h"
#include "llm/extraction.h"

namespace cxrvqa::testing {

inline llm::LlmConfig test_llm_config(const std::string& base_url, const std::filesystem::path& cache) {
  llm::LlmConfig config;
  llm::EndpointConfig endpoint;
  endpoint.base_url = base_url;
  endpoint.model = "fake";
  config.endpoints.push_back(endpoint);
  config.cache = cache;
  config.concurrency = 32;
  config.timeout_s = 2;
  config.max_retries = 10;
  config.backoff_initial_s = 0.005;
  config.backoff_max_s = 0.05;
  config.json_schema = llm::JsonSchemaMode::kOff;
  return config;
}

struct RunResult {
  Status status;
  std::map<std::string, std::vector<llm::ChatOutcome>> by_id;  // outcomes delivered per job id
  llm::UsageTotals totals;
};

// Runs `jobs` through a new runner with the KeyInfo answer check.
inline RunResult run(const llm::LlmConfig& config, const std::vector<llm::ChatJob>& jobs) {
  RunResult result;
  auto runner = llm::ChatRunner::Create(config);
  EXPECT_TRUE(runner.ok()) << runner.status().ToString();
  if (!runner.ok()) return result;
  result.status = (*runner)->Run(
      jobs, [&](const llm::ChatOutcome& outcome) { result.by_id[outcome.id].push_back(outcome); },
      llm::keyinfo_answer_check());
  result.totals = (*runner)->totals();
  return result;
}

}  // namespace cxrvqa::testing
