// KeyInfo as the original programs release it: all_diseases.json is one JSON array,
// uncertain_entity an object, study_order a float string.
#include <gtest/gtest.h>

#include "keyinfo/keyinfo.h"
#include "test_util.h"

namespace cxrvqa {
namespace {

using testing::TempDir;
using testing::write_text;

// Two records laid out over several lines, as json.dump(indent=4) or a plain dump writes them.
constexpr const char* kArray = R"([
  {"study_id": "50908780", "subject_id": "10004726", "dicom_id": "d1", "view": "lateral",
   "study_order": "1.0", "opacity_vs_clear": {"opacity": {"location": "right", "level": null, "type": null}},
   "entity": {}, "uncertain_entity": {}, "no_entity": ["edema", "opacity"]},
  {"study_id": 52680516, "subject_id": 10011914, "study_order": 2.0,
   "entity": {"pneumomediastinum": {"description": "x", "location": "left", "level": "small", "type": null},
              "effusion": {"location": ["left", "right base"], "level": null, "type": null}},
   "uncertain_entity": {"scarring": {"location": "apex", "level": null, "type": null}},
   "no_entity": []}
]
)";

TEST(ReleasedKeyInfo, ReadsAJsonArrayWithFloatOrdersAndUncertainObjects) {
  TempDir dir;
  write_text(dir / "all_diseases.json", kArray);
  std::vector<LineError> errors;
  auto records = read_keyinfo_jsonl(dir / "all_diseases.json", errors);
  ASSERT_TRUE(records.ok()) << records.status().ToString();
  EXPECT_TRUE(errors.empty()) << errors.front().ToString();
  ASSERT_EQ(records->size(), 2u);
  const KeyInfo& first = (*records)[0];
  EXPECT_EQ(first.meta.study_order, 1);
  ASSERT_TRUE(first.opacity.has_value());
  EXPECT_EQ(first.opacity->location, "right");
  EXPECT_EQ(first.no_entity, (std::vector<std::string>{"edema", "opacity"}));
  const KeyInfo& second = (*records)[1];
  EXPECT_EQ(second.meta.study_id, "52680516");
  EXPECT_EQ(second.meta.subject_id, "10011914");
  EXPECT_EQ(second.meta.study_order, 2);
  ASSERT_EQ(second.entity.size(), 2u);
  EXPECT_EQ(second.entity[0].attributes.level, "small");
  EXPECT_EQ(second.entity[1].attributes.location, "left, right base");  // a list becomes one ", " string
  ASSERT_EQ(second.uncertain_entity, std::vector<std::string>{"scarring"});
  ASSERT_EQ(second.uncertain_attributes.size(), 1u);
  EXPECT_EQ(second.uncertain_attributes[0].location, "apex");
}

TEST(ReleasedKeyInfo, UncertainAttributesSurviveAWriteAndRead) {
  TempDir dir;
  write_text(dir / "all_diseases.json", kArray);
  std::vector<LineError> errors;
  auto records = read_keyinfo_jsonl(dir / "all_diseases.json", errors);
  ASSERT_TRUE(records.ok());
  std::string jsonl;
  for (const KeyInfo& record : *records) jsonl += keyinfo_to_json_line(record) + "\n";
  write_text(dir / "again.jsonl", jsonl);
  auto again = read_keyinfo_jsonl(dir / "again.jsonl", errors);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(errors.empty());
  EXPECT_EQ(*again, *records);
}

// What read_keyinfo_jsonl makes of `text` written to a file named `name`.
struct Read {
  std::vector<KeyInfo> records;
  std::vector<LineError> errors;
};

Read read_as(const std::string& name, const std::string& text) {
  TempDir dir;
  write_text(dir / name, text);
  Read read;
  auto records = read_keyinfo_jsonl(dir / name, read.errors);
  EXPECT_TRUE(records.ok()) << records.status().ToString();
  if (records.ok()) read.records = std::move(*records);
  return read;
}

TEST(ReleasedKeyInfo, AStudyOrderThatIsNoIntegerIsAnErrorNamingFileAndLine) {
  Read read = read_as("k.json",
                      "[\n{\"study_id\": \"1\", \"study_order\": \"2.0\", \"entity\": {}},\n"
                      "{\"study_id\": \"2\",\n \"study_order\": \"second\", \"entity\": {}},\n"
                      "{\"study_id\": \"3\", \"study_order\": 1.5, \"entity\": {}},\n"
                      "{\"study_id\": \"4\", \"study_order\": true, \"entity\": {}}\n]\n");
  ASSERT_EQ(read.records.size(), 1u);
  EXPECT_EQ(read.records[0].meta.study_order, 2);
  ASSERT_EQ(read.errors.size(), 3u);
  EXPECT_EQ(read.errors[0].line, 3u);  // the line where the record starts
  EXPECT_NE(read.errors[0].ToString().find("k.json:3"), std::string::npos);
  EXPECT_NE(read.errors[0].message.find("\"second\""), std::string::npos) << read.errors[0].message;
  EXPECT_EQ(read.errors[1].line, 5u);
  EXPECT_EQ(read.errors[2].line, 6u);
}

TEST(ReleasedKeyInfo, JsonlLinesTakeFloatOrdersToo) {
  Read read = read_as("k.jsonl", "{\"study_id\": \"1\", \"study_order\": 3.0}\n{\"study_id\": \"2\", \"study_order\": \"x\"}\n");
  ASSERT_EQ(read.records.size(), 1u);
  EXPECT_EQ(read.records[0].meta.study_order, 3);
  ASSERT_EQ(read.errors.size(), 1u);
  EXPECT_EQ(read.errors[0].line, 2u);
}

TEST(ReleasedKeyInfo, ATruncatedArrayKeepsTheRecordsBeforeAndSaysWhere) {
  std::string text = kArray;
  Read read = read_as("cut.json", text.substr(0, text.find("\"uncertain_entity\": {\"scarring\"")));
  EXPECT_EQ(read.records.size(), 1u);
  ASSERT_EQ(read.errors.size(), 1u);
  EXPECT_EQ(read.errors[0].line, 5u);
  EXPECT_NE(read.errors[0].message.find("cut short"), std::string::npos);
}

TEST(ReleasedKeyInfo, ABrokenElementIsSkippedAndTheArrayGoesOn) {
  Read read = read_as("k.json", "[{\"study_id\": \"1\"},\n {\"study_id\": tru},\n \"text\",\n {\"study_id\": \"4\"}]");
  ASSERT_EQ(read.records.size(), 2u);
  EXPECT_EQ(read.records[1].meta.study_id, "4");
  ASSERT_EQ(read.errors.size(), 2u);
  EXPECT_EQ(read.errors[0].line, 2u);
  EXPECT_EQ(read.errors[1].line, 3u);
}

}  // namespace
}  // namespace cxrvqa
