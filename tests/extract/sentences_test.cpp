// The report sentences of sentences.jsonl, each with the KeyInfo the rules extractor must give
// for it: one line per sentence, {"rule", "text", "entity", "uncertain", "no"} and optionally
// "opacity" / "clear" (null: the statement must be absent). A missing list or entity object
// means none; a missing attribute means null. Lists are compared as sets, attributes exactly.
#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "common/text.h"
#include "extract_test_util.h"

namespace cxrvqa {
namespace {

using nlohmann::json;

struct SentenceCase {
  size_t line = 0;
  json spec;
};

std::vector<SentenceCase> load_cases() {
  std::ifstream in(std::string(CXRVQA_SOURCE_DIR) + "/tests/extract/sentences.jsonl");
  std::vector<SentenceCase> cases;
  std::string text;
  for (size_t line = 1; std::getline(in, text); ++line) {
    if (text.empty()) continue;
    cases.push_back({line, json::parse(text)});
  }
  return cases;
}

std::optional<std::string> optional_string(const json& object, const char* key) {
  if (!object.contains(key) || object[key].is_null()) return std::nullopt;
  return object[key].get<std::string>();
}

std::set<std::string> name_set(const json& spec, const char* key) {
  std::set<std::string> names;
  if (spec.contains(key)) {
    for (const auto& name : spec[key]) names.insert(name.get<std::string>());
  }
  return names;
}

std::string listed(const std::set<std::string>& names) {
  return "[" + join(std::vector<std::string>(names.begin(), names.end()), ", ") + "]";
}

std::string describe(const EntityAttributes& a) {
  auto show = [](const std::optional<std::string>& v) { return v ? "\"" + *v + "\"" : "null"; };
  return "{location " + show(a.location) + ", level " + show(a.level) + ", type " + show(a.type) +
         ", post_location " + show(a.post_location) + "}";
}

// Every difference between `info` and the expectation, one per line; "" when none.
std::string differences(const json& spec, const KeyInfo& info) {
  std::string out;
  json expected_entities = spec.value("entity", json::object());
  for (const auto& [name, attributes] : expected_entities.items()) {
    EntityAttributes expected{optional_string(attributes, "location"),
                              optional_string(attributes, "level"),
                              optional_string(attributes, "type"),
                              optional_string(attributes, "post_location")};
    const Entity* entity = info.find_entity(name);
    if (entity == nullptr) {
      out += "missing entity " + name + "\n";
    } else if (!(entity->attributes == expected)) {
      out += name + ": expected " + describe(expected) + ", got " + describe(entity->attributes) + "\n";
    }
  }
  for (const auto& entity : info.entity) {
    if (!expected_entities.contains(entity.name)) out += "unexpected entity " + entity.name + "\n";
  }
  for (auto [key, actual] : {std::pair{"uncertain", &info.uncertain_entity},
                             std::pair{"no", &info.no_entity}}) {
    std::set<std::string> got(actual->begin(), actual->end());
    std::set<std::string> expected = name_set(spec, key);
    if (got != expected) out += std::string(key) + ": expected " + listed(expected) + ", got " + listed(got) + "\n";
  }
  if (spec.contains("opacity")) {
    const json& opacity = spec["opacity"];
    std::optional<OpacityStatement> expected;
    if (!opacity.is_null()) {
      expected = OpacityStatement{optional_string(opacity, "location"),
                                  optional_string(opacity, "level"), optional_string(opacity, "type")};
    }
    if (expected != info.opacity) out += "opacity statement differs\n";
  }
  if (spec.contains("clear")) {
    const json& clear = spec["clear"];
    std::optional<ClearStatement> expected;
    if (!clear.is_null()) expected = ClearStatement{optional_string(clear, "location")};
    if (expected != info.clear) out += "clear statement differs\n";
  }
  return out;
}

TEST(SentencesTest, EverySentenceGivesItsKeyInfo) {
  auto cases = load_cases();
  ASSERT_GE(cases.size(), 150u) << "sentences.jsonl holds too few sentences";
  size_t failed = 0;
  for (const auto& c : cases) {
    KeyInfo info = testing::embedded_extractor().Extract(c.spec.at("text").get<std::string>());
    std::string diff = differences(c.spec, info);
    if (diff.empty()) continue;
    ++failed;
    ADD_FAILURE() << "sentences.jsonl:" << c.line << " (" << c.spec.at("rule").get<std::string>()
                  << ")\n  text: " << c.spec.at("text").get<std::string>() << "\n  "
                  << diff << "  got: " << keyinfo_to_json_line(info);
  }
  EXPECT_EQ(failed, 0u);
}

TEST(SentencesTest, EveryRuleFamilyIsCovered) {
  std::set<std::string> families;
  for (const auto& c : load_cases()) {
    std::string rule = c.spec.at("rule").get<std::string>();
    families.insert(rule.substr(0, rule.find(':')));
  }
  for (const char* family : {"negation", "uncertainty", "resolution", "partial change", "no new",
                             "current level", "subtype", "and", "shared location", "attributes",
                             "merge", "devices", "opacity", "clear", "sentences"}) {
    EXPECT_TRUE(families.count(family)) << "no sentence for rule family '" << family << "'";
  }
}

}  // namespace
}  // namespace cxrvqa
