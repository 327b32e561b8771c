// `review report` on a review file filled by the test, against figures worked out by hand.
#include <gtest/gtest.h>

#include <map>

#include "questions/questions.h"
#include "review/review.h"
#include "review/review_db.h"
#include "review_test_util.h"

namespace cxrvqa {
namespace {

using review_internal::ReviewDb;
using review_internal::StoredItem;
using review_internal::Verdict;
using testing::TempDir;

TEST(Wilson, KnownIntervals) {
  // 8 of 10: the textbook example, [0.4902, 0.9433].
  Proportion p = wilson_interval(8, 10);
  EXPECT_DOUBLE_EQ(p.value, 0.8);
  EXPECT_NEAR(p.low, 0.490162, 1e-6);
  EXPECT_NEAR(p.high, 0.943318, 1e-6);
  // 0 of 5: low is 0, high is z^2 / (n + z^2) = 3.8415 / 8.8415.
  p = wilson_interval(0, 5);
  EXPECT_DOUBLE_EQ(p.low, 0);
  EXPECT_NEAR(p.high, 3.841459 / 8.841459, 1e-6);
  p = wilson_interval(0, 0);
  EXPECT_EQ(p.trials, 0u);
  EXPECT_DOUBLE_EQ(p.low, 0);
  EXPECT_DOUBLE_EQ(p.high, 1);
}

TEST(Kappa, KnownValues) {
  // 50 items: yes/yes 20, yes/no 5, no/yes 10, no/no 15. po = 0.7; rater 1 says yes 25 times,
  // rater 2 30 times: pe = 0.5 * 0.6 + 0.5 * 0.4 = 0.5; kappa = 0.2 / 0.5 = 0.4.
  std::vector<int> first, second;
  auto add = [&](int a, int b, int times) {
    for (int i = 0; i < times; ++i) {
      first.push_back(a);
      second.push_back(b);
    }
  };
  add(0, 0, 20);
  add(0, 1, 5);
  add(1, 0, 10);
  add(1, 1, 15);
  EXPECT_NEAR(cohens_kappa(first, second, 2), 0.4, 1e-12);
  EXPECT_DOUBLE_EQ(cohens_kappa({0, 1, 2}, {0, 1, 2}, 3), 1.0);
  EXPECT_DOUBLE_EQ(cohens_kappa({1, 1}, {1, 1}, 3), 1.0);  // one label only: pe = 1
}

void expect_counts(const std::optional<ExportCounts>& counts, size_t records, size_t corrected, size_t not_applied) {
  ASSERT_TRUE(counts);
  EXPECT_EQ(counts->records, records);
  EXPECT_EQ(counts->corrected, corrected);
  EXPECT_EQ(counts->not_applied, not_applied);
}

// The review file of the hand dataset with verdicts of two reviewers.
class ReviewReportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ReviewSampleOptions options = testing::hand_sample_options(dir_.path());
    auto summary = RunReviewSample(options);
    ASSERT_TRUE(summary.ok()) << summary.status().ToString();
    auto db = ReviewDb::Open(options.db);
    ASSERT_TRUE(db.ok());
    db_ = std::move(*db);
    auto items = db_->Items(std::nullopt);
    ASSERT_TRUE(items.ok());
    for (const StoredItem& item : *items) ids_[item.study_id + " " + item.question_type] = item.item_id;
    ASSERT_EQ(ids_.size(), 13u);
  }

  void Give(const std::string& reviewer, const std::string& pair, const std::string& verdict,
            const std::string& right_answer = "") {
    auto saved = db_->RecordVerdict(Verdict{reviewer, ids_.at(pair), verdict, right_answer, "", "", 0});
    ASSERT_TRUE(saved.ok()) << saved.status().ToString();
  }

  // reviewer-a judges all 13 pairs, then reviewer-b the 8 of S1 and S2.
  void GiveVerdicts() {
    Give("reviewer-a", "S1 abnormality", "correct");
    Give("reviewer-a", "S1 presence", "correct");
    Give("reviewer-a", "S1 location", "wrong", "right side");
    Give("reviewer-a", "S1 level", "correct");
    Give("reviewer-a", "S1 view", "correct");
    Give("reviewer-a", "S2 presence", "correct");
    Give("reviewer-a", "S2 level", "wrong", "moderate");
    Give("reviewer-a", "S2 difference", "wrong", "nothing has changed.");
    Give("reviewer-a", "S3 abnormality", "wrong", "atelectasis, pleural effusion");
    Give("reviewer-a", "S3 type", "unsure");
    Give("reviewer-a", "S3 location", "wrong");
    Give("reviewer-a", "S4 abnormality", "correct");
    Give("reviewer-a", "S4 view", "correct");
    Give("reviewer-b", "S1 abnormality", "correct");
    Give("reviewer-b", "S1 presence", "correct");
    Give("reviewer-b", "S1 location", "correct");
    Give("reviewer-b", "S1 level", "correct");
    Give("reviewer-b", "S1 view", "unsure");
    Give("reviewer-b", "S2 presence", "correct");
    Give("reviewer-b", "S2 level", "wrong", "moderate");
    Give("reviewer-b", "S2 difference", "correct");
  }

  static const AccuracyRow& Row(const ReviewFigures& figures, const std::string& name) {
    for (const AccuracyRow& row : figures.per_type) {
      if (row.name == name) return row;
    }
    ADD_FAILURE() << "no row " << name;
    return figures.overall;
  }

  TempDir dir_;
  std::unique_ptr<ReviewDb> db_;
  std::map<std::string, int64_t> ids_;
};

TEST_F(ReviewReportTest, AccuracyPerTypeWithWilsonIntervals) {
  GiveVerdicts();
  ReviewReportOptions options;
  options.db = dir_ / "review.sqlite";
  auto figures = RunReviewReport(options);
  ASSERT_TRUE(figures.ok()) << figures.status().ToString();
  EXPECT_EQ(figures->studies, 4u);
  EXPECT_EQ(figures->items, 13u);
  EXPECT_EQ(figures->verdicts_per_reviewer.at("reviewer-a"), 13u);
  EXPECT_EQ(figures->verdicts_per_reviewer.at("reviewer-b"), 8u);
  // Pooled: correct = 7 (reviewer-a) + 6 (reviewer-b), wrong = 5 + 1, unsure = 1 + 1. 13 / 19.
  EXPECT_EQ(figures->overall.correct, 13u);
  EXPECT_EQ(figures->overall.wrong, 6u);
  EXPECT_EQ(figures->overall.unsure, 2u);
  EXPECT_NEAR(figures->overall.accuracy.value, 0.684211, 1e-6);
  EXPECT_NEAR(figures->overall.accuracy.low, 0.460104, 1e-6);
  EXPECT_NEAR(figures->overall.accuracy.high, 0.846356, 1e-6);
  // abnormality: reviewer-a c, w, c + reviewer-b c = 3 / 4; location: reviewer-a w, w + reviewer-b c = 1 / 3;
  // level: c, w + c, w = 2 / 4; view: c, c + reviewer-b unsure = 2 / 2; difference: w + c = 1 / 2;
  // type: one unsure, no accuracy.
  struct Expected {
    const char* type;
    size_t correct, wrong, unsure;
    double low, high;
  };
  for (const Expected& e : {Expected{"abnormality", 3, 1, 0, 0.300642, 0.954413},
                            Expected{"presence", 4, 0, 0, 0.510109, 1.0},
                            Expected{"view", 2, 0, 1, 0.342380, 1.0},
                            Expected{"location", 1, 2, 0, 0.061492, 0.792340},
                            Expected{"level", 2, 2, 0, 0.150039, 0.849961},
                            Expected{"type", 0, 0, 1, 0.0, 1.0},
                            Expected{"difference", 1, 1, 0, 0.094531, 0.905469}}) {
    const AccuracyRow& row = Row(*figures, e.type);
    EXPECT_EQ(row.correct, e.correct) << e.type;
    EXPECT_EQ(row.wrong, e.wrong) << e.type;
    EXPECT_EQ(row.unsure, e.unsure) << e.type;
    EXPECT_NEAR(row.accuracy.low, e.low, 1e-6) << e.type;
    EXPECT_NEAR(row.accuracy.high, e.high, 1e-6) << e.type;
  }
  // Rows follow the question-type order.
  ASSERT_EQ(figures->per_type.size(), 7u);
  EXPECT_EQ(figures->per_type.front().name, "abnormality");
  EXPECT_EQ(figures->per_type.back().name, "difference");

  // Per finding (both reviewers): cardiomegaly is named by S2's three pairs (6 verdicts, wrong:
  // reviewer-a's level and difference, reviewer-b's level); atelectasis by S3's three (reviewer-a only: 2 wrong,
  // 1 unsure); pleural effusion by S1's abnormality, location and level (6 verdicts, 1 wrong);
  // pneumothorax by S1's presence pair (2, none wrong).
  ASSERT_EQ(figures->per_finding.size(), 4u);
  auto finding = [&](size_t i) {
    const FindingErrors& f = figures->per_finding[i];
    return std::make_tuple(f.finding, f.judged, f.wrong, f.unsure);
  };
  EXPECT_EQ(finding(0), std::make_tuple(std::string("cardiomegaly"), size_t{6}, size_t{3}, size_t{0}));
  EXPECT_EQ(finding(1), std::make_tuple(std::string("atelectasis"), size_t{3}, size_t{2}, size_t{1}));
  EXPECT_EQ(finding(2), std::make_tuple(std::string("pleural effusion"), size_t{6}, size_t{1}, size_t{0}));
  EXPECT_EQ(finding(3), std::make_tuple(std::string("pneumothorax"), size_t{2}, size_t{0}, size_t{0}));

  // Agreement on the 8 shared pairs: reviewer-a c c w c c c w w, reviewer-b c c c c u c w c: 5 agree.
  // reviewer-a: 5 correct, 3 wrong; reviewer-b: 6 correct, 1 wrong, 1 unsure. pe = (5*6 + 3*1) / 64;
  // kappa = (5/8 - 33/64) / (1 - 33/64) = 7/31.
  ASSERT_EQ(figures->agreement.size(), 1u);
  const ReviewerAgreement& pair = figures->agreement[0];
  EXPECT_EQ(pair.first, "reviewer-a");
  EXPECT_EQ(pair.second, "reviewer-b");
  EXPECT_EQ(pair.shared, 8u);
  EXPECT_EQ(pair.agreeing, 5u);
  EXPECT_DOUBLE_EQ(pair.raw_agreement, 0.625);
  EXPECT_NEAR(pair.kappa, 7.0 / 31.0, 1e-12);

  std::string text = figures->ToString();
  EXPECT_NE(text.find("overall            13      6       2  0.684  [0.460, 0.846]"), std::string::npos) << text;
  EXPECT_NE(text.find("reviewer-a vs reviewer-b: 8 shared items, raw agreement 0.625, Cohen's kappa 0.226"), std::string::npos)
      << text;
  auto json = figures->ToJson();
  EXPECT_EQ(json["per_type"]["location"]["accuracy"]["successes"], 1);
  EXPECT_EQ(json["overall"]["accuracy"]["trials"], 19);
}

TEST_F(ReviewReportTest, OneReviewersFiguresAndCorrections) {
  GiveVerdicts();
  ReviewReportOptions options;
  options.db = dir_ / "review.sqlite";
  options.reviewer = "reviewer-a";
  options.gold_out = dir_ / "gold.jsonl";
  options.questions_out = dir_ / "corrected.csv";
  auto figures = RunReviewReport(options);
  ASSERT_TRUE(figures.ok()) << figures.status().ToString();
  // reviewer-a alone: 7 correct, 5 wrong, 1 unsure.
  EXPECT_EQ(figures->overall.correct, 7u);
  EXPECT_EQ(figures->overall.wrong, 5u);
  EXPECT_NEAR(figures->overall.accuracy.low, 0.319511, 1e-6);
  EXPECT_NEAR(figures->overall.accuracy.high, 0.806740, 1e-6);
  EXPECT_TRUE(figures->agreement.empty());

  // Gold: S1's effusion moves to the right, S2's cardiomegaly becomes moderate, S3 gains a
  // pleural effusion (no longer negated); the difference and the answerless location are
  // not applied.
  expect_counts(figures->gold, 4, 3, 2);
  std::vector<LineError> errors;
  auto gold = read_keyinfo_jsonl(dir_ / "gold.jsonl", errors);
  ASSERT_TRUE(gold.ok());
  EXPECT_TRUE(errors.empty());
  std::map<std::string, KeyInfo> by_id;
  for (const KeyInfo& record : *gold) by_id[record.meta.study_id] = record;
  ASSERT_EQ(by_id.size(), 4u);
  EXPECT_EQ(by_id["S1"].find_entity("pleural effusion")->attributes.location, "right");
  EXPECT_EQ(by_id["S1"].find_entity("pleural effusion")->attributes.level, "small");
  EXPECT_EQ(by_id["S2"].find_entity("cardiomegaly")->attributes.level, "moderate");
  EXPECT_EQ(by_id["S2"].uncertain_entity, std::vector<std::string>{"pneumonia"});
  ASSERT_NE(by_id["S3"].find_entity("pleural effusion"), nullptr);
  EXPECT_EQ(by_id["S3"].find_entity("atelectasis")->attributes.type, "patchy");
  EXPECT_TRUE(by_id["S3"].no_entity.empty());
  EXPECT_TRUE(by_id["S4"].entity.empty());

  // Corrected questions: 7 correct as they were, 4 corrected, 2 left out (unsure; wrong
  // without a right answer).
  expect_counts(figures->questions, 11, 4, 2);
  std::vector<LineError> question_errors;
  auto questions = read_questions(dir_ / "corrected.csv", question_errors);
  ASSERT_TRUE(questions.ok());
  EXPECT_TRUE(question_errors.empty());
  ASSERT_EQ(questions->size(), 11u);
  std::map<std::string, std::string> answers;
  for (const Question& q : *questions) answers[q.study_id + " " + std::string(question_type_name(q.type))] = q.answer;
  EXPECT_EQ(answers["S1 location"], "right side");
  EXPECT_EQ(answers["S1 abnormality"], "pleural effusion");
  EXPECT_EQ(answers["S2 difference"], "nothing has changed.");
  EXPECT_EQ(answers.count("S3 type"), 0u);
  EXPECT_EQ(answers.count("S3 location"), 0u);
}

TEST_F(ReviewReportTest, TheLatestVerdictIsExported) {
  GiveVerdicts();
  ReviewReportOptions options;
  options.db = dir_ / "review.sqlite";
  options.gold_out = dir_ / "gold.jsonl";
  options.questions_out = dir_ / "corrected.jsonl";
  auto figures = RunReviewReport(options);
  ASSERT_TRUE(figures.ok()) << figures.status().ToString();
  // reviewer-b came after reviewer-a: S1's location and S2's difference stand as they were.
  std::vector<LineError> errors;
  auto gold = read_keyinfo_jsonl(dir_ / "gold.jsonl", errors);
  ASSERT_TRUE(gold.ok());
  for (const KeyInfo& record : *gold) {
    if (record.meta.study_id == "S1") {
      EXPECT_EQ(record.find_entity("pleural effusion")->attributes.location, "left");
    }
  }
  auto questions = read_questions(dir_ / "corrected.jsonl", errors);
  ASSERT_TRUE(questions.ok());
  for (const Question& q : *questions) {
    if (q.type == QuestionType::kDifference) {
      EXPECT_EQ(q.answer, "the main image has additional findings of cardiomegaly.");
    }
  }
  // Gold corrections applied: S2 level (reviewer-b), S3 abnormality (reviewer-a); not applied: S3 location.
  expect_counts(figures->gold, 4, 2, 1);
}

TEST_F(ReviewReportTest, EmptyReviewHasNoAccuracy) {
  ReviewReportOptions options;
  options.db = dir_ / "review.sqlite";
  auto figures = RunReviewReport(options);
  ASSERT_TRUE(figures.ok());
  EXPECT_EQ(figures->overall.accuracy.trials, 0u);
  EXPECT_NE(figures->ToString().find("reviewers: none yet"), std::string::npos);
  EXPECT_NE(figures->ToString().find("no item judged by two reviewers"), std::string::npos);
}

TEST(ReviewDbTest, VerdictsAreValidatedAndLogged) {
  TempDir dir;
  ReviewSampleOptions options = testing::hand_sample_options(dir.path());
  ASSERT_TRUE(RunReviewSample(options).ok());
  auto db = ReviewDb::Open(options.db);
  ASSERT_TRUE(db.ok());
  int64_t item = (*(*db)->Items(std::nullopt))[0].item_id;
  auto bad = [&](Verdict v) {
    auto saved = (*db)->RecordVerdict(std::move(v));
    EXPECT_FALSE(saved.ok());
    return saved.ok() ? StatusCode::kOk : saved.status().code();
  };
  EXPECT_EQ(bad({"r", item, "maybe", "", "", "", 0}), StatusCode::kInvalidArgument);
  EXPECT_EQ(bad({"r", 99999, "correct", "", "", "", 0}), StatusCode::kInvalidArgument);
  EXPECT_EQ(bad({"", item, "correct", "", "", "", 0}), StatusCode::kInvalidArgument);
  EXPECT_EQ(bad({"r", item, "wrong", "bad \xff byte", "", "", 0}), StatusCode::kInvalidArgument);
  EXPECT_EQ(bad({"r", item, "wrong", "", std::string(5000, 'x'), "", 0}), StatusCode::kInvalidArgument);

  auto first = (*db)->RecordVerdict({"r", item, "wrong", "a", "c1", "", 0});
  ASSERT_TRUE(first.ok());
  auto second = (*db)->RecordVerdict({"r", item, "correct", "", "c2", "", 0});
  ASSERT_TRUE(second.ok());
  EXPECT_GT(second->seq, first->seq);
  EXPECT_EQ(second->given_at.size(), 24u);  // 2025-01-02T03:04:05.678Z
  auto current = (*db)->Verdicts(std::string("r"), std::nullopt);
  ASSERT_EQ(current->size(), 1u);
  EXPECT_EQ((*current)[0].verdict, "correct");
  auto log = (*db)->VerdictLog();
  ASSERT_EQ(log->size(), 2u);
  EXPECT_EQ((*log)[0].comment, "c1");
  EXPECT_EQ(*(*db)->Position("r"), 0);
  ASSERT_TRUE((*db)->SetPosition("r", 3).ok());
  EXPECT_EQ(*(*db)->Position("r"), 3);

  testing::write_text(dir / "not-a-review.sqlite", "plain text");
  auto foreign = ReviewDb::Open(dir / "not-a-review.sqlite");
  EXPECT_FALSE(foreign.ok());
}

}  // namespace
}  // namespace cxrvqa
