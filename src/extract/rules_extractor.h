// The rule-based KeyInfo extractor: lexicon matching (one Hyperscan database over every
// finding phrase), negation and uncertainty cue scopes, attribute words before a mention and
// location phrases after it, opacity/clear statements, and merging of repeated mentions.
//
// Polarity of one mention, from the cues of its clause (a sentence part between scope breaks):
// a backward uncertainty cue ("X cannot be excluded") wins, then a forward negation ("no X"),
// then a forward uncertainty ("possible X"), then a backward negation ("X has resolved").
// Backward cues reach over their own comma-separated part only. Hedges of high confidence
// ("probable", "likely") are not uncertainty cues; in "A versus B" only B is uncertain.
// Polarity per finding across the whole report: positive beats uncertain beats negated
// (a finding seen as present anywhere is present; "possible X" beside "no X" is uncertain).
// Mentions in a comma-separated part that names a device or treatment are ignored.
// Repeated positive mentions merge: absent attributes are filled from later mentions, and a
// second side turns the location into "bilateral". A mention without location takes the
// location of the nearest mention in its sentence that has one. Before that, a mention without
// a level takes the nearest level word shortly before it in its stretch of the clause (no other
// finding in between: "small T-spine osteophytes"). A mention without a side takes the
// side words of that stretch (before it first, then after it; two sides give "bilateral"),
// the side its own word names ("levoscoliosis" is left), or "bilateral" when its location is
// a paired plural ("the lung bases", "lungs", "the upper lobes"). Every positive "lung opacity"
// (category "opacity") is an entity; the first one also fills opacity_vs_clear.opacity.
#pragma once

#include <memory>
#include <string_view>

#include "keyinfo/keyinfo.h"
#include "lexicon/lexicon.h"

namespace cxrvqa {

class RulesExtractor {
 public:
  // Compiles the matching database once; the extractor is immutable afterwards.
  // A lexicon that Hyperscan cannot compile is a bug in the lexicon files and is reported on
  // the first Extract call as an empty result; check Ready() / compile_error() after
  // construction.
  explicit RulesExtractor(std::shared_ptr<const Lexicon> lexicon);
  ~RulesExtractor();
  RulesExtractor(const RulesExtractor&) = delete;
  RulesExtractor& operator=(const RulesExtractor&) = delete;

  // Extracts the key information of one report's selected text (findings + impression).
  // Thread-safe: per-call scratch is per thread. `meta` of the result is left empty.
  KeyInfo Extract(std::string_view selected_text) const;

  // True when the matching database compiled; otherwise compile_error() says why.
  bool Ready() const;
  const std::string& compile_error() const;
  const Lexicon& lexicon() const { return *lexicon_; }

 private:
  struct Impl;
  std::shared_ptr<const Lexicon> lexicon_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace cxrvqa
