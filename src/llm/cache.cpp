#include "llm/cache.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <sqlite3.h>

#include <chrono>

namespace cxrvqa::llm {
namespace {

constexpr int kRowsPerTransaction = 256;
constexpr auto kMaxTransactionAge = std::chrono::milliseconds(250);

struct StatementDeleter {
  void operator()(sqlite3_stmt* statement) const { sqlite3_finalize(statement); }
};
using Statement = std::unique_ptr<sqlite3_stmt, StatementDeleter>;

}  // namespace

struct AnswerCache::Impl {
  sqlite3* db = nullptr;
  std::filesystem::path path;
  Statement get;
  Statement put;
  int pending_rows = 0;
  std::chrono::steady_clock::time_point transaction_start;

  ~Impl() {
    // A destructor cannot return the error: the answers of the last transaction are lost
    // then (their studies are asked again next run), so say so.
    if (pending_rows > 0) {
      Status committed = Exec("COMMIT");
      if (!committed.ok()) spdlog::warn("{} ({} answers not kept)", committed.message(), pending_rows);
    }
    get.reset();
    put.reset();
    if (db != nullptr) sqlite3_close(db);
  }

  Status Error(std::string_view what) const {
    return Status::IoError(fmt::format("answer cache {}: {}: {}", path.string(), what, sqlite3_errmsg(db)));
  }
  Status Exec(const char* sql) {
    if (sqlite3_exec(db, sql, nullptr, nullptr, nullptr) != SQLITE_OK) return Error(sql);
    return Status::Ok();
  }
  Result<Statement> Prepare(const char* sql) {
    sqlite3_stmt* statement = nullptr;
    if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &statement, nullptr) != SQLITE_OK) {
      return Error("prepare");
    }
    return Statement(statement);
  }
  Status Commit() {
    if (pending_rows == 0) return Status::Ok();
    pending_rows = 0;
    return Exec("COMMIT");
  }
};

AnswerCache::AnswerCache(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
AnswerCache::~AnswerCache() = default;

Result<std::unique_ptr<AnswerCache>> AnswerCache::Open(const std::filesystem::path& path) {
  std::error_code ec;
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path(), ec);
  auto impl = std::make_unique<Impl>();
  impl->path = path;
  if (sqlite3_open_v2(path.string().c_str(), &impl->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) !=
      SQLITE_OK) {
    return impl->Error("open");
  }
  sqlite3_busy_timeout(impl->db, 10'000);
  // WAL + NORMAL: a committed transaction survives the process being killed at any moment.
  CXRVQA_RETURN_IF_ERROR(impl->Exec("PRAGMA journal_mode=WAL"));
  CXRVQA_RETURN_IF_ERROR(impl->Exec("PRAGMA synchronous=NORMAL"));
  CXRVQA_RETURN_IF_ERROR(impl->Exec(
      "CREATE TABLE IF NOT EXISTS answers (key TEXT PRIMARY KEY, filtered INTEGER NOT NULL, "
      "content TEXT NOT NULL, prompt_tokens INTEGER NOT NULL, completion_tokens INTEGER NOT NULL)"));
  CXRVQA_ASSIGN_OR_RETURN(auto get, impl->Prepare("SELECT filtered, content, prompt_tokens, completion_tokens FROM answers WHERE key = ?"));
  CXRVQA_ASSIGN_OR_RETURN(auto put, impl->Prepare("INSERT OR REPLACE INTO answers VALUES (?, ?, ?, ?, ?)"));
  impl->get = std::move(get);
  impl->put = std::move(put);
  return std::unique_ptr<AnswerCache>(new AnswerCache(std::move(impl)));
}

Result<std::optional<CachedAnswer>> AnswerCache::Get(std::string_view key) {
  sqlite3_stmt* statement = impl_->get.get();
  sqlite3_reset(statement);
  sqlite3_bind_text(statement, 1, key.data(), static_cast<int>(key.size()), SQLITE_STATIC);
  int rc = sqlite3_step(statement);
  if (rc == SQLITE_DONE) return std::optional<CachedAnswer>();
  if (rc != SQLITE_ROW) return impl_->Error("read");
  CachedAnswer answer;
  answer.filtered = sqlite3_column_int(statement, 0) != 0;
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(statement, 1));
  answer.content.assign(text ? text : "", sqlite3_column_bytes(statement, 1));
  answer.prompt_tokens = sqlite3_column_int(statement, 2);
  answer.completion_tokens = sqlite3_column_int(statement, 3);
  sqlite3_reset(statement);
  return std::optional<CachedAnswer>(std::move(answer));
}

Status AnswerCache::Put(std::string_view key, const CachedAnswer& answer) {
  if (impl_->pending_rows == 0) {
    CXRVQA_RETURN_IF_ERROR(impl_->Exec("BEGIN"));
    impl_->transaction_start = std::chrono::steady_clock::now();
  }
  sqlite3_stmt* statement = impl_->put.get();
  sqlite3_reset(statement);
  sqlite3_bind_text(statement, 1, key.data(), static_cast<int>(key.size()), SQLITE_STATIC);
  sqlite3_bind_int(statement, 2, answer.filtered ? 1 : 0);
  sqlite3_bind_text(statement, 3, answer.content.data(), static_cast<int>(answer.content.size()), SQLITE_STATIC);
  sqlite3_bind_int(statement, 4, answer.prompt_tokens);
  sqlite3_bind_int(statement, 5, answer.completion_tokens);
  int rc = sqlite3_step(statement);
  sqlite3_reset(statement);
  ++impl_->pending_rows;
  if (rc != SQLITE_DONE) return impl_->Error("write");
  if (impl_->pending_rows >= kRowsPerTransaction ||
      std::chrono::steady_clock::now() - impl_->transaction_start > kMaxTransactionAge) {
    return impl_->Commit();
  }
  return Status::Ok();
}

Status AnswerCache::Flush() { return impl_->Commit(); }

Result<size_t> AnswerCache::Size() {
  CXRVQA_ASSIGN_OR_RETURN(auto count, impl_->Prepare("SELECT COUNT(*) FROM answers"));
  if (sqlite3_step(count.get()) != SQLITE_ROW) return impl_->Error("count");
  return static_cast<size_t>(sqlite3_column_int64(count.get(), 0));
}

}  // namespace cxrvqa::llm
