#include "common/json_tree.h"

#include "common/json.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace cxrvqa {
namespace {

using Kind = JsonTree::Kind;

// "key=kind:text" of every node in document order, nesting shown with brackets.
void describe(JsonTree::Node node, std::string& out) {
  if (!node.key().empty()) out += std::string(node.key()) + "=";
  switch (node.kind()) {
    case Kind::kNull: out += "null"; break;
    case Kind::kBoolean: out += node.boolean() ? "true" : "false"; break;
    case Kind::kInteger: out += "int:" + std::to_string(node.integer()); break;
    case Kind::kFloat: out += "float:" + std::string(node.text()); break;
    case Kind::kString: out += "str:" + std::string(node.text()); break;
    case Kind::kArray:
    case Kind::kObject:
      out += node.is_array() ? "[" : "{";
      for (JsonTree::Node child : node) {
        describe(child, out);
        out += ",";
      }
      out += node.is_array() ? "]" : "}";
      break;
  }
}

std::string describe(const JsonTree& tree) {
  std::string out;
  describe(tree.root(), out);
  return out;
}

constexpr const char* kDocument =
    R"({"b": [1, -2, 2.50, "x\"y\u00e9", null, true, {}, []], "a": {"k": {"z": false}}, "b": 18446744073709551615})";

TEST(JsonTree, KeepsOrderDuplicatesNestingAndScalars) {
  auto tree = JsonTree::Parse(kDocument);
  ASSERT_TRUE(tree.ok()) << tree.status().ToString();
  EXPECT_EQ(describe(*tree),
            "{b=[int:1,int:-2,float:2.50,str:x\"y\xc3\xa9,null,true,{},[],],a={k={z=false,},},"
            "b=float:18446744073709551615,}");
  JsonTree::Node root = tree->root();
  ASSERT_TRUE(root.find("b"));
  EXPECT_TRUE(root.find("b")->is_array());  // the first of the duplicates
  EXPECT_FALSE(root.find("missing"));
  EXPECT_FALSE(root.find("a")->find("k")->empty());
  JsonTree::Node items = *root.find("b");
  EXPECT_DOUBLE_EQ((*items.begin()).number(), 1.0);
  std::vector<Kind> kinds;
  for (JsonTree::Node item : items) kinds.push_back(item.kind());
  EXPECT_EQ(kinds, (std::vector<Kind>{Kind::kInteger, Kind::kInteger, Kind::kFloat, Kind::kString, Kind::kNull,
                                      Kind::kBoolean, Kind::kObject, Kind::kArray}));
}

TEST(JsonTree, InvalidJsonIsAnError) {
  for (const char* text : {"", "{", R"({"a": })", R"({"a": 1,})", "[1 2]", "{\"a\": \"\xff\"}", "nul"}) {
    auto tree = JsonTree::Parse(text);
    EXPECT_FALSE(tree.ok()) << text;
    if (!tree.ok()) {
      EXPECT_NE(tree.status().message().find("not valid JSON"), std::string::npos);
    }
  }
}

TEST(JsonTree, FromJsonMatchesParse) {
  const char* text = R"({"s": "t", "n": [1, 2, {"x": null}], "o": {"p": true, "q": -3}})";
  auto parsed = JsonTree::Parse(text);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(describe(JsonTree::FromJson(Json::parse(text))), describe(*parsed));
}

TEST(JsonTree, ScalarRoot) {
  auto tree = JsonTree::Parse("  \"alone\" ");
  ASSERT_TRUE(tree.ok());
  EXPECT_TRUE(tree->root().is_string());
  EXPECT_EQ(tree->root().text(), "alone");
  EXPECT_TRUE(tree->root().empty());
}

// `{"a": [[[ ... ]]]}` with `depth` nested arrays.
std::string nested(size_t depth) {
  return "{\"a\": " + std::string(depth, '[') + std::string(depth, ']') + "}";
}

TEST(JsonDepth, DeepDocumentsAreRefusedWithAReason) {
  auto tree = JsonTree::Parse(nested(100000));
  ASSERT_FALSE(tree.ok());
  EXPECT_NE(tree.status().message().find("nested deeper than 64 levels"), std::string::npos) << tree.status().message();
  auto json = parse_json(nested(100000));
  ASSERT_FALSE(json.ok());
  EXPECT_NE(json.status().message().find("nested deeper than 64 levels"), std::string::npos);
  EXPECT_TRUE(JsonTree::Parse(nested(kMaxJsonDepth - 1)).ok()) << "the object and 63 arrays: 64 levels";
  EXPECT_TRUE(parse_json(nested(kMaxJsonDepth - 1)).ok());
  EXPECT_FALSE(parse_json(nested(kMaxJsonDepth)).ok());
  EXPECT_TRUE(parse_json("{\"a\": \"" + std::string(1000, '[') + "\"}").ok()) << "brackets in strings do not count";
}

TEST(JsonDepth, FromJsonStopsAtTheBound) {
  Json deep = Json::array();
  for (size_t i = 0; i < 200; ++i) deep = Json::array({std::move(deep)});
  JsonTree tree = JsonTree::FromJson(deep);
  size_t depth = 0;
  for (JsonTree::Node node = tree.root(); node.is_array() && !node.empty(); node = *node.begin()) ++depth;
  EXPECT_EQ(depth, kMaxJsonDepth);
}
}  // namespace
}  // namespace cxrvqa
