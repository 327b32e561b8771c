// The LLM path on hostile input, as a user meets it: answers too deep for the parser,
// servers whose errors quote the report, an invalid system prompt, a batch results file
// with a line nested 100,000 levels.
#include <gtest/gtest.h>

#include "common/json.h"
#include "fake_server_process.h"
#include "llm/batch_run.h"
#include "llm/cache.h"
#include "llm/extraction.h"
#include "test_util.h"

namespace cxrvqa::llm {
namespace {

using cxrvqa::testing::FakeLlmServer;
using cxrvqa::testing::read_text;
using cxrvqa::testing::run_cxrvqa;
using cxrvqa::testing::TempDir;
using cxrvqa::testing::write_text;

// Three studies; the second carries `marker` (a fault for the fake server).
std::filesystem::path write_corpus(const TempDir& dir, const std::string& marker) {
  std::string lines;
  const char* texts[] = {"FINDINGS: Small left pleural effusion.", "FINDINGS: Right lower lobe opacity, likely pneumonia.",
                         "FINDINGS: No pneumothorax."};
  for (int i = 0; i < 3; ++i) {
    Json line = {{"study_id", std::to_string(100 + i)}, {"text", std::string(texts[i]) + (i == 1 ? marker : "")}};
    lines += line.dump() + "\n";
  }
  write_text(dir / "reports.jsonl", lines);
  return dir / "reports.jsonl";
}

std::filesystem::path write_config(const TempDir& dir, const FakeLlmServer& server) {
  write_text(dir / "llm.toml", "timeout_s = 10\nmax_retries = 1\nbackoff_initial_s = 0.01\njson_schema = \"off\"\n"
                               "cache = \"cache.sqlite\"\n[[endpoints]]\nbase_url = \"" +
                                   server.base_url() + "\"\nmodel = \"fake\"\n");
  return dir / "llm.toml";
}

std::string extract_args(const TempDir& dir) {
  return "extract --extractor llm --corpus jsonl --reports " + (dir / "reports.jsonl").string() + " --config " +
         (dir / "llm.toml").string() + " --out " + (dir / "raw.jsonl").string();
}

// The failures file's lines.
std::vector<Json> failures(const TempDir& dir) {
  std::vector<Json> lines;
  std::string text = read_text(dir / "raw.jsonl.failures.jsonl");
  for (size_t start = 0, end; start < text.size(); start = end + 1) {
    end = text.find('\n', start);
    lines.push_back(Json::parse(text.substr(start, end - start)));
  }
  return lines;
}

// Imports batch results `lines` into raw.jsonl (failures beside it) and returns the summary.
BatchImportSummary import_results(const TempDir& dir, const std::string& lines) {
  write_text(dir / "results.jsonl", lines);
  BatchImportOptions options;
  options.results = dir / "results.jsonl";
  options.out = dir / "raw.jsonl";
  options.failures = dir / "raw.jsonl.failures.jsonl";
  auto summary = RunBatchImport(options);
  EXPECT_TRUE(summary.ok()) << summary.status().ToString();
  return summary.ok() ? *summary : BatchImportSummary{};
}

TEST(LlmBadInput, DeepAnswerFailsTheStudyWithoutCrashingAndIsAskedAgain) {
  FakeLlmServer server;
  TempDir dir;
  write_corpus(dir, " [[fault:deep]]");
  write_config(dir, server);
  std::string output;
  ASSERT_EQ(run_cxrvqa(extract_args(dir), &output), 0) << output;
  EXPECT_EQ(read_text(dir / "raw.jsonl").find("\"101\""), std::string::npos);
  auto lines = failures(dir);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0]["study_id"], "101");
  EXPECT_NE(lines[0]["error"].get<std::string>().find("nested deeper than"), std::string::npos) << lines[0].dump();
  auto cache = AnswerCache::Open(dir / "cache.sqlite");
  ASSERT_TRUE(cache.ok());
  EXPECT_EQ((*cache)->Size().value(), 2u) << "the unusable answer was cached";
  uint64_t requests = server.Requests();
  ASSERT_EQ(run_cxrvqa(extract_args(dir), &output), 0) << output;
  EXPECT_EQ(server.Requests(), requests + 2) << "only the failed study is asked again (with its one retry)";
}

TEST(LlmBadInput, ServerErrorsQuotingTheReportStayOutOfLogsAndErrors) {
  FakeLlmServer server;
  TempDir dir;
  write_corpus(dir, " [[fault:echo500]]");
  write_config(dir, server);
  std::string output;
  ASSERT_EQ(run_cxrvqa(extract_args(dir), &output), 0) << output;
  EXPECT_EQ(output.find("likely pneumonia"), std::string::npos) << "report text in the log:\n" << output;
  auto lines = failures(dir);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0]["error"].get<std::string>().find("pneumonia"), std::string::npos) << lines[0].dump();
  EXPECT_NE(lines[0]["error"].get<std::string>().find("HTTP 500"), std::string::npos) << lines[0].dump();
  EXPECT_NE(lines[0]["raw"].get<std::string>().find("likely pneumonia"), std::string::npos)
      << "the server's body is kept in the failures file's raw field";

  write_corpus(dir, " [[fault:echo400]]");  // a fatal answer stops the run
  EXPECT_NE(run_cxrvqa(extract_args(dir), &output), 0);
  EXPECT_NE(output.find("HTTP 400"), std::string::npos) << output;
  EXPECT_EQ(output.find("likely pneumonia"), std::string::npos) << "report text in the error:\n" << output;
}

TEST(LlmBadInput, EveryStudyFailingIsAnError) {
  FakeLlmServer server;
  TempDir dir;
  std::string lines;
  for (int i = 0; i < 3; ++i) lines += Json{{"study_id", std::to_string(i)}, {"text", "Effusion. [[fault:500]]"}}.dump() + "\n";
  write_text(dir / "reports.jsonl", lines);
  write_config(dir, server);
  std::string output;
  EXPECT_NE(run_cxrvqa(extract_args(dir), &output), 0) << output;
  EXPECT_NE(output.find("every study failed"), std::string::npos) << output;
}

TEST(LlmBadInput, SystemPromptThatIsNotUtf8IsAClearError) {
  TempDir dir;
  write_text(dir / "prompt.txt", "Extract findings \xff\xfe as JSON.");
  auto prompt = load_system_prompt(dir / "prompt.txt");
  ASSERT_FALSE(prompt.ok());
  EXPECT_EQ(prompt.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(prompt.status().message().find("prompt.txt"), std::string::npos);
  EXPECT_NE(prompt.status().message().find("UTF-8"), std::string::npos);

  FakeLlmServer server;
  write_corpus(dir, "");
  write_config(dir, server);
  std::string output;
  EXPECT_EQ(run_cxrvqa(extract_args(dir) + " --system-prompt " + (dir / "prompt.txt").string(), &output), 1) << output;
  EXPECT_NE(output.find("not valid UTF-8"), std::string::npos) << output;
}

TEST(LlmBadInput, BatchResultLineNestedDeeplyIsABadLine) {
  TempDir dir;
  std::string good = R"({"custom_id":"7|)" + std::string(64, 'a') +
                     R"(","response":{"status_code":200,"body":{"choices":[{"message":{"content":"{\"entity\":{}}"}}]}}})";
  std::string deep = R"({"custom_id":"8|)" + std::string(64, 'b') + R"(","response":)" + std::string(100000, '[') +
                     std::string(100000, ']') + "}";
  BatchImportSummary summary = import_results(dir, deep + "\n" + good + "\n");
  EXPECT_EQ(summary.written, 1u);
  EXPECT_EQ(summary.bad_lines, 1u);
  EXPECT_NE(summary.first_bad_line.find("results.jsonl:1"), std::string::npos) << summary.first_bad_line;
  EXPECT_NE(summary.first_bad_line.find("nested deeper"), std::string::npos) << summary.first_bad_line;
}

TEST(LlmBadInput, BatchErrorsQuotingTheReportStayOutOfTheErrorField) {
  TempDir dir;
  const std::string report = "Right lower lobe opacity, likely pneumonia.";
  Json http_error = {{"custom_id", "7|" + std::string(64, 'a')},
                     {"response", {{"status_code", 400}, {"body", {{"error", {{"message", "bad request: " + report}}}}}}}};
  Json batch_error = {{"custom_id", "8|" + std::string(64, 'b')},
                      {"error", {{"code", "server_error"}, {"message", "failed on: " + report}}}};
  BatchImportSummary summary = import_results(dir, http_error.dump() + "\n" + batch_error.dump() + "\n");
  EXPECT_EQ(summary.failed, 2u);
  auto lines = failures(dir);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_NE(lines[0]["error"].get<std::string>().find("HTTP 400"), std::string::npos) << lines[0].dump();
  for (const Json& line : lines) {
    EXPECT_EQ(line["error"].get<std::string>().find("pneumonia"), std::string::npos) << line.dump();
    EXPECT_NE(line["raw"].get<std::string>().find("likely pneumonia"), std::string::npos)
        << "the server's error is kept in the raw field: " << line.dump();
  }
}

}  // namespace
}  // namespace cxrvqa::llm
