// End to end: the release presets on what the original programs produced, `compare`, the
// released question files in `stats`, and IU X-ray through the whole pipeline.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <iostream>
#include <map>
#include <set>

#include "corpus/metadata.h"
#include "questions/questions.h"
#include "stats/compare.h"
#include "test_util.h"

namespace cxrvqa {
namespace {

using testing::TempDir;
using testing::quoted;
using testing::read_text;
using testing::run_cxrvqa;
using testing::write_text;

#define CXRVQA_REQUIRE_SYNTHETIC_4000(var)                                                               \
  auto var##_opt = ::cxrvqa::testing::original_outputs_dir("synthetic_4000");                            \
  if (!var##_opt) GTEST_SKIP() << "../shared/reference/original_outputs/synthetic_4000 not found; skipped"; \
  const std::filesystem::path var = *var##_opt

std::string questions_args(const std::filesystem::path& original, const std::string& preset,
                           const std::filesystem::path& out) {
  return "questions --preset " + preset + " --keyinfo " + quoted(original / "all_diseases.json") + " --metadata " +
         quoted(original / "mimic_all.csv") + " --libraries " + quoted(original / "libs") + " --out " + quoted(out);
}

QuestionSetProfile profile(const std::filesystem::path& path) {
  std::vector<LineError> errors;
  auto read = profile_question_file(path, errors);
  EXPECT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_TRUE(errors.empty());
  return read.ok() ? *read : QuestionSetProfile();
}

// The fidelity check of the medical-cxr-vqa preset: the same all_diseases.json, metadata and
// frequency dictionaries the original generator read, its output beside ours.
TEST(Fidelity, MedicalCxrVqaPresetMatchesTheOriginalGenerator) {
  CXRVQA_REQUIRE_SYNTHETIC_4000(original);
  TempDir dir;
  std::string output;
  ASSERT_EQ(run_cxrvqa(questions_args(original, "medical-cxr-vqa", dir / "q.csv"), &output), 0) << output;
  QuestionComparison comparison = compare_question_sets(profile(dir / "q.csv"),
                                                        profile(original / "questions_original.csv"));
  std::cout << comparison.ToString();
  EXPECT_EQ(comparison.reference_total, 14379u);
  EXPECT_NEAR(static_cast<double>(comparison.total), 14379.0, 14379 * 0.03);
  EXPECT_LE(comparison.max_share_gap(), 2.0);
  EXPECT_LE(comparison.max_yes_no_gap({QuestionType::kPresence, QuestionType::kAbnormality, QuestionType::kView}), 3.0);
  EXPECT_TRUE(comparison.templates_only_in_questions().empty());
  EXPECT_TRUE(comparison.templates_only_in_reference().empty());
  EXPECT_EQ(comparison.unrecognized, 0u);
  EXPECT_EQ(comparison.reference_unrecognized, 0u);
  EXPECT_GE(comparison.answer_coverage, 90.0);
  EXPECT_GE(comparison.reference_answer_coverage, 90.0);
  EXPECT_GE(comparison.answer_jaccard(), 0.3);
  // The columns of the released file come first.
  std::string text = read_text(dir / "q.csv");
  EXPECT_EQ(text.substr(0, text.find('\n')), "study_id,subject_id,question_type,question,answer,dicom_id,split,ref_id,question_id");
}

TEST(Fidelity, CompareCommandPrintsTheFigures) {
  CXRVQA_REQUIRE_SYNTHETIC_4000(original);
  TempDir dir;
  ASSERT_EQ(run_cxrvqa(questions_args(original, "medical-cxr-vqa", dir / "q.csv")), 0);
  std::string output;
  ASSERT_EQ(run_cxrvqa("compare --questions " + quoted(dir / "q.csv") + " --reference " +
                           quoted(original / "questions_original.csv") + " --json",
                       &output),
            0)
      << output;
  auto json = nlohmann::json::parse(output);
  EXPECT_EQ(json["reference"]["total"], 14379);
  EXPECT_LE(json["max_share_gap"].get<double>(), 2.0);
  EXPECT_EQ(json["templates"].size(), 15u);
  ASSERT_EQ(run_cxrvqa("compare --questions " + quoted(dir / "q.csv") + " --reference " +
                           quoted(original / "questions_original.csv"),
                       &output),
            0);
  EXPECT_NE(output.find("templates only in reference: none"), std::string::npos) << output;
}

// The released 5-column file in `stats`.
TEST(Fidelity, StatsReadsTheReleasedFiveColumnFile) {
  CXRVQA_REQUIRE_SYNTHETIC_4000(original);
  std::string output;
  ASSERT_EQ(run_cxrvqa("stats --json --questions " + quoted(original / "questions_original.csv"), &output), 0) << output;
  auto json = nlohmann::json::parse(output.substr(output.find('{')));
  EXPECT_EQ(json["total"], 14379);
  EXPECT_EQ(json["per_type"]["abnormality"]["count"], 3485);
  EXPECT_EQ(json["per_type"]["view"]["count"], 2022);
}

// medical-diff-vqa on the released shapes: every row carries a reference that is strictly
// earlier than its study, every difference row too.
TEST(Fidelity, DiffVqaPresetReadsTheReleasedFilesAndPairsOnlyStrictlyEarlierStudies) {
  CXRVQA_REQUIRE_SYNTHETIC_4000(original);
  TempDir dir;
  std::string output;
  ASSERT_EQ(run_cxrvqa(questions_args(original, "medical-diff-vqa", dir / "q.csv"), &output), 0) << output;
  EXPECT_NE(output.find("0 lines skipped"), std::string::npos) << output;
  std::vector<CorpusIssue> issues;
  auto metadata = read_mimic_all(original / "mimic_all.csv", issues);
  ASSERT_TRUE(metadata.ok());
  std::map<std::string, const StudyRecord*> by_study;
  for (const StudyRecord& row : *metadata) by_study[row.study_id] = &row;
  std::vector<LineError> errors;
  auto questions = read_questions(dir / "q.csv", errors);
  ASSERT_TRUE(questions.ok());
  size_t differences = 0;
  std::set<QuestionType> types;
  for (const Question& q : *questions) {
    types.insert(q.type);
    ASSERT_FALSE(q.ref_id.empty());
    const StudyRecord& main = *by_study.at(q.study_id);
    const StudyRecord& reference = *by_study.at(q.ref_id);
    EXPECT_EQ(main.subject_id, reference.subject_id);
    EXPECT_GT(main.study_order, 0);
    EXPECT_LT(reference.study_order, main.study_order) << q.study_id << " vs " << q.ref_id;
    EXPECT_TRUE(is_frontal(view_kind(reference.view)));
    differences += q.type == QuestionType::kDifference;
  }
  EXPECT_EQ(types.size(), kQuestionTypeCount);
  EXPECT_GT(differences, 2000u);
  std::string text = read_text(dir / "q.csv");
  EXPECT_EQ(text.substr(0, text.find('\n')), "study_id,subject_id,ref_id,question_type,question,answer,dicom_id,split,question_id");
}

// The default preset reads the same files unchanged; its references are strictly earlier too.
TEST(Fidelity, DefaultPresetReadsTheReleasedFiles) {
  CXRVQA_REQUIRE_SYNTHETIC_4000(original);
  TempDir dir;
  std::string output;
  ASSERT_EQ(run_cxrvqa(questions_args(original, "cxrvqa", dir / "q.csv"), &output), 0) << output;
  EXPECT_NE(output.find("4000 records (0 lines skipped"), std::string::npos) << output;
  EXPECT_NE(output.find("3729 frontal"), std::string::npos) << output;
}

// ---- IU X-ray end to end -----------------------------------------------------------------

std::map<QuestionType, size_t> types_in(const std::filesystem::path& questions) {
  std::vector<LineError> errors;
  auto read = read_questions(questions, errors);
  std::map<QuestionType, size_t> counts;
  if (read.ok()) {
    for (const Question& q : *read) ++counts[q.type];
  }
  return counts;
}

TEST(IuXray, PipelineWritesAllSixTypesFromTheReportsAlone) {
  CXRVQA_REQUIRE_SHARED_DATA(data);
  TempDir dir;
  std::string output;
  ASSERT_EQ(run_cxrvqa("pipeline --corpus iu --reports " + quoted(data / "iu_xray" / "iu_reports_dev.csv") +
                           " --out-dir " + quoted(dir / "out"),
                       &output),
            0)
      << output;
  EXPECT_NE(output.find("without image information"), std::string::npos) << output;
  std::map<QuestionType, size_t> counts = types_in(dir / "out" / "questions.csv");
  for (QuestionType type : {QuestionType::kAbnormality, QuestionType::kPresence, QuestionType::kView,
                            QuestionType::kLocation, QuestionType::kLevel, QuestionType::kType}) {
    EXPECT_GT(counts[type], 20u) << question_type_name(type);
  }
  auto manifest = nlohmann::json::parse(read_text(dir / "out" / "manifest.json"));
  ASSERT_EQ(manifest["warnings"].size(), 1u);
  EXPECT_NE(manifest["warnings"][0].get<std::string>().find("2575 studies"), std::string::npos);
  std::set<std::string> splits;
  std::vector<CorpusIssue> issues;
  auto metadata = read_mimic_all(dir / "out" / "metadata.csv", issues);
  ASSERT_TRUE(metadata.ok());
  for (const StudyRecord& row : *metadata) splits.insert(row.split);
  EXPECT_EQ(splits, (std::set<std::string>{"train", "validate", "test"}));
}

// A small projections table: the frontal image it lists is the one asked about, a report
// with a lateral image only gets no question.
TEST(IuXray, ProjectionsDecideWhichReportsAreFrontalAndWhichImage) {
  TempDir dir;
  std::string csv = "uid,MeSH,Problems,image,indication,comparison,findings,impression\n";
  std::string projections = "uid,filename,projection\n";
  for (int uid = 1; uid <= 60; ++uid) {
    std::string finding = uid % 3 == 0 ? "Small left pleural effusion." : "Mild cardiomegaly. Patchy right lower lobe atelectasis.";
    csv += std::to_string(uid) + ",x,x,Xray Chest PA and Lateral,,,\"" + finding + " No pneumothorax.\",Findings.\n";
    projections += std::to_string(uid) + "," + std::to_string(uid) + "_lat.png,Lateral\n";
    if (uid % 10 != 0) projections += std::to_string(uid) + "," + std::to_string(uid) + "_front.png,Frontal\n";
  }
  write_text(dir / "iu.csv", csv);
  write_text(dir / "projections.csv", projections);
  std::string output;
  ASSERT_EQ(run_cxrvqa("pipeline --corpus iu --reports " + quoted(dir / "iu.csv") + " --projections " +
                           quoted(dir / "projections.csv") + " --min-count 1 --out-dir " + quoted(dir / "out"),
                       &output),
            0)
      << output;
  EXPECT_EQ(output.find("without image information"), std::string::npos) << output;
  std::vector<LineError> errors;
  auto questions = read_questions(dir / "out" / "questions.csv", errors);
  ASSERT_TRUE(questions.ok());
  std::set<std::string> studies;
  for (const Question& q : *questions) {
    EXPECT_EQ(q.dicom_id, q.study_id + "_front.png");
    EXPECT_NE(std::stoi(q.study_id) % 10, 0) << "lateral only: " << q.study_id;
    studies.insert(q.study_id);
  }
  EXPECT_EQ(studies.size(), 54u);
  auto manifest = nlohmann::json::parse(read_text(dir / "out" / "manifest.json"));
  EXPECT_TRUE(manifest["warnings"].empty());
}

TEST(IuXray, ARunThatWouldWriteNoQuestionSaysWhy) {
  TempDir dir;
  write_text(dir / "iu.csv", "uid,image,findings,impression\n1,PA,No acute disease.,Normal.\n");
  write_text(dir / "projections.csv", "uid,filename,projection\n1,1_lat.png,Lateral\n");
  std::string output;
  EXPECT_NE(run_cxrvqa("pipeline --corpus iu --reports " + quoted(dir / "iu.csv") + " --projections " +
                           quoted(dir / "projections.csv") + " --out-dir " + quoted(dir / "out"),
                       &output),
            0);
  EXPECT_NE(output.find("no questions to write"), std::string::npos) << output;
  EXPECT_NE(output.find("frontal"), std::string::npos) << output;
  EXPECT_FALSE(std::filesystem::exists(dir / "out" / "questions.csv"));
}

TEST(R2Gen, PipelineReadsAnnotationJson) {
  TempDir dir;
  std::string entries;
  for (int i = 0; i < 40; ++i) {
    if (i > 0) entries += ",";
    entries += "{\"id\": \"CXR" + std::to_string(i) + "_IM-0001\", \"report\": \"" +
               std::string(i % 2 ? "Moderate left pleural effusion. " : "Mild cardiomegaly. ") +
               "No pneumothorax.\", \"image_path\": [\"CXR" + std::to_string(i) + "_IM-0001/0.png\"], \"split\": \"" +
               (i < 30 ? "train" : "test") + "\"}";
  }
  write_text(dir / "annotation.json", "{\"train\": [" + entries + "], \"val\": [], \"test\": []}");
  std::string output;
  ASSERT_EQ(run_cxrvqa("pipeline --corpus r2gen --reports " + quoted(dir / "annotation.json") +
                           " --min-count 1 --out-dir " + quoted(dir / "out"),
                       &output),
            0)
      << output;
  std::vector<LineError> errors;
  auto questions = read_questions(dir / "out" / "questions.csv", errors);
  ASSERT_TRUE(questions.ok());
  EXPECT_GT(questions->size(), 100u);
  std::set<std::string> splits;
  for (const Question& q : *questions) splits.insert(q.split);
  EXPECT_EQ(splits, (std::set<std::string>{"train", "test"}));  // the annotation's own splits
}

}  // namespace
}  // namespace cxrvqa
