#include "eval/gold.h"

#include <gtest/gtest.h>

#include "test_util.h"

namespace cxrvqa {
namespace {

using testing::TempDir;
using testing::write_text;

TEST(GoldReaders, IuMeshTermsSidesAndLevels) {
  TempDir dir;
  write_text(dir / "mesh.csv",
             "uid,MeSH,Problems,image,indication,comparison,findings,impression\n"
             "1,normal,normal,x,,,\"Clear lungs.\",Normal.\n"
             "2,Pleural Effusion/left/small;Opacity/lung/base/bilateral/patchy,a,x,,,f,i\n"
             "3,No Indexing,,x,,,f,i\n"
             "4,\"Catheters, Indwelling/right\",,x,,,f,i\n"
             "5,Subcutaneous  Emphysema/right;Cardiomegaly/borderline,,x,,,f,i\n");
  std::vector<LineError> errors;
  GoldReadStats stats;
  auto gold = read_iu_mesh_gold(dir / "mesh.csv", errors, &stats);
  ASSERT_TRUE(gold.ok()) << gold.status().ToString();
  EXPECT_TRUE(errors.empty());
  EXPECT_EQ(stats.rows, 5u);
  EXPECT_EQ(stats.unannotated, 1u);  // "No Indexing" only
  ASSERT_EQ(gold->size(), 4u);

  EXPECT_EQ((*gold)[0].study_id, "1");
  EXPECT_TRUE((*gold)[0].normal);
  EXPECT_TRUE((*gold)[0].terms.empty());

  const GoldStudy& two = (*gold)[1];
  EXPECT_FALSE(two.normal);
  ASSERT_EQ(two.terms.size(), 2u);
  EXPECT_EQ(two.terms[0].term, "Pleural Effusion/left/small");
  EXPECT_EQ(two.terms[0].side, Side::kLeft);
  EXPECT_EQ(two.terms[0].level, "small");
  EXPECT_EQ(two.terms[1].side, Side::kBilateral);
  EXPECT_FALSE(two.terms[1].level.has_value());

  // A device term is kept as a term; the map decides to ignore it.
  EXPECT_EQ((*gold)[2].terms.size(), 1u);
  EXPECT_FALSE((*gold)[2].normal);

  const GoldStudy& five = (*gold)[3];
  EXPECT_EQ(five.terms[0].term, "Subcutaneous Emphysema/right");
  EXPECT_EQ(five.terms[1].level, "borderline");
  EXPECT_FALSE(five.terms[1].side.has_value());
}

TEST(GoldReaders, IuMeshBadRowsAreReportedAndDuplicatesCounted) {
  TempDir dir;
  write_text(dir / "mesh.csv",
             "uid,MeSH,findings\n"
             "1,Cardiomegaly,f\n"
             ",Cardiomegaly,f\n"
             "1,normal,f\n"
             "2,\"Nodule,f\n");
  std::vector<LineError> errors;
  GoldReadStats stats;
  auto gold = read_iu_mesh_gold(dir / "mesh.csv", errors, &stats);
  ASSERT_TRUE(gold.ok());
  ASSERT_EQ(gold->size(), 1u);
  EXPECT_EQ((*gold)[0].terms.size(), 1u);  // the first row with id 1 wins
  EXPECT_EQ(stats.duplicates, 1u);
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0].line, 3u);
  EXPECT_NE(errors[0].message.find("uid"), std::string::npos);
  EXPECT_EQ(errors[1].line, 5u);
}

TEST(GoldReaders, IuMeshMissingColumnIsAnError) {
  TempDir dir;
  write_text(dir / "mesh.csv", "uid,findings\n1,f\n");
  std::vector<LineError> errors;
  auto gold = read_iu_mesh_gold(dir / "mesh.csv", errors);
  ASSERT_FALSE(gold.ok());
  EXPECT_NE(gold.status().message().find("MeSH"), std::string::npos);
}

TEST(GoldReaders, OpenI14ColumnsBecomeTerms) {
  TempDir dir;
  write_text(dir / "gold.csv",
             "filename,Atelectasis,Cardiomegaly,Effusion,normal\n"
             "CXR1,0,0,0,1\n"
             "CXR10,1,0,1,0\n"
             "CXR11,0,2,0,0\n"
             "CXR12,0,0,0,0\n");
  std::vector<LineError> errors;
  auto gold = read_openi14_gold(dir / "gold.csv", errors);
  ASSERT_TRUE(gold.ok()) << gold.status().ToString();
  ASSERT_EQ(gold->size(), 3u);
  EXPECT_EQ((*gold)[0].study_id, "1");
  EXPECT_TRUE((*gold)[0].normal);
  EXPECT_TRUE((*gold)[0].terms.empty());
  EXPECT_EQ((*gold)[1].study_id, "10");
  ASSERT_EQ((*gold)[1].terms.size(), 2u);
  EXPECT_EQ((*gold)[1].terms[0].term, "Atelectasis");
  EXPECT_EQ((*gold)[1].terms[1].term, "Effusion");
  // All zero: abnormal outside the 14 findings, not normal.
  EXPECT_FALSE((*gold)[2].normal);
  EXPECT_TRUE((*gold)[2].terms.empty());
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].line, 4u);
  EXPECT_NE(errors[0].message.find("Cardiomegaly"), std::string::npos);
}

TEST(GoldReaders, KeyInfoEntitiesAreTerms) {
  TempDir dir;
  write_text(dir / "gold.jsonl",
             "{\"study_id\":\"7\",\"entity\":{\"pleural effusion\":{\"location\":\"left and right\","
             "\"level\":\"small\",\"type\":null,\"post_location\":null}},"
             "\"uncertain_entity\":[\"pneumonia\"],\"no_entity\":[\"pneumothorax\"]}\n"
             "{\"study_id\":8,\"entity\":{},\"uncertain_entity\":[],\"no_entity\":[]}\n"
             "not json\n");
  std::vector<LineError> errors;
  auto gold = read_keyinfo_gold(dir / "gold.jsonl", errors);
  ASSERT_TRUE(gold.ok());
  ASSERT_EQ(gold->size(), 2u);
  ASSERT_EQ((*gold)[0].terms.size(), 1u);
  EXPECT_EQ((*gold)[0].terms[0].term, "pleural effusion");
  EXPECT_EQ((*gold)[0].terms[0].side, Side::kBilateral);
  EXPECT_EQ((*gold)[0].terms[0].level, "small");
  EXPECT_FALSE((*gold)[0].normal);
  EXPECT_EQ((*gold)[1].study_id, "8");
  EXPECT_TRUE((*gold)[1].normal);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].line, 3u);
}

TEST(GoldReaders, StudyIdsAndSides) {
  EXPECT_EQ(normalize_study_id("CXR123"), "123");
  EXPECT_EQ(normalize_study_id(" cxr9 "), "9");
  EXPECT_EQ(normalize_study_id("CXR12a"), "CXR12a");
  EXPECT_EQ(normalize_study_id("50000001"), "50000001");
  EXPECT_EQ(side_from_text("left lower lobe"), Side::kLeft);
  EXPECT_EQ(side_from_text("Right base"), Side::kRight);
  EXPECT_EQ(side_from_text("left and right"), Side::kBilateral);
  EXPECT_EQ(side_from_text("bibasilar"), Side::kBilateral);
  EXPECT_FALSE(side_from_text("lung base").has_value());
  EXPECT_TRUE(parse_gold_format("openi14").ok());
  EXPECT_FALSE(parse_gold_format("chexpert").ok());
}

}  // namespace
}  // namespace cxrvqa
