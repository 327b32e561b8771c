#include <gtest/gtest.h>

#include <map>
#include <set>

#include "common/hash.h"
#include "corpus/metadata.h"
#include "synth/synth.h"
#include "test_util.h"

namespace cxrvqa {
namespace {

// Every file under `root`, relative path -> content hash.
std::map<std::string, std::string> tree_digest(const std::filesystem::path& root) {
  std::map<std::string, std::string> digest;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
    if (!entry.is_regular_file()) continue;
    digest[std::filesystem::relative(entry.path(), root).string()] =
        sha256_hex(testing::read_text(entry.path()));
  }
  return digest;
}

class SynthTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SynthOptions options;
    options.studies = 400;
    options.seed = 3;
    options.threads = 1;
    auto summary = write_synthetic_corpus(dir_ / "a", options);
    ASSERT_TRUE(summary.ok()) << summary.status().ToString();
    summary_ = *summary;
    std::vector<CorpusIssue> issues;
    auto rows = read_mimic_all(dir_ / "a" / "mimic_all.csv", issues);
    ASSERT_TRUE(rows.ok());
    EXPECT_TRUE(issues.empty());
    rows_ = *rows;
  }
  testing::TempDir dir_;
  SynthSummary summary_;
  std::vector<StudyRecord> rows_;
};

TEST_F(SynthTest, WritesTheRequestedStudiesInMimicLayout) {
  EXPECT_EQ(summary_.studies, 400u);
  ASSERT_EQ(rows_.size(), 400u);
  EXPECT_GT(summary_.subjects, 60u);
  EXPECT_LT(summary_.subjects, 200u);
  for (const StudyRecord& row : rows_) {
    auto file = dir_ / "a" / "files" / ("p" + row.subject_id.substr(0, 2)) / ("p" + row.subject_id) /
                ("s" + row.study_id + ".txt");
    ASSERT_TRUE(std::filesystem::exists(file)) << file;
  }
}

TEST_F(SynthTest, OrdersDatesSplitsAndViewsAreConsistent) {
  std::map<std::string, std::vector<const StudyRecord*>> by_subject;
  std::set<std::string> views, splits;
  for (const StudyRecord& row : rows_) {
    by_subject[row.subject_id].push_back(&row);
    views.insert(row.view);
    splits.insert(row.split);
    EXPECT_EQ(row.study_date.size(), 8u);
  }
  EXPECT_EQ(views, (std::set<std::string>{"antero-posterior", "postero-anterior", "lateral"}));
  EXPECT_EQ(splits, (std::set<std::string>{"train", "validate", "test"}));
  size_t against_file_order = 0;
  for (const auto& [subject, studies] : by_subject) {
    std::map<int, std::string> dates;
    for (size_t i = 0; i < studies.size(); ++i) {
      EXPECT_EQ(studies[i]->split, studies[0]->split);
      dates[studies[i]->study_order] = studies[i]->study_date;
      if (i > 0 && studies[i]->study_order < studies[i - 1]->study_order) ++against_file_order;
    }
    EXPECT_EQ(dates.size(), studies.size());  // orders 1..n, distinct
    std::string previous;
    for (const auto& [order, date] : dates) {
      EXPECT_GT(date, previous);
      previous = date;
    }
  }
  EXPECT_GT(against_file_order, 10u);
}

TEST_F(SynthTest, ReportsHaveSectionsPositivesNegationsAndDevices) {
  size_t findings = 0, impression_only = 0, negated = 0, uncertain = 0, devices = 0;
  for (const StudyRecord& row : rows_) {
    std::string text = testing::read_text(dir_ / "a" / "files" / ("p" + row.subject_id.substr(0, 2)) /
                                          ("p" + row.subject_id) / ("s" + row.study_id + ".txt"));
    ASSERT_NE(text.find("FINAL REPORT"), std::string::npos);
    bool has_findings = text.find(" FINDINGS:") != std::string::npos;
    findings += has_findings;
    impression_only += !has_findings && text.find(" IMPRESSION:") != std::string::npos;
    negated += text.find(" no ") != std::string::npos || text.find(" No ") != std::string::npos;
    uncertain += text.find("cannot be excluded") != std::string::npos || text.find("Possible ") != std::string::npos;
    devices += text.find("tube") != std::string::npos || text.find("catheter") != std::string::npos;
    EXPECT_EQ(text.find('{'), std::string::npos) << "unfilled slot";
  }
  EXPECT_GT(findings, 300u);
  EXPECT_GT(impression_only, 10u);
  EXPECT_GT(negated, 300u);
  EXPECT_GT(uncertain, 20u);
  EXPECT_GT(devices, 40u);
}

TEST_F(SynthTest, SameSeedSameBytesWhateverTheThreads) {
  SynthOptions options;
  options.studies = 400;
  options.seed = 3;
  options.threads = 4;
  ASSERT_TRUE(write_synthetic_corpus(dir_ / "b", options).ok());
  EXPECT_EQ(tree_digest(dir_ / "a"), tree_digest(dir_ / "b"));
  options.seed = 4;
  ASSERT_TRUE(write_synthetic_corpus(dir_ / "c", options).ok());
  EXPECT_NE(tree_digest(dir_ / "a"), tree_digest(dir_ / "c"));
}

TEST(Synth, BadTemplateFileIsReportedWithItsLine) {
  testing::TempDir dir;
  testing::write_text(dir / "t" / "synth_findings.csv",
                      "finding,positive_weight,negative_weight,uncertain_weight,locations,regions,levels,types\n"
                      "edema,1,1,1,,,,\nbad,x,1,1,,,,\n");
  testing::write_text(dir / "t" / "synth_sentences.csv", "kind,template\npositive,{Finding}.\n");
  SynthOptions options;
  options.studies = 5;
  options.templates = dir / "t";
  auto result = write_synthetic_corpus(dir / "out", options);
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.status().message().find("synth_findings.csv:3"), std::string::npos)
      << result.status().message();
}

}  // namespace
}  // namespace cxrvqa
