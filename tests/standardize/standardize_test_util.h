// Shared helpers for the standardize tests: one standardizer over the embedded lexicon, a
// compact description of a record, and repair through both entry points.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>

#include "common/text.h"
#include "standardize/standardize.h"

namespace cxrvqa {

inline std::shared_ptr<const Lexicon> lexicon() {
  static auto loaded = Lexicon::Load(std::nullopt);
  EXPECT_TRUE(loaded.ok()) << loaded.status().ToString();
  return *loaded;
}

inline const Standardizer& standardizer() {
  static Standardizer instance(lexicon());
  return instance;
}

inline std::string attr(const std::optional<std::string>& value) { return value ? *value : "-"; }

// "name[location|level|type|post_location]; ... / uncertain: a, b / no: c"
inline std::string describe(const KeyInfo& record) {
  std::string out;
  for (const auto& e : record.entity) {
    if (!out.empty()) out += "; ";
    const auto& a = e.attributes;
    out += e.name + "[" + attr(a.location) + "|" + attr(a.level) + "|" + attr(a.type) + "|" +
           attr(a.post_location) + "]";
  }
  if (!record.uncertain_entity.empty()) out += " / uncertain: " + join(record.uncertain_entity, ", ");
  if (!record.no_entity.empty()) out += " / no: " + join(record.no_entity, ", ");
  return out;
}

// Repairs through the nlohmann value (the API) and through the text (RepairLine, the path
// files take); both must give the same record and the same repair counts.
inline KeyInfo repaired(const std::string& json_text, RepairCounts* counts = nullptr) {
  RepairCounts local, from_text;
  RepairCounts& from_value = counts ? *counts : local;
  RepairCounts before = from_value;
  auto record = standardizer().Repair(Json::parse(json_text), from_value);
  auto line_record = standardizer().RepairLine(json_text, from_text);
  EXPECT_TRUE(record.ok()) << record.status().ToString();
  EXPECT_TRUE(line_record.ok()) << line_record.status().ToString();
  if (!record.ok() || !line_record.ok()) return KeyInfo{};
  EXPECT_EQ(keyinfo_to_json_line(*record), keyinfo_to_json_line(*line_record)) << json_text;
  for (size_t i = 0; i < kRepairKinds; ++i) {
    EXPECT_EQ(from_value.counts[i] - before.counts[i], from_text.counts[i])
        << repair_name(static_cast<Repair>(i)) << " in " << json_text;
  }
  return *record;
}

}  // namespace cxrvqa
