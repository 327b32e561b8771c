// The original programs' libs/ folder as --libraries: *_dict.json in first-seen order and
// an original-layout disease library.
#include <gtest/gtest.h>

#include "libraries/libraries.h"
#include "test_util.h"

namespace cxrvqa {
namespace {

using testing::TempDir;
using testing::write_text;

void write_original_dicts(const TempDir& dir) {
  // Ties keep their first-seen order ("zeta" before "alpha"), as the original writes them.
  write_text(dir / "libs" / "entity_dict.json", R"({"opacity": 2279, "zeta": 50, "alpha": 50, "clear": 3})");
  write_text(dir / "libs" / "location_dict.json", R"({"left": 657, "lungs otherwise": 259})");
  write_text(dir / "libs" / "level_dict.json", R"({"small": 10})");
  write_text(dir / "libs" / "type_dict.json", R"({})");
}

TEST(OriginalLibraries, DictionariesKeepTheirFileOrder) {
  TempDir dir;
  write_original_dicts(dir);
  auto libraries = load_libraries(dir / "libs");
  ASSERT_TRUE(libraries.ok()) << libraries.status().ToString();
  ASSERT_EQ(libraries->entity.size(), 4u);
  EXPECT_EQ(libraries->entity[1].first, "zeta");
  EXPECT_EQ(libraries->entity[2].first, "alpha");
  EXPECT_EQ(libraries->count(LibraryKind::kLocation, "lungs otherwise"), 259u);
  EXPECT_TRUE(libraries->diseases.empty());
  EXPECT_TRUE(libraries->original_diseases.empty());
}

TEST(OriginalLibraries, ReadsAnOriginalDiseaseLibraryUnderEitherName) {
  const std::string table =
      "id,report_name,official_name,location\n"
      "0,pleural effusions;pleural effusion;effusion,pleural effusion,pleural\n"
      "5,hiatal hernia;hernia,hernia,\n";
  for (const char* name : {"disease_lib_llm.csv", "disease_lib.csv"}) {
    TempDir dir;
    write_original_dicts(dir);
    write_text(dir / "libs" / name, table);
    auto libraries = load_libraries(dir / "libs");
    ASSERT_TRUE(libraries.ok()) << name << ": " << libraries.status().ToString();
    ASSERT_EQ(libraries->original_diseases.size(), 2u) << name;
    EXPECT_EQ(libraries->original_diseases[0].synonyms,
              (std::vector<std::string>{"pleural effusions", "pleural effusion", "effusion"}));
    EXPECT_EQ(libraries->original_diseases[1].official_name, "hernia");
    EXPECT_EQ(libraries->original_diseases[1].id, "5");
    EXPECT_TRUE(libraries->diseases.empty());
  }
}

TEST(OriginalLibraries, ABrokenDiseaseLibraryNamesFileAndLine) {
  TempDir dir;
  write_original_dicts(dir);
  write_text(dir / "libs" / "disease_lib_llm.csv", "id,report_name,official_name,location\n0,a;b\n");
  auto libraries = load_libraries(dir / "libs");
  ASSERT_FALSE(libraries.ok());
  EXPECT_NE(libraries.status().message().find("disease_lib_llm.csv:2"), std::string::npos)
      << libraries.status().message();
}

}  // namespace
}  // namespace cxrvqa
