// What the pipeline tests share: the demo corpus and options that run it quickly.
#pragma once

#include <filesystem>

#include "pipeline/pipeline.h"

namespace cxrvqa::testing {

inline const std::filesystem::path kDemoCorpus = std::filesystem::path(CXRVQA_SOURCE_DIR) / "data" / "demo" / "mimic";

// The rules pipeline over the MIMIC-layout corpus `corpus` into `out`.
inline PipelineOptions demo_options(const std::filesystem::path& corpus, const std::filesystem::path& out) {
  PipelineOptions options;
  options.corpus = CorpusKind::kMimic;
  options.reports = corpus;
  options.metadata = corpus / "mimic_all.csv";
  options.out_dir = out;
  options.min_count = 2;
  options.seed = 3;
  options.threads = 2;
  return options;
}

}  // namespace cxrvqa::testing
