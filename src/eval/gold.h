// Gold labels for evaluating KeyInfo files: readers for the IU/Open-i MeSH column
// (iu-mesh), the hand-labeled 14 ChestX-ray14 findings of Open-i (openi14), and another
// KeyInfo JSONL used as gold (keyinfo). Every reader turns its file into GoldStudy records
// of raw gold terms; the mapping from terms to lexicon findings is a separate step
// (gold_map.h), so one reader serves any mapping file.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/jsonl.h"
#include "common/status.h"

namespace cxrvqa {

enum class GoldFormat { kIuMesh, kOpenI14, kKeyInfo };

// Parses "iu-mesh", "openi14" or "keyinfo".
Result<GoldFormat> parse_gold_format(std::string_view name);
std::string_view gold_format_name(GoldFormat format);

// Which side of the chest a finding is on.
enum class Side { kLeft, kRight, kBilateral };
std::string_view side_name(Side side);

// One positive gold annotation of a study.
struct GoldTerm {
  // The term as the gold names it: a MeSH heading with its qualifiers
  // ("Pleural Effusion/left/small"), a ChestX-ray14 column ("Effusion") or a KeyInfo
  // entity name ("pleural effusion").
  std::string term;
  std::optional<Side> side;          // from the term's qualifiers or location
  std::optional<std::string> level;  // severity word as written ("mild", "small", ...)
  // Lower-case words that describe the finding: the MeSH qualifiers after the heading
  // ("lung", "base", "patchy"), or the words of a KeyInfo entity's type.
  std::vector<std::string> qualifiers{};
};

struct GoldStudy {
  std::string study_id;  // normalized with normalize_study_id
  // True when the gold says the study has no abnormality: MeSH `normal`, openi14 column
  // `normal` = 1, or a KeyInfo record without positive entity.
  bool normal = false;
  std::vector<GoldTerm> terms;
  std::vector<std::string> uncertain{};  // KeyInfo gold: names the gold only calls possible
  std::string view{};                    // KeyInfo gold: the view as its record states it
};

// Study ids are compared after this: "CXR123" (Open-i file names) becomes "123"; any other
// id is kept as is (trimmed).
std::string normalize_study_id(std::string_view id);

// The side named by a location or qualifier text: "bilateral", "both", "bibasilar",
// "biapical", or "left" together with "right" -> bilateral; else left or right (the lingula
// is left); else none.
std::optional<Side> side_from_text(std::string_view text);

// iu_reports_dev.csv layout (columns `uid` and `MeSH`). Each `;`-separated MeSH entry is
// one term; `normal` marks a normal study. Entries are kept as written (whitespace
// collapsed); which of them count as findings, and which are ignored (devices,
// "No Indexing", image quality), is the mapping file's business. A study whose only entry
// is "No Indexing" has no annotation and is left out (counted in `unannotated`).
// Rows with a missing uid or a CSV error go to `errors` (file:line) and are skipped.
struct GoldReadStats {
  size_t rows = 0;
  size_t unannotated = 0;
  size_t duplicates = 0;  // later rows with an id already read; the first row wins
};
Result<std::vector<GoldStudy>> read_iu_mesh_gold(const std::filesystem::path& path,
                                                 std::vector<LineError>& errors,
                                                 GoldReadStats* stats = nullptr);

// openi_gold14_dev.csv layout: `filename` (CXR<uid>), one 0/1 column per ChestX-ray14
// finding and `normal`. Each column with value 1 (other than `normal`) is one term named
// by the column. Values other than 0/1 are errors (file:line) and the row is skipped.
Result<std::vector<GoldStudy>> read_openi14_gold(const std::filesystem::path& path,
                                                 std::vector<LineError>& errors,
                                                 GoldReadStats* stats = nullptr);

// A KeyInfo JSONL as gold: each positive entity is one term (its name), with side from its
// location and level as written. Uncertain and negated findings are not gold positives.
Result<std::vector<GoldStudy>> read_keyinfo_gold(const std::filesystem::path& path,
                                                 std::vector<LineError>& errors,
                                                 GoldReadStats* stats = nullptr);

// Dispatches on `format`.
Result<std::vector<GoldStudy>> read_gold(GoldFormat format, const std::filesystem::path& path,
                                         std::vector<LineError>& errors,
                                         GoldReadStats* stats = nullptr);

}  // namespace cxrvqa
