#include "pipeline/stage_ledger.h"

#include <algorithm>
#include <chrono>
#include <iterator>

#include <dirent.h>
#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include "common/file_io.h"
#include "common/hash.h"
#include "common/parallel.h"

namespace cxrvqa {

namespace fs = std::filesystem;

namespace {
constexpr const char* kLedgerName = ".stages.json";

// A regular file below a fingerprinted folder.
struct TreeFile {
  std::string relative;  // name relative to the root, '/'-separated
  uintmax_t size = 0;
  struct timespec modified {};
};

// What one folder holds: its regular files (symbolic links to files followed) and its
// sub-folders (symbolic links to folders are not followed, as recursive_directory_iterator
// does not follow them).
struct FolderListing {
  std::vector<TreeFile> files;
  std::vector<std::string> folders;  // relative names, ending in '/'
  Status status;
};

// Lists the folder `relative` (ending in '/', or empty for the root) below `root` (ending
// in '/'). Each entry is looked up relative to the open folder, not by its whole path.
void list_folder(const std::string& root, const std::string& relative, FolderListing& out) {
  std::string path = root + relative;
  DIR* dir = ::opendir(path.c_str());
  if (dir == nullptr) {
    out.status = Status::IoError("cannot list " + path + ": " + errno_text());
    return;
  }
  int fd = ::dirfd(dir);
  while (const struct dirent* entry = ::readdir(dir)) {
    std::string_view name = entry->d_name;
    if (name == "." || name == "..") continue;
    struct stat info {};
    bool is_link = entry->d_type == DT_LNK;
    if (entry->d_type == DT_UNKNOWN) {  // file systems that do not fill d_type
      if (::fstatat(fd, entry->d_name, &info, AT_SYMLINK_NOFOLLOW) != 0) continue;
      is_link = S_ISLNK(info.st_mode);
      if (S_ISDIR(info.st_mode)) out.folders.push_back(relative + std::string(name) + "/");
      if (!S_ISREG(info.st_mode) && !is_link) continue;
    } else if (entry->d_type == DT_DIR) {
      out.folders.push_back(relative + std::string(name) + "/");
      continue;
    } else if (entry->d_type != DT_REG && !is_link) {
      continue;
    }
    if (::fstatat(fd, entry->d_name, &info, 0) != 0) {
      if (is_link) continue;  // a dangling link is no file
      out.status = Status::IoError("cannot read " + path + std::string(name) + ": " + errno_text());
      break;
    }
    if (!S_ISREG(info.st_mode)) continue;  // e.g. a link to a folder
    out.files.push_back({relative + std::string(name), static_cast<uintmax_t>(info.st_size), info.st_mtim});
  }
  ::closedir(dir);
}

// The regular files below `root`, sorted by relative name, with their sizes and modification
// times. The folders of each depth are listed in parallel (a MIMIC report tree has 65,000
// subject folders at depth 3).
Result<std::vector<TreeFile>> list_tree(const fs::path& root) {
  std::string prefix = root.string();
  if (!prefix.empty() && prefix.back() != '/') prefix += '/';
  std::vector<TreeFile> files;
  std::vector<std::string> depth = {""};
  while (!depth.empty()) {
    std::vector<FolderListing> listings(depth.size());
    parallel_in_order(depth.size(), 0, [&](size_t i) { list_folder(prefix, depth[i], listings[i]); });
    std::vector<std::string> next;
    for (FolderListing& listing : listings) {
      CXRVQA_RETURN_IF_ERROR(listing.status);
      std::move(listing.files.begin(), listing.files.end(), std::back_inserter(files));
      std::move(listing.folders.begin(), listing.folders.end(), std::back_inserter(next));
    }
    depth = std::move(next);
  }
  std::sort(files.begin(), files.end(), [](const TreeFile& a, const TreeFile& b) { return a.relative < b.relative; });
  return files;
}

// `by_content`: hash each file's bytes (small directories the pipeline writes itself);
// otherwise its size and modification time (report trees of 200k files).
Result<InputFingerprint> fingerprint_directory(const fs::path& root, bool by_content) {
  CXRVQA_ASSIGN_OR_RETURN(std::vector<TreeFile> files, list_tree(root));
  InputFingerprint fingerprint{root, true, files.size(), 0, ""};
  // Each file's identity: the hash of its bytes, or its modification time. Only the small
  // folders hashed by content need one slot per file (a report tree has 200k files).
  std::vector<Result<std::string>> hashes;
  if (by_content) {
    hashes.resize(files.size(), std::string());
    parallel_chunks(files.size(), 0, [&](size_t begin, size_t end) {
      for (size_t i = begin; i < end; ++i) hashes[i] = sha256_file(root / files[i].relative);
    }, 16);
  }
  // One line per file, "relative\tsize\tidentity".
  std::string listing;
  for (size_t i = 0; i < files.size(); ++i) {
    const TreeFile& file = files[i];
    fingerprint.bytes += file.size;
    listing += file.relative;
    listing += '\t';
    listing += std::to_string(file.size);
    listing += '\t';
    if (by_content) {
      CXRVQA_RETURN_IF_ERROR(hashes[i].status());
      listing += *hashes[i];
    } else {
      listing += std::to_string(file.modified.tv_sec) + "." + std::to_string(file.modified.tv_nsec);
    }
    listing += '\n';
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

std::string file_identity(const fs::path& path) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) return "";
  return std::to_string(info.st_dev) + ":" + std::to_string(info.st_ino) + ":" + std::to_string(info.st_size) +
         ":" + std::to_string(info.st_mtim.tv_sec) + "." + std::to_string(info.st_mtim.tv_nsec);
}

Result<std::string> FileHashMemo::Sha256(const fs::path& path) {
  std::string identity = file_identity(path);
  if (identity.empty()) return sha256_file(path);  // which names the error
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
    if (auto setup = record.find("setup"); setup != record.end()) {
      if (!setup->is_string()) return Status::ParseError("stage '" + stage + "' has a setup that is not a string");
      entry.setup = setup->get<std::string>();
    }
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

bool StageLedger::MayBeUpToDate(const std::string& stage, const std::string& setup) const {
  auto it = records_.find(stage);
  return it != records_.end() && it->second.complete && (it->second.setup.empty() || it->second.setup == setup);
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

Status StageLedger::Complete(const std::string& stage, const std::string& fingerprint, const std::string& setup,
                             const std::vector<std::string>& outputs, Json counts, bool complete) {
  StageRecord record{fingerprint, Json::object(), std::move(counts), complete, setup};
  for (const auto& relative : outputs) {
    CXRVQA_ASSIGN_OR_RETURN(auto hash, hash_output(out_dir_ / relative, hashes_));
    record.outputs[relative] = hash;
  }
  records_[stage] = std::move(record);
  Json json = Json::object();
  for (const auto& [name, entry] : records_) {
    json[name] = {{"fingerprint", entry.fingerprint}, {"outputs", entry.outputs}, {"counts", entry.counts}};
    if (!entry.setup.empty()) json[name]["setup"] = entry.setup;
    if (!entry.complete) json[name]["complete"] = false;
  }
  return write_file_atomic(out_dir_ / kLedgerName, json.dump(2) + "\n");
}

}  // namespace cxrvqa
