// Caption metrics for free-text answers (difference questions), with the definitions of the
// coco-caption evaluation code (pycocoevalcap) that the Medical-Diff-VQA papers report:
//
//   tokens   caption_tokens(): lower-cased words; punctuation dropped (what coco-caption's PTB
//            tokenizer leaves of these answers).
//   BLEU-n   Papineni et al. 2002, corpus level: clipped n-gram matches and candidate n-grams
//            summed over the corpus, geometric mean of p_1..p_n with equal weights, brevity
//            penalty exp(1 - r/c) from the summed candidate length c and reference length r
//            (one reference per candidate); 0 when some p_k has no match. No smoothing. A
//            candidate of fewer than k words adds no k-gram to p_k's denominator (as in
//            coco-caption; NLTK's corpus_bleu adds one, so the two differ only then).
//            coco-caption's 1e-15 / 1e-9 fudge terms are left out: they only matter when an
//            order has no match, where they give a tiny non-zero figure instead of 0.
//   ROUGE-L  Lin 2004: per pair, LCS-based F-measure ((1 + b^2) P R) / (R + b^2 P) with b = 1.2;
//            the corpus figure is the mean over pairs.
//   CIDEr-D  Vedantam et al. 2015 as coco-caption's cider_scorer.py computes it: n = 1..4,
//            TF-IDF vectors (tf * (log N - log max(1, df)), df = number of references holding
//            the n-gram, N = number of pairs), clipped similarity sum min(h, r) * r over the
//            product of norms, Gaussian length penalty exp(-d^2 / 72) with d the difference in
//            bigram counts, mean over n, times 10; the corpus figure is the mean over pairs.
//            A candidate equal to its reference scores 10 only when every n-gram order has a
//            non-zero vector, so a perfect answer set scores below 10 (short answers, n-grams
//            present in every reference).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/string_map.h"

namespace cxrvqa {

// The words of `text`: ASCII letters lower-cased; a word is a run of letters, digits and
// bytes >= 0x80, with '-' or '\'' kept between two such characters; everything else
// separates words and is dropped.
std::vector<std::string> caption_tokens(std::string_view text);
// The same words appended to `out`, separated by single spaces (a space before the first only
// when `out` is not empty).
void append_caption_words(std::string& out, std::string_view text);

struct TextMetrics {
  size_t pairs = 0;
  double bleu[4] = {};  // BLEU-1 .. BLEU-4
  double rouge_l = 0;
  double cider_d = 0;
};

// The candidate and reference sentences of one corpus, tokenized and interned as they are
// added. Not thread-safe.
class CaptionCorpus {
 public:
  static constexpr size_t kMaxOrder = 4;

  CaptionCorpus();
  void Add(std::string_view candidate, std::string_view reference);
  size_t size() const { return pairs_.size(); }
  // The metrics over the pairs added (`pairs`: only those, by index in the order added, as if
  // they were the whole corpus); all zero for no pair.
  TextMetrics Compute(const std::vector<size_t>* pairs = nullptr) const;

 private:
  // A sentence: its word ids in order (words_[first_word, first_word + word_count)) and its
  // n-gram ids, order k (0-based) in grams_[grams[k], grams[k + 1]), sorted. Order 0 ids are
  // word ids; order k ids index the n-grams of that order.
  struct Sentence {
    uint32_t first_word = 0;
    uint32_t word_count = 0;
    uint32_t grams[kMaxOrder + 1] = {};
  };
  struct Pair {
    Sentence candidate, reference;
  };

  Sentence Intern(std::string_view text);
  // CIDEr-D of one pair; log_df[order][id] = log(max(1, document frequency)).
  double Cider(const Pair& pair, const std::vector<std::vector<double>>& log_df, double log_pairs) const;

  StringMap<uint32_t> vocabulary_;
  // Order k >= 1: (id of the n-gram's first k words, id of its last word) -> id.
  std::vector<std::unordered_map<uint64_t, uint32_t>> ngram_ids_;
  std::vector<uint32_t> words_;
  std::vector<uint32_t> grams_;
  std::vector<Pair> pairs_;
};

}  // namespace cxrvqa
