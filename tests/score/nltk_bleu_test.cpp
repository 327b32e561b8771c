// BLEU-1..4 against NLTK's corpus_bleu (Debian python3-nltk) on the same tokens.
// The two definitions differ only where a candidate has fewer than n words: NLTK counts at
// least one n-gram per candidate in the denominator of p_n (max(1, count)), coco-caption (and
// so cxrvqa) counts the candidate's n-grams, zero. The corpora below compare the orders where
// they agree; the short-candidate case is checked by hand.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <random>

#include "score/text_metrics.h"
#include "test_util.h"

namespace cxrvqa {
namespace {

using testing::TempDir;
using testing::write_text;

std::string joined_tokens(std::string_view text) {
  std::string out;
  for (const std::string& token : caption_tokens(text)) out += (out.empty() ? "" : " ") + token;
  return out;
}

// Difference answers in the generator's wording, and candidates that drop, swap or replace
// words of them (a seeded, reproducible corpus).
std::vector<std::pair<std::string, std::string>> corpus_pairs(size_t count, unsigned seed) {
  const std::vector<std::string> findings = {"pleural effusion", "edema",     "atelectasis", "pneumothorax",
                                             "cardiomegaly",     "pneumonia", "consolidation", "lung opacity"};
  std::mt19937 rng(seed);
  auto pick = [&](const std::vector<std::string>& list) { return list[rng() % list.size()]; };
  std::vector<std::pair<std::string, std::string>> pairs;
  for (size_t i = 0; i < count; ++i) {
    std::string reference;
    switch (rng() % 4) {
      case 0: reference = "nothing has changed."; break;
      case 1: reference = "the main image has an additional finding of " + pick(findings) + " than the reference image."; break;
      case 2: reference = "the main image is missing the findings of " + pick(findings) + ", and " + pick(findings) + " than the reference image."; break;
      default: reference = "the level of " + pick(findings) + " has changed from mild to moderate.";
    }
    std::vector<std::string> words = caption_tokens(reference);
    std::string candidate;
    for (const std::string& word : words) {
      unsigned roll = rng() % 10;
      if (roll == 0) continue;                          // dropped
      candidate += (candidate.empty() ? "" : " ") + (roll == 1 ? pick(findings) : word);
      if (roll == 2) candidate += " " + word;           // repeated
    }
    if (caption_tokens(candidate).size() >= CaptionCorpus::kMaxOrder) pairs.emplace_back(candidate, reference);
  }
  return pairs;
}

// BLEU-1 .. BLEU-`orders` of `pairs` equal NLTK's (returns ours).
TextMetrics expect_same_as_nltk(const std::vector<std::pair<std::string, std::string>>& pairs, size_t orders) {
  CaptionCorpus corpus;
  std::string lines;
  for (const auto& [candidate, reference] : pairs) {
    corpus.Add(candidate, reference);
    lines += joined_tokens(candidate) + "\t" + joined_tokens(reference) + "\n";
  }
  TextMetrics ours = corpus.Compute();
  TempDir dir;
  write_text(dir / "pairs.tsv", lines);
  write_text(dir / "bleu.py",
             "import sys, warnings\n"
             "warnings.simplefilter('ignore')\n"
             "from nltk.translate.bleu_score import corpus_bleu\n"
             "hyps, refs = [], []\n"
             "for line in open(sys.argv[1], encoding='utf-8'):\n"
             "    h, r = line.rstrip('\\n').split('\\t')\n"
             "    hyps.append(h.split()); refs.append([r.split()])\n"
             "for n in range(1, 5):\n"
             "    print('%.17g' % corpus_bleu(refs, hyps, weights=tuple([1.0 / n] * n)))\n");
  std::string output;
  testing::run_command(testing::system_python() + " \"" + (dir / "bleu.py").string() + "\" \"" +
                           (dir / "pairs.tsv").string() + "\" 2>&1",
                       &output);
  double nltk[4];
  EXPECT_EQ(std::sscanf(output.c_str(), "%lf %lf %lf %lf", &nltk[0], &nltk[1], &nltk[2], &nltk[3]), 4)
      << "NLTK did not run (python3-nltk is installed by scripts/install-deps.sh): " << output;
  for (size_t n = 0; n < orders; ++n) EXPECT_NEAR(ours.bleu[n], nltk[n], 1e-12) << "BLEU-" << n + 1;
  return ours;
}

TEST(BleuAgainstNltk, PerturbedDifferenceAnswers) {
  auto pairs = corpus_pairs(500, 11);
  ASSERT_GT(pairs.size(), 300u);
  TextMetrics ours = expect_same_as_nltk(pairs, 4);
  EXPECT_GT(ours.bleu[3], 0.1);  // a corpus with real 4-gram matches, not a trivial zero
  EXPECT_LT(ours.bleu[0], 1.0);
}

// Candidates of 3 and 2 words: BLEU-1 and BLEU-2 agree with NLTK; above, by hand:
//   "effusion is larger" vs "the effusion is larger", "edema improved" vs itself;
//   p1 = 5/5, p2 = 3/3 (2 + 1 bigrams, all matched), p3 = 1/1 (the second candidate has no
//   trigram: coco-caption counts 0 of them, NLTK 1, giving 1/2), p4: no 4-gram at all -> 0;
//   c = 5, r = 6: BP = exp(1 - 6/5).
TEST(BleuAgainstNltk, ShortCandidatesAgreeUpToTheirLength) {
  TextMetrics ours = expect_same_as_nltk({{"effusion is larger", "the effusion is larger"},
                                          {"edema improved", "edema improved"}},
                                         2);
  double bp = std::exp(1 - 6.0 / 5.0);
  EXPECT_NEAR(ours.bleu[0], bp, 1e-12);
  EXPECT_NEAR(ours.bleu[1], bp, 1e-12);
  EXPECT_NEAR(ours.bleu[2], bp, 1e-12);
  EXPECT_EQ(ours.bleu[3], 0.0);
}

}  // namespace
}  // namespace cxrvqa
