// End to end on the demo corpus: the pipeline (question ids, report stage), `cxrvqa export`
// in each format (outputs loaded back: LLaVA JSON, the HF card's YAML with Python's yaml;
// IU X-ray image names on the real IU reports),
// `cxrvqa score` (gold against itself, all "no"), and `cxrvqa report` rendered in headless
// Chromium (every chart in the DOM; the screenshot is kept in the test output folder).
#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>

#include "test_util.h"

namespace cxrvqa {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::TempDir;
using testing::quoted;
using testing::read_text;
using testing::run_command;
using testing::run_cxrvqa;
using testing::write_text;

const fs::path kDemo = fs::path(CXRVQA_SOURCE_DIR) / "data/demo/mimic";
// files/p<first two digits of the subject>/p<subject>/s<study>/<dicom_id>.jpg under the root.
const std::regex kMimicPath(R"(^jpg/files/p(\d\d)/p(\1\d{6})/s\d{8}/[0-9a-f]{8}(-[0-9a-f]{8}){4}\.jpg$)");


std::vector<json> read_jsonl(const fs::path& path) {
  std::vector<json> rows;
  std::istringstream in(read_text(path));
  for (std::string line; std::getline(in, line);) rows.push_back(json::parse(line));
  return rows;
}

// The rows of a questions.csv as maps column -> value (a tiny reader for plain fields, with
// quoted fields that hold commas).
std::vector<std::map<std::string, std::string>> read_csv(const fs::path& path) {
  std::vector<std::map<std::string, std::string>> rows;
  std::istringstream in(read_text(path));
  auto fields = [](const std::string& line) {
    std::vector<std::string> out(1);
    bool quoted = false;
    for (size_t i = 0; i < line.size(); ++i) {
      char c = line[i];
      if (c == '"' && quoted && i + 1 < line.size() && line[i + 1] == '"') {
        out.back() += '"';
        ++i;
      } else if (c == '"') {
        quoted = !quoted;
      } else if (c == ',' && !quoted) {
        out.emplace_back();
      } else {
        out.back() += c;
      }
    }
    return out;
  };
  std::string line;
  std::getline(in, line);
  std::vector<std::string> header = fields(line);
  while (std::getline(in, line)) {
    std::vector<std::string> values = fields(line);
    std::map<std::string, std::string> row;
    for (size_t i = 0; i < header.size() && i < values.size(); ++i) row[header[i]] = values[i];
    rows.push_back(row);
  }
  return rows;
}

// The pipeline on the demo corpus into `out`, with seed 7; the exit code is checked.
void run_demo_pipeline(const fs::path& out, const std::string& options = "") {
  std::string output;
  EXPECT_EQ(run_cxrvqa("pipeline --corpus mimic --reports " + quoted(kDemo) + " --metadata " +
                           quoted(kDemo / "mimic_all.csv") + " --out-dir " + quoted(out) +
                           " --min-count 1 --seed 7 " + options,
                       &output),
            0)
      << output;
}

// One pipeline run on the demo corpus shared by the tests below.
class DatasetToolsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    run_demo_pipeline(dataset());
    questions_ = new std::vector<std::map<std::string, std::string>>(read_csv(dataset() / "questions.csv"));
  }
  // `cxrvqa export` of the dataset into <test folder>/<name> with `options`; the exit code
  // is checked.
  static fs::path Export(const std::string& name, const std::string& options) {
    fs::path out = dir_->path() / name;
    std::string output;
    EXPECT_EQ(run_cxrvqa("export --dataset " + quoted(dataset()) + " --out-dir " + quoted(out) + " " +
                             options,
                         &output),
              0)
        << output;
    return out;
  }
  static void TearDownTestSuite() {
    delete questions_;
    delete dir_;
  }
  static fs::path dataset() { return dir_->path() / "dataset"; }
  static const std::vector<std::map<std::string, std::string>>& questions() { return *questions_; }
  static std::multiset<std::string> question_ids() {
    std::multiset<std::string> ids;
    for (const auto& row : questions()) ids.insert(row.at("question_id"));
    return ids;
  }

  static TempDir* dir_;
  static std::vector<std::map<std::string, std::string>>* questions_;
};
TempDir* DatasetToolsTest::dir_ = nullptr;
std::vector<std::map<std::string, std::string>>* DatasetToolsTest::questions_ = nullptr;

TEST_F(DatasetToolsTest, QuestionIdsAreStableAndUnique) {
  ASSERT_GT(questions().size(), 50u);
  std::string header = read_text(dataset() / "questions.csv").substr(0, 100);
  EXPECT_EQ(header.rfind("study_id,subject_id,question_type,question,answer,dicom_id,split,ref_id,question_id\n", 0), 0u);
  std::multiset<std::string> ids = question_ids();
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), ids.size());
  for (const auto& row : questions()) {
    EXPECT_EQ(row.at("question_id").rfind(row.at("study_id") + "-" + row.at("question_type") + "-", 0), 0u);
  }
  TempDir again;
  run_demo_pipeline(again.path(), "--threads 3");
  EXPECT_EQ(read_text(again / "questions.csv"), read_text(dataset() / "questions.csv"));
}

TEST_F(DatasetToolsTest, LlavaExportHoldsEveryQuestionOnceWithMimicImagePaths) {
  fs::path out = Export("llava", "--format llava --image-root jpg");
  std::multiset<std::string> exported;
  size_t files = 0, pairs = 0;
  for (const auto& entry : fs::directory_iterator(out)) {
    ++files;
    json list = json::parse(read_text(entry.path()));
    ASSERT_TRUE(list.is_array()) << entry.path();
    for (const json& item : list) {
      exported.insert(item["id"].get<std::string>());
      const json& turns = item["conversations"];
      ASSERT_EQ(turns.size(), 2u);
      EXPECT_EQ(turns[0]["from"], "human");
      EXPECT_EQ(turns[1]["from"], "gpt");
      std::vector<std::string> images;
      if (item["image"].is_array()) {
        for (const json& image : item["image"]) images.push_back(image);
        ++pairs;
        EXPECT_EQ(item["question_type"], "difference");
        EXPECT_EQ(turns[0]["value"].get<std::string>().rfind("<image>\n<image>\n", 0), 0u);
      } else {
        images.push_back(item["image"]);
        EXPECT_EQ(turns[0]["value"].get<std::string>().rfind("<image>\n", 0), 0u);
      }
      for (const std::string& image : images) EXPECT_TRUE(std::regex_match(image, kMimicPath)) << image;
    }
  }
  EXPECT_EQ(files, 3u);  // train, validation, test
  EXPECT_GT(pairs, 0u);
  EXPECT_EQ(exported, question_ids());
}

TEST_F(DatasetToolsTest, HuggingFaceCardParsesAndNamesItsFiles) {
  fs::path out = Export("hf", "--format hf");
  // The YAML header as Python's yaml reads it (the parser the Hugging Face libraries use).
  write_text(dir_->path() / "card.py",
             "import json, sys, yaml\n"
             "text = open(sys.argv[1], encoding='utf-8').read()\n"
             "assert text.startswith('---\\n')\n"
             "print(json.dumps(yaml.safe_load(text.split('---\\n')[1])))\n");
  std::string yaml_json;
  ASSERT_EQ(run_command(testing::system_python() + " " + quoted(dir_->path() / "card.py") + " " +
                            quoted(out / "README.md") + " 2>&1",
                        &yaml_json),
            0)
      << "python3-yaml (scripts/install-deps.sh) could not read the card: " << yaml_json;
  json card = json::parse(yaml_json);
  ASSERT_EQ(card["configs"].size(), 1u);
  std::set<std::string> feature_names;
  for (const json& feature : card["dataset_info"]["features"]) feature_names.insert(feature["name"]);
  std::map<std::string, size_t> examples;
  for (const json& split : card["dataset_info"]["splits"]) examples[split["name"]] = split["num_examples"];
  std::multiset<std::string> exported;
  for (const json& file : card["configs"][0]["data_files"]) {
    fs::path path = out / file["path"].get<std::string>();
    ASSERT_TRUE(fs::exists(path)) << path;
    std::vector<json> rows = read_jsonl(path);
    EXPECT_EQ(rows.size(), examples.at(file["split"]));
    for (const json& row : rows) {
      exported.insert(row["question_id"].get<std::string>());
      std::set<std::string> keys;
      for (const auto& [key, value] : row.items()) keys.insert(key);
      EXPECT_EQ(keys, feature_names);
      EXPECT_TRUE(std::regex_match("jpg/" + row["image"].get<std::string>(), kMimicPath)) << row;
    }
  }
  EXPECT_EQ(exported, question_ids());
  EXPECT_EQ(card["license_name"], "physionet-credentialed-health-data-license-1.5.0");
}

TEST_F(DatasetToolsTest, ScoreOfGoldItselfIsPerfectAndAllNoGetsTheShareOfNo) {
  std::string output;
  ASSERT_EQ(run_cxrvqa("score --json --gold " + quoted(dataset() / "questions.csv") + " --pred " +
                           quoted(dataset() / "questions.csv"),
                       &output),
            0)
      << output;
  json self = json::parse(output);
  EXPECT_EQ(self["matched"], questions().size());
  for (const char* figure : {"closed", "yes/no", "choice", "open", "difference", "overall"}) {
    EXPECT_EQ(self["all"][figure]["accuracy"], 1.0) << figure;
  }
  for (const char* metric : {"bleu_1", "bleu_2", "bleu_3", "bleu_4", "rouge_l"}) {
    EXPECT_DOUBLE_EQ(self["all"]["difference_text"][metric].get<double>(), 1.0) << metric;
  }
  EXPECT_GT(self["all"]["difference_text"]["cider_d"].get<double>(), 0.0);

  // All "no", keyed by study_id + question this time.
  std::string predictions = "study_id,question,prediction\n";
  size_t closed = 0, no = 0;
  for (const auto& row : questions()) {
    predictions += row.at("study_id") + ",\"" + row.at("question") + "\",no\n";
    bool yes_no = row.at("answer") == "yes" || row.at("answer") == "no";
    bool choice = row.at("question_type") == "view" || row.at("question").find(" or ") != std::string::npos;
    closed += yes_no || choice;
    no += row.at("answer") == "no";
  }
  write_text(dir_->path() / "all_no.csv", predictions);
  ASSERT_EQ(run_cxrvqa("score --json --gold " + quoted(dataset() / "questions.csv") + " --pred " +
                           quoted(dir_->path() / "all_no.csv"),
                       &output),
            0)
      << output;
  json all_no = json::parse(output);
  EXPECT_EQ(all_no["missing"].size(), 0u);
  EXPECT_EQ(all_no["all"]["closed"]["questions"], closed);
  EXPECT_DOUBLE_EQ(all_no["all"]["closed"]["accuracy"].get<double>(),
                   static_cast<double>(no) / static_cast<double>(closed));
}

// Predictions in any order score the same: the demo questions answered (every third one
// wrongly, one left out) in question order and in reverse order give the same figures.
TEST_F(DatasetToolsTest, ScoreDoesNotDependOnThePredictionOrder) {
  std::vector<std::string> lines;
  for (size_t i = 0; i + 1 < questions().size(); ++i) {
    const auto& row = questions()[i];
    std::string answer = i % 3 == 0 ? "no" : row.at("answer");
    lines.push_back(json{{"question_id", row.at("question_id")}, {"answer", answer}}.dump() + "\n");
  }
  auto score = [&](const std::string& name, const std::vector<std::string>& rows) {
    std::string text;
    for (const std::string& line : rows) text += line;
    write_text(dir_->path() / name, text);
    std::string output;
    EXPECT_EQ(run_cxrvqa("score --json --gold " + quoted(dataset() / "questions.csv") + " --pred " +
                             quoted(dir_->path() / name),
                         &output),
              0)
        << output;
    return json::parse(output);
  };
  json in_order = score("in_order.jsonl", lines);
  json reversed = score("reversed.jsonl", std::vector<std::string>(lines.rbegin(), lines.rend()));
  EXPECT_EQ(in_order["matched"], questions().size() - 1);
  EXPECT_EQ(in_order["missing"], json::array({questions().back().at("question_id")}));
  EXPECT_LT(in_order["all"]["overall"]["accuracy"].get<double>(), 1.0);
  EXPECT_GT(in_order["all"]["overall"]["accuracy"].get<double>(), 0.5);
  EXPECT_EQ(reversed, in_order);
}

TEST_F(DatasetToolsTest, BlindJsonlExportScoresAgainstItsAnswerKey) {
  fs::path out = Export("blind", "--format jsonl --blind");
  std::vector<json> test = read_jsonl(out / "test.jsonl");
  ASSERT_FALSE(test.empty());
  std::string predictions;
  for (const json& row : test) {
    EXPECT_FALSE(row.contains("answer"));
    predictions += json{{"question_id", row["question_id"]}, {"answer", "yes"}}.dump() + "\n";
  }
  write_text(out / "pred.jsonl", predictions);
  std::string output;
  ASSERT_EQ(run_cxrvqa("score --gold " + quoted(out / "test_answer_key.csv") + " --pred " +
                           quoted(out / "pred.jsonl"),
                       &output),
            0)
      << output;
  EXPECT_NE(output.find(std::to_string(test.size()) + " gold questions, " + std::to_string(test.size()) +
                        " predictions read, " + std::to_string(test.size()) + " matched, 0 missing, 0 extra"),
            std::string::npos)
      << output;
}

// The real IU X-ray reports with a metadata file in the mimic_all.csv form whose dicom_id is
// the image file name (as the IU projections file names it; two studies per patient so that
// difference questions exist): the LLaVA export names exactly those files under --image-root,
// the question's study first and its reference second, and holds every question once.
TEST(DatasetToolsIu, LlavaExportNamesTheIuImageFiles) {
  auto shared = testing::shared_data_dir();
  if (!shared) GTEST_SKIP() << "../shared/data/iu_xray not found";
  TempDir dir;
  std::map<std::string, std::string> image_of;  // study_id -> image file name
  std::string metadata = "subject_id,study_id,dicom_id,view,split,study_date,study_order\n";
  for (int uid = 1; uid < 4000; ++uid) {
    std::string study = std::to_string(uid), order = uid % 2 == 1 ? "1" : "2";
    std::string split = uid % 5 == 0 ? "test" : uid % 5 == 1 ? "validate" : "train";
    image_of[study] = study + "_IM-" + std::to_string(1000 + uid) + "-1001.dcm.png";
    metadata += std::to_string((uid + 1) / 2) + "," + study + "," + image_of[study] + ",postero-anterior," + split +
                ",2013010" + order + "," + order + "\n";
  }
  write_text(dir / "iu_metadata.csv", metadata);
  std::string output;
  ASSERT_EQ(run_cxrvqa("pipeline --corpus iu --reports " + quoted(*shared / "iu_xray" / "iu_reports_dev.csv") +
                           " --metadata " + quoted(dir / "iu_metadata.csv") + " --out-dir " +
                           quoted(dir / "out") + " --seed 1",
                       &output),
            0)
      << output;
  std::map<std::string, std::map<std::string, std::string>> questions;
  for (auto& row : read_csv(dir / "out" / "questions.csv")) questions[row.at("question_id")] = row;
  ASSERT_GT(questions.size(), 1000u);
  ASSERT_EQ(run_cxrvqa("export --dataset " + quoted(dir / "out") + " --out-dir " + quoted(dir / "llava") +
                           " --format llava --image-root iu/images",
                       &output),
            0)
      << output;
  EXPECT_NE(output.find("images: iu-xray"), std::string::npos) << output;
  std::multiset<std::string> exported;
  size_t pairs = 0;
  for (const char* split : {"train", "validation", "test"}) {
    json list = json::parse(read_text(dir / "llava" / ("llava_" + std::string(split) + ".json")));
    for (const json& item : list) {
      std::string id = item["id"];
      exported.insert(id);
      ASSERT_TRUE(questions.count(id)) << id;
      const auto& q = questions.at(id);
      if (q.at("question_type") == "difference") {
        ++pairs;
        EXPECT_EQ(item["image"], json::array({"iu/images/" + image_of.at(q.at("study_id")),
                                              "iu/images/" + image_of.at(q.at("ref_id"))}));
      } else {
        EXPECT_EQ(item["image"], "iu/images/" + image_of.at(q.at("study_id")));
      }
    }
  }
  EXPECT_GT(pairs, 0u);
  std::multiset<std::string> expected;
  for (const auto& [id, row] : questions) expected.insert(id);
  EXPECT_EQ(exported, expected);
}

// The report rendered by the Debian chromium package, headless.
TEST_F(DatasetToolsTest, ReportRendersEveryChartInChromium) {
  ASSERT_TRUE(fs::exists(dataset() / "report.html")) << "the pipeline's report stage wrote no report";
  const char* base = std::getenv("CXRVQA_TEST_TMP");
  fs::path keep = fs::path(base ? base : fs::temp_directory_path().string()) / "report-browser";
  fs::remove_all(keep);
  fs::create_directories(keep);
  std::string output;
  ASSERT_EQ(run_cxrvqa("report --dataset " + quoted(dataset()) + " --out " + quoted(keep / "report.html"), &output), 0)
      << output;
  std::string pipeline_report = read_text(dataset() / "report.html");  // the pipeline's stage wrote it
  std::string flags = "--headless --no-sandbox --disable-gpu --no-first-run --disable-background-networking "
                      "--disable-component-update --disable-sync --hide-scrollbars";
  std::string url = "file://" + fs::absolute(keep / "report.html").string();
  ASSERT_EQ(run_command("chromium " + flags + " --user-data-dir=" + quoted(keep / "profile-shot") +
                            " --window-size=1400,6000 --screenshot=" + quoted(keep / "report.png") + " " +
                            testing::quoted(url) + " 2>" + quoted(keep / "chromium-screenshot.log"),
                        &output),
            0)
      << "chromium (Debian package, scripts/install-deps.sh) failed; see " << keep / "chromium-screenshot.log";
  std::string png = read_text(keep / "report.png");
  ASSERT_GT(png.size(), 10000u) << "screenshot too small to hold the charts";
  EXPECT_EQ(png.substr(1, 3), "PNG");
  std::string dom;
  ASSERT_EQ(run_command("chromium " + flags + " --user-data-dir=" + quoted(keep / "profile-dom") + " --dump-dom " +
                            testing::quoted(url) + " 2>" + quoted(keep / "chromium-dom.log"),
                        &dom),
            0);
  write_text(keep / "dom.html", dom);
  std::regex chart(R"re(<svg class="chart" id="chart-([a-z-]+)" data-chart="\1" data-marks="(\d+)")re");
  std::map<std::string, int> marks;
  for (auto it = std::sregex_iterator(dom.begin(), dom.end(), chart); it != std::sregex_iterator(); ++it) {
    marks[(*it)[1]] = std::stoi((*it)[2]);
  }
  for (const char* name : {"questions-per-type", "answers-abnormality", "answers-presence", "answers-view",
                           "answers-location", "answers-level", "answers-type", "answers-difference", "yes-no-balance",
                           "questions-per-split", "findings", "levels", "locations", "finding-types",
                           "difference-kinds", "extraction"}) {
    ASSERT_TRUE(marks.count(name)) << "chart " << name << " missing from the rendered page";
    EXPECT_GT(marks[name], 0) << "chart " << name << " has no bars";
    EXPECT_NE(dom.find("<figure class=\"chart-figure\" id=\"figure-" + std::string(name) + "\">"), std::string::npos);
    EXPECT_NE(pipeline_report.find("data-chart=\"" + std::string(name) + "\""), std::string::npos) << name;
  }
  EXPECT_NE(dom.find("<section id=\"manifest\">"), std::string::npos);
  std::cout << "report screenshot kept at " << (keep / "report.png").string() << "\n";
}

}  // namespace
}  // namespace cxrvqa
