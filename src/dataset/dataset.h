// A pipeline output folder read back as a dataset (for export and the HTML report): where
// its files are, what its manifest says, and where each study's image lies.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/json.h"
#include "common/status.h"
#include "questions/questions.h"

namespace cxrvqa {

struct DatasetFolder {
  std::filesystem::path dir;
  std::filesystem::path questions;                // questions.csv, else questions.jsonl
  std::optional<std::filesystem::path> keyinfo;   // keyinfo.jsonl, when present
  std::optional<std::filesystem::path> libraries; // libraries/, when present
  Json manifest = Json::object();                 // manifest.json; {} when absent

  // The corpus kind the manifest names ("mimic", "iu", "csv", "jsonl"), "" when unknown.
  std::string corpus() const;
};

// What a manifest says about how a dataset was made, as text ready to show. Paths are
// reduced to their last component, so that a card or report never shows a machine's folders.
struct ManifestFacts {
  struct Input {
    std::string name, kind, sha256;
    size_t bytes = 0;
  };
  struct Stage {
    std::string name;
    Json counts = Json::object();
    std::string summary;  // "reports 30, written 30, per_type (abnormality 28, view 28)"
  };
  std::string program;   // "cxrvqa 0.1.0", "" without a manifest
  std::string build_id;
  std::string seed;
  std::string extractor;
  std::vector<std::pair<std::string, std::string>> options;  // every option, in manifest order
  std::vector<Input> inputs;
  std::vector<Stage> stages;

  // The counts of the stage named `name`, or nullptr.
  const Json* StageCounts(std::string_view name) const;
};
ManifestFacts manifest_facts(const Json& manifest);

// Finds the files of the pipeline output folder `dir`. NotFound (naming the folder) when it
// holds no questions file; ParseError (naming the file) when manifest.json is not JSON.
Result<DatasetFolder> open_dataset_folder(const std::filesystem::path& dir);

// How the images of a corpus are laid out on disk.
enum class ImageLayout {
  kMimicCxrJpg,  // files/p10/p10000032/s50414267/<dicom_id>.jpg
  kIuXray,       // <file name>, as indiana_projections.csv names it (the study's dicom_id)
};
std::string_view image_layout_name(ImageLayout layout);  // "mimic-cxr-jpg", "iu-xray"
Result<ImageLayout> parse_image_layout(std::string_view name);
// The layout of a corpus kind: mimic -> MIMIC-CXR-JPG, iu -> IU X-ray, others: none.
std::optional<ImageLayout> image_layout_for_corpus(std::string_view corpus);

// The image of a study: which file the questions about it are asked of.
struct StudyImage {
  std::string subject_id;
  std::string study_id;
  std::string dicom_id;  // MIMIC: the DICOM id; IU: the image file name
};

// The path of the study's image under `root` ("" = relative paths; otherwise joined with
// "/"). InvalidArgument naming the study when the metadata cannot make a path (no dicom_id;
// for MIMIC also a subject_id that is not at least two digits).
Result<std::string> study_image_path(ImageLayout layout, const StudyImage& image, std::string_view root);

// The image metadata of a dataset's studies: each study's record in keyinfo.jsonl, then the
// question rows (which carry the metadata join the questions were made with, and win).
class StudyImages {
 public:
  // Reads `folder`'s keyinfo.jsonl (when present) and questions. Malformed lines are skipped
  // here (the stages that wrote them report them).
  static Result<StudyImages> Load(const DatasetFolder& folder);
  void Add(std::string_view study_id, std::string_view subject_id, std::string_view dicom_id);
  // The image of `study_id`, or nullptr.
  const StudyImage* Find(std::string_view study_id) const;
  size_t size() const { return by_study_.size(); }

 private:
  std::unordered_map<std::string, StudyImage> by_study_;
};

}  // namespace cxrvqa
