// Follow-up against the fake OpenAI-compatible server of tests/llm.
#include <gtest/gtest.h>

#include "followup/followup.h"
#include "llm/fake_server_process.h"
#include "test_util.h"

namespace cxrvqa {
namespace {

KeyInfo record(const std::string& study_id, std::vector<std::string> present,
               std::vector<std::string> negated) {
  KeyInfo out;
  out.meta.study_id = study_id;
  out.meta.subject_id = "s" + study_id;
  for (auto& name : present) out.entity.push_back({name, {}});
  out.no_entity = std::move(negated);
  return out;
}

class FollowupServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_GT(server_.port(), 0) << "fake_llm_server did not start";
    auto lexicon = Lexicon::Load(std::nullopt);
    ASSERT_TRUE(lexicon.ok()) << lexicon.status().ToString();
    lexicon_ = *lexicon;
    auto templates = load_followup_templates(std::nullopt);
    ASSERT_TRUE(templates.ok());
    settings_.system_prompt = "Extract the key information as JSON.";
    settings_.templates = *templates;
    // Studies 1-3 disagree with the reference (4 items in all), 4 and 5 agree.
    reference_ = {record("1", {"pleural effusion"}, {"pneumothorax"}),
                  record("2", {"cardiomegaly"}, {}), record("3", {}, {"edema"}),
                  record("4", {"atelectasis"}, {}), record("5", {}, {"pneumothorax"})};
    llm_ = {record("1", {}, {}), record("2", {}, {}), record("3", {}, {}),
            record("4", {"atelectasis"}, {}), record("5", {}, {"pneumothorax"})};
    for (const KeyInfo& r : llm_) texts_[r.meta.study_id] = "Report of study " + r.meta.study_id + ".";
  }

  std::unique_ptr<llm::ChatRunner> runner() {
    llm::LlmConfig config;
    llm::EndpointConfig endpoint;
    endpoint.base_url = server_.base_url();
    endpoint.model = "fake";
    config.endpoints.push_back(endpoint);
    config.cache = dir_ / "cache.sqlite";
    config.json_schema = llm::JsonSchemaMode::kOff;
    config.timeout_s = 5;
    auto created = llm::ChatRunner::Create(config);
    EXPECT_TRUE(created.ok()) << created.status().ToString();
    return created.ok() ? std::move(*created) : nullptr;
  }

  Result<FollowupSummary> run(std::vector<KeyInfo>& records, llm::ChatRunner& chat) {
    auto standardizer = std::make_shared<const Standardizer>(lexicon_);
    auto frequencies = std::make_shared<const Libraries>(compute_libraries(records, lexicon_.get()));
    return run_followup(records, reference_, texts_, FindingMatcher(lexicon_), settings_, chat,
                        standardize_with(standardizer, frequencies));
  }

  testing::FakeLlmServer server_;
  testing::TempDir dir_;
  std::shared_ptr<const Lexicon> lexicon_;
  FollowupSettings settings_;
  std::vector<KeyInfo> reference_, llm_;
  std::unordered_map<std::string, std::string> texts_;
};

TEST_F(FollowupServerTest, OneRequestPerDisagreeingStudyByDefault) {
  settings_.rounds = 3;
  auto chat = runner();
  ASSERT_NE(chat, nullptr);
  std::vector<KeyInfo> records = llm_;
  auto summary = run(records, *chat);
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  EXPECT_EQ(server_.Requests(), 3u);
  EXPECT_EQ(summary->studies_compared, 5u);
  ASSERT_GE(summary->rounds.size(), 1u);
  EXPECT_EQ(summary->rounds[0].disagreeing_studies, 3u);
  EXPECT_EQ(summary->rounds[0].requests, 3u);
  EXPECT_EQ(summary->rounds[0].changed, 3u);
  // The fake server answers from the question: every asked finding is now in the record,
  // so no second round is needed.
  EXPECT_EQ(summary->rounds.size(), 1u);
  EXPECT_EQ(scan_disagreements(records, reference_, FindingMatcher(lexicon_)).studies.size(), 0u);
  // Records keep their metadata and order; agreeing studies are untouched.
  ASSERT_EQ(records.size(), llm_.size());
  EXPECT_EQ(records[0].meta.subject_id, "s1");
  EXPECT_EQ(records[3], llm_[3]);
  EXPECT_EQ(records[2].no_entity, std::vector<std::string>{"edema"});

  // A second run is answered from the cache.
  std::vector<KeyInfo> again = llm_;
  auto second = run(again, *runner());
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(server_.Requests(), 3u);
  EXPECT_EQ(again, records);
}

TEST_F(FollowupServerTest, PerFindingSendsOneTurnPerDisagreement) {
  settings_.per_finding = true;
  auto chat = runner();
  ASSERT_NE(chat, nullptr);
  std::vector<KeyInfo> records = llm_;
  auto summary = run(records, *chat);
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  EXPECT_EQ(server_.Requests(), 4u);
  ASSERT_EQ(summary->rounds.size(), 1u);
  EXPECT_EQ(summary->rounds[0].requests, 4u);
  EXPECT_EQ(summary->rounds[0].disagreeing_studies, 3u);
}

TEST_F(FollowupServerTest, StudiesWithoutReportTextAreCountedNotAsked) {
  texts_.erase("2");
  auto chat = runner();
  ASSERT_NE(chat, nullptr);
  std::vector<KeyInfo> records = llm_;
  auto summary = run(records, *chat);
  ASSERT_TRUE(summary.ok());
  EXPECT_EQ(server_.Requests(), 2u);
  EXPECT_EQ(summary->rounds[0].without_report, 1u);
  EXPECT_EQ(records[1], llm_[1]);
  ASSERT_EQ(summary->problems.size(), 1u);
  EXPECT_NE(summary->problems[0].find("study 2"), std::string::npos);
}

}  // namespace
}  // namespace cxrvqa
