// The answer cache: one SQLite file, keyed by chat_cache_key. Safe against kill -9 at any
// moment (WAL journal; an answer is either committed whole or absent).
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace cxrvqa::llm {

struct CachedAnswer {
  bool filtered = false;     // a content-filter refusal, recorded so it is not retried
  std::string content;       // the answer, or the filter message
  int prompt_tokens = 0;
  int completion_tokens = 0;
};

class AnswerCache {
 public:
  // Opens (creating when needed) the SQLite file at `path`.
  static Result<std::unique_ptr<AnswerCache>> Open(const std::filesystem::path& path);
  ~AnswerCache();
  AnswerCache(const AnswerCache&) = delete;
  AnswerCache& operator=(const AnswerCache&) = delete;

  Result<std::optional<CachedAnswer>> Get(std::string_view key);
  // Stores (or replaces) the answer for `key`. Writes are grouped into transactions that
  // commit at Flush() or every few hundred rows / fraction of a second.
  Status Put(std::string_view key, const CachedAnswer& answer);
  Status Flush();
  // Number of answers stored.
  Result<size_t> Size();

 private:
  struct Impl;
  explicit AnswerCache(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace cxrvqa::llm
