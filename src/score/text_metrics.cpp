#include "score/text_metrics.h"

#include <algorithm>
#include <cmath>

namespace cxrvqa {

namespace {

bool is_word_byte(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c >= 0x80;
}

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

// Calls on_run(id, count) for each run of equal ids in the sorted span [begin, end).
template <typename OnRun>
void for_each_run(const uint32_t* begin, const uint32_t* end, OnRun on_run) {
  while (begin != end) {
    const uint32_t* run_end = begin + 1;
    while (run_end != end && *run_end == *begin) ++run_end;
    on_run(*begin, static_cast<size_t>(run_end - begin));
    begin = run_end;
  }
}

// Sum over ids of min(count in a, count in b), both spans sorted.
size_t clipped_matches(const uint32_t* a, const uint32_t* a_end, const uint32_t* b, const uint32_t* b_end) {
  size_t matches = 0;
  while (a != a_end && b != b_end) {
    if (*a < *b) {
      ++a;
    } else if (*b < *a) {
      ++b;
    } else {
      ++matches;
      ++a;
      ++b;
    }
  }
  return matches;
}

// Length of the longest common subsequence of a[0, n) and b[0, m).
size_t longest_common_subsequence(const uint32_t* a, size_t n, const uint32_t* b, size_t m) {
  std::vector<size_t> row(m + 1, 0);
  for (size_t i = 0; i < n; ++i) {
    size_t diagonal = 0;  // row[j] of the previous i
    for (size_t j = 0; j < m; ++j) {
      size_t above = row[j + 1];
      row[j + 1] = a[i] == b[j] ? diagonal + 1 : std::max(row[j], above);
      diagonal = above;
    }
  }
  return row[m];
}

double rouge_l(size_t lcs, size_t candidate_words, size_t reference_words) {
  constexpr double kBeta = 1.2;
  if (lcs == 0) return 0.0;
  double precision = static_cast<double>(lcs) / static_cast<double>(candidate_words);
  double recall = static_cast<double>(lcs) / static_cast<double>(reference_words);
  return (1 + kBeta * kBeta) * precision * recall / (recall + kBeta * kBeta * precision);
}

}  // namespace

namespace {

// Calls on_word(begin, end) for each word of `text` (see caption_tokens), not yet lower-cased.
template <typename OnWord>
void scan_words(std::string_view text, OnWord on_word) {
  size_t start = std::string_view::npos;
  for (size_t i = 0; i <= text.size(); ++i) {
    auto c = i < text.size() ? static_cast<unsigned char>(text[i]) : 0;
    if (i < text.size() && is_word_byte(c)) {
      if (start == std::string_view::npos) start = i;
      continue;
    }
    bool joiner = (c == '-' || c == '\'') && start != std::string_view::npos && i + 1 < text.size() &&
                  is_word_byte(static_cast<unsigned char>(text[i + 1]));
    if (joiner) continue;
    if (start != std::string_view::npos) on_word(text.substr(start, i - start));
    start = std::string_view::npos;
  }
}

void append_lower(std::string& out, std::string_view word) {
  for (char c : word) out += lower(c);
}

}  // namespace

std::vector<std::string> caption_tokens(std::string_view text) {
  std::vector<std::string> tokens;
  scan_words(text, [&](std::string_view word) {
    tokens.emplace_back();
    append_lower(tokens.back(), word);
  });
  return tokens;
}

void append_caption_words(std::string& out, std::string_view text) {
  scan_words(text, [&](std::string_view word) {
    if (!out.empty()) out += ' ';
    append_lower(out, word);
  });
}

CaptionCorpus::CaptionCorpus() : ngram_ids_(kMaxOrder) {}

CaptionCorpus::Sentence CaptionCorpus::Intern(std::string_view text) {
  Sentence sentence;
  sentence.first_word = static_cast<uint32_t>(words_.size());
  for (std::string& token : caption_tokens(text)) {
    auto it = vocabulary_.find(token);
    if (it == vocabulary_.end()) it = vocabulary_.emplace(std::move(token), vocabulary_.size()).first;
    words_.push_back(it->second);
  }
  sentence.word_count = static_cast<uint32_t>(words_.size()) - sentence.first_word;
  const uint32_t* words = words_.data() + sentence.first_word;
  size_t count = sentence.word_count;
  // prefix[i]: the id of the order-k n-gram starting at word i (order 0: the word itself).
  std::vector<uint32_t> prefix(words, words + count);
  for (size_t order = 0; order < kMaxOrder; ++order) {
    sentence.grams[order] = static_cast<uint32_t>(grams_.size());
    if (order > 0) {
      std::unordered_map<uint64_t, uint32_t>& ids = ngram_ids_[order];
      for (size_t i = 0; i + order < count; ++i) {
        uint64_t key = (static_cast<uint64_t>(prefix[i]) << 32) | words[i + order];
        prefix[i] = ids.emplace(key, static_cast<uint32_t>(ids.size())).first->second;
      }
      prefix.resize(count >= order ? count - order : 0);
    }
    grams_.insert(grams_.end(), prefix.begin(), prefix.end());
    std::sort(grams_.begin() + sentence.grams[order], grams_.end());
  }
  sentence.grams[kMaxOrder] = static_cast<uint32_t>(grams_.size());
  return sentence;
}

void CaptionCorpus::Add(std::string_view candidate, std::string_view reference) {
  Pair pair;
  pair.candidate = Intern(candidate);
  pair.reference = Intern(reference);
  pairs_.push_back(pair);
}

double CaptionCorpus::Cider(const Pair& pair, const std::vector<std::vector<double>>& log_df, double log_pairs) const {
  constexpr double kSigma = 6.0;
  const Sentence& h = pair.candidate;
  const Sentence& r = pair.reference;
  // Length as coco-caption's counts2vec measures it: the number of bigrams.
  double delta = static_cast<double>(h.grams[2] - h.grams[1]) - static_cast<double>(r.grams[2] - r.grams[1]);
  double penalty = std::exp(-(delta * delta) / (2 * kSigma * kSigma));
  struct Entry {
    uint32_t id;
    double weight;
  };
  std::vector<Entry> vh, vr;
  double total = 0;
  for (size_t order = 0; order < kMaxOrder; ++order) {
    const std::vector<double>& logs = log_df[order];
    // The TF-IDF vector of `s` for this order into `entries`; returns its squared norm.
    auto vector_of = [&](const Sentence& s, std::vector<Entry>& entries) {
      entries.clear();
      double norm = 0;
      for_each_run(grams_.data() + s.grams[order], grams_.data() + s.grams[order + 1], [&](uint32_t id, size_t tf) {
        double w = static_cast<double>(tf) * (log_pairs - logs[id]);
        entries.push_back({id, w});
        norm += w * w;
      });
      return norm;
    };
    double norm_h = vector_of(h, vh), norm_r = vector_of(r, vr);
    double value = 0;
    for (size_t i = 0, j = 0; i < vh.size() && j < vr.size();) {
      if (vh[i].id < vr[j].id) {
        ++i;
      } else if (vr[j].id < vh[i].id) {
        ++j;
      } else {
        value += std::min(vh[i].weight, vr[j].weight) * vr[j].weight;
        ++i;
        ++j;
      }
    }
    if (norm_h != 0 && norm_r != 0) value /= std::sqrt(norm_h) * std::sqrt(norm_r);
    total += value * penalty;
  }
  return total / kMaxOrder * 10.0;
}

TextMetrics CaptionCorpus::Compute(const std::vector<size_t>* pairs) const {
  std::vector<size_t> all;
  if (pairs == nullptr) {
    all.resize(pairs_.size());
    for (size_t i = 0; i < all.size(); ++i) all[i] = i;
    pairs = &all;
  }
  TextMetrics metrics;
  metrics.pairs = pairs->size();
  if (pairs->empty()) return metrics;

  size_t correct[kMaxOrder] = {}, guessed[kMaxOrder] = {};
  size_t candidate_length = 0, reference_length = 0;
  double rouge_sum = 0;
  std::vector<std::vector<uint32_t>> document_frequency(kMaxOrder);
  document_frequency[0].assign(vocabulary_.size(), 0);
  for (size_t order = 1; order < kMaxOrder; ++order) document_frequency[order].assign(ngram_ids_[order].size(), 0);

  const uint32_t* grams = grams_.data();
  for (size_t index : *pairs) {
    const Sentence& h = pairs_[index].candidate;
    const Sentence& r = pairs_[index].reference;
    candidate_length += h.word_count;
    reference_length += r.word_count;
    for (size_t order = 0; order < kMaxOrder; ++order) {
      guessed[order] += h.grams[order + 1] - h.grams[order];
      correct[order] += clipped_matches(grams + h.grams[order], grams + h.grams[order + 1],
                                        grams + r.grams[order], grams + r.grams[order + 1]);
      for_each_run(grams + r.grams[order], grams + r.grams[order + 1],
                   [&](uint32_t id, size_t) { ++document_frequency[order][id]; });
    }
    size_t lcs = longest_common_subsequence(words_.data() + h.first_word, h.word_count,
                                            words_.data() + r.first_word, r.word_count);
    rouge_sum += rouge_l(lcs, h.word_count, r.word_count);
  }

  double brevity = 0;
  if (candidate_length > 0) {
    brevity = candidate_length >= reference_length
                  ? 1.0
                  : std::exp(1.0 - static_cast<double>(reference_length) / static_cast<double>(candidate_length));
  }
  double log_precision_sum = 0;
  bool all_matched = candidate_length > 0;
  for (size_t n = 1; n <= kMaxOrder; ++n) {
    all_matched = all_matched && correct[n - 1] > 0;
    if (!all_matched) break;  // BLEU-n and above stay 0
    log_precision_sum += std::log(static_cast<double>(correct[n - 1]) / static_cast<double>(guessed[n - 1]));
    metrics.bleu[n - 1] = brevity * std::exp(log_precision_sum / static_cast<double>(n));
  }
  metrics.rouge_l = rouge_sum / static_cast<double>(pairs->size());

  std::vector<std::vector<double>> log_df(kMaxOrder);
  for (size_t order = 0; order < kMaxOrder; ++order) {
    log_df[order].reserve(document_frequency[order].size());
    for (uint32_t df : document_frequency[order]) log_df[order].push_back(std::log(std::max(1.0, static_cast<double>(df))));
  }
  double log_pairs = std::log(static_cast<double>(pairs->size()));
  double cider_sum = 0;
  for (size_t index : *pairs) cider_sum += Cider(pairs_[index], log_df, log_pairs);
  metrics.cider_d = cider_sum / static_cast<double>(pairs->size());
  return metrics;
}

}  // namespace cxrvqa
