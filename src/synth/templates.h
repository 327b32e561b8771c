// Report sentence templates of the synthetic corpus (data/templates/synth_*.csv), parsed.
#pragma once

#include <array>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "common/rng.h"
#include "common/status.h"

namespace cxrvqa::synth {

// The slots a template may hold: {level} {location} {type} {region} {finding} {finding2};
// a capitalized slot name ({Level}) capitalizes the first letter of the value.
enum Slot : int { kLevel, kLocation, kType, kRegion, kFinding, kFinding2, kSlotCount };

struct Segment {
  std::string text;  // literal text (slot < 0) or nothing
  int slot = -1;
  bool capital = false;
};

struct Template {
  std::vector<Segment> segments;
  unsigned required = 0;  // bit per attribute slot (kLevel..kRegion) the template uses
  bool pair = false;      // uses {finding2}
};

struct SynthFinding {
  std::string name;
  double positive_weight = 0, negative_weight = 0, uncertain_weight = 0;
  std::vector<std::string> locations, regions, levels, types;
};

// Weighted choice among indexes; weights fixed at construction.
class WeightedChoice {
 public:
  WeightedChoice() = default;
  explicit WeightedChoice(const std::vector<double>& weights);
  // An index with probability weight / total; -1 when every weight is 0.
  int Draw(SplitMix64& rng) const;

 private:
  std::vector<double> cumulative_;
};

enum class SentenceKind { kPositive, kNegative, kUncertain, kNormal, kDevice, kImpressionNormal,
                          kIndication, kComparison, kKindCount };

struct SynthTemplates {
  std::vector<SynthFinding> findings;
  WeightedChoice positive, negative, uncertain;  // over findings
  std::array<std::vector<Template>, static_cast<size_t>(SentenceKind::kKindCount)> sentences;

  const std::vector<Template>& of(SentenceKind kind) const {
    return sentences[static_cast<size_t>(kind)];
  }
};

// Loads synth_findings.csv and synth_sentences.csv from `dir` or the embedded copies.
// Errors name the file and line.
Result<SynthTemplates> load_synth_templates(const std::optional<std::filesystem::path>& dir);

// Appends `tmpl` filled with `values` (indexed by Slot) to `out`.
void render_template(const Template& tmpl, const std::array<std::string_view, kSlotCount>& values,
                     std::string& out);

}  // namespace cxrvqa::synth
