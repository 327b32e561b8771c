// The release presets (medical-cxr-vqa, medical-diff-vqa): templates, answer wording,
// probabilities, preprocessing and the fixed defects; and every preset's determinism.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "fixtures.h"
#include "libraries/libraries.h"
#include "questions/questions.h"
#include "questions/release.h"
#include "test_util.h"

namespace cxrvqa {
namespace {

// Libraries given by hand: (name, count) lists as the original's *_dict.json hold them.
Libraries make_libraries(CountList entity, CountList location, CountList level, CountList type) {
  Libraries libraries;
  libraries.entity = std::move(entity);
  libraries.location = std::move(location);
  libraries.level = std::move(level);
  libraries.type = std::move(type);
  libraries.reindex();
  return libraries;
}

// Generated questions of `records` (one PA study each unless `metadata` says otherwise).
struct Generated {
  std::vector<KeyInfo> records;
  std::vector<StudyRecord> metadata;
  std::vector<Question> questions;
  QuestionSummary summary;
};

void generate(Generated& run, const Libraries& libraries, QuestionOptions options, size_t min_count = 10) {
  auto vocabulary = QuestionVocabulary::ForPreset(libraries, min_count, options.preset);
  ASSERT_TRUE(vocabulary.ok()) << vocabulary.status().ToString();
  auto studies = prepare_question_studies(run.records, run.metadata, &run.summary, options);
  run.questions = generate_questions(studies, *vocabulary, options, &run.summary);
}

KeyInfo record(std::string id, std::string view = "postero-anterior") {
  KeyInfo r;
  r.meta.study_id = id;
  r.meta.subject_id = "p" + id;
  r.meta.view = std::move(view);
  r.meta.study_order = 1;
  return r;
}

double share(size_t part, size_t whole) { return whole == 0 ? 0 : static_cast<double>(part) / whole; }

std::set<std::string> templates_of(const std::vector<Question>& questions) {
  std::set<std::string> names;
  for (const Question& q : questions) names.insert(std::string(question_template(q.question)));
  return names;
}

const std::set<std::string> kMedicalCxrVqaTemplates = {
    "what abnormalities are seen in this image?", "what abnormalities are seen in the xxx?",
    "is there evidence of any abnormalities in this image?", "is there evidence of xxx in this image?",
    "is there xxx?", "is there xxx in the lxxx?", "is the xxx bilateral?", "which view is this image taken?",
    "is this PA view?", "is this AP view?", "where in the image is the xxx located?", "where is the xxx?",
    "is the xxx located on the left side or right side?", "what level is the xxx?", "what type is the xxx?"};

// ---- medical-cxr-vqa ----------------------------------------------------------------------

class MedicalCxrVqa : public ::testing::Test {
 protected:
  // Every study: a located effusion (LLM name), a rare finding, an opacity statement, a
  // negated pneumothorax; half of them AP.
  void SetUp() override {
    for (int i = 0; i < 4000; ++i) {
      KeyInfo r = record(std::to_string(60000000 + i), i % 2 == 0 ? "postero-anterior" : "antero-posterior");
      r.entity.push_back({"left pleural effusion", {"left lower lobe", "small", std::nullopt, std::nullopt}});
      r.entity.push_back({"rare thing", {"left lower lobe", std::nullopt, std::nullopt, std::nullopt}});
      r.opacity = OpacityStatement{"bibasilar", std::nullopt, "patchy"};
      r.no_entity = {"pneumothorax", " "};
      run_.records.push_back(r);
    }
    libraries_ = make_libraries({{"opacity", 500}, {"pleural effusion", 100}, {"rare thing", 3}},
                                {{"left lower lobe", 50}, {"bibasilar", 40}}, {{"small", 5}}, {{"patchy", 12}});
    QuestionOptions options;
    options.preset = QuestionPreset::kMedicalCxrVqa;
    generate(run_, libraries_, options);
  }
  Generated run_;
  Libraries libraries_;
};

TEST_F(MedicalCxrVqa, PreprocessingPromotesOpacityAndFiltersRareNamesAndWords) {
  size_t located_opacity = 0;
  for (const Question& q : run_.questions) {
    EXPECT_EQ(q.question.find("rare thing"), std::string::npos) << q.question;
    EXPECT_EQ(q.answer.find("rare thing"), std::string::npos) << q.answer;
    EXPECT_NE(q.type, QuestionType::kLevel) << q.question;  // "small" is seen 5 times: dropped
    EXPECT_NE(q.type, QuestionType::kDifference);
    EXPECT_TRUE(q.ref_id.empty());
    if (q.question == "what abnormalities are seen in this image?") {
      EXPECT_EQ(q.answer, "left pleural effusion, opacity");  // record order, the opacity last
    }
    if (q.question.starts_with("where ") && q.question.find("opacity") != std::string::npos) {
      EXPECT_EQ(q.answer, "bibasilar area");
      ++located_opacity;
    }
    if (q.question == "what type is the opacity?") {
      EXPECT_EQ(q.answer, "patchy");
    }
    EXPECT_EQ(q.question.find("  "), std::string::npos) << q.question;
    EXPECT_FALSE(q.question.ends_with(" ?")) << q.question;
  }
  EXPECT_GT(located_opacity, 100u);
}

TEST_F(MedicalCxrVqa, UsesOnlyTheOriginalTemplates) {
  std::set<std::string> used = templates_of(run_.questions);
  for (const std::string& name : used) EXPECT_TRUE(kMedicalCxrVqaTemplates.count(name)) << "'" << name << "'";
  EXPECT_GE(used.size(), 12u);
}

TEST_F(MedicalCxrVqa, DrawsWithTheOriginalsProbabilities) {
  std::map<std::string, size_t> abnormality;
  size_t studies = run_.records.size(), pa = studies / 2, ap = studies - pa;
  size_t pa_views = 0, ap_views = 0, which_view = 0, presence = 0, presence_yes = 0;
  for (const Question& q : run_.questions) {
    if (q.type == QuestionType::kAbnormality) ++abnormality[std::string(question_template(q.question))];
    if (q.type == QuestionType::kView) {
      bool is_pa = std::stoi(q.study_id) % 2 == 0;
      (is_pa ? pa_views : ap_views) += 1;
      if (is_pa) which_view += q.question == "which view is this image taken?";
    }
    if (q.type == QuestionType::kPresence) {
      ++presence;
      presence_yes += q.answer == "yes";
    }
  }
  // Both findings are located: the three abnormality templates a third each.
  for (const auto& [name, count] : abnormality) EXPECT_NEAR(share(count, studies), 1.0 / 3, 0.03) << name;
  EXPECT_NEAR(share(pa_views, pa), 1.0, 1e-9);
  EXPECT_NEAR(share(ap_views, ap), 0.05, 0.015);  // 5 % of AP images
  EXPECT_NEAR(share(which_view, pa_views), 0.5, 0.03);
  // Presence: the located form a third (yes or no evenly), else yes 1/2, negated 1/4,
  // library 1/4 (yes for 2 of its 30 rows, nothing for the 1 with a skip word).
  EXPECT_NEAR(share(presence, studies), 1 - 2.0 / 3 / 4 / 30, 0.01);
  EXPECT_NEAR(share(presence_yes, presence), (1.0 / 6 + 1.0 / 3 + 2.0 / 3 / 4 * 2 / 30) / (1 - 2.0 / 3 / 4 / 30), 0.03);
}

TEST_F(MedicalCxrVqa, LocatedQuestionsNameTheFindingTheirPlaceComesFrom) {
  size_t yes = 0, no = 0;
  for (const Question& q : run_.questions) {
    if (question_template(q.question) != "is there xxx in the lxxx?") continue;
    if (q.answer == "yes") {
      // Q8 fixed: the place is the named finding's own.
      EXPECT_TRUE(q.question == "is there left pleural effusion in the left lower lobe area?" ||
                  q.question == "is there opacity in the bibasilar area?")
          << q.question;
      ++yes;
    } else {
      EXPECT_EQ(q.question, "is there left pleural effusion in the right lower lobe area?") << q.question;
      ++no;
    }
  }
  EXPECT_GT(yes, 100u);
  EXPECT_GT(no, 100u);
}

TEST(MedicalCxrVqaFixes, BareSidesReadAsLungsInBothVariantsAndBilateralIsAsked) {
  Generated run;
  for (int i = 0; i < 600; ++i) {
    KeyInfo r = record(std::to_string(i));
    r.entity.push_back({"effusion", {"left", std::nullopt, std::nullopt, std::nullopt}});
    r.entity.push_back({"edema", {"bilateral", std::nullopt, std::nullopt, std::nullopt}});
    r.entity.push_back({"nodule", {std::nullopt, std::nullopt, std::nullopt, std::nullopt}});
    run.records.push_back(r);
  }
  QuestionOptions options;
  options.preset = QuestionPreset::kMedicalCxrVqa;
  generate(run, make_libraries({{"effusion", 50}, {"edema", 50}, {"nodule", 50}}, {{"left", 50}, {"bilateral", 50}}, {}, {}),
           options);
  std::set<std::string> located;
  for (const Question& q : run.questions) {
    if (q.type == QuestionType::kPresence && q.question.find(" in this image") == std::string::npos &&
        q.question.find(" in the ") != std::string::npos) {
      located.insert(q.question + " -> " + q.answer);
    }
    if (q.question == "is the edema bilateral?") located.insert(q.question + " -> " + q.answer);
    if (q.question == "is the effusion located on the left side or right side?") {
      EXPECT_EQ(q.answer, "left side");
    }
  }
  EXPECT_EQ(located, (std::set<std::string>{"is there effusion in the left lung area? -> yes",
                                            "is there effusion in the right lung area? -> no",
                                            "is the edema bilateral? -> yes"}));
}

TEST(MedicalCxrVqaTables, DiffVqaLibraryAndPhrasesAreEmbedded) {
  Libraries libraries = make_libraries({{"opacity", 30}, {"pleural effusion", 20}, {"apical nodule", 12}, {"nodule", 11}},
                                       {}, {}, {});
  auto tables = questions_internal::ReleaseTables::Build(libraries, 10, QuestionPreset::kMedicalCxrVqa);
  ASSERT_TRUE(tables.ok()) << tables.status().ToString();
  const auto& t = **tables;
  EXPECT_EQ(t.original_rows(), 30u);
  ASSERT_EQ(t.rows().size(), 32u);  // "apical nodule" and "nodule" match no synonym: appended
  EXPECT_EQ(t.rows()[30].official_name, "apical nodule");
  EXPECT_EQ(t.rows()[t.ResolveBySubstring("left pleural effusion").value()].official_name, "pleural effusion");
  EXPECT_EQ(t.rows()[t.ResolveBySubstring("small apical nodule").value()].official_name, "apical nodule");
  EXPECT_EQ(t.rows()[t.ResolveBySubstring("enlarged heart").value()].official_name, "cardiomegaly");
  EXPECT_FALSE(t.ResolveBySubstring("tube").has_value());
  EXPECT_TRUE(t.FrequentEntity("lung opacity"));  // counted as "opacity"
  EXPECT_TRUE(t.FrequentEntity("small nodule"));  // resolves to "nodule", 11
  EXPECT_FALSE(t.FrequentEntity("tube"));
  EXPECT_EQ(t.post_locations().size(), 50u);  // 42 phrases and the 8 the position rules derive
  EXPECT_EQ(t.RewritePosition("left lower lobe"), "left lower lung");
  EXPECT_EQ(t.RewritePosition("mid to lower"), "middle to lower");
  EXPECT_EQ(t.KeywordsOf("the lung bases"), (std::vector<std::string_view>{"base", "bases"}));
}

// ---- medical-diff-vqa ---------------------------------------------------------------------

class MedicalDiffVqa : public ::testing::Test {
 protected:
  // Patients with three frontal studies (orders 1..3) and one with a single study.
  void SetUp() override {
    for (int p = 0; p < 600; ++p) {
      for (int order = 1; order <= 3; ++order) {
        KeyInfo r = record("s" + std::to_string(p) + "-" + std::to_string(order));
        r.meta.subject_id = "p" + std::to_string(p);
        r.meta.study_order = order;
        std::string level = order == 3 ? "moderate" : "small";
        r.entity.push_back({"pleural effusions", {"left lower lobe", level, std::nullopt, std::nullopt}});
        if (order == 3) {
          r.entity.push_back({"atelectasis", {std::nullopt, std::nullopt, std::nullopt, "the left lung base"}});
          r.entity.push_back({"edema", {std::nullopt, std::nullopt, std::nullopt, std::nullopt}});
        }
        if (order == 1) r.entity.push_back({"scoliosis", {}});
        run_.records.push_back(r);
      }
    }
    run_.records.push_back(record("alone"));
    QuestionOptions options;
    options.preset = QuestionPreset::kMedicalDiffVqa;
    options.seed = 3;
    generate(run_, Libraries(), options, 0);
  }
  std::map<std::string, int> order_of() const {
    std::map<std::string, int> orders;
    for (const KeyInfo& r : run_.records) orders[r.meta.study_id] = r.meta.study_order;
    return orders;
  }
  Generated run_;
};

TEST_F(MedicalDiffVqa, EveryRowHasAStrictlyEarlierReferenceDrawnUniformly) {
  std::map<std::string, int> orders = order_of();
  std::map<std::string, std::string> reference_of;
  for (const Question& q : run_.questions) {
    ASSERT_FALSE(q.ref_id.empty()) << q.question;
    EXPECT_LT(orders.at(q.ref_id), orders.at(q.study_id));
    EXPECT_NE(orders.at(q.study_id), 1);  // a first study has nothing earlier: no rows
    auto [it, inserted] = reference_of.emplace(q.study_id, q.ref_id);
    EXPECT_EQ(it->second, q.ref_id);  // one reference per study
  }
  EXPECT_EQ(run_.summary.without_reference, 601u);
  size_t third_with_first = 0, thirds = 0;
  for (const auto& [study, reference] : reference_of) {
    if (orders.at(study) != 3) continue;
    ++thirds;
    third_with_first += orders.at(reference) == 1;
  }
  EXPECT_EQ(thirds, 600u);
  EXPECT_NEAR(share(third_with_first, thirds), 0.5, 0.06);
}

TEST_F(MedicalDiffVqa, DifferenceAnswersInTheReleasedWording) {
  std::set<std::string> answers;
  size_t area = 0;
  for (const Question& q : run_.questions) {
    if (q.type != QuestionType::kDifference) continue;
    if (q.question == "what has changed in the left lower lung area?") {
      EXPECT_EQ(q.answer, "the level of pleural effusion has changed from small to moderate.");
      ++area;
    } else {
      EXPECT_EQ(q.question, "what has changed compared to the reference image?");
      answers.insert(q.answer);
    }
    EXPECT_FALSE(q.answer.ends_with(" ")) << q.answer;
  }
  EXPECT_GT(area, 300u);  // every third study: the level changed in a common area
  // Second studies against their first: scoliosis is missing.
  EXPECT_TRUE(answers.count("the main image is missing the finding of scoliosis than the reference image."));
}

TEST_F(MedicalDiffVqa, OfficialNamesPostLocationsAndTheReleasedColumns) {
  bool post_location_asked = false;
  for (const Question& q : run_.questions) {
    EXPECT_EQ(q.question.find("pleural effusions"), std::string::npos) << q.question;  // official name
    if (q.question == "what abnormalities are seen in the left lung base?") {
      EXPECT_EQ(q.answer, "atelectasis");
      post_location_asked = true;
    }
    if (q.question == "where is the pleural effusion?") {
      EXPECT_EQ(q.answer, "left lower lung area");
    }
  }
  EXPECT_TRUE(post_location_asked);
  testing::TempDir dir;
  ASSERT_TRUE(write_questions(dir / "q.csv", run_.questions, QuestionFormat::kCsv, 1,
                              question_layout(QuestionPreset::kMedicalDiffVqa))
                  .ok());
  std::string text = testing::read_text(dir / "q.csv");
  EXPECT_EQ(text.substr(0, text.find('\n')), "study_id,subject_id,ref_id,question_type,question,answer,dicom_id,split,question_id");
  std::vector<LineError> errors;
  auto back = read_questions(dir / "q.csv", errors);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, run_.questions);
}

TEST(MedicalDiffVqaCaptions, AddedAndMissingFindingsInTheOriginalsPunctuation) {
  Generated run;
  KeyInfo before = record("a"), after = record("b");
  before.meta.subject_id = after.meta.subject_id = "p";
  after.meta.study_order = 2;
  before.entity = {{"edema", {}}, {"pneumothorax", {}}};
  after.entity = {{"pneumonia", {}}, {"hernia", {}}};
  run.records = {before, after};
  QuestionOptions options;
  options.preset = QuestionPreset::kMedicalDiffVqa;
  generate(run, Libraries(), options, 0);
  std::string answer;
  for (const Question& q : run.questions) {
    if (q.type == QuestionType::kDifference) answer = q.answer;
  }
  // The added findings come in a random order, the missing ones in the reference's.
  EXPECT_TRUE(answer == "the main image has additional findings of pneumonia, and hernia than the reference image. "
                        "the main image is missing the findings of edema, and pneumothorax than the reference image." ||
              answer == "the main image has additional findings of hernia, and pneumonia than the reference image. "
                        "the main image is missing the findings of edema, and pneumothorax than the reference image.")
      << answer;
}

// ---- the default preset's richer difference answers ---------------------------------------

TEST(CxrvqaDifference, SaysLevelAndLocationChangesInItsOwnWording) {
  Generated run;
  KeyInfo before = record("a"), after = record("b");
  before.meta.subject_id = after.meta.subject_id = "p";
  after.meta.study_order = 2;
  before.entity = {{"pleural effusion", {"left", "small", std::nullopt, std::nullopt}}, {"edema", {}}};
  after.entity = {{"pleural effusion", {"bilateral", "moderate", std::nullopt, std::nullopt}}};
  after.opacity = OpacityStatement{"right lower lobe", std::nullopt, std::nullopt};
  run.records = {before, after};
  run.metadata = {{"p", "a", "", "PA", "train", "", 1}, {"p", "b", "", "PA", "train", "", 2}};
  Libraries libraries = make_libraries({{"pleural effusion", 5}, {"edema", 5}, {"lung opacity", 5}},
                                       {{"left", 5}, {"bilateral", 5}, {"right lower lobe", 5}},
                                       {{"small", 5}, {"moderate", 5}}, {});
  QuestionOptions options;
  options.per_type = 20;  // every candidate
  generate(run, libraries, options, 1);
  std::string difference;
  std::set<std::string> texts;
  for (const Question& q : run.questions) {
    if (q.type == QuestionType::kDifference) difference = q.answer;
    texts.insert(q.question + " -> " + q.answer);
  }
  EXPECT_EQ(difference,
            "the main image has additional findings of lung opacity, and is missing the findings of edema. "
            "the level of pleural effusion has changed from small to moderate. "
            "the location of pleural effusion has changed from left to bilateral.");
  EXPECT_TRUE(texts.count("is the pleural effusion bilateral? -> yes"));
  EXPECT_TRUE(texts.count("where is the lung opacity? -> right lower lobe area"));  // the opacity statement
}

// ---- every preset ----------------------------------------------------------------------

TEST(Presets, EachIsByteIdenticalAcrossThreadCounts) {
  std::vector<StudyRecord> metadata;
  std::vector<KeyInfo> records = testing::fixture_records(3000, &metadata, 5);
  Libraries libraries = compute_libraries(records, nullptr);
  for (QuestionPreset preset :
       {QuestionPreset::kCxrvqa, QuestionPreset::kMedicalCxrVqa, QuestionPreset::kMedicalDiffVqa}) {
    QuestionOptions options;
    options.preset = preset;
    options.seed = 11;
    auto vocabulary = QuestionVocabulary::ForPreset(libraries, 3, preset);
    ASSERT_TRUE(vocabulary.ok());
    auto studies = prepare_question_studies(records, metadata, nullptr, options);
    std::string first;
    for (unsigned threads : {1u, 2u, 5u}) {
      options.threads = threads;
      QuestionLines lines = generate_question_lines(studies, *vocabulary, options, QuestionFormat::kCsv, nullptr);
      std::string text;
      for (const std::string& block : lines.blocks) text += block;
      EXPECT_GT(lines.count, 1000u) << question_preset_name(preset);
      if (threads == 1) {
        first = text;
      } else {
        EXPECT_EQ(text, first) << question_preset_name(preset) << " threads " << threads;
      }
    }
  }
}

TEST(Presets, NamesParseAndLayoutsKeepEveryColumnOnce) {
  for (QuestionPreset preset :
       {QuestionPreset::kCxrvqa, QuestionPreset::kMedicalCxrVqa, QuestionPreset::kMedicalDiffVqa}) {
    auto parsed = parse_question_preset(question_preset_name(preset));
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, preset);
    QuestionLayout layout = question_layout(preset);
    std::set<uint8_t> columns(layout.begin(), layout.end());
    EXPECT_EQ(columns.size(), kQuestionColumnCount);
    EXPECT_EQ(std::string(kQuestionColumns[layout[0]]), "study_id");
  }
  EXPECT_FALSE(parse_question_preset("medical-vqa").ok());
  EXPECT_EQ(std::string(kQuestionColumns[question_layout(QuestionPreset::kMedicalDiffVqa)[2]]), "ref_id");
}

}  // namespace
}  // namespace cxrvqa
