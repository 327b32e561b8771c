// Stage bookkeeping for `cxrvqa pipeline`: a stage is skipped when its fingerprint (stage
// name, program version, options and the content of its inputs) matches the one recorded
// when it last completed and its outputs are still there unchanged.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "common/json.h"
#include "common/status.h"

namespace cxrvqa {

// What identifies one input: a file by the SHA-256 of its bytes; a directory by the SHA-256
// over its files' relative paths, sizes and either their bytes (directory_by_content) or
// their modification times (report trees of 200k files, where hashing every byte is slow).
struct InputFingerprint {
  std::filesystem::path path;
  bool directory = false;
  size_t files = 0;   // 1 for a file
  size_t bytes = 0;
  std::string sha256;
  Json ToJson() const;
};

// What identifies the present version of a file without reading it: its device, inode,
// size and modification time ("" when it cannot be read). Outputs are replaced by rename, so
// a rewritten file has another identity.
std::string file_identity(const std::filesystem::path& path);

// The SHA-256 of files, remembered for one run by path, device, inode, size and modification
// time, so that each output is hashed once although the ledger, the next stage's fingerprint
// and the manifest all ask for it; a file replaced or changed since (outputs are written by
// rename) is hashed again. Not thread-safe.
class FileHashMemo {
 public:
  Result<std::string> Sha256(const std::filesystem::path& path);

 private:
  struct Entry {
    std::string identity;  // device, inode, size and modification time
    std::string sha256;
  };
  std::map<std::string, Entry> entries_;
};

// `memo` (may be null) serves the hash of a file input.
Result<InputFingerprint> fingerprint_input(const std::filesystem::path& path,
                                           bool directory_by_content, FileHashMemo* memo = nullptr);

// A completed stage as recorded in the ledger.
struct StageRecord {
  std::string fingerprint;
  Json outputs = Json::object();  // output path (relative to the out dir) -> sha256
  Json counts = Json::object();   // the stage's summary figures
  bool complete = true;           // false: some studies failed; the stage runs again
  // The hash of what the fingerprint holds besides the inputs (stage, program build,
  // options); "" in ledgers written before it was recorded.
  std::string setup;
};

// The ledger file (<out_dir>/.stages.json). Writes are atomic, one per completed stage, so
// a run interrupted mid-stage re-runs that stage and no other.
class StageLedger {
 public:
  // The ledger of `out_dir`; empty when there is none. A ledger that cannot be read (not
  // JSON, fields of the wrong type) is ignored with a warning, so every stage runs again.
  static Result<StageLedger> Open(const std::filesystem::path& out_dir);

  // Whether `stage` may be up to date: it has a record of a complete run with the same
  // `setup` (or one that did not record its setup). When not, the stage runs whatever its
  // inputs are, and their fingerprint need not be known first.
  bool MayBeUpToDate(const std::string& stage, const std::string& setup) const;
  // The record of `stage` when it completed, its fingerprint equals `fingerprint` and every
  // output it lists still has the recorded hash; nullptr otherwise.
  const StageRecord* UpToDate(const std::string& stage, const std::string& fingerprint);
  // Records `stage` with its fingerprint and setup (see StageRecord) and `outputs` (paths
  // relative to the out dir) hashed now. `complete` is false when some of its studies
  // failed: the stage is then never up to date.
  Status Complete(const std::string& stage, const std::string& fingerprint, const std::string& setup,
                  const std::vector<std::string>& outputs, Json counts, bool complete = true);
  // The hashes of the files the ledger has hashed in this run, for the run's other uses.
  FileHashMemo& hashes() { return hashes_; }

 private:
  Status Read(const Json& json);

  std::filesystem::path out_dir_;
  std::map<std::string, StageRecord> records_;
  FileHashMemo hashes_;
};

}  // namespace cxrvqa
