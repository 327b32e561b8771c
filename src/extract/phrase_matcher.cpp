#include "extract/phrase_matcher.h"

#include <hs/hs.h>

#include "extract/report_text.h"

namespace cxrvqa {
namespace {

constexpr std::string_view kGap = " * ";
// Up to three words (no punctuation) between the two halves of a gap phrase.
constexpr std::string_view kGapRegex = "(?: [a-z0-9'-]+){0,3} ";

std::string escape_regex(std::string_view literal) {
  std::string out;
  for (char c : literal) {
    bool plain = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == ' ';
    if (plain) {
      out.push_back(c);
    } else {
      char buffer[8];
      snprintf(buffer, sizeof buffer, "\\x%02x", static_cast<unsigned char>(c));
      out += buffer;
    }
  }
  return out;
}

struct ScanContext {
  std::string_view text;
  const void* patterns;
  std::vector<PhraseMatch>* out;
};

}  // namespace

PhraseMatcher::PhraseMatcher(const Lexicon& lexicon) {
  auto add_all = [this](const std::vector<std::string>& phrases, PhraseKind kind) {
    for (size_t i = 0; i < phrases.size(); ++i) Add(phrases[i], kind, static_cast<uint32_t>(i));
  };
  const auto& findings = lexicon.findings();
  for (size_t i = 0; i < findings.size(); ++i) {
    for (const auto& synonym : findings[i].synonyms) {
      Add(synonym, PhraseKind::kFinding, static_cast<uint32_t>(i));
    }
  }
  const auto& cues = lexicon.cues();
  for (size_t i = 0; i < cues.size(); ++i) {
    Add(cues[i].phrase, PhraseKind::kCue, static_cast<uint32_t>(i));
  }
  const auto& post = lexicon.post_locations();
  for (size_t i = 0; i < post.size(); ++i) {
    Add(post[i].phrase, PhraseKind::kPostLocation, static_cast<uint32_t>(i));
    // "in left lower lobe" as well as "in the left lower lobe".
    std::string_view phrase = post[i].phrase;
    if (phrase.starts_with("the ")) {
      Add(phrase.substr(4), PhraseKind::kPostLocation, static_cast<uint32_t>(i));
    }
  }
  add_all(lexicon.scope_breaks(), PhraseKind::kScopeBreak);
  add_all(lexicon.devices(), PhraseKind::kDevice);
  add_all(lexicon.levels(), PhraseKind::kLevel);
  add_all(lexicon.types(), PhraseKind::kType);
  add_all(lexicon.locations(), PhraseKind::kLocation);
  add_all(lexicon.post_connectors(), PhraseKind::kConnector);
  add_all(lexicon.drop_modifiers(), PhraseKind::kDropModifier);
  const auto& anatomy = lexicon.anatomy();
  for (size_t i = 0; i < anatomy.size(); ++i) {
    if (!anatomy[i].negated_finding.empty()) {
      Add(anatomy[i].phrase, PhraseKind::kAnatomy, static_cast<uint32_t>(i));
    }
  }
  // Only the change words are matched here; the current/former cues ("now", "to",
  // "previously") are common short words that the extractor looks up right before a level
  // word instead.
  const auto& changes = lexicon.level_changes();
  for (size_t i = 0; i < changes.size(); ++i) {
    if (changes[i].role == LevelChange::Role::kChange) {
      Add(changes[i].phrase, PhraseKind::kLevelChange, static_cast<uint32_t>(i));
    }
  }
  Add("clear", PhraseKind::kClear, 0);
  Compile();
}

PhraseMatcher::~PhraseMatcher() {
  for (hs_scratch* scratch : pool_) hs_free_scratch(scratch);
  if (prototype_ != nullptr) hs_free_scratch(prototype_);
  if (database_ != nullptr) hs_free_database(database_);
}

void PhraseMatcher::Add(std::string_view phrase, PhraseKind kind, uint32_t index) {
  if (phrase.empty()) return;
  size_t gap = phrase.find(kGap);
  if (gap == std::string_view::npos) {
    expressions_.push_back(escape_regex(phrase));
    flags_.push_back(0);
    patterns_.push_back({kind, index, static_cast<uint32_t>(phrase.size())});
    return;
  }
  std::string expression;
  size_t from = 0;
  for (; gap != std::string_view::npos; gap = phrase.find(kGap, from)) {
    expression += escape_regex(phrase.substr(from, gap - from));
    expression += kGapRegex;
    from = gap + kGap.size();
  }
  expression += escape_regex(phrase.substr(from));
  expressions_.push_back(std::move(expression));
  flags_.push_back(HS_FLAG_SOM_LEFTMOST);
  patterns_.push_back({kind, index, 0});
}

void PhraseMatcher::Compile() {
  std::vector<const char*> expressions;
  std::vector<unsigned> ids;
  for (size_t i = 0; i < expressions_.size(); ++i) {
    expressions.push_back(expressions_[i].c_str());
    ids.push_back(static_cast<unsigned>(i));
  }
  hs_compile_error_t* compile_error = nullptr;
  hs_error_t rc = hs_compile_multi(expressions.data(), flags_.data(), ids.data(),
                                   static_cast<unsigned>(expressions.size()), HS_MODE_BLOCK,
                                   nullptr, &database_, &compile_error);
  if (rc != HS_SUCCESS) {
    error_ = compile_error != nullptr ? compile_error->message : "hyperscan compile failed";
    if (compile_error != nullptr && compile_error->expression >= 0) {
      error_ += " (phrase pattern '" + expressions_[compile_error->expression] + "')";
    }
    hs_free_compile_error(compile_error);
    database_ = nullptr;
    return;
  }
  if (hs_alloc_scratch(database_, &prototype_) != HS_SUCCESS) {
    error_ = "hyperscan scratch allocation failed";
    hs_free_database(database_);
    database_ = nullptr;
  }
  expressions_.clear();
  expressions_.shrink_to_fit();
}

hs_scratch* PhraseMatcher::AcquireScratch() const {
  {
    std::lock_guard<std::mutex> lock(pool_mutex_);
    if (!pool_.empty()) {
      hs_scratch* scratch = pool_.back();
      pool_.pop_back();
      return scratch;
    }
  }
  hs_scratch* scratch = nullptr;
  if (hs_clone_scratch(prototype_, &scratch) != HS_SUCCESS) return nullptr;
  return scratch;
}

void PhraseMatcher::ReleaseScratch(hs_scratch* scratch) const {
  std::lock_guard<std::mutex> lock(pool_mutex_);
  pool_.push_back(scratch);
}

void PhraseMatcher::Scan(std::string_view text, std::vector<PhraseMatch>& out) const {
  if (database_ == nullptr || text.empty()) return;
  hs_scratch* scratch = AcquireScratch();
  if (scratch == nullptr) return;
  ScanContext context{text, &patterns_, &out};
  auto on_match = [](unsigned id, unsigned long long from, unsigned long long to, unsigned,
                     void* user) -> int {
    auto* context = static_cast<ScanContext*>(user);
    const auto& patterns = *static_cast<const std::vector<Pattern>*>(context->patterns);
    const Pattern& pattern = patterns[id];
    size_t start = pattern.length != 0 ? to - pattern.length : from;
    std::string_view text = context->text;
    bool left_ok = start == 0 || !is_word_char(text[start - 1]) ||
                   !is_word_char(text[start]);
    bool right_ok = to >= text.size() || !is_word_char(text[to]) || !is_word_char(text[to - 1]);
    if (left_ok && right_ok) {
      context->out->push_back({static_cast<uint32_t>(start), static_cast<uint32_t>(to),
                               pattern.kind, pattern.length == 0, pattern.index});
    }
    return 0;
  };
  hs_scan(database_, text.data(), static_cast<unsigned>(text.size()), 0, scratch, on_match,
          &context);
  ReleaseScratch(scratch);
}

}  // namespace cxrvqa
