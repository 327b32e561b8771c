#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "common/csv.h"
#include "corpus/metadata.h"
#include "corpus/report.h"
#include "test_util.h"

namespace cxrvqa {
namespace {

using ::testing::ElementsAre;
using testing::TempDir;
using testing::write_text;

std::vector<Report> read_all(CorpusReader& reader) {
  std::vector<Report> reports;
  Report report;
  while (reader.Next(report)) reports.push_back(report);
  return reports;
}

std::vector<std::string> study_ids(const std::vector<Report>& reports) {
  std::vector<std::string> ids;
  for (const auto& r : reports) ids.push_back(r.study_id);
  return ids;
}

std::vector<std::string> issue_kinds(const CorpusReader& reader) {
  std::vector<std::string> kinds;
  for (const auto& issue : reader.issues()) kinds.push_back(issue.kind());
  return kinds;
}

std::unique_ptr<CorpusReader> open_or_die(CorpusKind kind, const std::filesystem::path& path,
                                          const std::optional<std::filesystem::path>& metadata = {}) {
  auto reader = open_corpus(kind, path, metadata);
  EXPECT_TRUE(reader.ok()) << reader.status().ToString();
  return reader.ok() ? std::move(*reader) : nullptr;
}

TEST(CorpusKind, ParsesNamesCaseInsensitively) {
  EXPECT_EQ(*parse_corpus_kind("MIMIC"), CorpusKind::kMimic);
  EXPECT_EQ(*parse_corpus_kind("iu"), CorpusKind::kIu);
  EXPECT_EQ(*parse_corpus_kind("csv"), CorpusKind::kCsv);
  EXPECT_EQ(*parse_corpus_kind("jsonl"), CorpusKind::kJsonl);
  EXPECT_FALSE(parse_corpus_kind("xml").ok());
}

TEST(CorpusIssue, FormatsFileLineAndStudy) {
  CorpusIssue issue{"a.csv", 12, "55", "broken row: unclosed quote"};
  EXPECT_EQ(issue.ToString(), "a.csv:12 study 55: broken row: unclosed quote");
  EXPECT_EQ(issue.kind(), "broken row");
  EXPECT_EQ((CorpusIssue{"s1.txt", 0, "", "missing file"}).ToString(), "s1.txt: missing file");
}

// A small MIMIC tree: two subjects, an image folder beside the reports, an empty report and
// a report with a byte that is not UTF-8.
class MimicTree : public ::testing::Test {
 protected:
  void SetUp() override {
    write_text(dir_ / "files/p10/p10000002/s50000003.txt", "FINDINGS: Small left effusion.\n");
    write_text(dir_ / "files/p10/p10000001/s50000002.txt", "IMPRESSION: Normal.\n");
    write_text(dir_ / "files/p10/p10000001/s50000001.txt", "FINDINGS: Clear lungs.\n");
    write_text(dir_ / "files/p10/p10000001/s50000009.txt", "  \n \n");
    write_text(dir_ / "files/p11/p11000001/s51000001.txt", "FINDINGS: Caf\xE9 au lait.\n");
    std::filesystem::create_directories(dir_ / "files/p10/p10000001/s50000001");  // images
    write_text(dir_ / "files/p10/p10000001/notes.md", "not a report");
  }
  TempDir dir_;
};

TEST_F(MimicTree, WalksTheTreeInSortedOrder) {
  auto reader = open_or_die(CorpusKind::kMimic, dir_.path());
  auto reports = read_all(*reader);
  EXPECT_THAT(study_ids(reports), ElementsAre("50000001", "50000002", "50000003", "51000001"));
  EXPECT_EQ(reports[0].subject_id, "10000001");
  EXPECT_EQ(reports[2].subject_id, "10000002");
  EXPECT_EQ(reports[0].text, "FINDINGS: Clear lungs.\n");
  EXPECT_EQ(reports[3].text, "FINDINGS: Caf\xEF\xBF\xBD au lait.\n");
  EXPECT_THAT(issue_kinds(*reader), ElementsAre("empty report", "invalid UTF-8"));
  EXPECT_EQ(reader->issues()[0].study_id, "50000009");
  EXPECT_NE(reader->issues()[1].file.find("s51000001.txt"), std::string::npos);
  EXPECT_TRUE(reader->status().ok());
}

TEST_F(MimicTree, AcceptsTheFilesFolderItself) {
  auto reader = open_or_die(CorpusKind::kMimic, dir_ / "files");
  EXPECT_EQ(read_all(*reader).size(), 4u);
}

TEST_F(MimicTree, FollowsMetadataOrderAndReportsMissingFiles) {
  write_text(dir_ / "mimic_all.csv",
             "subject_id,study_id,dicom_id,view,split,study_date,study_order\n"
             "10000002,50000003,d3,postero-anterior,train,21800101,1\n"
             "10000001,50000002,d2,antero-posterior,train,21800105,2\n"
             "10000001,50000404,d4,lateral,train,21800106,3\n"
             "10000001,50000001,d1,postero-anterior,train,21800101,1\n"
             "10000001,50000002,d2,antero-posterior,train,21800105,2\n"
             ",50000005,d5,postero-anterior,test,21800101,1\n");
  auto reader = open_or_die(CorpusKind::kMimic, dir_.path(), dir_ / "mimic_all.csv");
  EXPECT_EQ(reader->total_hint(), 6u);
  auto reports = read_all(*reader);
  EXPECT_THAT(study_ids(reports), ElementsAre("50000003", "50000002", "50000001"));
  EXPECT_THAT(issue_kinds(*reader), ElementsAre("missing file", "duplicate study", "no subject_id"));
  EXPECT_EQ(reader->issues()[0].study_id, "50000404");
}

TEST(MimicCorpus, MissingFolderIsAnError) {
  TempDir dir;
  EXPECT_FALSE(open_corpus(CorpusKind::kMimic, dir / "nothing", std::nullopt).ok());
  EXPECT_FALSE(open_corpus(CorpusKind::kMimic, dir.path(), dir / "absent.csv").ok());
}

TEST(MimicCorpus, DemoCorpusReadsCleanly) {
  std::filesystem::path demo = std::filesystem::path(CXRVQA_SOURCE_DIR) / "data/demo/mimic";
  std::vector<CorpusIssue> issues;
  auto records = read_mimic_all(demo / "mimic_all.csv", issues);
  ASSERT_TRUE(records.ok());
  EXPECT_TRUE(issues.empty());
  auto reader = open_or_die(CorpusKind::kMimic, demo, demo / "mimic_all.csv");
  auto reports = read_all(*reader);
  ASSERT_EQ(reports.size(), records->size());
  for (size_t i = 0; i < reports.size(); ++i) {
    EXPECT_EQ(reports[i].study_id, (*records)[i].study_id);
    EXPECT_EQ(reports[i].subject_id, (*records)[i].subject_id);
  }
  EXPECT_TRUE(reader->issues().empty());
  // Walking the tree finds the same studies.
  auto walker = open_or_die(CorpusKind::kMimic, demo);
  EXPECT_EQ(read_all(*walker).size(), records->size());
}

TEST(IuCorpus, ComposesFindingsAndImpressionAndReportsBrokenRows) {
  TempDir dir;
  write_text(dir / "iu.csv",
             "uid,MeSH,Problems,image,indication,comparison,findings,impression\n"
             "1,normal,normal,Xray,Cough.,None.,The lungs are clear. No XXXX of effusion.,Normal chest x-XXXX.\n"
             "2,Opacity,Opacity,Xray,,,\"Opacity, right base.\nNo effusion.\",\n"
             "3,normal,normal,Xray,,,,\n"
             "4,normal,normal,Xray,,,too,many,fields\n"
             "5,normal,normal,Xray,,,\"unclosed,No acute disease.\n"
             "6,normal,normal,Xray,,,,No acute disease.\n");
  auto reader = open_or_die(CorpusKind::kIu, dir / "iu.csv");
  auto reports = read_all(*reader);
  ASSERT_THAT(study_ids(reports), ElementsAre("1", "2", "6"));
  EXPECT_EQ(reports[0].text,
            "FINDINGS: The lungs are clear. No XXXX of effusion.\nIMPRESSION: Normal chest x-XXXX.");
  EXPECT_EQ(reports[1].text, "FINDINGS: Opacity, right base.\nNo effusion.");
  EXPECT_EQ(reports[2].text, "IMPRESSION: No acute disease.");
  EXPECT_EQ(reports[0].subject_id, "");
  EXPECT_EQ(reports[1].source, (dir / "iu.csv").string() + ":3");
  EXPECT_THAT(issue_kinds(*reader), ElementsAre("empty report", "broken row", "broken row"));
  EXPECT_EQ(reader->issues()[0].line, 5u);
  EXPECT_EQ(reader->issues()[1].line, 6u);
  EXPECT_EQ(reader->issues()[2].line, 7u);
}

TEST(IuCorpus, MissingColumnIsAnError) {
  TempDir dir;
  write_text(dir / "iu.csv", "uid,findings\n1,clear\n");
  auto reader = open_corpus(CorpusKind::kIu, dir / "iu.csv", std::nullopt);
  ASSERT_FALSE(reader.ok());
  EXPECT_NE(reader.status().message().find("impression"), std::string::npos);
}

// The real IU development reports: every row is read; the only issues are rows whose
// findings and impression are both blank.
TEST(IuCorpus, ReadsTheRealDevelopmentReports) {
  CXRVQA_REQUIRE_SHARED_DATA(shared);
  std::filesystem::path file = shared / "iu_xray" / "iu_reports_dev.csv";
  size_t rows = 0, blank_rows = 0;
  {
    auto csv = CsvReader::Open(file);
    ASSERT_TRUE(csv.ok());
    auto cols = (*csv)->require_columns({"findings", "impression"});
    ASSERT_TRUE(cols.ok());
    CsvRow row;
    while ((*csv)->Next(row)) {
      ++rows;
      blank_rows += row.get((*cols)[0]).empty() && row.get((*cols)[1]).empty();
    }
  }
  EXPECT_EQ(rows, 2575u);
  auto reader = open_or_die(CorpusKind::kIu, file);
  auto reports = read_all(*reader);
  EXPECT_EQ(reports.size() + reader->issues().size(), rows);
  EXPECT_EQ(reader->issues().size(), blank_rows);
  for (const auto& issue : reader->issues()) EXPECT_EQ(issue.kind(), "empty report");
  EXPECT_EQ(reports.front().study_id, "1");
  EXPECT_NE(reports.front().text.find("XXXX"), std::string::npos);
}

TEST(GenericCsvCorpus, ReadsIdsTextAndOptionalSubject) {
  TempDir dir;
  write_text(dir / "with.csv", "study_id,subject_id,text\nA1,P1,Clear lungs.\n,P2,No id.\nA3,P3,\"Two\nlines\"\n");
  auto reader = open_or_die(CorpusKind::kCsv, dir / "with.csv");
  auto reports = read_all(*reader);
  ASSERT_THAT(study_ids(reports), ElementsAre("A1", "A3"));
  EXPECT_EQ(reports[0].subject_id, "P1");
  EXPECT_EQ(reports[1].text, "Two\nlines");
  EXPECT_THAT(issue_kinds(*reader), ElementsAre("broken row"));
  EXPECT_EQ(reader->issues()[0].line, 3u);

  write_text(dir / "without.csv", "text,study_id\nNormal.,7\n");
  auto plain = open_or_die(CorpusKind::kCsv, dir / "without.csv");
  auto plain_reports = read_all(*plain);
  ASSERT_EQ(plain_reports.size(), 1u);
  EXPECT_EQ(plain_reports[0].study_id, "7");
  EXPECT_EQ(plain_reports[0].subject_id, "");
}

TEST(JsonlCorpus, ReadsObjectsAndReportsBrokenLines) {
  TempDir dir;
  write_text(dir / "r.jsonl",
             "{\"study_id\": 50000001, \"subject_id\": 10000001, \"text\": \"Clear lungs.\"}\n"
             "\n"
             "{\"study_id\": \"s2\", \"text\": \"Small effusion.\"\n"
             "{\"study_id\": \"s3\"}\n"
             "[1, 2]\n"
             "{\"study_id\": \"s4\", \"text\": \"\"}\n"
             "{\"study_id\": \"s5\", \"text\": \"Edema.\"}\n");
  auto reader = open_or_die(CorpusKind::kJsonl, dir / "r.jsonl");
  auto reports = read_all(*reader);
  ASSERT_THAT(study_ids(reports), ElementsAre("50000001", "s5"));
  EXPECT_EQ(reports[0].subject_id, "10000001");
  EXPECT_EQ(reports[1].source, (dir / "r.jsonl").string() + ":7");
  EXPECT_THAT(issue_kinds(*reader), ElementsAre("broken row", "broken row", "broken row", "empty report"));
  EXPECT_EQ(reader->issues()[0].line, 3u);
  EXPECT_EQ(reader->issues()[1].study_id, "s3");
  EXPECT_EQ(reader->issues()[3].line, 6u);
}

TEST(RowCorpora, MissingFileIsAnError) {
  TempDir dir;
  for (CorpusKind kind : {CorpusKind::kIu, CorpusKind::kCsv, CorpusKind::kJsonl}) {
    EXPECT_FALSE(open_corpus(kind, dir / "absent", std::nullopt).ok()) << corpus_kind_name(kind);
  }
}

}  // namespace
}  // namespace cxrvqa
