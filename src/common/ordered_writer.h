// Output made in numbered blocks by several threads, written in block order as it comes.
#pragma once

#include <cstddef>
#include <map>
#include <mutex>
#include <string>

#include "common/file_io.h"
#include "common/status.h"

namespace cxrvqa {

// Appends blocks 0, 1, 2, ... to `file` in that order, whatever order they are handed in:
// a block is written as soon as every block before it has been, and held until then. With
// blocks handed in roughly in order (parallel_chunks with a small grain), only the text of
// the blocks in flight is in memory, never a whole file's. Does not own `file`, which must
// outlive it; the caller commits the file once status() is OK and every block was put.
// Thread-safe: Put may be called from any thread.
class OrderedBlockWriter {
 public:
  explicit OrderedBlockWriter(AtomicFileWriter& file) : file_(file) {}

  // Takes block `index` (each index once). After a write error the blocks are dropped and
  // status() holds the error.
  void Put(size_t index, std::string block);

  // OK, or the first write error.
  Status status() const;

 private:
  AtomicFileWriter& file_;
  mutable std::mutex mutex_;
  std::map<size_t, std::string> held_;  // blocks waiting for an earlier one
  size_t next_ = 0;                     // the index of the next block to write
  Status status_;
};

}  // namespace cxrvqa
