#include "golden/golden.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <set>

#include "sections/report_texts.h"
#include "test_util.h"

namespace cxrvqa {
namespace {

std::vector<std::string> numbered_ids(size_t n) {
  std::vector<std::string> ids;
  for (size_t i = 0; i < n; ++i) ids.push_back("5" + std::to_string(1000000 + i));
  return ids;
}

TEST(GoldenSelect, SameSeedSameIdsWhateverTheCandidateOrder) {
  std::vector<std::string> ids = numbered_ids(1000);
  std::vector<std::string> first = select_golden_ids(ids, 100, 42, {});
  std::shuffle(ids.begin(), ids.end(), std::mt19937(3));
  EXPECT_EQ(select_golden_ids(ids, 100, 42, {}), first);
  EXPECT_EQ(std::set<std::string>(first.begin(), first.end()).size(), 100u);
  EXPECT_NE(select_golden_ids(ids, 100, 43, {}), first);
}

TEST(GoldenSelect, ExcludedIdsAreNeverPickedAndOthersKeepTheirRank) {
  std::vector<std::string> ids = numbered_ids(500);
  std::vector<std::string> first = select_golden_ids(ids, 50, 9, {});
  std::unordered_set<std::string> exclude(first.begin(), first.begin() + 10);
  std::vector<std::string> second = select_golden_ids(ids, 50, 9, exclude);
  ASSERT_EQ(second.size(), 50u);
  for (const std::string& id : second) EXPECT_EQ(exclude.count(id), 0u) << id;
  // The 40 picks that were not excluded come first, in the same order.
  EXPECT_TRUE(std::equal(first.begin() + 10, first.end(), second.begin()));
}

TEST(GoldenSelect, LargerSamplesExtendSmallerOnesAndRepeatsCountOnce) {
  std::vector<std::string> ids = numbered_ids(300);
  ids.insert(ids.end(), ids.begin(), ids.begin() + 100);
  std::vector<std::string> small = select_golden_ids(ids, 20, 1, {});
  std::vector<std::string> large = select_golden_ids(ids, 60, 1, {});
  EXPECT_TRUE(std::equal(small.begin(), small.end(), large.begin()));
  EXPECT_EQ(select_golden_ids(ids, 1000, 1, {}).size(), 300u);
}

TEST(GoldenSelect, IdListSkipsCommentsHeadersAndExtraColumns) {
  testing::TempDir dir;
  testing::write_text(dir / "ids.txt", "study_id\n# reserved\n 50000001 \n\n50000002,review\r\n");
  auto ids = read_id_list(dir / "ids.txt");
  ASSERT_TRUE(ids.ok()) << ids.status().ToString();
  EXPECT_EQ(*ids, (std::unordered_set<std::string>{"50000001", "50000002"}));
  EXPECT_FALSE(read_id_list(dir / "missing.txt").ok());
}

TEST(GoldenSelect, RealCorpusSampleIsReproducibleAndHasReportText) {
  CXRVQA_REQUIRE_SHARED_DATA(data);
  CorpusSource source{CorpusKind::kIu, data / "iu_xray" / "iu_reports_dev.csv", std::nullopt};
  std::vector<CorpusIssue> issues;
  auto ids = read_study_ids(source, issues);
  ASSERT_TRUE(ids.ok()) << ids.status().ToString();
  ASSERT_GT(ids->size(), 2000u);
  std::vector<std::string> chosen = select_golden_ids(*ids, 100, 2024, {});
  ASSERT_EQ(chosen.size(), 100u);
  std::unordered_set<std::string> wanted(chosen.begin(), chosen.end());
  auto texts = read_report_texts(source, &wanted);
  ASSERT_TRUE(texts.ok());
  EXPECT_EQ(texts->by_study.size(), 100u);
  for (const auto& [id, text] : texts->by_study) EXPECT_FALSE(text.empty()) << id;
}

}  // namespace
}  // namespace cxrvqa
