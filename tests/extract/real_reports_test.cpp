// Extraction of every IU (Open-i) development report: no crash, and agreement with the
// hand-labelled 14-finding gold standard stays above a floor.
#include <gtest/gtest.h>

#include <map>
#include <unordered_map>

#include "common/csv.h"
#include "extract_test_util.h"
#include "test_util.h"

namespace cxrvqa {
namespace {

// Gold column → official lexicon name (one to one, the plain reading of each label).
const std::map<std::string, std::string> kGoldToFinding = {
    {"Atelectasis", "atelectasis"},   {"Cardiomegaly", "cardiomegaly"},
    {"Effusion", "pleural effusion"}, {"Infiltration", "infiltrate"},
    {"Mass", "mass"},                 {"Nodule", "nodule"},
    {"Pneumonia", "pneumonia"},       {"Pneumothorax", "pneumothorax"},
    {"Consolidation", "consolidation"}, {"Edema", "edema"},
    {"Emphysema", "emphysema"},       {"Fibrosis", "fibrosis"},
    {"Pleural_Thickening", "pleural thickening"}, {"Hernia", "hernia"},
};

std::unordered_map<std::string, KeyInfo> extract_iu_reports(const std::filesystem::path& csv) {
  std::unordered_map<std::string, KeyInfo> out;
  auto reader = CsvReader::Open(csv);
  EXPECT_TRUE(reader.ok()) << reader.status().ToString();
  if (!reader.ok()) return out;
  auto columns = (*reader)->require_columns({"uid", "findings", "impression"});
  EXPECT_TRUE(columns.ok());
  if (!columns.ok()) return out;
  CsvRow row;
  while ((*reader)->Next(row)) {
    EXPECT_TRUE(row.error.empty()) << row.error;
    std::string text = std::string(row.get((*columns)[1])) + " " + std::string(row.get((*columns)[2]));
    out.emplace(std::string(row.get((*columns)[0])), testing::embedded_extractor().Extract(text));
  }
  return out;
}

TEST(RealReportsTest, IuDevReportsAgreeWithTheOpenIGold) {
  CXRVQA_REQUIRE_SHARED_DATA(data);
  auto predictions = extract_iu_reports(data / "iu_xray" / "iu_reports_dev.csv");
  ASSERT_GT(predictions.size(), 2000u);

  auto gold = CsvReader::Open(data / "iu_xray" / "openi_gold14_dev.csv");
  ASSERT_TRUE(gold.ok());
  size_t true_positive = 0, false_positive = 0, false_negative = 0;
  size_t normal_agree = 0, studies = 0;
  CsvRow row;
  const auto& header = (*gold)->header();
  while ((*gold)->Next(row)) {
    auto found = predictions.find(std::string(row.get(0)).substr(3));  // "CXR<uid>"
    ASSERT_NE(found, predictions.end()) << row.get(0);
    const KeyInfo& info = found->second;
    ++studies;
    for (size_t column = 1; column < header.size(); ++column) {
      bool gold_positive = row.get(column) == "1";
      if (header[column] == "normal") {
        normal_agree += gold_positive == info.entity.empty();
        continue;
      }
      bool predicted = info.find_entity(kGoldToFinding.at(header[column])) != nullptr;
      true_positive += predicted && gold_positive;
      false_positive += predicted && !gold_positive;
      false_negative += !predicted && gold_positive;
    }
  }
  double f1 = 2.0 * true_positive / (2.0 * true_positive + false_positive + false_negative);
  double normal_accuracy = static_cast<double>(normal_agree) / studies;
  EXPECT_GE(f1, 0.85) << "micro F1 over the 14 findings";
  EXPECT_GE(normal_accuracy, 0.85) << "normal-vs-abnormal agreement";
}

}  // namespace
}  // namespace cxrvqa
