// Metadata for corpora without mimic_all.csv: IU X-ray (with or without the projections
// table), R2Gen's annotation.json.
#include <gtest/gtest.h>

#include <map>

#include "corpus/metadata.h"
#include "test_util.h"

namespace cxrvqa {
namespace {

using testing::TempDir;
using testing::write_text;

constexpr const char* kIuCsv =
    "uid,MeSH,Problems,image,indication,comparison,findings,impression\n"
    "1,normal,normal,Xray Chest PA and Lateral,,,No effusion.,Normal.\n"
    "2,normal,normal,\"Chest, 2 views, frontal and lateral\",,,Small left effusion.,Effusion.\n"
    "3,normal,normal,AP portable chest,,,Cardiomegaly.,Cardiomegaly.\n"
    "4,normal,normal,Xray Chest PA and Lateral,,,Clear.,Normal.\n";

TEST(CorpusMetadata, IuWithoutImagesReadsEachReportAsOneFrontalImage) {
  TempDir dir;
  write_text(dir / "iu.csv", kIuCsv);
  CorpusMetadataSummary summary;
  auto records = build_corpus_metadata({CorpusKind::kIu, dir / "iu.csv", std::nullopt, 7}, &summary);
  ASSERT_TRUE(records.ok()) << records.status().ToString();
  ASSERT_EQ(records->size(), 4u);
  EXPECT_EQ((*records)[0].view, "postero-anterior");
  EXPECT_EQ((*records)[1].view, "postero-anterior");  // "frontal": PA, the usual chest film
  EXPECT_EQ((*records)[2].view, "antero-posterior");  // the description names AP only
  for (const StudyRecord& r : *records) {
    EXPECT_EQ(r.subject_id, r.study_id);  // one report per patient
    EXPECT_EQ(r.study_order, 1);
    EXPECT_TRUE(r.split == "train" || r.split == "validate" || r.split == "test") << r.split;
  }
  EXPECT_EQ(summary.assumed_frontal, 4u);
  EXPECT_EQ(summary.frontal, 4u);
  EXPECT_EQ(summary.drawn_splits, 4u);
  EXPECT_NE(summary.AssumedFrontalWarning().find("4 of 4 studies"), std::string::npos);
}

TEST(CorpusMetadata, ProjectionsGiveTheFrontalImagesAndLeaveLateralOnlyReportsOut) {
  TempDir dir;
  write_text(dir / "iu.csv", kIuCsv);
  write_text(dir / "projections.csv",
             "uid,filename,projection\n1,1_IM-0001-3001.dcm.png,Lateral\n1,1_IM-0001-4001.dcm.png,Frontal\n"
             "2,2_IM-0652-2001.dcm.png,Lateral\n3,3_IM-1384-1001.dcm.png,Frontal\n3,3_IM-1384-2001.dcm.png,Frontal\n");
  CorpusMetadataSummary summary;
  auto records = build_corpus_metadata({CorpusKind::kIu, dir / "iu.csv", dir / "projections.csv", 0}, &summary);
  ASSERT_TRUE(records.ok()) << records.status().ToString();
  std::map<std::string, StudyRecord> by_id;
  for (const StudyRecord& r : *records) by_id[r.study_id] = r;
  EXPECT_EQ(by_id["1"].dicom_id, "1_IM-0001-4001.dcm.png");  // the frontal one, not the first listed
  EXPECT_EQ(by_id["1"].view, "postero-anterior");
  EXPECT_EQ(by_id["2"].view, "lateral");
  EXPECT_EQ(by_id["3"].dicom_id, "3_IM-1384-1001.dcm.png");
  EXPECT_EQ(by_id["3"].view, "antero-posterior");
  EXPECT_EQ(by_id["4"].view, "");  // no image listed
  EXPECT_EQ(summary.assumed_frontal, 0u);
  EXPECT_EQ(summary.lateral_only, 1u);
  EXPECT_EQ(summary.without_images, 1u);
  EXPECT_EQ(summary.frontal, 2u);
  EXPECT_TRUE(summary.AssumedFrontalWarning().empty());
}

TEST(CorpusMetadata, DrawnSplitsArePerPatientSeededAndNearTheStatedRatios) {
  TempDir dir;
  std::string csv = "uid,image,findings,impression\n";
  for (int uid = 1; uid <= 3000; ++uid) csv += std::to_string(uid) + ",PA,Clear.,Normal.\n";
  write_text(dir / "iu.csv", csv);
  auto a = build_corpus_metadata({CorpusKind::kIu, dir / "iu.csv", std::nullopt, 1}, nullptr);
  auto b = build_corpus_metadata({CorpusKind::kIu, dir / "iu.csv", std::nullopt, 1}, nullptr);
  auto c = build_corpus_metadata({CorpusKind::kIu, dir / "iu.csv", std::nullopt, 2}, nullptr);
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  std::map<std::string, size_t> counts;
  size_t moved = 0;
  for (size_t i = 0; i < a->size(); ++i) {
    EXPECT_EQ((*a)[i].split, (*b)[i].split);
    moved += (*a)[i].split != (*c)[i].split;
    ++counts[(*a)[i].split];
  }
  EXPECT_GT(moved, 500u);  // another seed, another split
  EXPECT_NEAR(counts["train"] / 3000.0, kDrawnTrainShare, 0.03);
  EXPECT_NEAR(counts["validate"] / 3000.0, kDrawnValidateShare, 0.03);
  EXPECT_NEAR(counts["test"] / 3000.0, 1 - kDrawnTrainShare - kDrawnValidateShare, 0.03);
}

constexpr const char* kR2Gen = R"({
  "train": [{"id": "CXR2384_IM-0942", "report": "The heart is normal.", "image_path": ["CXR2384_IM-0942/0.png", "CXR2384_IM-0942/1.png"], "split": "train"},
            {"id": "02aa804e", "study_id": 50414267, "subject_id": 10000032, "report": "Small effusion.", "image_path": ["p10/p10000032/s50414267/02aa804e.jpg"], "split": "train"},
            {"id": "174413ec", "study_id": 50414267, "subject_id": 10000032, "report": "Small effusion.", "image_path": ["p10/p10000032/s50414267/174413ec.jpg"], "split": "train"},
            {"report": "no id"}],
  "val": [{"id": "CXR1000_IM-0003", "report": "Clear lungs.", "image_path": ["CXR1000_IM-0003/0.png"], "split": "val"}],
  "test": [{"id": "CXR5_IM-0001", "report": "", "image_path": [], "split": "test"}]
})";

TEST(R2Gen, ReadsEverySplitOnceperStudy) {
  TempDir dir;
  write_text(dir / "annotation.json", kR2Gen);
  std::vector<CorpusIssue> issues;
  auto studies = read_r2gen_annotation(dir / "annotation.json", issues);
  ASSERT_TRUE(studies.ok()) << studies.status().ToString();
  ASSERT_EQ(studies->size(), 4u);
  EXPECT_EQ((*studies)[0].study_id, "CXR2384_IM-0942");
  EXPECT_EQ((*studies)[0].images.size(), 2u);
  EXPECT_EQ((*studies)[1].study_id, "50414267");  // MIMIC-CXR: one study, two image entries
  EXPECT_EQ((*studies)[1].subject_id, "10000032");
  EXPECT_EQ((*studies)[2].split, "validate");
  ASSERT_EQ(issues.size(), 1u);
  EXPECT_NE(issues[0].reason.find("train[3]"), std::string::npos);

  auto reader = open_corpus(CorpusKind::kR2gen, dir / "annotation.json", std::nullopt);
  ASSERT_TRUE(reader.ok());
  Report report;
  std::vector<std::string> ids;
  while ((*reader)->Next(report)) ids.push_back(report.study_id);
  EXPECT_EQ(ids, (std::vector<std::string>{"CXR2384_IM-0942", "50414267", "CXR1000_IM-0003"}));  // the empty one is an issue
  EXPECT_EQ((*reader)->issues().size(), 2u);
}

TEST(R2Gen, MetadataKeepsItsSplitsAndTakesIuProjectionsByUid) {
  TempDir dir;
  write_text(dir / "annotation.json", kR2Gen);
  write_text(dir / "projections.csv", "uid,filename,projection\n2384,2384_IM-0942-1001.dcm.png,Frontal\n1000,1000_IM-0003-1001.dcm.png,Lateral\n");
  CorpusMetadataSummary summary;
  auto records = build_corpus_metadata({CorpusKind::kR2gen, dir / "annotation.json", std::nullopt, 0}, &summary);
  ASSERT_TRUE(records.ok());
  ASSERT_EQ(records->size(), 4u);
  EXPECT_EQ((*records)[0].dicom_id, "CXR2384_IM-0942/0.png");
  EXPECT_EQ((*records)[2].split, "validate");
  EXPECT_EQ(summary.drawn_splits, 0u);
  EXPECT_EQ(summary.assumed_frontal, 4u);
  auto projected = build_corpus_metadata({CorpusKind::kR2gen, dir / "annotation.json", dir / "projections.csv", 0}, nullptr);
  ASSERT_TRUE(projected.ok());
  EXPECT_EQ((*projected)[0].dicom_id, "2384_IM-0942-1001.dcm.png");
  EXPECT_EQ((*projected)[2].view, "lateral");
  EXPECT_FALSE(build_corpus_metadata({CorpusKind::kMimic, dir / "annotation.json", std::nullopt, 0}, nullptr).ok());
}

}  // namespace
}  // namespace cxrvqa
