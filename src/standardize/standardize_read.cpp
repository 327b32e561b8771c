// Reading one line: a line in the strict form of keyinfo_to_json_line is read without a
// JSON parser and repaired by Impl::RepairStrict (the same result as over its JSON); any
// other line is parsed as JSON and repaired by Impl::Repair.

#include <tuple>
#include <vector>

#include "common/json_tree.h"
#include "common/text.h"
#include "standardize/standardize_internal.h"

namespace cxrvqa {

Result<KeyInfo> Standardizer::RepairLine(std::string_view json_text, RepairCounts& repairs) const {
  KeyInfo strict;
  if (parse_strict_keyinfo_line(json_text, strict)) return impl_->RepairStrict(std::move(strict), repairs);
  auto tree = JsonTree::Parse(json_text);
  if (!tree.ok() && !is_valid_utf8(json_text)) tree = JsonTree::Parse(sanitize_utf8(json_text));
  if (!tree.ok()) return tree.status();  // not valid JSON, or nested too deep to walk
  return impl_->Repair(tree->root(), repairs);
}

Result<KeyInfo> Standardizer::Impl::RepairStrict(KeyInfo&& strict, RepairCounts& r) const {
  KeyInfo record;
  record.meta = std::move(strict.meta);
  if (trim(record.meta.study_id).size() != record.meta.study_id.size()) {
    record.meta.study_id = std::string(trim(record.meta.study_id));
  }
  if (record.meta.study_id.empty()) return Status::ParseError("empty study_id");
  if (strict.opacity) {
    const OpacityStatement& o = *strict.opacity;
    AttributeWords words;
    AddAttributes({&o.location, &o.level, &o.type, nullptr}, words, r);
    SetStatement("opacity", words, record, r);
  }
  if (strict.clear) {
    AttributeWords words;
    AddAttributes({&strict.clear->location, nullptr, nullptr, nullptr}, words, r);
    SetStatement("clear", words, record, r);
  }
  std::vector<PendingFinding> pending;
  pending.reserve(strict.entity.size());
  for (Entity& entity : strict.entity) {
    const EntityAttributes& a = entity.attributes;
    PendingFinding& finding = pending.emplace_back(PendingFinding{std::move(entity.name), {}, {}});
    AddAttributes({&a.location, &a.level, &a.type, &a.post_location}, finding.words, r);
  }
  FinishEntities(pending, record, r);
  for (auto [from, to, negated] :
       {std::tuple{&strict.uncertain_entity, &record.uncertain_entity, &record.no_entity},
        std::tuple{&strict.no_entity, &record.no_entity, static_cast<std::vector<std::string>*>(nullptr)}}) {
    pending.clear();
    for (std::string& name : *from) pending.push_back({std::move(name), {}, {}});
    FinishNames(pending, *to, negated, r);
  }
  ResolveConflicts(record, r);
  return record;
}

void Standardizer::Impl::AddAttributes(const std::optional<std::string>* const (&values)[4],
                                       AttributeWords& words, RepairCounts& r) const {
  for (int kind = kLocationAttr; kind <= kPostLocationAttr; ++kind) {
    if (values[kind] != nullptr && *values[kind]) AddAttributeText(**values[kind], kind, words, r);
  }
}

}  // namespace cxrvqa
