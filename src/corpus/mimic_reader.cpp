// MIMIC-CXR report trees: files/pXX/pSUBJECT/sSTUDY.txt, visited in metadata order or in
// sorted path order.
#include <algorithm>
#include <functional>
#include <optional>
#include <unordered_set>

#include "common/file_io.h"
#include "common/parallel.h"
#include "corpus/metadata.h"
#include "corpus/readers.h"

namespace cxrvqa {

namespace fs = std::filesystem;

namespace corpus_internal {

fs::path mimic_files_dir(const fs::path& root) {
  std::error_code ec;
  fs::path files = root / "files";
  return fs::is_directory(files, ec) ? files : root;
}

}  // namespace corpus_internal

namespace {

using corpus_internal::mimic_files_dir;

// A study on its way out of a MIMIC reader: its ids and file, or an issue met while
// listing; the file's content once loaded.
struct PendingStudy {
  Report report;
  fs::path path;                      // empty for an issue-only entry
  std::optional<CorpusIssue> issue;   // recorded, in order, when the entry is returned
  Result<std::string> content = std::string();
};

// Shared by both MIMIC readers: report files are read a block at a time on all cores (report
// trees hold hundreds of thousands of small files, and reading them is the slow part), then
// handed out in order, with issues recorded in that same order.
class MimicReaderBase : public CorpusReader {
 public:
  bool Next(Report& report) final {
    for (;;) {
      if (next_ < block_.size()) {
        if (Accept(block_[next_++], report)) return true;
        continue;
      }
      block_.clear();
      next_ = 0;
      if (!ListNext(kBlock, block_)) return false;
      Load();
    }
  }

 protected:
  // Appends up to `count` entries (studies or issues) in corpus order; false when nothing
  // is left.
  virtual bool ListNext(size_t count, std::vector<PendingStudy>& out) = 0;

 private:
  static constexpr size_t kBlock = 4096;

  void Load() {
    parallel_chunks(block_.size(), 0, [&](size_t begin, size_t end) {
      for (size_t i = begin; i < end; ++i) {
        PendingStudy& study = block_[i];
        if (study.path.empty()) continue;
        study.content = read_file(study.path);
        std::error_code ec;
        if (!study.content.ok() && !fs::is_regular_file(study.path, ec)) {
          study.issue = CorpusIssue{study.path.string(), 0, study.report.study_id, "missing file"};
          study.path.clear();
        }
      }
    }, 16);
  }

  bool Accept(PendingStudy& study, Report& report) {
    if (study.issue) add_issue(std::move(*study.issue));
    if (study.path.empty()) return false;
    report = std::move(study.report);
    report.source = study.path.string();
    if (!study.content.ok()) {
      add_issue({report.source, 0, report.study_id, "unreadable file: " + study.content.status().message()});
      return false;
    }
    report.text = std::move(*study.content);
    return accept_report(report, report.source, 0);
  }

  std::vector<PendingStudy> block_;
  size_t next_ = 0;
};

// Studies listed in mimic_all.csv, in its order.
class MimicMetadataReader : public MimicReaderBase {
 public:
  MimicMetadataReader(fs::path files_dir, std::shared_ptr<const std::vector<StudyRecord>> records)
      : files_dir_(std::move(files_dir)), records_(std::move(records)) {
    set_total_hint(records_->size());
  }

  bool ListNext(size_t count, std::vector<PendingStudy>& out) override {
    size_t listed = out.size();
    while (next_ < records_->size() && out.size() - listed < count) {
      const StudyRecord& record = (*records_)[next_++];
      PendingStudy& study = out.emplace_back();
      if (!seen_.insert(record.study_id).second) {
        study.issue = CorpusIssue{files_dir_.string(), 0, record.study_id, "duplicate study: listed again in the metadata"};
        continue;
      }
      if (record.subject_id.size() < 2) {
        study.issue = CorpusIssue{files_dir_.string(), 0, record.study_id, "no subject_id: cannot locate the report file"};
        continue;
      }
      study.path = files_dir_ / ("p" + record.subject_id.substr(0, 2)) / ("p" + record.subject_id) /
                   ("s" + record.study_id + ".txt");
      study.report = Report{record.study_id, record.subject_id, "", ""};
    }
    return out.size() > listed;
  }

 private:
  fs::path files_dir_;
  std::shared_ptr<const std::vector<StudyRecord>> records_;
  size_t next_ = 0;
  std::unordered_set<std::string> seen_;
};

// The entries of `dir` that satisfy `keep`, sorted by name.
std::vector<fs::path> sorted_entries(const fs::path& dir,
                                     const std::function<bool(const fs::directory_entry&)>& keep,
                                     std::error_code& ec) {
  std::vector<fs::path> out;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (keep(*it)) out.push_back(it->path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

bool is_prefixed_dir(const fs::directory_entry& entry) {
  std::error_code ec;
  std::string name = entry.path().filename().string();
  return name.size() > 1 && name[0] == 'p' && entry.is_directory(ec);
}

bool is_report_file(const fs::directory_entry& entry) {
  std::error_code ec;
  std::string name = entry.path().filename().string();
  return name.size() > 5 && name[0] == 's' && entry.path().extension() == ".txt" &&
         entry.is_regular_file(ec);
}

// The whole tree in sorted path order, one subject folder listed at a time.
class MimicTreeReader : public MimicReaderBase {
 public:
  explicit MimicTreeReader(fs::path files_dir) : files_dir_(std::move(files_dir)) {}

  Status Start() {
    std::error_code ec;
    groups_ = sorted_entries(files_dir_, is_prefixed_dir, ec);
    if (ec) return Status::IoError(files_dir_.string() + ": cannot list: " + ec.message());
    return Status::Ok();
  }

  bool ListNext(size_t count, std::vector<PendingStudy>& out) override {
    size_t listed = out.size();
    while (out.size() - listed < count) {
      if (study_ < studies_.size()) {
        const fs::path& path = studies_[study_++];
        PendingStudy& study = out.emplace_back();
        study.path = path;
        study.report = Report{path.stem().string().substr(1), path.parent_path().filename().string().substr(1), "", ""};
      } else if (subject_ < subjects_.size()) {
        studies_ = List(subjects_[subject_++], is_report_file, out);
        study_ = 0;
      } else if (group_ < groups_.size()) {
        subjects_ = List(groups_[group_++], is_prefixed_dir, out);
        subject_ = 0;
      } else {
        break;
      }
    }
    return out.size() > listed;
  }

 private:
  // The entries of `dir` that `keep` accepts; an unreadable folder becomes an issue entry.
  std::vector<fs::path> List(const fs::path& dir, bool (*keep)(const fs::directory_entry&),
                             std::vector<PendingStudy>& out) {
    std::error_code ec;
    auto entries = sorted_entries(dir, keep, ec);
    if (ec) out.emplace_back().issue = CorpusIssue{dir.string(), 0, "", "unreadable folder: " + ec.message()};
    return entries;
  }

  fs::path files_dir_;
  std::vector<fs::path> groups_, subjects_, studies_;
  size_t group_ = 0, subject_ = 0, study_ = 0;
};

Status require_directory(const fs::path& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return Status::NotFound(dir.string() + ": no such report folder");
  return Status::Ok();
}

}  // namespace

namespace corpus_internal {

Result<std::unique_ptr<CorpusReader>> open_mimic_tree(const fs::path& root) {
  CXRVQA_RETURN_IF_ERROR(require_directory(root));
  auto reader = std::make_unique<MimicTreeReader>(mimic_files_dir(root));
  CXRVQA_RETURN_IF_ERROR(reader->Start());
  return std::unique_ptr<CorpusReader>(std::move(reader));
}

}  // namespace corpus_internal

Result<std::unique_ptr<CorpusReader>> open_mimic_corpus(
    const fs::path& root, std::shared_ptr<const std::vector<StudyRecord>> records) {
  CXRVQA_RETURN_IF_ERROR(require_directory(root));
  return std::unique_ptr<CorpusReader>(
      std::make_unique<MimicMetadataReader>(mimic_files_dir(root), std::move(records)));
}

}  // namespace cxrvqa
