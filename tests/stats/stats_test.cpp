#include <gtest/gtest.h>

#include <algorithm>

#include "stats/stats.h"
#include "test_util.h"

namespace cxrvqa {
namespace {

Question q(std::string study, std::string subject, QuestionType type, std::string answer, std::string split) {
  return {study, subject, type, "question " + answer, std::move(answer), "d" + study, std::move(split), ""};
}

std::vector<Question> sample() {
  return {q("1", "p1", QuestionType::kPresence, "yes", "train"),
          q("1", "p1", QuestionType::kPresence, "no", "train"),
          q("1", "p1", QuestionType::kView, "PA view", "train"),
          q("2", "p1", QuestionType::kAbnormality, "edema, atelectasis", "train"),
          q("3", "p2", QuestionType::kLevel, "small", "test"),
          q("3", "p2", QuestionType::kDifference, "nothing has changed.", "test"),
          q("3", "p2", QuestionType::kPresence, "no", "test")};
}

TEST(Stats, CountsPerTypeSplitAndAnswers) {
  QuestionStats s = compute_question_stats(sample());
  EXPECT_EQ(s.total, 7u);
  EXPECT_EQ(s.per_type[static_cast<size_t>(QuestionType::kPresence)].count, 3u);
  EXPECT_EQ(s.per_type[static_cast<size_t>(QuestionType::kPresence)].yes, 1u);
  EXPECT_EQ(s.per_type[static_cast<size_t>(QuestionType::kPresence)].no, 2u);
  EXPECT_EQ(s.per_type[static_cast<size_t>(QuestionType::kPresence)].answer_vocabulary, 2u);
  EXPECT_EQ(s.closed, 3u);
  EXPECT_EQ(s.open, 4u);
  EXPECT_EQ(s.answer_vocabulary, 6u);
  EXPECT_EQ(s.patients, 2u);
  EXPECT_EQ(s.images, 3u);
  EXPECT_EQ(s.per_split.at("train").questions, 4u);
  EXPECT_EQ(s.per_split.at("train").images, 2u);
  EXPECT_EQ(s.per_split.at("test").patients, 1u);
}

TEST(Stats, ValuesThatComeBackLaterAreCountedOnce) {
  // Images, patients, answers and splits that return after others are the same values.
  std::vector<Question> questions = {q("1", "p1", QuestionType::kPresence, "yes", "train"),
                                     q("2", "p2", QuestionType::kPresence, "no", "test"),
                                     q("1", "p1", QuestionType::kPresence, "yes", "train"),
                                     q("3", "p2", QuestionType::kPresence, "no", "test"),
                                     q("2", "p2", QuestionType::kLevel, "small", "train"),
                                     q("3", "p1", QuestionType::kLevel, "small", "test")};
  QuestionStats s = compute_question_stats(questions);
  auto presence = s.per_type[static_cast<size_t>(QuestionType::kPresence)].answers;
  std::sort(presence.begin(), presence.end());
  using Counts = std::vector<std::pair<std::string, size_t>>;
  EXPECT_EQ(presence, (Counts{{"no", 2}, {"yes", 2}}));
  EXPECT_EQ(s.per_type[static_cast<size_t>(QuestionType::kLevel)].answers, (Counts{{"small", 2}}));
  EXPECT_EQ(s.images, 3u);
  EXPECT_EQ(s.patients, 2u);
  EXPECT_EQ(s.answer_vocabulary, 3u);
  EXPECT_EQ(s.per_type[static_cast<size_t>(QuestionType::kPresence)].answer_vocabulary, 2u);
  ASSERT_EQ(s.per_split.size(), 2u);
  EXPECT_EQ(s.per_split["train"].questions, 3u);
  EXPECT_EQ(s.per_split["train"].per_type[static_cast<size_t>(QuestionType::kPresence)], 2u);
  EXPECT_EQ(s.per_split["train"].per_type[static_cast<size_t>(QuestionType::kLevel)], 1u);
  EXPECT_EQ(s.per_split["train"].images, 2u);
  EXPECT_EQ(s.per_split["train"].patients, 2u);
  EXPECT_EQ(s.per_split["test"].questions, 3u);
  EXPECT_EQ(s.per_split["test"].images, 2u);
  EXPECT_EQ(s.per_split["test"].patients, 2u);
}

TEST(Stats, TextTableShowsReleasedFigures) {
  std::string text = format_question_stats(compute_question_stats(sample()));
  for (const char* figure : {"190525", "211560", "92048", "104680", "111715", "69486", "780014"}) {
    EXPECT_NE(text.find(figure), std::string::npos) << figure;
  }
  EXPECT_NE(text.find("difference"), std::string::npos);
  EXPECT_NE(text.find("test"), std::string::npos);
}

TEST(Stats, JsonHasTheSameFigures) {
  Json json = question_stats_to_json(compute_question_stats(sample()));
  EXPECT_EQ(json["total"], 7);
  EXPECT_EQ(json["per_type"]["presence"]["no"], 2);
  EXPECT_EQ(json["per_type"]["abnormality"]["released"], 190525);
  EXPECT_TRUE(json["per_type"]["difference"]["released"].is_null());
  EXPECT_EQ(json["per_split"]["test"]["questions"], 3);
}

TEST(Stats, ReadsQuestionsCsvAndReportsBrokenRows) {
  testing::TempDir dir;
  std::vector<Question> questions = sample();
  ASSERT_TRUE(write_questions(dir / "q.csv", questions, QuestionFormat::kCsv, 1).ok());
  std::string text = testing::read_text(dir / "q.csv");
  text += "9,p9,nonsense,question,answer,d9,train,\n";
  text += "9,p9,view,only four\n";
  testing::write_text(dir / "q.csv", text);
  std::vector<LineError> errors;
  auto back = read_questions(dir / "q.csv", errors);
  ASSERT_TRUE(back.ok());
  for (Question& q : questions) q = to_question(question_ref(q));  // ids are derived on reading
  EXPECT_EQ(*back, questions);
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0].line, 9u);
  EXPECT_EQ(errors[1].line, 10u);
}

}  // namespace
}  // namespace cxrvqa
