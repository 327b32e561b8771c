#include "pipeline/stage_ledger.h"

#include <algorithm>
#include <chrono>
#include <iterator>

#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include "common/file_io.h"
#include "common/hash.h"
#include "common/parallel.h"

namespace cxrvqa {

namespace fs = std::filesystem;

namespace {
constexpr const char* kLedgerName = ".stages.json";

using FileList = std::vector<std::pair<std::string, fs::path>>;  // (name relative to the root, path)

// `path` relative to `root`, whose paths start with `prefix` (root and a slash).
std::string relative_name(const fs::path& path, const fs::path& root, const std::string& prefix) {
  const std::string& text = path.native();
  return text.starts_with(prefix) ? text.substr(prefix.size()) : path.lexically_relative(root).generic_string();
}

// Appends the regular files below `dir` (symbolic links to directories not followed, as
// recursive_directory_iterator does) to `files`; the listing error, if any.
std::error_code list_files_below(const fs::path& dir, const fs::path& root, const std::string& prefix,
                                 FileList& files) {
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::end(it); it.increment(ec)) {
    if (it->is_regular_file(ec)) files.emplace_back(relative_name(it->path(), root, prefix), it->path());
  }
  return ec;
}

// The regular files below `root`, sorted by relative name. The top-level directories are
// listed in parallel (a report tree's files/pXX folders hold 200k files between them).
Result<FileList> list_files(const fs::path& root) {
  std::string prefix = root.string();
  if (!prefix.empty() && prefix.back() != '/') prefix += '/';
  FileList files;
  std::vector<fs::path> folders;
  std::error_code ec;
  for (fs::directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->is_directory(ec) && !it->is_symlink(ec)) {
      folders.push_back(it->path());
    } else if (it->is_regular_file(ec)) {
      files.emplace_back(relative_name(it->path(), root, prefix), it->path());
    }
  }
  if (ec) return Status::IoError("cannot list " + root.string() + ": " + ec.message());
  std::vector<FileList> below(folders.size());
  std::vector<std::error_code> errors(folders.size());
  parallel_in_order(folders.size(), 0, [&](size_t i) { errors[i] = list_files_below(folders[i], root, prefix, below[i]); });
  for (size_t i = 0; i < folders.size(); ++i) {
    if (errors[i]) return Status::IoError("cannot list " + folders[i].string() + ": " + errors[i].message());
    std::move(below[i].begin(), below[i].end(), std::back_inserter(files));
  }
  std::sort(files.begin(), files.end());
  return files;
}

// `by_content`: hash each file's bytes (small directories the pipeline writes itself);
// otherwise its size and modification time (report trees of 200k files).
Result<InputFingerprint> fingerprint_directory(const fs::path& root, bool by_content) {
  CXRVQA_ASSIGN_OR_RETURN(FileList files, list_files(root));
  InputFingerprint fingerprint{root, true, files.size(), 0, ""};
  // One line per file, "relative\tsize\tidentity", computed on all cores (a stat or a hash each).
  std::vector<std::string> lines(files.size());
  std::vector<uintmax_t> sizes(files.size());
  std::vector<Status> errors(files.size());
  parallel_chunks(files.size(), 0, [&](size_t begin, size_t end) {
    for (size_t i = begin; i < end; ++i) {
      const auto& [relative, path] = files[i];
      struct stat info {};  // one call for size and modification time
      if (::stat(path.c_str(), &info) != 0) {
        errors[i] = Status::IoError("cannot read " + path.string());
        continue;
      }
      sizes[i] = static_cast<uintmax_t>(info.st_size);
      std::string identity;
      if (by_content) {
        auto hash = sha256_file(path);
        if (!hash.ok()) {
          errors[i] = hash.status();
          continue;
        }
        identity = *hash;
      } else {
        identity = std::to_string(info.st_mtim.tv_sec) + "." + std::to_string(info.st_mtim.tv_nsec);
      }
      lines[i] = relative + "\t" + std::to_string(sizes[i]) + "\t" + identity + "\n";
    }
  }, 256);
  std::string listing;
  for (size_t i = 0; i < files.size(); ++i) {
    CXRVQA_RETURN_IF_ERROR(errors[i]);
    fingerprint.bytes += sizes[i];
    listing += lines[i];
  }
  fingerprint.sha256 = sha256_hex(listing);
  return fingerprint;
}

// An output a stage may legitimately not write (e.g. an empty rejects file) is "absent".
constexpr const char* kAbsent = "absent";

Result<std::string> hash_output(const fs::path& path, FileHashMemo& memo) {
  std::error_code ec;
  if (!fs::exists(path, ec)) return std::string(kAbsent);
  if (fs::is_directory(path, ec)) {
    CXRVQA_ASSIGN_OR_RETURN(auto tree, fingerprint_directory(path, /*by_content=*/true));
    return tree.sha256;
  }
  return memo.Sha256(path);
}
}  // namespace

Json InputFingerprint::ToJson() const {
  Json json = Json::object();
  json["path"] = path.string();
  json["kind"] = directory ? "directory" : "file";
  if (directory) json["files"] = files;
  json["bytes"] = bytes;
  json["sha256"] = sha256;
  return json;
}

Result<std::string> FileHashMemo::Sha256(const fs::path& path) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) return sha256_file(path);  // which names the error
  std::string identity = std::to_string(info.st_dev) + ":" + std::to_string(info.st_ino) + ":" +
                         std::to_string(info.st_size) + ":" + std::to_string(info.st_mtim.tv_sec) + "." +
                         std::to_string(info.st_mtim.tv_nsec);
  Entry& entry = entries_[path.string()];
  if (entry.identity != identity || entry.sha256.empty()) {
    CXRVQA_ASSIGN_OR_RETURN(entry.sha256, sha256_file(path));
    entry.identity = identity;
  }
  return entry.sha256;
}

Result<InputFingerprint> fingerprint_input(const fs::path& path, bool directory_by_content, FileHashMemo* memo) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) return fingerprint_directory(path, directory_by_content);
  auto size = fs::file_size(path, ec);
  if (ec) return Status::NotFound("input " + path.string() + ": " + ec.message());
  CXRVQA_ASSIGN_OR_RETURN(auto hash, memo ? memo->Sha256(path) : sha256_file(path));
  return InputFingerprint{path, false, 1, size, hash};
}

Result<StageLedger> StageLedger::Open(const fs::path& out_dir) {
  StageLedger ledger;
  ledger.out_dir_ = out_dir;
  std::error_code ec;
  fs::path file = out_dir / kLedgerName;
  if (!fs::exists(file, ec)) return ledger;
  CXRVQA_ASSIGN_OR_RETURN(auto text, read_file(file));
  auto json = parse_json(text);
  Status read = json.ok() ? ledger.Read(*json) : json.status();
  if (!read.ok()) {
    spdlog::warn("{}: unreadable stage ledger ({}); every stage runs again", file.string(), read.message());
    ledger.records_.clear();
  }
  return ledger;
}

Status StageLedger::Read(const Json& json) {
  if (!json.is_object()) return Status::ParseError("not a JSON object");
  for (const auto& [stage, record] : json.items()) {
    auto fingerprint = record.is_object() ? record.find("fingerprint") : record.end();
    if (!record.is_object() || fingerprint == record.end() || !fingerprint->is_string()) {
      return Status::ParseError("stage '" + stage + "' has no fingerprint string");
    }
    StageRecord entry;
    entry.fingerprint = fingerprint->get<std::string>();
    entry.outputs = record.value("outputs", Json::object());
    entry.counts = record.value("counts", Json::object());
    auto complete = record.find("complete");
    entry.complete = complete == record.end() || (complete->is_boolean() && complete->get<bool>());
    if (!entry.outputs.is_object() || !entry.counts.is_object()) {
      return Status::ParseError("stage '" + stage + "' has outputs or counts that are not objects");
    }
    for (const auto& [output, hash] : entry.outputs.items()) {
      if (!hash.is_string()) return Status::ParseError("stage '" + stage + "': the hash of " + output + " is not a string");
    }
    records_[stage] = std::move(entry);
  }
  return Status::Ok();
}

const StageRecord* StageLedger::UpToDate(const std::string& stage, const std::string& fingerprint) {
  auto it = records_.find(stage);
  if (it == records_.end() || it->second.fingerprint != fingerprint || !it->second.complete) return nullptr;
  for (const auto& [relative, hash] : it->second.outputs.items()) {
    auto current = hash_output(out_dir_ / relative, hashes_);
    if (!current.ok() || *current != hash.get<std::string>()) return nullptr;
  }
  return &it->second;
}

Status StageLedger::Complete(const std::string& stage, const std::string& fingerprint,
                             const std::vector<std::string>& outputs, Json counts, bool complete) {
  StageRecord record{fingerprint, Json::object(), std::move(counts), complete};
  for (const auto& relative : outputs) {
    CXRVQA_ASSIGN_OR_RETURN(auto hash, hash_output(out_dir_ / relative, hashes_));
    record.outputs[relative] = hash;
  }
  records_[stage] = std::move(record);
  Json json = Json::object();
  for (const auto& [name, entry] : records_) {
    json[name] = {{"fingerprint", entry.fingerprint}, {"outputs", entry.outputs}, {"counts", entry.counts}};
    if (!entry.complete) json[name]["complete"] = false;
  }
  return write_file_atomic(out_dir_ / kLedgerName, json.dump(2) + "\n");
}

}  // namespace cxrvqa
