#include "sections/sections.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "test_util.h"

namespace cxrvqa {
namespace {

TEST(SelectReportText, MimicLayoutKeepsFindingsAndImpression) {
  std::string report =
      "                                 FINAL REPORT\n"
      " EXAMINATION:  CHEST (PA AND LAT)\n \n"
      " INDICATION:  ___ year old woman with ?pneumonia\n \n"
      " COMPARISON:  ___\n \n"
      " FINDINGS: \n \n The heart is mildly enlarged. No pleural effusion.\n \n"
      " IMPRESSION: \n \n Mild cardiomegaly.\n";
  EXPECT_EQ(select_report_text(report),
            "FINDINGS: \n \n The heart is mildly enlarged. No pleural effusion.\n \n"
            " IMPRESSION: \n \n Mild cardiomegaly.");
}

TEST(SelectReportText, IndicationIsNeverRead) {
  std::string report =
      "INDICATION: evaluate for pneumonia\nFINDINGS: Lungs are clear.\nIMPRESSION: Normal.";
  std::string selected = select_report_text(report);
  EXPECT_EQ(selected.find("pneumonia"), std::string::npos);
  EXPECT_EQ(selected, "FINDINGS: Lungs are clear.\nIMPRESSION: Normal.");
}

TEST(SelectReportText, LowercaseFindingsHeader) {
  EXPECT_EQ(select_report_text("history: cough\n\nfindings: small left effusion.\nimpression: effusion."),
            "findings: small left effusion.\nimpression: effusion.");
}

TEST(SelectReportText, FindingsWordInsideSentenceIsNotAHeader) {
  std::string report =
      "INDICATION: dyspnea\n\nThere are no acute findings: the lungs are clear and the heart is normal.\n\n"
      "IMPRESSION: Normal.";
  EXPECT_EQ(select_report_text(report),
            "There are no acute findings: the lungs are clear and the heart is normal.\n"
            "IMPRESSION: Normal.");
}

TEST(SelectReportText, WithoutFindingsTakesLongestParagraphPlusImpression) {
  std::string report =
      " WET READ: ___ ___ ___ 2:40 AM\n  ETT 4 cm above the carina. No pneumothorax seen on this wet read at all.\n"
      " ______________________________________________________________________________\n"
      "                                 FINAL REPORT\n"
      " INDICATION:  Intubated patient, evaluate tube position.\n \n"
      " PORTABLE AP CHEST RADIOGRAPH:  The endotracheal tube ends 4 cm above the carina. There is "
      "bibasilar atelectasis.\n \n"
      " IMPRESSION:  Bibasilar atelectasis.\n";
  EXPECT_EQ(select_report_text(report),
            "PORTABLE AP CHEST RADIOGRAPH:  The endotracheal tube ends 4 cm above the carina. There is "
            "bibasilar atelectasis.\nIMPRESSION:  Bibasilar atelectasis.");
}

TEST(SelectReportText, UnlabeledBodyAfterHeaderLabelBelongsToTheHeader) {
  std::string report =
      "FINAL REPORT\nCLINICAL HISTORY:\n\nShortness of breath, question of pneumonia or effusion.\n\n"
      "Heart size is normal. No consolidation.\n\nIMPRESSION:\n\nNo acute process.\n";
  EXPECT_EQ(select_report_text(report),
            "Heart size is normal. No consolidation.\nIMPRESSION:\nNo acute process.");
}

TEST(SelectReportText, ImpressionOnly) {
  std::string report =
      "EXAMINATION: CHEST PORTABLE\n\nINDICATION: line placement\n\nIMPRESSION: \n\n"
      "1. Right PICC ends in the SVC.\n\n2. Small left pleural effusion.\n";
  EXPECT_EQ(select_report_text(report),
            "IMPRESSION:\n1. Right PICC ends in the SVC.\n2. Small left pleural effusion.");
}

TEST(SelectReportText, ImpressionAlreadyInsideTheParagraphIsNotRepeated) {
  std::string report = "COMPARISON: none\n\nLungs are clear. Impression: normal chest.\n\nIMPRESSION: normal chest.";
  EXPECT_EQ(select_report_text(report), "Lungs are clear. Impression: normal chest.");
}

TEST(SelectReportText, CrlfLineEnds) {
  std::string report = "INDICATION: fever\r\n\r\nThe lungs are clear.\r\n\r\nIMPRESSION: Normal.\r\n";
  EXPECT_EQ(select_report_text(report), "The lungs are clear.\nIMPRESSION: Normal.");
  EXPECT_EQ(select_report_text("INDICATION: x\r\nFINDINGS: Clear lungs.\r\nIMPRESSION: Normal.\r\n"),
            "FINDINGS: Clear lungs.\nIMPRESSION: Normal.");
}

TEST(SelectReportText, OnlyHeaderBlocksFallsBackToTheWholeReport) {
  EXPECT_EQ(select_report_text("INDICATION: chest pain\nCOMPARISON: none\n"),
            "INDICATION: chest pain\nCOMPARISON: none");
  EXPECT_EQ(select_report_text(" \n\t\n"), "");
}

TEST(SelectReportText, PlainTextIsKept) {
  EXPECT_EQ(select_report_text("  No acute cardiopulmonary process. "), "No acute cardiopulmonary process.");
}

// Every demo report: the indication is never part of the selected text and no selection is
// empty.
TEST(SelectReportText, DemoCorpusNeverReadsTheIndication) {
  std::filesystem::path files = std::filesystem::path(CXRVQA_SOURCE_DIR) / "data/demo/mimic/files";
  size_t reports = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(files)) {
    if (!entry.is_regular_file()) continue;
    std::string selected = select_report_text(testing::read_text(entry.path()));
    ++reports;
    EXPECT_FALSE(selected.empty()) << entry.path();
    EXPECT_EQ(selected.find("INDICATION"), std::string::npos) << entry.path();
    EXPECT_EQ(selected.find("WET READ"), std::string::npos) << entry.path();
  }
  EXPECT_GE(reports, 25u);
}

}  // namespace
}  // namespace cxrvqa
