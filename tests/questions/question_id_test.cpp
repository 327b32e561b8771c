// Stable question ids: derived from study, type, question text (and reference), the same in
// every run and whatever the seed, unique within a generated set, written as the last column.
#include <gtest/gtest.h>

#include <regex>
#include <set>

#include "fixtures.h"
#include "libraries/libraries.h"
#include "questions/questions.h"
#include "test_util.h"

namespace cxrvqa {
namespace {

using testing::TempDir;
using testing::read_text;
using testing::write_text;

struct Corpus {
  std::vector<StudyRecord> metadata;
  std::vector<KeyInfo> records = testing::fixture_records(400, &metadata, 3);
};

std::vector<Question> generated(uint64_t seed, unsigned threads) {
  static const Corpus corpus;
  QuestionVocabulary vocabulary = QuestionVocabulary::FromLibraries(compute_libraries(corpus.records, nullptr), 1);
  auto studies = prepare_question_studies(corpus.records, corpus.metadata, nullptr);
  QuestionOptions options;
  options.seed = seed;
  options.threads = threads;
  return generate_questions(studies, vocabulary, options, nullptr);
}

TEST(QuestionId, FormatAndWhatItDependsOn) {
  std::string id = make_question_id("50414267", QuestionType::kPresence, "is there edema?", "");
  EXPECT_TRUE(std::regex_match(id, std::regex("50414267-presence-[0-9a-f]{12}"))) << id;
  EXPECT_EQ(id, make_question_id("50414267", QuestionType::kPresence, "is there edema?", ""));
  EXPECT_NE(id, make_question_id("50414267", QuestionType::kPresence, "is there edema? ", ""));
  EXPECT_NE(id.substr(id.size() - 12),
            make_question_id("50414267", QuestionType::kLocation, "is there edema?", "").substr(24));
  EXPECT_NE(make_question_id("5", QuestionType::kDifference, "what has changed?", "3"),
            make_question_id("5", QuestionType::kDifference, "what has changed?", "4"));
  // The id of a question carrying one is kept as it is.
  QuestionRef ref{"1", "2", QuestionType::kView, "q", "a", "d", "train", "", "given-id"};
  std::string out;
  append_question_id(out, ref);
  EXPECT_EQ(out, "given-id");
}

TEST(QuestionId, UniqueAndTheSameForTheSameQuestionWhateverSeedOrThreads) {
  std::vector<Question> first = generated(7, 1), again = generated(7, 4), other_seed = generated(8, 2);
  ASSERT_EQ(first, again);
  std::set<std::string> ids;
  std::map<std::string, std::string> id_of_question;
  for (const Question& q : first) {
    EXPECT_TRUE(ids.insert(q.question_id).second) << "duplicate id " << q.question_id;
    id_of_question[q.study_id + "|" + q.question + "|" + q.ref_id] = q.question_id;
  }
  size_t shared = 0;
  for (const Question& q : other_seed) {
    auto it = id_of_question.find(q.study_id + "|" + q.question + "|" + q.ref_id);
    if (it == id_of_question.end()) continue;
    ++shared;
    EXPECT_EQ(it->second, q.question_id);
  }
  EXPECT_GT(shared, 100u);  // another seed asks many of the same questions, with the same ids
}

TEST(QuestionId, LastColumnWrittenAndDerivedWhenAFileHasNone) {
  TempDir dir;
  std::vector<Question> questions = generated(1, 1);
  questions.resize(20);
  for (QuestionFormat format : {QuestionFormat::kCsv, QuestionFormat::kJsonl}) {
    std::filesystem::path path = dir / (format == QuestionFormat::kCsv ? "q.csv" : "q.jsonl");
    ASSERT_TRUE(write_questions(path, questions, format, 1).ok());
    std::vector<LineError> errors;
    auto back = read_questions(path, errors);
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(*back, questions);
  }
  EXPECT_EQ(read_text(dir / "q.csv").substr(0, read_text(dir / "q.csv").find('\n')),
            "study_id,subject_id,question_type,question,answer,dicom_id,split,ref_id,question_id");
  // An older file with the first eight columns only: ids are derived on reading.
  write_text(dir / "old.csv",
             "study_id,subject_id,question_type,question,answer,dicom_id,split,ref_id\n"
             "50000011,10000001,presence,is there edema?,yes,d1,train,\n");
  std::vector<LineError> errors;
  auto old = read_questions(dir / "old.csv", errors);
  ASSERT_TRUE(old.ok()) << old.status().ToString();
  ASSERT_EQ(old->size(), 1u);
  EXPECT_EQ((*old)[0].question_id, make_question_id("50000011", QuestionType::kPresence, "is there edema?", ""));
}

}  // namespace
}  // namespace cxrvqa
