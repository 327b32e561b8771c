// Attribute attachment, opacity/clear statements, devices and merging of repeated mentions.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "extract_test_util.h"

namespace cxrvqa {
namespace {

using testing::embedded_extractor;

const EntityAttributes& attributes_of(const KeyInfo& info, const std::string& name) {
  static const EntityAttributes kNone;
  const Entity* entity = info.find_entity(name);
  EXPECT_NE(entity, nullptr) << name << " not extracted as positive";
  return entity != nullptr ? entity->attributes : kNone;
}

TEST(AttributesTest, LevelLocationAndTypeWordsBeforeTheFinding) {
  KeyInfo info = embedded_extractor().Extract("Small left pleural effusion.");
  const auto& effusion = attributes_of(info, "pleural effusion");
  EXPECT_EQ(effusion.level, "small");
  EXPECT_EQ(effusion.location, "left");

  info = embedded_extractor().Extract("Patchy right lower lobe airspace disease.");
  const auto& airspace = attributes_of(info, "airspace disease");
  EXPECT_EQ(airspace.type, "patchy");
  EXPECT_EQ(airspace.location, "right lower lobe");

  info = embedded_extractor().Extract("Mild to moderate bibasilar atelectasis.");
  const auto& atelectasis = attributes_of(info, "atelectasis");
  EXPECT_EQ(atelectasis.level, "mild to moderate");
  EXPECT_EQ(atelectasis.location, "bibasilar");
}

TEST(AttributesTest, ModifiersBetweenAttributeWordsAreSkipped) {
  KeyInfo info = embedded_extractor().Extract("Stable mild cardiomegaly.");
  EXPECT_EQ(attributes_of(info, "cardiomegaly").level, "mild");
  info = embedded_extractor().Extract("There are diffuse bilateral interstitial and alveolar opacities.");
  const auto& opacity = attributes_of(info, "lung opacity");
  EXPECT_EQ(opacity.location, "bilateral");
  EXPECT_EQ(opacity.type, "diffuse interstitial and alveolar");
}

TEST(AttributesTest, LevelInsideAGapPhrase) {
  KeyInfo info = embedded_extractor().Extract("The heart is mildly enlarged.");
  EXPECT_EQ(attributes_of(info, "cardiomegaly").level, "mildly");
}

TEST(AttributesTest, PostLocationPhraseAfterTheFinding) {
  KeyInfo info = embedded_extractor().Extract("There is atelectasis in the left lower lobe.");
  EXPECT_EQ(attributes_of(info, "atelectasis").post_location, "the left lower lobe");
  info = embedded_extractor().Extract("Airspace disease is seen in the right upper lobe.");
  EXPECT_EQ(attributes_of(info, "airspace disease").post_location, "the right upper lobe");
  info = embedded_extractor().Extract("Pleural thickening at the apices.");
  EXPECT_EQ(attributes_of(info, "pleural thickening").post_location, "the apices");
}

TEST(AttributesTest, SecondSideMergesIntoBilateral) {
  KeyInfo info = embedded_extractor().Extract(
      "Small left pleural effusion. There is also a small right pleural effusion.");
  ASSERT_EQ(info.entity.size(), 1u);
  EXPECT_EQ(attributes_of(info, "pleural effusion").location, "bilateral");
  EXPECT_EQ(attributes_of(info, "pleural effusion").level, "small");
}

TEST(AttributesTest, RepeatedMentionKeepsTheRicherAttributes) {
  KeyInfo info = embedded_extractor().Extract(
      "Atelectasis. Impression: mild atelectasis in the right lung base.");
  ASSERT_EQ(info.entity.size(), 1u);
  const auto& atelectasis = attributes_of(info, "atelectasis");
  EXPECT_EQ(atelectasis.level, "mild");
  EXPECT_EQ(atelectasis.post_location, "the right lung base");
}

TEST(AttributesTest, LocationIsSharedWithinASentence) {
  KeyInfo info = embedded_extractor().Extract("Left basilar opacity compatible with atelectasis.");
  EXPECT_EQ(attributes_of(info, "atelectasis").location, "left basilar");
}

// Side and level words that the word walk before a mention does not reach.
struct NearbyCase {
  const char* text;
  const char* finding;
  std::optional<std::string> location;
  std::optional<std::string> level;
};

TEST(AttributesTest, NearbySideAndLevelWordsAreAttached) {
  const NearbyCase cases[] = {
      {"Stable moderate thoracic levoscoliosis.", "scoliosis", "left thoracic", "moderate"},
      {"Mild dextroscoliosis of the thoracic spine.", "scoliosis", "right", "mild"},
      {"Small T-spine osteophytes.", "osteophyte", std::nullopt, "small"},
      {"There are minimal XXXX left basilar opacities.", "lung opacity", "left basilar",
       "minimal"},
      {"There is a moderate sized right pneumothorax.", "pneumothorax", "right", "moderate"},
      // Location words read after the finding join the location phrase they stand in.
      {"Small centrally calcified granuloma within the lateral right lung base.",
       "calcified granuloma", "lateral right lung base", "small"},
      // A change word is the level when no other level is given.
      {"Worsened patchy opacities in a left apex and right base.", "lung opacity", "bilateral",
       "worsened"},
      {"Unchanged pleural thickening at the visualized lung apices.", "pleural thickening",
       "bilateral", std::nullopt},
      // A level word before another finding stays with that finding.
      {"Mild cardiomegaly and tortuous aorta.", "tortuous aorta", std::nullopt, std::nullopt},
  };
  for (const auto& c : cases) {
    KeyInfo info = embedded_extractor().Extract(c.text);
    const auto& attributes = attributes_of(info, c.finding);
    EXPECT_EQ(attributes.location, c.location) << c.text;
    EXPECT_EQ(attributes.level, c.level) << c.text;
  }
}

TEST(AttributesTest, PositiveBeatsUncertainBeatsNegated) {
  KeyInfo info = embedded_extractor().Extract(
      "No pleural effusion on the left. Possible small right pleural effusion. "
      "Possible pneumonia. No pneumonia on the right. No edema. Pulmonary edema is present.");
  EXPECT_EQ(testing::polarity_of(info, "pleural effusion"), "uncertain");
  EXPECT_EQ(testing::polarity_of(info, "pneumonia"), "uncertain");
  EXPECT_EQ(testing::polarity_of(info, "edema"), "positive");
  EXPECT_TRUE(info.no_entity.empty());
}

TEST(OpacityClearTest, OpacityStatementCarriesItsAttributes) {
  KeyInfo info = embedded_extractor().Extract("Patchy bibasilar opacities. No pneumothorax.");
  ASSERT_TRUE(info.opacity.has_value());
  EXPECT_EQ(info.opacity->location, "bibasilar");
  EXPECT_EQ(info.opacity->type, "patchy");
  EXPECT_FALSE(info.clear.has_value());
}

TEST(OpacityClearTest, ClearStatementsNameTheLung) {
  KeyInfo info = embedded_extractor().Extract("The lungs are clear.");
  ASSERT_TRUE(info.clear.has_value());
  EXPECT_EQ(info.clear->location, "lungs");
  EXPECT_FALSE(info.opacity.has_value());
  EXPECT_TRUE(info.entity.empty());

  info = embedded_extractor().Extract("Left lower lobe opacity. The right lung is clear.");
  ASSERT_TRUE(info.clear.has_value());
  EXPECT_EQ(info.clear->location, "right lung");
  ASSERT_TRUE(info.opacity.has_value());
}

TEST(OpacityClearTest, NegatedOpacityMakesNoStatement) {
  KeyInfo info = embedded_extractor().Extract("No focal airspace opacity.");
  EXPECT_FALSE(info.opacity.has_value());
  EXPECT_EQ(testing::polarity_of(info, "lung opacity"), "negated");
  info = embedded_extractor().Extract("The pleural spaces are clear.");
  EXPECT_FALSE(info.clear.has_value());
}

TEST(DeviceTest, DeviceClausesYieldNoFindings) {
  KeyInfo info = embedded_extractor().Extract(
      "Fracture of the most superior sternotomy wire. Right IJ catheter tip in the SVC. "
      "Left chest wall pacemaker with leads in the right atrium.");
  EXPECT_TRUE(info.entity.empty());
  EXPECT_TRUE(info.uncertain_entity.empty());
}

TEST(DeviceTest, FindingsBesideADeviceClauseAreKept) {
  KeyInfo info = embedded_extractor().Extract(
      "Postoperative changes of CABG, and stable mild cardiomegaly. Surgical clips. "
      "Small right pleural effusion.");
  EXPECT_EQ(testing::polarity_of(info, "cardiomegaly"), "positive");
  EXPECT_EQ(testing::polarity_of(info, "pleural effusion"), "positive");
}

TEST(TextTest, DeidentificationTokensAndListsDoNotConfuseMatching) {
  KeyInfo info = embedded_extractor().Extract(
      "1. XXXX basilar atelectasis. 2. No XXXX pneumothorax. 3. Heart size 1.5 cm XXXX.");
  EXPECT_EQ(testing::polarity_of(info, "atelectasis"), "positive");
  EXPECT_EQ(testing::polarity_of(info, "pneumothorax"), "negated");
}

TEST(TextTest, EmptyAndPunctuationOnlyTextGiveEmptyRecords) {
  for (const char* text : {"", "   ", ". . .", "XXXX XXXX."}) {
    KeyInfo info = embedded_extractor().Extract(text);
    EXPECT_TRUE(info.entity.empty() && info.no_entity.empty() && info.uncertain_entity.empty())
        << text;
    EXPECT_TRUE(info.meta.study_id.empty());
  }
}

TEST(TextTest, WordBoundariesAreRespected) {
  KeyInfo info = embedded_extractor().Extract("Plate-like atelectasis. Linear opacity. Midline.");
  EXPECT_EQ(testing::polarity_of(info, "atelectasis"), "positive");
  EXPECT_EQ(attributes_of(info, "atelectasis").type, "plate-like");
  EXPECT_EQ(attributes_of(info, "lung opacity").type, "linear");
}

}  // namespace
}  // namespace cxrvqa

namespace cxrvqa {
namespace {

TEST(ConcurrencyTest, ConcurrentExtractionMatchesSequentialResults) {
  const std::vector<std::string> texts = {
      "Small left pleural effusion. No pneumothorax.",
      "Mild cardiomegaly without pulmonary edema. The lungs are clear.",
      "Patchy bibasilar opacities, likely atelectasis versus pneumonia.",
      "Degenerative changes of the thoracic spine. Calcified granuloma in the right upper lobe.",
  };
  std::vector<std::string> expected;
  for (const auto& text : texts) {
    expected.push_back(keyinfo_to_json_line(testing::embedded_extractor().Extract(text)));
  }
  std::vector<std::thread> threads;
  std::atomic<int> mismatches{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int round = 0; round < 200; ++round) {
        size_t i = static_cast<size_t>(round) % texts.size();
        if (keyinfo_to_json_line(testing::embedded_extractor().Extract(texts[i])) != expected[i]) {
          ++mismatches;
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(mismatches.load(), 0);
}

}  // namespace
}  // namespace cxrvqa
