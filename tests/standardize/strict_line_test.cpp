// The fast reader of strict lines (keyinfo parse_strict_keyinfo_line and
// Standardizer::RepairLine) must give exactly what the general JSON path gives.
#include <gtest/gtest.h>

#include "common/csv.h"
#include "common/rng.h"
#include "common/text.h"
#include "standardize/standardize.h"
#include "test_util.h"

namespace cxrvqa {
namespace {

const Standardizer& standardizer() {
  static Standardizer instance(*Lexicon::Load(std::nullopt));
  return instance;
}

// Words as extractors and LLMs write them: official names, plurals, synonyms, location and
// level words inside names, misfiled attributes, odd case, empty values, escapes, UTF-8.
const char* kNames[] = {"pleural effusion", "effusions", "left-sided pleural effusion", "Atelectasis",
                        "low lung volumes", "hilar congestion", "cardiomegaly", "small pneumothorax",
                        "new areas of consolidation", "effusion in the right base", "pacemaker",
                        "granuloma", "edema \"mild\"", "opacit\u00e9", "nodules\\tab", "", "scarring"};
const char* kWords[] = {"left", "small", "layering", "left lower lobe", "Mild", "none", "bibasilar",
                        "patchy linear", "moderate right", "", "in the right base", "x\n\ty", "\x01"};

std::optional<std::string> maybe_word(SplitMix64& rng) {
  if (rng.Chance(0.4)) return std::nullopt;
  return std::string(kWords[rng.Below(std::size(kWords))]);
}

KeyInfo random_strict_record(SplitMix64& rng, size_t id) {
  KeyInfo record;
  record.meta = {(id % 7 == 0 ? " " : "") + std::to_string(50000000 + id), std::to_string(id / 3),
                 "d" + std::to_string(id), id % 2 ? "postero-anterior" : "AP",
                 static_cast<int>(id % 5) - 1, id % 3 ? "train" : ""};
  if (rng.Chance(0.5)) record.opacity = OpacityStatement{maybe_word(rng), maybe_word(rng), maybe_word(rng)};
  if (rng.Chance(0.3)) record.clear = ClearStatement{maybe_word(rng)};
  for (size_t n = rng.Below(4); n > 0; --n) {
    std::string name = kNames[rng.Below(std::size(kNames))];
    if (record.find_entity(name) != nullptr) continue;
    record.entity.push_back({name, {maybe_word(rng), maybe_word(rng), maybe_word(rng), maybe_word(rng)}});
  }
  for (size_t n = rng.Below(3); n > 0; --n) record.uncertain_entity.push_back(kNames[rng.Below(std::size(kNames))]);
  for (size_t n = rng.Below(4); n > 0; --n) record.no_entity.push_back(kNames[rng.Below(std::size(kNames))]);
  return record;
}

// RepairLine (fast path for strict lines) against Repair over the parsed JSON.
void expect_same_repair(const std::string& line) {
  KeyInfo strict;
  ASSERT_TRUE(parse_strict_keyinfo_line(line, strict)) << "not read as strict";
  RepairCounts fast_counts, slow_counts;
  auto fast = standardizer().RepairLine(line, fast_counts);
  auto slow = standardizer().Repair(Json::parse(line), slow_counts);
  ASSERT_EQ(fast.ok(), slow.ok());
  if (fast.ok()) {
    EXPECT_EQ(keyinfo_to_json_line(*fast), keyinfo_to_json_line(*slow));
  } else {
    EXPECT_EQ(fast.status().message(), slow.status().message());
  }
  EXPECT_EQ(fast_counts.counts, slow_counts.counts);
}

TEST(StrictLineTest, ReadsWhatTheWriterWritesLikeTheJsonParser) {
  SplitMix64 rng(5);
  for (size_t id = 0; id < 2000; ++id) {
    std::string line = keyinfo_to_json_line(random_strict_record(rng, id));
    KeyInfo fast;
    ASSERT_TRUE(parse_strict_keyinfo_line(line, fast)) << id;
    auto slow = keyinfo_from_json(Json::parse(line));
    ASSERT_TRUE(slow.ok()) << id;
    EXPECT_EQ(fast, *slow) << id;
  }
}

TEST(StrictLineTest, StringsOfEveryLengthWithEscapesAndUtf8AtEveryPlace) {
  // Names around the reader's 16-byte steps, each with one odd piece at each place: an escape,
  // a two-byte UTF-8 letter, a control byte (written escaped), a quote; and, at the same
  // places, a byte that is not UTF-8, which the fast reader must leave to the JSON parser.
  const std::string pieces[] = {"\\", "\xc3\xa9", "\x01", "\"", "\t"};
  for (size_t length = 0; length <= 40; ++length) {
    for (size_t at = 0; at <= length; ++at) {
      for (const std::string& piece : pieces) {
        KeyInfo record;
        record.meta.study_id = "s1";
        std::string name = std::string(length, 'n');
        name.insert(at, piece);
        record.entity.push_back({name, {name, std::nullopt, std::nullopt, std::nullopt}});
        record.no_entity.push_back(name + "x");
        std::string line = keyinfo_to_json_line(record);
        KeyInfo fast;
        ASSERT_TRUE(parse_strict_keyinfo_line(line, fast)) << line;
        EXPECT_EQ(fast, record) << line;
      }
      std::string line = keyinfo_to_json_line(KeyInfo{});
      std::string name = std::string(length, 'n');
      name.insert(at, "y");
      const std::string empty_list = "\"no_entity\":[]";
      std::string bad_name = name;
      bad_name.replace(at, 1, "\xff");
      // The name inside the line, and last in it (where fewer than 16 bytes follow).
      for (bool last : {false, true}) {
        auto with = [&](const std::string& item) {
          std::string list = last ? "[\"head of the list\",\"" + item + "\"]" : "[\"" + item + "\",\"tail of the line\"]";
          std::string changed = line;
          return changed.replace(line.find(empty_list), empty_list.size(), "\"no_entity\":" + list);
        };
        KeyInfo out;
        EXPECT_TRUE(parse_strict_keyinfo_line(with(name), out)) << with(name);
        EXPECT_FALSE(parse_strict_keyinfo_line(with(bad_name), out)) << "invalid UTF-8 read as strict: " << with(bad_name);
      }
    }
  }
}

TEST(StrictLineTest, AnythingElseIsLeftToTheJsonParser) {
  KeyInfo record;
  record.meta.study_id = "s1";
  record.opacity = OpacityStatement{"left", std::nullopt, std::nullopt};
  record.entity = {{"atelectasis", {"left", std::nullopt, std::nullopt, std::nullopt}}};
  std::string line = keyinfo_to_json_line(record);
  KeyInfo out;
  ASSERT_TRUE(parse_strict_keyinfo_line(line, out));
  auto variant = [&](std::string_view from, std::string_view to) {
    std::string changed = line;
    size_t pos = changed.find(from);
    EXPECT_NE(pos, std::string::npos) << from;
    return changed.replace(pos, from.size(), to);
  };
  const std::string others[] = {
      Json::parse(line).dump(1),                              // spaces and new lines
      line + " ",                                             // trailing bytes
      variant("\"s1\"", "1"),                                 // study_id as a number
      variant("\"study_order\":0", "\"study_order\":0.0"),    // not an integer
      variant("\"study_order\":0", "\"study_order\":01"),     // not JSON
      variant("\"s1\"", "\"s\\/1\""),                         // an escape the writer never writes
      variant("\"s1\"", "\"s\xff\""),                         // invalid UTF-8
      variant("}},\"entity\"", "},},\"entity\""),            // trailing comma
      variant("\"entity\":{", "\"entity\":{\"atelectasis\":{\"location\":null,\"level\":null,"
                              "\"type\":null,\"post_location\":null},"),  // a name twice
      variant("\"location\":\"left\",\"level\"", "\"level\":null,\"location\":\"left\""),  // key order
      variant("\"uncertain_entity\":[]", "\"uncertain_entity\":null"),
  };
  for (const std::string& other : others) EXPECT_FALSE(parse_strict_keyinfo_line(other, out)) << other;
}

TEST(StrictLineTest, StandardizeGivesTheSameRecordsAndCountsOnBothPaths) {
  SplitMix64 rng(9);
  for (size_t id = 0; id < 2000; ++id) {
    SCOPED_TRACE(id);
    expect_same_repair(keyinfo_to_json_line(random_strict_record(rng, id)));
  }
}

// Real IU X-ray MeSH annotations as strict records (term as the name, qualifiers as the
// location, the other terms of the report negated) through both paths.
TEST(StrictLineTest, IuMeshRecordsGiveTheSameResultOnBothPaths) {
  CXRVQA_REQUIRE_SHARED_DATA(shared);
  auto reader = CsvReader::Open(shared / "iu_xray" / "iu_reports_dev.csv");
  ASSERT_TRUE(reader.ok());
  auto mesh_column = (*reader)->column("MeSH");
  ASSERT_TRUE(mesh_column.has_value());
  size_t compared = 0;
  CsvRow row;
  while ((*reader)->Next(row)) {
    KeyInfo record;
    record.meta.study_id = "iu" + std::to_string(compared);
    for (const auto& term : split_trimmed(row.get(*mesh_column), ';')) {
      auto parts = split_trimmed(term, '/');
      if (parts.empty() || record.find_entity(parts[0]) != nullptr) continue;
      std::vector<std::string> qualifiers(parts.begin() + 1, parts.end());
      std::optional<std::string> location;
      if (!qualifiers.empty()) location = join(qualifiers, " ");
      record.entity.push_back({parts[0], {location, std::nullopt, std::nullopt, std::nullopt}});
      record.no_entity.push_back(to_lower(parts[0]));
    }
    SCOPED_TRACE(record.meta.study_id);
    expect_same_repair(keyinfo_to_json_line(record));
    ++compared;
  }
  EXPECT_GT(compared, 100u);
}

}  // namespace
}  // namespace cxrvqa
