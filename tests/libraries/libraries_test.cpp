#include "libraries/libraries.h"

#include <gtest/gtest.h>

#include "test_util.h"

namespace cxrvqa {
namespace {

Entity entity(std::string name, std::optional<std::string> location = std::nullopt,
              std::optional<std::string> level = std::nullopt,
              std::optional<std::string> type = std::nullopt) {
  return {std::move(name), {std::move(location), std::move(level), std::move(type), std::nullopt}};
}

KeyInfo record(std::string id, std::vector<Entity> entities,
               std::vector<std::string> uncertain = {}) {
  KeyInfo r;
  r.meta.study_id = std::move(id);
  r.entity = std::move(entities);
  r.uncertain_entity = std::move(uncertain);
  return r;
}

std::vector<KeyInfo> sample() {
  return {
      record("1", {entity("pleural effusion", "left", "small", "layering"),
                   entity("atelectasis", "left", "mild")}),
      record("2", {entity("pleural effusion", "bilateral", "small"),
                   entity("pleural effusion", "right")},  // duplicate name: one study
             {"pneumonia"}),
      record("3", {entity("atelectasis", "right"), entity("granuloma")}, {"atelectasis"}),
      record("4", {entity("edema")}, {"pneumonia", "pneumonia"}),
  };
}

TEST(LibrariesTest, CountsEntityOncePerStudyAndIgnoresUncertain) {
  Libraries libraries = compute_libraries(sample(), nullptr);
  EXPECT_EQ(libraries.count(LibraryKind::kEntity, "pleural effusion"), 2u);
  EXPECT_EQ(libraries.count(LibraryKind::kEntity, "atelectasis"), 2u);
  EXPECT_EQ(libraries.count(LibraryKind::kEntity, "granuloma"), 1u);
  EXPECT_EQ(libraries.count(LibraryKind::kEntity, "pneumonia"), 0u);
  EXPECT_EQ(libraries.count(LibraryKind::kEntity, "absent"), 0u);
}

TEST(LibrariesTest, CountsAttributeWordsPerOccurrence) {
  Libraries libraries = compute_libraries(sample(), nullptr);
  EXPECT_EQ(libraries.count(LibraryKind::kLocation, "left"), 2u);
  EXPECT_EQ(libraries.count(LibraryKind::kLocation, "right"), 2u);
  EXPECT_EQ(libraries.count(LibraryKind::kLocation, "bilateral"), 1u);
  EXPECT_EQ(libraries.count(LibraryKind::kLevel, "small"), 2u);
  EXPECT_EQ(libraries.count(LibraryKind::kLevel, "mild"), 1u);
  EXPECT_EQ(libraries.count(LibraryKind::kType, "layering"), 1u);
  EXPECT_EQ(libraries.count(LibraryKind::kType, "small"), 0u);
}

TEST(LibrariesTest, ListsSortedByCountThenName) {
  Libraries libraries = compute_libraries(sample(), nullptr);
  CountList expected = {{"atelectasis", 2}, {"pleural effusion", 2}, {"edema", 1}, {"granuloma", 1}};
  EXPECT_EQ(libraries.entity, expected);
  CountList locations = {{"left", 2}, {"right", 2}, {"bilateral", 1}};
  EXPECT_EQ(libraries.location, locations);
  EXPECT_EQ(libraries.frequent(LibraryKind::kEntity, 2),
            (std::vector<std::string>{"atelectasis", "pleural effusion"}));
}

TEST(LibrariesTest, CorpusNamesJoinDiseaseLibraryWithoutLexicon) {
  Libraries libraries = compute_libraries(sample(), nullptr);
  ASSERT_EQ(libraries.diseases.size(), 4u);
  EXPECT_EQ(libraries.diseases[0].name, "atelectasis");
  EXPECT_FALSE(libraries.diseases[0].from_lexicon);
  EXPECT_EQ(libraries.diseases[3].count, 1u);
}

TEST(LibrariesTest, MergesLexiconFindingsFirst) {
  auto lexicon = Lexicon::Load(std::nullopt);
  if (!lexicon.ok() || (*lexicon)->findings().empty()) GTEST_SKIP() << "lexicon not available yet";
  Libraries libraries = compute_libraries(sample(), lexicon->get());
  const auto& findings = (*lexicon)->findings();
  ASSERT_GE(libraries.diseases.size(), findings.size());
  for (size_t i = 0; i < findings.size(); ++i) {
    EXPECT_EQ(libraries.diseases[i].name, findings[i].name);
    EXPECT_TRUE(libraries.diseases[i].from_lexicon);
    EXPECT_EQ(libraries.diseases[i].count, libraries.count(LibraryKind::kEntity, findings[i].name));
  }
  for (size_t i = findings.size(); i < libraries.diseases.size(); ++i) {
    EXPECT_FALSE(libraries.diseases[i].from_lexicon);
    EXPECT_EQ((*lexicon)->FindByName(libraries.diseases[i].name), nullptr);
  }
}

TEST(LibrariesTest, WriteThenLoadRoundTrips) {
  testing::TempDir dir;
  Libraries libraries = compute_libraries(sample(), nullptr);
  libraries.diseases[0].synonyms = {"collapse", "volume loss"};
  libraries.diseases[0].default_location = "lung";
  libraries.diseases[0].from_lexicon = true;
  ASSERT_TRUE(write_libraries(libraries, dir.path() / "libs").ok());
  auto loaded = load_libraries(dir.path() / "libs");
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(loaded->entity, libraries.entity);
  EXPECT_EQ(loaded->location, libraries.location);
  EXPECT_EQ(loaded->level, libraries.level);
  EXPECT_EQ(loaded->type, libraries.type);
  EXPECT_EQ(loaded->diseases, libraries.diseases);
  EXPECT_EQ(loaded->count(LibraryKind::kLevel, "small"), 2u);
  std::string text = testing::read_text(dir.path() / "libs" / "entity_dict.json");
  EXPECT_LT(text.find("atelectasis"), text.find("edema"));
}

TEST(LibrariesTest, LoadReportsBadFile) {
  testing::TempDir dir;
  ASSERT_TRUE(write_libraries(compute_libraries(sample(), nullptr), dir.path()).ok());
  testing::write_text(dir / "level_dict.json", "{\"small\": \"many\"}");
  auto loaded = load_libraries(dir.path());
  ASSERT_FALSE(loaded.ok());
  EXPECT_NE(loaded.status().message().find("level_dict.json"), std::string::npos);
  testing::write_text(dir / "level_dict.json", "{\"small\": 3}");
  std::filesystem::remove(dir / "type_dict.json");
  auto missing = load_libraries(dir.path());
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("type_dict.json"), std::string::npos);
}

}  // namespace
}  // namespace cxrvqa
