// Corpus readers on hostile input: truncated gzip files, broken CSV quotes, ids too large
// for int64, conflicting duplicate metadata rows.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <zlib.h>

#include <string>
#include <thread>

#include "corpus/metadata.h"
#include "corpus/report.h"
#include "test_util.h"

namespace cxrvqa {
namespace {

using testing::TempDir;
using testing::write_text;

void write_gzip(const std::filesystem::path& path, const std::string& text) {
  std::filesystem::create_directories(path.parent_path());
  gzFile file = gzopen(path.string().c_str(), "wb");
  ASSERT_NE(file, nullptr);
  gzwrite(file, text.data(), static_cast<unsigned>(text.size()));
  gzclose(file);
}

void cut_in_half(const std::filesystem::path& path) {
  std::filesystem::resize_file(path, std::filesystem::file_size(path) / 2);
}

// Every report of a corpus and the issues met, each as the log shows it.
struct CorpusRead {
  std::vector<Report> reports;
  std::vector<std::string> issues;
};

CorpusRead read_corpus(CorpusKind kind, const std::filesystem::path& path) {
  CorpusRead read;
  auto reader = open_corpus(kind, path, std::nullopt);
  EXPECT_TRUE(reader.ok()) << reader.status().ToString();
  if (!reader.ok()) return read;
  Report report;
  while ((*reader)->Next(report)) read.reports.push_back(report);
  for (const auto& issue : (*reader)->issues()) read.issues.push_back(issue.ToString());
  return read;
}

TEST(BadInput, TruncatedGzippedReportIsAnIssueNamingTheFile) {
  TempDir dir;
  std::string text = "FINDINGS: ";
  for (int i = 0; i < 400; ++i) text += "Sentence " + std::to_string(i) + " about the lungs. ";
  write_text(dir / "files/p10/p10000001/s50000001.txt", "FINDINGS: Clear lungs.\n");
  write_gzip(dir / "files/p10/p10000001/s50000002.txt", text);
  cut_in_half(dir / "files/p10/p10000001/s50000002.txt");
  CorpusRead read = read_corpus(CorpusKind::kMimic, dir.path());
  ASSERT_EQ(read.reports.size(), 1u) << "a truncated report must not be read as a shorter one";
  EXPECT_EQ(read.reports[0].study_id, "50000001");
  ASSERT_EQ(read.issues.size(), 1u);
  EXPECT_NE(read.issues[0].find("s50000002.txt"), std::string::npos) << read.issues[0];
  EXPECT_NE(read.issues[0].find("truncated"), std::string::npos) << read.issues[0];
}

TEST(BadInput, TruncatedGzippedMetadataIsAnErrorNamingTheFile) {
  TempDir dir;
  std::string table = "dicom_id,subject_id,study_id,ViewPosition,StudyDate,StudyTime\n";
  for (int i = 0; i < 20000; ++i) {
    table += "d" + std::to_string(i) + ",1000" + std::to_string(i % 97) + ",5" + std::to_string(1000000 + i) +
             ",PA,21800101,120000\n";
  }
  write_gzip(dir / "metadata.csv.gz", table);
  cut_in_half(dir / "metadata.csv.gz");
  write_text(dir / "split.csv", "dicom_id,study_id,subject_id,split\n");
  auto records = build_mimic_all({dir / "metadata.csv.gz", dir / "split.csv", std::nullopt}, nullptr);
  ASSERT_FALSE(records.ok()) << "kept " << records->size() << " studies of a truncated table";
  EXPECT_NE(records.status().message().find("metadata.csv.gz"), std::string::npos) << records.status().message();
}

TEST(BadInput, BrokenCsvQuoteKeepsEveryStudyItsOwnText) {
  TempDir dir;
  write_text(dir / "reports.csv",
             "study_id,text\n"
             "1,\"Heart size is normal.\n"
             "2,Small left pleural effusion.\"\n"
             "3,No pneumothorax.\n");
  CorpusRead read = read_corpus(CorpusKind::kCsv, dir / "reports.csv");
  ASSERT_EQ(read.reports.size(), 2u);
  EXPECT_EQ(read.reports[0].study_id, "2");
  EXPECT_NE(read.reports[0].text.find("effusion"), std::string::npos);
  EXPECT_EQ(read.reports[1].study_id, "3");
  EXPECT_EQ(read.issues, std::vector<std::string>{(dir / "reports.csv").string() + ":2 study 1: broken row: unclosed quote"});
}

TEST(BadInput, MisreadReportTextNeverShowsAsAStudyId) {
  TempDir dir;
  write_text(dir / "reports.csv",
             "study_id,text\n"
             "Patient with severe pneumonia in the right lower lobe,seen,again\n"
             "2,Clear.\n");
  CorpusRead read = read_corpus(CorpusKind::kCsv, dir / "reports.csv");
  ASSERT_EQ(read.issues.size(), 1u);
  EXPECT_EQ(read.issues[0].find("pneumonia"), std::string::npos) << read.issues[0];
  EXPECT_NE(read.issues[0].find(":2"), std::string::npos) << read.issues[0];
}

TEST(BadInput, StudyIdsAboveInt64AreKeptAsWritten) {
  TempDir dir;
  write_text(dir / "reports.jsonl",
             "{\"study_id\": 18446744073709551615, \"text\": \"Clear lungs.\"}\n"
             "{\"study_id\": -7, \"text\": \"No effusion.\"}\n");
  CorpusRead read = read_corpus(CorpusKind::kJsonl, dir / "reports.jsonl");
  ASSERT_EQ(read.reports.size(), 2u);
  EXPECT_EQ(read.reports[0].study_id, "18446744073709551615");
  EXPECT_EQ(read.reports[1].study_id, "-7");
}

TEST(BadInput, ConflictingDuplicateMetadataRowsAreReported) {
  TempDir dir;
  write_text(dir / "mimic_all.csv",
             "subject_id,study_id,dicom_id,view,split,study_date,study_order\n"
             "10,500,d1,postero-anterior,train,21800101,1\n"
             "10,500,d1,postero-anterior,train,21800101,1\n"
             "10,500,d9,antero-posterior,test,21800101,1\n");
  std::vector<CorpusIssue> issues;
  auto records = read_mimic_all(dir / "mimic_all.csv", issues);
  ASSERT_TRUE(records.ok());
  ASSERT_EQ(issues.size(), 1u) << "an identical repeat is harmless; a conflicting one is reported";
  EXPECT_EQ(issues[0].line, 4u);
  EXPECT_EQ(issues[0].study_id, "500");
  EXPECT_NE(issues[0].reason.find("conflicting duplicate"), std::string::npos) << issues[0].reason;
  EXPECT_NE(issues[0].reason.find("line 2"), std::string::npos) << issues[0].reason;
  StudyIndex index(std::make_shared<const std::vector<StudyRecord>>(std::move(*records)));
  EXPECT_EQ(index.Find("500")->dicom_id, "d1") << "the first row is the one used";
}

TEST(BadInput, MetadataFromANamedPipeIsReadWhole) {
  TempDir dir;
  auto fifo = dir / "mimic_all.csv";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  // Far more than a pipe holds, so that nothing but one reader can see every row.
  std::string text = "subject_id,study_id,dicom_id,view,split,study_date,study_order\n";
  constexpr int kRows = 30000;
  for (int row = 0; row < kRows; ++row) {
    text += "10," + std::to_string(500 + row) + ",d" + std::to_string(row) + ",postero-anterior,train,21800101,1\n";
  }
  std::thread writer([&] { write_text(fifo, text); });
  std::vector<CorpusIssue> issues;
  auto records = read_mimic_all(fifo, issues);
  writer.join();
  ASSERT_TRUE(records.ok()) << records.status().ToString();
  EXPECT_TRUE(issues.empty());
  ASSERT_EQ(records->size(), static_cast<size_t>(kRows));
  EXPECT_EQ(records->back().study_id, std::to_string(500 + kRows - 1));
}

}  // namespace
}  // namespace cxrvqa
