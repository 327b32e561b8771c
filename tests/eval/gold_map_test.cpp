#include "eval/gold_map.h"

#include <gtest/gtest.h>

#include <set>

#include "common/csv.h"
#include "common/embedded.h"
#include "common/text.h"
#include "lexicon/lexicon.h"
#include "test_util.h"

namespace cxrvqa {
namespace {

constexpr char kMap[] =
    "gold_term,official_names,note\n"
    "Opacity,lung opacity;consolidation,\n"
    "Opacity/interstitial,interstitial markings;lung opacity,\n"
    "Lung/hypoinflation,low lung volume,\n"
    "\"Catheters, Indwelling\",,device\n";

TEST(GoldMap, ResolvesHeadingQualifierFirst) {
  auto map = GoldMap::Parse(kMap, "test.csv");
  ASSERT_TRUE(map.ok()) << map.status().ToString();
  auto opacity = map->Resolve("Opacity/lung/base/left");
  ASSERT_TRUE(opacity.has_value());
  EXPECT_EQ(opacity->label, "lung opacity");
  EXPECT_EQ(opacity->accepted, (std::vector<std::string>{"lung opacity", "consolidation"}));
  EXPECT_EQ(map->Resolve("Opacity/lung/bilateral/interstitial/diffuse")->label, "interstitial markings");
  EXPECT_EQ(map->Resolve("lung / Hypoinflation/mild")->label, "low lung volume");
  EXPECT_FALSE(map->Resolve("Lung/hyperdistention").has_value());  // no row for it, nor for Lung
  auto device = map->Resolve("Catheters,  Indwelling/right");
  ASSERT_TRUE(device.has_value());
  EXPECT_TRUE(device->ignored);
}

TEST(GoldMap, LabelsAlternativesAndUnmappedNames) {
  auto map = GoldMap::Parse(kMap, "test.csv");
  ASSERT_TRUE(map.ok());
  EXPECT_EQ(map->labels(), (std::vector<std::string>{"lung opacity", "interstitial markings", "low lung volume"}));
  EXPECT_TRUE(map->IsLabel("lung opacity"));
  EXPECT_FALSE(map->IsLabel("consolidation"));
  EXPECT_TRUE(map->Mentions("consolidation"));
  EXPECT_FALSE(map->Mentions("cardiomegaly"));
  EXPECT_TRUE(map->Accepts("lung opacity", "consolidation"));
  EXPECT_TRUE(map->Accepts("interstitial markings", "lung opacity"));
  EXPECT_FALSE(map->Accepts("low lung volume", "consolidation"));
}

TEST(GoldMap, MalformedFilesNameTheLine) {
  auto bad_header = GoldMap::Parse("term,names\nA,b\n", "m.csv");
  ASSERT_FALSE(bad_header.ok());
  EXPECT_NE(bad_header.status().message().find("m.csv:1"), std::string::npos);
  auto duplicate = GoldMap::Parse("gold_term,official_names\nA,b\na,c\n", "m.csv");
  ASSERT_FALSE(duplicate.ok());
  EXPECT_NE(duplicate.status().message().find("m.csv:3"), std::string::npos);
  auto short_row = GoldMap::Parse("gold_term,official_names\nA\n", "m.csv");
  EXPECT_FALSE(short_row.ok());
}

TEST(GoldMap, LoadsFromFileAndIdentityForKeyInfo) {
  testing::TempDir dir;
  testing::write_text(dir / "map.csv", kMap);
  auto from_file = GoldMap::Load(GoldFormat::kIuMesh, dir / "map.csv");
  ASSERT_TRUE(from_file.ok());
  EXPECT_EQ(from_file->labels().size(), 3u);
  EXPECT_FALSE(GoldMap::Load(GoldFormat::kIuMesh, dir / "missing.csv").ok());
  auto identity = GoldMap::Load(GoldFormat::kKeyInfo, std::nullopt);
  ASSERT_TRUE(identity.ok());
  EXPECT_TRUE(identity->identity());
  EXPECT_EQ(identity->Resolve("Pleural Effusion")->label, "pleural effusion");
}

// Every official name in the shipped maps must be a finding of the shipped lexicon, so that
// a prediction can ever match it.
TEST(GoldMap, EmbeddedMapsNameLexiconFindings) {
  auto lexicon = Lexicon::Load(std::nullopt);
  ASSERT_TRUE(lexicon.ok()) << lexicon.status().ToString();
  for (auto format : {GoldFormat::kIuMesh, GoldFormat::kOpenI14}) {
    auto map = GoldMap::Load(format, std::nullopt);
    ASSERT_TRUE(map.ok()) << map.status().ToString();
    EXPECT_GT(map->labels().size(), 10u);
    std::string file = format == GoldFormat::kIuMesh ? "mesh_map.csv" : "openi14_map.csv";
    auto text = read_data_file(std::nullopt, "eval", file);
    ASSERT_TRUE(text.ok());
    size_t rows = 0;
    for (auto line : split(*text, '\n')) {
      std::vector<std::string> fields;
      if (trim(line).empty() || !parse_csv_record(line, fields) || fields.size() < 2) continue;
      if (rows++ == 0) continue;  // header
      for (const auto& name : split_trimmed(fields[1], ';')) {
        EXPECT_NE((*lexicon)->FindByName(name), nullptr) << file << ": " << fields[0] << " -> " << name;
      }
    }
    EXPECT_GT(rows, 14u);
  }
}

TEST(GoldMap, EmbeddedOpenI14MapCoversEveryColumn) {
  auto map = GoldMap::Load(GoldFormat::kOpenI14, std::nullopt);
  ASSERT_TRUE(map.ok());
  for (const char* column : {"Atelectasis", "Cardiomegaly", "Effusion", "Infiltration", "Mass", "Nodule",
                             "Pneumonia", "Pneumothorax", "Consolidation", "Edema", "Emphysema", "Fibrosis",
                             "Pleural_Thickening", "Hernia"}) {
    auto mapped = map->Resolve(column);
    ASSERT_TRUE(mapped.has_value()) << column;
    EXPECT_FALSE(mapped->ignored) << column;
  }
  EXPECT_EQ(map->Resolve("Effusion")->label, "pleural effusion");
}

}  // namespace
}  // namespace cxrvqa
