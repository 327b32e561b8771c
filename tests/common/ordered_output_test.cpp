// The pieces that let stages stream their outputs: blocks in order, inputs mapped, lines counted.
#include <gtest/gtest.h>
#include <zlib.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/file_io.h"
#include "common/mapped_file.h"
#include "common/ordered_writer.h"
#include "common/parallel.h"
#include "test_util.h"

namespace cxrvqa {
namespace {

TEST(OrderedBlockWriter, WritesBlocksInIndexOrderWhateverOrderTheyCome) {
  testing::TempDir dir;
  auto file = AtomicFileWriter::Open(dir / "out.txt");
  ASSERT_TRUE(file.ok());
  OrderedBlockWriter blocks(**file);
  for (size_t index : {2, 0, 3, 1, 5, 4}) blocks.Put(index, "block " + std::to_string(index) + "\n");
  ASSERT_TRUE(blocks.status().ok());
  ASSERT_TRUE((*file)->Commit().ok());
  EXPECT_EQ(*read_file(dir / "out.txt"), "block 0\nblock 1\nblock 2\nblock 3\nblock 4\nblock 5\n");
}

TEST(OrderedBlockWriter, HoldsABlockUntilTheOnesBeforeItArrive) {
  testing::TempDir dir;
  auto file = AtomicFileWriter::Open(dir / "out.txt");
  ASSERT_TRUE(file.ok());
  OrderedBlockWriter blocks(**file);
  blocks.Put(1, "second\n");
  // Nothing may reach the file before block 0, which never comes: the file stays empty.
  ASSERT_TRUE((*file)->Commit().ok());
  EXPECT_EQ(*read_file(dir / "out.txt"), "");
}

TEST(ParallelInOrder, CallsEveryIndexOnceAndStartsThemInOrder) {
  for (unsigned threads : {1u, 2u, 4u}) {
    constexpr size_t kCount = 1000;
    std::vector<std::atomic<int>> calls(kCount);
    std::mutex mutex;
    std::map<std::thread::id, std::vector<size_t>> started_by_thread;
    parallel_in_order(kCount, threads, [&](size_t index) {
      {
        std::lock_guard<std::mutex> lock(mutex);
        started_by_thread[std::this_thread::get_id()].push_back(index);
      }
      ++calls[index];
    });
    for (size_t i = 0; i < kCount; ++i) EXPECT_EQ(calls[i].load(), 1) << "index " << i << ", threads " << threads;
    // Each thread takes the lowest index not yet taken, so every thread sees its indices in
    // increasing order (how far threads drift apart depends on the scheduler, not on us).
    EXPECT_LE(started_by_thread.size(), threads);
    for (const auto& [thread, started] : started_by_thread) {
      EXPECT_TRUE(std::is_sorted(started.begin(), started.end())) << "threads " << threads;
    }
    if (threads == 1) {
      ASSERT_EQ(started_by_thread.size(), 1u);
      const auto& started = started_by_thread.begin()->second;
      for (size_t position = 0; position < started.size(); ++position) EXPECT_EQ(started[position], position);
    }
  }
  parallel_in_order(0, 2, [](size_t) { FAIL() << "no index to call"; });
}

TEST(MappedFile, PlainGzipEmptyAndMissing) {
  testing::TempDir dir;
  std::string text = "{\"study_id\":\"1\"}\n{\"study_id\":\"2\"}\n";
  testing::write_text(dir / "plain.jsonl", text);
  auto plain = MappedFile::Open(dir / "plain.jsonl");
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->text(), text);

  gzFile gz = gzopen((dir / "packed.jsonl.gz").c_str(), "wb");
  ASSERT_NE(gz, nullptr);
  gzwrite(gz, text.data(), static_cast<unsigned>(text.size()));
  gzclose(gz);
  auto packed = MappedFile::Open(dir / "packed.jsonl.gz");
  ASSERT_TRUE(packed.ok());
  EXPECT_EQ(packed->text(), text);

  testing::write_text(dir / "empty.jsonl", "");
  auto empty = MappedFile::Open(dir / "empty.jsonl");
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty->text(), "");

  auto missing = MappedFile::Open(dir / "missing.jsonl");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("missing.jsonl"), std::string::npos);

  // Moving keeps the view valid; the moved-from object holds nothing.
  MappedFile moved = std::move(*plain);
  EXPECT_EQ(moved.text(), text);
}

TEST(CountNewlines, PlainAndGzipAndNoFinalNewline) {
  testing::TempDir dir;
  testing::write_text(dir / "three.txt", "a\nb\nc\n");
  testing::write_text(dir / "unterminated.txt", "a\nb");
  EXPECT_EQ(*count_newlines(dir / "three.txt"), 3u);
  EXPECT_EQ(*count_newlines(dir / "unterminated.txt"), 1u);
  std::string many(200000, 'x');
  for (size_t i = 0; i < many.size(); i += 100) many[i] = '\n';
  gzFile gz = gzopen((dir / "many.gz").c_str(), "wb");
  ASSERT_NE(gz, nullptr);
  gzwrite(gz, many.data(), static_cast<unsigned>(many.size()));
  gzclose(gz);
  EXPECT_EQ(*count_newlines(dir / "many.gz"), 2000u);
  EXPECT_FALSE(count_newlines(dir / "missing.txt").ok());
}

}  // namespace
}  // namespace cxrvqa
