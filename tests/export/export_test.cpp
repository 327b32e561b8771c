// `cxrvqa export` as a library call on a small hand-made dataset folder in the MIMIC layout.
#include <gtest/gtest.h>

#include <regex>

#include "common/json.h"
#include "export/export.h"
#include "test_util.h"

namespace cxrvqa {
namespace {

using testing::TempDir;
using testing::read_text;
using testing::write_text;

// files/p<first two digits of the subject>/p<subject>/s<study>/<dicom_id>.jpg
const std::regex kMimicPath(R"(^(mimic/)?files/p(\d\d)/p(\2\d{6})/s\d{8}/[^/]+\.jpg$)");

Question question(std::string study, QuestionType type, std::string text, std::string answer, std::string split,
                  std::string ref = "") {
  return {study, "10000001", type, std::move(text), std::move(answer), "dicom-" + study, std::move(split), std::move(ref)};
}

// Studies 50000001 (train), 50000002 (train, reference 50000001), 50000003 (test),
// 50000004 (validate, reference 50000005 which has no questions: its image comes from
// keyinfo.jsonl).
struct DatasetFixture {
  TempDir dir;
  std::filesystem::path dataset = dir / "dataset";
  std::vector<Question> questions = {
      question("50000001", QuestionType::kPresence, "is there edema?", "yes", "train"),
      question("50000002", QuestionType::kDifference, "what has changed compared to the reference image?",
               "nothing has changed.", "train", "50000001"),
      question("50000002", QuestionType::kAbnormality, "what abnormalities are seen in this image?", "edema, \"x\"", "train"),
      question("50000003", QuestionType::kView, "is this PA view?", "no", "test"),
      question("50000003", QuestionType::kLevel, "what level is the edema?", "mild", "test"),
      question("50000004", QuestionType::kDifference, "what has changed compared to the reference image?",
               "the main image is missing the finding of edema than the reference image. ", "validate", "50000005"),
  };

  DatasetFixture() {
    EXPECT_TRUE(write_questions(dataset / "questions.csv", questions, QuestionFormat::kCsv, 1).ok());
    write_text(dataset / "keyinfo.jsonl",
               "{\"study_id\":\"50000005\",\"subject_id\":\"10000001\",\"dicom_id\":\"dicom-50000005\",\"view\":"
               "\"postero-anterior\",\"study_order\":1,\"split\":\"validate\",\"entity\":{},\"uncertain_entity\":[],"
               "\"no_entity\":[]}\n");
    write_text(dataset / "manifest.json",
               R"({"program":"cxrvqa","version":"0.1.0","build_id":"abc","seed":7,)"
               R"("options":{"corpus":"mimic","reports":"/some/where/mimic-cxr-reports","extractor":"rules","seed":7},)"
               R"("inputs":[{"path":"/some/where/mimic_all.csv","kind":"file","bytes":10,"sha256":"00ff"}],)"
               R"("stages":[{"name":"extract","counts":{"reports":5,"positive":3}}]})");
  }

  Result<ExportSummary> Export(ExportFormat format, bool blind = false, std::string root = "") {
    ExportOptions options;
    options.dataset = dataset;
    options.out_dir = dir / "out";
    options.format = format;
    options.blind = blind;
    options.image_root = root;
    return RunExport(options);
  }
};

Json parse(const std::filesystem::path& path) { return Json::parse(read_text(path)); }

std::vector<Json> parse_lines(const std::filesystem::path& path) {
  std::vector<Json> rows;
  std::istringstream in(read_text(path));
  for (std::string line; std::getline(in, line);) rows.push_back(Json::parse(line));
  return rows;
}

TEST(ImagePaths, MimicAndIuLayouts) {
  StudyImage image{"10000032", "50414267", "02aa804e-bde0afdd-112c0b34-7bc16630-4e384014"};
  EXPECT_EQ(*study_image_path(ImageLayout::kMimicCxrJpg, image, ""),
            "files/p10/p10000032/s50414267/02aa804e-bde0afdd-112c0b34-7bc16630-4e384014.jpg");
  EXPECT_EQ(*study_image_path(ImageLayout::kMimicCxrJpg, image, "mimic-cxr-jpg/2.0.0/"),
            "mimic-cxr-jpg/2.0.0/files/p10/p10000032/s50414267/02aa804e-bde0afdd-112c0b34-7bc16630-4e384014.jpg");
  StudyImage iu{"", "CXR1", "1_IM-0001-4001.dcm.png"};
  EXPECT_EQ(*study_image_path(ImageLayout::kIuXray, iu, "images"), "images/1_IM-0001-4001.dcm.png");
  auto no_dicom = study_image_path(ImageLayout::kMimicCxrJpg, {"10000032", "50414267", ""}, "");
  EXPECT_FALSE(no_dicom.ok());
  EXPECT_NE(no_dicom.status().message().find("50414267"), std::string::npos);
  EXPECT_FALSE(study_image_path(ImageLayout::kMimicCxrJpg, {"x", "5", "d"}, "").ok());
  EXPECT_EQ(image_layout_for_corpus("iu"), ImageLayout::kIuXray);
  EXPECT_FALSE(image_layout_for_corpus("csv").has_value());
}

TEST(Export, LlavaConversationsPerSplitWithBothImagesForDifferences) {
  DatasetFixture f;
  auto summary = f.Export(ExportFormat::kLlava, false, "mimic");
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  EXPECT_EQ(summary->questions, 6u);
  EXPECT_EQ(summary->per_split.at("validation").difference(), 1u);
  Json train = parse(f.dir / "out" / "llava_train.json");
  ASSERT_TRUE(train.is_array());
  ASSERT_EQ(train.size(), 3u);
  const Json& presence = train[0];
  EXPECT_EQ(presence["id"], make_question_id("50000001", QuestionType::kPresence, "is there edema?", ""));
  EXPECT_EQ(presence["image"], "mimic/files/p10/p10000001/s50000001/dicom-50000001.jpg");
  EXPECT_EQ(presence["conversations"][0]["from"], "human");
  EXPECT_EQ(presence["conversations"][0]["value"], "<image>\nis there edema?");
  EXPECT_EQ(presence["conversations"][1]["from"], "gpt");
  EXPECT_EQ(presence["conversations"][1]["value"], "yes");
  const Json& difference = train[1];
  ASSERT_TRUE(difference["image"].is_array());
  EXPECT_EQ(difference["image"][0], "mimic/files/p10/p10000001/s50000002/dicom-50000002.jpg");  // main first
  EXPECT_EQ(difference["image"][1], "mimic/files/p10/p10000001/s50000001/dicom-50000001.jpg");  // reference
  EXPECT_EQ(difference["conversations"][0]["value"], "<image>\n<image>\nwhat has changed compared to the reference image?");
  EXPECT_EQ(train[2]["conversations"][1]["value"], "edema, \"x\"");
  Json validation = parse(f.dir / "out" / "llava_validation.json");
  EXPECT_EQ(validation[0]["image"][1], "mimic/files/p10/p10000001/s50000005/dicom-50000005.jpg");  // from keyinfo
  EXPECT_EQ(parse(f.dir / "out" / "llava_test.json").size(), 2u);
}

TEST(Export, BlindTestSplitHasNoAnswersAndAnAnswerKey) {
  DatasetFixture f;
  auto summary = f.Export(ExportFormat::kLlava, /*blind=*/true);
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  EXPECT_FALSE(std::filesystem::exists(f.dir / "out" / "llava_test.json"));
  std::vector<Json> questions = parse_lines(f.dir / "out" / "llava_test_questions.jsonl");
  ASSERT_EQ(questions.size(), 2u);
  EXPECT_EQ(questions[0]["text"], "is this PA view?");
  EXPECT_FALSE(questions[0].contains("answer"));
  EXPECT_EQ(read_text(f.dir / "out" / "llava_test_questions.jsonl").find("mild"), std::string::npos);
  std::vector<LineError> errors;
  auto key = read_questions(f.dir / "out" / "test_answer_key.csv", errors);
  ASSERT_TRUE(key.ok());
  ASSERT_EQ(key->size(), 2u);
  EXPECT_EQ((*key)[1].answer, "mild");
  EXPECT_EQ((*key)[1].question_id, questions[1]["question_id"]);
}

TEST(Export, HuggingFaceRowsAndCard) {
  DatasetFixture f;
  auto summary = f.Export(ExportFormat::kHf, /*blind=*/true);
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  std::vector<Json> train = parse_lines(f.dir / "out" / "data" / "train.jsonl");
  ASSERT_EQ(train.size(), 3u);
  EXPECT_EQ(train[1]["reference_image"], "files/p10/p10000001/s50000001/dicom-50000001.jpg");
  EXPECT_TRUE(train[0]["reference_image"].is_null());
  for (const Json& row : train) EXPECT_TRUE(std::regex_match(row["image"].get<std::string>(), kMimicPath)) << row;
  EXPECT_EQ(train[0]["answer"], "yes");
  std::vector<Json> test = parse_lines(f.dir / "out" / "data" / "test.jsonl");
  EXPECT_FALSE(test[0].contains("answer"));
  std::string card = read_text(f.dir / "out" / "README.md");
  EXPECT_EQ(card.rfind("---\n", 0), 0u);
  EXPECT_NE(card.find("  - split: \"validation\"\n    path: \"data/validation.jsonl\""), std::string::npos) << card;
  EXPECT_NE(card.find("- name: \"reference_image\"\n    dtype: \"string\""), std::string::npos);
  EXPECT_NE(card.find("num_examples: 3"), std::string::npos);
  EXPECT_NE(card.find("PhysioNet Credentialed Health Data License 1.5.0"), std::string::npos);
  EXPECT_NE(card.find("| type | train | validation | test | total |"), std::string::npos) << card;
  EXPECT_NE(card.find("| difference | 1 | 1 | 0 | 2 |"), std::string::npos) << card;
  EXPECT_NE(card.find("| mimic_all.csv | file | 10 |"), std::string::npos);
  EXPECT_EQ(card.find("/some/where"), std::string::npos);  // no machine paths
  EXPECT_NE(card.find("test_answer_key.csv"), std::string::npos);
}

TEST(Export, PlainJsonlWorksWithoutImageLayout) {
  DatasetFixture f;
  write_text(f.dataset / "manifest.json", R"({"options":{"corpus":"csv"}})");
  std::filesystem::remove(f.dataset / "keyinfo.jsonl");
  auto summary = f.Export(ExportFormat::kJsonl);
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  EXPECT_FALSE(summary->image_layout.has_value());
  std::vector<Json> rows = parse_lines(f.dir / "out" / "train.jsonl");
  EXPECT_FALSE(rows[0].contains("image"));
  auto llava = f.Export(ExportFormat::kLlava);
  ASSERT_FALSE(llava.ok());
  EXPECT_NE(llava.status().message().find("--image-layout"), std::string::npos);
}

TEST(Export, UnknownReferenceAndMissingTestSplitAreClearErrors) {
  DatasetFixture f;
  std::filesystem::remove(f.dataset / "keyinfo.jsonl");  // 50000005 is known nowhere now
  auto missing_reference = f.Export(ExportFormat::kLlava);
  ASSERT_FALSE(missing_reference.ok());
  EXPECT_NE(missing_reference.status().message().find("reference study 50000005 of study 50000004"), std::string::npos)
      << missing_reference.status().message();

  DatasetFixture g;
  std::vector<Question> train_only(g.questions.begin(), g.questions.begin() + 3);
  ASSERT_TRUE(write_questions(g.dataset / "questions.csv", train_only, QuestionFormat::kCsv, 1).ok());
  auto blind = g.Export(ExportFormat::kJsonl, /*blind=*/true);
  ASSERT_FALSE(blind.ok());
  EXPECT_NE(blind.status().message().find("no test split"), std::string::npos);
  EXPECT_FALSE(RunExport({g.dir / "nothing", g.dir / "o", ExportFormat::kJsonl, "", std::nullopt, false}).ok());
}

}  // namespace
}  // namespace cxrvqa
