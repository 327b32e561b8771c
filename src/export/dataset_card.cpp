#include "export/dataset_card.h"

#include <fmt/format.h>

#include <iterator>

namespace cxrvqa {

namespace {

// A YAML double-quoted scalar (JSON string syntax, which YAML reads as is).
std::string yaml_string(std::string_view text) { return Json(std::string(text)).dump(); }

template <typename... Args>
void line(std::string& out, fmt::format_string<Args...> format, Args&&... args) {
  fmt::format_to(std::back_inserter(out), format, std::forward<Args>(args)...);
  out += '\n';
}

struct Licence {
  std::string_view source;      // what the questions were made from
  std::string_view yaml_name;   // license_name
  std::string_view link;        // license_link ("" = none)
  std::string_view note;        // the paragraph of the card
};

Licence licence_of(std::string_view corpus) {
  if (corpus == "mimic") {
    return {"MIMIC-CXR radiology reports", "physionet-credentialed-health-data-license-1.5.0",
            "https://physionet.org/content/mimic-cxr/view-license/2.0.0/",
            "The questions and answers are derived from MIMIC-CXR reports, which are PhysioNet "
            "credentialed health data (PhysioNet Credentialed Health Data License 1.5.0). Neither the "
            "reports nor the images are included. Derived data stays under the same terms: share these "
            "files only with credentialed users who signed the data use agreement (for example through "
            "PhysioNet), never publicly. The images are MIMIC-CXR-JPG, obtained separately from "
            "PhysioNet."};
  }
  if (corpus == "iu") {
    return {"Indiana University chest X-ray (Open-i) reports", "iu-xray-open-i", "",
            "The questions and answers are derived from the Indiana University chest X-ray collection "
            "(Open-i). Neither the reports nor the images are included; obtain them from their source and "
            "use them under its terms."};
  }
  return {"radiology reports", "source-reports-terms", "",
          "The questions and answers are derived from radiology reports that are not included. Their "
          "terms of use apply to these files; if the reports are credentialed health data (such as "
          "MIMIC-CXR, PhysioNet), share the files only with users allowed to see them."};
}

std::string_view size_category(size_t n) {
  if (n < 1000) return "n<1K";
  if (n < 10000) return "1K<n<10K";
  if (n < 100000) return "10K<n<100K";
  if (n < 1000000) return "100K<n<1M";
  return "1M<n<10M";
}

struct Field {
  std::string_view name, description;
};

// The columns of the data files, in row order ("answer" absent from a blind test split).
std::vector<Field> fields(bool with_images) {
  std::vector<Field> list = {
      {"question_id", "stable id of the question (study, type and question text)"},
      {"study_id", "the study the question is asked about"},
      {"subject_id", "the patient"},
      {"dicom_id", "the image of the study (MIMIC: DICOM id; IU: image file name)"},
      {"ref_id", "difference questions: the earlier study compared against; otherwise empty"},
      {"split", "the split as the source metadata names it"},
      {"question_type", "abnormality, presence, view, location, level, type or difference"},
      {"question", "the question"},
      {"answer", "the answer"}};
  if (with_images) {
    list.push_back({"image", "path of the study's image"});
    list.push_back({"reference_image", "difference questions: path of the reference study's image; otherwise null"});
  }
  return list;
}

void append_yaml_header(std::string& out, const DatasetCardInput& in, const Licence& licence) {
  const ExportSummary& summary = *in.summary;
  line(out, "---");
  line(out, "pretty_name: {}", yaml_string(fmt::format("Chest X-ray VQA from {}", licence.source)));
  line(out, "license: \"other\"");
  line(out, "license_name: {}", yaml_string(licence.yaml_name));
  if (!licence.link.empty()) line(out, "license_link: {}", yaml_string(licence.link));
  line(out, "language:\n- \"en\"");
  line(out, "task_categories:\n- \"visual-question-answering\"");
  line(out, "tags:\n- \"medical\"\n- \"chest-x-ray\"\n- \"radiology\"");
  line(out, "size_categories:\n- {}", yaml_string(size_category(summary.questions)));
  line(out, "configs:\n- config_name: \"default\"\n  data_files:");
  for (const auto& [split, file] : in.files) {
    line(out, "  - split: {}\n    path: {}", yaml_string(split), yaml_string(file));
  }
  line(out, "dataset_info:\n  features:");
  for (const Field& field : fields(summary.image_layout.has_value())) {
    line(out, "  - name: {}\n    dtype: \"string\"", yaml_string(field.name));
  }
  line(out, "  splits:");
  for (const auto& [split, counts] : summary.per_split) {
    line(out, "  - name: {}\n    num_examples: {}", yaml_string(split), counts.questions);
  }
  line(out, "---");
}

void append_counts(std::string& out, const ExportSummary& summary) {
  line(out, "## Questions per type and split\n");
  std::string header = "| type |", rule = "|---|";
  for (const auto& [split, counts] : summary.per_split) {
    header += " " + split + " |";
    rule += "---:|";
  }
  line(out, "{} total |\n{}---:|", header, rule);
  for (size_t t = 0; t < kQuestionTypeCount; ++t) {
    std::string row = fmt::format("| {} |", question_type_name(static_cast<QuestionType>(t)));
    size_t total = 0;
    for (const auto& [split, counts] : summary.per_split) {
      row += fmt::format(" {} |", counts.per_type[t]);
      total += counts.per_type[t];
    }
    line(out, "{} {} |", row, total);
  }
  std::string row = "| **all** |";
  for (const auto& [split, counts] : summary.per_split) row += fmt::format(" {} |", counts.questions);
  line(out, "{} {} |\n", row, summary.questions);
}

void append_provenance(std::string& out, const ManifestFacts& facts) {
  line(out, "## How it was made\n");
  if (facts.program.empty()) {
    line(out, "The dataset folder had no manifest.json, so its provenance is unknown.\n");
    return;
  }
  line(out, "Built by {} (build {}) with the `{}` key-information extractor and seed {}.\n", facts.program,
       facts.build_id, facts.extractor, facts.seed);
  line(out, "| option | value |\n|---|---|");
  for (const auto& [key, value] : facts.options) line(out, "| {} | `{}` |", key, value);
  if (!facts.inputs.empty()) {
    line(out, "\nInputs (by name; SHA-256 of the file, or of the folder's listing and contents):\n");
    line(out, "| input | kind | bytes | sha256 |\n|---|---|---:|---|");
    for (const auto& input : facts.inputs) {
      line(out, "| {} | {} | {} | `{}` |", input.name, input.kind, input.bytes, input.sha256);
    }
  }
  if (!facts.stages.empty()) {
    line(out, "\nPipeline stages and their counts:\n");
    for (const auto& stage : facts.stages) line(out, "- {}: {}", stage.name, stage.summary);
  }
  out += '\n';
}

}  // namespace

std::string dataset_card(const DatasetCardInput& in) {
  const ExportSummary& summary = *in.summary;
  Licence licence = licence_of(in.folder->corpus());
  std::string out;
  append_yaml_header(out, in, licence);
  line(out, "\n# Chest X-ray visual question answering ({})\n", licence.source);
  line(out, "{} question-answer pairs about chest X-ray images, generated by cxrvqa from the key "
            "information of the radiology reports (findings with location, level and type; negated "
            "findings), in the manner of Medical-CXR-VQA and Medical-Diff-VQA. Report text is not "
            "part of the dataset.\n",
       summary.questions);
  line(out, "## Licence and access\n\n{}\n", licence.note);
  line(out, "## Files\n\n| split | file | questions |\n|---|---|---:|");
  for (const auto& [split, file] : in.files) line(out, "| {} | `{}` | {} |", split, file, summary.per_split.at(split).questions);
  if (in.blind) {
    line(out, "\nThe test split is blind: its rows have no `answer`. The answers are kept apart in "
              "`test_answer_key.csv` (not for release); score predictions with `cxrvqa score --gold "
              "test_answer_key.csv --pred predictions.jsonl`.");
  }
  out += '\n';
  append_counts(out, summary);
  line(out, "## Fields\n");
  for (const Field& field : fields(summary.image_layout.has_value())) line(out, "- `{}`: {}", field.name, field.description);
  if (summary.image_layout) {
    line(out, "\nImage paths follow the {} layout{}. Difference questions compare the study's image "
              "(`image`) with an earlier study's (`reference_image`).",
         image_layout_name(*summary.image_layout),
         in.image_root.empty() ? ", relative to the image folder" : " under `" + in.image_root + "`");
  }
  out += '\n';
  append_provenance(out, manifest_facts(in.folder->manifest));
  line(out, "## Loading\n\n```python\nfrom datasets import load_dataset\n"
            "dataset = load_dataset(\"path/to/this/folder\")\n```");
  return out;
}

}  // namespace cxrvqa
