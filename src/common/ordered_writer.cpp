#include "common/ordered_writer.h"

namespace cxrvqa {

void OrderedBlockWriter::Put(size_t index, std::string block) {
  std::lock_guard<std::mutex> lock(mutex_);
  held_.emplace(index, std::move(block));
  for (auto first = held_.begin(); first != held_.end() && first->first == next_; first = held_.begin()) {
    if (status_.ok()) status_ = file_.Write(first->second);
    held_.erase(first);
    ++next_;
  }
}

Status OrderedBlockWriter::status() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return status_;
}

}  // namespace cxrvqa
