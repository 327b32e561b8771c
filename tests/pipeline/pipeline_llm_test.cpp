// `cxrvqa pipeline --extractor llm` on the demo corpus against the fake OpenAI-compatible
// server of tests/llm.
#include <gtest/gtest.h>

#include "followup/disagreement.h"
#include "keyinfo/keyinfo.h"
#include "lexicon/lexicon.h"
#include "llm/fake_server_process.h"
#include "pipeline/pipeline.h"
#include "test_util.h"

namespace cxrvqa {
namespace {

namespace fs = std::filesystem;

const fs::path kDemo = fs::path(CXRVQA_SOURCE_DIR) / "data" / "demo" / "mimic";

const std::vector<std::string> kLlmStages = {"extract_llm", "standardize_llm", "extract_rules",
                                             "followup",    "standardize",     "libraries",
                                             "questions",   "stats",           "report"};

fs::path write_llm_config(const testing::TempDir& dir, const testing::FakeLlmServer& server) {
  fs::path config = dir / "llm.toml";
  testing::write_text(config, "concurrency = 8\ntimeout_s = 10\njson_schema = \"off\"\n"
                              "cache = \"cache.sqlite\"\n\n[[endpoints]]\nkind = \"openai\"\n"
                              "base_url = \"" + server.base_url() + "\"\nmodel = \"fake\"\n");
  return config;
}

PipelineOptions llm_options(const testing::TempDir& dir, const fs::path& llm_config) {
  PipelineOptions options;
  options.corpus = CorpusKind::kMimic;
  options.reports = kDemo;
  options.metadata = kDemo / "mimic_all.csv";
  options.out_dir = dir / "out";
  options.min_count = 2;
  options.seed = 3;
  options.threads = 2;
  options.extractor = "llm";
  options.llm_config = llm_config;
  return options;
}

std::vector<std::string> stage_names(const PipelineSummary& report) {
  std::vector<std::string> names;
  for (const auto& stage : report.stages) names.push_back(stage.name);
  return names;
}

size_t count_skipped(const PipelineSummary& report) {
  size_t skipped = 0;
  for (const auto& stage : report.stages) skipped += stage.skipped ? 1 : 0;
  return skipped;
}

// Studies whose standardized LLM KeyInfo disagrees with the rules reference, from the files
// the pipeline kept.
size_t disagreeing_studies(const fs::path& out_dir, size_t* llm_studies) {
  std::vector<LineError> errors;
  auto llm = read_keyinfo_jsonl(out_dir / "keyinfo_llm.jsonl", errors);
  auto rules = read_keyinfo_jsonl(out_dir / "keyinfo_rules.jsonl", errors);
  auto lexicon = Lexicon::Load(std::nullopt);
  EXPECT_TRUE(llm.ok() && rules.ok() && lexicon.ok() && errors.empty());
  if (!llm.ok() || !rules.ok() || !lexicon.ok()) return 0;
  *llm_studies = llm->size();
  return scan_disagreements(*llm, *rules, FindingMatcher(*lexicon)).studies.size();
}

TEST(PipelineLlm, RunsEveryStageAndFollowsUpOnlyDisagreeingStudies) {
  testing::FakeLlmServer server;
  ASSERT_GT(server.port(), 0) << "fake_llm_server did not start";
  testing::TempDir dir;
  PipelineOptions options = llm_options(dir, write_llm_config(dir, server));

  auto report = RunPipeline(options);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(stage_names(*report), kLlmStages);
  EXPECT_EQ(count_skipped(*report), 0u);
  for (const char* file : {"keyinfo_llm_raw.jsonl", "keyinfo_llm.jsonl", "keyinfo_rules.jsonl",
                           "keyinfo_followup.jsonl", "keyinfo.jsonl", "questions.csv", "stats.json"}) {
    EXPECT_TRUE(fs::exists(options.out_dir / file)) << file;
  }
  EXPECT_GT(report->stages[6].counts["questions"].get<size_t>(), 0u);

  // Extraction asks once per study; the follow-up once per disagreeing study and no other.
  const Json& extract = report->stages[0].counts;
  const size_t extract_requests = extract["requests"].get<size_t>();
  EXPECT_EQ(extract_requests, extract["written"].get<size_t>());
  EXPECT_GT(extract_requests, 0u);
  size_t llm_studies = 0;
  const size_t disagreeing = disagreeing_studies(options.out_dir, &llm_studies);
  EXPECT_GT(disagreeing, 0u);
  EXPECT_LT(disagreeing, llm_studies);
  EXPECT_EQ(server.Requests(), extract_requests + disagreeing);
  EXPECT_EQ(report->stages[3].counts["requests"].get<size_t>(), disagreeing);
  EXPECT_EQ(report->stages[3].counts["written"].get<size_t>(), llm_studies);

  Json manifest = Json::parse(testing::read_text(options.out_dir / "manifest.json"));
  EXPECT_EQ(manifest["options"]["extractor"], "llm");
  EXPECT_EQ(manifest["stages"].size(), kLlmStages.size());

  // A second run skips every stage and asks nothing.
  const uint64_t requests = server.Requests();
  auto again = RunPipeline(options);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(count_skipped(*again), kLlmStages.size());
  EXPECT_EQ(server.Requests(), requests);

  // Forced, every stage runs again and every answer comes from the cache.
  options.force = true;
  auto forced = RunPipeline(options);
  ASSERT_TRUE(forced.ok()) << forced.status().ToString();
  EXPECT_EQ(count_skipped(*forced), 0u);
  EXPECT_EQ(server.Requests(), requests);
  EXPECT_EQ(forced->stages[0].counts["from_cache"], extract["written"]);
}

TEST(PipelineLlm, RulesStagesAreUnchangedByTheLlmOptions) {
  testing::TempDir dir;
  PipelineOptions options = llm_options(dir, dir / "absent.toml");
  options.extractor = "rules";
  options.min_count = 2;
  auto report = RunPipeline(options);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(stage_names(*report),
            (std::vector<std::string>{"extract", "standardize", "libraries", "questions", "stats", "report"}));
}

TEST(PipelineLlm, RefusesAnUnknownExtractorOrAMissingConfig) {
  testing::TempDir dir;
  PipelineOptions options = llm_options(dir, dir / "llm.toml");
  options.llm_config.reset();
  auto missing = RunPipeline(options);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("LLM config"), std::string::npos);
  EXPECT_FALSE(fs::exists(options.out_dir));
  options.extractor = "regex";
  auto unknown = RunPipeline(options);
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find("regex"), std::string::npos);
}

TEST(PipelineLlmConfig, ReadsTheLlmKeys) {
  testing::TempDir dir;
  testing::write_text(dir / "p.toml",
                      "reports = \"r\"\nextractor = \"llm\"\nllm_config = \"llm.toml\"\n"
                      "system_prompt = \"/prompts/sys.txt\"\nfollowup_rounds = 2\nper_finding = true\n");
  PipelineOptions options;
  Status status = apply_pipeline_config(dir / "p.toml", options);
  ASSERT_TRUE(status.ok()) << status.ToString();
  EXPECT_EQ(options.extractor, "llm");
  EXPECT_EQ(options.llm_config, dir / "llm.toml");
  EXPECT_EQ(options.system_prompt, fs::path("/prompts/sys.txt"));
  EXPECT_EQ(options.followup_rounds, 2);
  EXPECT_TRUE(options.per_finding);
  EXPECT_EQ(options.ToJson()["followup_rounds"], 2);

  testing::write_text(dir / "bad.toml", "extractor = \"gpt\"\n");
  Status bad = apply_pipeline_config(dir / "bad.toml", options);
  EXPECT_FALSE(bad.ok());
  EXPECT_NE(bad.message().find("extractor"), std::string::npos);
  testing::write_text(dir / "zero.toml", "followup_rounds = 0\n");
  EXPECT_FALSE(apply_pipeline_config(dir / "zero.toml", options).ok());
}

}  // namespace
}  // namespace cxrvqa
