// Frequency libraries over a KeyInfo set: how often each finding name and each attribute word
// occurs, plus the merged disease library (lexicon findings and names first seen in the
// corpus). Question generation reads them to skip rare names; standardize reads them to
// re-file attribute words by their corpus frequency.
//
// Counting contract:
// - entity: a finding name counts once per study in which it is positive (record.entity).
//   Uncertain and negated findings do not count.
// - location / level / type: each non-empty attribute value of a positive finding counts
//   once per (study, finding) occurrence, as the whole value string ("left lower").
//   Opacity/clear statements and post_location do not count.
// Written as JSON objects {"name": count, ...} sorted by count descending, then name
// ascending: entity_dict.json, location_dict.json, level_dict.json, type_dict.json; the
// disease library as disease_lib.csv.
//
// The original programs' dictionaries (libs/*_dict.json of Medical-CXR-VQA: the same JSON
// objects, ties in first-seen order) are read as they are, their file order kept; so is an
// original disease library beside them (disease_lib_llm.csv, or a disease_lib.csv with the
// columns id,report_name,official_name,location).
#pragma once

#include <array>
#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/json.h"
#include "common/jsonl.h"
#include "common/status.h"
#include "common/string_map.h"
#include "keyinfo/keyinfo.h"
#include "lexicon/lexicon.h"

namespace cxrvqa {

enum class LibraryKind { kEntity = 0, kLocation = 1, kLevel = 2, kType = 3 };

// "entity", "location", "level", "type".
std::string_view library_kind_name(LibraryKind kind);

// One row of disease_lib.csv.
// Columns: id,name,synonyms,location,category,count,source
//   synonyms: ';'-joined lexicon synonyms (empty for corpus names);
//   location: the finding's default location ("pleural", "lung", "heart" or "");
//   source: "lexicon" or "corpus" (a positive name the lexicon does not know).
struct LibraryDisease {
  std::string name;
  std::vector<std::string> synonyms;
  std::string default_location;
  std::string category;
  size_t count = 0;
  bool from_lexicon = true;
  bool operator==(const LibraryDisease&) const = default;
};

// One row of an original program's disease library (Medical-Diff-VQA's disease_lib.csv,
// Medical-CXR-VQA's disease_lib_llm.csv). Columns: id,report_name,official_name,location;
// report_name holds the ';'-separated synonyms, in order.
struct OriginalDisease {
  std::string id;
  std::vector<std::string> synonyms;
  std::string official_name;
  std::string location;
  bool operator==(const OriginalDisease&) const = default;
};

// Reads an original disease library from `text` (the CSV's content); errors name `source`
// and the line.
Result<std::vector<OriginalDisease>> parse_original_disease_library(std::string_view text,
                                                                    const std::string& source);

using CountList = std::vector<std::pair<std::string, size_t>>;

struct Libraries {
  // Each sorted by count desc; ties by name asc as computed here, in file order as loaded.
  CountList entity, location, level, type;
  // Lexicon findings first (lexicon order), then corpus-only names (count desc, name asc).
  std::vector<LibraryDisease> diseases;
  // An original disease library found in the directory (load_libraries); empty otherwise.
  std::vector<OriginalDisease> original_diseases;

  const CountList& list(LibraryKind kind) const;
  CountList& list(LibraryKind kind);
  // The count of `name` in the dictionary of `kind`; 0 when absent. O(1) after reindex().
  size_t count(LibraryKind kind, std::string_view name) const;
  // Names of `kind` with count >= min_count, in dictionary order.
  std::vector<std::string> frequent(LibraryKind kind, size_t min_count) const;
  // Rebuilds the lookup index used by count(); call after editing the lists by hand.
  // compute_libraries and load_libraries return indexed libraries.
  void reindex();

 private:
  std::array<StringMap<size_t>, 4> index_;
};

// Counts records one at a time, as described at the top of this file, so that callers need
// not hold them all.
class LibraryCounter {
 public:
  void Add(const KeyInfo& record);
  // The libraries of everything added. `lexicon` may be null (then the disease library holds
  // corpus names only).
  Libraries Finish(const Lexicon* lexicon) &&;

 private:
  StringMap<size_t> entity_, location_, level_, type_;
};

// The same over `records` at once.
Libraries compute_libraries(const std::vector<KeyInfo>& records, const Lexicon* lexicon);

// Writes the four *_dict.json files and disease_lib.csv as the folder `dir`, atomically as a
// whole (write_folder_atomic: the folder holds the old set or the new one, never a mix). An
// existing `dir` holding other files is refused.
Status write_libraries(const Libraries& libraries, const std::filesystem::path& dir);

// Reads what write_libraries wrote, or the original programs' libs/ folder. The dictionaries
// are required; the disease library is optional: disease_lib.csv in this project's layout
// fills `diseases`; disease_lib_llm.csv, or a disease_lib.csv in the original layout, fills
// `original_diseases`. Errors name the file (and CSV line).
Result<Libraries> load_libraries(const std::filesystem::path& dir);

// The libraries stage, as `cxrvqa libraries` and the pipeline run it.
struct LibrariesOptions {
  std::filesystem::path in;   // standardized KeyInfo (JSONL or a JSON array)
  std::filesystem::path out;  // the folder to write (write_libraries)
  const Lexicon* lexicon = nullptr;  // not owned; null: corpus names only in the disease library
};

struct LibrariesSummary {
  size_t records = 0;
  std::vector<LineError> bad_lines;  // KeyInfo lines that could not be read (skipped)
  size_t entity_names = 0, location_words = 0, level_words = 0, type_words = 0, diseases = 0;

  // One line: counts and the folder written.
  std::string ToString(const std::filesystem::path& out) const;
  // {records, bad_lines (a count), entity_names, location_words, level_words, type_words}.
  Json ToJson() const;
};

// Reads `in`, counts and writes `out`. Refuses an `out` folder that holds `in` (writing it
// would replace the input). Errors name the file.
Result<LibrariesSummary> RunLibraries(const LibrariesOptions& options);

}  // namespace cxrvqa
