// Standardize loses nothing: one table row per rule, each with the input line as an LLM (or
// the rules extractor) writes it, the record it must give, and the repair it must count.
#include <gtest/gtest.h>

#include "standardize_test_util.h"

namespace cxrvqa {
namespace {

struct RuleCase {
  const char* rule;
  const char* line;      // a whole input line
  const char* expected;  // describe() of the record
  std::optional<Repair> repair;  // a repair the row must count, if any
};

class RuleTest : public ::testing::TestWithParam<RuleCase> {};

TEST_P(RuleTest, GivesTheRecord) {
  const RuleCase& c = GetParam();
  RepairCounts counts;
  KeyInfo record = repaired(c.line, &counts);
  EXPECT_EQ(describe(record), c.expected) << c.rule << "\n  line: " << c.line;
  if (c.repair) {
    EXPECT_GT(counts.get(*c.repair), 0u) << c.rule << ": no " << repair_name(*c.repair);
  }
}

const RuleCase kRules[] = {
    // Hedges: a possible finding is uncertain, not present.
    {"hedge before the name", R"({"study_id":"s","entity":{"possible pneumonia":{}}})",
     " / uncertain: pneumonia", Repair::kHedgeToUncertain},
    {"hedge after the name",
     R"({"study_id":"s","entity":["pneumothorax cannot be excluded","small left pleural effusion"]})",
     "pleural effusion[left|small|-|-] / uncertain: pneumothorax", Repair::kHedgeToUncertain},
    {"hedge as an attribute", R"({"study_id":"s","entity":{"pneumonia":{"type":"possible"}}})",
     " / uncertain: pneumonia", Repair::kHedgeToUncertain},
    {"questionable", R"({"study_id":"s","entity":{"questionable nodule":{"location":"right upper lobe"}}})",
     " / uncertain: nodule", Repair::kHedgeToUncertain},
    {"likely is present, as in the rules", R"({"study_id":"s","entity":{"likely atelectasis":{}}})",
     "atelectasis[-|-|-|-]", Repair::kModifierDropped},
    // Negations and resolution: an absent finding goes to no_entity.
    {"negated name", R"({"study_id":"s","entity":["no pneumothorax","edema"]})",
     "edema[-|-|-|-] / no: pneumothorax", Repair::kNegationToNoEntity},
    {"resolved before the name", R"({"study_id":"s","entity":{"resolved pulmonary edema":{}}})",
     " / no: edema", Repair::kNegationToNoEntity},
    {"resolved after the name", R"({"study_id":"s","entity":{"right pleural effusion, resolved":{}}})",
     " / no: pleural effusion", Repair::kNegationToNoEntity},
    {"partial resolution keeps the finding",
     R"({"study_id":"s","entity":{"partially resolved consolidation":{"location":"right lower lobe"}}})",
     "consolidation[right lower lobe|-|-|-]", std::nullopt},
    {"a negation after the name is about something else",
     R"({"study_id":"s","entity":{"atelectasis without effusion":{}}})", "atelectasis[-|-|-|-]",
     Repair::kUnknownWordDropped},
    {"a negated uncertain name", R"({"study_id":"s","uncertain_entity":["no pneumonia","edema"]})",
     " / uncertain: edema / no: pneumonia", Repair::kNegationToNoEntity},
    {"a name in two categories stays in the stronger",
     R"({"study_id":"s","entity":{"pneumonia":{}},"uncertain_entity":["pneumonia","edema"],"no_entity":["pneumonia","edema","pneumothorax"]})",
     "pneumonia[-|-|-|-] / uncertain: edema / no: pneumothorax", Repair::kCategoryConflict},
    // "both" means bilateral.
    {"both in a location", R"({"study_id":"s","entity":{"atelectasis":{"location":"both bases"}}})",
     "atelectasis[bilateral bases|-|-|-]", Repair::kBothToBilateral},
    {"both in a name", R"({"study_id":"s","entity":["pleural effusions in both bases"]})",
     "pleural effusion[bilateral bases|-|-|both bases]", Repair::kBothToBilateral},
    {"both lungs", R"({"study_id":"s","entity":{"edema":{"location":"both lungs"}}})",
     "edema[bilateral lungs|-|-|-]", Repair::kBothToBilateral},
    // The level words the prompt asks for are kept.
    {"worsening as a level", R"({"study_id":"s","entity":{"edema":{"level":"worsening"}}})",
     "edema[-|worsening|-|-]", std::nullopt},
    {"decreased as a level", R"({"study_id":"s","entity":{"pleural effusion":{"level":"decreased","location":"left"}}})",
     "pleural effusion[left|decreased|-|-]", std::nullopt},
    {"increased in a name", R"({"study_id":"s","entity":["increased opacity"]})",
     "lung opacity[-|increased|-|-]", Repair::kAttributeFromName},
    {"improving in a name", R"({"study_id":"s","entity":["improving right lower lobe pneumonia"]})",
     "pneumonia[right lower lobe|improving|-|-]", Repair::kAttributeFromName},
    {"level form", R"({"study_id":"s","entity":{"cardiomegaly":{"level":"mildly"}}})",
     "cardiomegaly[-|mild|-|-]", Repair::kLevelForm},
    // The type words the prompt asks for are kept.
    {"displaced as a type", R"({"study_id":"s","entity":{"rib fracture":{"type":"displaced","location":"left"}}})",
     "rib fracture[left|-|displaced|-]", std::nullopt},
    {"post-procedural as a type", R"({"study_id":"s","entity":{"pneumothorax":{"type":"post-procedural"}}})",
     "pneumothorax[-|-|post-procedural|-]", std::nullopt},
    {"loculated and layering", R"({"study_id":"s","entity":{"pleural effusion":{"type":"loculated, layering"}}})",
     "pleural effusion[-|-|loculated, layering|-]", std::nullopt},
    // Subtypes are findings of their own.
    {"tension as a type names the subtype", R"({"study_id":"s","entity":{"pneumothorax":{"type":"tension","location":"left"}}})",
     "tension pneumothorax[left|-|-|-]", Repair::kSpecialFinding},
    {"hiatal as a type names the subtype", R"({"study_id":"s","entity":{"hernia":{"type":"hiatal","level":"small"}}})",
     "hiatal hernia[-|small|-|-]", Repair::kSpecialFinding},
    {"a fracture of the ribs", R"({"study_id":"s","entity":{"fractures":{"location":"left 6th and 7th ribs"}}})",
     "rib fracture[left 6th, 7th|-|-|-]", Repair::kSpecialFinding},
    {"subtype names stay", R"({"study_id":"s","entity":["hiatal hernia","tension pneumothorax","rib fractures"]})",
     "hiatal hernia[-|-|-|-]; tension pneumothorax[-|-|-|-]; rib fracture[-|-|-|-]", Repair::kPlural},
    {"subcutaneous emphysema is not emphysema", R"({"study_id":"s","entity":{"emphysema":{"type":"subcutaneous"}}})",
     "subcutaneous emphysema[-|-|-|-]", Repair::kSpecialFinding},
    // Several locations stay several, joined with ", ".
    {"locations as a list", R"({"study_id":"s","entity":{"atelectasis":{"location":["left lower lobe","right base"]}}})",
     "atelectasis[left lower lobe, right base|-|-|-]", Repair::kAttributeShape},
    {"locations joined by and", R"({"study_id":"s","entity":{"atelectasis":{"location":"left lower lobe and right base"}}})",
     "atelectasis[left lower lobe, right base|-|-|-]", std::nullopt},
    {"a side and its place are one location", R"({"study_id":"s","entity":{"atelectasis":{"location":["left","lower lobe"]}}})",
     "atelectasis[left lower lobe|-|-|-]", Repair::kAttributeShape},
    {"the same finding at two places", R"({"study_id":"s","entity":["left lower lobe atelectasis","atelectasis in the right base"]})",
     "atelectasis[left lower lobe, right base|-|-|the right base]", Repair::kDuplicateMerged},
    {"two values of one kind from the rules extractor",
     R"({"study_id":"s","subject_id":"","dicom_id":"","view":"","study_order":0,"split":"","opacity_vs_clear":{},"entity":{"lung opacity":{"location":"bilateral","level":null,"type":"diffuse interstitial and alveolar","post_location":null}},"uncertain_entity":[],"no_entity":[]})",
     "lung opacity[bilateral|-|diffuse interstitial, alveolar|-]", std::nullopt},
    // Anatomy is not a finding.
    {"pulmonary arteries", R"({"study_id":"s","entity":{"pulmonary arteries":{},"atelectasis":{}}})",
     "atelectasis[-|-|-|-]", Repair::kAnatomyDropped},
    {"heart size", R"({"study_id":"s","entity":{"heart size":{"level":"normal"}}})", "",
     Repair::kAnatomyDropped},
    {"anatomy with the attribute that names a finding",
     R"({"study_id":"s","entity":{"pulmonary arteries":{"level":"enlarged"}}})",
     "pulmonary artery enlargement[-|-|-|-]", Repair::kAnatomyToFinding},
    {"heart size enlarged", R"({"study_id":"s","entity":{"heart size":{"type":"enlarged"}}})",
     "cardiomegaly[-|-|-|-]", Repair::kAnatomyToFinding},
    {"anatomy in no_entity", R"({"study_id":"s","no_entity":["heart size","pneumothorax"]})",
     " / no: pneumothorax", Repair::kAnatomyDropped},
};

INSTANTIATE_TEST_SUITE_P(Standardize, RuleTest, ::testing::ValuesIn(kRules));

TEST(RepairSummaryTest, RepairsThatChangeMeaningAreMarked) {
  for (Repair kind : {Repair::kHedgeToUncertain, Repair::kNegationToNoEntity, Repair::kAnatomyDropped,
                      Repair::kAnatomyToFinding, Repair::kCategoryConflict, Repair::kSpecialFinding,
                      Repair::kDeviceDropped, Repair::kUnknownWordDropped, Repair::kRefiled}) {
    EXPECT_TRUE(repair_changes_meaning(kind)) << repair_name(kind);
  }
  for (Repair kind : {Repair::kPlural, Repair::kSynonym, Repair::kBothToBilateral, Repair::kLevelForm,
                      Repair::kAttributeShape, Repair::kDuplicateMerged}) {
    EXPECT_FALSE(repair_changes_meaning(kind)) << repair_name(kind);
  }
}

TEST(RepairSummaryTest, MeaningChangingRepairsAreCountedApart) {
  StandardizeSummary summary;
  summary.read = summary.written = 1;
  summary.repairs.add(Repair::kHedgeToUncertain, 2);
  summary.repairs.add(Repair::kPlural, 3);
  std::string text = summary.ToString();
  EXPECT_NE(text.find("repairs that change meaning: hedge_to_uncertain 2"), std::string::npos) << text;
  EXPECT_NE(text.find("repairs of shape and wording: plural 3"), std::string::npos) << text;
}

}  // namespace
}  // namespace cxrvqa
