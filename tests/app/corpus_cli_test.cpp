// End to end: `cxrvqa prepare-metadata` on hand-made MIMIC-CXR-JPG tables and
// `cxrvqa extract` on the demo corpus and on broken input.
#include <gtest/gtest.h>
#include <zlib.h>

#include <nlohmann/json.hpp>

#include "test_util.h"

namespace cxrvqa {
namespace {

using testing::TempDir;
using testing::quoted;
using testing::read_text;
using testing::run_cxrvqa;
using testing::write_text;

std::vector<nlohmann::json> read_jsonl(const std::filesystem::path& path) {
  std::vector<nlohmann::json> records;
  std::istringstream in(read_text(path));
  for (std::string line; std::getline(in, line);) records.push_back(nlohmann::json::parse(line));
  return records;
}

const std::filesystem::path kDemo = std::filesystem::path(CXRVQA_SOURCE_DIR) / "data/demo/mimic";

TEST(PrepareMetadataCli, WritesOneRowPerStudyFromGzipTables) {
  TempDir dir;
  std::string metadata =
      "dicom_id,subject_id,study_id,ViewPosition,StudyDate,StudyTime,ViewCodeSequence_CodeMeaning\n"
      "l1,10000001,50000001,LATERAL,21800506,100000,lateral\n"
      "p1,10000001,50000001,PA,21800506,100000,postero-anterior\n"
      "a2,10000001,50000002,AP,21800101,90000,antero-posterior\n";
  gzFile file = gzopen((dir / "meta.csv.gz").string().c_str(), "wb");
  ASSERT_NE(file, nullptr);
  gzwrite(file, metadata.data(), static_cast<unsigned>(metadata.size()));
  gzclose(file);
  write_text(dir / "split.csv", "dicom_id,study_id,subject_id,split\np1,50000001,10000001,test\na2,50000002,10000001,test\n");
  std::string output;
  ASSERT_EQ(run_cxrvqa("prepare-metadata --metadata " + quoted(dir / "meta.csv.gz") + " --split " +
                           quoted(dir / "split.csv") + " --out " + quoted(dir / "mimic_all.csv"),
                       &output),
            0)
      << output;
  EXPECT_EQ(read_text(dir / "mimic_all.csv"),
            "subject_id,study_id,dicom_id,view,split,study_date,study_order\n"
            "10000001,50000002,a2,antero-posterior,test,21800101,1\n"
            "10000001,50000001,p1,postero-anterior,test,21800506,2\n");
  EXPECT_NE(output.find("2 studies of 1 subjects"), std::string::npos) << output;
}

TEST(ExtractCli, DemoCorpusOutputDoesNotDependOnThreads) {
  TempDir dir;
  std::string common = "extract --corpus mimic --reports " + quoted(kDemo) + " --metadata " +
                       quoted(kDemo / "mimic_all.csv") + " --batch-size 7";
  std::string output;
  ASSERT_EQ(run_cxrvqa(common + " --threads 1 --out " + quoted(dir / "one.jsonl"), &output), 0) << output;
  EXPECT_NE(output.find("30 reports read, 30 records written"), std::string::npos) << output;
  ASSERT_EQ(run_cxrvqa(common + " --threads 4 --out " + quoted(dir / "four.jsonl"), &output), 0) << output;
  EXPECT_EQ(read_text(dir / "one.jsonl"), read_text(dir / "four.jsonl"));

  auto records = read_jsonl(dir / "one.jsonl");
  ASSERT_EQ(records.size(), 30u);
  EXPECT_EQ(records[0]["study_id"], "50000011");
  EXPECT_EQ(records[0]["subject_id"], "10000001");
  EXPECT_EQ(records[0]["view"], "postero-anterior");
  EXPECT_EQ(records[0]["split"], "train");
  EXPECT_EQ(records[3]["study_order"], 3);  // same date as the study before it
  EXPECT_EQ(records[29]["split"], "test");
  size_t with_findings = 0;
  for (const auto& record : records) with_findings += !record["entity"].empty();
  EXPECT_GE(with_findings, 15u);
}

TEST(ExtractCli, BrokenRowsAreCountedNotFatal) {
  TempDir dir;
  write_text(dir / "r.csv",
             "study_id,text\nA,Small left pleural effusion.\n,No id here.\nB,\"unclosed\nC,\n"
             "D,Mild cardiomegaly.\n");
  std::string output;
  ASSERT_EQ(run_cxrvqa("extract --corpus csv --reports " + quoted(dir / "r.csv") + " --out " +
                           quoted(dir / "k.jsonl"),
                       &output),
            0)
      << output;
  auto records = read_jsonl(dir / "k.jsonl");
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[1]["study_id"], "D");
  EXPECT_NE(output.find("broken row: 2"), std::string::npos) << output;
  EXPECT_NE(output.find("empty report: 1"), std::string::npos) << output;
  EXPECT_NE(output.find("r.csv:3"), std::string::npos) << output;
}

TEST(ExtractCli, MissingInputFails) {
  TempDir dir;
  std::string output;
  EXPECT_NE(run_cxrvqa("extract --corpus iu --reports " + quoted(dir / "absent.csv") + " --out " +
                           quoted(dir / "k.jsonl"),
                       &output),
            0);
  EXPECT_NE(output.find("absent.csv"), std::string::npos) << output;
}

}  // namespace
}  // namespace cxrvqa
