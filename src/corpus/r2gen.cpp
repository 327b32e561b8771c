// R2Gen's annotation.json (IU X-ray and MIMIC-CXR as the report-generation literature ships
// them): {"train": [{"id", "report", "image_path": [...], "split", ...}], "val": [...],
// "test": [...]}.
#include <nlohmann/json.hpp>

#include <unordered_set>

#include "common/file_io.h"
#include "common/text.h"
#include "corpus/metadata.h"
#include "corpus/readers.h"

namespace cxrvqa {

namespace {

constexpr const char* kSplitKeys[] = {"train", "val", "test"};

// A JSON string or integer as text; "" for anything else.
std::string id_text(const nlohmann::json& entry, const char* key) {
  auto it = entry.find(key);
  if (it == entry.end()) return {};
  if (it->is_string()) return std::string(trim(it->get<std::string>()));
  if (it->is_number_integer()) return std::to_string(it->get<long long>());
  return {};
}

// R2Gen's split names in mimic_all.csv's words.
std::string split_name(std::string_view split) { return split == "val" ? "validate" : std::string(split); }

}  // namespace

Result<std::vector<R2GenStudy>> read_r2gen_annotation(const std::filesystem::path& path,
                                                      std::vector<CorpusIssue>& issues) {
  CXRVQA_ASSIGN_OR_RETURN(auto text, read_file(path));
  nlohmann::json root = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  const std::string file = path.string();
  if (root.is_discarded() || !root.is_object()) {
    return Status::ParseError(file + ": not a JSON object of splits (R2Gen annotation.json)");
  }
  std::vector<R2GenStudy> studies;
  std::unordered_set<std::string> seen;
  for (const char* key : kSplitKeys) {
    auto split = root.find(key);
    if (split == root.end()) continue;
    if (!split->is_array()) return Status::ParseError(file + ": \"" + key + "\" is not a list");
    for (size_t i = 0; i < split->size(); ++i) {
      const nlohmann::json& entry = (*split)[i];
      std::string where = std::string(key) + "[" + std::to_string(i) + "]";
      if (!entry.is_object()) {
        issues.push_back({file, 0, "", "broken row: " + where + " is not an object"});
        continue;
      }
      R2GenStudy study;
      study.study_id = id_text(entry, "study_id");  // MIMIC-CXR entries (one per image)
      if (study.study_id.empty()) study.study_id = id_text(entry, "id");
      if (study.study_id.empty()) {
        issues.push_back({file, 0, "", "broken row: " + where + " has no id"});
        continue;
      }
      if (!seen.insert(study.study_id).second) continue;  // a further image of a study seen
      study.subject_id = id_text(entry, "subject_id");
      auto report = entry.find("report");
      if (report == entry.end() || !report->is_string()) {
        issues.push_back({file, 0, study.study_id, "broken row: " + where + " has no report string"});
        continue;
      }
      study.text = report->get<std::string>();
      study.split = split_name(entry.contains("split") && entry["split"].is_string()
                                   ? entry["split"].get<std::string>()
                                   : std::string(key));
      if (auto images = entry.find("image_path"); images != entry.end() && images->is_array()) {
        for (const auto& image : *images) {
          if (image.is_string()) study.images.push_back(image.get<std::string>());
        }
      }
      study.source = file + " " + where;
      studies.push_back(std::move(study));
    }
  }
  return studies;
}

namespace corpus_internal {

namespace {

class R2GenCorpusReader : public CorpusReader {
 public:
  R2GenCorpusReader(std::vector<R2GenStudy> studies, std::string file)
      : studies_(std::move(studies)), file_(std::move(file)) {
    set_total_hint(studies_.size());
  }

  bool Next(Report& report) override {
    while (next_ < studies_.size()) {
      R2GenStudy& study = studies_[next_++];
      report.study_id = study.study_id;
      report.subject_id = study.subject_id;
      report.source = study.source;
      report.text = std::move(study.text);
      if (accept_report(report, file_, 0)) return true;
    }
    return false;
  }

 private:
  std::vector<R2GenStudy> studies_;
  std::string file_;
  size_t next_ = 0;
};

}  // namespace

Result<std::unique_ptr<CorpusReader>> open_r2gen(const std::filesystem::path& file) {
  std::vector<CorpusIssue> issues;
  CXRVQA_ASSIGN_OR_RETURN(auto studies, read_r2gen_annotation(file, issues));
  auto reader = std::make_unique<R2GenCorpusReader>(std::move(studies), file.string());
  reader->add_issues(std::move(issues));
  return std::unique_ptr<CorpusReader>(std::move(reader));
}

}  // namespace corpus_internal

}  // namespace cxrvqa
