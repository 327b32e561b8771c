#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>

#include "common/text.h"
#include "fixtures.h"
#include "libraries/libraries.h"
#include "questions/questions.h"
#include "test_util.h"

namespace cxrvqa {
namespace {

using testing::fixture_records;

struct Generated {
  std::vector<KeyInfo> records;
  std::vector<StudyRecord> metadata;
  std::vector<QuestionStudy> studies;
  QuestionVocabulary vocabulary;
  std::vector<Question> questions;
  QuestionSummary summary;
};

// Generated holds pointers into its own records: build it in place.
void generate(Generated& g, size_t studies, size_t min_count, QuestionOptions options = {}) {
  g.records = fixture_records(studies, &g.metadata);
  Libraries libraries = compute_libraries(g.records, nullptr);
  g.vocabulary = QuestionVocabulary::FromLibraries(libraries, min_count);
  g.studies = prepare_question_studies(g.records, g.metadata, &g.summary);
  g.questions = generate_questions(g.studies, g.vocabulary, options, &g.summary);
}

QuestionOptions options_with(size_t per_type, uint64_t seed = 0,
                             std::optional<double> ap_keep_rate = std::nullopt) {
  QuestionOptions options;
  options.per_type = per_type;
  options.seed = seed;
  options.ap_keep_rate = ap_keep_rate;
  return options;
}

std::map<std::string, const KeyInfo*> by_study(const std::vector<KeyInfo>& records) {
  std::map<std::string, const KeyInfo*> map;
  for (const KeyInfo& r : records) map[r.meta.study_id] = &r;
  return map;
}

std::string between(const std::string& text, const std::string& before, const std::string& after) {
  size_t start = text.find(before);
  if (start == std::string::npos) return {};
  start += before.size();
  size_t end = text.rfind(after);
  return end == std::string::npos || end < start ? std::string() : text.substr(start, end - start);
}

std::set<std::string> positive_names(const KeyInfo& record, const QuestionVocabulary& vocabulary) {
  std::set<std::string> names;
  for (const Entity& e : record.entity) {
    if (vocabulary.HasFinding(e.name)) names.insert(e.name);
  }
  return names;
}

std::set<std::string> listed(const std::string& answer, const std::string& intro) {
  std::set<std::string> names;
  size_t start = answer.find(intro);
  if (start == std::string::npos) return names;
  std::string rest = answer.substr(start + intro.size());
  for (const char* end : {", and is missing", ". "}) {
    size_t stop = rest.find(end);
    if (stop != std::string::npos) rest = rest.substr(0, stop);
  }
  if (!rest.empty() && rest.back() == '.') rest.pop_back();
  for (std::string& name : split_trimmed(rest, ',')) names.insert(name);
  return names;
}

TEST(Questions, AllSevenTypesAndBothPolaritiesAppear) {
  Generated g;
  generate(g, 400, 3);
  std::set<QuestionType> types;
  size_t yes = 0, no = 0;
  for (const Question& q : g.questions) {
    types.insert(q.type);
    yes += q.answer == "yes";
    no += q.answer == "no";
  }
  EXPECT_EQ(types.size(), kQuestionTypeCount);
  EXPECT_GT(yes, 20u);
  EXPECT_GT(no, 20u);
  EXPECT_GT(g.summary.not_frontal, 0u);
  EXPECT_GT(g.summary.difference_pairs, 0u);
}

TEST(Questions, OnlyFrontalStudiesGetQuestions) {
  Generated g;
  generate(g, 200, 3);
  auto records = by_study(g.records);
  for (const Question& q : g.questions) {
    ViewKind kind = view_kind(records.at(q.study_id)->meta.view);
    EXPECT_TRUE(is_frontal(kind)) << q.study_id;
  }
}

// Re-derives every answer from the record it came from.
TEST(Questions, AnswersAgreeWithTheirRecords) {
  Generated g;
  generate(g, 400, 3, options_with(3, 5));
  auto records = by_study(g.records);
  size_t checked = 0;
  for (const Question& q : g.questions) {
    const KeyInfo& r = *records.at(q.study_id);
    const std::string& text = q.question;
    SCOPED_TRACE(text + " -> " + q.answer);
    if (text.rfind("is there evidence of ", 0) == 0 && text != "is there evidence of any abnormalities in this image?") {
      std::string name = between(text, "is there evidence of ", " in this image?");
      EXPECT_EQ(q.answer, r.find_entity(name) ? "yes" : "no");
      ++checked;
    } else if (text == "is there evidence of any abnormalities in this image?") {
      EXPECT_EQ(q.answer, r.entity.empty() ? "no" : "yes");
      ++checked;
    } else if (text == "what abnormalities are seen in this image?") {
      std::set<std::string> all;
      for (const Entity& e : r.entity) all.insert(e.name);
      EXPECT_EQ(listed(q.answer, ""), all);
      ++checked;
    } else if (text.rfind("what abnormalities are seen in the ", 0) == 0) {
      std::string location = between(text, "what abnormalities are seen in the ", "?");
      std::set<std::string> there;
      for (const Entity& e : r.entity) {
        if (e.attributes.location == location) there.insert(e.name);
      }
      EXPECT_EQ(listed(q.answer, ""), there);
      ++checked;
    } else if (text.rfind("is there ", 0) == 0 && text.find(" in the ") != std::string::npos) {
      std::string name = between(text, "is there ", " in the ");
      std::string place = between(text, " in the ", " area?");  // "<location> area", a side "<side> lung area"
      if (place == "left lung" || place == "right lung") place = place.substr(0, place.find(' '));
      const Entity* e = r.find_entity(name);
      EXPECT_EQ(q.answer, e != nullptr && e->attributes.location == place ? "yes" : "no");
      ++checked;
    } else if (text.rfind("is the ", 0) == 0 && text.ends_with(" bilateral?")) {
      const Entity* e = r.find_entity(between(text, "is the ", " bilateral?"));
      ASSERT_NE(e, nullptr);
      EXPECT_EQ(e->attributes.location, "bilateral");
      EXPECT_EQ(q.answer, "yes");
      ++checked;
    } else if (text.rfind("where is the ", 0) == 0) {
      const Entity* e = r.find_entity(between(text, "where is the ", "?"));
      ASSERT_NE(e, nullptr);
      const std::string& location = *e->attributes.location;
      EXPECT_EQ(q.answer, location + (location == "left" || location == "right" ? " lung area" : " area"));
      ++checked;
    } else if (text.rfind("what level is the ", 0) == 0) {
      const Entity* e = r.find_entity(between(text, "what level is the ", "?"));
      ASSERT_NE(e, nullptr);
      EXPECT_EQ(q.answer, e->attributes.level.value_or("<none>"));
      ++checked;
    } else if (text.rfind("what type is the ", 0) == 0) {
      const Entity* e = r.find_entity(between(text, "what type is the ", "?"));
      ASSERT_NE(e, nullptr);
      EXPECT_EQ(q.answer, e->attributes.type.value_or("<none>"));
      ++checked;
    } else if (text == "which view is this image taken?") {
      EXPECT_EQ(q.answer, view_kind(r.meta.view) == ViewKind::kPA ? "PA view" : "AP view");
      ++checked;
    } else if (q.type == QuestionType::kDifference) {
      const KeyInfo& ref = *records.at(q.ref_id);
      std::set<std::string> main = positive_names(r, g.vocabulary), before = positive_names(ref, g.vocabulary);
      std::set<std::string> added, missing;
      for (const auto& n : main) if (!before.count(n)) added.insert(n);
      for (const auto& n : before) if (!main.count(n)) missing.insert(n);
      EXPECT_EQ(listed(q.answer, "has additional findings of "), added);
      EXPECT_EQ(listed(q.answer, "is missing the findings of "), missing);
      size_t changes = 0;
      for (const Entity& e : r.entity) {
        const Entity* earlier = ref.find_entity(e.name);
        if (earlier == nullptr || !g.vocabulary.HasFinding(e.name)) continue;
        const auto &level = e.attributes.level, &earlier_level = earlier->attributes.level;
        if (level && earlier_level && *level != *earlier_level) {
          EXPECT_NE(q.answer.find("the level of " + e.name + " has changed from " + *earlier_level + " to " + *level + "."),
                    std::string::npos);
          ++changes;
        }
        const auto &location = e.attributes.location, &earlier_location = earlier->attributes.location;
        if (location && earlier_location && *location != *earlier_location) {
          EXPECT_NE(q.answer.find("the location of " + e.name + " has changed from " + *earlier_location + " to " +
                                  *location + "."),
                    std::string::npos);
          ++changes;
        }
      }
      EXPECT_EQ(q.answer == "nothing has changed.", added.empty() && missing.empty() && changes == 0);
      ++checked;
    }
  }
  EXPECT_GT(checked, 500u);
}

TEST(Questions, DifferenceReferencesAreStrictlyEarlierAndInTheSameSplit) {
  Generated g;
  generate(g, 400, 3);
  std::map<std::string, const StudyRecord*> meta;
  for (const StudyRecord& row : g.metadata) meta[row.study_id] = &row;
  size_t pairs = 0, reversed_file_order = 0;
  for (const Question& q : g.questions) {
    if (q.type != QuestionType::kDifference) {
      EXPECT_TRUE(q.ref_id.empty());
      continue;
    }
    const StudyRecord& main = *meta.at(q.study_id);
    const StudyRecord& ref = *meta.at(q.ref_id);
    EXPECT_LT(ref.study_order, main.study_order) << q.study_id << " vs " << q.ref_id;
    EXPECT_EQ(ref.split, main.split);
    EXPECT_EQ(ref.subject_id, main.subject_id);
    EXPECT_TRUE(is_frontal(view_kind(ref.view)));
    reversed_file_order += ref.study_id > main.study_id;
    ++pairs;
  }
  EXPECT_GT(pairs, 20u);
  EXPECT_GT(reversed_file_order, 5u);  // the fixture's odd patients run against file order
}

TEST(Questions, ReferenceIsTheLatestEarlierFrontalStudy) {
  std::vector<KeyInfo> records(4);
  std::vector<StudyRecord> metadata;
  const int orders[] = {3, 1, 2, 2};
  for (int i = 0; i < 4; ++i) {
    records[i].meta.study_id = "s" + std::to_string(i);
    metadata.push_back({"p1", records[i].meta.study_id, "", "PA", "train", "", orders[i]});
  }
  metadata[2].view = "lateral";
  auto studies = prepare_question_studies(records, metadata, nullptr);
  ASSERT_EQ(studies.size(), 3u);
  EXPECT_EQ(studies[0].reference_id, "s3");  // order 3 -> the frontal study of order 2
  EXPECT_EQ(studies[1].reference, nullptr);  // order 1 has nothing earlier
  EXPECT_EQ(studies[2].reference_id, "s1");
}

TEST(Questions, MetadataJoinKeepsFirstRowsAndFirstRecordsInAnyOrder) {
  // Rows: s0, s0 again (another image: the first row wins), s1, s2. Records: s0, s0 again (a
  // duplicate record), s1, s9 (no row), s2. In this order the records are one step behind
  // the rows after the repeated row; reversed and shuffled, nothing is in step.
  std::vector<StudyRecord> metadata = {{"p0", "s0", "first image", "PA", "train", "", 1},
                                       {"p0", "s0", "second image", "PA", "train", "", 1},
                                       {"p1", "s1", "d1", "AP", "test", "", 1},
                                       {"p2", "s2", "d2", "PA", "train", "", 2}};
  auto record = [](std::string id) {
    KeyInfo r;
    r.meta.study_id = std::move(id);
    r.meta.view = "PA";
    return r;
  };
  const std::vector<std::vector<std::string>> orders = {
      {"s0", "s0", "s1", "s9", "s2"}, {"s2", "s9", "s1", "s0", "s0"}, {"s1", "s0", "s2", "s0", "s9"}};
  for (const auto& order : orders) {
    std::vector<KeyInfo> records;
    for (const std::string& id : order) records.push_back(record(id));
    QuestionSummary summary;
    auto studies = prepare_question_studies(records, metadata, &summary);
    EXPECT_EQ(summary.duplicate_records, 1u);
    EXPECT_EQ(summary.without_metadata, 1u);
    std::map<std::string, const QuestionStudy*> by_id;
    for (const QuestionStudy& study : studies) by_id[std::string(study.study_id)] = &study;
    ASSERT_EQ(by_id.size(), 4u) << "s0, s1, s2 and s9 once each";
    EXPECT_EQ(by_id["s0"]->dicom_id, "first image");
    EXPECT_EQ(by_id["s0"]->record, &records[static_cast<size_t>(
                                        std::find(order.begin(), order.end(), "s0") - order.begin())]);
    EXPECT_EQ(by_id["s1"]->split, "test");
    EXPECT_FALSE(by_id["s1"]->pa);
    EXPECT_EQ(by_id["s2"]->subject_id, "p2");
    EXPECT_EQ(by_id["s9"]->dicom_id, "");
  }
}

TEST(Questions, MinCountLeavesRareNamesAndWordsOut) {
  Generated g;
  g.records = fixture_records(300, &g.metadata);
  // One rare finding with a rare location word in three studies.
  for (size_t i = 0; i < 3; ++i) g.records[i * 10].entity.push_back({"rare thing", {"zone x", "grade z", "kind y", {}}});
  Libraries libraries = compute_libraries(g.records, nullptr);
  g.vocabulary = QuestionVocabulary::FromLibraries(libraries, 10);
  EXPECT_FALSE(g.vocabulary.HasFinding("rare thing"));
  EXPECT_TRUE(g.vocabulary.HasFinding("pleural effusion"));
  g.studies = prepare_question_studies(g.records, g.metadata, nullptr);
  g.questions = generate_questions(g.studies, g.vocabulary, options_with(5), nullptr);
  for (const Question& q : g.questions) {
    for (const char* word : {"rare thing", "zone x", "grade z", "kind y"}) {
      EXPECT_EQ(q.question.find(word), std::string::npos) << q.question;
      EXPECT_EQ(q.answer.find(word), std::string::npos) << q.answer;
    }
  }
}

TEST(Questions, PerTypeLimitAndNoDuplicateQuestions) {
  Generated g;
  generate(g, 200, 3, options_with(2));
  std::map<std::pair<std::string, QuestionType>, size_t> per_type;
  std::set<std::pair<std::string, std::string>> seen;
  for (const Question& q : g.questions) {
    size_t& count = per_type[std::make_pair(q.study_id, q.type)];
    EXPECT_LE(++count, 2u);
    EXPECT_TRUE(seen.insert({q.study_id, q.question}).second) << q.question;
  }
}

TEST(Questions, ApKeepRateZeroDropsApViewQuestions) {
  Generated g;
  generate(g, 200, 3, options_with(1, 0, 0.0));
  auto records = by_study(g.records);
  size_t views = 0;
  for (const Question& q : g.questions) {
    if (q.type != QuestionType::kView) continue;
    EXPECT_EQ(view_kind(records.at(q.study_id)->meta.view), ViewKind::kPA);
    ++views;
  }
  EXPECT_GT(views, 0u);
}

TEST(Questions, DifferenceAnswerWording) {
  EXPECT_EQ(difference_answer({}, {}), "nothing has changed.");
  EXPECT_EQ(difference_answer({"edema", "atelectasis"}, {"pneumonia"}),
            "the main image has additional findings of edema, atelectasis, and is missing the findings of pneumonia.");
  EXPECT_EQ(difference_answer({}, {"pneumonia"}), "the main image is missing the findings of pneumonia.");
}

// The text path (what `cxrvqa questions` writes) and the row path give the same file, over
// several generation blocks and whatever the thread count.
TEST(Questions, FormattedLinesMatchRowsForAnyThreadCount) {
  Generated g;
  generate(g, 2500, 3, options_with(1, 7));
  ASSERT_GT(g.questions.size(), 5000u);
  testing::TempDir dir;
  for (QuestionFormat format : {QuestionFormat::kCsv, QuestionFormat::kJsonl}) {
    ASSERT_TRUE(write_questions(dir / "rows", g.questions, format, 2).ok());
    std::string rows = testing::read_text(dir / "rows");
    for (unsigned threads : {1u, 3u}) {
      QuestionOptions options = options_with(1, 7);
      options.threads = threads;
      QuestionSummary summary;
      QuestionLines lines = generate_question_lines(g.studies, g.vocabulary, options, format, &summary);
      EXPECT_EQ(lines.count, g.questions.size());
      EXPECT_TRUE(std::equal(std::begin(summary.per_type), std::end(summary.per_type),
                             std::begin(g.summary.per_type)));
      ASSERT_TRUE(write_question_lines(dir / "lines", lines).ok());
      EXPECT_EQ(testing::read_text(dir / "lines"), rows) << "threads " << threads;
    }
  }
}

class RunQuestionsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::vector<StudyRecord> metadata;
    records_ = fixture_records(300, &metadata);
    std::string jsonl;
    for (size_t i = 0; i < records_.size(); ++i) {
      jsonl += keyinfo_to_json_line(records_[i]) + "\n";
      if (i == 7) jsonl += "{\"study_id\": broken\n";
    }
    testing::write_text(dir_ / "std.jsonl", jsonl);
    ASSERT_TRUE(write_mimic_all(dir_ / "mimic_all.csv", metadata).ok());
    ASSERT_TRUE(write_libraries(compute_libraries(records_, nullptr), dir_ / "libs").ok());
  }

  QuestionOptions options(const std::string& out, unsigned threads) {
    QuestionOptions options;
    options.keyinfo = dir_ / "std.jsonl";
    options.metadata = dir_ / "mimic_all.csv";
    options.libraries = dir_ / "libs";
    options.out = dir_ / out;
    options.min_count = 3;
    options.seed = 42;
    options.threads = threads;
    return options;
  }

  testing::TempDir dir_;
  std::vector<KeyInfo> records_;
};

TEST_F(RunQuestionsTest, SameSeedDifferentThreadsGiveIdenticalFiles) {
  auto one = RunQuestions(options("one.csv", 1));
  auto four = RunQuestions(options("four.csv", 4));
  ASSERT_TRUE(one.ok()) << one.status().ToString();
  ASSERT_TRUE(four.ok());
  std::string a = testing::read_text(dir_ / "one.csv"), b = testing::read_text(dir_ / "four.csv");
  EXPECT_GT(one->questions, 500u);
  EXPECT_EQ(a, b);
  QuestionOptions other = options("other.csv", 1);
  other.seed = 43;
  ASSERT_TRUE(RunQuestions(other).ok());
  EXPECT_NE(testing::read_text(dir_ / "other.csv"), a);
}

TEST_F(RunQuestionsTest, MalformedLineIsReportedAndTheRunGoesOn) {
  auto result = RunQuestions(options("q.csv", 2));
  ASSERT_TRUE(result.ok());
  ASSERT_EQ(result->keyinfo_errors.size(), 1u);
  EXPECT_EQ(result->keyinfo_errors[0].line, 9u);
  EXPECT_NE(result->keyinfo_errors[0].ToString().find("std.jsonl:9"), std::string::npos);
  EXPECT_EQ(result->records, records_.size());
}

TEST_F(RunQuestionsTest, CsvAndJsonlReadBack) {
  for (const char* name : {"q.csv", "q.jsonl"}) {
    QuestionOptions j = options(name, 2);
    j.format = std::string(name).ends_with(".jsonl") ? QuestionFormat::kJsonl : QuestionFormat::kCsv;
    auto result = RunQuestions(j);
    ASSERT_TRUE(result.ok());
    std::vector<LineError> errors;
    auto back = read_questions(dir_ / name, errors);
    ASSERT_TRUE(back.ok()) << back.status().ToString();
    EXPECT_TRUE(errors.empty());
    EXPECT_EQ(back->size(), result->questions);
  }
  std::vector<LineError> errors;
  auto csv = read_questions(dir_ / "q.csv", errors);
  auto jsonl = read_questions(dir_ / "q.jsonl", errors);
  EXPECT_EQ(*csv, *jsonl);
}

}  // namespace
}  // namespace cxrvqa
