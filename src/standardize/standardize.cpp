#include "standardize/standardize.h"

#include <algorithm>
#include <array>

#include "common/json_tree.h"
#include "standardize/standardize_internal.h"

namespace cxrvqa {

namespace {

constexpr std::array<std::string_view, kRepairKinds> kRepairNames = {
    "study_id_number",      "category_shape",       "attribute_shape",   "null_or_empty",
    "nested_finding",       "description_name",     "plural",            "synonym",
    "modifier_dropped",     "attribute_from_name",  "post_location_from_name",
    "special_finding",      "location_removed",     "device_dropped",    "unknown_word_dropped",
    "duplicate_merged",     "unknown_key_dropped",  "refiled",           "level_form",
    "hedge_to_uncertain",   "negation_to_no_entity", "both_to_bilateral", "anatomy_dropped",
    "anatomy_to_finding",   "category_conflict"};
constexpr std::array<Repair, 12> kMeaningRepairs = {
    Repair::kModifierDropped,   Repair::kSpecialFinding,      Repair::kLocationRemoved,
    Repair::kDeviceDropped,     Repair::kUnknownWordDropped,  Repair::kUnknownKeyDropped,
    Repair::kRefiled,           Repair::kHedgeToUncertain,    Repair::kNegationToNoEntity,
    Repair::kAnatomyDropped,    Repair::kAnatomyToFinding,    Repair::kCategoryConflict};

}  // namespace

std::string_view repair_name(Repair kind) { return kRepairNames[static_cast<size_t>(kind)]; }

bool repair_changes_meaning(Repair kind) {
  return std::find(kMeaningRepairs.begin(), kMeaningRepairs.end(), kind) != kMeaningRepairs.end();
}

RepairCounts& RepairCounts::operator+=(const RepairCounts& other) {
  for (size_t i = 0; i < kRepairKinds; ++i) counts[i] += other.counts[i];
  return *this;
}

Standardizer::Standardizer(std::shared_ptr<const Lexicon> lexicon)
    : lexicon_(std::move(lexicon)), impl_(std::make_unique<Impl>(*lexicon_)) {}

Standardizer::~Standardizer() = default;

Result<KeyInfo> Standardizer::Repair(const Json& raw, RepairCounts& repairs) const {
  JsonTree tree = JsonTree::FromJson(raw);
  return impl_->Repair(tree.root(), repairs);
}

void Standardizer::Refile(KeyInfo& record, const Libraries& frequencies,
                          RepairCounts& repairs) const {
  impl_->Refile(record, frequencies, repairs);
}

Result<KeyInfo> Standardizer::Standardize(std::string_view json_text, const Libraries& frequencies,
                                          RepairCounts& repairs) const {
  auto record = RepairLine(json_text, repairs);
  if (record.ok()) Refile(*record, frequencies, repairs);
  return record;
}

}  // namespace cxrvqa
