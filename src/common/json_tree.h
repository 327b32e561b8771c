// A read-only JSON document kept as one flat array of nodes with all strings in one buffer.
// It is parsed through nlohmann's SAX interface, so it costs a fraction of the allocations of
// a nlohmann DOM; for code that only reads (the lenient KeyInfo reader).
//
// Contracts: object members keep their order, duplicates included (find() returns the first);
// a float keeps its text as written; an integer that does not fit in int64 is read as a float.
#pragma once

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/json.h"
#include "common/status.h"

namespace cxrvqa {

class JsonTree {
 public:
  enum class Kind : uint8_t { kNull, kBoolean, kInteger, kFloat, kString, kArray, kObject };
  class Node;

  // The tree of `text`; ParseError "not valid JSON" when it is not one JSON value, or the
  // reason when it nests deeper than kMaxJsonDepth.
  static Result<JsonTree> Parse(std::string_view text);
  // The tree of a nlohmann value; arrays and objects deeper than kMaxJsonDepth read as null.
  static JsonTree FromJson(const Json& value);

  Node root() const;

 private:
  friend class JsonTreeBuilder;
  struct Entry {
    Kind kind = Kind::kNull;
    bool boolean = false;
    uint32_t end = 0;  // index just past this node's subtree
    uint32_t key_offset = 0, key_size = 0;
    uint32_t text_offset = 0, text_size = 0;  // strings and float text
    int64_t integer = 0;
    double number = 0;
  };
  std::vector<Entry> entries_;
  std::string strings_;
};

// A node of a JsonTree: a small handle, valid while its tree lives.
class JsonTree::Node {
 public:
  Kind kind() const { return entry().kind; }
  bool is_null() const { return kind() == Kind::kNull; }
  bool is_boolean() const { return kind() == Kind::kBoolean; }
  bool is_integer() const { return kind() == Kind::kInteger; }
  bool is_number() const { return kind() == Kind::kInteger || kind() == Kind::kFloat; }
  bool is_string() const { return kind() == Kind::kString; }
  bool is_array() const { return kind() == Kind::kArray; }
  bool is_object() const { return kind() == Kind::kObject; }

  bool boolean() const { return entry().boolean; }
  int64_t integer() const { return entry().integer; }
  // The value of a number node as a double.
  double number() const { return is_integer() ? static_cast<double>(entry().integer) : entry().number; }
  // The text of a string, or of a float as written; "" otherwise.
  std::string_view text() const { return view(entry().text_offset, entry().text_size); }
  // The member name of a node inside an object; "" otherwise.
  std::string_view key() const { return view(entry().key_offset, entry().key_size); }

  // Array items or object members, in order.
  class Iterator {
   public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = Node;
    using difference_type = std::ptrdiff_t;
    using pointer = void;
    using reference = Node;
    Node operator*() const { return {tree_, index_}; }
    Iterator& operator++() {
      index_ = tree_->entries_[index_].end;
      return *this;
    }
    bool operator==(const Iterator& other) const { return index_ == other.index_; }

   private:
    friend class Node;
    Iterator(const JsonTree* tree, uint32_t index) : tree_(tree), index_(index) {}
    const JsonTree* tree_;
    uint32_t index_;
  };
  Iterator begin() const { return {tree_, index_ + 1}; }
  Iterator end() const { return {tree_, entry().end}; }
  bool empty() const { return entry().end == index_ + 1; }

  // The first member named `name` of an object; nullopt when absent or not an object.
  std::optional<Node> find(std::string_view name) const;

 private:
  friend class JsonTree;
  Node(const JsonTree* tree, uint32_t index) : tree_(tree), index_(index) {}
  const Entry& entry() const { return tree_->entries_[index_]; }
  std::string_view view(uint32_t offset, uint32_t size) const {
    return std::string_view(tree_->strings_).substr(offset, size);
  }
  const JsonTree* tree_;
  uint32_t index_;
};

}  // namespace cxrvqa
