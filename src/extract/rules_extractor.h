// The rule-based KeyInfo extractor: lexicon matching (one Hyperscan database over every
// finding phrase), negation and uncertainty cue scopes, attribute words before a mention and
// location phrases after it, opacity/clear statements, and merging of repeated mentions.
//
// Polarity of one mention, from the cues of its clause (a sentence part between scope breaks):
// a backward uncertainty cue ("X cannot be excluded") wins, then a forward or adjacent
// negation ("no X", "resolved X", "normal heart size"), then a forward uncertainty ("possible
// X"), then a backward negation ("X has resolved"). Backward cues reach over their own
// comma-separated part only; adjacent cues reach the noun phrase right after them (no comma
// and no other finding between, at most kAdjacentCueWords words) or stand right after the
// finding ("heart size normal"). A change cue ("partially resolved") has no scope: as the
// longer phrase it keeps the negation inside it from applying. Hedges of high confidence
// ("probable", "likely") are not uncertainty cues; in "A versus B" only B is uncertain.
// Anatomy (Lexicon::anatomy) counts only when negated: a normal statement about it negates
// the finding it rules out ("heart size is normal": cardiomegaly negated).
// Polarity per finding across the whole report: positive beats uncertain beats negated
// (a finding seen as present anywhere is present; "no new X" beside a reported X is present).
// Mentions in a comma-separated part that names a device or treatment are ignored.
//
// Attributes. Level, type and location words right before a mention are its attributes (a
// change word such as "increased" is the level only when no other level is given); inside a
// fixed finding name only a level, or a type word the finding is also named without
// ("interstitial edema"); location words and a post-location phrase after it are read too.
// The level is the current one: a level after "now"/"to" in the mention's sentence (before
// the next finding) replaces it, and one right after "previously"/"from" is no level. A
// mention without a level takes the nearest level word shortly before it in its stretch of
// the clause (no other finding in between: "small T-spine osteophytes"). A mention without a
// side takes the side words of that stretch (before it first, then after it; two sides give
// "bilateral"), the side its own word names ("levoscoliosis" is left), or "bilateral" when it
// or its location names a pair by a plural ("the lung bases", "elevated hemidiaphragms"). Two
// sides compared ("left greater than right", "greater on the left") and a second side named
// by attribute words after the mention ("right effusion, small left sided") make it
// bilateral. A mention without any location takes the location of a neighbour in its
// sentence that it is said of: the nearest earlier one unless "and" joins them, or the
// nearest later one whose location follows it when only "and"/"or" and attribute words stand
// between ("effusion and atelectasis at the left base").
// Repeated positive mentions merge: absent attributes are filled from later mentions, and a
// second side turns the location into "bilateral". Every positive "lung opacity" (category
// "opacity") is an entity; the first one also fills opacity_vs_clear.opacity.
//
// Time is linear in the report's length: lookups by position gallop over sorted matches.
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
