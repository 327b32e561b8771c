#include "llm/lenient_json.h"

#include <gtest/gtest.h>

namespace cxrvqa::llm {
namespace {

Json parse_ok(std::string_view answer) {
  auto parsed = parse_llm_json(answer);
  EXPECT_TRUE(parsed.ok()) << parsed.status().ToString() << " for: " << answer;
  return parsed.ok() ? *parsed : Json();
}

TEST(LenientJson, PlainObject) {
  EXPECT_EQ(parse_ok(R"({"entity":{},"no_entity":["pneumothorax"]})")["no_entity"][0], "pneumothorax");
}

TEST(LenientJson, ProseAndCodeFencesAroundTheObject) {
  Json value = parse_ok("Sure! Here is the JSON:\n```json\n{\"no_entity\": [\"edema\"]}\n```\nLet me know.");
  EXPECT_EQ(value["no_entity"][0], "edema");
}

TEST(LenientJson, TrailingCommas) {
  Json value = parse_ok(R"({"entity": {"pleural effusion": {"location": "left",},}, "no_entity": ["edema",],})");
  EXPECT_EQ(value["entity"]["pleural effusion"]["location"], "left");
  EXPECT_EQ(value["no_entity"].size(), 1u);
}

TEST(LenientJson, PythonLiteralsSingleQuotesAndComments) {
  Json value = parse_ok("{'entity': {'atelectasis': {'location': None, 'level': 'mild'}}, // note\n"
                        " 'flag': True, /* block */ 'no_entity': []}");
  EXPECT_TRUE(value["entity"]["atelectasis"]["location"].is_null());
  EXPECT_EQ(value["entity"]["atelectasis"]["level"], "mild");
  EXPECT_EQ(value["flag"], true);
}

TEST(LenientJson, BareKeysAndValuesMissingCommasAndRawNewlines) {
  Json value = parse_ok("{entity: {\"edema\": {location: right lower lobe}} \"note\": \"line one\nline two\"}");
  EXPECT_EQ(value["entity"]["edema"]["location"], "right lower lobe");
  EXPECT_EQ(value["note"], "line one\nline two");
}

TEST(LenientJson, TruncatedAnswerIsClosed) {
  Json value = parse_ok(R"({"entity": {"edema": {"location": "bilateral"}}, "no_entity": ["pneumothorax")");
  EXPECT_EQ(value["no_entity"][0], "pneumothorax");
}

TEST(LenientJson, FailuresAreParseErrorsWithoutTheAnswerText) {
  auto none = parse_llm_json("I cannot extract findings from this report.");
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.status().code(), StatusCode::kParseError);
  EXPECT_EQ(none.status().message().find("cannot extract"), std::string::npos);
  EXPECT_FALSE(parse_llm_json("{ : : ]").ok());
}

TEST(LenientJson, DeepAnswersAreRefusedWithAReason) {
  std::string deep = "{\"entity\": " + std::string(100000, '[') + std::string(100000, ']') + "}";
  for (const std::string& answer : {deep, "Here you go: " + deep + " Done.", deep.substr(0, deep.size() - 50000)}) {
    auto parsed = parse_llm_json(answer);
    ASSERT_FALSE(parsed.ok());
    EXPECT_NE(parsed.status().message().find("nested deeper than"), std::string::npos) << parsed.status().message();
  }
}
}  // namespace
}  // namespace cxrvqa::llm
