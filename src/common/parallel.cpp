#include "common/parallel.h"

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include <thread>

namespace cxrvqa {

unsigned resolve_threads(unsigned requested) {
  if (requested > 0) return requested;
  unsigned hardware = std::thread::hardware_concurrency();
  return hardware > 0 ? hardware : 1;
}

void parallel_chunks(size_t n, unsigned threads,
                     const std::function<void(size_t, size_t)>& body, size_t grain) {
  if (n == 0) return;
  unsigned workers = resolve_threads(threads);
  if (workers == 1) {
    body(0, n);
    return;
  }
  tbb::task_arena arena(static_cast<int>(workers));
  arena.execute([&] {
    tbb::parallel_for(tbb::blocked_range<size_t>(0, n, grain),
                      [&](const tbb::blocked_range<size_t>& range) { body(range.begin(), range.end()); });
  });
}

}  // namespace cxrvqa
