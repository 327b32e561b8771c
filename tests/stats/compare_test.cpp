#include <gtest/gtest.h>

#include "stats/compare.h"
#include "test_util.h"

namespace cxrvqa {
namespace {

using testing::TempDir;
using testing::write_text;

TEST(Compare, SharesTemplatesAndAnswerOverlap) {
  TempDir dir;
  // The released 5-column layout for one side, this project's 8 columns for the other.
  write_text(dir / "released.csv",
             "study_id,subject_id,question_type,question,answer\n"
             "1,p,abnormality,is there evidence of any abnormalities in this image?,yes\n"
             "1,p,presence,is there edema?,no\n"
             "1,p,presence,is there evidence of edema in this image?,yes\n"
             "1,p,location,where is the edema?,left area\n");
  write_text(dir / "ours.csv",
             "study_id,subject_id,question_type,question,answer,dicom_id,split,ref_id\n"
             "1,p,abnormality,is there evidence of any abnormalities in this image?,no,d,train,\n"
             "1,p,presence,is there edema?,no,d,train,\n"
             "1,p,view,which view is this image taken?,PA view,d,train,\n"
             "1,p,presence,what is this?,no,d,train,\n");
  std::vector<LineError> errors;
  auto ours = profile_question_file(dir / "ours.csv", errors);
  auto released = profile_question_file(dir / "released.csv", errors);
  ASSERT_TRUE(ours.ok() && released.ok());
  EXPECT_TRUE(errors.empty());
  QuestionComparison c = compare_question_sets(*ours, *released);
  EXPECT_EQ(c.total, 4u);
  ASSERT_EQ(c.types.size(), 4u);  // abnormality, presence, view, location
  EXPECT_EQ(c.types[1].type, QuestionType::kPresence);
  EXPECT_DOUBLE_EQ(c.types[1].share, 50.0);
  EXPECT_DOUBLE_EQ(c.types[1].reference_share, 50.0);
  EXPECT_DOUBLE_EQ(c.types[1].no_share, 100.0);
  EXPECT_DOUBLE_EQ(c.types[1].reference_no_share, 50.0);
  EXPECT_DOUBLE_EQ(c.max_share_gap(), 25.0);  // view 25 % vs 0 %, location 0 % vs 25 %
  EXPECT_DOUBLE_EQ(c.max_yes_no_gap({QuestionType::kPresence}), 50.0);
  EXPECT_DOUBLE_EQ(c.max_yes_no_gap({}), 100.0);  // abnormality: no vs yes
  EXPECT_EQ(c.templates_only_in_questions(), std::vector<std::string>{"which view is this image taken?"});
  EXPECT_EQ(c.templates_only_in_reference(),
            (std::vector<std::string>{"is there evidence of xxx in this image?", "where is the xxx?"}));
  EXPECT_EQ(c.unrecognized, 1u);
  EXPECT_EQ(c.answers, 2u);            // no, PA view
  EXPECT_EQ(c.reference_answers, 3u);  // yes, no, left area
  EXPECT_EQ(c.common_answers, 1u);
  EXPECT_DOUBLE_EQ(c.answer_jaccard(), 0.25);
  EXPECT_DOUBLE_EQ(c.answer_coverage, 75.0);
  EXPECT_DOUBLE_EQ(c.reference_answer_coverage, 25.0);
  std::string text = c.ToString();
  EXPECT_NE(text.find("templates only in questions: which view is this image taken?"), std::string::npos) << text;
  EXPECT_EQ(c.ToJson()["answers"]["common"], 1);
}

TEST(Compare, ReadsTheDiffVqaLayoutAndRequiresTheCoreColumns) {
  TempDir dir;
  write_text(dir / "diff.csv",
             "study_id,subject_id,ref_id,question_type,question,answer\n"
             "2,p,1,difference,what has changed compared to the reference image?,nothing has changed.\n"
             "2,p,1,difference,what has changed in the left lung area?,the level of edema has changed from small to large.\n");
  std::vector<LineError> errors;
  auto profile = profile_question_file(dir / "diff.csv", errors);
  ASSERT_TRUE(profile.ok());
  EXPECT_EQ(profile->per_type[static_cast<size_t>(QuestionType::kDifference)], 2u);
  EXPECT_EQ(profile->templates.count("what has changed in the lxxx area?"), 1u);
  write_text(dir / "bad.csv", "study_id,question,answer\n1,a,b\n");
  auto bad = profile_question_file(dir / "bad.csv", errors);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("question_type"), std::string::npos) << bad.status().message();
}

TEST(QuestionTemplates, RecogniseEveryPresetsTexts) {
  EXPECT_EQ(question_template("is there left pleural effusion in the left lower lobe area?"), "is there xxx in the lxxx?");
  EXPECT_EQ(question_template("is there effusion in the left lung base?"), "is there xxx in the lxxx?");
  EXPECT_EQ(question_template("is there evidence of edema in this image?"), "is there evidence of xxx in this image?");
  EXPECT_EQ(question_template("is there evidence of any abnormalities in this image?"),
            "is there evidence of any abnormalities in this image?");
  EXPECT_EQ(question_template("is there effusion on the?"), "is there xxx?");
  EXPECT_EQ(question_template("is the edema bilateral?"), "is the xxx bilateral?");
  EXPECT_EQ(question_template("is the edema located on the left side or right side?"),
            "is the xxx located on the left side or right side?");
  EXPECT_EQ(question_template("what abnormalities are seen in the bilateral?"), "what abnormalities are seen in the xxx?");
  EXPECT_EQ(question_template("what has changed in the left lower lung area?"), "what has changed in the lxxx area?");
  EXPECT_EQ(question_template("is there ?"), "");
  EXPECT_EQ(question_template("how big is the heart?"), "");
}

}  // namespace
}  // namespace cxrvqa
