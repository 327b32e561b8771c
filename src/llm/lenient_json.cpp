#include "llm/lenient_json.h"

#include <fmt/format.h>

#include <cctype>
#include <string>
#include <vector>

namespace cxrvqa::llm {
namespace {

bool is_word_start(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool is_word_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }
bool is_number_char(char c) {
  return std::isdigit(static_cast<unsigned char>(c)) || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E';
}

// Rewrites almost-JSON into JSON, one pass over the text. Strings are re-emitted with
// double quotes and escaped control characters; outside strings, comments are dropped,
// Python/bare literals and bare keys are fixed, missing and trailing commas are repaired and
// unclosed brackets are closed at the end.
class Repairer {
 public:
  explicit Repairer(std::string_view text) : in_(text) { out_.reserve(text.size() + 16); }

  std::string Run() {
    while (pos_ < in_.size()) Step();
    DropTrailingComma();
    while (!stack_.empty()) {
      out_ += stack_.back();
      stack_.pop_back();
    }
    return std::move(out_);
  }

 private:
  void Step() {
    char c = in_[pos_];
    if (c == '"' || c == '\'') return String(c);
    if (c == '/' && Peek(1) == '/') return SkipUntil("\n");
    if (c == '/' && Peek(1) == '*') return SkipUntil("*/");
    if (c == '{' || c == '[') {
      BeginValue();
      stack_.push_back(c == '{' ? '}' : ']');
      out_ += c;
      ++pos_;
      return;
    }
    if (c == '}' || c == ']') return Close(c);
    if (c == ',') {
      if (LastSignificant() != ',' && LastSignificant() != '{' && LastSignificant() != '[') out_ += ',';
      ++pos_;
      return;
    }
    if (c == ':') {
      out_ += ':';
      ++pos_;
      return;
    }
    if (std::isspace(static_cast<unsigned char>(c))) {
      out_ += c;
      ++pos_;
      return;
    }
    if (is_word_start(c)) return Word();
    if (is_number_char(c)) return Number();
    ++pos_;  // stray character (e.g. a backtick): dropped
  }

  char Peek(size_t ahead) const { return pos_ + ahead < in_.size() ? in_[pos_ + ahead] : '\0'; }

  void SkipUntil(std::string_view end) {
    size_t found = in_.find(end, pos_ + 2);
    pos_ = found == std::string_view::npos ? in_.size() : found + end.size();
  }

  char LastSignificant() const {
    for (size_t i = out_.size(); i > 0; --i) {
      if (!std::isspace(static_cast<unsigned char>(out_[i - 1]))) return out_[i - 1];
    }
    return '\0';
  }

  // Before a value or key starts: inserts the comma that separates it from a previous value.
  void BeginValue() {
    char last = LastSignificant();
    bool after_value = last == '"' || last == '}' || last == ']' || is_word_char(last) || last == '.';
    if (!stack_.empty() && after_value) out_ += ',';
  }

  void DropTrailingComma() {
    size_t i = out_.size();
    while (i > 0 && std::isspace(static_cast<unsigned char>(out_[i - 1]))) --i;
    if (i > 0 && out_[i - 1] == ',') out_.erase(i - 1, 1);
  }

  void Close(char c) {
    ++pos_;
    if (stack_.empty() || stack_.back() != c) {
      // A closer that matches an outer bracket closes the inner ones first; others are dropped.
      bool matches_outer = false;
      for (char open : stack_) matches_outer = matches_outer || open == c;
      if (!matches_outer) return;
      while (stack_.back() != c) {
        DropTrailingComma();
        out_ += stack_.back();
        stack_.pop_back();
      }
    }
    DropTrailingComma();
    out_ += c;
    stack_.pop_back();
  }

  void String(char quote) {
    BeginValue();
    out_ += '"';
    ++pos_;
    while (pos_ < in_.size()) {
      char c = in_[pos_++];
      if (c == quote) break;
      if (c == '\\' && pos_ < in_.size()) {
        char next = in_[pos_++];
        if (next == '\'') out_ += '\'';
        else {
          out_ += '\\';
          out_ += next;
        }
      } else if (c == '"') {
        out_ += "\\\"";
      } else if (c == '\n') {
        out_ += "\\n";
      } else if (c == '\r') {
        out_ += "\\r";
      } else if (c == '\t') {
        out_ += "\\t";
      } else if (static_cast<unsigned char>(c) < 0x20) {
        out_ += fmt::format("\\u{:04x}", static_cast<int>(c));
      } else {
        out_ += c;
      }
    }
    out_ += '"';
  }

  void Word() {
    size_t start = pos_;
    // A bare phrase ("right lower lobe") is one word: words joined by spaces on one line.
    for (;;) {
      while (pos_ < in_.size() && is_word_char(in_[pos_])) ++pos_;
      size_t next = pos_;
      while (next < in_.size() && (in_[next] == ' ' || in_[next] == '\t')) ++next;
      if (next == pos_ || next >= in_.size() || !is_word_start(in_[next])) break;
      pos_ = next;
    }
    std::string_view word = in_.substr(start, pos_ - start);
    BeginValue();
    if (word == "true" || word == "True") out_ += "true";
    else if (word == "false" || word == "False") out_ += "false";
    else if (word == "null" || word == "None" || word == "NaN" || word == "undefined") out_ += "null";
    else {
      out_ += '"';
      out_ += word;
      out_ += '"';
    }
  }

  void Number() {
    size_t start = pos_;
    while (pos_ < in_.size() && is_number_char(in_[pos_])) ++pos_;
    BeginValue();
    out_ += in_.substr(start, pos_ - start);
  }

  std::string_view in_;
  size_t pos_ = 0;
  std::string out_;
  std::vector<char> stack_;  // expected closers
};

// True when the '{' at the start of `text` is closed within it (double-quoted strings skipped).
bool outer_object_closes(std::string_view text) {
  int depth = 0;
  bool closes = false;
  for_each_json_bracket(text, [&](char c, size_t) {
    bool opens = c == '{' || c == '[';
    depth += opens ? 1 : -1;
    closes = !opens && depth == 0;
    return !closes;
  });
  return closes;
}

Result<Json> parse_object(std::string_view text) {
  auto value = parse_json(text);
  if (!value.ok()) return value;
  if (!value->is_object()) return Status::ParseError("the JSON value is not an object");
  return value;
}

}  // namespace

Result<Json> parse_llm_json(std::string_view answer) {
  size_t first = answer.find('{');
  if (first == std::string_view::npos) return Status::ParseError("no JSON object in the answer (no '{')");
  size_t last = answer.rfind('}');
  std::string_view candidate =
      last == std::string_view::npos || last < first ? answer.substr(first) : answer.substr(first, last - first + 1);
  // A truncated answer (the object never closes): repair from the first '{' to the end.
  if (!outer_object_closes(candidate)) candidate = answer.substr(first);
  if (json_nesting_exceeds(candidate)) {
    return Status::ParseError("the answer's " + json_too_deep_message());
  }
  auto direct = parse_object(candidate);
  if (direct.ok()) return direct;
  std::string repaired = Repairer(candidate).Run();
  auto result = parse_object(repaired);
  if (!result.ok()) {
    return Status::ParseError(fmt::format("the answer's JSON object could not be repaired ({})",
                                          result.status().message()));
  }
  return result;
}

}  // namespace cxrvqa::llm
