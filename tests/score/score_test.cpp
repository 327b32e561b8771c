// `cxrvqa score` as a library call: keys, normalisation, kinds, missing/extra/duplicate
// predictions and the figures of perfect and all-"no" predictions.
#include <gtest/gtest.h>

#include "score/score.h"
#include "test_util.h"

namespace cxrvqa {
namespace {

using testing::TempDir;
using testing::write_text;

Question gold(std::string study, QuestionType type, std::string question, std::string answer, std::string split,
              std::string ref = "") {
  return {study, "1000", type, std::move(question), std::move(answer), "d" + study, std::move(split), std::move(ref)};
}

// Two splits, every kind of question.
std::vector<Question> gold_questions() {
  return {
      gold("1", QuestionType::kPresence, "is there edema?", "yes", "train"),
      gold("1", QuestionType::kPresence, "is there pneumothorax?", "no", "train"),
      gold("1", QuestionType::kView, "which view is this image taken?", "PA view", "train"),
      gold("1", QuestionType::kAbnormality, "what abnormalities are seen in this image?", "edema, atelectasis", "train"),
      gold("2", QuestionType::kLocation, "is the effusion located on the left side or right side?", "left side", "test"),
      gold("2", QuestionType::kLevel, "what level is the effusion?", "small", "test"),
      gold("2", QuestionType::kView, "is this AP view?", "no", "test"),
      gold("2", QuestionType::kDifference, "what has changed compared to the reference image?",
           "the main image has an additional finding of pleural effusion than the reference image. ", "test", "1"),
  };
}

struct Files {
  TempDir dir;
  std::filesystem::path gold = dir / "questions.csv";
};

void write_gold(const Files& files, const std::vector<Question>& questions) {
  ASSERT_TRUE(write_questions(files.gold, questions, QuestionFormat::kCsv, 1).ok());
}

std::string id_of(const Question& q) { return make_question_id(q.study_id, q.type, q.question, q.ref_id); }

TEST(Score, NormalisationAndKinds) {
  EXPECT_EQ(normalize_answer(QuestionType::kPresence, " Yes. "), "yes");
  EXPECT_EQ(normalize_answer(QuestionType::kAbnormality, "Edema, atelectasis"),
            normalize_answer(QuestionType::kAbnormality, "atelectasis,edema."));
  EXPECT_NE(normalize_answer(QuestionType::kLocation, "left lower lobe area"),
            normalize_answer(QuestionType::kLocation, "lower left lobe area"));  // order matters elsewhere
  EXPECT_EQ(answer_kind(QuestionType::kPresence, "is there edema?", "no"), AnswerKind::kYesNo);
  EXPECT_EQ(answer_kind(QuestionType::kView, "is this PA view?", "yes"), AnswerKind::kYesNo);
  EXPECT_EQ(answer_kind(QuestionType::kView, "which view is this image taken?", "AP view"), AnswerKind::kChoice);
  EXPECT_EQ(answer_kind(QuestionType::kLocation, "is the x located on the left side or right side?", "left side"),
            AnswerKind::kChoice);
  EXPECT_EQ(answer_kind(QuestionType::kLevel, "what level is the x?", "small"), AnswerKind::kOpen);
  EXPECT_EQ(answer_kind(QuestionType::kDifference, "what has changed?", "nothing has changed."), AnswerKind::kDifference);
}

TEST(Score, GoldAgainstItselfScoresOneEverywhere) {
  Files files;
  write_gold(files, gold_questions());
  auto summary = RunScore({files.gold, files.gold});
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  EXPECT_EQ(summary->gold_questions, 8u);
  EXPECT_EQ(summary->matched, 8u);
  EXPECT_TRUE(summary->missing.empty());
  EXPECT_TRUE(summary->extra.empty());
  EXPECT_EQ(summary->all.closed().total, 5u);
  EXPECT_EQ(summary->all.closed().accuracy(), 1.0);
  EXPECT_EQ(summary->all.per_kind[static_cast<size_t>(AnswerKind::kOpen)].total, 2u);
  EXPECT_EQ(summary->all.overall().accuracy(), 1.0);
  ASSERT_TRUE(summary->all.difference.has_value());
  for (double bleu : summary->all.difference->bleu) EXPECT_DOUBLE_EQ(bleu, 1.0);
  EXPECT_DOUBLE_EQ(summary->all.difference->rouge_l, 1.0);
  ASSERT_EQ(summary->per_split.size(), 2u);
  EXPECT_EQ(summary->per_split.at("train").closed().total, 3u);
  EXPECT_EQ(summary->per_split.at("test").per_type[static_cast<size_t>(QuestionType::kLevel)].correct, 1u);
  EXPECT_FALSE(summary->per_split.at("train").difference.has_value());
}

TEST(Score, AllNoPredictionGetsTheShareOfNo) {
  Files files;
  std::vector<Question> questions = gold_questions();
  write_gold(files, questions);
  std::string csv = "question_id,answer\n";
  for (const Question& q : questions) csv += id_of(q) + ",No.\n";
  write_text(files.dir / "pred.csv", csv);
  auto summary = RunScore({files.gold, files.dir / "pred.csv"});
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  // Closed: yes, no, PA view, left side, no -> 2 of 5 are "no".
  EXPECT_EQ(summary->all.closed().correct, 2u);
  EXPECT_DOUBLE_EQ(summary->all.closed().accuracy(), 2.0 / 5.0);
  EXPECT_EQ(summary->all.per_kind[static_cast<size_t>(AnswerKind::kYesNo)].correct, 2u);
  EXPECT_EQ(summary->all.per_kind[static_cast<size_t>(AnswerKind::kOpen)].correct, 0u);
  EXPECT_EQ(summary->all.difference->bleu[0], 0.0);
}

TEST(Score, MissingExtraDuplicateAndMalformedAreNamed) {
  Files files;
  std::vector<Question> questions = gold_questions();
  write_gold(files, questions);
  std::string jsonl;
  jsonl += "{\"question_id\":\"" + id_of(questions[0]) + "\",\"text\":\"yes\"}\n";           // LLaVA model_vqa form
  jsonl += "{\"question_id\":\"" + id_of(questions[0]) + "\",\"text\":\"no\"}\n";            // duplicate
  jsonl += "{\"study_id\":2,\"question\":\"what level is the effusion?\",\"answer\":\"Small\"}\n";  // by study
  jsonl += "{\"question_id\":\"nope\",\"answer\":\"yes\"}\n";                                // extra
  jsonl += "{\"study_id\":\"9\",\"question\":\"is there edema?\",\"answer\":\"yes\"}\n";       // extra
  jsonl += "not json\n";
  jsonl += "{\"question_id\":\"x\"}\n";  // no answer
  write_text(files.dir / "pred.jsonl", jsonl);
  auto summary = RunScore({files.gold, files.dir / "pred.jsonl"});
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  EXPECT_EQ(summary->predictions, 5u);
  EXPECT_EQ(summary->matched, 2u);
  EXPECT_EQ(summary->missing.size(), 6u);
  EXPECT_EQ(summary->duplicates, std::vector<std::string>{id_of(questions[0])});
  EXPECT_EQ(summary->extra, (std::vector<std::string>{"nope", "9: is there edema?"}));
  ASSERT_EQ(summary->malformed.size(), 2u);
  EXPECT_EQ(summary->malformed[0].line, 6u);
  // Missing predictions count as wrong: 1 right of 5 closed, 1 of 2 open.
  EXPECT_EQ(summary->all.closed().correct, 1u);
  EXPECT_EQ(summary->all.per_kind[static_cast<size_t>(AnswerKind::kOpen)].correct, 1u);
  std::string text = summary->ToString(1);
  EXPECT_NE(text.find("missing predictions (scored as wrong) (6):"), std::string::npos) << text;
  EXPECT_NE(text.find("... 5 more"), std::string::npos) << text;
  Json json = summary->ToJson();
  EXPECT_EQ(json["missing"].size(), 6u);
  EXPECT_EQ(json["all"]["closed"]["correct"], 1);
}

// A gold question given twice (same id) is scored once when it has a prediction, and the
// repeat is named; without a prediction each copy is missing.
TEST(Score, RepeatedGoldQuestionIsScoredOnceAndNamed) {
  Files files;
  std::vector<Question> questions = gold_questions();
  std::vector<Question> repeated = questions;
  repeated.push_back(questions[1]);
  write_gold(files, repeated);
  std::string csv = "question_id,answer\n";
  for (const Question& q : questions) csv += id_of(q) + ",\"" + q.answer + "\"\n";
  write_text(files.dir / "pred.csv", csv);
  auto answered = RunScore({files.gold, files.dir / "pred.csv"});
  ASSERT_TRUE(answered.ok()) << answered.status().ToString();
  EXPECT_EQ(answered->gold_questions, questions.size());
  EXPECT_EQ(answered->matched, questions.size());
  EXPECT_EQ(answered->gold_duplicates, std::vector<std::string>{id_of(questions[1])});
  EXPECT_EQ(answered->all.closed().total, 5u);
  EXPECT_EQ(answered->all.closed().accuracy(), 1.0);

  csv = "question_id,answer\n";
  for (size_t i = 2; i < questions.size(); ++i) csv += id_of(questions[i]) + ",\"" + questions[i].answer + "\"\n";
  write_text(files.dir / "pred.csv", csv);
  auto unanswered = RunScore({files.gold, files.dir / "pred.csv"});
  ASSERT_TRUE(unanswered.ok()) << unanswered.status().ToString();
  EXPECT_TRUE(unanswered->gold_duplicates.empty());
  EXPECT_EQ(unanswered->missing,
            (std::vector<std::string>{id_of(questions[0]), id_of(questions[1]), id_of(questions[1])}));
  EXPECT_EQ(unanswered->all.closed().total, 6u);
  EXPECT_EQ(unanswered->all.closed().correct, 3u);
}

TEST(Score, FilesWithoutKeysOrAnswersAreRefused) {
  Files files;
  write_gold(files, gold_questions());
  write_text(files.dir / "a.csv", "id,answer\n1,yes\n");
  write_text(files.dir / "b.csv", "question_id,label\n1,yes\n");
  auto no_key = RunScore({files.gold, files.dir / "a.csv"});
  EXPECT_FALSE(no_key.ok());
  EXPECT_NE(no_key.status().message().find("a.csv"), std::string::npos);
  EXPECT_FALSE(RunScore({files.gold, files.dir / "b.csv"}).ok());
  EXPECT_FALSE(RunScore({files.dir / "absent.csv", files.gold}).ok());
}

}  // namespace
}  // namespace cxrvqa
