#include "pipeline/pipeline.h"

#include <gtest/gtest.h>

#include "common/file_io.h"
#include "pipeline_fixtures.h"
#include "test_util.h"

namespace cxrvqa {
namespace {

namespace fs = std::filesystem;

using testing::demo_options;

// The demo corpus copied into `dir`, so a test may change it.
fs::path copy_demo(const testing::TempDir& dir) {
  fs::copy(testing::kDemoCorpus, dir / "corpus", fs::copy_options::recursive);
  return dir / "corpus";
}

std::vector<bool> skipped(const PipelineSummary& report) {
  std::vector<bool> flags;
  for (const auto& stage : report.stages) flags.push_back(stage.skipped);
  return flags;
}

TEST(Pipeline, RunsEveryStageAndWritesAManifest) {
  testing::TempDir dir;
  auto report = RunPipeline(demo_options(copy_demo(dir), dir / "out"));
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  ASSERT_EQ(report->stages.size(), 6u);
  for (const char* file : {"keyinfo_raw.jsonl", "keyinfo.jsonl", "libraries/entity_dict.json",
                           "questions.csv", "stats.txt", "stats.json", "report.html", "manifest.json"}) {
    EXPECT_TRUE(fs::exists(dir / "out" / file)) << file;
  }
  EXPECT_GT(report->stages[3].counts["questions"].get<size_t>(), 0u);
  Json manifest = Json::parse(testing::read_text(dir / "out" / "manifest.json"));
  EXPECT_EQ(manifest["seed"], 3);
  EXPECT_EQ(manifest["stages"].size(), 6u);
  bool has_metadata_hash = false;
  for (const auto& input : manifest["inputs"]) {
    if (input["path"].get<std::string>().find("mimic_all.csv") != std::string::npos) {
      has_metadata_hash = input["sha256"].get<std::string>().size() == 64;
    }
  }
  EXPECT_TRUE(has_metadata_hash);
  EXPECT_EQ(manifest["stages"][3]["outputs"]["questions.csv"]["sha256"].get<std::string>().size(), 64u);
}

TEST(Pipeline, SkipsStagesWhoseInputsDidNotChange) {
  testing::TempDir dir;
  fs::path corpus = copy_demo(dir);
  PipelineOptions options = demo_options(corpus, dir / "out");
  ASSERT_TRUE(RunPipeline(options).ok());
  std::string questions = testing::read_text(dir / "out" / "questions.csv");

  auto again = RunPipeline(options);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(skipped(*again), std::vector<bool>(6, true));
  EXPECT_EQ(testing::read_text(dir / "out" / "questions.csv"), questions);

  // A forced run does every stage again (fingerprinting them while they run) and records the
  // fingerprints a plain run computes first.
  options.force = true;
  auto forced = RunPipeline(options);
  ASSERT_TRUE(forced.ok());
  EXPECT_EQ(skipped(*forced), std::vector<bool>(6, false));
  options.force = false;
  auto after_force = RunPipeline(options);
  ASSERT_TRUE(after_force.ok());
  EXPECT_EQ(skipped(*after_force), std::vector<bool>(6, true));

  // A new seed re-runs questions, stats and the report only.
  options.seed = 4;
  auto reseeded = RunPipeline(options);
  ASSERT_TRUE(reseeded.ok());
  EXPECT_EQ(skipped(*reseeded), (std::vector<bool>{true, true, true, false, false, false}));
  // Those three ran with another setup (their options changed), fingerprinted while they
  // ran; the fingerprints recorded are the ones the next run computes.
  auto after_reseed = RunPipeline(options);
  ASSERT_TRUE(after_reseed.ok());
  EXPECT_EQ(skipped(*after_reseed), std::vector<bool>(6, true));

  // A deleted output re-runs the stage that writes it (and what reads it, if it changed).
  fs::remove(dir / "out" / "keyinfo.jsonl");
  auto repaired = RunPipeline(options);
  ASSERT_TRUE(repaired.ok());
  EXPECT_FALSE(repaired->stages[1].skipped);
  EXPECT_TRUE(repaired->stages[0].skipped);
}

TEST(Pipeline, ChangedReportReRunsExtraction) {
  testing::TempDir dir;
  fs::path corpus = copy_demo(dir);
  PipelineOptions options = demo_options(corpus, dir / "out");
  ASSERT_TRUE(RunPipeline(options).ok());
  fs::path some_report;
  for (const auto& entry : fs::recursive_directory_iterator(corpus / "files")) {
    if (entry.path().extension() == ".txt") some_report = entry.path();
  }
  ASSERT_FALSE(some_report.empty());
  testing::write_text(some_report, "FINDINGS: Large right pleural effusion.\nIMPRESSION: Effusion.\n");
  auto again = RunPipeline(options);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->stages[0].skipped);
}

TEST(PipelineConfig, ReadsTomlAndResolvesRelativePaths) {
  testing::TempDir dir;
  testing::write_text(dir / "p.toml",
                      "corpus = \"iu\"\nreports = \"reports.csv\"\nout_dir = \"out\"\nseed = 11\n"
                      "min_count = 3\nformat = \"jsonl\"\nap_keep_rate = 0.5\n");
  PipelineOptions options;
  ASSERT_TRUE(apply_pipeline_config(dir / "p.toml", options).ok());
  EXPECT_EQ(options.corpus, CorpusKind::kIu);
  EXPECT_EQ(options.reports, dir / "reports.csv");
  EXPECT_EQ(options.out_dir, dir / "out");
  EXPECT_EQ(options.seed, 11u);
  EXPECT_EQ(options.min_count, 3u);
  EXPECT_EQ(options.format, QuestionFormat::kJsonl);
  EXPECT_EQ(options.ap_keep_rate, 0.5);
  EXPECT_EQ(options.preset, QuestionPreset::kCxrvqa);
  EXPECT_FALSE(options.projections.has_value());
}

TEST(PipelineConfig, ReadsThePresetAndTheProjections) {
  testing::TempDir dir;
  testing::write_text(dir / "p.toml",
                      "corpus = \"iu\"\nreports = \"r.csv\"\nprojections = \"indiana_projections.csv\"\n"
                      "preset = \"medical-diff-vqa\"\n");
  PipelineOptions options;
  ASSERT_TRUE(apply_pipeline_config(dir / "p.toml", options).ok());
  EXPECT_EQ(options.preset, QuestionPreset::kMedicalDiffVqa);
  EXPECT_EQ(options.projections, dir / "indiana_projections.csv");
  EXPECT_EQ(options.ToJson()["preset"], "medical-diff-vqa");
  testing::write_text(dir / "bad.toml", "preset = \"medical-vqa\"\n");
  Status bad = apply_pipeline_config(dir / "bad.toml", options);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.message().find("medical-cxr-vqa"), std::string::npos) << bad.message();
}

// The preset decides the questions stage only: a change re-runs questions, stats and report.
TEST(Pipeline, PresetRunsOnTheDemoCorpusAndReRunsOnlyQuestions) {
  testing::TempDir dir;
  PipelineOptions options = demo_options(copy_demo(dir), dir / "out");
  ASSERT_TRUE(RunPipeline(options).ok());
  options.preset = QuestionPreset::kMedicalCxrVqa;
  options.min_count = 1;
  auto cxr = RunPipeline(options);
  ASSERT_TRUE(cxr.ok()) << cxr.status().ToString();
  EXPECT_EQ(skipped(*cxr), (std::vector<bool>{true, true, true, false, false, false}));
  EXPECT_GT(cxr->stages[3].counts["questions"].get<size_t>(), 10u);
  EXPECT_EQ(cxr->stages[3].counts["per_type"]["difference"], 0);
  options.preset = QuestionPreset::kMedicalDiffVqa;
  auto diff = RunPipeline(options);
  ASSERT_TRUE(diff.ok()) << diff.status().ToString();
  EXPECT_GT(diff->stages[3].counts["per_type"]["difference"].get<size_t>(), 0u);
  std::string text = testing::read_text(dir / "out" / "questions.csv");
  EXPECT_EQ(text.substr(0, text.find('\n')), "study_id,subject_id,ref_id,question_type,question,answer,dicom_id,split,question_id");
  Json manifest = Json::parse(testing::read_text(dir / "out" / "manifest.json"));
  EXPECT_EQ(manifest["options"]["preset"], "medical-diff-vqa");
}

TEST(PipelineConfig, NamesUnknownKeysAndBadSyntax) {
  testing::TempDir dir;
  testing::write_text(dir / "unknown.toml", "reports = \"x\"\nsede = 3\n");
  PipelineOptions options;
  Status unknown = apply_pipeline_config(dir / "unknown.toml", options);
  EXPECT_FALSE(unknown.ok());
  EXPECT_NE(unknown.message().find("unknown key 'sede'"), std::string::npos);
  testing::write_text(dir / "broken.toml", "reports = \n");
  Status broken = apply_pipeline_config(dir / "broken.toml", options);
  EXPECT_FALSE(broken.ok());
  EXPECT_NE(broken.message().find("broken.toml:1"), std::string::npos);
}

}  // namespace
}  // namespace cxrvqa
