#include "golden/finetune.h"

#include <gtest/gtest.h>

#include "common/file_io.h"
#include "followup/followup.h"
#include "test_util.h"

namespace cxrvqa {
namespace {

std::vector<FinetuneExample> examples() {
  KeyInfo record;
  record.meta.study_id = "7";
  record.entity.push_back({"pleural effusion", {std::string("left"), std::string("small"),
                                                std::nullopt, std::nullopt}});
  record.no_entity = {"pneumothorax"};
  return {{"7", "Small left effusion.\nNo \"pneumothorax\".", keyinfo_answer_json(record)},
          {"8", "Clear lungs.", keyinfo_answer_json(KeyInfo{})}};
}

Json parse_file(const std::filesystem::path& path) {
  auto text = read_file(path);
  EXPECT_TRUE(text.ok()) << path;
  return Json::parse(text.ok() ? *text : "null");
}

TEST(FinetuneData, AlpacaJsonAndDatasetInfoParseBack) {
  testing::TempDir dir;
  testing::write_text(dir / "dataset_info.json", R"({"other": {"file_name": "other.json"}})");
  auto files = write_finetune_files(dir.path(), "golden", examples(), "INSTRUCTION");
  ASSERT_TRUE(files.ok()) << files.status().ToString();

  Json alpaca = parse_file(files->alpaca);
  ASSERT_TRUE(alpaca.is_array());
  ASSERT_EQ(alpaca.size(), 2u);
  EXPECT_EQ(alpaca[0]["instruction"], "INSTRUCTION");
  EXPECT_EQ(alpaca[0]["input"], "Small left effusion.\nNo \"pneumothorax\".");
  Json output = Json::parse(alpaca[0]["output"].get<std::string>());
  EXPECT_FALSE(output.contains("study_id"));
  EXPECT_EQ(output["entity"]["pleural effusion"]["level"], "small");
  EXPECT_EQ(output["no_entity"], Json::array({"pneumothorax"}));

  Json info = parse_file(files->dataset_info);
  EXPECT_TRUE(info.contains("other")) << "existing entries are kept";
  EXPECT_EQ(info["golden"]["file_name"], "golden_alpaca.json");
  EXPECT_EQ(info["golden"]["columns"]["prompt"], "instruction");
  EXPECT_EQ(info["golden"]["columns"]["query"], "input");
  EXPECT_EQ(info["golden"]["columns"]["response"], "output");
}

TEST(FinetuneData, OpenAiChatJsonlHasSystemUserAssistantPerLine) {
  testing::TempDir dir;
  auto files = write_finetune_files(dir.path(), "golden", examples(), "INSTRUCTION");
  ASSERT_TRUE(files.ok());
  std::vector<Json> lines;
  auto reader = LineReader::Open(files->openai);
  ASSERT_TRUE(reader.ok());
  std::string line;
  while ((*reader)->Next(line)) lines.push_back(Json::parse(line));
  ASSERT_EQ(lines.size(), 2u);
  const Json& messages = lines[1]["messages"];
  ASSERT_EQ(messages.size(), 3u);
  EXPECT_EQ(messages[0], (Json{{"role", "system"}, {"content", "INSTRUCTION"}}));
  EXPECT_EQ(messages[1], (Json{{"role", "user"}, {"content", "Clear lungs."}}));
  EXPECT_EQ(messages[2]["role"], "assistant");
  Json answer = Json::parse(messages[2]["content"].get<std::string>());
  EXPECT_TRUE(answer["entity"].empty());
}

TEST(FinetuneData, UnreadableDatasetInfoIsAnError) {
  testing::TempDir dir;
  testing::write_text(dir / "dataset_info.json", "{broken");
  auto files = write_finetune_files(dir.path(), "golden", examples(), "I");
  ASSERT_FALSE(files.ok());
  EXPECT_NE(files.status().message().find("dataset_info.json"), std::string::npos);
}

}  // namespace
}  // namespace cxrvqa
