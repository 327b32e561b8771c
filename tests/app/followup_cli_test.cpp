// End-to-end runs of `cxrvqa golden select`, `cxrvqa finetune-data` and `cxrvqa followup`.
#include <gtest/gtest.h>

#include <set>
#include <sstream>

#include "common/json.h"
#include "llm/fake_server_process.h"
#include "test_util.h"

namespace cxrvqa {
namespace {

using testing::read_text;
using testing::run_cxrvqa;
using testing::write_text;

// A small JSONL corpus: study 1 mentions an effusion, study 2 denies a pneumothorax, study 3
// is clear.
void write_corpus(const std::filesystem::path& path) {
  write_text(path,
             R"({"study_id": "1", "subject_id": "9", "text": "FINDINGS: Small left pleural effusion."})" "\n"
             R"({"study_id": "2", "subject_id": "9", "text": "FINDINGS: There is no pneumothorax."})" "\n"
             R"({"study_id": "3", "subject_id": "8", "text": "FINDINGS: The lungs are clear."})" "\n");
}

std::string keyinfo_line(const std::string& id, const std::string& entity, const std::string& no) {
  return R"({"study_id":")" + id + R"(","entity":{)" + entity + R"(},"uncertain_entity":[],"no_entity":[)" +
         no + "]}\n";
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::stringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

TEST(GoldenCli, SelectIsSeededAndHonoursExclusions) {
  CXRVQA_REQUIRE_SHARED_DATA(data);
  testing::TempDir dir;
  const std::string reports = "--corpus iu --reports \"" + (data / "iu_xray" / "iu_reports_dev.csv").string() + "\"";
  std::string output;
  ASSERT_EQ(run_cxrvqa("golden select --n 50 --seed 5 " + reports + " --out " + (dir / "a.txt").string(), &output), 0)
      << output;
  ASSERT_EQ(run_cxrvqa("golden select --n 50 --seed 5 " + reports + " --out " + (dir / "b.txt").string()), 0);
  std::vector<std::string> first = lines_of(read_text(dir / "a.txt"));
  EXPECT_EQ(first.size(), 50u);
  EXPECT_EQ(read_text(dir / "a.txt"), read_text(dir / "b.txt"));

  write_text(dir / "reserved.txt", first[0] + "\n" + first[1] + "\n");
  ASSERT_EQ(run_cxrvqa("golden select --n 50 --seed 5 --exclude " + (dir / "reserved.txt").string() + " " +
                           reports + " --out " + (dir / "c.txt").string(), &output), 0) << output;
  std::vector<std::string> third = lines_of(read_text(dir / "c.txt"));
  ASSERT_EQ(third.size(), 50u);
  std::set<std::string> chosen(third.begin(), third.end());
  EXPECT_EQ(chosen.count(first[0]) + chosen.count(first[1]), 0u);
  EXPECT_NE(output.find("2 excluded"), std::string::npos) << output;
}

TEST(FinetuneCli, WritesAlpacaDatasetInfoAndChatJsonl) {
  testing::TempDir dir;
  write_corpus(dir / "corpus.jsonl");
  write_text(dir / "golden.jsonl", keyinfo_line("1", R"("pleural effusion":{"location":"left","level":"small"})", "") +
                                       keyinfo_line("2", "", R"("pneumothorax")") +
                                       keyinfo_line("404", "", ""));
  std::string output;
  ASSERT_EQ(run_cxrvqa("finetune-data --keyinfo " + (dir / "golden.jsonl").string() + " --corpus jsonl --reports " +
                           (dir / "corpus.jsonl").string() + " --out-dir " + (dir / "ft").string(), &output), 0)
      << output;
  EXPECT_NE(output.find("1 without a report"), std::string::npos) << output;
  Json alpaca = Json::parse(read_text(dir / "ft" / "cxrvqa_keyinfo_alpaca.json"));
  ASSERT_EQ(alpaca.size(), 2u);
  EXPECT_NE(alpaca[0]["input"].get<std::string>().find("Small left pleural effusion."), std::string::npos);
  EXPECT_EQ(alpaca[0]["instruction"], read_text(dir / "ft" / "system_prompt.txt"));
  EXPECT_EQ(Json::parse(alpaca[1]["output"].get<std::string>())["no_entity"][0], "pneumothorax");
  Json info = Json::parse(read_text(dir / "ft" / "dataset_info.json"));
  EXPECT_EQ(info["cxrvqa_keyinfo"]["file_name"], "cxrvqa_keyinfo_alpaca.json");
  EXPECT_EQ(lines_of(read_text(dir / "ft" / "cxrvqa_keyinfo_openai.jsonl")).size(), 2u);
}

TEST(FollowupCli, AsksOncePerDisagreeingStudyAndWritesEveryRecord) {
  testing::FakeLlmServer server;
  ASSERT_GT(server.port(), 0);
  testing::TempDir dir;
  write_corpus(dir / "corpus.jsonl");
  // Reference: study 1 has an effusion, study 2 no pneumothorax; the LLM missed both.
  write_text(dir / "rules.jsonl", keyinfo_line("1", R"("pleural effusion":{})", "") +
                                      keyinfo_line("2", "", R"("pneumothorax")") + keyinfo_line("3", "", ""));
  write_text(dir / "llm.jsonl", keyinfo_line("1", "", "") + keyinfo_line("2", "", "") + keyinfo_line("3", "", ""));
  write_text(dir / "llm.toml", "cache = \"cache.sqlite\"\njson_schema = \"off\"\n[[endpoints]]\nkind = \"openai\"\n"
                               "base_url = \"" + server.base_url() + "\"\nmodel = \"fake\"\n");
  const std::string args = "followup --llm-keyinfo " + (dir / "llm.jsonl").string() + " --reference " +
                           (dir / "rules.jsonl").string() + " --corpus jsonl --reports " +
                           (dir / "corpus.jsonl").string() + " --config " + (dir / "llm.toml").string() +
                           " --rounds 2 --out " + (dir / "updated.jsonl").string();
  std::string output;
  ASSERT_EQ(run_cxrvqa(args, &output), 0) << output;
  EXPECT_EQ(server.Requests(), 2u) << output;
  EXPECT_NE(output.find("3 studies compared"), std::string::npos) << output;
  EXPECT_NE(output.find("round 1: 2 disagreeing studies, 2 requests, 2 changed"), std::string::npos) << output;
  std::vector<std::string> updated = lines_of(read_text(dir / "updated.jsonl"));
  ASSERT_EQ(updated.size(), 3u);
  EXPECT_EQ(Json::parse(updated[1])["no_entity"], Json::array({"pneumothorax"}));
  EXPECT_EQ(Json::parse(updated[1])["study_id"], "2");

  // Rerun: every answer comes from the cache.
  ASSERT_EQ(run_cxrvqa(args, &output), 0) << output;
  EXPECT_EQ(server.Requests(), 2u);
}

}  // namespace
}  // namespace cxrvqa
