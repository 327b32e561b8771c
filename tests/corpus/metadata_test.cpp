#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <zlib.h>

#include "corpus/metadata.h"
#include "test_util.h"

namespace cxrvqa {
namespace {

using ::testing::ElementsAre;
using testing::TempDir;
using testing::write_text;

void write_gzip(const std::filesystem::path& path, const std::string& text) {
  gzFile file = gzopen(path.string().c_str(), "wb");
  ASSERT_NE(file, nullptr);
  ASSERT_EQ(gzwrite(file, text.data(), static_cast<unsigned>(text.size())), static_cast<int>(text.size()));
  gzclose(file);
}

TEST(ViewKind, ClassifiesPositionsAndCodeMeanings) {
  EXPECT_EQ(view_kind("PA"), ViewKind::kPA);
  EXPECT_EQ(view_kind("postero-anterior"), ViewKind::kPA);
  EXPECT_EQ(view_kind(" AP "), ViewKind::kAP);
  EXPECT_EQ(view_kind("antero-posterior"), ViewKind::kAP);
  EXPECT_EQ(view_kind("LATERAL"), ViewKind::kLateral);
  EXPECT_EQ(view_kind("lateral"), ViewKind::kLateral);
  EXPECT_EQ(view_kind("LL"), ViewKind::kLateral);
  EXPECT_EQ(view_kind("left lateral"), ViewKind::kLateral);
  EXPECT_EQ(view_kind("LAO"), ViewKind::kOther);
  EXPECT_EQ(view_kind(""), ViewKind::kOther);
  EXPECT_TRUE(is_frontal(view_kind("AP")));
  EXPECT_FALSE(is_frontal(view_kind("LL")));
}

TEST(MimicAll, WriteThenReadRoundTrips) {
  TempDir dir;
  std::vector<StudyRecord> records = {
      {"10000001", "50000001", "d-1", "postero-anterior", "train", "21800101", 1},
      {"10000001", "50000002", "d,2", "lateral", "", "21800102", 2}};
  ASSERT_TRUE(write_mimic_all(dir / "mimic_all.csv", records).ok());
  std::vector<CorpusIssue> issues;
  auto read = read_mimic_all(dir / "mimic_all.csv", issues);
  ASSERT_TRUE(read.ok());
  ASSERT_EQ(read->size(), 2u);
  EXPECT_EQ((*read)[1].dicom_id, "d,2");
  EXPECT_EQ((*read)[1].study_order, 2);
  EXPECT_EQ((*read)[0].view, "postero-anterior");
  EXPECT_TRUE(issues.empty());
}

TEST(MimicAll, ReportsBrokenRowsAndReadsFloatOrders) {
  TempDir dir;
  write_text(dir / "m.csv",
             "study_id,subject_id,study_order\n50000001,10000001,2.0\n50000002,10000001\n,10000001,1\n"
             "50000003,10000002,\n");
  std::vector<CorpusIssue> issues;
  auto read = read_mimic_all(dir / "m.csv", issues);
  ASSERT_TRUE(read.ok());
  ASSERT_EQ(read->size(), 2u);
  EXPECT_EQ((*read)[0].study_order, 2);
  EXPECT_EQ((*read)[1].study_id, "50000003");
  EXPECT_EQ((*read)[1].study_order, 0);  // empty: unknown
  ASSERT_EQ(issues.size(), 2u);
  EXPECT_EQ(issues[0].line, 3u);
  EXPECT_EQ(issues[1].kind(), "broken row");
  EXPECT_FALSE(read_mimic_all(dir / "absent.csv", issues).ok());
  write_text(dir / "noid.csv", "subject_id\n1\n");
  EXPECT_FALSE(read_mimic_all(dir / "noid.csv", issues).ok());
}

TEST(MimicAll, AStudyOrderThatIsNoIntegerStopsWithFileAndLine) {
  TempDir dir;
  for (const char* bad : {"x", "1.5", "2.0.0", "1e3"}) {
    write_text(dir / "m.csv", std::string("study_id,study_order\n50000001,1\n50000002,") + bad + "\n");
    std::vector<CorpusIssue> issues;
    auto read = read_mimic_all(dir / "m.csv", issues);
    ASSERT_FALSE(read.ok()) << bad;
    EXPECT_NE(read.status().message().find("m.csv:3"), std::string::npos) << read.status().message();
    EXPECT_NE(read.status().message().find("50000002"), std::string::npos);
  }
}

// The layout the original tooling writes: the CheXpert columns, then dicom_id, view, split,
// study_date and a float study_order.
TEST(MimicAll, ReadsTheOriginalLayout) {
  TempDir dir;
  write_text(dir / "mimic_all.csv",
             "subject_id,study_id,Atelectasis,Cardiomegaly,No Finding,dicom_id,view,split,study_date,study_order\n"
             "10000032,50414267,,,1.0,02aa804e,postero-anterior,train,2180-05-06,1.0\n"
             "10000032,53189527,,1.0,,2a2277a9,antero-posterior,train,2180-06-26,2.0\n");
  std::vector<CorpusIssue> issues;
  auto read = read_mimic_all(dir / "mimic_all.csv", issues);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  ASSERT_EQ(read->size(), 2u);
  EXPECT_TRUE(issues.empty());
  const StudyRecord& second = (*read)[1];
  EXPECT_EQ(second.subject_id, "10000032");
  EXPECT_EQ(second.dicom_id, "2a2277a9");
  EXPECT_EQ(second.view, "antero-posterior");
  EXPECT_EQ(second.split, "train");
  EXPECT_EQ(second.study_order, 2);
}

TEST(StudyIndex, FindsRecordsByStudy) {
  auto records = std::make_shared<const std::vector<StudyRecord>>(std::vector<StudyRecord>{
      {"1", "a", "", "", "", "", 1}, {"1", "b", "", "", "", "", 2}, {"2", "a", "", "", "", "", 9}});
  StudyIndex index(records);
  ASSERT_NE(index.Find("b"), nullptr);
  EXPECT_EQ(index.Find("b")->study_order, 2);
  EXPECT_EQ(index.Find("a")->subject_id, "1");
  EXPECT_EQ(index.Find("zz"), nullptr);
  EXPECT_EQ(StudyIndex().Find("a"), nullptr);
}

// Hand-made MIMIC-CXR-JPG tables: subject 10000001 has four studies (two on the same date
// and time), one of them with lateral images only; one row is broken.
class PrepareMetadata : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string header =
        "dicom_id,subject_id,study_id,PerformedProcedureStepDescription,ViewPosition,Rows,Columns,"
        "StudyDate,StudyTime,ProcedureCodeSequence_CodeMeaning,ViewCodeSequence_CodeMeaning,"
        "PatientOrientationCodeSequence_CodeMeaning\n";
    write_gzip(dir_ / "metadata.csv.gz",
               header +
               "lat1,10000001,50000001,CHEST,LATERAL,1,1,21800506,213014.531,CHEST,lateral,Erect\n"
               "ap1,10000001,50000001,CHEST,AP,1,1,21800506,213014.531,CHEST,antero-posterior,Erect\n"
               "pa1,10000001,50000001,CHEST,PA,1,1,21800506,213014.531,CHEST,postero-anterior,Erect\n"
               "ll2,10000001,50000002,CHEST,LL,1,1,21800101,80556.875,CHEST,left lateral,Erect\n"
               "ap3,10000001,50000003,CHEST,AP,1,1,21800506,213014.531,CHEST,,Erect\n"
               "ap4,10000001,50000004,CHEST,AP,1,1,21800506,235900,CHEST,antero-posterior,Erect\n"
               "pa5,10000002,50000005,CHEST,PA,1,1,21810101,000100,CHEST,postero-anterior,Erect\n"
               "bad,10000002,50000006,CHEST,PA,1,1,not-a-date,1,CHEST,postero-anterior,Erect\n"
               "short,10000002\n");
    write_text(dir_ / "split.csv",
               "dicom_id,study_id,subject_id,split\nlat1,50000001,10000001,train\n"
               "pa1,50000001,10000001,train\nll2,50000002,10000001,train\n"
               "ap3,50000003,10000001,train\nap4,50000004,10000001,train\n");
    write_gzip(dir_ / "chexpert.csv.gz",
               "subject_id,study_id,Atelectasis,Cardiomegaly\n10000001,50000001,1.0,\n"
               "10000001,50000002,,\n10000001,50000003,,\n10000001,50000004,,-1.0\n");
  }
  TempDir dir_;
};

TEST_F(PrepareMetadata, OneRowPerStudyWithFrontalImageAndRankedOrder) {
  MimicTablesSummary summary;
  auto records = build_mimic_all({dir_ / "metadata.csv.gz", dir_ / "split.csv", dir_ / "chexpert.csv.gz"},
                                 &summary);
  ASSERT_TRUE(records.ok()) << records.status().ToString();
  std::vector<std::string> rows;
  for (const auto& r : *records) {
    rows.push_back(r.subject_id + " " + r.study_id + " " + r.dicom_id + " " + r.view + " " +
                   r.split + " " + r.study_date + " " + std::to_string(r.study_order));
  }
  EXPECT_THAT(rows, ElementsAre("10000001 50000002 ll2 left lateral train 21800101 1",
                                "10000001 50000001 pa1 postero-anterior train 21800506 2",
                                "10000001 50000003 ap3 AP train 21800506 2",
                                "10000001 50000004 ap4 antero-posterior train 21800506 4",
                                "10000002 50000005 pa5 postero-anterior  21810101 1"));
  EXPECT_EQ(summary.image_rows, 7u);
  EXPECT_EQ(summary.studies, 5u);
  EXPECT_EQ(summary.subjects, 2u);
  EXPECT_EQ(summary.frontal_studies, 4u);
  EXPECT_EQ(summary.without_split, 1u);
  EXPECT_EQ(summary.chexpert_missing, 1u);
  ASSERT_EQ(summary.issues.size(), 2u);
  EXPECT_EQ(summary.issues[0].line, 9u);
  EXPECT_EQ(summary.issues[0].reason, "broken row: bad StudyDate");
  EXPECT_EQ(summary.issues[1].line, 10u);
}

TEST_F(PrepareMetadata, OutputReadsBackAsMimicAll) {
  auto records = build_mimic_all({dir_ / "metadata.csv.gz", dir_ / "split.csv", std::nullopt}, nullptr);
  ASSERT_TRUE(records.ok());
  ASSERT_TRUE(write_mimic_all(dir_ / "mimic_all.csv", *records).ok());
  EXPECT_EQ(testing::read_text(dir_ / "mimic_all.csv").substr(0, 62),
            "subject_id,study_id,dicom_id,view,split,study_date,study_order");
  std::vector<CorpusIssue> issues;
  auto read = read_mimic_all(dir_ / "mimic_all.csv", issues);
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(read->size(), records->size());
  EXPECT_TRUE(issues.empty());
}

TEST_F(PrepareMetadata, MissingTableOrColumnIsAnError) {
  EXPECT_FALSE(build_mimic_all({dir_ / "absent.csv", dir_ / "split.csv", std::nullopt}, nullptr).ok());
  write_text(dir_ / "noview.csv", "dicom_id,subject_id,study_id,StudyDate\na,1,2,21800101\n");
  auto result = build_mimic_all({dir_ / "noview.csv", dir_ / "split.csv", std::nullopt}, nullptr);
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.status().message().find("ViewPosition"), std::string::npos);
}

}  // namespace
}  // namespace cxrvqa
