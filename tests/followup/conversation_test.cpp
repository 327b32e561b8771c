#include <gtest/gtest.h>

#include "followup/followup.h"
#include "llm/lenient_json.h"

namespace cxrvqa {
namespace {

KeyInfo previous_record() {
  KeyInfo record;
  record.meta.study_id = "50000001";
  record.meta.subject_id = "10000001";
  record.entity.push_back({"atelectasis", {std::string("left"), std::nullopt, std::nullopt, std::nullopt}});
  record.no_entity = {"pneumothorax"};
  return record;
}

const std::vector<Disagreement> kItems = {
    {"pleural effusion", DisagreementKind::kMissingPresent},
    {"cardiomegaly", DisagreementKind::kMissingPresent},
    {"edema", DisagreementKind::kMissingNegation}};

FollowupTemplates templates() {
  auto loaded = load_followup_templates(std::nullopt);
  EXPECT_TRUE(loaded.ok()) << loaded.status().ToString();
  return loaded.ok() ? *loaded : FollowupTemplates{};
}

llm::ChatOutcome answer(const std::string& id, const std::string& content) {
  llm::ChatOutcome outcome;
  outcome.id = id;
  outcome.kind = llm::ChatOutcome::Kind::kOk;
  outcome.content = content;
  return outcome;
}

TEST(FollowupConversation, StartsWithSystemReportAndThePreviousAnswer) {
  FollowupConversation conversation = build_conversation(
      "SYSTEM", "Small left effusion.", previous_record(), kItems, templates(), false);
  ASSERT_EQ(conversation.messages.size(), 3u);
  EXPECT_EQ(conversation.messages[0].role, "system");
  EXPECT_EQ(conversation.messages[0].content, "SYSTEM");
  EXPECT_EQ(conversation.messages[1].role, "user");
  EXPECT_EQ(conversation.messages[1].content, "Small left effusion.");
  EXPECT_EQ(conversation.messages[2].role, "assistant");
  // The previous answer is the record's content in the answer format, without metadata.
  auto previous = llm::parse_llm_json(conversation.messages[2].content);
  ASSERT_TRUE(previous.ok());
  EXPECT_FALSE(previous->contains("study_id"));
  EXPECT_EQ((*previous)["entity"]["atelectasis"]["location"], "left");
  EXPECT_EQ((*previous)["no_entity"], Json::array({"pneumothorax"}));
}

TEST(FollowupConversation, PerStudyModeAsksOnceAboutEverything) {
  FollowupConversation conversation =
      build_conversation("S", "R", previous_record(), kItems, templates(), false);
  ASSERT_EQ(conversation.questions.size(), 1u);
  ASSERT_TRUE(has_next_turn(conversation));
  llm::ChatJob job = next_turn(conversation);
  EXPECT_EQ(job.id, "50000001");
  ASSERT_EQ(job.messages.size(), 4u);
  EXPECT_EQ(job.messages.back().role, "user");
  for (const Disagreement& item : kItems) {
    EXPECT_NE(job.messages.back().content.find(item.finding), std::string::npos) << item.finding;
  }
  record_turn(conversation, answer(job.id, "{\"entity\": {}}"));
  EXPECT_FALSE(has_next_turn(conversation));
  EXPECT_EQ(conversation.last_answer, "{\"entity\": {}}");
}

TEST(FollowupConversation, PerFindingModeAsksTurnByTurnWithTheHistory) {
  FollowupConversation conversation =
      build_conversation("S", "R", previous_record(), kItems, templates(), true);
  ASSERT_EQ(conversation.questions.size(), kItems.size());
  size_t turns = 0;
  while (has_next_turn(conversation)) {
    llm::ChatJob job = next_turn(conversation);
    ++turns;
    // system, report, previous answer, then (question, answer) per earlier turn, question.
    EXPECT_EQ(job.messages.size(), 3 + 2 * (turns - 1) + 1);
    EXPECT_NE(job.messages.back().content.find(kItems[turns - 1].finding), std::string::npos);
    record_turn(conversation, answer(job.id, "{\"turn\": " + std::to_string(turns) + "}"));
  }
  EXPECT_EQ(turns, kItems.size());
  EXPECT_EQ(conversation.messages.back().role, "assistant");
  EXPECT_EQ(conversation.last_answer, "{\"turn\": 3}");
}

TEST(FollowupConversation, AFailedTurnEndsTheConversationKeepingEarlierAnswers) {
  FollowupConversation conversation =
      build_conversation("S", "R", previous_record(), kItems, templates(), true);
  record_turn(conversation, answer(next_turn(conversation).id, "{\"first\": 1}"));
  llm::ChatOutcome failed;
  failed.id = conversation.study_id;
  failed.kind = llm::ChatOutcome::Kind::kFailed;
  next_turn(conversation);
  record_turn(conversation, failed);
  EXPECT_FALSE(has_next_turn(conversation));
  EXPECT_EQ(conversation.last_answer, "{\"first\": 1}");
}

}  // namespace
}  // namespace cxrvqa
