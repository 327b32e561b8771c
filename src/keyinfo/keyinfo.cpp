#include "keyinfo/keyinfo.h"

#include <algorithm>
#include <bit>
#include <charconv>
#include <cstring>
#include <functional>
#include <mutex>

#if defined(__SSE2__) && defined(__x86_64__)
#include <emmintrin.h>
#endif

#include "common/byte_lanes.h"
#include "common/file_io.h"
#include "common/mapped_file.h"
#include "common/parallel.h"
#include "common/text.h"

namespace cxrvqa {

using json = Json;

const Entity* KeyInfo::find_entity(std::string_view name) const {
  for (const auto& e : entity) {
    if (e.name == name) return &e;
  }
  return nullptr;
}

Entity* KeyInfo::find_entity(std::string_view name) {
  for (auto& e : entity) {
    if (e.name == name) return &e;
  }
  return nullptr;
}

bool KeyInfo::operator==(const KeyInfo& o) const {
  return meta.study_id == o.meta.study_id && meta.subject_id == o.meta.subject_id &&
         meta.dicom_id == o.meta.dicom_id && meta.view == o.meta.view &&
         meta.study_order == o.meta.study_order && meta.split == o.meta.split &&
         opacity == o.opacity && clear == o.clear && entity == o.entity &&
         uncertain_entity == o.uncertain_entity && uncertain_attributes == o.uncertain_attributes &&
         no_entity == o.no_entity;
}

namespace {

// Where the run of bytes that a JSON string holds as they are (anything but a quote, a
// backslash or a control byte) starting at `at` ends; `non_ascii` is set when the run holds a
// byte above 0x7F.
size_t plain_json_run_end(std::string_view text, size_t at, bool& non_ascii) {
  // Where the first special byte is, given the marks of the special and of the non-ASCII
  // bytes from `at` on (`lane_bits` bits a byte): its position, noting any non-ASCII byte
  // before it; `none` when no byte is special.
  auto first_special = [&](auto special_lanes, auto high_lanes, size_t lane_bits, size_t none) {
    if (special_lanes == 0) {
      if (high_lanes != 0) non_ascii = true;
      return none;
    }
    auto before_special = (special_lanes & (0 - special_lanes)) - 1;  // the lanes before the first
    if ((high_lanes & before_special) != 0) non_ascii = true;
    return at + static_cast<size_t>(std::countr_zero(special_lanes)) / lane_bits;
  };
#if defined(__SSE2__) && defined(__x86_64__)
  // Sixteen bytes at a time while the text has them; the last 1 to 15 bytes as the end of the
  // text's last 16, the lanes before `at` shifted out.
  if (text.size() >= 16) {
    const __m128i quote = _mm_set1_epi8('"'), backslash = _mm_set1_epi8('\\'), last_control = _mm_set1_epi8(0x1F);
    auto lanes_from = [&](size_t from, unsigned skip) {
      __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(text.data() + from));
      __m128i control = _mm_cmpeq_epi8(_mm_min_epu8(bytes, last_control), bytes);  // bytes <= 0x1F
      __m128i special =
          _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(bytes, quote), _mm_cmpeq_epi8(bytes, backslash)), control);
      return std::pair{static_cast<unsigned>(_mm_movemask_epi8(special)) >> skip,
                       static_cast<unsigned>(_mm_movemask_epi8(bytes)) >> skip};
    };
    for (; at + 16 <= text.size(); at += 16) {
      auto [special, high] = lanes_from(at, 0);
      if (size_t end = first_special(special, high, 1, SIZE_MAX); end != SIZE_MAX) return end;
    }
    if (at == text.size()) return at;
    size_t from = text.size() - 16;
    auto [special, high] = lanes_from(from, static_cast<unsigned>(at - from));
    return first_special(special, high, 1, text.size());
  }
#endif
  if constexpr (std::endian::native == std::endian::little) {  // then eight bytes at a time
    auto lanes_from = [&](size_t from, size_t skip) {
      uint64_t word = load_lanes(text.data() + from);
      uint64_t special = lanes_equal(word, '"') | lanes_equal(word, '\\') | lanes_below(word, 0x20);
      return std::pair{special >> (8 * skip), lanes_non_ascii(word) >> (8 * skip)};
    };
    if (text.size() >= 8) {
      for (; at + 8 <= text.size(); at += 8) {
        auto [special, high] = lanes_from(at, 0);
        if (size_t end = first_special(special, high, 8, SIZE_MAX); end != SIZE_MAX) return end;
      }
      if (at == text.size()) return at;
      size_t from = text.size() - 8;
      auto [special, high] = lanes_from(from, at - from);
      return first_special(special, high, 8, text.size());
    }
  }
  for (; at < text.size(); ++at) {
    auto c = static_cast<unsigned char>(text[at]);
    if (c == '"' || c == '\\' || c < 0x20) break;
    if (c >= 0x80) non_ascii = true;
  }
  return at;
}

// The most bytes write_json_string writes for `text`: its quotes, and six bytes (\u00XX)
// for each byte.
size_t most_json_string_size(std::string_view text) { return 6 * text.size() + 2; }

// Writes `text` as a JSON string literal (quotes and escapes included) at `at`, which has
// room for most_json_string_size(text) bytes; returns the end of what it wrote.
char* write_json_string(char* at, std::string_view text) {
  static const char* hex = "0123456789abcdef";
  *at++ = '"';
  bool non_ascii = false;  // written as it is
  for (size_t from = 0;;) {
    size_t end = plain_json_run_end(text, from, non_ascii);
    if (end > from) std::memcpy(at, text.data() + from, end - from);
    at += end - from;
    if (end == text.size()) break;
    auto c = static_cast<unsigned char>(text[end]);
    from = end + 1;
    *at++ = '\\';
    switch (c) {
      case '"': *at++ = '"'; break;
      case '\\': *at++ = '\\'; break;
      case '\n': *at++ = 'n'; break;
      case '\r': *at++ = 'r'; break;
      case '\t': *at++ = 't'; break;
      default:
        *at++ = 'u';
        *at++ = '0';
        *at++ = '0';
        *at++ = hex[c >> 4];
        *at++ = hex[c & 15];
    }
  }
  *at++ = '"';
  return at;
}

// Appends to `out` what write(at) writes at `at` and returns the end of, given that it is at
// most `most` bytes. Up to kOnStack bytes are written on the stack and copied once: growing
// `out` by `most` first would fill that room with zeros. Longer text is written in place.
template <size_t kOnStack, typename Write>
void append_written(std::string& out, size_t most, Write write) {
  if (most <= kOnStack) {
    char text[kOnStack];
    out.append(text, static_cast<size_t>(write(text) - text));
    return;
  }
  size_t start = out.size();
  out.resize(start + most);
  out.resize(static_cast<size_t>(write(out.data() + start) - out.data()));
}

}  // namespace

void append_json_string(std::string& out, std::string_view text) {
  append_written<512>(out, most_json_string_size(text), [&](char* at) { return write_json_string(at, text); });
}

namespace {

Result<std::optional<std::string>> optional_string(const json& object, const char* key,
                                                   const std::string& where) {
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return std::optional<std::string>();
  if (it->is_string()) return std::optional<std::string>(it->get<std::string>());
  if (it->is_array()) {  // several values: one string, joined with ", "
    std::string joined;
    for (const auto& item : *it) {
      if (!item.is_string()) return Status::ParseError(where + "." + key + " holds a non-string");
      if (!joined.empty()) joined += ", ";
      joined += item.get<std::string>();
    }
    if (joined.empty()) return std::optional<std::string>();
    return std::optional<std::string>(std::move(joined));
  }
  return Status::ParseError(where + "." + key + " is not a string, a list of strings or null");
}

Result<std::vector<std::string>> string_list(const json& object, const char* key) {
  std::vector<std::string> items;
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return items;
  if (!it->is_array()) return Status::ParseError(std::string(key) + " is not a list");
  for (const auto& item : *it) {
    if (!item.is_string()) return Status::ParseError(std::string(key) + " holds a non-string");
    items.push_back(item.get<std::string>());
  }
  return items;
}

std::string scalar_text(const json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_number_unsigned()) return std::to_string(value.get<uint64_t>());  // above int64 too
  if (value.is_number_integer()) return std::to_string(value.get<long long>());
  if (value.is_null()) return "";
  return value.dump();
}

Status read_meta(const json& object, StudyMeta& meta) {
  auto id = object.find("study_id");
  if (id == object.end() || !(id->is_string() || id->is_number_integer())) {
    return Status::ParseError("missing or bad study_id");
  }
  meta.study_id = scalar_text(*id);
  for (auto [key, field] : {std::pair{"subject_id", &meta.subject_id}, std::pair{"dicom_id", &meta.dicom_id},
                            std::pair{"view", &meta.view}, std::pair{"split", &meta.split}}) {
    auto it = object.find(key);
    if (it != object.end()) *field = scalar_text(*it);
  }
  auto order = object.find("study_order");
  if (order != object.end() && !order->is_null()) {
    auto value = order->is_string() ? parse_integral(order->get<std::string>())
                 : order->is_number() ? integral(order->get<double>())
                                      : std::nullopt;
    if (!value) return Status::ParseError("study_order " + order->dump() + " is not an integer");
    meta.study_order = *value;
  }
  return Status::Ok();
}

Status read_opacity_vs_clear(const json& object, KeyInfo& record) {
  auto it = object.find("opacity_vs_clear");
  if (it == object.end() || it->is_null()) return Status::Ok();
  if (!it->is_object()) return Status::ParseError("opacity_vs_clear is not an object");
  auto opacity = it->find("opacity");
  if (opacity != it->end() && !opacity->is_null()) {
    if (!opacity->is_object()) return Status::ParseError("opacity_vs_clear.opacity is not an object");
    OpacityStatement statement;
    for (auto [key, field] : {std::pair{"location", &statement.location}, std::pair{"level", &statement.level},
                              std::pair{"type", &statement.type}}) {
      CXRVQA_ASSIGN_OR_RETURN(auto value, optional_string(*opacity, key, "opacity"));
      *field = value;
    }
    record.opacity = statement;
  }
  auto clear = it->find("clear");
  if (clear != it->end() && !clear->is_null()) {
    if (!clear->is_object()) return Status::ParseError("opacity_vs_clear.clear is not an object");
    CXRVQA_ASSIGN_OR_RETURN(auto location, optional_string(*clear, "location", "clear"));
    record.clear = ClearStatement{location};
  }
  return Status::Ok();
}

Status read_attributes(const json& attributes, const std::string& where, EntityAttributes& out) {
  if (attributes.is_null()) return Status::Ok();
  if (!attributes.is_object()) return Status::ParseError(where + " is not an object");
  for (auto [key, field] : {std::pair{"location", &out.location}, std::pair{"level", &out.level},
                            std::pair{"type", &out.type}, std::pair{"post_location", &out.post_location}}) {
    CXRVQA_ASSIGN_OR_RETURN(auto value, optional_string(attributes, key, where));
    *field = value;
  }
  return Status::Ok();
}

Status read_entities(const json& object, KeyInfo& record) {
  auto it = object.find("entity");
  if (it == object.end() || it->is_null()) return Status::Ok();
  if (!it->is_object()) return Status::ParseError("entity is not an object");
  for (const auto& [name, attributes] : it->items()) {
    Entity entity{name, {}};
    CXRVQA_RETURN_IF_ERROR(read_attributes(attributes, "entity." + name, entity.attributes));
    record.entity.push_back(std::move(entity));
  }
  return Status::Ok();
}

// uncertain_entity as a list of names, or as an object {name: attributes}.
Status read_uncertain(const json& object, KeyInfo& record) {
  auto it = object.find("uncertain_entity");
  if (it == object.end() || !it->is_object()) {
    CXRVQA_ASSIGN_OR_RETURN(auto names, string_list(object, "uncertain_entity"));
    record.uncertain_entity = std::move(names);
    return Status::Ok();
  }
  for (const auto& [name, attributes] : it->items()) {
    record.uncertain_entity.push_back(name);
    CXRVQA_RETURN_IF_ERROR(
        read_attributes(attributes, "uncertain_entity." + name, record.uncertain_attributes.emplace_back()));
  }
  return Status::Ok();
}

}  // namespace

std::string keyinfo_to_json_line(const KeyInfo& record) {
  std::string out;
  out.reserve(256);
  append_keyinfo_json_line(out, record);
  return out;
}

namespace {

// Writes one KeyInfo line through a raw pointer into room made beforehand: MostSize(record)
// bytes are enough for any record, since every string counts at its most (each byte
// escaped) and the schema's fixed text at more than its length.
class LineWriter {
 public:
  static size_t MostSize(const KeyInfo& r) {
    // The fixed text of a record is under 200 bytes, study_order's digits included.
    size_t most = 256 + Strings(r.meta.study_id, r.meta.subject_id, r.meta.dicom_id, r.meta.view, r.meta.split);
    if (r.opacity) most += 64 + Optionals(r.opacity->location, r.opacity->level, r.opacity->type);
    if (r.clear) most += 32 + Optionals(r.clear->location);
    for (const Entity& e : r.entity) most += Strings(e.name) + MostAttributes(e.attributes);
    for (const std::string& name : r.uncertain_entity) most += Strings(name);
    for (const EntityAttributes& a : r.uncertain_attributes) most += MostAttributes(a);
    for (const std::string& name : r.no_entity) most += Strings(name);
    return most;
  }

  explicit LineWriter(char* at) : at_(at) {}
  char* end() const { return at_; }

  template <size_t N>
  void Literal(const char (&text)[N]) {
    std::memcpy(at_, text, N - 1);
    at_ += N - 1;
  }
  void Byte(char c) { *at_++ = c; }
  void String(std::string_view text) { at_ = write_json_string(at_, text); }
  void Integer(int value) { at_ = std::to_chars(at_, at_ + 16, value).ptr; }
  // `key` (the schema's text before a value) and the value: a string, or null when absent.
  template <size_t N>
  void Field(const char (&key)[N], const std::string& value) {
    Literal(key);
    String(value);
  }
  template <size_t N>
  void Field(const char (&key)[N], const std::optional<std::string>& value) {
    Literal(key);
    if (value) {
      String(*value);
    } else {
      Literal("null");
    }
  }
  void Attributes(const EntityAttributes& a) {
    Field("{\"location\":", a.location);
    Field(",\"level\":", a.level);
    Field(",\"type\":", a.type);
    Field(",\"post_location\":", a.post_location);
    Byte('}');
  }
  void List(const std::vector<std::string>& items) {
    Byte('[');
    for (size_t i = 0; i < items.size(); ++i) {
      if (i > 0) Byte(',');
      String(items[i]);
    }
    Byte(']');
  }

 private:
  // Each string at its most, plus a separator.
  template <typename... Text>
  static size_t Strings(const Text&... text) {
    return ((most_json_string_size(text) + 1) + ...);
  }
  // Each optional string at its most, or null.
  template <typename... Value>
  static size_t Optionals(const Value&... value) {
    return ((value ? most_json_string_size(*value) : 4) + ...);
  }
  // An attribute object: its fixed text (under 50 bytes) and its four values.
  static size_t MostAttributes(const EntityAttributes& a) {
    return 64 + Optionals(a.location, a.level, a.type, a.post_location);
  }

  char* at_;
};

// Writes the line of `r` at `at`, which has room for LineWriter::MostSize(r) bytes; returns
// the end of what it wrote.
char* write_keyinfo_line(char* at, const KeyInfo& r) {
  LineWriter w(at);
  w.Field("{\"study_id\":", r.meta.study_id);
  w.Field(",\"subject_id\":", r.meta.subject_id);
  w.Field(",\"dicom_id\":", r.meta.dicom_id);
  w.Field(",\"view\":", r.meta.view);
  w.Literal(",\"study_order\":");
  w.Integer(r.meta.study_order);
  w.Field(",\"split\":", r.meta.split);
  w.Literal(",\"opacity_vs_clear\":{");
  if (r.opacity) {
    w.Field("\"opacity\":{\"location\":", r.opacity->location);
    w.Field(",\"level\":", r.opacity->level);
    w.Field(",\"type\":", r.opacity->type);
    w.Byte('}');
  }
  if (r.clear) {
    if (r.opacity) w.Byte(',');
    w.Field("\"clear\":{\"location\":", r.clear->location);
    w.Byte('}');
  }
  w.Literal("},\"entity\":{");
  for (size_t i = 0; i < r.entity.size(); ++i) {
    if (i > 0) w.Byte(',');
    w.String(r.entity[i].name);
    w.Byte(':');
    w.Attributes(r.entity[i].attributes);
  }
  w.Literal("},\"uncertain_entity\":");
  if (r.uncertain_attributes.size() == r.uncertain_entity.size() && !r.uncertain_entity.empty()) {
    w.Byte('{');
    for (size_t i = 0; i < r.uncertain_entity.size(); ++i) {
      if (i > 0) w.Byte(',');
      w.String(r.uncertain_entity[i]);
      w.Byte(':');
      w.Attributes(r.uncertain_attributes[i]);
    }
    w.Byte('}');
  } else {
    w.List(r.uncertain_entity);
  }
  w.Literal(",\"no_entity\":");
  w.List(r.no_entity);
  w.Byte('}');
  return w.end();
}

}  // namespace

void append_keyinfo_json_line(std::string& out, const KeyInfo& record) {
  append_written<4096>(out, LineWriter::MostSize(record), [&](char* at) { return write_keyinfo_line(at, record); });
}

namespace {

// A cursor over a line in the strict form; every method consumes on success and returns
// false at the first byte it does not expect.
class StrictLineReader {
 public:
  explicit StrictLineReader(std::string_view text) : text_(text) {}

  // The string literal `expected` next. Its length is known when compiled, so the comparison
  // is a few loads, not a library call.
  template <size_t N>
  bool Literal(const char (&expected)[N]) {
    static_assert(N > 1, "an empty literal is always there");
    constexpr size_t kSize = N - 1;
    if (text_.size() - pos_ < kSize) return false;
    // The first byte alone turns away most probes for an optional part.
    if (text_[pos_] != expected[0]) return false;
    if (std::memcmp(text_.data() + pos_, expected, kSize) != 0) return false;
    pos_ += kSize;
    return true;
  }
  bool Peek(char c) const { return pos_ < text_.size() && text_[pos_] == c; }
  bool AtEnd() const { return pos_ == text_.size(); }
  // How often `byte` occurs from here up to the first `end` byte (or the end of the line). A
  // string in the way may hold either byte, so the count is an estimate: it serves to
  // reserve a list's size before reading it.
  size_t CountAhead(char byte, char end) const {
    std::string_view rest = text_.substr(pos_);
    return count_byte(rest.substr(0, rest.find(end)), byte);
  }
  bool SawNonAscii() const { return non_ascii_; }

  bool String(std::string& out) {
    if (!Literal("\"")) return false;
    out.clear();
    while (pos_ < text_.size()) {
      size_t start = pos_;
      pos_ = plain_json_run_end(text_, pos_, non_ascii_);
      out.append(text_.substr(start, pos_ - start));
      if (pos_ >= text_.size()) return false;
      char c = text_[pos_++];
      if (c == '"') return true;
      if (c != '\\' || !Escape(out)) return false;  // a raw control character or a bad escape
    }
    return false;
  }

  bool OptionalString(std::optional<std::string>& out) {
    if (Literal("null")) {
      out.reset();
      return true;
    }
    return String(out.emplace());
  }

  bool Integer(int& out) {
    size_t start = pos_;
    if (Peek('-')) ++pos_;
    size_t digits = pos_;
    while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') ++pos_;
    if (pos_ == digits || (text_[digits] == '0' && pos_ - digits > 1)) return false;
    auto [end, error] = std::from_chars(text_.data() + start, text_.data() + pos_, out);
    return error == std::errc() && end == text_.data() + pos_;
  }

 private:
  // The escapes append_json_string writes: \" \\ \n \r \t and \u00XX below 0x80.
  bool Escape(std::string& out) {
    if (pos_ >= text_.size()) return false;
    char c = text_[pos_++];
    switch (c) {
      case '"': out.push_back('"'); return true;
      case '\\': out.push_back('\\'); return true;
      case 'n': out.push_back('\n'); return true;
      case 'r': out.push_back('\r'); return true;
      case 't': out.push_back('\t'); return true;
      case 'u': {
        if (!Literal("00") || pos_ + 2 > text_.size()) return false;
        int high = HexDigit(text_[pos_]), low = HexDigit(text_[pos_ + 1]);
        if (high < 0 || high > 7 || low < 0) return false;
        pos_ += 2;
        out.push_back(static_cast<char>(high * 16 + low));
        return true;
      }
      default: return false;
    }
  }
  static int HexDigit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  }

  std::string_view text_;
  size_t pos_ = 0;
  bool non_ascii_ = false;
};

bool read_strict_meta(StrictLineReader& in, StudyMeta& meta) {
  return in.Literal("{\"study_id\":") && in.String(meta.study_id) && in.Literal(",\"subject_id\":") &&
         in.String(meta.subject_id) && in.Literal(",\"dicom_id\":") && in.String(meta.dicom_id) &&
         in.Literal(",\"view\":") && in.String(meta.view) && in.Literal(",\"study_order\":") &&
         in.Integer(meta.study_order) && in.Literal(",\"split\":") && in.String(meta.split);
}

bool read_strict_opacity_vs_clear(StrictLineReader& in, KeyInfo& record) {
  if (!in.Literal(",\"opacity_vs_clear\":{")) return false;
  if (in.Literal("\"opacity\":{\"location\":")) {
    auto& o = record.opacity.emplace();
    if (!(in.OptionalString(o.location) && in.Literal(",\"level\":") && in.OptionalString(o.level) &&
          in.Literal(",\"type\":") && in.OptionalString(o.type) && in.Literal("}"))) {
      return false;
    }
    if (in.Peek('}')) return in.Literal("}");
    if (!in.Literal(",")) return false;
    if (!in.Peek('"')) return false;  // a comma must be followed by the clear statement
  }
  if (in.Literal("\"clear\":{\"location\":")) {
    if (!(in.OptionalString(record.clear.emplace().location) && in.Literal("}"))) return false;
  }
  return in.Literal("}");
}

bool read_strict_entities(StrictLineReader& in, KeyInfo& record) {
  if (!in.Literal(",\"entity\":{")) return false;
  if (in.Literal("}")) return true;
  record.entity.reserve(in.CountAhead('{', '['));  // one '{' per entity; the next list starts with '['
  do {
    Entity& entity = record.entity.emplace_back();  // read in place
    auto& a = entity.attributes;
    if (!(in.String(entity.name) && in.Literal(":{\"location\":") && in.OptionalString(a.location) &&
          in.Literal(",\"level\":") && in.OptionalString(a.level) && in.Literal(",\"type\":") &&
          in.OptionalString(a.type) && in.Literal(",\"post_location\":") &&
          in.OptionalString(a.post_location) && in.Literal("}"))) {
      return false;
    }
    auto earlier = std::find_if(record.entity.begin(), record.entity.end() - 1,
                                [&](const Entity& other) { return other.name == entity.name; });
    if (earlier != record.entity.end() - 1) return false;  // a name twice: JSON would keep one of them
  } while (in.Literal(","));
  return in.Literal("}");
}

template <size_t N>
bool read_strict_list(StrictLineReader& in, const char (&key)[N], std::vector<std::string>& items) {
  if (!in.Literal(key) || !in.Literal("[")) return false;
  if (in.Literal("]")) return true;
  items.reserve(in.CountAhead('"', ']') / 2);  // two quotes per item
  do {
    if (!in.String(items.emplace_back())) return false;
  } while (in.Literal(","));
  return in.Literal("]");
}

}  // namespace

bool parse_strict_keyinfo_line(std::string_view line, KeyInfo& out) {
  // The study fields are overwritten as they are read; the rest is emptied, keeping memory.
  out.opacity.reset();
  out.clear.reset();
  out.entity.clear();
  out.uncertain_entity.clear();
  out.uncertain_attributes.clear();
  out.no_entity.clear();
  StrictLineReader in(line);
  bool read = read_strict_meta(in, out.meta) && read_strict_opacity_vs_clear(in, out) &&
              read_strict_entities(in, out) && read_strict_list(in, ",\"uncertain_entity\":", out.uncertain_entity) &&
              read_strict_list(in, ",\"no_entity\":", out.no_entity) && in.Literal("}") && in.AtEnd();
  return read && (!in.SawNonAscii() || is_valid_utf8(line));
}

Result<KeyInfo> keyinfo_from_json(const json& object) {
  if (!object.is_object()) return Status::ParseError("record is not a JSON object");
  KeyInfo record;
  CXRVQA_RETURN_IF_ERROR(read_meta(object, record.meta));
  CXRVQA_RETURN_IF_ERROR(read_opacity_vs_clear(object, record));
  CXRVQA_RETURN_IF_ERROR(read_entities(object, record));
  CXRVQA_RETURN_IF_ERROR(read_uncertain(object, record));
  CXRVQA_ASSIGN_OR_RETURN(auto negated, string_list(object, "no_entity"));
  record.no_entity = std::move(negated);
  return record;
}

namespace {

// Reads one record's JSON text into `record`: the strict fast reader first, the general
// parser when it declines.
Status parse_record_text(std::string_view text, KeyInfo& record) {
  if (parse_strict_keyinfo_line(text, record)) return Status::Ok();  // the fast reader, same result
  CXRVQA_ASSIGN_OR_RETURN(auto object, parse_json_line(text));
  CXRVQA_ASSIGN_OR_RETURN(record, keyinfo_from_json(object));
  return Status::Ok();
}

// The records of the JSONL `text`, parsed on `threads` threads straight into their places;
// lines that are not records go to `errors` (file order) and are left out.
std::vector<KeyInfo> parse_keyinfo_lines(const std::filesystem::path& path, std::string_view text,
                                         unsigned threads, std::vector<LineError>& errors) {
  std::vector<NumberedLine> lines = non_blank_lines(text);
  std::vector<KeyInfo> records(lines.size());
  std::vector<std::pair<size_t, std::string>> failed;  // (line index, reason): rare
  std::mutex mutex;
  parallel_chunks(lines.size(), threads, [&](size_t begin, size_t end) {
    for (size_t i = begin; i < end; ++i) {
      Status status = parse_record_text(lines[i].text, records[i]);
      if (status.ok()) continue;
      std::lock_guard<std::mutex> lock(mutex);
      failed.emplace_back(i, status.message());
    }
  }, 512);
  if (failed.empty()) return records;
  std::sort(failed.begin(), failed.end());
  size_t kept = 0, next_failed = 0;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (next_failed < failed.size() && failed[next_failed].first == i) {
      errors.push_back({path, lines[i].number, std::move(failed[next_failed++].second)});
    } else {
      if (kept != i) records[kept] = std::move(records[i]);
      ++kept;
    }
  }
  records.erase(records.begin() + static_cast<std::ptrdiff_t>(kept), records.end());
  return records;
}

// Walks the top-level elements of the JSON array in `text`, calling on_element(element text,
// line where it starts). Only strings and brackets are tracked, so an element that is not
// valid JSON is still delimited and reported by the caller. Returns the line and reason
// where the array ends too early or holds something between elements, else nullopt.
std::optional<std::pair<size_t, std::string>> for_each_array_element(
    std::string_view text, const std::function<void(std::string_view, size_t)>& on_element) {
  size_t pos = 0, line = 1;
  auto skip_space = [&] {
    while (pos < text.size() && (text[pos] == ' ' || text[pos] == '\t' || text[pos] == '\r' || text[pos] == '\n')) {
      line += text[pos++] == '\n';
    }
  };
  skip_space();
  ++pos;  // the opening bracket (checked by the caller)
  skip_space();
  if (pos < text.size() && text[pos] == ']') return std::nullopt;
  while (true) {
    skip_space();
    size_t start = pos, start_line = line;
    int depth = 0;
    bool in_string = false;
    for (; pos < text.size(); ++pos) {
      char c = text[pos];
      if (c == '\n') ++line;
      if (in_string) {
        if (c == '\\') {
          ++pos;
        } else if (c == '"') {
          in_string = false;
        }
      } else if (c == '"') {
        in_string = true;
      } else if (c == '{' || c == '[') {
        ++depth;
      } else if (c == '}' || c == ']') {
        if (depth == 0) break;
        --depth;
      } else if (c == ',' && depth == 0) {
        break;
      }
    }
    if (pos >= text.size()) return std::pair{start_line, std::string("the JSON array is cut short in this record")};
    on_element(trim(text.substr(start, pos - start)), start_line);
    if (text[pos++] == ']') break;
  }
  skip_space();
  if (pos < text.size()) return std::pair{line, std::string("text after the end of the JSON array")};
  return std::nullopt;
}

// Whether the first non-blank character of `text` opens a JSON array.
bool starts_with_array(std::string_view text) {
  size_t first = text.find_first_not_of(" \t\r\n\f\v");  // what trim() skips
  return first != std::string_view::npos && text[first] == '[';
}

}  // namespace

Result<std::vector<KeyInfo>> read_keyinfo_jsonl(const std::filesystem::path& path,
                                                std::vector<LineError>& errors, unsigned threads) {
  // Read once, so that a pipe works too (it cannot be opened twice).
  CXRVQA_ASSIGN_OR_RETURN(auto file, MappedFile::Open(path));
  std::string_view text = file.text();
  if (starts_with_array(text)) {
    std::vector<KeyInfo> records;
    auto broken = for_each_array_element(text, [&](std::string_view element, size_t line) {
      Status status = parse_record_text(element, records.emplace_back());
      if (!status.ok()) {
        records.pop_back();
        errors.push_back({path, line, status.message()});
      }
    });
    if (broken) errors.push_back({path, broken->first, broken->second});
    return records;
  }
  return parse_keyinfo_lines(path, text, threads, errors);
}

}  // namespace cxrvqa
