#include "eval/metrics.h"

#include <gtest/gtest.h>

namespace cxrvqa {
namespace {

constexpr char kMap[] =
    "gold_term,official_names,note\n"
    "Effusion,pleural effusion,\n"
    "Opacity,lung opacity;consolidation,\n"
    "Infiltration,infiltrate;lung opacity,\n"
    "Nodule,nodule,\n"
    "Device,,\n";

GoldTerm term(std::string name, std::optional<Side> side = std::nullopt,
              std::optional<std::string> level = std::nullopt) {
  return GoldTerm{std::move(name), side, std::move(level)};
}

KeyInfo record(std::string id, std::vector<Entity> entities, std::vector<std::string> uncertain = {}) {
  KeyInfo info;
  info.meta.study_id = std::move(id);
  info.entity = std::move(entities);
  info.uncertain_entity = std::move(uncertain);
  return info;
}

Entity entity(std::string name, std::optional<std::string> location = std::nullopt,
              std::optional<std::string> level = std::nullopt) {
  Entity e;
  e.name = std::move(name);
  e.attributes.location = std::move(location);
  e.attributes.level = std::move(level);
  return e;
}

// Six gold studies and six predictions; the expected figures below are counted by hand.
struct Fixture {
  std::vector<GoldStudy> gold = {
      {"1", false, {term("Effusion", Side::kLeft, "small"), term("Opacity", Side::kRight)}},
      {"2", true, {}},
      {"3", false, {term("Infiltration"), term("Device")}},
      {"4", false, {term("Device")}},  // only ignored terms: a normal study
      {"5", false, {term("Unknown Thing")}},
      {"6", false, {term("Effusion")}},  // no prediction
  };
  std::vector<KeyInfo> pred = {
      // effusion: TP, side and level right; opacity: TP through consolidation, side wrong.
      record("1", {entity("pleural effusion", "left", "small"), entity("consolidation", "left lower lobe")}),
      // normal study predicted abnormal; nodule is a label without gold support.
      record("2", {entity("cardiomegaly"), entity("nodule")}),
      // lung opacity is accepted for infiltrate: TP, and no false positive of lung opacity.
      record("CXR3", {entity("lung opacity")}),
      record("4", {}, {"pleural effusion"}),
      record("5", {entity("pleural effusion")}),  // false positive
      record("7", {entity("pleural effusion")}),  // not in gold
  };
  GoldMap map = *GoldMap::Parse(kMap, "map.csv");
};

TEST(Metrics, HandCountedCase) {
  Fixture f;
  EvalReport r = evaluate(f.gold, f.pred, f.map, EvalOptions{});
  EXPECT_EQ(r.scored_studies, 5u);
  EXPECT_EQ(r.gold_only, 1u);
  EXPECT_EQ(r.pred_only, 1u);

  const LabelCounts& effusion = r.per_label.at("pleural effusion");
  EXPECT_EQ(effusion.tp, 1u);
  EXPECT_EQ(effusion.fp, 1u);
  EXPECT_EQ(effusion.fn, 0u);
  EXPECT_NEAR(effusion.precision(), 0.5, 1e-9);
  EXPECT_NEAR(effusion.f1(), 2.0 / 3.0, 1e-9);
  EXPECT_EQ(r.per_label.at("lung opacity").tp, 1u);
  EXPECT_EQ(r.per_label.at("lung opacity").fp, 0u);
  EXPECT_EQ(r.per_label.at("infiltrate").tp, 1u);
  EXPECT_EQ(r.per_label.at("nodule").fp, 1u);
  EXPECT_EQ(r.per_label.at("nodule").support(), 0u);

  // Micro over the three labels with support: TP 3, FP 1, FN 0 (nodule's FP left out).
  EXPECT_EQ(r.micro.tp, 3u);
  EXPECT_EQ(r.micro.fp, 1u);
  EXPECT_EQ(r.micro.fn, 0u);
  EXPECT_NEAR(r.micro.f1(), 6.0 / 7.0, 1e-9);
  EXPECT_EQ(r.macro_labels, 3u);
  EXPECT_NEAR(r.macro_f1, (2.0 / 3.0 + 1 + 1) / 3, 1e-9);

  EXPECT_EQ(r.normal.correct, 4u);  // study 2 is the miss
  EXPECT_EQ(r.normal.total, 5u);
  EXPECT_EQ(r.laterality.correct, 1u);
  EXPECT_EQ(r.laterality.total, 2u);
  EXPECT_EQ(r.severity.correct, 1u);
  EXPECT_EQ(r.severity.total, 1u);
  EXPECT_EQ(r.ignored_gold_terms, 2u);
  ASSERT_EQ(r.unmapped_pred.size(), 1u);
  EXPECT_EQ(r.unmapped_pred[0], (std::pair<std::string, size_t>{"cardiomegaly", 1}));
  ASSERT_EQ(r.unmapped_gold.size(), 1u);
  EXPECT_EQ(r.unmapped_gold[0].first, "Unknown Thing");
}

TEST(Metrics, UncertainAsPositive) {
  Fixture f;
  EvalReport r = evaluate(f.gold, f.pred, f.map, EvalOptions{.uncertain_as_positive = true});
  EXPECT_EQ(r.per_label.at("pleural effusion").fp, 2u);  // study 4's uncertain effusion
  EXPECT_NEAR(r.micro.f1(), 6.0 / 8.0, 1e-9);
  EXPECT_EQ(r.normal.correct, 3u);
}

TEST(Metrics, FalseNegativesAndBilateralGold) {
  auto map = *GoldMap::Parse(kMap, "map.csv");
  std::vector<GoldStudy> gold = {
      {"1", false, {term("Opacity/lung/left", Side::kLeft), term("Opacity/lung/right", Side::kRight)}},
      {"2", false, {term("Effusion", Side::kRight, "moderate")}},
      {"3", false, {term("Effusion", std::nullopt, "large")}},
  };
  std::vector<KeyInfo> pred = {
      record("1", {entity("lung opacity", "bilateral")}),
      record("2", {entity("pleural effusion", "right", "mild")}),
      record("3", {entity("nodule")}),
  };
  EvalReport r = evaluate(gold, pred, map, EvalOptions{});
  EXPECT_EQ(r.per_label.at("pleural effusion").fn, 1u);
  EXPECT_EQ(r.per_label.at("pleural effusion").tp, 1u);
  EXPECT_NEAR(r.per_label.at("pleural effusion").recall(), 0.5, 1e-9);
  EXPECT_EQ(r.laterality.correct, 2u);  // left + right gold = bilateral; right = right
  EXPECT_EQ(r.laterality.total, 2u);
  EXPECT_EQ(r.severity.correct, 0u);  // moderate vs mild; study 3 is unmatched
  EXPECT_EQ(r.severity.total, 1u);
}

TEST(Metrics, SeverityGrades) {
  EXPECT_EQ(severity_grades("small"), (std::vector<std::string>{"mild"}));
  EXPECT_EQ(severity_grades("Mild to moderate"), (std::vector<std::string>{"mild", "moderate"}));
  EXPECT_EQ(severity_grades("borderline"), (std::vector<std::string>{"borderline"}));
  EXPECT_EQ(severity_grades("large"), (std::vector<std::string>{"severe"}));
  EXPECT_TRUE(severity_grades("layering").empty());
}

TEST(Metrics, SubtypesCountAsTheirParentWhenTheMapDoesNotKnowThem) {
  auto lexicon = Lexicon::Load(std::nullopt);
  ASSERT_TRUE(lexicon.ok());
  auto map = *GoldMap::Parse("gold_term,official_names\nHernia,hernia\nEffusion,pleural effusion\n", "m.csv");
  std::vector<GoldStudy> gold = {{"1", false, {term("Hernia")}}, {"2", false, {term("Effusion")}}};
  std::vector<KeyInfo> pred = {record("1", {entity("hiatal hernia")}),
                               record("2", {entity("pleural effusion"), entity("rib fracture")})};
  EvalOptions options;
  EvalReport plain = evaluate(gold, pred, map, options);
  EXPECT_EQ(plain.per_label.at("hernia").fn, 1u);  // without the lexicon: not the same finding
  options.lexicon = lexicon->get();
  EvalReport folded = evaluate(gold, pred, map, options);
  EXPECT_EQ(folded.per_label.at("hernia").tp, 1u);
  EXPECT_EQ(folded.micro.f1(), 1.0);
  // A subtype whose parent the map does not know stays an unmapped name ("fracture").
  ASSERT_EQ(folded.unmapped_pred.size(), 1u);
  EXPECT_EQ(folded.unmapped_pred[0].first, "fracture");
  EXPECT_EQ(evaluation_name("tension pneumothorax", map, lexicon->get()), "pneumothorax");
  EXPECT_EQ(evaluation_name("pleural effusion", map, lexicon->get()), "pleural effusion");
}

TEST(Metrics, EmptyInputsGiveZeros) {
  auto map = *GoldMap::Parse(kMap, "map.csv");
  EvalReport r = evaluate({}, {}, map, EvalOptions{});
  EXPECT_EQ(r.scored_studies, 0u);
  EXPECT_EQ(r.micro.f1(), 0.0);
  EXPECT_EQ(r.macro_f1, 0.0);
  EXPECT_EQ(r.normal.value(), 0.0);
}

}  // namespace
}  // namespace cxrvqa
