#include "common/json_tree.h"

#include <limits>
#include <string>

namespace cxrvqa {

// Appends nodes in document order; containers are closed by End().
class JsonTreeBuilder {
 public:
  explicit JsonTreeBuilder(JsonTree& tree) : tree_(tree) {}

  void Key(std::string_view name) {
    key_offset_ = Store(name);
    key_size_ = static_cast<uint32_t>(name.size());
  }
  JsonTree::Entry& Add(JsonTree::Kind kind) {
    JsonTree::Entry& entry = tree_.entries_.emplace_back();
    entry.kind = kind;
    entry.key_offset = key_offset_;
    entry.key_size = key_size_;
    key_offset_ = key_size_ = 0;
    entry.end = static_cast<uint32_t>(tree_.entries_.size());
    return entry;
  }
  JsonTree::Entry& Text(JsonTree::Kind kind, std::string_view text) {
    uint32_t offset = Store(text);
    JsonTree::Entry& entry = Add(kind);
    entry.text_offset = offset;
    entry.text_size = static_cast<uint32_t>(text.size());
    return entry;
  }
  void Start(JsonTree::Kind kind) {
    Add(kind);
    open_.push_back(static_cast<uint32_t>(tree_.entries_.size() - 1));
  }
  void End() {
    tree_.entries_[open_.back()].end = static_cast<uint32_t>(tree_.entries_.size());
    open_.pop_back();
  }

 private:
  uint32_t Store(std::string_view text) {
    auto offset = static_cast<uint32_t>(tree_.strings_.size());
    tree_.strings_ += text;
    return offset;
  }
  JsonTree& tree_;
  std::vector<uint32_t> open_;
  uint32_t key_offset_ = 0, key_size_ = 0;
};

namespace {

using Kind = JsonTree::Kind;

class SaxHandler : public nlohmann::json_sax<Json> {
 public:
  explicit SaxHandler(JsonTreeBuilder& builder) : builder_(builder) {}
  bool null() override { return builder_.Add(Kind::kNull), true; }
  bool boolean(bool value) override { return builder_.Add(Kind::kBoolean).boolean = value, true; }
  bool number_integer(number_integer_t value) override { return builder_.Add(Kind::kInteger).integer = value, true; }
  bool number_unsigned(number_unsigned_t value) override {
    if (value > static_cast<number_unsigned_t>(std::numeric_limits<int64_t>::max())) {
      builder_.Text(Kind::kFloat, std::to_string(value)).number = static_cast<double>(value);
    } else {
      builder_.Add(Kind::kInteger).integer = static_cast<int64_t>(value);
    }
    return true;
  }
  bool number_float(number_float_t value, const string_t& text) override {
    builder_.Text(Kind::kFloat, text).number = value;
    return true;
  }
  bool string(string_t& value) override { return builder_.Text(Kind::kString, value), true; }
  bool binary(binary_t&) override { return false; }
  bool start_object(std::size_t) override { return Open(Kind::kObject); }
  bool key(string_t& name) override { return builder_.Key(name), true; }
  bool end_object() override { return Close(); }
  bool start_array(std::size_t) override { return Open(Kind::kArray); }
  bool end_array() override { return Close(); }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override {
    return false;
  }
  bool too_deep() const { return too_deep_; }

 private:
  bool Open(Kind kind) {
    if (++depth_ > kMaxJsonDepth) {
      too_deep_ = true;
      return false;
    }
    builder_.Start(kind);
    return true;
  }
  bool Close() {
    --depth_;
    builder_.End();
    return true;
  }

  JsonTreeBuilder& builder_;
  size_t depth_ = 0;
  bool too_deep_ = false;
};

void add_json(const Json& value, JsonTreeBuilder& builder, size_t depth) {
  if ((value.is_object() || value.is_array()) && depth >= kMaxJsonDepth) {
    builder.Add(Kind::kNull);
    return;
  }
  switch (value.type()) {
    case Json::value_t::object:
      builder.Start(Kind::kObject);
      for (const auto& [name, item] : value.items()) {
        builder.Key(name);
        add_json(item, builder, depth + 1);
      }
      return builder.End();
    case Json::value_t::array:
      builder.Start(Kind::kArray);
      for (const auto& item : value) add_json(item, builder, depth + 1);
      return builder.End();
    case Json::value_t::string: builder.Text(Kind::kString, value.get_ref<const std::string&>()); return;
    case Json::value_t::boolean: builder.Add(Kind::kBoolean).boolean = value.get<bool>(); return;
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned: builder.Add(Kind::kInteger).integer = value.get<int64_t>(); return;
    case Json::value_t::number_float: builder.Text(Kind::kFloat, value.dump()).number = value.get<double>(); return;
    default: builder.Add(Kind::kNull); return;
  }
}

}  // namespace

Result<JsonTree> JsonTree::Parse(std::string_view text) {
  JsonTree tree;
  tree.strings_.reserve(text.size());
  tree.entries_.reserve(text.size() / 8);
  JsonTreeBuilder builder(tree);
  SaxHandler handler(builder);
  if (!Json::sax_parse(text, &handler) || tree.entries_.empty()) {
    return Status::ParseError(handler.too_deep() ? json_too_deep_message() : "not valid JSON");
  }
  return tree;
}

JsonTree JsonTree::FromJson(const Json& value) {
  JsonTree tree;
  JsonTreeBuilder builder(tree);
  add_json(value, builder, 0);
  return tree;
}

JsonTree::Node JsonTree::root() const { return {this, 0}; }

std::optional<JsonTree::Node> JsonTree::Node::find(std::string_view name) const {
  if (!is_object()) return std::nullopt;
  for (Node member : *this) {
    if (member.key() == name) return member;
  }
  return std::nullopt;
}

}  // namespace cxrvqa
