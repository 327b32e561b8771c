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

// Calls `body(index)` for each index in [0, n), on at most `threads` threads (0 = all cores),
// starting the indices in increasing order (each thread takes the lowest one not yet taken),
// so that results consumed in index order are ready about in that order. Returns when all
// are done.
void parallel_in_order(size_t n, unsigned threads, const std::function<void(size_t index)>& body);

}  // namespace cxrvqa
