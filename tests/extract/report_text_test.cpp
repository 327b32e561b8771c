#include "extract/report_text.h"

#include <gtest/gtest.h>

namespace cxrvqa {
namespace {

std::vector<std::string> sentences(std::string_view raw) {
  NormalizedText normalized;
  normalize_report_text(raw, normalized);
  std::vector<std::string> out;
  size_t begin = 0;
  for (size_t end : normalized.sentence_ends) {
    out.emplace_back(normalized.text.substr(begin, end - begin));
    begin = end;
  }
  return out;
}

TEST(ReportTextTest, LowerCasesAndCollapsesWhiteSpace) {
  NormalizedText normalized;
  normalize_report_text("  The  Heart\n\tis   NORMAL. ", normalized);
  EXPECT_EQ(normalized.text, "the heart is normal.");
}

TEST(ReportTextTest, SplitsSentencesButNotDecimalsOrAbbreviations) {
  auto parts = sentences("Nodule measures 1.5 cm. Atelectasis vs. scarring. Normal chest x-XXXX.");
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(parts[0], "nodule measures 1.5 cm.");
  EXPECT_EQ(parts[1], " atelectasis vs. scarring.");
}

TEST(ReportTextTest, NumberedListItemsAreSentences) {
  auto parts = sentences("1. Bullous emphysema 2. Probably scarring. 3) No effusion");
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(parts[0], "1. bullous emphysema");
  EXPECT_EQ(parts[2], " 3) no effusion");
}

TEST(ReportTextTest, MissingSpaceAfterPeriodStillSplits) {
  auto parts = sentences("Cavitary lesion in the left lung apex.There are streaky opacities.");
  ASSERT_EQ(parts.size(), 2u);
}

}  // namespace
}  // namespace cxrvqa
