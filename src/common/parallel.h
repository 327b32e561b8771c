// Parallel loops over index ranges (oneTBB). Callers write results by index, so output order
// never depends on the thread count.
#pragma once

#include <cstddef>
#include <functional>

namespace cxrvqa {

// `requested`, or the number of hardware threads when it is 0.
unsigned resolve_threads(unsigned requested);

// Calls `body(begin, end)` on disjoint chunks covering [0, n), on at most `threads` threads
// (0 = all cores). Returns when all chunks are done.
void parallel_chunks(size_t n, unsigned threads,
                     const std::function<void(size_t begin, size_t end)>& body,
                     size_t grain = 64);

}  // namespace cxrvqa
