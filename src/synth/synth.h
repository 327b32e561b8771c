// A synthetic MIMIC-CXR-like corpus for tests and benchmarks: a files/pXX/pSUBJECT/sSTUDY.txt
// tree of reports composed from report sentence templates (data/templates/synth_*.csv) and a
// mimic_all.csv. Deterministic for a seed: the same options give the same bytes whatever the
// thread count.
//
// Shape: several studies per subject (dates increasing with study_order, but study ids not in
// date order, so file order and study_order disagree), one split per subject, views PA / AP
// / lateral, reports with positives (level, type, location), negations, uncertainty,
// devices, normal studies, FINDINGS/IMPRESSION layout (some with IMPRESSION only).
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "common/json.h"
#include "common/status.h"

namespace cxrvqa {

struct SynthOptions {
  size_t studies = 1000;
  uint64_t seed = 0;
  unsigned threads = 0;  // 0 = all cores
  // Directory with synth_*.csv templates overriding the embedded data/templates/.
  std::optional<std::filesystem::path> templates;
  // The corpus folder RunSynth writes (write_synthetic_corpus takes it as its argument).
  std::filesystem::path out;
};

struct SynthSummary {
  size_t studies = 0;
  size_t subjects = 0;
  size_t frontal = 0;
  // Set by RunSynth: the corpus folder and the seconds the run took.
  std::filesystem::path out;
  double seconds = 0;

  // One line: "synth: N studies, N subjects, N frontal -> OUT (S s)".
  std::string ToString() const;
  Json ToJson() const;
};

// Writes `out`/files/... and `out`/mimic_all.csv (atomically, after the reports).
Result<SynthSummary> write_synthetic_corpus(const std::filesystem::path& out,
                                            const SynthOptions& options);

// write_synthetic_corpus(options.out, options), timed.
Result<SynthSummary> RunSynth(const SynthOptions& options);

}  // namespace cxrvqa
