// End to end: `cxrvqa extract` (rules) on a slice of the real IU dev reports, then
// `cxrvqa eval` against both gold files, with floors on the figures.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <fstream>

#include "common/csv.h"
#include "test_util.h"

namespace cxrvqa {
namespace {

using testing::TempDir;

constexpr size_t kSliceRows = 400;
// Floors sit just under what the rule extractor reaches on this slice, so a regression
// in extraction (or in scoring) fails here.
constexpr double kOpenI14MicroF1Floor = 0.88;
constexpr double kMeshMicroF1Floor = 0.90;
constexpr double kMeshNormalAccuracyFloor = 0.93;

// Copies the header and the first `rows` records of a CSV (records may span lines).
void write_csv_slice(const std::filesystem::path& from, const std::filesystem::path& to, size_t rows) {
  auto reader = CsvReader::Open(from);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  std::string out = csv_line((*reader)->header()) + "\n";
  CsvRow row;
  for (size_t n = 0; n < rows && (*reader)->Next(row); ++n) {
    ASSERT_TRUE(row.error.empty()) << row.error;
    out += csv_line(row.fields) + "\n";
  }
  testing::write_text(to, out);
}

nlohmann::json run_eval_json(const std::string& args) {
  std::string output;
  int code = testing::run_cxrvqa("eval --json " + args, &output);
  EXPECT_EQ(code, 0) << output;
  auto start = output.find('{');
  if (code != 0 || start == std::string::npos) return nlohmann::json::object();
  return nlohmann::json::parse(output.substr(start), nullptr, /*allow_exceptions=*/false);
}

class ExtractEvalTest : public ::testing::Test {
 protected:
  void Extract(const std::filesystem::path& data) {
    reports_ = dir_ / "reports.csv";
    pred_ = dir_ / "keyinfo.jsonl";
    write_csv_slice(data / "iu_xray" / "iu_reports_dev.csv", reports_, kSliceRows);
    std::string output;
    int code = testing::run_cxrvqa("extract --corpus iu --no-progress --threads 2 --reports \"" +
                                       reports_.string() + "\" --out \"" + pred_.string() + "\"",
                                   &output);
    ASSERT_EQ(code, 0) << output;
  }
  TempDir dir_;
  std::filesystem::path reports_, pred_;
};

TEST_F(ExtractEvalTest, OpenI14MicroF1StaysAboveFloor) {
  CXRVQA_REQUIRE_SHARED_DATA(data);
  ASSERT_NO_FATAL_FAILURE(Extract(data));
  auto result = run_eval_json("--gold \"" + (data / "iu_xray" / "openi_gold14_dev.csv").string() +
                              "\" --gold-format openi14 --pred \"" + pred_.string() + "\"");
  ASSERT_TRUE(result.contains("micro")) << result.dump();
  EXPECT_GE(result["studies"]["scored"].get<size_t>(), kSliceRows - 5);  // empty reports are skipped
  EXPECT_GT(result["studies"]["missing_from_pred"].get<size_t>(), 0u);  // the rest of the gold
  EXPECT_EQ(result["studies"]["missing_from_gold"], 0);
  EXPECT_GE(result["micro"]["f1"].get<double>(), kOpenI14MicroF1Floor) << result["per_finding"].dump(1);
}

TEST_F(ExtractEvalTest, MeshMicroF1AndNormalAccuracyStayAboveFloors) {
  CXRVQA_REQUIRE_SHARED_DATA(data);
  ASSERT_NO_FATAL_FAILURE(Extract(data));
  auto result = run_eval_json("--gold \"" + reports_.string() + "\" --gold-format iu-mesh --pred \"" +
                              pred_.string() + "\"");
  ASSERT_TRUE(result.contains("micro")) << result.dump();
  // Rows indexed only "No Indexing" are not gold; empty reports are not predicted.
  EXPECT_LE(result["studies"]["missing_from_gold"].get<size_t>(), 20u);
  EXPECT_GE(result["studies"]["scored"].get<size_t>(), kSliceRows - 25);
  EXPECT_GE(result["micro"]["f1"].get<double>(), kMeshMicroF1Floor);
  EXPECT_GE(result["normal"]["accuracy"].get<double>(), kMeshNormalAccuracyFloor);
  EXPECT_GT(result["laterality"]["total"].get<size_t>(), 0u);
  EXPECT_GT(result["severity"]["total"].get<size_t>(), 0u);
}

// Every IU dev report as one PA frontal study of its own patient (subject = study = uid), in
// the mimic_all.csv layout, from the study ids of a KeyInfo file.
void write_iu_metadata(const std::filesystem::path& keyinfo, const std::filesystem::path& out) {
  std::ifstream in(keyinfo);
  std::string line, csv = "subject_id,study_id,dicom_id,view,split,study_date,study_order\n";
  while (std::getline(in, line)) {
    std::string id = nlohmann::json::parse(line)["study_id"].get<std::string>();
    csv += id + "," + id + "," + id + ",postero-anterior,train,,1\n";
  }
  testing::write_text(out, csv);
}

// The targets of answer accuracy on the IU dev split: the pipeline's questions scored
// against the MeSH annotation, and the extraction against the Open-i 14 labels.
TEST_F(ExtractEvalTest, IuAnswerAccuracyMeetsTheTargets) {
  CXRVQA_REQUIRE_SHARED_DATA(data);
  std::filesystem::path reports = data / "iu_xray" / "iu_reports_dev.csv";
  std::string output;
  ASSERT_EQ(testing::run_cxrvqa("-q extract --corpus iu --no-progress --reports \"" + reports.string() +
                                    "\" --out \"" + (dir_ / "rules.jsonl").string() + "\"",
                                &output),
            0)
      << output;
  write_iu_metadata(dir_ / "rules.jsonl", dir_ / "iu_metadata.csv");
  ASSERT_EQ(testing::run_cxrvqa("-q pipeline --corpus iu --seed 1 --reports \"" + reports.string() +
                                    "\" --metadata \"" + (dir_ / "iu_metadata.csv").string() +
                                    "\" --out-dir \"" + (dir_ / "out").string() + "\"",
                                &output),
            0)
      << output;
  auto answers = run_eval_json("--gold \"" + reports.string() + "\" --gold-format iu-mesh --questions \"" +
                               (dir_ / "out" / "questions.csv").string() + "\"");
  ASSERT_TRUE(answers.contains("presence")) << answers.dump();
  EXPECT_GT(answers["presence"]["scored"].get<size_t>(), 2000u);
  EXPECT_GE(answers["presence"]["value"].get<double>(), 0.97) << answers["presence"].dump(1);
  EXPECT_GE(answers["any_abnormality"]["value"].get<double>(), 0.97) << answers["any_abnormality"].dump(1);
  EXPECT_GE(answers["side"]["value"].get<double>(), 0.98) << answers["side"].dump(1);
  EXPECT_GT(answers["side"]["scored"].get<size_t>(), 300u);
  auto labels = run_eval_json("--gold \"" + (data / "iu_xray" / "openi_gold14_dev.csv").string() +
                              "\" --gold-format openi14 --pred \"" + (dir_ / "rules.jsonl").string() + "\"");
  EXPECT_GE(labels["micro"]["f1"].get<double>(), 0.93) << labels["per_finding"].dump(1);
}

TEST_F(ExtractEvalTest, BadOptionsAndMissingFilesFail) {
  std::string output;
  EXPECT_EQ(testing::run_cxrvqa("eval --gold-format openi14", &output), 2) << output;
  testing::write_text(dir_ / "pred.jsonl", "{\"study_id\":\"1\",\"entity\":{}}\n");
  testing::write_text(dir_ / "gold.csv", "filename,Effusion,normal\nCXR1,0,1\n");
  EXPECT_EQ(testing::run_cxrvqa("eval --gold \"" + (dir_ / "gold.csv").string() +
                                    "\" --gold-format chexpert --pred \"" + (dir_ / "pred.jsonl").string() + "\"",
                                &output),
            2);
  EXPECT_EQ(testing::run_cxrvqa("eval --gold \"" + (dir_ / "gold.csv").string() +
                                    "\" --gold-format openi14 --pred \"" + (dir_ / "pred.jsonl").string() +
                                    "\" --map \"" + (dir_ / "gold.csv").string() + "\"",
                                &output),
            1);
  EXPECT_NE(output.find("gold_term"), std::string::npos) << output;
  EXPECT_EQ(testing::run_cxrvqa("eval --gold \"" + (dir_ / "gold.csv").string() +
                                    "\" --gold-format openi14 --pred \"" + (dir_ / "pred.jsonl").string() + "\"",
                                &output),
            0);
  EXPECT_NE(output.find("normal-vs-abnormal accuracy: 1.000 (1/1)"), std::string::npos) << output;
  // --pred and --questions: one of them, not both, not none.
  std::string gold = " --gold \"" + (dir_ / "gold.csv").string() + "\" --gold-format openi14";
  EXPECT_EQ(testing::run_cxrvqa("eval" + gold, &output), 2) << output;
  EXPECT_EQ(testing::run_cxrvqa("eval" + gold + " --pred \"" + (dir_ / "pred.jsonl").string() +
                                    "\" --questions \"" + (dir_ / "pred.jsonl").string() + "\"",
                                &output),
            2);
  EXPECT_NE(output.find("either --pred"), std::string::npos) << output;
}

}  // namespace
}  // namespace cxrvqa
