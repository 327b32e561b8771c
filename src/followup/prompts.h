// The follow-up question texts (data/prompts/followup.txt) and how questions are worded
// from a study's disagreements.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "followup/disagreement.h"

namespace cxrvqa {

// The sections of followup.txt. Placeholders: {finding} in present_item/negated_item,
// {items} in all_findings, {item} in per_finding.
struct FollowupTemplates {
  std::string present_item;  // [present]
  std::string negated_item;  // [negated]
  std::string all_findings;  // [all]
  std::string per_finding;   // [per_finding]
};

// Parses followup.txt: '#' comment lines, sections opened by "[name]" lines; section text is
// trimmed. An unknown section, a missing section or a missing placeholder is a ParseError
// naming `origin` and the line or section.
Result<FollowupTemplates> parse_followup_templates(std::string_view text, std::string_view origin);

// followup.txt from `dir` when given, else the embedded copy.
Result<FollowupTemplates> load_followup_templates(const std::optional<std::filesystem::path>& dir);

// One question listing every disagreement of a study (one "- <item>" line each).
std::string question_for_all(const FollowupTemplates& templates,
                             const std::vector<Disagreement>& items);
// One question about a single disagreement.
std::string question_for_one(const FollowupTemplates& templates, const Disagreement& item);

}  // namespace cxrvqa
