#pragma once

#include "HeadMetrics.h"
#include "model/Trace.h"

#include <QJsonObject>
#include <QString>

#include <utility>
#include <vector>

namespace strata {

class LoadedModel;

// Which token of run A stands opposite which token of run B.
struct TokenAlignment
{
    enum class Kind {
        Identical,  // same tokens
        Positional, // same length, some tokens differ (a clean vs corrupted prompt): aligned by position
        Sequence,   // different lengths: the longest common subsequence of tokens (ids, or text across tokenizers)
    };
    Kind kind = Kind::Identical;
    bool sameTokenizer = true;
    std::vector<std::pair<int, int>> pairs; // (position in A, position in B), increasing in both
    std::vector<bool> sameToken;            // per pair
    std::vector<int> onlyA, onlyB;          // positions left without a partner
    QString describe() const;
};

// Per layer point (0 = embeddings, l + 1 = after block l) of run A, how alike the two runs are.
struct LayerSimilarity
{
    std::vector<double> depthA;                   // relative depth of A's layer point, 0..1
    std::vector<int> layerB;                      // B's layer point at the nearest relative depth (== A's for one model)
    std::vector<double> positionMean;             // mean cosine over aligned positions (one model only; NaN otherwise)
    std::vector<double> sentence;                 // cosine of mean-pooled vectors (one model only; NaN otherwise)
    std::vector<double> cka;                      // linear CKA over aligned tokens (works across models; NaN below 3 pairs)
    std::vector<std::vector<double>> perPosition; // [layer point][pair] cosine (one model only)
};

struct HeadDifference
{
    int layer = 0, head = 0;
    double a = 0, b = 0;
    double delta() const { return a - b; }
};

namespace Compare {
TokenAlignment align(const Trace &a, const Trace &b, bool sameTokenizer);
// A - B attention of one head over aligned query/key pairs: [M, M], NaN above the diagonal.
std::vector<double> attentionDifference(const Trace &a, const Trace &b, const TokenAlignment &alignment, int layer, int head);
// One head's attention of a run restricted to its aligned positions: [M, M].
std::vector<double> alignedAttention(const Trace &t, const TokenAlignment &alignment, bool sideB, int layer, int head);
LayerSimilarity layerSimilarity(const Trace &a, const Trace &b, const TokenAlignment &alignment);
// Named score of every head ("previous", "current", "local", "sink", "duplicate", "distance",
// "entropy", "stripe") in both runs of one model, sorted by |A - B|, largest first.
std::vector<HeadDifference> headDifferences(const Trace &a, const Trace &b, const QString &metric);
double headMetric(const HeadScores &s, const QString &metric);
QStringList headMetricNames();
// The logit lens at one position (default the last): the residual stream after every block read
// through the model's final norm and unembedding, [layers, V].
HostTensor lensLogits(LoadedModel &model, const Trace &t, int position = -1);
// logit[tokenA] - logit[tokenB] at a position (default the last) read through the logit lens after
// every block; the last entry equals the model's own logit difference.
std::vector<double> logitDifference(LoadedModel &model, const Trace &t, int64_t tokenA, int64_t tokenB, int position = -1);
// The token of the given rank (0 = top) in the trace's own logits after a position (-1: the last
// kept row), or the first token of an answer text (-1 when the text has none).
int64_t predictedToken(const Trace &t, int position = -1, int rank = 0);
// The token an answer text stands for: its first token, or its second when the first is only a
// space (" Mary" on SentencePiece models is "▁" then "▁Mary"). -1 for empty text.
int64_t firstToken(LoadedModel &model, const QString &text);

// Share of each head role per layer (for comparing models at relative depth).
std::vector<std::vector<double>> roleMix(const Trace &t); // [layer][role index in HeadMetrics::allRoles()]

QJsonObject toJson(const TokenAlignment &a, const Trace &ta, const Trace &tb);

// The same weights and tokens at two compute precisions (f32 and bf16), neither run intervened on:
// the approximate run measured against the f32 one as `strata-cli faithfulness` measures it
// (Faithfulness::toJson, plus "exact": "A" or "B", and "approx_compute"). Empty for any other pair,
// for runs without tokens (LoadedModel::run of bare ids), or when one run kept less than the other
// (a stored run without every position's logits).
QJsonObject precisionDifference(const Trace &a, const Trace &b);
} // namespace Compare

} // namespace strata
