// MIMIC-CXR report trees: files/pXX/pSUBJECT/sSTUDY.txt, visited in metadata order or in
// sorted path order.
#include <algorithm>
#include <functional>
#include <unordered_set>

#include "common/file_io.h"
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

// Shared by both MIMIC readers: loading one report file.
class MimicReaderBase : public CorpusReader {
 protected:
  // Reads `path` into `report.text` (ids already set). False, with an issue recorded, when
  // the file cannot be read or the report is unusable.
  bool Load(const fs::path& path, Report& report) {
    report.source = path.string();
    auto content = read_file(path);
    if (!content.ok()) {
      add_issue({report.source, 0, report.study_id, "unreadable file: " + content.status().message()});
      return false;
    }
    report.text = std::move(*content);
    return accept_report(report, report.source, 0);
  }
};

// Studies listed in mimic_all.csv, in its order.
class MimicMetadataReader : public MimicReaderBase {
 public:
  MimicMetadataReader(fs::path files_dir, std::shared_ptr<const std::vector<StudyRecord>> records)
      : files_dir_(std::move(files_dir)), records_(std::move(records)) {
    set_total_hint(records_->size());
  }

  bool Next(Report& report) override {
    while (next_ < records_->size()) {
      const StudyRecord& record = (*records_)[next_++];
      if (!seen_.insert(record.study_id).second) {
        add_issue({files_dir_.string(), 0, record.study_id, "duplicate study: listed again in the metadata"});
        continue;
      }
      if (record.subject_id.size() < 2) {
        add_issue({files_dir_.string(), 0, record.study_id, "no subject_id: cannot locate the report file"});
        continue;
      }
      fs::path path = files_dir_ / ("p" + record.subject_id.substr(0, 2)) /
                      ("p" + record.subject_id) / ("s" + record.study_id + ".txt");
      std::error_code ec;
      if (!fs::is_regular_file(path, ec)) {
        add_issue({path.string(), 0, record.study_id, "missing file"});
        continue;
      }
      report = Report{record.study_id, record.subject_id, "", ""};
      if (Load(path, report)) return true;
    }
    return false;
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

  bool Next(Report& report) override {
    for (;;) {
      if (study_ < studies_.size()) {
        if (ReadStudy(studies_[study_++], report)) return true;
      } else if (subject_ < subjects_.size()) {
        studies_ = List(subjects_[subject_++], is_report_file);
        study_ = 0;
      } else if (group_ < groups_.size()) {
        subjects_ = List(groups_[group_++], is_prefixed_dir);
        subject_ = 0;
      } else {
        return false;
      }
    }
  }

 private:
  std::vector<fs::path> List(const fs::path& dir,
                             bool (*keep)(const fs::directory_entry&)) {
    std::error_code ec;
    auto entries = sorted_entries(dir, keep, ec);
    if (ec) add_issue({dir.string(), 0, "", "unreadable folder: " + ec.message()});
    return entries;
  }

  bool ReadStudy(const fs::path& path, Report& report) {
    std::string study = path.stem().string().substr(1);
    std::string subject = path.parent_path().filename().string().substr(1);
    report = Report{study, subject, "", ""};
    return Load(path, report);
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
