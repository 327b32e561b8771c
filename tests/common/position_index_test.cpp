// PositionIndex: first position kept per key, lookups by view, growth keeps every entry.
#include <gtest/gtest.h>

#include <string>
#include <unordered_map>
#include <vector>

#include "common/csv.h"
#include "common/position_index.h"

namespace cxrvqa {
namespace {

struct KeyAt {
  const std::vector<std::string>* keys;
  std::string_view operator()(size_t position) const { return (*keys)[position]; }
};

// The demo corpus's study, subject and image ids, MIMIC-shaped study ids around them, each
// listed twice, and keys that differ only in their last byte or length.
std::vector<std::string> corpus_like_keys() {
  std::vector<std::string> keys;
  auto csv = CsvReader::Open(std::filesystem::path(CXRVQA_SOURCE_DIR) / "data/demo/mimic/mimic_all.csv");
  EXPECT_TRUE(csv.ok()) << csv.status().ToString();
  CsvRow row;
  while (csv.ok() && (*csv)->Next(row)) {
    for (const std::string& field : row.fields) keys.push_back(field);
  }
  for (int i = 0; i < 60000; ++i) keys.push_back(std::to_string(50000000 + 7 * i));
  for (int i = 0; i < 60000; i += 3) keys.push_back(std::to_string(50000000 + 7 * i));
  for (const std::string& key : std::vector<std::string>{"", "a", "aa", "aaa", "s50000000", "s50000001", std::string(300, 'x') + "1",
                          std::string(300, 'x') + "2", std::string("\0\0", 2), std::string("\0", 1)}) {
    keys.push_back(key);
  }
  return keys;
}

void expect_like_a_map(size_t reserved) {
  std::vector<std::string> keys = corpus_like_keys();
  PositionIndex<KeyAt> index(KeyAt{&keys}, reserved);
  std::unordered_map<std::string_view, size_t> first;
  for (size_t position = 0; position < keys.size(); ++position) {
    size_t expected = first.try_emplace(keys[position], position).first->second;
    ASSERT_EQ(index.FindOrInsert(keys[position], position), expected) << "key '" << keys[position] << "'";
  }
  EXPECT_EQ(index.size(), first.size());
  for (const auto& [key, position] : first) EXPECT_EQ(index.Find(key), position) << "key '" << key << "'";
  for (const std::string& absent : std::vector<std::string>{"b", "50000001", "s5000000", std::string(300, 'x'), std::string("\0\0\0", 3)}) {
    EXPECT_EQ(index.Find(absent), PositionIndex<KeyAt>::kNone) << "key '" << absent << "'";
  }
}

TEST(PositionIndex, KeepsTheFirstPositionOfEachKeyLikeAMap) { expect_like_a_map(0); }

TEST(PositionIndex, ReservedRoomGivesTheSameAnswers) { expect_like_a_map(200000); }

TEST(PositionIndex, KeysMayMoveWhileTheirPositionsStay) {
  std::vector<std::string> keys;
  PositionIndex<KeyAt> index(KeyAt{&keys});
  EXPECT_EQ(index.Find("anything"), PositionIndex<KeyAt>::kNone);
  for (int i = 0; i < 5000; ++i) {
    keys.push_back("study-" + std::to_string(i));  // the vector reallocates under the index
    ASSERT_EQ(index.FindOrInsert(keys.back(), keys.size() - 1), keys.size() - 1);
  }
  for (int i = 0; i < 5000; ++i) EXPECT_EQ(index.Find("study-" + std::to_string(i)), static_cast<size_t>(i));
}

}  // namespace
}  // namespace cxrvqa
