#include "common/progress.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>

namespace cxrvqa {

namespace {
constexpr int64_t kRedrawNs = 100'000'000;
constexpr int kBarWidth = 24;

std::string format_duration(double seconds) {
  if (seconds < 0 || seconds > 1e7) return "--:--";
  auto s = static_cast<long>(seconds + 0.5);
  if (s >= 3600) return fmt::format("{}:{:02}:{:02}", s / 3600, (s / 60) % 60, s % 60);
  return fmt::format("{:02}:{:02}", s / 60, s % 60);
}
}  // namespace

bool stderr_is_terminal() { return isatty(STDERR_FILENO) == 1; }

Progress::Progress(std::string label, size_t total, bool enabled)
    : label_(std::move(label)), total_(total), enabled_(enabled),
      start_(std::chrono::steady_clock::now()) {}

Progress::~Progress() { Finish(); }

double Progress::elapsed_seconds() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

void Progress::Add(size_t n) {
  count_.fetch_add(n, std::memory_order_relaxed);
  if (!enabled_) return;
  int64_t now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                    std::chrono::steady_clock::now() - start_).count();
  int64_t last = last_draw_ns_.load(std::memory_order_relaxed);
  if (now - last < kRedrawNs) return;
  if (!last_draw_ns_.compare_exchange_strong(last, now)) return;
  std::unique_lock lock(mutex_, std::try_to_lock);
  if (lock.owns_lock()) Draw(false);
}

void Progress::SetDetail(std::string detail) {
  std::lock_guard lock(mutex_);
  detail_ = std::move(detail);
}

void Progress::Finish() {
  std::lock_guard lock(mutex_);
  if (finished_) return;
  finished_ = true;
  if (enabled_) Draw(true);
}

void Progress::Draw(bool final) {
  size_t done = count();
  double elapsed = elapsed_seconds();
  double rate = elapsed > 0 ? done / elapsed : 0.0;
  std::string line = fmt::format("\r{} ", label_);
  if (total_ > 0) {
    double fraction = std::min(1.0, static_cast<double>(done) / total_);
    int filled = static_cast<int>(fraction * kBarWidth);
    line += "[" + std::string(filled, '#') + std::string(kBarWidth - filled, '.') + "] ";
    line += fmt::format("{}/{} {:.0f}/s ", done, total_, rate);
    double eta = rate > 0 ? (total_ - std::min(done, total_)) / rate : -1;
    line += final ? "in " + format_duration(elapsed) : "ETA " + format_duration(eta);
  } else {
    line += fmt::format("{} {:.0f}/s {}", done, rate, format_duration(elapsed));
  }
  if (!detail_.empty()) line += "  " + detail_;
  line += "\x1b[K";
  if (final) line += "\n";
  std::fputs(line.c_str(), stderr);
  std::fflush(stderr);
}

}  // namespace cxrvqa
