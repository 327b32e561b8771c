#include "libraries/libraries.h"

#include <algorithm>
#include <unordered_set>

#include "common/csv.h"
#include "common/file_io.h"
#include "common/json.h"
#include "common/text.h"

namespace cxrvqa {

namespace {

constexpr std::array<LibraryKind, 4> kAllKinds = {LibraryKind::kEntity, LibraryKind::kLocation,
                                                  LibraryKind::kLevel, LibraryKind::kType};
const std::vector<std::string> kDiseaseColumns = {"id",       "name",  "synonyms", "location",
                                                  "category", "count", "source"};

std::string dict_file_name(LibraryKind kind) {
  return std::string(library_kind_name(kind)) + "_dict.json";
}

using Counter = StringMap<size_t>;

void bump(Counter& counter, const std::optional<std::string>& value) {
  if (value && !value->empty()) ++counter[*value];
}

bool by_count_then_name(const std::pair<std::string, size_t>& a,
                        const std::pair<std::string, size_t>& b) {
  if (a.second != b.second) return a.second > b.second;
  return a.first < b.first;
}

CountList sorted_counts(Counter counter) {
  CountList list;
  list.reserve(counter.size());
  for (auto& [name, count] : counter) list.emplace_back(name, count);
  std::sort(list.begin(), list.end(), by_count_then_name);
  return list;
}

std::vector<LibraryDisease> merge_diseases(const CountList& entity, const Lexicon* lexicon) {
  std::vector<LibraryDisease> diseases;
  std::unordered_set<std::string> known;
  Counter counts(entity.begin(), entity.end());
  if (lexicon != nullptr) {
    for (const auto& finding : lexicon->findings()) {
      auto it = counts.find(finding.name);
      diseases.push_back({finding.name, finding.synonyms, finding.default_location,
                          finding.category, it == counts.end() ? 0 : it->second, true});
      known.insert(finding.name);
    }
  }
  for (const auto& [name, count] : entity) {  // already count desc, name asc
    if (known.count(name) == 0) diseases.push_back({name, {}, "", "", count, false});
  }
  return diseases;
}

std::string dict_json(const CountList& list) {
  std::string out = "{";
  for (size_t i = 0; i < list.size(); ++i) {
    if (i > 0) out.append(",\n ");
    append_json_string(out, list[i].first);
    out.push_back(':');
    out.append(std::to_string(list[i].second));
  }
  out.append("}\n");
  return out;
}

std::string disease_csv(const std::vector<LibraryDisease>& diseases) {
  std::string out = csv_line(kDiseaseColumns) + "\n";
  for (size_t i = 0; i < diseases.size(); ++i) {
    const auto& d = diseases[i];
    out += csv_line({std::to_string(i), d.name, join(d.synonyms, ";"), d.default_location,
                     d.category, std::to_string(d.count), d.from_lexicon ? "lexicon" : "corpus"});
    out.push_back('\n');
  }
  return out;
}

Result<CountList> load_dict(const std::filesystem::path& path) {
  CXRVQA_ASSIGN_OR_RETURN(auto text, read_file(path));
  auto object = parse_json(text);
  if (!object.ok() || !object->is_object()) {
    return Status::ParseError(path.string() + ": not a JSON object");
  }
  CountList list;
  for (const auto& [name, count] : object->items()) {
    if (!count.is_number_unsigned()) {
      return Status::ParseError(path.string() + ": count of \"" + name + "\" is not a non-negative integer");
    }
    list.emplace_back(name, count.get<size_t>());
  }
  // Ties keep their file order: written here that is name order; the original programs'
  // files keep first-seen order, which their question generator depends on.
  std::stable_sort(list.begin(), list.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  return list;
}

Result<LibraryDisease> disease_from_row(const CsvRow& row, const std::vector<size_t>& columns,
                                        const std::filesystem::path& path) {
  auto where = [&] { return path.string() + ":" + std::to_string(row.line) + ": "; };
  if (!row.error.empty()) return Status::ParseError(where() + row.error);
  LibraryDisease disease;
  disease.name = std::string(row.get(columns[1]));
  disease.synonyms = split_trimmed(row.get(columns[2]), ';');
  disease.default_location = std::string(row.get(columns[3]));
  disease.category = std::string(row.get(columns[4]));
  std::string count(row.get(columns[5]));
  if (count.empty() || !std::all_of(count.begin(), count.end(), ::isdigit)) {
    return Status::ParseError(where() + "count is not a non-negative integer");
  }
  disease.count = std::stoull(count);
  disease.from_lexicon = row.get(columns[6]) != "corpus";
  return disease;
}

const std::vector<std::string> kOriginalDiseaseColumns = {"id", "report_name", "official_name", "location"};

Result<std::vector<OriginalDisease>> load_original_diseases(const std::filesystem::path& path) {
  CXRVQA_ASSIGN_OR_RETURN(auto text, read_file(path));
  return parse_original_disease_library(text, path.string());
}

// Whether the CSV at `path` has the original disease library's columns.
Result<bool> has_original_disease_layout(const std::filesystem::path& path) {
  CXRVQA_ASSIGN_OR_RETURN(auto reader, CsvReader::Open(path));
  return reader->require_columns(kOriginalDiseaseColumns).ok();
}

Result<std::vector<LibraryDisease>> load_diseases(const std::filesystem::path& path) {
  std::vector<LibraryDisease> diseases;
  CXRVQA_ASSIGN_OR_RETURN(auto reader, CsvReader::Open(path));
  CXRVQA_ASSIGN_OR_RETURN(auto columns, reader->require_columns(kDiseaseColumns));
  CsvRow row;
  while (reader->Next(row)) {
    CXRVQA_ASSIGN_OR_RETURN(auto disease, disease_from_row(row, columns, path));
    diseases.push_back(std::move(disease));
  }
  if (!reader->status().ok()) return reader->status();
  return diseases;
}

}  // namespace

Result<std::vector<OriginalDisease>> parse_original_disease_library(std::string_view text,
                                                                    const std::string& source) {
  CXRVQA_ASSIGN_OR_RETURN(auto records, parse_csv_lines(text, source));
  if (records.empty()) return Status::ParseError(source + ": empty disease library");
  const std::vector<std::string>& header = records.front().fields;
  std::vector<size_t> columns;
  for (const std::string& name : kOriginalDiseaseColumns) {
    auto it = std::find(header.begin(), header.end(), name);
    if (it == header.end()) return Status::ParseError(source + ":1: no column '" + name + "'");
    columns.push_back(static_cast<size_t>(it - header.begin()));
  }
  size_t needed = *std::max_element(columns.begin(), columns.end()) + 1;
  std::vector<OriginalDisease> rows;
  for (size_t i = 1; i < records.size(); ++i) {
    const CsvRow& row = (records)[i];
    if (row.fields.size() < needed) {
      return Status::ParseError(source + ":" + std::to_string(row.line) + ": too few fields");
    }
    rows.push_back({std::string(row.get(columns[0])), split_trimmed(row.get(columns[1]), ';'),
                    std::string(row.get(columns[2])), std::string(row.get(columns[3]))});
  }
  return rows;
}

std::string_view library_kind_name(LibraryKind kind) {
  switch (kind) {
    case LibraryKind::kEntity: return "entity";
    case LibraryKind::kLocation: return "location";
    case LibraryKind::kLevel: return "level";
    case LibraryKind::kType: return "type";
  }
  return "entity";
}

const CountList& Libraries::list(LibraryKind kind) const {
  switch (kind) {
    case LibraryKind::kLocation: return location;
    case LibraryKind::kLevel: return level;
    case LibraryKind::kType: return type;
    case LibraryKind::kEntity: break;
  }
  return entity;
}

CountList& Libraries::list(LibraryKind kind) {
  return const_cast<CountList&>(static_cast<const Libraries*>(this)->list(kind));
}

size_t Libraries::count(LibraryKind kind, std::string_view name) const {
  const auto& index = index_[static_cast<size_t>(kind)];
  auto it = index.find(name);
  return it == index.end() ? 0 : it->second;
}

std::vector<std::string> Libraries::frequent(LibraryKind kind, size_t min_count) const {
  std::vector<std::string> names;
  for (const auto& [name, count] : list(kind)) {
    if (count >= min_count) names.push_back(name);
  }
  return names;
}

void Libraries::reindex() {
  for (LibraryKind kind : kAllKinds) {
    const auto& entries = list(kind);
    auto& index = index_[static_cast<size_t>(kind)];
    index = StringMap<size_t>(entries.begin(), entries.end());
  }
}

void LibraryCounter::Add(const KeyInfo& record) {
  for (size_t i = 0; i < record.entity.size(); ++i) {
    const Entity& e = record.entity[i];
    bool first = std::none_of(record.entity.begin(), record.entity.begin() + static_cast<std::ptrdiff_t>(i),
                              [&](const Entity& earlier) { return earlier.name == e.name; });
    if (first) ++entity_[e.name];  // an entity counts once per study
    bump(location_, e.attributes.location);
    bump(level_, e.attributes.level);
    bump(type_, e.attributes.type);
  }
}

Libraries LibraryCounter::Finish(const Lexicon* lexicon) && {
  Libraries libraries;
  libraries.entity = sorted_counts(std::move(entity_));
  libraries.location = sorted_counts(std::move(location_));
  libraries.level = sorted_counts(std::move(level_));
  libraries.type = sorted_counts(std::move(type_));
  libraries.diseases = merge_diseases(libraries.entity, lexicon);
  libraries.reindex();
  return libraries;
}

Libraries compute_libraries(const std::vector<KeyInfo>& records, const Lexicon* lexicon) {
  LibraryCounter counter;
  for (const KeyInfo& record : records) counter.Add(record);
  return std::move(counter).Finish(lexicon);
}

Status write_libraries(const Libraries& libraries, const std::filesystem::path& dir) {
  std::vector<FolderFile> files;
  for (LibraryKind kind : kAllKinds) files.push_back({dict_file_name(kind), dict_json(libraries.list(kind))});
  files.push_back({"disease_lib.csv", disease_csv(libraries.diseases)});
  return write_folder_atomic(dir, files);
}

Result<Libraries> load_libraries(const std::filesystem::path& dir) {
  Libraries libraries;
  for (LibraryKind kind : kAllKinds) {
    CXRVQA_ASSIGN_OR_RETURN(auto list, load_dict(dir / dict_file_name(kind)));
    libraries.list(kind) = std::move(list);
  }
  const std::filesystem::path project = dir / "disease_lib.csv", original = dir / "disease_lib_llm.csv";
  if (std::filesystem::exists(original)) {
    CXRVQA_ASSIGN_OR_RETURN(auto rows, load_original_diseases(original));
    libraries.original_diseases = std::move(rows);
  }
  if (std::filesystem::exists(project)) {
    CXRVQA_ASSIGN_OR_RETURN(auto original_layout, has_original_disease_layout(project));
    if (original_layout && libraries.original_diseases.empty()) {
      CXRVQA_ASSIGN_OR_RETURN(auto rows, load_original_diseases(project));
      libraries.original_diseases = std::move(rows);
    } else if (!original_layout) {
      CXRVQA_ASSIGN_OR_RETURN(auto diseases, load_diseases(project));
      libraries.diseases = std::move(diseases);
    }
  }
  libraries.reindex();
  return libraries;
}

}  // namespace cxrvqa
