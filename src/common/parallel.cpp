#include "common/parallel.h"

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <atomic>
#include <thread>

namespace cxrvqa {

unsigned resolve_threads(unsigned requested) {
  if (requested > 0) return requested;
  unsigned hardware = std::thread::hardware_concurrency();
  return hardware > 0 ? hardware : 1;
}

namespace {

// Runs `work` with at most `workers` threads: in the process's own TBB arena when that many
// is all cores (an arena of its own per call costs thread wake-ups on every call, and the
// readers call this once per block of files), else in an arena of that size.
template <typename Work>
void in_arena(unsigned workers, const Work& work) {
  if (workers >= resolve_threads(0)) {
    work();
    return;
  }
  tbb::task_arena arena(static_cast<int>(workers));
  arena.execute(work);
}

}  // namespace

void parallel_chunks(size_t n, unsigned threads,
                     const std::function<void(size_t, size_t)>& body, size_t grain) {
  if (n == 0) return;
  unsigned workers = resolve_threads(threads);
  if (workers == 1) {
    body(0, n);
    return;
  }
  in_arena(workers, [&] {
    tbb::parallel_for(tbb::blocked_range<size_t>(0, n, grain),
                      [&](const tbb::blocked_range<size_t>& range) { body(range.begin(), range.end()); });
  });
}

void parallel_in_order(size_t n, unsigned threads, const std::function<void(size_t)>& body) {
  unsigned workers = static_cast<unsigned>(std::min<size_t>(resolve_threads(threads), n));
  std::atomic<size_t> next{0};
  auto drain = [&](size_t) {
    for (size_t index = next++; index < n; index = next++) body(index);
  };
  if (workers <= 1) {
    drain(0);
    return;
  }
  in_arena(workers, [&] { tbb::parallel_for(size_t{0}, static_cast<size_t>(workers), drain); });
}

}  // namespace cxrvqa
