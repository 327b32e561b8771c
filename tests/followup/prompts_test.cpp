#include "followup/prompts.h"

#include <gtest/gtest.h>

#include <string>

#include "common/embedded.h"
#include "extract/rules_extractor.h"
#include "standardize/standardize.h"
#include "common/text.h"
#include "keyinfo/keyinfo.h"
#include "lexicon/lexicon.h"
#include "llm/lenient_json.h"

namespace cxrvqa {
namespace {

FollowupTemplates embedded_templates() {
  auto templates = load_followup_templates(std::nullopt);
  EXPECT_TRUE(templates.ok()) << templates.status().ToString();
  return templates.ok() ? *templates : FollowupTemplates{};
}

size_t count_of(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

TEST(FollowupPrompts, OneQuestionListsEveryDisagreement) {
  FollowupTemplates templates = embedded_templates();
  std::vector<Disagreement> items = {{"pleural effusion", DisagreementKind::kMissingPresent},
                                     {"pneumothorax", DisagreementKind::kMissingNegation}};
  std::string question = question_for_all(templates, items);
  EXPECT_EQ(count_of(question, "\n- "), 2u) << question;
  EXPECT_NE(question.find("pleural effusion"), std::string::npos);
  EXPECT_NE(question.find("pneumothorax"), std::string::npos);
  EXPECT_EQ(question.find('{'), std::string::npos) << "unfilled placeholder: " << question;
  // The two kinds are worded differently.
  EXPECT_NE(question_for_one(templates, items[0]).find("pleural effusion"), std::string::npos);
  Disagreement negated{"pleural effusion", DisagreementKind::kMissingNegation};
  EXPECT_NE(question_for_one(templates, items[0]), question_for_one(templates, negated));
}

TEST(FollowupPrompts, BadTemplateFilesAreRejectedWithTheirName) {
  const std::string good =
      "[present]\n{finding} present\n[negated]\nno {finding}\n[all]\nCheck:\n{items}\n"
      "[per_finding]\nCheck {item}.\n";
  ASSERT_TRUE(parse_followup_templates(good, "f.txt").ok());

  auto unknown = parse_followup_templates("[other]\nx\n" + good, "f.txt");
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find("f.txt:1"), std::string::npos);

  std::string no_placeholder = good;
  no_placeholder.replace(no_placeholder.find("{items}"), 7, "items");
  auto missing = parse_followup_templates(no_placeholder, "f.txt");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("[all]"), std::string::npos);

  auto absent = parse_followup_templates("[present]\n{finding}\n", "f.txt");
  EXPECT_FALSE(absent.ok());
}

// The worked examples of the system prompt must themselves be valid answers: each parses as
// KeyInfo and names only findings the lexicon knows.
TEST(SystemPrompt, WorkedExamplesAreValidKeyInfoWithLexiconNames) {
  auto prompt = read_data_file(std::nullopt, "prompts", "system.txt");
  ASSERT_TRUE(prompt.ok()) << prompt.status().ToString();
  auto lexicon = Lexicon::Load(std::nullopt);
  ASSERT_TRUE(lexicon.ok()) << lexicon.status().ToString();
  size_t examples = 0;
  for (std::string_view line : split(*prompt, '\n')) {
    if (line.substr(0, 8) != "Answer: ") continue;
    ++examples;
    auto answer = llm::parse_llm_json(line.substr(8));
    ASSERT_TRUE(answer.ok()) << line;
    (*answer)["study_id"] = "1";
    auto record = keyinfo_from_json(*answer);
    ASSERT_TRUE(record.ok()) << record.status().ToString() << "\n" << line;
    std::vector<std::string> names = record->uncertain_entity;
    names.insert(names.end(), record->no_entity.begin(), record->no_entity.end());
    for (const Entity& entity : record->entity) names.push_back(entity.name);
    for (const std::string& name : names) {
      EXPECT_NE((*lexicon)->FindByName(name), nullptr) << name << " is not an official name";
    }
  }
  EXPECT_GE(examples, 3u);
}

// The system prompt and the rules extractor say the same: each worked example, as the model
// is shown to answer it, standardizes to exactly what the rules extractor gives for the same
// report (standardized alike).
TEST(SystemPrompt, WorkedExamplesStandardizeToWhatTheRulesExtractorGives) {
  auto prompt = read_data_file(std::nullopt, "prompts", "system.txt");
  ASSERT_TRUE(prompt.ok()) << prompt.status().ToString();
  auto lexicon = Lexicon::Load(std::nullopt);
  ASSERT_TRUE(lexicon.ok()) << lexicon.status().ToString();
  RulesExtractor rules(*lexicon);
  Standardizer standardizer(*lexicon);
  auto standardized = [&](const std::string& line) {
    RepairCounts repairs;
    auto record = standardizer.Standardize(line, Libraries{}, repairs);
    EXPECT_TRUE(record.ok()) << record.status().ToString() << "\n" << line;
    return record.ok() ? keyinfo_to_json_line(*record) : std::string();
  };
  std::string report;
  size_t examples = 0;
  for (std::string_view line : split(*prompt, '\n')) {
    if (line.starts_with("Report: ")) report = std::string(line.substr(8));
    if (!line.starts_with("Answer: ")) continue;
    ASSERT_FALSE(report.empty()) << "an answer without its report: " << line;
    ++examples;
    KeyInfo extracted = rules.Extract(report);
    extracted.meta.study_id = "1";
    auto answer = llm::parse_llm_json(line.substr(8));
    ASSERT_TRUE(answer.ok()) << line;
    (*answer)["study_id"] = "1";
    EXPECT_EQ(standardized(answer->dump()), standardized(keyinfo_to_json_line(extracted)))
        << "report: " << report;
    report.clear();
  }
  EXPECT_GE(examples, 5u);
}

// The words in quotes on the prompt line that starts with `start`.
std::vector<std::string> quoted_on_line(std::string_view prompt, std::string_view start) {
  std::vector<std::string> words;
  for (std::string_view line : split(prompt, '\n')) {
    if (!trim(line).starts_with(start)) continue;
    auto parts = split(line, '"');
    for (size_t i = 1; i < parts.size(); i += 2) words.emplace_back(parts[i]);
  }
  return words;
}

// The cue words the prompt names mean to the rules extractor what they mean to the model.
TEST(SystemPrompt, CueWordsAgreeWithTheRulesExtractor) {
  auto prompt = read_data_file(std::nullopt, "prompts", "system.txt");
  ASSERT_TRUE(prompt.ok());
  auto lexicon = Lexicon::Load(std::nullopt);
  ASSERT_TRUE(lexicon.ok());
  auto kind_of = [&](const std::string& phrase) -> std::optional<Cue::Kind> {
    for (const Cue& cue : (*lexicon)->cues()) {
      if (cue.phrase == phrase) return cue.kind;
    }
    return std::nullopt;
  };
  auto confident = quoted_on_line(*prompt, "Confident wording counts as present");
  auto uncertain = quoted_on_line(*prompt, "2. uncertain_entity:");
  auto negated = quoted_on_line(*prompt, "3. no_entity:");
  auto still_there = quoted_on_line(*prompt, "- A finding that is still there");
  ASSERT_GE(confident.size(), 5u);
  ASSERT_GE(uncertain.size(), 8u);
  ASSERT_GE(negated.size(), 5u);
  ASSERT_GE(still_there.size(), 5u);
  for (const auto& phrase : confident) EXPECT_EQ(kind_of(phrase), std::nullopt) << phrase;
  for (const auto& phrase : uncertain) EXPECT_EQ(kind_of(phrase), Cue::Kind::kUncertainty) << phrase;
  for (const auto& phrase : negated) EXPECT_EQ(kind_of(phrase), Cue::Kind::kNegation) << phrase;
  for (const auto& phrase : still_there) EXPECT_NE(kind_of(phrase), Cue::Kind::kNegation) << phrase;
  // The resolution examples the prompt gives are negations for the rules extractor too.
  RulesExtractor rules(*lexicon);
  auto resolved = quoted_on_line(*prompt, "- A finding described as resolved");
  ASSERT_GE(resolved.size(), 3u);
  for (const auto& phrase : resolved) {
    KeyInfo info = rules.Extract(phrase + ".");
    EXPECT_TRUE(info.entity.empty() && info.no_entity.size() == 1) << phrase << ": " << keyinfo_to_json_line(info);
  }
}

TEST(SystemPrompt, ShortPromptIsEmbedded) {
  auto prompt = read_data_file(std::nullopt, "prompts", "simple_system.txt");
  ASSERT_TRUE(prompt.ok());
  EXPECT_NE(prompt->find("no_entity"), std::string::npos);
}

}  // namespace
}  // namespace cxrvqa
