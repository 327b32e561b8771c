#include "lexicon/lexicon.h"

#include <gtest/gtest.h>

#include "common/embedded.h"
#include "test_util.h"

namespace cxrvqa {
namespace {

using testing::TempDir;
using testing::write_text;

std::shared_ptr<const Lexicon> embedded_lexicon() {
  auto lexicon = Lexicon::Load(std::nullopt);
  EXPECT_TRUE(lexicon.ok()) << lexicon.status().ToString();
  return lexicon.ok() ? *lexicon : nullptr;
}

// Copies the embedded lexicon files into `dir`.
void copy_embedded_lexicon(const std::filesystem::path& dir) {
  for (auto name : embedded_file_names()) {
    if (!name.starts_with("lexicon/")) continue;
    auto content = embedded_file(name);
    write_text(dir / std::string(name.substr(8)), std::string(*content));
  }
}

// Loading a user copy of the lexicon whose `file` holds `content` fails with a message that
// contains `expected`.
void expect_load_error(const std::string& file, const std::string& content, const std::string& expected) {
  TempDir dir;
  copy_embedded_lexicon(dir.path());
  write_text(dir / file, content);
  auto lexicon = Lexicon::Load(dir.path());
  ASSERT_FALSE(lexicon.ok()) << file;
  EXPECT_NE(lexicon.status().message().find(expected), std::string::npos) << lexicon.status().message();
}

TEST(LexiconTest, EmbeddedCopyLoadsWithFindingsAndVocabularies) {
  auto lexicon = embedded_lexicon();
  ASSERT_NE(lexicon, nullptr);
  EXPECT_GE(lexicon->findings().size(), 60u);
  const Finding* effusion = lexicon->FindByPhrase("effusions");
  ASSERT_NE(effusion, nullptr);
  EXPECT_EQ(effusion->name, "pleural effusion");
  EXPECT_EQ(effusion->default_location, "pleural");
  EXPECT_EQ(lexicon->FindByPhrase("cicatrix")->name, "scarring");
  EXPECT_EQ(lexicon->FindByPhrase("hyperexpanded lungs")->name, "hyperinflation");
  EXPECT_EQ(lexicon->FindByName("nodule")->name, "nodule");
  EXPECT_EQ(lexicon->FindByPhrase("pacemaker"), nullptr);
  EXPECT_EQ(lexicon->FindByName("effusions"), nullptr);
  EXPECT_TRUE(lexicon->IsLevel("mild"));
  EXPECT_TRUE(lexicon->IsLevel("moderate to large"));
  EXPECT_TRUE(lexicon->IsLocation("bibasilar"));
  EXPECT_TRUE(lexicon->IsType("patchy"));
  EXPECT_TRUE(lexicon->IsDevice("pacemaker"));
  EXPECT_TRUE(lexicon->IsDropModifier("stable"));
  EXPECT_FALSE(lexicon->IsLevel("left"));
  EXPECT_FALSE(lexicon->IsDevice("effusion"));
  EXPECT_FALSE(lexicon->cues().empty());
  EXPECT_FALSE(lexicon->scope_breaks().empty());
  EXPECT_FALSE(lexicon->post_locations().empty());
  EXPECT_FALSE(lexicon->position_rewrites().empty());
}

TEST(LexiconTest, SingularUsesThePluralMapForWordsAndPhraseEnds) {
  auto lexicon = embedded_lexicon();
  ASSERT_NE(lexicon, nullptr);
  EXPECT_EQ(lexicon->Singular("opacities"), "opacity");
  EXPECT_EQ(lexicon->Singular("pleural effusions"), "pleural effusion");
  EXPECT_EQ(lexicon->Singular("atelectasis"), "atelectasis");
  EXPECT_EQ(lexicon->Singular("hila"), "hilum");
}

TEST(LexiconTest, EveryOfficialNameIsItsOwnPhrase) {
  auto lexicon = embedded_lexicon();
  ASSERT_NE(lexicon, nullptr);
  for (const auto& finding : lexicon->findings()) {
    EXPECT_EQ(lexicon->FindByPhrase(finding.name), &finding) << finding.name;
    EXPECT_FALSE(lexicon->IsDevice(finding.name)) << finding.name;
  }
}

TEST(LexiconTest, LoadsAUserCopyFromADirectory) {
  TempDir dir;
  copy_embedded_lexicon(dir.path());
  std::string findings = testing::read_text(dir / "findings.csv");
  write_text(dir / "findings.csv", findings + "pleural mouse,pleural mice,pleural,pleural\n");
  auto lexicon = Lexicon::Load(dir.path());
  ASSERT_TRUE(lexicon.ok()) << lexicon.status().ToString();
  ASSERT_NE((*lexicon)->FindByPhrase("pleural mice"), nullptr);
  EXPECT_EQ((*lexicon)->FindByPhrase("pleural mice")->name, "pleural mouse");
}

TEST(LexiconTest, BrokenFileIsReportedWithFileAndLine) {
  TempDir dir;
  copy_embedded_lexicon(dir.path());
  write_text(dir / "levels.csv", "level\nmild\nsevere,extra\n");
  auto lexicon = Lexicon::Load(dir.path());
  ASSERT_FALSE(lexicon.ok());
  EXPECT_NE(lexicon.status().message().find("levels.csv:3"), std::string::npos)
      << lexicon.status().message();
}

TEST(LexiconTest, PhraseClaimedByTwoFindingsIsAnError) {
  TempDir dir;
  copy_embedded_lexicon(dir.path());
  write_text(dir / "findings.csv",
             "official_name,synonyms,default_location,category\n"
             "pleural effusion,effusion,pleural,pleural\n"
             "pericardial effusion,effusion,pericardial,cardiac\n");
  auto lexicon = Lexicon::Load(dir.path());
  ASSERT_FALSE(lexicon.ok());
  EXPECT_NE(lexicon.status().message().find("findings.csv:3"), std::string::npos)
      << lexicon.status().message();
}

TEST(LexiconTest, BadCueKindAndWrongHeaderAreErrors) {
  TempDir dir;
  copy_embedded_lexicon(dir.path());
  write_text(dir / "cues.csv", "phrase,kind,direction\nno,negation,forward\nmaybe,unsure,forward\n");
  auto bad_kind = Lexicon::Load(dir.path());
  ASSERT_FALSE(bad_kind.ok());
  EXPECT_NE(bad_kind.status().message().find("cues.csv:3"), std::string::npos);

  copy_embedded_lexicon(dir.path());
  write_text(dir / "types.csv", "kind\npatchy\n");
  auto bad_header = Lexicon::Load(dir.path());
  ASSERT_FALSE(bad_header.ok());
  EXPECT_NE(bad_header.status().message().find("types.csv:1"), std::string::npos);
}

TEST(LexiconTest, SubtypesAnatomyAndLevelChangesLoad) {
  auto lexicon = embedded_lexicon();
  ASSERT_NE(lexicon, nullptr);
  const Finding* hiatal = lexicon->FindByPhrase("hiatus hernia");
  ASSERT_NE(hiatal, nullptr);
  EXPECT_EQ(hiatal->name, "hiatal hernia");
  EXPECT_EQ(lexicon->EvaluationName(*hiatal), "hernia");
  EXPECT_EQ(lexicon->EvaluationName(*lexicon->FindByName("pleural effusion")), "pleural effusion");
  EXPECT_EQ(lexicon->EvaluationName(*lexicon->FindByName("subcutaneous emphysema")), "subcutaneous emphysema");
  EXPECT_TRUE(lexicon->IsAnatomy("pulmonary arteries"));
  EXPECT_FALSE(lexicon->IsAnatomy("pleural effusion"));
  EXPECT_TRUE(lexicon->IsChangeLevel("worsening"));
  EXPECT_FALSE(lexicon->IsChangeLevel("now"));
  EXPECT_FALSE(lexicon->IsDropModifier("increased"));  // a level the prompt asks for
}

TEST(LexiconTest, BadParentAnatomyAndLevelChangeAreErrors) {
  std::string findings(*embedded_file("lexicon/findings.csv"));
  expect_load_error("findings.csv", findings + "\nrib lesion,rib lesions,rib,osseous,bone thing\n",
                    "parent 'bone thing'");
  expect_load_error("anatomy.csv", "phrase,negated_finding\nheart size,heart trouble\n", "anatomy.csv:2");
  expect_load_error("level_changes.csv", "phrase,role\nnow,current\nbefore,earlier\n",
                    "level_changes.csv:3: role must be current or former or change");
}

TEST(LexiconTest, MissingFileInUserDirectoryIsAnError) {
  TempDir dir;
  copy_embedded_lexicon(dir.path());
  std::filesystem::remove(dir / "devices.csv");
  auto lexicon = Lexicon::Load(dir.path());
  ASSERT_FALSE(lexicon.ok());
  EXPECT_NE(lexicon.status().message().find("devices.csv"), std::string::npos)
      << lexicon.status().message();
}

}  // namespace
}  // namespace cxrvqa
