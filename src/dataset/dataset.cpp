#include "dataset/dataset.h"

#include <algorithm>
#include <cctype>

#include "common/file_io.h"
#include "keyinfo/keyinfo.h"

namespace cxrvqa {

namespace fs = std::filesystem;

namespace {

bool path_exists(const fs::path& path) {
  std::error_code ec;
  return fs::exists(path, ec);
}

bool all_digits(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isdigit(c); });
}

// A JSON scalar as text: strings bare, null as "-", the rest as JSON.
std::string scalar_text(const Json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_null()) return "-";
  return value.dump();
}

// Option values that are paths keep only their last component.
bool is_path_option(std::string_view key) {
  return key == "reports" || key == "metadata" || key == "out_dir" || key == "lexicon" || key == "llm_config" ||
         key == "system_prompt";
}

std::string last_component(const std::string& path) {
  if (path == "embedded" || path == "-") return path;
  std::string name = fs::path(path).filename().string();
  if (name.empty()) name = fs::path(path).parent_path().filename().string();
  return name.empty() ? path : name;
}

// "key value, key value", nested objects in parentheses.
std::string counts_summary(const Json& counts) {
  std::string text;
  for (const auto& [key, value] : counts.items()) {
    if (!text.empty()) text += ", ";
    text += key + " " + (value.is_object() ? "(" + counts_summary(value) + ")" : scalar_text(value));
  }
  return text;
}

}  // namespace

const Json* ManifestFacts::StageCounts(std::string_view name) const {
  for (const Stage& stage : stages) {
    if (stage.name == name) return &stage.counts;
  }
  return nullptr;
}

ManifestFacts manifest_facts(const Json& manifest) {
  ManifestFacts facts;
  if (!manifest.is_object() || manifest.empty()) return facts;
  facts.program = scalar_text(manifest.value("program", Json("cxrvqa"))) + " " +
                  scalar_text(manifest.value("version", Json("?")));
  facts.build_id = scalar_text(manifest.value("build_id", Json()));
  facts.seed = scalar_text(manifest.value("seed", Json()));
  Json options = manifest.value("options", Json::object());
  facts.extractor = scalar_text(options.value("extractor", Json()));
  for (const auto& [key, value] : options.items()) {
    std::string text = scalar_text(value);
    facts.options.emplace_back(key, is_path_option(key) ? last_component(text) : text);
  }
  for (const Json& input : manifest.value("inputs", Json::array())) {
    if (!input.is_object()) continue;
    const Json& bytes = input.value("bytes", Json());
    facts.inputs.push_back({last_component(scalar_text(input.value("path", Json()))),
                            scalar_text(input.value("kind", Json())), scalar_text(input.value("sha256", Json())),
                            bytes.is_number_unsigned() ? bytes.get<size_t>() : 0});
  }
  for (const Json& stage : manifest.value("stages", Json::array())) {
    if (!stage.is_object()) continue;
    Json counts = stage.value("counts", Json::object());
    facts.stages.push_back({scalar_text(stage.value("name", Json())), counts, counts_summary(counts)});
  }
  return facts;
}

std::string DatasetFolder::corpus() const {
  auto options = manifest.find("options");
  if (options == manifest.end() || !options->is_object()) return "";
  auto corpus = options->find("corpus");
  return corpus != options->end() && corpus->is_string() ? corpus->get<std::string>() : "";
}

Result<DatasetFolder> open_dataset_folder(const fs::path& dir) {
  DatasetFolder folder;
  folder.dir = dir;
  for (const char* name : {"questions.csv", "questions.jsonl"}) {
    if (path_exists(dir / name)) {
      folder.questions = dir / name;
      break;
    }
  }
  if (folder.questions.empty()) {
    return Status::NotFound(dir.string() + " holds no questions.csv or questions.jsonl (a pipeline output folder?)");
  }
  if (path_exists(dir / "keyinfo.jsonl")) folder.keyinfo = dir / "keyinfo.jsonl";
  if (path_exists(dir / "libraries")) folder.libraries = dir / "libraries";
  fs::path manifest = dir / "manifest.json";
  if (path_exists(manifest)) {
    CXRVQA_ASSIGN_OR_RETURN(auto text, read_file(manifest));
    folder.manifest = Json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (folder.manifest.is_discarded() || !folder.manifest.is_object()) {
      return Status::ParseError(manifest.string() + ": not a JSON object");
    }
  }
  return folder;
}

std::string_view image_layout_name(ImageLayout layout) {
  return layout == ImageLayout::kMimicCxrJpg ? "mimic-cxr-jpg" : "iu-xray";
}

Result<ImageLayout> parse_image_layout(std::string_view name) {
  if (name == "mimic-cxr-jpg") return ImageLayout::kMimicCxrJpg;
  if (name == "iu-xray") return ImageLayout::kIuXray;
  return Status::InvalidArgument("unknown image layout '" + std::string(name) + "' (mimic-cxr-jpg or iu-xray)");
}

std::optional<ImageLayout> image_layout_for_corpus(std::string_view corpus) {
  if (corpus == "mimic") return ImageLayout::kMimicCxrJpg;
  if (corpus == "iu") return ImageLayout::kIuXray;
  return std::nullopt;
}

Result<std::string> study_image_path(ImageLayout layout, const StudyImage& image, std::string_view root) {
  if (image.dicom_id.empty()) {
    return Status::InvalidArgument("study " + image.study_id + " has no image (empty dicom_id in its metadata)");
  }
  std::string path;
  if (!root.empty()) {
    path.append(root);
    if (path.back() != '/') path += '/';
  }
  if (layout == ImageLayout::kIuXray) return path + image.dicom_id;
  if (image.subject_id.size() < 2 || !all_digits(image.subject_id)) {
    return Status::InvalidArgument("study " + image.study_id + ": subject_id '" + image.subject_id +
                                   "' cannot name a MIMIC-CXR-JPG folder");
  }
  // files/p10/p10000032/s50414267/<dicom_id>.jpg
  path.append("files/p").append(image.subject_id, 0, 2).append("/p").append(image.subject_id);
  path.append("/s").append(image.study_id).append("/").append(image.dicom_id).append(".jpg");
  return path;
}

void StudyImages::Add(std::string_view study_id, std::string_view subject_id, std::string_view dicom_id) {
  StudyImage& image = by_study_[std::string(study_id)];
  image.study_id = study_id;
  if (!subject_id.empty()) image.subject_id = subject_id;
  if (!dicom_id.empty()) image.dicom_id = dicom_id;
}

const StudyImage* StudyImages::Find(std::string_view study_id) const {
  auto it = by_study_.find(std::string(study_id));
  return it == by_study_.end() ? nullptr : &it->second;
}

Result<StudyImages> StudyImages::Load(const DatasetFolder& folder) {
  StudyImages images;
  std::vector<LineError> ignored;
  if (folder.keyinfo) {
    CXRVQA_ASSIGN_OR_RETURN(auto records, read_keyinfo_jsonl(*folder.keyinfo, ignored));
    for (const KeyInfo& record : records) {
      images.Add(record.meta.study_id, record.meta.subject_id, record.meta.dicom_id);
    }
  }
  CXRVQA_RETURN_IF_ERROR(for_each_question(
      folder.questions, [&](const QuestionRef& q) { images.Add(q.study_id, q.subject_id, q.dicom_id); },
      ignored));
  return images;
}

}  // namespace cxrvqa
