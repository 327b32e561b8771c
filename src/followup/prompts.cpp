#include "followup/prompts.h"

#include <array>
#include <utility>

#include "common/embedded.h"
#include "common/text.h"

namespace cxrvqa {
namespace {

// Replaces every occurrence of `key` in `text` with `value`.
std::string fill(std::string_view text, std::string_view key, std::string_view value) {
  std::string out;
  size_t from = 0;
  for (size_t at = text.find(key); at != std::string_view::npos; at = text.find(key, from)) {
    out.append(text.substr(from, at - from));
    out.append(value);
    from = at + key.size();
  }
  out.append(text.substr(from));
  return out;
}

struct SectionSpec {
  std::string_view name;
  std::string FollowupTemplates::*field;
  std::string_view placeholder;
};

constexpr std::array<SectionSpec, 4> kSections = {{
    {"present", &FollowupTemplates::present_item, "{finding}"},
    {"negated", &FollowupTemplates::negated_item, "{finding}"},
    {"all", &FollowupTemplates::all_findings, "{items}"},
    {"per_finding", &FollowupTemplates::per_finding, "{item}"},
}};

const SectionSpec* find_section(std::string_view name) {
  for (const SectionSpec& spec : kSections) {
    if (spec.name == name) return &spec;
  }
  return nullptr;
}

std::string item_text(const FollowupTemplates& templates, const Disagreement& item) {
  const std::string& pattern = item.kind == DisagreementKind::kMissingPresent
                                   ? templates.present_item
                                   : templates.negated_item;
  return fill(pattern, "{finding}", item.finding);
}

}  // namespace

Result<FollowupTemplates> parse_followup_templates(std::string_view text,
                                                   std::string_view origin) {
  FollowupTemplates templates;
  const SectionSpec* current = nullptr;
  std::string body;
  std::vector<std::string_view> seen;
  auto close_section = [&] {
    if (current != nullptr) templates.*(current->field) = std::string(trim(body));
    body.clear();
  };
  size_t line_number = 0;
  for (std::string_view line : split(text, '\n')) {
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (!line.empty() && line.front() == '#') continue;
    std::string_view stripped = trim(line);
    if (stripped.size() > 2 && stripped.front() == '[' && stripped.back() == ']') {
      close_section();
      current = find_section(stripped.substr(1, stripped.size() - 2));
      if (current == nullptr) {
        return Status::ParseError(std::string(origin) + ":" + std::to_string(line_number) +
                                  ": unknown section " + std::string(stripped));
      }
      seen.push_back(current->name);
      continue;
    }
    if (current == nullptr) {
      if (stripped.empty()) continue;
      return Status::ParseError(std::string(origin) + ":" + std::to_string(line_number) +
                                ": text before the first [section]");
    }
    body.append(line).push_back('\n');
  }
  close_section();
  for (const SectionSpec& spec : kSections) {
    const std::string& value = templates.*(spec.field);
    if (value.empty()) {
      return Status::ParseError(std::string(origin) + ": section [" + std::string(spec.name) +
                                "] is missing or empty");
    }
    if (value.find(spec.placeholder) == std::string::npos) {
      return Status::ParseError(std::string(origin) + ": section [" + std::string(spec.name) +
                                "] lacks the placeholder " + std::string(spec.placeholder));
    }
  }
  return templates;
}

Result<FollowupTemplates> load_followup_templates(const std::optional<std::filesystem::path>& dir) {
  Result<std::string> text = read_data_file(dir, "prompts", "followup.txt");
  if (!text.ok()) return text.status();
  return parse_followup_templates(*text, dir ? (*dir / "followup.txt").string()
                                             : std::string("prompts/followup.txt"));
}

std::string question_for_all(const FollowupTemplates& templates,
                             const std::vector<Disagreement>& items) {
  std::string list;
  for (const Disagreement& item : items) {
    if (!list.empty()) list.push_back('\n');
    list.append("- ").append(item_text(templates, item));
  }
  return fill(templates.all_findings, "{items}", list);
}

std::string question_for_one(const FollowupTemplates& templates, const Disagreement& item) {
  return fill(templates.per_finding, "{item}", item_text(templates, item));
}

}  // namespace cxrvqa
