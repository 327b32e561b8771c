// KeyInfo: the key information of one study's report, in the strict schema of SYSTEM.md.
// Every extractor produces it, standardize repairs towards it, questions read it.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/json.h"

#include "common/jsonl.h"
#include "common/status.h"

namespace cxrvqa {

// Per-study metadata carried with the record (from mimic_all.csv or the corpus).
struct StudyMeta {
  std::string study_id;    // always a string, never a number
  std::string subject_id;
  std::string dicom_id;
  std::string view;        // as in the metadata, e.g. "postero-anterior", "PA", "antero-posterior"
  int study_order = 0;     // rank of the study date within the subject; 0 = unknown
  std::string split;       // "train", "validate", "test" or ""
};

struct EntityAttributes {
  std::optional<std::string> location;
  std::optional<std::string> level;
  std::optional<std::string> type;
  std::optional<std::string> post_location;
  bool operator==(const EntityAttributes&) const = default;
};

// One positive finding (official name + attributes).
struct Entity {
  std::string name;
  EntityAttributes attributes;
  bool operator==(const Entity&) const = default;
};

// "There is an opacity ..." statements that name no specific finding.
struct OpacityStatement {
  std::optional<std::string> location;
  std::optional<std::string> level;
  std::optional<std::string> type;
  bool operator==(const OpacityStatement&) const = default;
};

// "The lungs are clear" statements.
struct ClearStatement {
  std::optional<std::string> location;
  bool operator==(const ClearStatement&) const = default;
};

struct KeyInfo {
  StudyMeta meta;
  std::optional<OpacityStatement> opacity;
  std::optional<ClearStatement> clear;
  std::vector<Entity> entity;                 // positive findings, in order of first mention
  std::vector<std::string> uncertain_entity;  // possible findings
  std::vector<std::string> no_entity;         // negated findings

  // The positive entity named `name`, or nullptr.
  const Entity* find_entity(std::string_view name) const;
  Entity* find_entity(std::string_view name);
  bool operator==(const KeyInfo& other) const;
};

// One JSON object on one line, no trailing newline, keys always in this order:
// study_id, subject_id, dicom_id, view, study_order, split, opacity_vs_clear{opacity,clear},
// entity{name:{location,level,type,post_location}}, uncertain_entity, no_entity.
// Absent attributes are written as null; absent opacity/clear statements are omitted.
std::string keyinfo_to_json_line(const KeyInfo& record);

// Reads a record in the strict schema (as written by keyinfo_to_json_line). study_id may be
// a JSON string or number. Anything else off-schema is a ParseError naming the field.
Result<KeyInfo> keyinfo_from_json(const Json& object);

// Reads one line in exactly the form keyinfo_to_json_line writes (its key order, no spaces,
// only the escapes it writes, valid UTF-8) into `out`, without a general JSON parser. False
// on anything else, with `out` unspecified: the caller then falls back to Json::parse.
// On the lines it accepts, the record equals keyinfo_from_json(Json::parse(line)).
bool parse_strict_keyinfo_line(std::string_view line, KeyInfo& out);

// Reads a KeyInfo JSONL file. Lines that are not valid JSON or not in the schema are
// appended to `errors` (file, line, reason) and skipped; the rest are returned in file order.
Result<std::vector<KeyInfo>> read_keyinfo_jsonl(const std::filesystem::path& path,
                                                std::vector<LineError>& errors);

// Appends `text` to `out` as a JSON string literal (quotes and escapes included).
void append_json_string(std::string& out, std::string_view text);

}  // namespace cxrvqa
