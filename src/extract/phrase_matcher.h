// One Hyperscan database over every phrase of the lexicon (findings, cues, scope breaks,
// devices, attribute words, post-location phrases, "clear"), compiled once. Matches respect
// word boundaries (letters, digits and hyphens are word characters). A phrase may hold gaps
// " * ", each standing for up to three words ("heart * enlarged", "fractures of the * and *
// ribs").
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "lexicon/lexicon.h"

struct hs_database;
struct hs_scratch;

namespace cxrvqa {

enum class PhraseKind : uint8_t {
  kFinding,       // index into Lexicon::findings()
  kCue,           // index into Lexicon::cues()
  kScopeBreak,    // index into Lexicon::scope_breaks()
  kDevice,        // index into Lexicon::devices()
  kLevel,         // index into Lexicon::levels()
  kType,          // index into Lexicon::types()
  kLocation,      // index into Lexicon::locations()
  kPostLocation,  // index into Lexicon::post_locations()
  kConnector,     // index into Lexicon::post_connectors()
  kDropModifier,  // index into Lexicon::drop_modifiers()
  kLevelChange,   // index into Lexicon::level_changes() (the change words only)
  kAnatomy,       // index into Lexicon::anatomy() (only phrases with a negated finding)
  kClear,         // the word "clear"
};

struct PhraseMatch {
  uint32_t from = 0;  // byte offsets into the scanned text, [from, to)
  uint32_t to = 0;
  PhraseKind kind = PhraseKind::kFinding;
  bool gap = false;  // matched by a phrase with a gap ("heart * enlarged")
  uint32_t index = 0;
};

class PhraseMatcher {
 public:
  explicit PhraseMatcher(const Lexicon& lexicon);
  ~PhraseMatcher();
  PhraseMatcher(const PhraseMatcher&) = delete;
  PhraseMatcher& operator=(const PhraseMatcher&) = delete;

  bool ok() const { return database_ != nullptr; }
  const std::string& error() const { return error_; }

  // Appends every whole-word match in `text` to `out` (unordered, overlaps included).
  // Thread-safe: scratch space comes from an internal pool.
  void Scan(std::string_view text, std::vector<PhraseMatch>& out) const;

 private:
  struct Pattern {
    PhraseKind kind;
    uint32_t index;
    uint32_t length;  // literal length; 0 for gap patterns (start of match reported)
  };
  void Add(std::string_view phrase, PhraseKind kind, uint32_t index);
  void Compile();
  hs_scratch* AcquireScratch() const;
  void ReleaseScratch(hs_scratch* scratch) const;

  std::vector<std::string> expressions_;
  std::vector<unsigned> flags_;
  std::vector<Pattern> patterns_;
  hs_database* database_ = nullptr;
  hs_scratch* prototype_ = nullptr;
  std::string error_;
  mutable std::mutex pool_mutex_;
  mutable std::vector<hs_scratch*> pool_;
};

}  // namespace cxrvqa
