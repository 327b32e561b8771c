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

// A field added here must also be emptied by parse_strict_keyinfo_line, which reuses records.
struct KeyInfo {
  StudyMeta meta;
  std::optional<OpacityStatement> opacity;
  std::optional<ClearStatement> clear;
  std::vector<Entity> entity;                 // positive findings, in order of first mention
  std::vector<std::string> uncertain_entity;  // possible findings
  // The attributes of the possible findings, one per uncertain_entity name, when the source
  // gave them (an object {name: attributes}, as the released all_diseases.json has); empty
  // when it gave a list of names.
  std::vector<EntityAttributes> uncertain_attributes;
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
// uncertain_entity is a list of names, or an object like entity when the record has
// uncertain_attributes.
std::string keyinfo_to_json_line(const KeyInfo& record);
// The same line appended to `out` (no newline).
void append_keyinfo_json_line(std::string& out, const KeyInfo& record);

// Reads a record in the strict schema (as written by keyinfo_to_json_line), and the shapes
// the original programs release: study_id and subject_id may be JSON strings or integers;
// study_order an integer, a float with no fraction (2.0) or a string holding either ("2",
// "2.0"), anything else is an error; uncertain_entity a list of names or an object
// {name: attributes}; an attribute a string, null, or a list of strings (joined with ", ");
// unknown keys are ignored. Anything else off-schema is a ParseError naming the field.
Result<KeyInfo> keyinfo_from_json(const Json& object);

// Reads one line in exactly the form keyinfo_to_json_line writes (its key order, no spaces,
// only the escapes it writes, valid UTF-8) into `out`, without a general JSON parser. False
// on anything else, with `out` unspecified: the caller then falls back to Json::parse.
// On the lines it accepts, the record equals keyinfo_from_json(Json::parse(line)).
bool parse_strict_keyinfo_line(std::string_view line, KeyInfo& out);

// Reads a KeyInfo file: JSONL (one record per line), or one JSON array of records (as the
// original programs write all_diseases.json), told apart by the file's first non-blank
// character. Records that are not valid JSON or not in the schema are appended to `errors`
// (file, line where the record starts, reason) and skipped; the rest are returned in file
// order. A JSON array cut short is an error at the line where its last record starts,
// after the records before it. JSONL records are parsed on `threads` threads (0 = all cores).
Result<std::vector<KeyInfo>> read_keyinfo_jsonl(const std::filesystem::path& path,
                                                std::vector<LineError>& errors, unsigned threads = 0);

// Appends `text` to `out` as a JSON string literal (quotes and escapes included).
void append_json_string(std::string& out, std::string_view text);

}  // namespace cxrvqa
