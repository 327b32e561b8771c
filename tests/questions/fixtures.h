// A realistic KeyInfo set for question tests: several patients with a few frontal and lateral
// studies each, positives with attributes, negations, uncertainty, normal studies.
#pragma once

#include <string>
#include <vector>

#include "common/rng.h"
#include "corpus/metadata.h"
#include "keyinfo/keyinfo.h"

namespace cxrvqa::testing {

struct FixtureFinding {
  const char* name;
  std::vector<std::string> locations, levels, types;
};

inline const std::vector<FixtureFinding>& fixture_findings() {
  static const std::vector<FixtureFinding> findings = {
      {"pleural effusion", {"left", "right", "bilateral", "left lower"}, {"small", "moderate"}, {"layering"}},
      {"atelectasis", {"left lower lobe", "right lower lobe", "bibasilar"}, {"mild"}, {"linear", "patchy"}},
      {"cardiomegaly", {}, {"mild", "moderate"}, {}},
      {"edema", {"bilateral"}, {"mild"}, {"interstitial"}},
      {"pneumothorax", {"left upper", "right upper"}, {"small"}, {}},
      {"consolidation", {"right lower lobe", "left lower lobe"}, {}, {"patchy"}},
      {"pneumonia", {"right lower lobe"}, {}, {}},
  };
  return findings;
}

// `studies` records over about studies/4 patients; views in `metadata` (PA, AP, lateral),
// metadata rows in study_id order while study_order runs against it for some patients.
inline std::vector<KeyInfo> fixture_records(size_t studies, std::vector<StudyRecord>* metadata,
                                            uint64_t seed = 1) {
  SplitMix64 rng(seed);
  const auto& findings = fixture_findings();
  std::vector<KeyInfo> records;
  for (size_t i = 0; i < studies; ++i) {
    size_t patient = i / 4, within = i % 4;
    KeyInfo record;
    record.meta.study_id = std::to_string(50000000 + i);
    record.meta.subject_id = std::to_string(10000000 + patient);
    // Odd patients: study ids run against the dates.
    record.meta.study_order = patient % 2 == 1 ? static_cast<int>(4 - within) : static_cast<int>(within + 1);
    record.meta.split = patient % 10 == 9 ? "test" : "train";
    double v = rng.Unit();
    record.meta.view = v < 0.45 ? "antero-posterior" : (v < 0.85 ? "postero-anterior" : "lateral");
    record.meta.dicom_id = "d" + record.meta.study_id;
    if (!rng.Chance(0.25)) {
      size_t positives = 1 + rng.Below(3);
      for (size_t k = 0; k < positives; ++k) {
        const FixtureFinding& f = findings[rng.Below(findings.size())];
        if (record.find_entity(f.name) != nullptr) continue;
        Entity entity{f.name, {}};
        if (!f.locations.empty() && rng.Chance(0.8)) entity.attributes.location = f.locations[rng.Below(f.locations.size())];
        if (!f.levels.empty() && rng.Chance(0.6)) entity.attributes.level = f.levels[rng.Below(f.levels.size())];
        if (!f.types.empty() && rng.Chance(0.5)) entity.attributes.type = f.types[rng.Below(f.types.size())];
        record.entity.push_back(entity);
      }
    }
    for (const FixtureFinding& f : findings) {
      if (record.find_entity(f.name) == nullptr && rng.Chance(0.3)) record.no_entity.push_back(f.name);
    }
    if (rng.Chance(0.2)) {
      const FixtureFinding& f = findings[rng.Below(findings.size())];
      if (record.find_entity(f.name) == nullptr &&
          std::find(record.no_entity.begin(), record.no_entity.end(), f.name) == record.no_entity.end()) {
        record.uncertain_entity.push_back(f.name);
      }
    }
    if (metadata) {
      metadata->push_back({record.meta.subject_id, record.meta.study_id, record.meta.dicom_id,
                           record.meta.view, record.meta.split, "2150010" + std::to_string(within),
                           record.meta.study_order});
    }
    records.push_back(std::move(record));
  }
  return records;
}

}  // namespace cxrvqa::testing
