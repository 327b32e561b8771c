// Negation and uncertainty scopes, table-driven, phrased as in real chest X-ray reports.
#include <gtest/gtest.h>

#include "extract_test_util.h"

namespace cxrvqa {
namespace {

struct ScopeCase {
  const char* text;
  const char* finding;
  const char* expected;  // positive | uncertain | negated | absent
};

class ScopeTest : public ::testing::TestWithParam<ScopeCase> {};

TEST_P(ScopeTest, FindingHasExpectedPolarity) {
  const ScopeCase& c = GetParam();
  KeyInfo info = testing::embedded_extractor().Extract(c.text);
  EXPECT_EQ(testing::polarity_of(info, c.finding), c.expected)
      << "text: " << c.text << "\nfinding: " << c.finding;
}

const ScopeCase kCases[] = {
    {"There is no pneumothorax.", "pneumothorax", "negated"},
    {"No pneumothorax or large pleural effusion.", "pleural effusion", "negated"},
    {"No pneumothorax or large pleural effusion.", "pneumothorax", "negated"},
    {"No focal consolidation, pleural effusion, or pneumothorax.", "pneumothorax", "negated"},
    {"There are no XXXX of a pleural effusion.", "pleural effusion", "negated"},
    {"There is no evidence of pneumothorax.", "pneumothorax", "negated"},
    {"Lungs are clear without focal consolidation.", "consolidation", "negated"},
    {"Lungs are free of focal airspace disease.", "airspace disease", "negated"},
    {"The lungs are clear of consolidation.", "consolidation", "negated"},
    {"Negative for pneumothorax.", "pneumothorax", "negated"},
    {"The previously seen right pleural effusion has resolved.", "pleural effusion", "negated"},
    {"Left basilar atelectasis is no longer seen.", "atelectasis", "negated"},
    {"There is no longer any pneumothorax.", "pneumothorax", "negated"},
    {"Pulmonary edema is not identified.", "edema", "negated"},
    {"Pneumothorax is not seen.", "pneumothorax", "negated"},
    {"The heart is not enlarged.", "cardiomegaly", "negated"},
    {"Heart size is not enlarged.", "cardiomegaly", "negated"},
    {"Atelectasis rather than pneumonia.", "pneumonia", "negated"},
    {"Atelectasis rather than pneumonia.", "atelectasis", "positive"},
    {"Pneumonia cannot be excluded.", "pneumonia", "uncertain"},
    {"Superimposed infection cannot be entirely excluded.", "pneumonia", "uncertain"},
    {"Early pneumonia is not excluded.", "pneumonia", "uncertain"},
    {"Opacity may represent atelectasis.", "atelectasis", "uncertain"},
    {"Opacity may represent atelectasis.", "lung opacity", "positive"},
    {"Possible small left pleural effusion.", "pleural effusion", "uncertain"},
    {"Findings could represent early pneumonia.", "pneumonia", "uncertain"},
    {"Streaky opacity, atelectasis versus scarring.", "scarring", "uncertain"},
    // "A versus B": the first alternative is the favoured reading, the second is uncertain.
    {"Streaky opacity, atelectasis versus scarring.", "atelectasis", "positive"},
    {"Streaky opacity, atelectasis versus scarring.", "lung opacity", "positive"},
    {"? pneumonia", "pneumonia", "uncertain"},
    {"Findings suspicious for pneumonia.", "pneumonia", "uncertain"},
    {"Appearance is concerning for edema.", "edema", "uncertain"},
    {"Cannot exclude a small pneumothorax.", "pneumothorax", "uncertain"},
    // High-confidence wording ("probable", "likely") reads as present.
    {"Probable scarring in the left apex.", "scarring", "positive"},
    {"Streaky opacity, likely atelectasis.", "atelectasis", "positive"},
    {"Questionable nodule in the right upper lobe.", "nodule", "uncertain"},
    {"Pneumonia is in the differential.", "pneumonia", "uncertain"},
    {"No pneumothorax but there is a small right pleural effusion.", "pleural effusion",
     "positive"},
    {"No pneumothorax. Small right pleural effusion.", "pleural effusion", "positive"},
    {"No pleural effusion, however there is mild cardiomegaly.", "cardiomegaly", "positive"},
    {"No change in the small left pleural effusion.", "pleural effusion", "positive"},
    {"No significant change in the mild cardiomegaly.", "cardiomegaly", "positive"},
    {"Mild cardiomegaly without pulmonary edema.", "cardiomegaly", "positive"},
    {"Mild cardiomegaly without pulmonary edema.", "edema", "negated"},
    {"Borderline cardiomegaly. No focal consolidation.", "cardiomegaly", "positive"},
    {"No acute cardiopulmonary abnormality. Calcified granuloma in the right upper lobe.",
     "calcified granuloma", "positive"},
    {"1. No pneumothorax. 2. Bibasilar atelectasis.", "atelectasis", "positive"},
    {"Heart size normal.The lungs are hyperexpanded.", "hyperinflation", "positive"},
    {"Pneumothorax is resolved. Possible pneumonia in the left base. No pneumonia on the right.",
     "pneumonia", "uncertain"},
    {"Left lower lobe pneumonia. No pneumonia on the right.", "pneumonia", "positive"},
    {"The cardiomediastinal silhouette is within normal limits.", "cardiomegaly", "absent"},
    {"Degenerative changes of the thoracic spine.", "degenerative changes", "positive"},
    {"Pleural effusions are no longer visualized.", "pleural effusion", "negated"},
    {"Interval resolution of the left lower lobe pneumonia.", "pneumonia", "negated"},
};

INSTANTIATE_TEST_SUITE_P(ReportPhrasing, ScopeTest, ::testing::ValuesIn(kCases));

}  // namespace
}  // namespace cxrvqa
