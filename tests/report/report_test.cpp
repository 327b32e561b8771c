// The HTML report on a hand-made dataset folder: every chart present, self-contained page,
// difference answer kinds, charts as SVG.
#include <gtest/gtest.h>

#include <regex>

#include "libraries/libraries.h"
#include "report/report.h"
#include "report/report_figures.h"
#include "report/svg_chart.h"
#include "test_util.h"

namespace cxrvqa {
namespace {

using testing::TempDir;
using testing::read_text;
using testing::write_text;

Question question(std::string study, QuestionType type, std::string text, std::string answer, std::string split) {
  return {study, "s" + study, type, std::move(text), std::move(answer), "d" + study, std::move(split), ""};
}

void write_dataset(const std::filesystem::path& dir) {
  std::vector<Question> questions = {
      question("1", QuestionType::kPresence, "is there edema?", "yes", "train"),
      question("1", QuestionType::kPresence, "is there effusion?", "no", "train"),
      question("2", QuestionType::kAbnormality, "what abnormalities are seen in this image?", "edema & effusion", "test"),
      question("2", QuestionType::kDifference, "what has changed compared to the reference image?",
               "nothing has changed.", "test"),
      question("3", QuestionType::kDifference, "what has changed compared to the reference image?",
               "the main image has additional findings of a, and b, and is missing the findings of c.", "train"),
  };
  ASSERT_TRUE(write_questions(dir / "questions.csv", questions, QuestionFormat::kCsv, 1).ok());
  Libraries libraries;
  libraries.entity = {{"edema", 12}, {"pleural effusion", 7}};
  libraries.location = {{"left lower lobe", 3}};
  libraries.level = {{"mild", 4}, {"small", 2}};
  libraries.type = {{"layering", 1}};
  libraries.reindex();
  ASSERT_TRUE(write_libraries(libraries, dir / "libraries").ok());
  write_text(dir / "manifest.json",
             R"({"program":"cxrvqa","version":"0.1.0","build_id":"b1","seed":3,"options":{"corpus":"mimic",)"
             R"("reports":"/private/folder/reports","extractor":"rules"},"inputs":[],"stages":[{"name":"extract",)"
             R"("counts":{"reports":30,"written":30,"positive":20,"uncertain":2,"negated":9,"issues":1,)"
             R"("issues_by_kind":{"empty report":1}}}]})");
}

TEST(ReportFigures, DifferenceKinds) {
  using report::DifferenceKind;
  using report::difference_kind;
  EXPECT_EQ(difference_kind("nothing has changed."), DifferenceKind::kNothing);
  EXPECT_EQ(difference_kind("the main image has additional findings of a, and b than the reference image. "),
            DifferenceKind::kAddedOnly);
  EXPECT_EQ(difference_kind("the main image is missing the finding of a than the reference image. "),
            DifferenceKind::kMissingOnly);
  EXPECT_EQ(difference_kind("the main image has additional findings of a, and is missing the findings of c."),
            DifferenceKind::kAddedAndMissing);
  EXPECT_EQ(difference_kind("the level of edema has changed from mild to severe. "), DifferenceKind::kLevelChange);
  EXPECT_EQ(difference_kind("something else"), DifferenceKind::kOther);
}

TEST(SvgChart, MarksAndEscaping) {
  std::string svg = report::horizontal_bars("x", "T <1>", {{"a & b", 3, "", ""}, {"c", 0, "", ""}});
  EXPECT_NE(svg.find("data-chart=\"x\" data-marks=\"1\""), std::string::npos) << svg;
  EXPECT_NE(svg.find("a &amp; b"), std::string::npos);
  EXPECT_EQ(svg.find("<1>"), std::string::npos);
  std::regex rect("<rect class=\"mark");
  EXPECT_EQ(std::distance(std::sregex_iterator(svg.begin(), svg.end(), rect), std::sregex_iterator()), 2);
  report::StackedBars stacked{{"train", "test"}, {"yes", "no"}, {{3, 1}, {0, 2}}, true};
  std::string bars = report::stacked_bars("s", "S", stacked);
  EXPECT_NE(bars.find("data-marks=\"3\""), std::string::npos) << bars;
  EXPECT_NE(bars.find("train, yes: 3 (75.0%)"), std::string::npos);
}

TEST(Report, EveryChartInOneSelfContainedPage) {
  TempDir dir;
  write_dataset(dir.path());
  auto summary = RunReport({dir.path(), ""});
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  EXPECT_EQ(summary->out, dir.path() / "report.html");
  EXPECT_EQ(summary->questions, 5u);
  std::string page = read_text(summary->out);
  for (const std::string& name : report_chart_names()) {
    EXPECT_NE(page.find("<figure class=\"chart-figure\" id=\"figure-" + name + "\">"), std::string::npos) << name;
    EXPECT_NE(page.find("data-chart=\"" + name + "\""), std::string::npos) << name;
  }
  EXPECT_EQ(page.find("<script"), std::string::npos);
  EXPECT_EQ(page.find("src="), std::string::npos);
  EXPECT_EQ(page.find("http://"), page.find("http://www.w3.org/2000/svg"));  // only the SVG namespace
  EXPECT_EQ(page.find("https://"), std::string::npos);
  EXPECT_EQ(page.find("/private/folder"), std::string::npos);  // paths shown by name only
  EXPECT_NE(page.find("edema &amp; effusion"), std::string::npos);      // answers are, escaped
  EXPECT_NE(page.find("nothing has changed: 1 (50.0%)"), std::string::npos);
  EXPECT_NE(page.find("added and missing findings: 1 (50.0%)"), std::string::npos);
  EXPECT_NE(page.find("issue: empty report"), std::string::npos);
  EXPECT_NE(page.find("data-chart=\"findings\" data-marks=\"2\""), std::string::npos);
  // The same folder gives the same page.
  ASSERT_TRUE(RunReport({dir.path(), dir / "again.html"}).ok());
  EXPECT_EQ(read_text(dir / "again.html"), page);
}

TEST(Report, FolderWithoutLibrariesOrManifestSaysSo) {
  TempDir dir;
  write_dataset(dir.path());
  std::filesystem::remove_all(dir / "libraries");
  std::filesystem::remove(dir / "manifest.json");
  auto summary = RunReport({dir.path(), dir / "r.html"});
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  std::string page = read_text(dir / "r.html");
  EXPECT_NE(page.find("the folder has no libraries/"), std::string::npos);
  EXPECT_NE(page.find("The folder has no manifest.json."), std::string::npos);
  EXPECT_FALSE(RunReport({dir / "absent", ""}).ok());
}

}  // namespace
}  // namespace cxrvqa
