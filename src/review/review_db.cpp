#include "review/review_db.h"

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <sqlite3.h>

#include <chrono>

#include "common/text.h"

namespace cxrvqa::review_internal {
namespace {

constexpr std::string_view kSchemaVersion = "1";

constexpr const char* kSchema = R"sql(
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE studies (
  position INTEGER PRIMARY KEY,
  study_id TEXT NOT NULL UNIQUE,
  subject_id TEXT NOT NULL,
  stratum TEXT NOT NULL,
  report_text TEXT NOT NULL,
  keyinfo TEXT NOT NULL,
  spans TEXT NOT NULL,
  ref_id TEXT NOT NULL,
  ref_report_text TEXT NOT NULL,
  ref_keyinfo TEXT NOT NULL,
  ref_spans TEXT NOT NULL);
CREATE TABLE items (
  item_id INTEGER PRIMARY KEY,
  study_id TEXT NOT NULL REFERENCES studies(study_id),
  subject_id TEXT NOT NULL,
  question_type TEXT NOT NULL,
  question TEXT NOT NULL,
  answer TEXT NOT NULL,
  dicom_id TEXT NOT NULL,
  split TEXT NOT NULL,
  ref_id TEXT NOT NULL,
  findings TEXT NOT NULL);
CREATE INDEX items_by_study ON items(study_id);
CREATE TABLE verdicts (
  reviewer TEXT NOT NULL,
  item_id INTEGER NOT NULL REFERENCES items(item_id),
  verdict TEXT NOT NULL CHECK (verdict IN ('correct', 'wrong', 'unsure')),
  right_answer TEXT NOT NULL,
  comment TEXT NOT NULL,
  given_at TEXT NOT NULL,
  seq INTEGER NOT NULL,
  PRIMARY KEY (reviewer, item_id));
CREATE TABLE verdict_log (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  reviewer TEXT NOT NULL,
  item_id INTEGER NOT NULL,
  verdict TEXT NOT NULL,
  right_answer TEXT NOT NULL,
  comment TEXT NOT NULL,
  given_at TEXT NOT NULL);
CREATE TABLE reviewers (reviewer TEXT PRIMARY KEY, position INTEGER NOT NULL, updated_at TEXT NOT NULL);
)sql";

struct StatementDeleter {
  void operator()(sqlite3_stmt* statement) const { sqlite3_finalize(statement); }
};

// A prepared statement with positional binding and column reading.
class Statement {
 public:
  Statement(sqlite3* db, const char* sql) {
    sqlite3_stmt* statement = nullptr;
    if (sqlite3_prepare_v2(db, sql, -1, &statement, nullptr) == SQLITE_OK) statement_.reset(statement);
  }
  bool ok() const { return statement_ != nullptr; }
  Statement& Bind(std::string_view text) {
    sqlite3_bind_text(statement_.get(), ++bound_, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Statement& Bind(int64_t number) {
    sqlite3_bind_int64(statement_.get(), ++bound_, number);
    return *this;
  }
  // SQLITE_ROW, SQLITE_DONE or an error code.
  int Step() { return sqlite3_step(statement_.get()); }
  std::string Text(int column) const {
    const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(statement_.get(), column));
    return text ? std::string(text, sqlite3_column_bytes(statement_.get(), column)) : std::string();
  }
  int64_t Int(int column) const { return sqlite3_column_int64(statement_.get(), column); }

 private:
  std::unique_ptr<sqlite3_stmt, StatementDeleter> statement_;
  int bound_ = 0;
};

std::string utc_now() {
  auto now = std::chrono::system_clock::now();
  auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}.{:03d}Z", fmt::gmtime(std::chrono::system_clock::to_time_t(now)),
                     static_cast<int>(millis));
}

Status check_text(std::string_view what, std::string_view text, size_t max_size) {
  if (text.size() > max_size) {
    return Status::InvalidArgument(fmt::format("{} is longer than {} bytes", what, max_size));
  }
  if (!is_valid_utf8(text)) return Status::InvalidArgument(fmt::format("{} is not valid UTF-8", what));
  return Status::Ok();
}

constexpr const char* kStudyColumns =
    "position, study_id, subject_id, stratum, report_text, keyinfo, spans, ref_id, ref_report_text, "
    "ref_keyinfo, ref_spans";
constexpr const char* kItemColumns =
    "item_id, study_id, subject_id, question_type, question, answer, dicom_id, split, ref_id, findings";
constexpr const char* kVerdictColumns = "reviewer, item_id, verdict, right_answer, comment, given_at, seq";

StoredItem read_item(const Statement& row) {
  return StoredItem{row.Int(0), row.Text(1), row.Text(2), row.Text(3), row.Text(4),
                    row.Text(5), row.Text(6), row.Text(7), row.Text(8), row.Text(9)};
}

Verdict read_verdict(const Statement& row) {
  return Verdict{row.Text(0), row.Int(1), row.Text(2), row.Text(3), row.Text(4), row.Text(5), row.Int(6)};
}

// Steps `statement` to its end, turning each row into a T with `read`; false on an error.
template <typename T>
bool collect_rows(Statement& statement, T (*read)(const Statement&), std::vector<T>& out) {
  int rc;
  while ((rc = statement.Step()) == SQLITE_ROW) out.push_back(read(statement));
  return rc == SQLITE_DONE;
}

}  // namespace

int verdict_index(std::string_view verdict) {
  for (size_t i = 0; i < std::size(kVerdictNames); ++i) {
    if (kVerdictNames[i] == verdict) return static_cast<int>(i);
  }
  return -1;
}

Result<std::unique_ptr<ReviewDb>> ReviewDb::OpenFile(const std::filesystem::path& path, int flags) {
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(path.string().c_str(), &db, flags | SQLITE_OPEN_FULLMUTEX, nullptr);
  std::unique_ptr<ReviewDb> review(new ReviewDb(path, db));
  if (rc != SQLITE_OK) return review->Error("open");
  sqlite3_busy_timeout(db, 10'000);
  // WAL + FULL: a committed verdict survives a kill of the process and a power cut.
  CXRVQA_RETURN_IF_ERROR(review->Exec("PRAGMA journal_mode=WAL"));
  CXRVQA_RETURN_IF_ERROR(review->Exec("PRAGMA synchronous=FULL"));
  CXRVQA_RETURN_IF_ERROR(review->Exec("PRAGMA foreign_keys=ON"));
  return review;
}

Result<std::unique_ptr<ReviewDb>> ReviewDb::Create(const std::filesystem::path& path) {
  std::error_code ec;
  if (std::filesystem::exists(path, ec)) return Status::InvalidArgument(path.string() + " already exists");
  CXRVQA_ASSIGN_OR_RETURN(auto review, OpenFile(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE));
  CXRVQA_RETURN_IF_ERROR(review->Exec(kSchema));
  CXRVQA_RETURN_IF_ERROR(review->SetMeta("schema_version", kSchemaVersion));
  return review;
}

Result<std::unique_ptr<ReviewDb>> ReviewDb::Open(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) return Status::NotFound("review file " + path.string() + " not found");
  CXRVQA_ASSIGN_OR_RETURN(auto review, OpenFile(path, SQLITE_OPEN_READWRITE));
  auto version = review->Meta("schema_version");
  if (!version.ok() || !*version) {
    return Status::ParseError(path.string() + " is not a review file (run `cxrvqa review sample` to make one)");
  }
  if (**version != kSchemaVersion) {
    return Status::ParseError(fmt::format("{}: review file schema {} (this program reads {})", path.string(),
                                          **version, kSchemaVersion));
  }
  return review;
}

ReviewDb::~ReviewDb() {
  if (db_ != nullptr) sqlite3_close(db_);
}

Status ReviewDb::Error(std::string_view what) const {
  return Status::IoError(fmt::format("review file {}: {}: {}", path_.string(), what,
                                     db_ != nullptr ? sqlite3_errmsg(db_) : "out of memory"));
}

Status ReviewDb::Exec(const char* sql) {
  if (sqlite3_exec(db_, sql, nullptr, nullptr, nullptr) != SQLITE_OK) return Error("statement failed");
  return Status::Ok();
}

Status ReviewDb::BeginSample() {
  std::lock_guard lock(mutex_);
  return Exec("BEGIN");
}

Status ReviewDb::CommitSample() {
  std::lock_guard lock(mutex_);
  return Exec("COMMIT");
}

Status ReviewDb::SetMeta(std::string_view key, std::string_view value) {
  std::lock_guard lock(mutex_);
  Statement statement(db_, "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)");
  if (!statement.ok() || statement.Bind(key).Bind(value).Step() != SQLITE_DONE) return Error("write meta");
  return Status::Ok();
}

Status ReviewDb::AddStudy(const StoredStudy& s) {
  std::lock_guard lock(mutex_);
  Statement statement(db_, fmt::format("INSERT INTO studies ({}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                                       kStudyColumns).c_str());
  if (!statement.ok()) return Error("prepare study");
  statement.Bind(int64_t{s.position}).Bind(s.study_id).Bind(s.subject_id).Bind(s.stratum).Bind(s.report_text);
  statement.Bind(s.keyinfo).Bind(s.spans).Bind(s.ref_id).Bind(s.ref_report_text).Bind(s.ref_keyinfo).Bind(s.ref_spans);
  if (statement.Step() != SQLITE_DONE) return Error("write study " + s.study_id);
  return Status::Ok();
}

Result<int64_t> ReviewDb::AddItem(const StoredItem& item) {
  std::lock_guard lock(mutex_);
  Statement statement(db_, "INSERT INTO items (study_id, subject_id, question_type, question, answer, dicom_id, "
                           "split, ref_id, findings) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
  if (!statement.ok()) return Error("prepare item");
  statement.Bind(item.study_id).Bind(item.subject_id).Bind(item.question_type).Bind(item.question);
  statement.Bind(item.answer).Bind(item.dicom_id).Bind(item.split).Bind(item.ref_id).Bind(item.findings);
  if (statement.Step() != SQLITE_DONE) return Error("write item of study " + item.study_id);
  return static_cast<int64_t>(sqlite3_last_insert_rowid(db_));
}

Result<std::optional<std::string>> ReviewDb::Meta(std::string_view key) {
  std::lock_guard lock(mutex_);
  Statement statement(db_, "SELECT value FROM meta WHERE key = ?");
  if (!statement.ok()) return Error("read meta");
  int rc = statement.Bind(key).Step();
  if (rc == SQLITE_DONE) return std::optional<std::string>();
  if (rc != SQLITE_ROW) return Error("read meta");
  return std::optional<std::string>(statement.Text(0));
}

Result<size_t> ReviewDb::StudyCount() {
  std::lock_guard lock(mutex_);
  Statement statement(db_, "SELECT COUNT(*) FROM studies");
  if (!statement.ok() || statement.Step() != SQLITE_ROW) return Error("count studies");
  return static_cast<size_t>(statement.Int(0));
}

Result<StoredStudy> ReviewDb::StudyAt(int position) {
  std::lock_guard lock(mutex_);
  Statement statement(db_, fmt::format("SELECT {} FROM studies WHERE position = ?", kStudyColumns).c_str());
  if (!statement.ok()) return Error("read study");
  int rc = statement.Bind(int64_t{position}).Step();
  if (rc == SQLITE_DONE) return Status::NotFound(fmt::format("no study at position {}", position));
  if (rc != SQLITE_ROW) return Error("read study");
  return StoredStudy{static_cast<int>(statement.Int(0)), statement.Text(1), statement.Text(2), statement.Text(3),
                     statement.Text(4), statement.Text(5), statement.Text(6), statement.Text(7),
                     statement.Text(8), statement.Text(9), statement.Text(10)};
}

Result<std::vector<StoredItem>> ReviewDb::Items(const std::optional<std::string>& study_id) {
  std::lock_guard lock(mutex_);
  std::string sql = fmt::format("SELECT {} FROM items{} ORDER BY item_id", kItemColumns,
                                study_id ? " WHERE study_id = ?" : "");
  Statement statement(db_, sql.c_str());
  if (!statement.ok()) return Error("read items");
  if (study_id) statement.Bind(*study_id);
  std::vector<StoredItem> items;
  if (!collect_rows(statement, read_item, items)) return Error("read items");
  return items;
}

Result<std::vector<Verdict>> ReviewDb::Verdicts(const std::optional<std::string>& reviewer,
                                                const std::optional<std::string>& study_id) {
  std::lock_guard lock(mutex_);
  std::string sql = fmt::format("SELECT {} FROM verdicts WHERE 1", kVerdictColumns);
  if (reviewer) sql += " AND reviewer = ?";
  if (study_id) sql += " AND item_id IN (SELECT item_id FROM items WHERE study_id = ?)";
  sql += " ORDER BY item_id, seq";
  Statement statement(db_, sql.c_str());
  if (!statement.ok()) return Error("read verdicts");
  if (reviewer) statement.Bind(*reviewer);
  if (study_id) statement.Bind(*study_id);
  std::vector<Verdict> verdicts;
  if (!collect_rows(statement, read_verdict, verdicts)) return Error("read verdicts");
  return verdicts;
}

Result<size_t> ReviewDb::VerdictCount(std::string_view reviewer) {
  std::lock_guard lock(mutex_);
  Statement statement(db_, "SELECT COUNT(*) FROM verdicts WHERE reviewer = ?");
  if (!statement.ok() || statement.Bind(reviewer).Step() != SQLITE_ROW) return Error("count verdicts");
  return static_cast<size_t>(statement.Int(0));
}

Result<Verdict> ReviewDb::RecordVerdict(Verdict v) {
  if (v.reviewer.empty()) return Status::InvalidArgument("a verdict needs a reviewer name");
  CXRVQA_RETURN_IF_ERROR(check_text("reviewer name", v.reviewer, kMaxReviewerName));
  CXRVQA_RETURN_IF_ERROR(check_text("right answer", v.right_answer, kMaxVerdictText));
  CXRVQA_RETURN_IF_ERROR(check_text("comment", v.comment, kMaxVerdictText));
  if (verdict_index(v.verdict) < 0) {
    return Status::InvalidArgument("verdict must be correct, wrong or unsure, not '" + v.verdict + "'");
  }
  std::lock_guard lock(mutex_);
  {
    Statement exists(db_, "SELECT 1 FROM items WHERE item_id = ?");
    if (!exists.ok()) return Error("read items");
    int rc = exists.Bind(v.item_id).Step();
    if (rc == SQLITE_DONE) return Status::InvalidArgument(fmt::format("no item {}", v.item_id));
    if (rc != SQLITE_ROW) return Error("read items");
  }
  v.given_at = utc_now();
  CXRVQA_RETURN_IF_ERROR(Exec("BEGIN IMMEDIATE"));
  Statement log(db_, "INSERT INTO verdict_log (reviewer, item_id, verdict, right_answer, comment, given_at) "
                     "VALUES (?, ?, ?, ?, ?, ?)");
  bool written = log.ok() && log.Bind(v.reviewer).Bind(v.item_id).Bind(v.verdict).Bind(v.right_answer)
                                     .Bind(v.comment).Bind(v.given_at).Step() == SQLITE_DONE;
  if (written) {
    v.seq = sqlite3_last_insert_rowid(db_);
    Statement current(db_, fmt::format("INSERT OR REPLACE INTO verdicts ({}) VALUES (?, ?, ?, ?, ?, ?, ?)",
                                       kVerdictColumns).c_str());
    written = current.ok() && current.Bind(v.reviewer).Bind(v.item_id).Bind(v.verdict).Bind(v.right_answer)
                                      .Bind(v.comment).Bind(v.given_at).Bind(v.seq).Step() == SQLITE_DONE;
  }
  if (!written) {
    Status error = Error("write verdict");
    // The write error is the one to report; a failed rollback adds only that the transaction
    // stays open until the connection closes (SQLite then rolls it back).
    if (Status rolled_back = Exec("ROLLBACK"); !rolled_back.ok()) {
      return Status(error.code(), error.message() + "; " + rolled_back.message());
    }
    return error;
  }
  CXRVQA_RETURN_IF_ERROR(Exec("COMMIT"));
  return v;
}

Result<std::vector<Verdict>> ReviewDb::VerdictLog() {
  std::lock_guard lock(mutex_);
  Statement statement(db_, fmt::format("SELECT {} FROM verdict_log ORDER BY seq", kVerdictColumns).c_str());
  if (!statement.ok()) return Error("read verdict log");
  std::vector<Verdict> verdicts;
  if (!collect_rows(statement, read_verdict, verdicts)) return Error("read verdict log");
  return verdicts;
}

Result<int> ReviewDb::Position(std::string_view reviewer) {
  std::lock_guard lock(mutex_);
  Statement statement(db_, "SELECT position FROM reviewers WHERE reviewer = ?");
  if (!statement.ok()) return Error("read position");
  int rc = statement.Bind(reviewer).Step();
  if (rc == SQLITE_DONE) return 0;
  if (rc != SQLITE_ROW) return Error("read position");
  return static_cast<int>(statement.Int(0));
}

Status ReviewDb::SetPosition(std::string_view reviewer, int position) {
  CXRVQA_RETURN_IF_ERROR(check_text("reviewer name", reviewer, kMaxReviewerName));
  std::lock_guard lock(mutex_);
  Statement statement(db_, "INSERT OR REPLACE INTO reviewers (reviewer, position, updated_at) VALUES (?, ?, ?)");
  if (!statement.ok() || statement.Bind(reviewer).Bind(int64_t{position}).Bind(utc_now()).Step() != SQLITE_DONE) {
    return Error("write position");
  }
  return Status::Ok();
}

}  // namespace cxrvqa::review_internal
