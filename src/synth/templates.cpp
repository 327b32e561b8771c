#include "synth/templates.h"

#include <algorithm>
#include <functional>
#include <cctype>
#include <string_view>

#include "common/csv.h"
#include "common/embedded.h"
#include "common/text.h"

namespace cxrvqa::synth {

WeightedChoice::WeightedChoice(const std::vector<double>& weights) {
  double total = 0;
  for (double w : weights) cumulative_.push_back(total += std::max(0.0, w));
}

int WeightedChoice::Draw(SplitMix64& rng) const {
  if (cumulative_.empty() || cumulative_.back() <= 0) return -1;
  double x = rng.Unit() * cumulative_.back();
  auto it = std::upper_bound(cumulative_.begin(), cumulative_.end(), x);
  return static_cast<int>(std::min<size_t>(it - cumulative_.begin(), cumulative_.size() - 1));
}

namespace {

constexpr std::string_view kFindingsFile = "synth_findings.csv";
constexpr std::string_view kSentencesFile = "synth_sentences.csv";
constexpr std::string_view kSlotNames[kSlotCount] = {"level", "location", "type", "region",
                                                     "finding", "finding2"};

std::optional<SentenceKind> parse_kind(std::string_view name) {
  static constexpr std::pair<std::string_view, SentenceKind> kKinds[] = {
      {"positive", SentenceKind::kPositive},   {"negative", SentenceKind::kNegative},
      {"uncertain", SentenceKind::kUncertain}, {"normal", SentenceKind::kNormal},
      {"device", SentenceKind::kDevice},       {"impression_normal", SentenceKind::kImpressionNormal},
      {"indication", SentenceKind::kIndication}, {"comparison", SentenceKind::kComparison}};
  for (const auto& [text, kind] : kKinds) {
    if (text == name) return kind;
  }
  return std::nullopt;
}

std::optional<Segment> parse_slot(std::string_view name) {
  Segment segment;
  std::string lower = to_lower(name);
  for (int slot = 0; slot < kSlotCount; ++slot) {
    if (kSlotNames[slot] == lower) {
      segment.slot = slot;
      segment.capital = std::isupper(static_cast<unsigned char>(name[0])) != 0;
      return segment;
    }
  }
  return std::nullopt;
}

Result<Template> parse_template(std::string_view text) {
  Template tmpl;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t open = text.find('{', pos);
    if (open == std::string_view::npos) open = text.size();
    if (open > pos) tmpl.segments.push_back({std::string(text.substr(pos, open - pos)), -1, false});
    if (open == text.size()) break;
    size_t close = text.find('}', open);
    if (close == std::string_view::npos) return Status::ParseError("unclosed '{'");
    auto slot = parse_slot(text.substr(open + 1, close - open - 1));
    if (!slot) return Status::ParseError("unknown slot '" + std::string(text.substr(open, close - open + 1)) + "'");
    if (slot->slot < kFinding) tmpl.required |= 1u << slot->slot;
    if (slot->slot == kFinding2) tmpl.pair = true;
    tmpl.segments.push_back(*slot);
    pos = close + 1;
  }
  return tmpl;
}

// Calls `on_row(fields, line)` for each data row of a small CSV held in memory.
Status for_each_csv_row(std::string_view content, std::string_view file, size_t columns,
                        const std::function<Status(const std::vector<std::string>&)>& on_row) {
  size_t line_number = 0;
  std::vector<std::string> fields;
  for (std::string_view line : split(content, '\n')) {
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line_number == 1 || trim(line).empty()) continue;
    if (!parse_csv_record(line, fields) || fields.size() != columns) {
      return Status::ParseError(std::string(file) + ":" + std::to_string(line_number) + ": expected " +
                                std::to_string(columns) + " fields");
    }
    Status status = on_row(fields);
    if (!status.ok()) {
      return Status::ParseError(std::string(file) + ":" + std::to_string(line_number) + ": " + status.message());
    }
  }
  return Status::Ok();
}

Result<double> parse_weight(const std::string& text) {
  try {
    size_t used = 0;
    double value = std::stod(text, &used);
    if (used == text.size() && value >= 0) return value;
  } catch (const std::exception&) {
  }
  return Status::ParseError("bad weight '" + text + "'");
}

Status load_findings(const std::string& content, SynthTemplates& templates) {
  return for_each_csv_row(content, kFindingsFile, 8, [&](const std::vector<std::string>& f) -> Status {
    SynthFinding finding;
    finding.name = f[0];
    double* weights[] = {&finding.positive_weight, &finding.negative_weight, &finding.uncertain_weight};
    for (int i = 0; i < 3; ++i) {
      CXRVQA_ASSIGN_OR_RETURN(auto weight, parse_weight(f[1 + i]));
      *weights[i] = weight;
    }
    finding.locations = split_trimmed(f[4], ';');
    finding.regions = split_trimmed(f[5], ';');
    finding.levels = split_trimmed(f[6], ';');
    finding.types = split_trimmed(f[7], ';');
    templates.findings.push_back(std::move(finding));
    return Status::Ok();
  });
}

Status load_sentences(const std::string& content, SynthTemplates& templates) {
  return for_each_csv_row(content, kSentencesFile, 2, [&](const std::vector<std::string>& f) -> Status {
    auto kind = parse_kind(f[0]);
    if (!kind) return Status::ParseError("unknown sentence kind '" + f[0] + "'");
    CXRVQA_ASSIGN_OR_RETURN(auto tmpl, parse_template(f[1]));
    templates.sentences[static_cast<size_t>(*kind)].push_back(std::move(tmpl));
    return Status::Ok();
  });
}

}  // namespace

Result<SynthTemplates> load_synth_templates(const std::optional<std::filesystem::path>& dir) {
  SynthTemplates templates;
  CXRVQA_ASSIGN_OR_RETURN(auto findings, read_data_file(dir, "templates", kFindingsFile));
  CXRVQA_RETURN_IF_ERROR(load_findings(findings, templates));
  CXRVQA_ASSIGN_OR_RETURN(auto sentences, read_data_file(dir, "templates", kSentencesFile));
  CXRVQA_RETURN_IF_ERROR(load_sentences(sentences, templates));
  for (size_t kind = 0; kind < templates.sentences.size(); ++kind) {
    if (templates.sentences[kind].empty()) {
      return Status::ParseError(std::string(kSentencesFile) + ": no sentence of kind number " +
                                std::to_string(kind));
    }
  }
  std::vector<double> positive, negative, uncertain;
  for (const SynthFinding& f : templates.findings) {
    positive.push_back(f.positive_weight);
    negative.push_back(f.negative_weight);
    uncertain.push_back(f.uncertain_weight);
  }
  templates.positive = WeightedChoice(positive);
  templates.negative = WeightedChoice(negative);
  templates.uncertain = WeightedChoice(uncertain);
  return templates;
}

void render_template(const Template& tmpl, const std::array<std::string_view, kSlotCount>& values,
                     std::string& out) {
  size_t start = out.size();
  for (const Segment& segment : tmpl.segments) {
    if (segment.slot < 0) {
      out += segment.text;
      continue;
    }
    std::string_view value = values[segment.slot];
    if (value.empty()) continue;
    size_t at = out.size();
    out += value;
    if (segment.capital) out[at] = static_cast<char>(std::toupper(static_cast<unsigned char>(out[at])));
  }
  if (out.size() > start) {
    out[start] = static_cast<char>(std::toupper(static_cast<unsigned char>(out[start])));
  }
}

}  // namespace cxrvqa::synth
