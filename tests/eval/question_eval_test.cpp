// Answer accuracy of question files against MeSH and KeyInfo gold: each question form on
// small hand-made files whose right answers are known.
#include "eval/question_eval.h"

#include <gtest/gtest.h>

#include "test_util.h"

namespace cxrvqa {
namespace {

using testing::TempDir;
using testing::write_text;

// Four MeSH-annotated studies: 1 left effusion (small) and patchy right basilar opacity;
// 2 normal; 3 borderline cardiomegaly and a hiatal hernia; 4 devices only (normal).
constexpr char kMeshGold[] =
    "uid,MeSH,Problems,image,indication,comparison,findings,impression\n"
    "1,Pleural Effusion/left/small;Opacity/lung/base/right/patchy,,x,,,f,i\n"
    "2,normal,,x,,,f,i\n"
    "3,\"Cardiomegaly/borderline;Hernia, Hiatal\",,x,,,f,i\n"
    "4,\"Catheters, Indwelling/right\",,x,,,f,i\n";

QuestionEvalSummary score(const TempDir& dir, const std::string& questions_csv,
                          GoldFormat format = GoldFormat::kIuMesh,
                          const std::string& gold_name = "gold.csv") {
  write_text(dir / "questions.csv", questions_csv);
  QuestionEvalOptions options;
  options.questions = dir / "questions.csv";
  options.gold = dir / gold_name;
  options.format = format;
  auto summary = RunQuestionEval(options);
  EXPECT_TRUE(summary.ok()) << summary.status().ToString();
  return summary.ok() ? *summary : QuestionEvalSummary{};
}

constexpr char kHeader[] = "study_id,subject_id,question_type,question,answer,dicom_id,split,ref_id\n";

// Scores question rows (after kHeader) against kMeshGold.
QuestionEvalSummary score_against_mesh(const std::string& rows) {
  TempDir dir;
  write_text(dir / "gold.csv", kMeshGold);
  return score(dir, std::string(kHeader) + rows);
}

TEST(QuestionEvalTest, PresenceYesAndNoAgainstMesh) {
  auto summary = score_against_mesh(
      "1,1,presence,is there pleural effusion?,yes,,,\n"            // right
      "1,1,presence,is there evidence of pneumothorax in this image?,no,,,\n"  // right
      "2,2,presence,is there cardiomegaly?,yes,,,\n"                // wrong
      "3,3,presence,is there hiatal hernia?,yes,,,\n"               // right: counts as hernia
      "1,1,presence,is there consolidation?,no,,,\n"                // related to Opacity: not scored
      "1,1,presence,is there zebra?,no,,,\n"                        // not in the map: not scored
      "9,9,presence,is there edema?,no,,,\n");                      // study not in the gold
  const AnswerScore& presence = summary.form(QuestionForm::kPresence);
  EXPECT_EQ(summary.questions, 7u);
  EXPECT_EQ(summary.without_gold_study, 1u);
  EXPECT_EQ(presence.questions, 6u);
  EXPECT_EQ(presence.scored, 4u);
  EXPECT_EQ(presence.wrong, 1u);
  EXPECT_DOUBLE_EQ(presence.value(), 0.75);
  EXPECT_EQ(presence.unscorable.at("the gold names a related finding"), 1u);
  EXPECT_EQ(presence.unscorable.at("finding not in the gold's vocabulary"), 1u);
  ASSERT_EQ(presence.examples.size(), 1u);
  EXPECT_EQ(presence.examples[0].study_id, "2");
  EXPECT_EQ(presence.examples[0].expected, "no");
}

TEST(QuestionEvalTest, LocatedPresenceComparesSides) {
  auto summary = score_against_mesh(
      "1,1,presence,is there pleural effusion in the left lower lobe?,yes,,,\n"  // right
      "1,1,presence,is there pleural effusion in the right lower lobe?,no,,,\n"  // right
      "1,1,presence,is the pleural effusion bilateral?,yes,,,\n"                 // wrong
      "1,1,presence,is there pleural effusion in the retrocardiac?,yes,,,\n"     // no side
      "2,2,presence,is there atelectasis in the left base?,no,,,\n");            // right
  const AnswerScore& at = summary.form(QuestionForm::kPresenceAt);
  EXPECT_EQ(at.scored, 4u);
  EXPECT_EQ(at.wrong, 1u);
  EXPECT_EQ(at.unscorable.at("no side to compare"), 1u);
  EXPECT_EQ(summary.Presence().scored, 4u);  // presence and presence_at together
}

TEST(QuestionEvalTest, AnyAbnormalityAndListsAgainstMesh) {
  auto summary = score_against_mesh(
      "1,1,abnormality,is there evidence of any abnormalities in this image?,yes,,,\n"  // right
      "2,2,abnormality,is there evidence of any abnormalities in this image?,yes,,,\n"  // wrong
      "4,4,abnormality,is there evidence of any abnormalities in this image?,no,,,\n"   // right: devices only
      // effusion right, opacity through consolidation right, nodule a false positive: F1 = 0.8
      "1,1,abnormality,what abnormalities are seen in this image?,\"pleural effusion, consolidation, nodule\",,,\n"
      // only the right-sided label counts at the right base: the opacity.
      "1,1,abnormality,what abnormalities are seen in the right base?,lung opacity,,,\n");
  EXPECT_EQ(summary.form(QuestionForm::kAnyAbnormality).scored, 3u);
  EXPECT_EQ(summary.form(QuestionForm::kAnyAbnormality).wrong, 1u);
  const AnswerScore& list = summary.form(QuestionForm::kAbnormalityList);
  ASSERT_EQ(list.scored, 1u);
  EXPECT_NEAR(list.value(), 0.8, 1e-9);
  const AnswerScore& at = summary.form(QuestionForm::kAbnormalityAt);
  ASSERT_EQ(at.scored, 1u);
  EXPECT_DOUBLE_EQ(at.value(), 1.0);
  // Per question_type: the three forms of "abnormality" together.
  EXPECT_EQ(summary.types.at("abnormality").scored, 5u);
}

TEST(QuestionEvalTest, SideLevelAndTypeAgainstMesh) {
  auto summary = score_against_mesh(
      "1,1,location,where is the pleural effusion?,left lower lobe area,,,\n"                 // right
      "1,1,location,where in the image is the lung opacity located?,bilateral area,,,\n"      // wrong
      "1,1,location,is the pleural effusion located on the left side or right side?,right side,,,\n"  // wrong
      "3,3,location,where is the cardiomegaly?,heart area,,,\n"                               // no side
      "1,1,level,what level is the pleural effusion?,mild,,,\n"                               // right: small = mild
      "3,3,level,what level is the cardiomegaly?,moderate,,,\n"                               // wrong
      "1,1,level,what level is the lung opacity?,mild,,,\n"                                   // no gold level
      "1,1,type,what type is the lung opacity?,\"patchy, streaky\",,,\n"                      // right
      "1,1,type,what type is the pleural effusion?,layering,,,\n");                           // no gold type
  EXPECT_EQ(summary.Side().scored, 3u);
  EXPECT_EQ(summary.Side().wrong, 2u);
  EXPECT_EQ(summary.form(QuestionForm::kLocation).unscorable.at("the gold gives no side"), 1u);
  EXPECT_EQ(summary.form(QuestionForm::kLevel).scored, 2u);
  EXPECT_EQ(summary.form(QuestionForm::kLevel).wrong, 1u);
  EXPECT_EQ(summary.form(QuestionForm::kLevel).examples.at(0).expected, "borderline");
  EXPECT_EQ(summary.form(QuestionForm::kType).scored, 1u);
  EXPECT_EQ(summary.form(QuestionForm::kType).wrong, 0u);
  EXPECT_EQ(summary.form(QuestionForm::kType).unscorable.at("the gold gives no type"), 1u);
}

TEST(QuestionEvalTest, ReleasedFiveColumnCsvAndJsonlAreRead) {
  TempDir dir;
  write_text(dir / "gold.csv", kMeshGold);
  auto five = score(dir,
                    "study_id,subject_id,question_type,question,answer\n"
                    "1,1,presence,is there pleural effusion?,yes\n"
                    "2,2,view,which view is this image taken?,PA view\n");
  EXPECT_EQ(five.form(QuestionForm::kPresence).scored, 1u);
  EXPECT_EQ(five.form(QuestionForm::kView).unscorable.at("the gold gives no view"), 1u);

  write_text(dir / "questions.jsonl",
             "{\"study_id\":\"1\",\"question_type\":\"presence\",\"question\":\"is there edema?\",\"answer\":\"no\"}\n"
             "not json\n");
  QuestionEvalOptions options;
  options.questions = dir / "questions.jsonl";
  options.gold = dir / "gold.csv";
  auto jsonl = RunQuestionEval(options);
  ASSERT_TRUE(jsonl.ok()) << jsonl.status().ToString();
  EXPECT_EQ(jsonl->form(QuestionForm::kPresence).scored, 1u);
  EXPECT_EQ(jsonl->question_errors.size(), 1u);
  EXPECT_NE(jsonl->question_errors[0].ToString().find("questions.jsonl:2"), std::string::npos);
}

TEST(QuestionEvalTest, KeyInfoGoldScoresViewUncertainAndDifference) {
  TempDir dir;
  write_text(dir / "gold.jsonl",
             R"({"study_id":"10","subject_id":"1","dicom_id":"","view":"postero-anterior","study_order":1,"split":"","opacity_vs_clear":{},"entity":{"pleural effusion":{"location":"left","level":"small","type":"layering","post_location":null}},"uncertain_entity":["pneumonia"],"no_entity":[]})"
             "\n"
             R"({"study_id":"11","subject_id":"1","dicom_id":"","view":"antero-posterior","study_order":2,"split":"","opacity_vs_clear":{},"entity":{"atelectasis":{"location":null,"level":null,"type":null,"post_location":null}},"uncertain_entity":[],"no_entity":[]})"
             "\n");
  auto summary = score(dir, std::string(kHeader) +
      "10,1,view,is this PA view?,yes,,,\n"                                   // right
      "11,1,view,which view is this image taken?,PA view,,,\n"                // wrong
      "10,1,presence,is there pneumonia?,no,,,\n"                             // uncertain in gold
      "10,1,type,what type is the pleural effusion?,layering,,,\n"            // right
      "11,1,difference,what has changed compared to the reference image?,"
      "\"the main image has additional findings of atelectasis, and is missing the findings of pleural effusion.\",,,10\n"
      "11,1,difference,what has changed compared to the reference image?,nothing has changed.,,,10\n",
      GoldFormat::kKeyInfo, "gold.jsonl");
  EXPECT_EQ(summary.form(QuestionForm::kView).scored, 2u);
  EXPECT_EQ(summary.form(QuestionForm::kView).wrong, 1u);
  EXPECT_EQ(summary.form(QuestionForm::kPresence).unscorable.at("the gold calls the finding possible"), 1u);
  EXPECT_EQ(summary.form(QuestionForm::kType).scored, 1u);
  EXPECT_EQ(summary.form(QuestionForm::kType).wrong, 0u);
  const AnswerScore& difference = summary.form(QuestionForm::kDifference);
  ASSERT_EQ(difference.scored, 2u);
  EXPECT_DOUBLE_EQ(difference.points, 1.0);  // the first right, the second F1 0
  EXPECT_EQ(difference.wrong, 1u);
}

TEST(QuestionEvalTest, TextAndJsonReportsCarryTheFigures) {
  auto summary = score_against_mesh("2,2,presence,is there cardiomegaly?,yes,,,\n");
  std::string text = summary.ToString();
  EXPECT_NE(text.find("presence (yes/no):               0.000 (1 scored, 1 wrong, 0 unscorable)"),
            std::string::npos) << text;
  EXPECT_NE(text.find("is there cardiomegaly? -> yes (gold: no)"), std::string::npos) << text;
  Json json = summary.ToJson();
  EXPECT_EQ(json["presence"]["scored"], 1);
  EXPECT_EQ(json["forms"]["presence"]["wrong_examples"][0]["study_id"], "2");
}

TEST(QuestionEvalTest, MissingColumnsAndFilesAreErrors) {
  TempDir dir;
  write_text(dir / "gold.csv", kMeshGold);
  write_text(dir / "questions.csv", "study_id,question\n1,is there edema?\n");
  QuestionEvalOptions options;
  options.questions = dir / "questions.csv";
  options.gold = dir / "gold.csv";
  auto missing_column = RunQuestionEval(options);
  ASSERT_FALSE(missing_column.ok());
  EXPECT_NE(missing_column.status().message().find("answer"), std::string::npos);
  options.questions = dir / "absent.csv";
  EXPECT_FALSE(RunQuestionEval(options).ok());
}

}  // namespace
}  // namespace cxrvqa
