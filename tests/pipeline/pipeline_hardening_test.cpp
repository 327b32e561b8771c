// The pipeline under faults: studies that fail, a server that is down, a second run on the
// same folder, a corrupt stage ledger, absurd options.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cmath>

#include "common/file_io.h"
#include "llm/fake_server_process.h"
#include "pipeline/pipeline.h"
#include "pipeline_fixtures.h"
#include "test_util.h"

namespace cxrvqa {
namespace {

namespace fs = std::filesystem;

using testing::demo_options;
const fs::path& kDemo = testing::kDemoCorpus;

// A loopback port nothing listens on (bound, then released).
int free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t size = sizeof address;
  ::bind(fd, reinterpret_cast<sockaddr*>(&address), size);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size);
  ::close(fd);
  return ntohs(address.sin_port);
}

fs::path write_llm_config(const testing::TempDir& dir, int port) {
  testing::write_text(dir / "llm.toml", "timeout_s = 5\nmax_retries = 0\njson_schema = \"off\"\n"
                                        "cache = \"cache.sqlite\"\n[[endpoints]]\nbase_url = \"http://127.0.0.1:" +
                                            std::to_string(port) + "/v1\"\nmodel = \"fake\"\n");
  return dir / "llm.toml";
}

PipelineOptions llm_options(const fs::path& corpus, const testing::TempDir& dir, int port) {
  PipelineOptions options = demo_options(corpus, dir / "out");
  options.extractor = "llm";
  options.llm_config = write_llm_config(dir, port);
  return options;
}

size_t skipped_count(const PipelineSummary& report) {
  size_t skipped = 0;
  for (const auto& stage : report.stages) skipped += stage.skipped;
  return skipped;
}

TEST(PipelineFaults, ARunWhereEveryStudyFailedIsAnErrorAndTheNextRunAsksAgain) {
  testing::TempDir dir;
  int port = free_port();
  PipelineOptions options = llm_options(kDemo, dir, port);
  auto down = RunPipeline(options);
  ASSERT_FALSE(down.ok()) << "every study failed, yet the run looked complete";
  EXPECT_NE(down.status().message().find("every study failed"), std::string::npos) << down.status().message();
  EXPECT_NE(down.status().message().find("extract_llm"), std::string::npos) << down.status().message();

  testing::FakeLlmServer server({"--port", std::to_string(port)});
  ASSERT_EQ(server.port(), port);
  auto up = RunPipeline(options);
  ASSERT_TRUE(up.ok()) << up.status().ToString();
  EXPECT_EQ(skipped_count(*up), 0u) << "the failed stage must not count as done";
  EXPECT_GT(server.Requests(), 0u);
  EXPECT_GT(up->stages[6].counts["questions"].get<size_t>(), 0u);
}

TEST(PipelineFaults, StagesWithFailedStudiesRunAgainUntilTheyComplete) {
  testing::TempDir dir;
  fs::copy(kDemo, dir / "corpus", fs::copy_options::recursive);
  // One report makes the fake server fail every time it is asked.
  fs::path report;
  for (const auto& entry : fs::recursive_directory_iterator(dir / "corpus" / "files")) {
    if (entry.path().extension() == ".txt") report = entry.path();
  }
  ASSERT_FALSE(report.empty());
  testing::write_text(report, testing::read_text(report) + "\n[[fault:500]]\n");
  testing::FakeLlmServer server;
  PipelineOptions options = llm_options(dir / "corpus", dir, server.port());

  auto first = RunPipeline(options);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->stages[0].counts["failed"], 1);
  Json manifest = Json::parse(testing::read_text(options.out_dir / "manifest.json"));
  EXPECT_EQ(manifest["complete"], false);
  EXPECT_NE(first->ToString().find("incomplete: 1 studies failed in extract_llm"), std::string::npos)
      << first->ToString();

  uint64_t requests = server.Requests();
  auto second = RunPipeline(options);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_FALSE(second->stages[0].skipped) << "a stage with failed studies was taken as done";
  EXPECT_EQ(server.Requests(), requests + 1) << "only the failed study is asked again";
  EXPECT_EQ(skipped_count(*second), second->stages.size() - 1) << "its output did not change: the rest is skipped";
}

TEST(PipelineFaults, ASecondRunOnTheSameFolderIsRefusedWhileTheFirstHoldsIt) {
  testing::TempDir dir;
  PipelineOptions options = demo_options(kDemo, dir / "out");
  fs::create_directories(options.out_dir);
  auto held = FileLock::TryLock(options.out_dir / ".pipeline.lock");  // as a running pipeline holds it
  ASSERT_TRUE(held.ok());
  auto refused = RunPipeline(options);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(refused.status().message().find("another cxrvqa pipeline"), std::string::npos) << refused.status().message();
  EXPECT_FALSE(fs::exists(options.out_dir / "keyinfo_raw.jsonl"));
  held->reset();
  EXPECT_TRUE(RunPipeline(options).ok());
}

TEST(PipelineFaults, ACorruptStageLedgerIsIgnored) {
  testing::TempDir dir;
  PipelineOptions options = demo_options(kDemo, dir / "out");
  ASSERT_TRUE(RunPipeline(options).ok());
  for (const char* ledger : {R"({"extract": {"fingerprint": 5}})", R"({"extract": {"fingerprint": "x", "outputs": {"a": 1}}})",
                             R"({"extract": {"fingerprint": "x", "complete": "yes"}})", "[1, 2]", "{not json"}) {
    testing::write_text(options.out_dir / ".stages.json", ledger);
    auto report = RunPipeline(options);
    ASSERT_TRUE(report.ok()) << ledger << ": " << report.status().ToString();
    EXPECT_EQ(skipped_count(*report), 0u) << ledger;
  }
}

TEST(PipelineFaults, ALedgerWhoseSetupIsNotAStringIsIgnored) {
  testing::TempDir dir;
  PipelineOptions options = demo_options(kDemo, dir / "out");
  ASSERT_TRUE(RunPipeline(options).ok());
  Json ledger = Json::parse(testing::read_text(options.out_dir / ".stages.json"));
  ASSERT_TRUE(ledger["extract"]["setup"].is_string());  // recorded by the run
  ledger["extract"]["setup"] = 7;
  testing::write_text(options.out_dir / ".stages.json", ledger.dump());
  auto report = RunPipeline(options);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(skipped_count(*report), 0u);
}

TEST(PipelineFaults, AbsurdQuestionOptionsAreRefused) {
  testing::TempDir dir;
  PipelineOptions options = demo_options(kDemo, dir / "out");
  for (double rate : {std::nan(""), 7.5, -0.5}) {
    options.ap_keep_rate = rate;
    auto refused = RunPipeline(options);
    ASSERT_FALSE(refused.ok()) << rate;
    EXPECT_NE(refused.status().message().find("ap_keep_rate"), std::string::npos);
  }
  options.ap_keep_rate.reset();
  options.per_type = 0;
  auto zero = RunPipeline(options);
  ASSERT_FALSE(zero.ok()) << "per_type 0 gives no question at all";
  EXPECT_NE(zero.status().message().find("per_type"), std::string::npos);

  for (const char* line : {"ap_keep_rate = nan", "ap_keep_rate = 7.5", "per_type = 0", "threads = 100000000"}) {
    testing::write_text(dir / "p.toml", std::string(line) + "\n");
    PipelineOptions from_file;
    Status status = apply_pipeline_config(dir / "p.toml", from_file);
    ASSERT_FALSE(status.ok()) << line;
    EXPECT_NE(status.message().find("p.toml"), std::string::npos) << status.message();
  }
}

TEST(PipelineFaults, AnOutputThatIsAnInputIsRefused) {
  testing::TempDir dir;
  testing::write_text(dir / "out" / "keyinfo_raw.jsonl", "{\"study_id\": \"1\", \"text\": \"Clear.\"}\n");
  PipelineOptions options = demo_options(dir / "out" / "keyinfo_raw.jsonl", dir / "out");
  options.corpus = CorpusKind::kJsonl;
  options.metadata.reset();
  auto refused = RunPipeline(options);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("same file as the input"), std::string::npos) << refused.status().message();
  EXPECT_NE(testing::read_text(dir / "out" / "keyinfo_raw.jsonl").find("Clear."), std::string::npos);
}

}  // namespace
}  // namespace cxrvqa
