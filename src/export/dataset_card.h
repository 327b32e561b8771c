// The README.md dataset card of a Hugging Face export (internal to the export module).
#pragma once

#include <map>
#include <string>

#include "dataset/dataset.h"
#include "export/export.h"

namespace cxrvqa {

struct DatasetCardInput {
  const DatasetFolder* folder = nullptr;
  const ExportSummary* summary = nullptr;  // counts per split and type, image layout
  bool blind = false;                      // the test split has no answers
  std::string image_root;
  std::map<std::string, std::string, SplitOrder> files;  // split -> data file, relative to the card
};

// The card: a YAML header (pretty_name, license, task_categories, configs with data_files
// per split, dataset_info with features and split sizes; every string double-quoted, so
// the header is also valid JSON-in-YAML), then the counts per type and split, the fields,
// how the dataset was made (from the manifest; input files by name, never by path) and the
// licence note.
std::string dataset_card(const DatasetCardInput& input);

}  // namespace cxrvqa
