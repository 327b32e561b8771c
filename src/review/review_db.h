// Internal to the review module: the review file (one SQLite database) and its tables.
//
//   meta          key -> value (schema version, dataset, seed, sampling options)
//   studies       one row per sampled study, in review order (position 1..N): report text,
//                 KeyInfo line, highlight spans (JSON), and the reference study's for a
//                 difference question
//   items         the question-answer pairs of the sampled studies, with the official names
//                 of the findings they name (JSON array)
//   verdicts      the current verdict of each (reviewer, item)
//   verdict_log   every verdict ever given, in order (an audit trail)
//   reviewers     where each reviewer was last (to resume there)
//
// Every verdict is one transaction (WAL journal, synchronous FULL): once RecordVerdict
// returns OK the verdict survives the process being killed, or the machine losing power.
// A ReviewDb is thread-safe: calls are serialized on one connection.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

struct sqlite3;

namespace cxrvqa::review_internal {

struct StoredStudy {
  int position = 0;
  std::string study_id, subject_id;
  std::string stratum;        // the question type the study was drawn for
  std::string report_text;    // the text the extractor read
  std::string keyinfo;        // KeyInfo JSON line
  std::string spans;          // JSON array of highlight spans (see highlight.h)
  std::string ref_id;         // reference study of a difference question, "" when none
  std::string ref_report_text, ref_keyinfo, ref_spans;
};

struct StoredItem {
  int64_t item_id = 0;  // assigned by AddItem
  std::string study_id, subject_id, question_type, question, answer, dicom_id, split, ref_id;
  std::string findings;  // JSON array of official finding names
};

inline constexpr std::string_view kVerdictNames[] = {"correct", "wrong", "unsure"};
// The index of `verdict` in kVerdictNames, or -1.
int verdict_index(std::string_view verdict);

struct Verdict {
  std::string reviewer;
  int64_t item_id = 0;
  std::string verdict;       // "correct", "wrong" or "unsure"
  std::string right_answer;  // the answer the reviewer gives instead ("" when none)
  std::string comment;
  std::string given_at;      // UTC, ISO 8601 with milliseconds (set by RecordVerdict)
  int64_t seq = 0;           // order of giving: the verdict_log sequence number
};

// Limits on what a verdict may carry.
inline constexpr size_t kMaxReviewerName = 100;
inline constexpr size_t kMaxVerdictText = 4000;

class ReviewDb {
 public:
  // Creates a new review file with empty tables (the file must not exist).
  static Result<std::unique_ptr<ReviewDb>> Create(const std::filesystem::path& path);
  // Opens an existing review file; NotFound when it does not exist, ParseError when it is not
  // a review file of this program.
  static Result<std::unique_ptr<ReviewDb>> Open(const std::filesystem::path& path);
  ~ReviewDb();
  ReviewDb(const ReviewDb&) = delete;
  ReviewDb& operator=(const ReviewDb&) = delete;

  const std::filesystem::path& path() const { return path_; }

  // Sample writing (one transaction from BeginSample to CommitSample).
  Status BeginSample();
  Status SetMeta(std::string_view key, std::string_view value);
  Status AddStudy(const StoredStudy& study);
  Result<int64_t> AddItem(const StoredItem& item);
  Status CommitSample();

  Result<std::optional<std::string>> Meta(std::string_view key);
  Result<size_t> StudyCount();
  // The study at `position` (1-based); NotFound outside 1..StudyCount().
  Result<StoredStudy> StudyAt(int position);
  // Items of one study (in sample order), or of all studies when `study_id` is nullopt.
  Result<std::vector<StoredItem>> Items(const std::optional<std::string>& study_id);
  // Current verdicts of `reviewer` (every reviewer when nullopt) on the items of `study_id`
  // (all items when nullopt), in item order.
  Result<std::vector<Verdict>> Verdicts(const std::optional<std::string>& reviewer,
                                        const std::optional<std::string>& study_id);
  // Number of items `reviewer` has a verdict on.
  Result<size_t> VerdictCount(std::string_view reviewer);

  // Validates and commits one verdict (current verdict + log entry); returns it with given_at
  // and seq filled. InvalidArgument for an unknown item or verdict, an empty or too long
  // reviewer name or text, or text that is not UTF-8.
  Result<Verdict> RecordVerdict(Verdict verdict);
  // Every verdict given, in order (the log).
  Result<std::vector<Verdict>> VerdictLog();

  // Where `reviewer` was last (0 when never seen); SetPosition records it.
  Result<int> Position(std::string_view reviewer);
  Status SetPosition(std::string_view reviewer, int position);

 private:
  ReviewDb(std::filesystem::path path, sqlite3* db) : path_(std::move(path)), db_(db) {}
  static Result<std::unique_ptr<ReviewDb>> OpenFile(const std::filesystem::path& path, int flags);
  Status Exec(const char* sql);
  Status Error(std::string_view what) const;

  std::filesystem::path path_;
  sqlite3* db_;
  std::mutex mutex_;
};

}  // namespace cxrvqa::review_internal
