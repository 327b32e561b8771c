// Caption metrics checked against worked examples computed by hand (the arithmetic is in the
// comments) and against the definitions' edge cases.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "score/text_metrics.h"

namespace cxrvqa {
namespace {

TEST(CaptionTokens, LowerCasesAndDropsPunctuation) {
  EXPECT_EQ(caption_tokens("The main image has additional findings of Pleural Effusion, and atelectasis than "
                           "the reference image. "),
            (std::vector<std::string>{"the", "main", "image", "has", "additional", "findings", "of", "pleural",
                                      "effusion", "and", "atelectasis", "than", "the", "reference", "image"}));
  EXPECT_EQ(caption_tokens("x-ray, patient's (left) -- ok?!"),
            (std::vector<std::string>{"x-ray", "patient's", "left", "ok"}));
  EXPECT_TRUE(caption_tokens(" . , ").empty());
}

// ROUGE-L, b = 1.2, F = (1 + b^2) P R / (R + b^2 P):
//   "left pleural effusion increased" vs "pleural effusion has increased on the left":
//     LCS = "pleural effusion increased" = 3, P = 3/4, R = 3/7,
//     F = 2.44 * (9/28) / (3/7 + 1.44 * 3/4) = (5.49/7) / (10.56/7) = 5.49 / 10.56.
//   "nothing has changed." vs "nothing has changed": F = 1.
//   corpus: the mean, (5.49 / 10.56 + 1) / 2.
TEST(CaptionMetrics, RougeLWorkedExample) {
  CaptionCorpus corpus;
  corpus.Add("left pleural effusion increased", "pleural effusion has increased on the left");
  corpus.Add("nothing has changed.", "nothing has changed");
  TextMetrics m = corpus.Compute();
  EXPECT_EQ(m.pairs, 2u);
  EXPECT_NEAR(m.rouge_l, (5.49 / 10.56 + 1) / 2, 1e-12);
}

// CIDEr-D, corpus of three pairs (N = 3, log N = ln 3):
//   references: [small effusion], [large effusion], [effusion]
//   document frequencies: effusion 3 (weight ln3 - ln3 = 0); small, large, "small effusion",
//   "large effusion" 1 (weight ln 3); candidate-only n-grams (edema, "small edema") 0 -> ln 3.
//   pair 1 "small effusion" = its reference: unigram vectors {small: ln3, effusion: 0}, so
//     sum min(h,r) r / (|h||r|) = ln3^2 / ln3^2 = 1; bigram likewise 1; no 3- or 4-grams (0);
//     equal bigram counts: penalty 1. Score = (1 + 1 + 0 + 0) / 4 * 10 = 5.
//   pair 2 "small edema" vs "large effusion": no shared n-gram -> 0.
//   pair 3 "effusion" = its reference, but its only n-gram has weight 0 -> 0.
//   CIDEr-D = (5 + 0 + 0) / 3.
TEST(CaptionMetrics, CiderDWorkedExampleWithDocumentFrequencies) {
  CaptionCorpus corpus;
  corpus.Add("small effusion", "small effusion");
  corpus.Add("small edema", "large effusion");
  corpus.Add("effusion", "effusion");
  EXPECT_NEAR(corpus.Compute().cider_d, 5.0 / 3.0, 1e-12);
}

// CIDEr-D, two pairs (N = 2, every n-gram in one reference: weight ln 2 per occurrence):
//   pair 1 "left effusion" vs "left effusion is larger":
//     unigrams: h = {left, effusion}, r = {left, effusion, is, larger}, all ln2:
//       2 ln2^2 / (sqrt(2) ln2 * 2 ln2) = 1/sqrt(2)
//     bigrams: h = {left effusion}, r = 3 bigrams: ln2^2 / (ln2 * sqrt(3) ln2) = 1/sqrt(3)
//     bigram counts 1 and 3: d = -2, penalty exp(-4 / 72)
//     score = (1/sqrt(2) + 1/sqrt(3)) * exp(-4/72) / 4 * 10
//   pair 2 "no change" = its reference: (1 + 1 + 0 + 0) / 4 * 10 = 5.
// ROUGE-L of pair 1: LCS 2, P = 1, R = 1/2: 2.44 * 0.5 / (0.5 + 1.44) = 1.22 / 1.94.
TEST(CaptionMetrics, CiderDWorkedExampleWithLengthPenalty) {
  CaptionCorpus corpus;
  corpus.Add("left effusion", "left effusion is larger");
  corpus.Add("no change", "no change");
  TextMetrics m = corpus.Compute();
  double pair1 = (1 / std::sqrt(2.0) + 1 / std::sqrt(3.0)) * std::exp(-4.0 / 72.0) / 4 * 10;
  EXPECT_NEAR(m.cider_d, (pair1 + 5.0) / 2, 1e-12);
  EXPECT_NEAR(m.rouge_l, (1.22 / 1.94 + 1) / 2, 1e-12);
}

// BLEU by hand: candidate "the effusion is larger" (4 words) vs reference "the effusion is
// much larger" (5 words): p1 = 4/4, p2 = 2/3 ("the effusion", "effusion is"), p3 = 1/2,
// p4 = 0/1 -> BLEU-4 = 0; c = 4 < r = 5: BP = exp(1 - 5/4).
TEST(CaptionMetrics, BleuWorkedExample) {
  CaptionCorpus corpus;
  corpus.Add("the effusion is larger", "the effusion is much larger");
  TextMetrics m = corpus.Compute();
  double bp = std::exp(1 - 5.0 / 4.0);
  EXPECT_NEAR(m.bleu[0], bp * 1.0, 1e-12);
  EXPECT_NEAR(m.bleu[1], bp * std::sqrt(1.0 * 2.0 / 3.0), 1e-12);
  EXPECT_NEAR(m.bleu[2], bp * std::cbrt(1.0 * 2.0 / 3.0 * 0.5), 1e-12);
  EXPECT_EQ(m.bleu[3], 0.0);
}

TEST(CaptionMetrics, ClippedCountsAndEmptyCandidates) {
  CaptionCorpus corpus;
  corpus.Add("the the the", "the cat");  // p1 = 1/3 (clipped to the reference's one "the")
  TextMetrics m = corpus.Compute();
  EXPECT_NEAR(m.bleu[0], 1.0 / 3.0, 1e-12);  // c = 3 > r = 2: no brevity penalty

  CaptionCorpus empty;
  empty.Add("", "pleural effusion");
  TextMetrics e = empty.Compute();
  EXPECT_EQ(e.bleu[0], 0.0);
  EXPECT_EQ(e.rouge_l, 0.0);
  EXPECT_EQ(e.cider_d, 0.0);
  EXPECT_EQ(CaptionCorpus().Compute().pairs, 0u);
}

TEST(CaptionMetrics, IdenticalLongAnswersScoreOne) {
  CaptionCorpus corpus;
  corpus.Add("the main image has an additional finding of edema than the reference image.",
             "the main image has an additional finding of edema than the reference image.");
  corpus.Add("the main image is missing the finding of pleural effusion than the reference image.",
             "the main image is missing the finding of pleural effusion than the reference image.");
  TextMetrics m = corpus.Compute();
  for (double bleu : m.bleu) EXPECT_NEAR(bleu, 1.0, 1e-12);
  EXPECT_NEAR(m.rouge_l, 1.0, 1e-12);
  // Each 4-gram order has n-grams not shared by both references, so every order scores 1.
  EXPECT_NEAR(m.cider_d, 10.0, 1e-12);
}

// A subset of pairs is scored as if it were the whole corpus: its own lengths for BLEU's
// brevity penalty and its own document frequencies for CIDEr-D (how per-split figures are
// computed from one corpus).
TEST(CaptionMetrics, SubsetScoresAsItsOwnCorpus) {
  const std::vector<std::pair<std::string, std::string>> pairs = {
      {"small effusion", "small effusion"},
      {"the main image has an additional finding of edema", "the main image has an additional finding of edema"},
      {"small edema", "large effusion"},
      {"nothing has changed", "the main image is missing the finding of atelectasis"},
      {"effusion", "effusion"},
  };
  CaptionCorpus whole;
  for (const auto& [candidate, reference] : pairs) whole.Add(candidate, reference);
  const std::vector<size_t> subset = {0, 2, 4};
  CaptionCorpus alone;
  for (size_t i : subset) alone.Add(pairs[i].first, pairs[i].second);
  TextMetrics part = whole.Compute(&subset), expected = alone.Compute();
  EXPECT_EQ(part.pairs, 3u);
  for (size_t n = 0; n < 4; ++n) EXPECT_NEAR(part.bleu[n], expected.bleu[n], 1e-12) << "BLEU-" << n + 1;
  EXPECT_NEAR(part.rouge_l, expected.rouge_l, 1e-12);
  EXPECT_NEAR(part.cider_d, 5.0 / 3.0, 1e-12);  // the worked example above
  EXPECT_NE(whole.Compute().cider_d, part.cider_d);
  const std::vector<size_t> none;
  EXPECT_EQ(whole.Compute(&none).pairs, 0u);
}

}  // namespace
}  // namespace cxrvqa
