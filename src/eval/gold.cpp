#include "eval/gold.h"

#include <algorithm>
#include <array>
#include <unordered_set>

#include "common/csv.h"
#include "common/text.h"
#include "keyinfo/keyinfo.h"

namespace cxrvqa {

namespace {

// MeSH qualifiers that grade a finding's severity or size.
constexpr std::array<std::string_view, 6> kMeshLevels = {"mild",  "moderate", "severe",
                                                         "small", "large",    "borderline"};

bool is_mesh_level(std::string_view qualifier) {
  for (auto level : kMeshLevels) {
    if (qualifier == level) return true;
  }
  return false;
}

// "Pleural Effusion/left/small": side and level from the qualifiers after the heading.
GoldTerm mesh_term(std::string_view entry) {
  GoldTerm term;
  term.term = collapse_whitespace(entry);
  auto parts = split(term.term, '/');
  std::string qualifiers;
  for (size_t i = 1; i < parts.size(); ++i) {
    std::string qualifier = to_lower(trim(parts[i]));
    if (!term.level && is_mesh_level(qualifier)) term.level = qualifier;
    qualifiers += qualifier + " ";
    for (auto& word : split_trimmed(qualifier, ' ')) term.qualifiers.push_back(std::move(word));
  }
  term.side = side_from_text(qualifiers);
  return term;
}

// Records the study unless its id was already read; counts duplicates.
class StudyCollector {
 public:
  explicit StudyCollector(GoldReadStats* stats) : stats_(stats ? stats : &local_) {}
  void Add(GoldStudy study) {
    if (!seen_.insert(study.study_id).second) {
      ++stats_->duplicates;
      return;
    }
    studies_.push_back(std::move(study));
  }
  GoldReadStats& stats() { return *stats_; }
  std::vector<GoldStudy> Take() { return std::move(studies_); }

 private:
  GoldReadStats local_;
  GoldReadStats* stats_;
  std::unordered_set<std::string> seen_;
  std::vector<GoldStudy> studies_;
};

LineError row_error(const CsvReader& reader, size_t line, std::string message) {
  return LineError{reader.path(), line, std::move(message)};
}

// Reads every row of a CSV gold file; `on_row` turns a row into a study or an error message.
using RowParser = std::function<Result<std::optional<GoldStudy>>(const CsvRow&)>;

Result<std::vector<GoldStudy>> read_csv_gold(const std::filesystem::path& path,
                                             const std::vector<std::string>& columns,
                                             const std::function<RowParser(const CsvReader&)>& make_parser,
                                             std::vector<LineError>& errors,
                                             GoldReadStats* stats) {
  CXRVQA_ASSIGN_OR_RETURN(auto reader, CsvReader::Open(path));
  CXRVQA_ASSIGN_OR_RETURN(auto required, reader->require_columns(columns));
  RowParser parse = make_parser(*reader);
  StudyCollector collector(stats);
  CsvRow row;
  while (reader->Next(row)) {
    ++collector.stats().rows;
    if (!row.error.empty()) {
      errors.push_back(row_error(*reader, row.line, row.error));
      continue;
    }
    auto study = parse(row);
    if (!study.ok()) {
      errors.push_back(row_error(*reader, row.line, study.status().message()));
    } else if (*study) {
      collector.Add(std::move(**study));
    } else {
      ++collector.stats().unannotated;
    }
  }
  if (!reader->status().ok()) return reader->status();
  return collector.Take();
}

Result<std::optional<GoldStudy>> parse_mesh_row(const CsvRow& row, size_t uid_column,
                                               size_t mesh_column) {
  GoldStudy study;
  study.study_id = normalize_study_id(row.get(uid_column));
  if (study.study_id.empty()) return Status::ParseError("empty uid");
  bool annotated = false;
  for (const auto& entry : split_trimmed(row.get(mesh_column), ';')) {
    std::string lower = to_lower(entry);
    if (lower == "no indexing") continue;
    annotated = true;
    if (lower == "normal") {
      study.normal = true;
      continue;
    }
    study.terms.push_back(mesh_term(entry));
  }
  if (!annotated) return std::optional<GoldStudy>();
  if (!study.terms.empty()) study.normal = false;
  return std::optional<GoldStudy>(std::move(study));
}

Result<std::optional<GoldStudy>> parse_openi14_row(const CsvRow& row,
                                                   const std::vector<std::string>& header,
                                                   size_t id_column) {
  GoldStudy study;
  study.study_id = normalize_study_id(row.get(id_column));
  if (study.study_id.empty()) return Status::ParseError("empty filename");
  for (size_t column = 0; column < header.size(); ++column) {
    if (column == id_column) continue;
    std::string_view value = trim(row.get(column));
    if (value != "0" && value != "1") {
      return Status::ParseError("column " + header[column] + " is not 0 or 1");
    }
    if (value == "0") continue;
    if (to_lower(header[column]) == "normal") {
      study.normal = true;
    } else {
      study.terms.push_back(GoldTerm{header[column], std::nullopt, std::nullopt});
    }
  }
  return std::optional<GoldStudy>(std::move(study));
}

}  // namespace

Result<GoldFormat> parse_gold_format(std::string_view name) {
  std::string lower = to_lower(trim(name));
  if (lower == "iu-mesh") return GoldFormat::kIuMesh;
  if (lower == "openi14") return GoldFormat::kOpenI14;
  if (lower == "keyinfo") return GoldFormat::kKeyInfo;
  return Status::InvalidArgument("unknown gold format '" + std::string(name) +
                                 "' (expected iu-mesh, openi14 or keyinfo)");
}

std::string_view gold_format_name(GoldFormat format) {
  switch (format) {
    case GoldFormat::kIuMesh: return "iu-mesh";
    case GoldFormat::kOpenI14: return "openi14";
    case GoldFormat::kKeyInfo: return "keyinfo";
  }
  return "";
}

std::string_view side_name(Side side) {
  switch (side) {
    case Side::kLeft: return "left";
    case Side::kRight: return "right";
    case Side::kBilateral: return "bilateral";
  }
  return "";
}

std::string normalize_study_id(std::string_view id) {
  std::string_view trimmed = trim(id);
  if (trimmed.size() > 3 && to_lower(trimmed.substr(0, 3)) == "cxr") {
    std::string_view rest = trimmed.substr(3);
    bool digits = rest.find_first_not_of("0123456789") == std::string_view::npos;
    if (digits) return std::string(rest);
  }
  return std::string(trimmed);
}

std::optional<Side> side_from_text(std::string_view text) {
  std::string lower = to_lower(text);
  for (std::string_view both : {"bilateral", "both", "bibasilar", "biapical", "bibasal"}) {
    if (lower.find(both) != std::string::npos) return Side::kBilateral;
  }
  bool left = lower.find("left") != std::string::npos ||
              lower.find("lingul") != std::string::npos;  // the lingula is part of the left lung
  bool right = lower.find("right") != std::string::npos;
  if (left && right) return Side::kBilateral;
  if (left) return Side::kLeft;
  if (right) return Side::kRight;
  return std::nullopt;
}

Result<std::vector<GoldStudy>> read_iu_mesh_gold(const std::filesystem::path& path,
                                                 std::vector<LineError>& errors,
                                                 GoldReadStats* stats) {
  return read_csv_gold(
      path, {"uid", "MeSH"},
      [](const CsvReader& reader) -> RowParser {
        size_t uid = *reader.column("uid");
        size_t mesh = *reader.column("MeSH");
        return [uid, mesh](const CsvRow& row) { return parse_mesh_row(row, uid, mesh); };
      },
      errors, stats);
}

Result<std::vector<GoldStudy>> read_openi14_gold(const std::filesystem::path& path,
                                                 std::vector<LineError>& errors,
                                                 GoldReadStats* stats) {
  return read_csv_gold(
      path, {"filename", "normal"},
      [](const CsvReader& reader) -> RowParser {
        size_t id = *reader.column("filename");
        return [header = reader.header(), id](const CsvRow& row) {
          return parse_openi14_row(row, header, id);
        };
      },
      errors, stats);
}

Result<std::vector<GoldStudy>> read_keyinfo_gold(const std::filesystem::path& path,
                                                 std::vector<LineError>& errors,
                                                 GoldReadStats* stats) {
  CXRVQA_ASSIGN_OR_RETURN(auto records, read_keyinfo_jsonl(path, errors));
  StudyCollector collector(stats);
  for (const auto& record : records) {
    ++collector.stats().rows;
    GoldStudy study;
    study.study_id = normalize_study_id(record.meta.study_id);
    study.normal = record.entity.empty();
    study.uncertain = record.uncertain_entity;
    study.view = record.meta.view;
    for (const auto& entity : record.entity) {
      const auto& attributes = entity.attributes;
      std::string where = attributes.location.value_or("") + " " + attributes.post_location.value_or("");
      std::string type = to_lower(attributes.type.value_or(""));
      std::replace(type.begin(), type.end(), ',', ' ');
      study.terms.push_back(
          GoldTerm{entity.name, side_from_text(where), attributes.level, split_trimmed(type, ' ')});
    }
    collector.Add(std::move(study));
  }
  return collector.Take();
}

Result<std::vector<GoldStudy>> read_gold(GoldFormat format, const std::filesystem::path& path,
                                         std::vector<LineError>& errors, GoldReadStats* stats) {
  switch (format) {
    case GoldFormat::kIuMesh: return read_iu_mesh_gold(path, errors, stats);
    case GoldFormat::kOpenI14: return read_openi14_gold(path, errors, stats);
    case GoldFormat::kKeyInfo: return read_keyinfo_gold(path, errors, stats);
  }
  return Status::Internal("unknown gold format");
}

}  // namespace cxrvqa
