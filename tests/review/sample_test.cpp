// The stratified draw and `review sample` on a hand-made dataset.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>

#include "review/review.h"
#include "review/review_db.h"
#include "review/sampling.h"
#include "review_test_util.h"

namespace cxrvqa {
namespace {

using review_internal::draw_stratified;
using review_internal::DrawnStudy;
using review_internal::ReviewDb;
using review_internal::SampleCandidate;
using testing::TempDir;

constexpr uint32_t bit(QuestionType type) { return 1u << static_cast<unsigned>(type); }

// 100 studies with abnormality, presence and view questions; of them, disjoint groups also
// have difference (0-2), type (3-7), level (8-17) and location (18-47) questions.
std::vector<SampleCandidate> candidates() {
  std::vector<SampleCandidate> out;
  for (int i = 0; i < 100; ++i) {
    uint32_t types = bit(QuestionType::kAbnormality) | bit(QuestionType::kPresence) | bit(QuestionType::kView);
    if (i < 3) types |= bit(QuestionType::kDifference);
    else if (i < 8) types |= bit(QuestionType::kType);
    else if (i < 18) types |= bit(QuestionType::kLevel);
    else if (i < 48) types |= bit(QuestionType::kLocation);
    out.push_back({"s" + std::to_string(i), types});
  }
  return out;
}

std::map<QuestionType, size_t> per_stratum(const std::vector<DrawnStudy>& drawn) {
  std::map<QuestionType, size_t> counts;
  for (const auto& study : drawn) ++counts[study.stratum];
  return counts;
}

TEST(DrawStratified, EveryTypeGetsItsShare) {
  auto drawn = draw_stratified(candidates(), 14, std::nullopt, 1);
  ASSERT_EQ(drawn.size(), 14u);
  for (const auto& [type, count] : per_stratum(drawn)) EXPECT_EQ(count, 2u) << question_type_name(type);
  EXPECT_EQ(per_stratum(drawn).size(), kQuestionTypeCount);
  std::set<std::string> ids;
  for (const auto& study : drawn) ids.insert(study.study_id);
  EXPECT_EQ(ids.size(), 14u);
}

TEST(DrawStratified, ShortTypesPassTheirShareOnRarestFirst) {
  // 40 over 7 types: 5 each and one more for the five rarest (difference, type, level,
  // location, then abnormality by type order). Difference has 3 studies (3 passed on), type
  // has 5 (6 + 3 wanted: 4 passed on), level takes 10 (6 + 4).
  auto counts = per_stratum(draw_stratified(candidates(), 40, std::nullopt, 9));
  EXPECT_EQ(counts[QuestionType::kDifference], 3u);
  EXPECT_EQ(counts[QuestionType::kType], 5u);
  EXPECT_EQ(counts[QuestionType::kLevel], 10u);
  EXPECT_EQ(counts[QuestionType::kLocation], 6u);
  EXPECT_EQ(counts[QuestionType::kAbnormality], 6u);
  EXPECT_EQ(counts[QuestionType::kPresence], 5u);
  EXPECT_EQ(counts[QuestionType::kView], 5u);
}

TEST(DrawStratified, PerTypeTakesUpToNOfEachType) {
  auto drawn = draw_stratified(candidates(), 0, 4, 3);
  auto counts = per_stratum(drawn);
  EXPECT_EQ(counts[QuestionType::kDifference], 3u);
  for (QuestionType type : {QuestionType::kType, QuestionType::kLevel, QuestionType::kLocation,
                            QuestionType::kAbnormality, QuestionType::kPresence, QuestionType::kView}) {
    EXPECT_EQ(counts[type], 4u) << question_type_name(type);
  }
  EXPECT_EQ(drawn.size(), 27u);
}

TEST(DrawStratified, SeededAndIndependentOfCandidateOrder) {
  auto list = candidates();
  auto drawn = draw_stratified(list, 20, std::nullopt, 42);
  std::shuffle(list.begin(), list.end(), std::mt19937(7));
  auto again = draw_stratified(list, 20, std::nullopt, 42);
  ASSERT_EQ(drawn.size(), again.size());
  for (size_t i = 0; i < drawn.size(); ++i) {
    EXPECT_EQ(drawn[i].study_id, again[i].study_id);
    EXPECT_EQ(drawn[i].stratum, again[i].stratum);
  }
  auto other = draw_stratified(candidates(), 20, std::nullopt, 43);
  bool same = true;
  for (size_t i = 0; i < drawn.size(); ++i) same = same && drawn[i].study_id == other[i].study_id;
  EXPECT_FALSE(same);
}

TEST(DrawStratified, ReviewOrderMixesTheTypes) {
  auto drawn = draw_stratified(candidates(), 14, std::nullopt, 5);
  std::vector<QuestionType> first_half;
  for (size_t i = 0; i < 7; ++i) first_half.push_back(drawn[i].stratum);
  std::sort(first_half.begin(), first_half.end());
  EXPECT_GE(std::unique(first_half.begin(), first_half.end()) - first_half.begin(), 3);
}

TEST(ReviewSample, StoresEverythingThePageNeeds) {
  TempDir dir;
  ReviewSampleOptions options = testing::hand_sample_options(dir.path());
  options.seed = 3;
  auto summary = RunReviewSample(options);
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  EXPECT_EQ(summary->studies, 4u);
  EXPECT_EQ(summary->items, 13u);
  EXPECT_EQ(summary->references, 1u);
  EXPECT_EQ(summary->without_text, 1u);     // S6
  EXPECT_EQ(summary->without_keyinfo, 1u);  // S5
  EXPECT_EQ(summary->candidate_studies, 4u);
  EXPECT_EQ(summary->items_per_type.at("abnormality"), 3u);
  EXPECT_EQ(summary->items_per_type.at("difference"), 1u);
  EXPECT_NE(summary->ToString().find("4 studies (13 question-answer pairs, 1 reference reports)"), std::string::npos)
      << summary->ToString();

  auto db = ReviewDb::Open(options.db);
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  ASSERT_EQ(*(*db)->StudyCount(), 4u);
  std::map<std::string, review_internal::StoredStudy> studies;
  for (int position = 1; position <= 4; ++position) {
    auto study = (*db)->StudyAt(position);
    ASSERT_TRUE(study.ok());
    studies[study->study_id] = *study;
  }
  const auto& s2 = studies.at("S2");
  EXPECT_EQ(s2.report_text, "Mild cardiomegaly. Possible pneumonia.");
  EXPECT_EQ(s2.ref_id, "R2");
  EXPECT_EQ(s2.ref_report_text, "No pleural effusion. Heart size normal.");
  EXPECT_NE(s2.ref_keyinfo.find("\"no_entity\":[\"pleural effusion\"]"), std::string::npos) << s2.ref_keyinfo;
  EXPECT_EQ(s2.stratum, "difference");  // the only study with a difference question
  EXPECT_EQ(studies.at("S3").stratum, "type");
  auto spans = nlohmann::json::parse(studies.at("S1").spans);
  ASSERT_FALSE(spans.empty());
  EXPECT_EQ(spans[0]["finding"], "pleural effusion");
  EXPECT_EQ(spans[0]["kind"], "present");
  EXPECT_EQ(studies.at("S1").report_text.substr(spans[0]["from"], 16), "pleural effusion");

  auto items = (*db)->Items(std::string("S2"));
  ASSERT_TRUE(items.ok());
  ASSERT_EQ(items->size(), 3u);
  EXPECT_EQ((*items)[2].question_type, "difference");
  EXPECT_EQ((*items)[2].ref_id, "R2");
  EXPECT_EQ((*items)[2].findings, "[\"cardiomegaly\"]");
}

TEST(ReviewSample, SameSeedSameSampleAndExcludedIdsStayOut) {
  TempDir dir;
  const ReviewSampleOptions hand = testing::hand_sample_options(dir.path());
  auto order = [&](const std::string& name, std::optional<std::filesystem::path> exclude) {
    ReviewSampleOptions options = hand;
    options.db = dir / name;
    options.per_type.reset();
    options.n = 3;
    options.seed = 11;
    options.exclude = exclude;
    auto summary = RunReviewSample(options);
    EXPECT_TRUE(summary.ok()) << summary.status().ToString();
    std::vector<std::string> ids;
    auto db = ReviewDb::Open(options.db);
    for (int position = 1; db.ok() && position <= static_cast<int>(*(*db)->StudyCount()); ++position) {
      ids.push_back((*db)->StudyAt(position)->study_id);
    }
    return ids;
  };
  auto first = order("a.sqlite", std::nullopt);
  EXPECT_EQ(first.size(), 3u);
  EXPECT_EQ(order("b.sqlite", std::nullopt), first);
  testing::write_text(dir / "exclude.txt", "study_id\nS2\nS3\n");
  auto without = order("c.sqlite", dir / "exclude.txt");
  EXPECT_EQ(without.size(), 2u);
  EXPECT_EQ(std::count(without.begin(), without.end(), "S2") + std::count(without.begin(), without.end(), "S3"), 0);
}

TEST(ReviewSample, RefusesToOverwriteAndNamesAMissingCorpus) {
  TempDir dir;
  ReviewSampleOptions options = testing::hand_sample_options(dir.path());
  ASSERT_TRUE(RunReviewSample(options).ok());
  auto again = RunReviewSample(options);
  ASSERT_FALSE(again.ok());
  EXPECT_NE(again.status().message().find("already exists"), std::string::npos);

  std::filesystem::remove_all(dir / "corpus");
  options.db = dir / "other.sqlite";
  auto missing = RunReviewSample(options);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("--reports"), std::string::npos) << missing.status().ToString();
  EXPECT_FALSE(std::filesystem::exists(options.db));
}

}  // namespace
}  // namespace cxrvqa
