// Highlight spans: found on the normalized text, mapped back to the report's own bytes.
#include <gtest/gtest.h>

#include "review/highlight.h"
#include "review_test_util.h"

namespace cxrvqa {
namespace {

using review_internal::findings_named;
using review_internal::highlight_spans;
using review_internal::HighlightSpan;
using review_internal::spans_to_json;
using review_internal::text_segments;

class HighlightTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto loaded = Lexicon::Load(std::nullopt);
    ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
    lexicon_ = *loaded;
    matcher_ = std::make_unique<PhraseMatcher>(*lexicon_);
    ASSERT_TRUE(matcher_->ok()) << matcher_->error();
  }
  static void TearDownTestSuite() {
    matcher_.reset();
    lexicon_.reset();
  }
  static std::shared_ptr<const Lexicon> lexicon_;
  static std::unique_ptr<PhraseMatcher> matcher_;
};
std::shared_ptr<const Lexicon> HighlightTest::lexicon_;
std::unique_ptr<PhraseMatcher> HighlightTest::matcher_;

TEST_F(HighlightTest, SpansPointAtTheReportsOwnBytes) {
  const std::string text = "FINDINGS:  Small left PLEURAL\n  effusion.\n\nNo   pneumothorax.  Possible pneumonia.";
  KeyInfo record = testing::make_record("S", "P", {{"pleural effusion", {}}}, {"pneumonia"}, {"pneumothorax"});
  auto spans = highlight_spans(*matcher_, *lexicon_, text, record);
  std::vector<std::pair<std::string, std::string>> seen;
  for (const HighlightSpan& span : spans) seen.emplace_back(text.substr(span.from, span.to - span.from), span.kind);
  std::vector<std::pair<std::string, std::string>> expected = {
      {"PLEURAL\n  effusion", "present"}, {"No", "negation"},        {"pneumothorax", "negated"},
      {"Possible", "uncertainty"},        {"pneumonia", "uncertain"}};
  EXPECT_EQ(seen, expected);
  EXPECT_EQ(spans[0].finding, "pleural effusion");
  EXPECT_EQ(spans[2].finding, "pneumothorax");
}

TEST_F(HighlightTest, FindingsOutsideTheRecordAreMentioned) {
  const std::string text = "Mild cardiomegaly.";
  auto spans = highlight_spans(*matcher_, *lexicon_, text, testing::make_record("S", "P", {}, {}, {}));
  ASSERT_EQ(spans.size(), 1u);
  EXPECT_EQ(spans[0].kind, "mentioned");
  EXPECT_EQ(text.substr(spans[0].from, spans[0].to - spans[0].from), "cardiomegaly");
}

TEST_F(HighlightTest, SegmentsCoverTheTextExactly) {
  const std::string text = "Heart size is enlarged – no effusion. Ångström é.";
  KeyInfo record = testing::make_record("S", "P", {{"cardiomegaly", {}}}, {}, {"pleural effusion"});
  auto spans = spans_to_json(highlight_spans(*matcher_, *lexicon_, text, record));
  auto segments = text_segments(text, spans);
  std::string joined;
  size_t marked = 0;
  for (const auto& segment : segments) {
    joined += segment["text"].get<std::string>();
    marked += segment.contains("kind");
  }
  EXPECT_EQ(joined, text);
  EXPECT_EQ(marked, spans.size());
  EXPECT_GE(marked, 3u);  // the enlarged heart, "no", "effusion"
  // A span that cuts a UTF-8 character or runs past the end is ignored, the text stays whole.
  size_t inside = text.find("Å") + 1;
  nlohmann::ordered_json bad = nlohmann::ordered_json::array(
      {{{"from", inside}, {"to", inside + 3}, {"kind", "present"}}, {{"from", 0}, {"to", 500}, {"kind", "present"}}});
  auto kept = text_segments(text, bad);
  ASSERT_EQ(kept.size(), 1u);
  EXPECT_EQ(kept[0]["text"], text);
}

TEST_F(HighlightTest, FindingsNamedByQuestionsAndAnswers) {
  EXPECT_EQ(findings_named(*matcher_, *lexicon_, "what level is the pleural effusion? small"),
            std::vector<std::string>{"pleural effusion"});
  EXPECT_EQ(findings_named(*matcher_, *lexicon_,
                           "what has changed compared to the reference image? the main image has additional "
                           "findings of cardiomegaly, atelectasis, and is missing the findings of cardiomegaly."),
            (std::vector<std::string>{"cardiomegaly", "atelectasis"}));
  EXPECT_TRUE(findings_named(*matcher_, *lexicon_, "which view is this image taken? PA view").empty());
  EXPECT_TRUE(findings_named(*matcher_, *lexicon_, "is there evidence of any abnormalities in this image? no").empty());
}

}  // namespace
}  // namespace cxrvqa
