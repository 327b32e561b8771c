#include "followup/disagreement.h"

#include <gtest/gtest.h>

#include <cctype>
#include <memory>

#include "extract/rules_extractor.h"
#include "sections/report_texts.h"
#include "test_util.h"

namespace cxrvqa {
namespace {

std::shared_ptr<const Lexicon> embedded_lexicon() {
  static std::shared_ptr<const Lexicon> lexicon = [] {
    auto loaded = Lexicon::Load(std::nullopt);
    EXPECT_TRUE(loaded.ok()) << loaded.status().ToString();
    return loaded.ok() ? *loaded : nullptr;
  }();
  return lexicon;
}

KeyInfo record(const std::string& study_id, std::vector<std::string> present,
               std::vector<std::string> uncertain, std::vector<std::string> negated) {
  KeyInfo out;
  out.meta.study_id = study_id;
  for (auto& name : present) out.entity.push_back({name, {}});
  out.uncertain_entity = std::move(uncertain);
  out.no_entity = std::move(negated);
  return out;
}

class DisagreementTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_NE(embedded_lexicon(), nullptr);
    matcher_ = std::make_unique<FindingMatcher>(embedded_lexicon());
  }
  std::unique_ptr<FindingMatcher> matcher_;
};

TEST_F(DisagreementTest, CanonicalNamesComeFromTheLexicon) {
  EXPECT_EQ(matcher_->Canonical("Effusion"), "pleural effusion");
  EXPECT_EQ(matcher_->Canonical("pleural  effusions"), "pleural effusion");
  EXPECT_EQ(matcher_->Canonical("small left pleural effusion"), "pleural effusion");
  EXPECT_EQ(matcher_->Canonical("pericardial effusion"), "pericardial effusion");
  EXPECT_EQ(matcher_->Canonical("volume loss"), "atelectasis");
  // Unknown to the lexicon: compared as the normalized phrase.
  EXPECT_EQ(matcher_->Canonical("  Zebra   Sign "), "zebra sign");
}

TEST_F(DisagreementTest, SynonymsAgreeWithOfficialNames) {
  KeyInfo reference = record("1", {"pleural effusion", "atelectasis"}, {}, {"pneumothorax"});
  KeyInfo llm = record("1", {"effusions", "volume loss"}, {}, {"pneumothoraces"});
  EXPECT_TRUE(find_disagreements(llm, reference, *matcher_).empty());
}

TEST_F(DisagreementTest, NamesAreNotMatchedBySubstring) {
  // "effusion" is a pleural effusion; a pericardial effusion is another finding.
  KeyInfo reference = record("1", {"pericardial effusion"}, {}, {});
  KeyInfo llm = record("1", {"effusion"}, {}, {});
  auto items = find_disagreements(llm, reference, *matcher_);
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0], (Disagreement{"pericardial effusion", DisagreementKind::kMissingPresent}));

  KeyInfo reverse_reference = record("1", {"pleural effusion"}, {}, {});
  KeyInfo reverse_llm = record("1", {"pericardial effusion"}, {}, {});
  EXPECT_EQ(find_disagreements(reverse_llm, reverse_reference, *matcher_).size(), 1u);
}

TEST_F(DisagreementTest, UncertainCountsAsPresentButNotAsNegated) {
  KeyInfo reference = record("1", {"pneumonia"}, {}, {"edema"});
  KeyInfo llm = record("1", {}, {"pneumonia"}, {});
  llm.uncertain_entity.push_back("edema");
  auto items = find_disagreements(llm, reference, *matcher_);
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0], (Disagreement{"edema", DisagreementKind::kMissingNegation}));
}

TEST_F(DisagreementTest, NegatedInReferenceButPresentForTheLlmIsAsked) {
  KeyInfo reference = record("1", {}, {}, {"pneumothorax", "consolidation"});
  KeyInfo llm = record("1", {"pneumothorax"}, {}, {"consolidation"});
  auto items = find_disagreements(llm, reference, *matcher_);
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0], (Disagreement{"pneumothorax", DisagreementKind::kMissingNegation}));
}

TEST_F(DisagreementTest, PresentFindingsComeFirstAndEachFindingOnce) {
  KeyInfo reference = record("1", {"cardiomegaly", "pleural effusion"}, {}, {"pneumothorax"});
  reference.no_entity.push_back("pneumothoraces");
  KeyInfo llm = record("1", {}, {}, {});
  auto items = find_disagreements(llm, reference, *matcher_);
  ASSERT_EQ(items.size(), 3u);
  EXPECT_EQ(items[0].finding, "cardiomegaly");
  EXPECT_EQ(items[1].finding, "pleural effusion");
  EXPECT_EQ(items[2], (Disagreement{"pneumothorax", DisagreementKind::kMissingNegation}));
}

TEST_F(DisagreementTest, FindingsOnlyTheLlmSeesAreNotAsked) {
  KeyInfo reference = record("1", {}, {}, {});
  KeyInfo llm = record("1", {"pleural effusion"}, {"pneumonia"}, {"pneumothorax"});
  EXPECT_TRUE(find_disagreements(llm, reference, *matcher_).empty());
}

TEST_F(DisagreementTest, ScanJoinsStudiesById) {
  std::vector<KeyInfo> reference = {record("a", {"edema"}, {}, {}), record("b", {}, {}, {"edema"}),
                                    record("c", {"edema"}, {}, {})};
  std::vector<KeyInfo> llm = {record("c", {}, {}, {}), record("b", {}, {}, {"edema"}),
                              record("x", {}, {}, {}), record("c", {"edema"}, {}, {})};
  DisagreementScan scan = scan_disagreements(llm, reference, *matcher_);
  EXPECT_EQ(scan.studies_compared, 2u);
  EXPECT_EQ(scan.llm_without_reference, 1u);
  EXPECT_EQ(scan.repeated_llm_studies, 1u);
  ASSERT_EQ(scan.studies.size(), 1u);
  EXPECT_EQ(scan.studies[0].study_id, "c");
}

// Real IU reports through the rules extractor: the reference compared with a copy of itself
// written differently (other synonyms, plurals, case) finds nothing; dropping the negations
// of the copy finds exactly the dropped findings.

// Another phrasing of `name` that the lexicon maps back to it: a plain synonym other than
// the name (no pattern), upper-cased.
std::string reworded(const Lexicon& lexicon, const std::string& name) {
  const Finding* finding = lexicon.FindByName(name);
  if (finding != nullptr) {
    for (const std::string& synonym : finding->synonyms) {
      if (synonym != name && synonym.find('*') == std::string::npos &&
          lexicon.FindByPhrase(synonym) == finding) {
        std::string upper = synonym;
        for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        return upper;
      }
    }
  }
  return name;
}

TEST_F(DisagreementTest, RealReportsRewordedAgreeAndDroppedNegationsDisagree) {
  CXRVQA_REQUIRE_SHARED_DATA(data);
  CorpusSource source{CorpusKind::kIu, data / "iu_xray" / "iu_reports_dev.csv", std::nullopt};
  auto texts = read_report_texts(source, nullptr);
  ASSERT_TRUE(texts.ok()) << texts.status().ToString();
  RulesExtractor extractor(embedded_lexicon());
  ASSERT_TRUE(extractor.Ready()) << extractor.compile_error();
  const Lexicon& lexicon = *embedded_lexicon();

  std::vector<KeyInfo> reference, reworded_set, without_negations;
  size_t negations = 0, studies_with_negations = 0;
  for (const std::string& id : texts->order) {
    KeyInfo rules = extractor.Extract(texts->by_study.at(id));
    rules.meta.study_id = id;
    KeyInfo copy = rules;
    for (Entity& entity : copy.entity) entity.name = reworded(lexicon, entity.name);
    for (std::string& name : copy.no_entity) name = reworded(lexicon, name);
    KeyInfo dropped = copy;
    negations += dropped.no_entity.size();
    studies_with_negations += dropped.no_entity.empty() ? 0 : 1;
    dropped.no_entity.clear();
    reference.push_back(std::move(rules));
    reworded_set.push_back(std::move(copy));
    without_negations.push_back(std::move(dropped));
  }
  ASSERT_GT(negations, 1000u) << "the rules extractor should find many negations in IU reports";

  DisagreementScan same = scan_disagreements(reworded_set, reference, *matcher_);
  EXPECT_EQ(same.studies_compared, reference.size());
  EXPECT_TRUE(same.studies.empty()) << "study " << same.studies[0].study_id << ": "
                                    << same.studies[0].items[0].finding;

  DisagreementScan scan = scan_disagreements(without_negations, reference, *matcher_);
  size_t items = 0;
  for (const StudyDisagreements& study : scan.studies) {
    for (const Disagreement& item : study.items) {
      EXPECT_EQ(item.kind, DisagreementKind::kMissingNegation);
      ++items;
    }
  }
  EXPECT_EQ(scan.studies.size(), studies_with_negations);
  EXPECT_LE(items, negations);  // a finding negated twice under two names is asked once
  EXPECT_GT(items, negations * 9 / 10);
}

}  // namespace
}  // namespace cxrvqa
