#include "sections/sections.h"

#include <array>
#include <cctype>
#include <optional>
#include <string>
#include <vector>

#include "common/text.h"

namespace cxrvqa {

namespace {

enum class SectionKind { kNone, kHeader, kFindings, kImpression, kOther };

// Labels (lower case, prefix match) of sections that describe the request, not the image.
constexpr std::array<std::string_view, 17> kHeaderLabels = {
    "wet read",     "indication",    "exam",          "type of exam", "comparison",
    "history",      "clinical",      "technique",     "reason",       "procedure",
    "notification", "recommendation", "provisional",  "reference exam", "final report",
    "date",         "prior"};
constexpr std::array<std::string_view, 2> kImpressionLabels = {"impression", "conclusion"};

bool starts_with_any(std::string_view text, auto const& prefixes) {
  for (std::string_view prefix : prefixes) {
    if (text.substr(0, prefix.size()) == prefix) return true;
  }
  return false;
}

bool is_label_char(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) || c == ' ' || c == '/' || c == '&' ||
         c == '(' || c == ')' || c == '-' || c == ',';
}

// The section a line opens ("INDICATION: ...", "Findings:", a lone "FINDINGS"), if any.
// Known labels are recognized in any case; unknown ones only in capitals.
SectionKind section_label(std::string_view line) {
  size_t colon = line.find(':');
  std::string_view label = colon == std::string_view::npos ? line : line.substr(0, colon);
  if (label.size() < 2 || label.size() > 40) return SectionKind::kNone;
  size_t letters = 0, lower = 0;
  for (char c : label) {
    if (!is_label_char(c)) return SectionKind::kNone;
    letters += std::isalpha(static_cast<unsigned char>(c)) != 0;
    lower += std::islower(static_cast<unsigned char>(c)) != 0;
  }
  std::string name = collapse_whitespace(to_lower(label));
  bool lone = colon == std::string_view::npos;
  if (name.starts_with("findings")) return lone && name != "findings" ? SectionKind::kNone : SectionKind::kFindings;
  if (lone) return name == "impression" ? SectionKind::kImpression : SectionKind::kNone;
  if (starts_with_any(name, kImpressionLabels)) return SectionKind::kImpression;
  if (starts_with_any(name, kHeaderLabels)) return SectionKind::kHeader;
  return lower == 0 && letters >= 3 ? SectionKind::kOther : SectionKind::kNone;
}

// "____", "-----", "=====" and the "FINAL REPORT" banner end a block.
bool is_separator(std::string_view line) {
  if (line.size() >= 3 && line.find_first_not_of("_-=*") == std::string_view::npos) return true;
  return to_lower(line) == "final report";
}

// A section or paragraph of the report.
struct Block {
  SectionKind kind = SectionKind::kNone;
  std::string text;
  bool has_body = false;  // text beyond the label
  bool open = false;      // still taking lines
};

std::string normalize_line_ends(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\r') {
      out.push_back('\n');
      if (i + 1 < text.size() && text[i + 1] == '\n') ++i;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

// Splits the report into blocks: a labeled line opens a block; a blank line closes it once it
// has a body (a label alone on its line takes the next paragraph as body); separators close
// it. Paragraphs after an IMPRESSION stay in it until the next label.
std::vector<Block> split_blocks(std::string_view text) {
  std::vector<Block> blocks;
  auto open = [&](SectionKind kind, std::string_view first_line, bool has_body) {
    blocks.push_back(Block{kind, std::string(first_line), has_body, true});
  };
  auto current = [&]() -> Block* {
    return !blocks.empty() && blocks.back().open ? &blocks.back() : nullptr;
  };
  auto close = [&] {
    if (Block* block = current()) block->open = false;
  };
  for (std::string_view raw : split(text, '\n')) {
    std::string_view line = trim(raw);
    if (line.empty()) {
      Block* block = current();
      if (block && block->has_body && block->kind != SectionKind::kImpression) close();
      continue;
    }
    if (is_separator(line)) {
      close();
      continue;
    }
    SectionKind kind = section_label(line);
    if (kind != SectionKind::kNone) {
      close();
      size_t colon = line.find(':');
      open(kind, line, colon != std::string_view::npos && !trim(line.substr(colon + 1)).empty());
      continue;
    }
    Block* block = current();
    if (block == nullptr) {
      open(SectionKind::kNone, line, true);
      continue;
    }
    block->text.push_back('\n');
    block->text.append(line);
    block->has_body = true;
  }
  return blocks;
}

// The report from the first FINDINGS label on, if there is one.
std::optional<std::string> findings_onward(const std::string& text) {
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string_view line = trim(std::string_view(text).substr(start, end - start));
    if (section_label(line) == SectionKind::kFindings) {
      return std::string(trim(std::string_view(text).substr(start)));
    }
    start = end + 1;
  }
  return std::nullopt;
}

// The text after a block's label (the whole text for unlabeled blocks).
std::string_view block_body(const Block& block) {
  if (block.kind == SectionKind::kNone) return block.text;
  size_t colon = block.text.find(':');
  return colon == std::string::npos ? std::string_view() : trim(std::string_view(block.text).substr(colon + 1));
}

}  // namespace

std::string select_report_text(std::string_view raw_report) {
  std::string text = normalize_line_ends(raw_report);
  if (auto findings = findings_onward(text)) return *findings;
  std::vector<Block> blocks = split_blocks(text);
  const Block* longest = nullptr;
  const Block* impression = nullptr;
  for (const Block& block : blocks) {
    if (block.kind == SectionKind::kImpression && impression == nullptr) impression = &block;
    if (block.kind == SectionKind::kHeader || !block.has_body) continue;
    if (longest == nullptr || block.text.size() > longest->text.size()) longest = &block;
  }
  if (longest == nullptr) return std::string(trim(text));
  std::string selected = longest->text;
  if (impression != nullptr && impression != longest && impression->has_body &&
      selected.find(block_body(*impression)) == std::string::npos) {
    selected += "\n" + impression->text;
  }
  return std::string(trim(selected));
}

}  // namespace cxrvqa
