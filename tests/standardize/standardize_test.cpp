#include "standardize/standardize.h"

#include <gtest/gtest.h>

#include <cctype>
#include <ostream>
#include <string>

#include "common/csv.h"
#include "common/text.h"
#include "standardize_test_util.h"
#include "test_util.h"

namespace cxrvqa {
namespace {

struct ShapeCase {
  const char* shape;
  const char* json;  // the record's categories, study_id added by the test
  const char* expected;
  Repair repair;     // a repair the case must count
};

// Names each case by its shape in test listings and failures.
void PrintTo(const ShapeCase& c, std::ostream* out) { *out << c.shape; }

std::string CaseName(const ::testing::TestParamInfo<ShapeCase>& info) {
  std::string name;
  for (const char* p = info.param.shape; *p != '\0'; ++p) {
    name += std::isalnum(static_cast<unsigned char>(*p)) ? *p : '_';
  }
  return name + "_" + std::to_string(info.index);
}

class ShapeTest : public ::testing::TestWithParam<ShapeCase> {};

TEST_P(ShapeTest, RepairsToStrictRecord) {
  const ShapeCase& c = GetParam();
  RepairCounts counts;
  KeyInfo record = repaired(std::string("{\"study_id\":\"s1\",") + c.json + "}", &counts);
  EXPECT_EQ(describe(record), c.expected) << c.shape;
  EXPECT_GT(counts.get(c.repair), 0u) << c.shape << ": no " << repair_name(c.repair);
  // The repaired record is in the strict schema.
  auto strict = keyinfo_from_json(Json::parse(keyinfo_to_json_line(record)));
  ASSERT_TRUE(strict.ok()) << c.shape;
  EXPECT_EQ(*strict, record);
}

const ShapeCase kShapes[] = {
    {"category as a string", R"("entity":"pleural effusion, atelectasis")",
     "pleural effusion[-|-|-|-]; atelectasis[-|-|-|-]", Repair::kCategoryShape},
    {"category as a list of names", R"("entity":["pneumothorax","granuloma"])",
     "pneumothorax[-|-|-|-]; granuloma[-|-|-|-]", Repair::kCategoryShape},
    {"category as a list of attribute dicts",
     R"("entity":[{"name":"pleural effusion","location":"left","level":"small"}])",
     "pleural effusion[left|small|-|-]", Repair::kDescriptionName},
    {"category as a list of one-key dicts", R"("entity":[{"atelectasis":{"location":"right"}}])",
     "atelectasis[right|-|-|-]", Repair::kCategoryShape},
    {"attribute as a list of words", R"("entity":{"atelectasis":{"location":["left","lower"]}})",
     "atelectasis[left lower|-|-|-]", Repair::kAttributeShape},
    {"attribute as a nested dict", R"("entity":{"pleural effusion":{"location":{"left":"small"}}})",
     "pleural effusion[left|small|-|-]", Repair::kAttributeShape},
    {"attribute as a k: v string",
     R"("entity":{"atelectasis":{"location":"location: left, level: mild"}})",
     "atelectasis[left|mild|-|-]", Repair::kAttributeShape},
    {"attribute as a number", R"("entity":{"nodule":{"level":2}})", "nodule[-|2|-|-]",
     Repair::kAttributeShape},
    {"attribute as an empty string", R"("entity":{"nodule":{"location":"","level":"none"}})",
     "nodule[-|-|-|-]", Repair::kNullOrEmpty},
    {"finding nested in a finding",
     R"("entity":{"pleural effusion":{"location":"left","atelectasis":{"location":"right"}}})",
     "pleural effusion[left|-|-|-]; atelectasis[right|-|-|-]", Repair::kNestedFinding},
    {"description key holding the name",
     R"("entity":{"finding 1":{"description":"pneumothorax","location":"right"}})",
     "pneumothorax[right|-|-|-]", Repair::kDescriptionName},
    {"plural name", R"("entity":{"pleural effusions":{}})", "pleural effusion[-|-|-|-]",
     Repair::kPlural},
    {"synonym", R"("entity":{"volume loss":null})", "atelectasis[-|-|-|-]", Repair::kSynonym},
    {"modifiers to drop", R"("entity":["new definite pleural effusion"])",
     "pleural effusion[-|-|-|-]", Repair::kModifierDropped},
    {"areas of", R"("entity":["areas of atelectasis"])", "atelectasis[-|-|-|-]",
     Repair::kModifierDropped},
    {"location word inside the name", R"("entity":{"left-sided pleural effusion":{}})",
     "pleural effusion[left|-|-|-]", Repair::kAttributeFromName},
    {"location phrase after the name", R"("entity":{"effusion in the right base":{}})",
     "pleural effusion[right base|-|-|the right base]", Repair::kPostLocationFromName},
    {"level word inside the name", R"("entity":{"small effusion":{}})",
     "pleural effusion[-|small|-|-]", Repair::kAttributeFromName},
    {"type word inside the name", R"("entity":{"layering effusion":{}})",
     "pleural effusion[-|-|layering|-]", Repair::kAttributeFromName},
    {"low lung volume from atelectasis", R"("entity":{"atelectasis":{"level":"low"}})",
     "low lung volume[-|-|-|-]", Repair::kSpecialFinding},
    {"low lung volume from volume loss", R"("entity":["low volume loss"])",
     "low lung volume[-|-|-|-]", Repair::kSpecialFinding},
    {"mucosal edema", R"("entity":{"edema":{"location":"mucosal"}})", "mucosal edema[-|-|-|-]",
     Repair::kSpecialFinding},
    {"subcutaneous emphysema", R"("entity":{"emphysema":{"type":"subcutaneous"}})",
     "subcutaneous emphysema[-|-|-|-]", Repair::kSpecialFinding},
    {"pericardial effusion", R"("entity":{"effusion":{"location":"pericardial"}})",
     "pericardial effusion[-|-|-|-]", Repair::kSpecialFinding},
    {"hilar congestion", R"("entity":{"hilar congestion":{}})", "vascular congestion[-|-|hilar|-]",
     Repair::kSpecialFinding},
    {"cardiomegaly has no location", R"("entity":{"cardiomegaly":{"location":"left","level":"mild"}})",
     "cardiomegaly[-|mild|-|-]", Repair::kLocationRemoved},
    {"devices dropped", R"("entity":{"endotracheal tube":{},"sternotomy wires":{},"atelectasis":{}})",
     "atelectasis[-|-|-|-]", Repair::kDeviceDropped},
    {"no_entity as a string", R"("no_entity":"pneumothorax, pleural effusions")",
     " / no: pneumothorax, pleural effusion", Repair::kCategoryShape},
    {"no_entity as a dict", R"("no_entity":{"pneumothorax":{"location":"left"},"edema":null})",
     " / no: pneumothorax, edema", Repair::kCategoryShape},
    {"uncertain as a list", R"("uncertain_entity":["pneumonias","pneumonia"])",
     " / uncertain: pneumonia", Repair::kDuplicateMerged},
    {"null anywhere",
     R"("entity":{"atelectasis":{"location":null,"level":[null,"mild"]},"granuloma":null},"no_entity":null)",
     "atelectasis[-|mild|-|-]; granuloma[-|-|-|-]", Repair::kAttributeShape},
    {"duplicate findings merged", R"("entity":["left effusion","small pleural effusion"])",
     "pleural effusion[left|small|-|-]", Repair::kDuplicateMerged},
    {"word under the wrong attribute (curated)", R"("entity":{"pneumothorax":{"location":"small right"}})",
     "pneumothorax[right|small|-|-]", Repair::kRefiled},
};

INSTANTIATE_TEST_SUITE_P(Shapes, ShapeTest, ::testing::ValuesIn(kShapes), CaseName);

TEST(StandardizeTest, StrictRecordPassesUnchanged) {
  KeyInfo record;
  record.meta = {"50000001", "10000001", "d1", "postero-anterior", 2, "train"};
  record.opacity = OpacityStatement{"bibasilar", std::nullopt, std::nullopt};
  record.clear = ClearStatement{"right lung"};
  record.entity = {{"pleural effusion", {"bilateral", "small", "layering", std::nullopt}},
                   {"atelectasis", {"left", "mild", std::nullopt, std::nullopt}}};
  record.uncertain_entity = {"pneumonia"};
  record.no_entity = {"pneumothorax"};
  RepairCounts counts;
  auto again = standardizer().Standardize(keyinfo_to_json_line(record), Libraries{}, counts);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, record);
  for (size_t i = 0; i < kRepairKinds; ++i) {
    EXPECT_EQ(counts.counts[i], 0u) << repair_name(static_cast<Repair>(i));
  }
}

TEST(StandardizeTest, MetadataCarriedOverAndStudyIdNumber) {
  RepairCounts counts;
  KeyInfo record = repaired(
      R"({"study_id":50000001,"metadata":{"subject_id":10000001,"view":"PA","split":"train","study_order":"3"},"dicom_id":"abc","entity":null})",
      &counts);
  EXPECT_EQ(record.meta.study_id, "50000001");
  EXPECT_EQ(record.meta.subject_id, "10000001");
  EXPECT_EQ(record.meta.dicom_id, "abc");
  EXPECT_EQ(record.meta.view, "PA");
  EXPECT_EQ(record.meta.split, "train");
  EXPECT_EQ(record.meta.study_order, 3);
  EXPECT_EQ(counts.get(Repair::kStudyIdNumber), 1u);
}

TEST(StandardizeTest, OpacityAndClearStatements) {
  KeyInfo record = repaired(
      R"({"study_id":"s","opacity_vs_clear":{"opacity":"patchy bibasilar","clear":{"location":"right lung"}}})");
  ASSERT_TRUE(record.opacity && record.clear);
  EXPECT_EQ(attr(record.opacity->location), "bibasilar");
  EXPECT_EQ(attr(record.opacity->type), "patchy");
  EXPECT_EQ(attr(record.clear->location), "right lung");
}

TEST(StandardizeTest, UnrepairableRecordsAreErrors) {
  RepairCounts counts;
  for (const char* text : {R"([1,2])", R"("text")", R"({"entity":{}})", R"({"study_id":null})",
                           R"({"study_id":{"id":1}})", R"({"study_id":"  "})"}) {
    auto record = standardizer().Repair(Json::parse(text), counts);
    EXPECT_FALSE(record.ok()) << text;
  }
}

TEST(StandardizeTest, LevelWordsTakeTheirDatasetForm) {
  RepairCounts counts;
  KeyInfo record = repaired(R"({"study_id": "s1", "entity": {
      "cardiomegaly": {"location": null, "level": "mildly", "type": null, "post_location": null},
      "mild-to-moderate pleural effusions": {},
      "edema": {"level": "Moderately"},
      "atelectasis": {"level": "mild"}}})", &counts);
  EXPECT_EQ(describe(record),
            "cardiomegaly[-|mild|-|-]; pleural effusion[-|mild to moderate|-|-]; edema[-|moderate|-|-]; atelectasis[-|mild|-|-]");
  EXPECT_EQ(counts.get(Repair::kLevelForm), 3u);
  // The strict form written by the rules extractor is normalized the same way.
  KeyInfo strict;
  strict.meta.study_id = "s2";
  strict.entity.push_back({"cardiomegaly", {std::nullopt, std::string("severely"), std::nullopt, std::nullopt}});
  RepairCounts strict_counts;
  auto line = standardizer().RepairLine(keyinfo_to_json_line(strict), strict_counts);
  ASSERT_TRUE(line.ok());
  EXPECT_EQ(line->entity[0].attributes.level, "severe");
  EXPECT_EQ(strict_counts.get(Repair::kLevelForm), 1u);
}

TEST(StandardizeTest, RefilesByCorpusFrequency) {
  // "streaky" is not in the curated lists here only if the lexicon lacks it; use a word
  // no list holds so that only the frequencies decide.
  const std::string word = "zzfrequentword";
  ASSERT_LT(standardizer().lexicon().IsLevel(word) + standardizer().lexicon().IsLocation(word) +
                standardizer().lexicon().IsType(word),
            1);
  Libraries libs;
  libs.type = {{word, 40}};
  libs.location = {{word, 2}};
  libs.reindex();
  RepairCounts counts;
  auto record = standardizer().Standardize(
      R"({"study_id":"s","entity":{"atelectasis":{"location":"left )" + word + R"("}}})", libs, counts);
  ASSERT_TRUE(record.ok());
  EXPECT_EQ(describe(*record), "atelectasis[left|-|" + word + "|-]");
  EXPECT_EQ(counts.get(Repair::kRefiled), 1u);
  // Without frequencies the word stays where it was filed.
  RepairCounts none;
  auto unchanged = standardizer().Standardize(
      R"({"study_id":"s","entity":{"atelectasis":{"location":"left )" + word + R"("}}})", Libraries{}, none);
  ASSERT_TRUE(unchanged.ok());
  EXPECT_EQ(describe(*unchanged), "atelectasis[left " + word + "|-|-|-]");
}

TEST(StandardizeTest, RefilingKeepsTheTypeOfASpecialFinding) {
  RepairCounts counts;
  auto record = standardizer().Standardize(
      R"({"study_id":"s","entity":{"hilar congestion":{}}})", Libraries{}, counts);
  ASSERT_TRUE(record.ok());
  EXPECT_EQ(describe(*record), "vascular congestion[-|-|hilar|-]");
}

TEST(StandardizeTest, CuratedListsWinOverFrequencies) {
  Libraries libs;
  libs.location = {{"small", 500}};
  libs.reindex();
  RepairCounts counts;
  auto record = standardizer().Standardize(
      R"({"study_id":"s","entity":{"pleural effusion":{"location":"small"}}})", libs, counts);
  ASSERT_TRUE(record.ok());
  EXPECT_EQ(describe(*record), "pleural effusion[-|small|-|-]");
}

}  // namespace
}  // namespace cxrvqa

namespace cxrvqa {
namespace {

// Which attribute one curated word belongs to: 0 location, 1 level, 2 type, -1 none/several.
int curated_kind(const Lexicon& lexicon, const std::string& word) {
  int kinds = lexicon.IsLocation(word) + lexicon.IsLevel(word) + lexicon.IsType(word);
  if (kinds != 1) return -1;
  return lexicon.IsLocation(word) ? 0 : lexicon.IsLevel(word) ? 1 : 2;
}

// IU X-ray MeSH annotations ("Pleural Effusion/left/moderate") become messy records with
// every qualifier thrown under "location"; standardize must file each curated qualifier
// under its own attribute and map the term to its official name.
TEST(StandardizeRealDataTest, IuMeshQualifiersAreFiledByKind) {
  CXRVQA_REQUIRE_SHARED_DATA(shared);
  auto reader = CsvReader::Open(shared / "iu_xray" / "iu_reports_dev.csv");
  ASSERT_TRUE(reader.ok());
  auto mesh_column = (*reader)->column("MeSH");
  ASSERT_TRUE(mesh_column.has_value());
  const Lexicon& lexicon = standardizer().lexicon();
  size_t checked = 0;
  CsvRow row;
  while ((*reader)->Next(row)) {
    for (const auto& term : split_trimmed(row.get(*mesh_column), ';')) {
      auto parts = split_trimmed(to_lower(term), '/');
      if (parts.size() < 2) continue;
      const Finding* finding = lexicon.FindByPhrase(parts[0]);
      if (finding == nullptr || finding->name == "cardiomegaly") continue;
      Json raw = {{"study_id", "iu"}, {"entity", Json::object()}};
      std::vector<std::string> qualifiers(parts.begin() + 1, parts.end());
      raw["entity"][parts[0]] = {{"location", join(qualifiers, ", ")}};
      RepairCounts counts;
      auto record = standardizer().Repair(raw, counts);
      ASSERT_TRUE(record.ok());
      ASSERT_EQ(record->entity.size(), 1u) << term;
      const Entity& e = record->entity[0];
      EXPECT_EQ(e.name, finding->name);
      const std::optional<std::string>* attributes[] = {&e.attributes.location, &e.attributes.level,
                                                        &e.attributes.type};
      for (const auto& q : qualifiers) {
        int kind = curated_kind(lexicon, q);
        if (kind < 0) continue;
        ASSERT_TRUE(attributes[kind]->has_value()) << term;
        EXPECT_NE((**attributes[kind]).find(q), std::string::npos) << term;
        ++checked;
      }
    }
  }
  EXPECT_GT(checked, 50u);
}

TEST(StandardizeTest, FindingsUnderTwoEntityKeysAreMergedAsUnderOne) {
  // "entity" and "findings" both name positive findings: one finding under both keys, one
  // under the second only. The second key once indexed past the first key's findings.
  RepairCounts counts;
  auto twice = standardizer().RepairLine(
      R"({"study_id": "7", "entity": {"pleural effusion": {"level": "small"}, "edema": {}},)"
      R"( "findings": [{"name": "pleural effusion", "location": "left"}, {"name": "atelectasis"}]})",
      counts);
  ASSERT_TRUE(twice.ok()) << twice.status().message();
  auto once = standardizer().RepairLine(
      R"({"study_id": "7", "entity": [{"name": "pleural effusion", "level": "small"}, {"name": "edema"},)"
      R"( {"name": "pleural effusion", "location": "left"}, {"name": "atelectasis"}]})",
      counts);
  ASSERT_TRUE(once.ok()) << once.status().message();
  EXPECT_EQ(keyinfo_to_json_line(*twice), keyinfo_to_json_line(*once));
  ASSERT_EQ(twice->entity.size(), 3u);
  const Entity* effusion = twice->find_entity("pleural effusion");
  ASSERT_NE(effusion, nullptr);
  EXPECT_EQ(effusion->attributes.level, "small");
  EXPECT_EQ(effusion->attributes.location, "left");
  EXPECT_NE(twice->find_entity("atelectasis"), nullptr);

  // Several values under the first key and a negated finding: merged from the words read, not
  // from the first key's joined text ("left" joins the list, it does not prefix "lower lobe").
  auto lists_twice = standardizer().RepairLine(
      R"({"study_id": "8", "findings": [{"name": "opacity", "location": ["lower lobe", "apex"]}],)"
      R"( "entity": [{"name": "opacity", "location": "left", "level": "mild"}, "no pneumothorax"]})",
      counts);
  ASSERT_TRUE(lists_twice.ok()) << lists_twice.status().message();
  auto lists_once = standardizer().RepairLine(
      R"({"study_id": "8", "entity": [{"name": "opacity", "location": ["lower lobe", "apex"]},)"
      R"( {"name": "opacity", "location": "left", "level": "mild"}, "no pneumothorax"]})",
      counts);
  ASSERT_TRUE(lists_once.ok()) << lists_once.status().message();
  EXPECT_EQ(keyinfo_to_json_line(*lists_twice), keyinfo_to_json_line(*lists_once));
  EXPECT_EQ(lists_twice->entity.size(), 1u);
}

TEST(StandardizeTest, DeeplyNestedLinesAreRejectedWithAReason) {
  RepairCounts counts;
  for (const char* shape : {"[", "{\"x\":"}) {
    std::string open, close;
    for (int i = 0; i < 100000; ++i) {
      open += shape;
      close += shape[0] == '[' ? "]" : "}";
    }
    std::string line = "{\"study_id\": \"9\", \"entity\": " + open + "\"effusion\"" + close + "}";
    auto record = standardizer().RepairLine(line, counts);
    ASSERT_FALSE(record.ok()) << shape;
    EXPECT_NE(record.status().message().find("nested deeper than"), std::string::npos) << record.status().message();
  }
}
}  // namespace
}  // namespace cxrvqa
