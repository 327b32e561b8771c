// A progress bar on standard error, drawn only when standard error is a terminal (or when
// forced): label, bar, count/total, rate, ETA and a caller-supplied detail string.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>

namespace cxrvqa {

bool stderr_is_terminal();

class Progress {
 public:
  // `total` may be 0 when unknown. Nothing is drawn when `enabled` is false.
  Progress(std::string label, size_t total, bool enabled = stderr_is_terminal());
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  // Thread-safe; redraws at most every 100 ms.
  void Add(size_t n = 1);
  // Extra text shown after the rate (e.g. "errors 3, 812 tok/s"). Thread-safe.
  void SetDetail(std::string detail);
  // Draws the final state and ends the line. Called by the destructor if not before.
  void Finish();

  size_t count() const { return count_.load(std::memory_order_relaxed); }
  double elapsed_seconds() const;

 private:
  void Draw(bool final);

  std::string label_;
  size_t total_;
  bool enabled_;
  bool finished_ = false;
  std::atomic<size_t> count_{0};
  std::chrono::steady_clock::time_point start_;
  std::atomic<int64_t> last_draw_ns_{0};
  std::mutex mutex_;
  std::string detail_;
};

}  // namespace cxrvqa
