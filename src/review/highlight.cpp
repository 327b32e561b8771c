#include "review/highlight.h"

#include <algorithm>

#include "extract/report_text.h"

namespace cxrvqa::review_internal {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }

// For each byte of normalize_report_text(text).text, the offset of the byte of `text` it came
// from (a collapsed run of white space maps to its last byte).
std::vector<uint32_t> normalized_origins(std::string_view text, size_t normalized_size) {
  std::vector<uint32_t> origin;
  origin.reserve(normalized_size);
  bool pending_space = false;
  for (size_t i = 0; i < text.size() && origin.size() < normalized_size; ++i) {
    if (is_space(text[i])) {
      pending_space = !origin.empty();
      continue;
    }
    if (pending_space) origin.push_back(static_cast<uint32_t>(i - 1));
    pending_space = false;
    origin.push_back(static_cast<uint32_t>(i));
  }
  return origin;
}

std::string_view finding_status(const KeyInfo& record, std::string_view name) {
  if (record.find_entity(name) != nullptr) return "present";
  auto listed = [name](const std::vector<std::string>& names) {
    return std::find(names.begin(), names.end(), name) != names.end();
  };
  if (listed(record.uncertain_entity)) return "uncertain";
  if (listed(record.no_entity)) return "negated";
  return "mentioned";
}

// Finding and cue matches of `text` (normalized offsets), leftmost-longest, no overlaps; a
// finding beats a cue that overlaps it.
std::vector<PhraseMatch> finding_and_cue_matches(const PhraseMatcher& matcher, std::string_view normalized) {
  std::vector<PhraseMatch> all;
  matcher.Scan(normalized, all);
  std::erase_if(all, [](const PhraseMatch& m) { return m.kind != PhraseKind::kFinding && m.kind != PhraseKind::kCue; });
  std::sort(all.begin(), all.end(), [](const PhraseMatch& a, const PhraseMatch& b) {
    if (a.from != b.from) return a.from < b.from;
    if (a.to != b.to) return a.to > b.to;
    return a.kind == PhraseKind::kFinding && b.kind != PhraseKind::kFinding;
  });
  std::vector<PhraseMatch> kept;
  for (const PhraseMatch& match : all) {
    if (!kept.empty() && match.from < kept.back().to) {
      bool finding_over_cue = match.kind == PhraseKind::kFinding && kept.back().kind == PhraseKind::kCue;
      if (!finding_over_cue) continue;
      kept.pop_back();
    }
    kept.push_back(match);
  }
  return kept;
}

}  // namespace

std::vector<HighlightSpan> highlight_spans(const PhraseMatcher& matcher, const Lexicon& lexicon,
                                           std::string_view text, const KeyInfo& record) {
  NormalizedText normalized;
  normalize_report_text(text, normalized);
  std::vector<uint32_t> origin = normalized_origins(text, normalized.text.size());
  std::vector<HighlightSpan> spans;
  for (const PhraseMatch& match : finding_and_cue_matches(matcher, normalized.text)) {
    if (match.to > origin.size() || match.from >= match.to) continue;
    HighlightSpan span{origin[match.from], origin[match.to - 1] + 1, "", ""};
    if (match.kind == PhraseKind::kFinding) {
      span.finding = lexicon.findings()[match.index].name;
      span.kind = finding_status(record, span.finding);
    } else {
      span.kind = lexicon.cues()[match.index].kind == Cue::Kind::kNegation ? "negation" : "uncertainty";
    }
    spans.push_back(std::move(span));
  }
  return spans;
}

Json spans_to_json(const std::vector<HighlightSpan>& spans) {
  Json out = Json::array();
  for (const HighlightSpan& span : spans) {
    Json entry = {{"from", span.from}, {"to", span.to}, {"kind", span.kind}};
    if (!span.finding.empty()) entry["finding"] = span.finding;
    out.push_back(std::move(entry));
  }
  return out;
}

std::vector<std::string> findings_named(const PhraseMatcher& matcher, const Lexicon& lexicon,
                                        std::string_view text) {
  NormalizedText normalized;
  normalize_report_text(text, normalized);
  std::vector<std::string> names;
  for (const PhraseMatch& match : finding_and_cue_matches(matcher, normalized.text)) {
    if (match.kind != PhraseKind::kFinding) continue;
    const std::string& name = lexicon.findings()[match.index].name;
    if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
  }
  return names;
}

Json text_segments(std::string_view text, const Json& spans) {
  auto on_boundary = [text](size_t offset) {
    return offset >= text.size() || (static_cast<unsigned char>(text[offset]) & 0xC0) != 0x80;
  };
  Json segments = Json::array();
  size_t done = 0;
  for (const Json& span : spans) {
    size_t from = span.value("from", size_t{0});
    size_t to = span.value("to", size_t{0});
    if (from < done || to <= from || to > text.size() || !on_boundary(from) || !on_boundary(to)) continue;
    if (from > done) segments.push_back({{"text", std::string(text.substr(done, from - done))}});
    Json segment = {{"text", std::string(text.substr(from, to - from))}, {"kind", span.value("kind", "")}};
    if (span.contains("finding")) segment["finding"] = span["finding"];
    segments.push_back(std::move(segment));
    done = to;
  }
  if (done < text.size()) segments.push_back({{"text", std::string(text.substr(done))}});
  return segments;
}

}  // namespace cxrvqa::review_internal
