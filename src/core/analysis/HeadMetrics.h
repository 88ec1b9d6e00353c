#pragma once

#include "model/Trace.h"

#include <QString>
#include <QStringList>

#include <cmath>
#include <vector>

namespace strata {

// Scores of one attention head on one trace. A = the head's [T, T] attention (row q = query,
// column k = key, causal, rows sum to 1). Averages run over queries q >= 1 (row 0 can only attend
// to itself) unless stated.
struct HeadScores
{
    int layer = 0;
    int head = 0;
    double previousToken = 0;             // mean_q A[q, q-1]
    double currentToken = 0;              // mean_q A[q, q]
    double localWindow = 0;               // mean_q sum_{k = q-w+1..q} A[q, k]  (w = localWindow, default 3)
    double firstToken = 0;                // mean_q A[q, 0]: attention parked on the first (BOS / sink) position
    double duplicateToken = std::nan(""); // mean over q with an earlier copy of token[q] of sum_{k<q, tok[k]=tok[q]} A[q,k]
    double meanDistance = 0;              // mean_q sum_k A[q, k] (q - k), in tokens
    double entropy = 0;                   // mean_q -sum_k A[q,k] ln A[q,k], in nats
    double normalizedEntropy = 0;         // mean_q entropy / ln(q + 1): 0 = one key, 1 = uniform
    double stripe = 0;                    // max over key k >= 1 with at least max(4, T/4) later queries of mean_{q > k} A[q, k]
    double induction = std::nan("");      // from an induction probe (InductionProbe), NaN when not measured
    // Semantic: how much more alike (in meaning) the keys a head attends to are to the query than keys
    // at the same distances are on average. With c(q, k) the cosine similarity of the layer's input
    // vectors (resid_pre, centred on their mean over positions 1..T-1) and m(d) the mean of c over all
    // pairs at distance d, semantic = sum_{q, k in 1..q-1} A[q,k] (c(q,k) - m(q-k)) / sum A[q,k]
    // (the first position, a sink, and the query itself left out). 0 for attention that follows only
    // position, up to 2 for attention that picks the most similar keys. NaN without residuals or T < 3.
    double semantic = std::nan("");
    // Block-sparse: how much more attention stays inside the query's own block (sentence or
    // paragraph) than the head's distances alone would keep there. With same(q,k) = 1 when k is in
    // q's block and P(d) the share of pairs at distance d that share a block in this text,
    // blockSparse = sum_{q, k in 1..q} A[q,k] (same(q,k) - P(q-k)) / sum A[q,k], over queries whose
    // block starts after position 1 (so that keys outside it exist). NaN for a text of one block.
    double blockSparse = std::nan("");
    // Syntactic (from a CoNLL-U treebank, SyntacticHeads::applyTo): the head's best margin over the
    // fixed-offset baseline, accuracy - baseline accuracy, over the dependency relations measured,
    // and that relation. NaN when no treebank was given.
    double syntactic = std::nan("");
    QString syntacticRelation;
    int tokens = 0;
};

// How a text is cut into blocks for the block-sparse score.
enum class TextBlocks { Sentences, Paragraphs };

enum class HeadRole { Sink, PreviousToken, Induction, DuplicateToken, CurrentToken, Local, Stripe, LongRange, Semantic, BlockSparse, Syntactic, Diffuse };

// Thresholds for calling a head's role; a role applies when its score reaches the threshold, and
// the dominant role is the one whose score exceeds its threshold by the largest factor.
struct RoleThresholds
{
    double sink = 0.3; // the definition: mean attention to position 0 > 0.3 on 64-token inputs
    double previousToken = 0.4;
    double induction = 0.4;
    double duplicateToken = 0.3;
    double currentToken = 0.5;
    double localWindow = 0.7;
    double stripe = 0.3;
    double longRangeFraction = 0.3;   // mean distance >= this fraction of T ...
    double longRangeMaxEntropy = 0.6; // ... with normalised entropy at most this (focused, not diffuse)
    double semantic = 0.15;           // attended keys this much more similar than distance predicts
    double blockSparse = 0.15;        // this much more attention inside the block than distance predicts
    double syntactic = 0.1;           // finds an arc's other end this much more often than the best fixed offset
};

namespace HeadMetrics {

// Scores for a single head from its attention (row-major [T, T]) and the token ids.
HeadScores scoreHead(const std::vector<float> &attn, int T, const std::vector<int64_t> &ids, int localWindow = 3);
// Every head of every captured layer, with the semantic score from the layer's resid_pre and the
// block-sparse score over the prompt's sentences (or paragraphs).
std::vector<HeadScores> scoreTrace(const Trace &trace, int localWindow = 3, TextBlocks blocks = TextBlocks::Sentences);

// The two scores of HeadScores above, for one head's attention ([T, T] row-major).
// similarity: [T, T] row-major c(q, k) (see cosineSimilarity); block: the block index of each position.
double semanticScore(const std::vector<float> &attn, int T, const std::vector<double> &similarity);
double blockSparseScore(const std::vector<float> &attn, int T, const std::vector<int> &block);
// Cosine similarity of the rows of a [T, D] matrix after subtracting their mean over rows 1..T-1.
std::vector<double> cosineSimilarity(const HostTensor &vectors);
// The block index of each token: a new sentence starts after a token that ends with . ! ? (or
// their CJK forms) or holds a line break; a new paragraph after a token holding an empty line.
std::vector<int> textBlocks(const Trace &trace, TextBlocks kind);
// Mean attention from each token of the second copy to the token after its earlier occurrence:
// positions start..start+n-1 hold the first copy and start+n..start+2n-1 the second.
double inductionScore(const std::vector<float> &attn, int T, int start, int n);

HeadRole dominantRole(const HeadScores &s, const RoleThresholds &t = {});
QStringList roles(const HeadScores &s, const RoleThresholds &t = {}); // every role that applies
QString roleId(HeadRole r);                                           // stable: "sink", "previous-token", ...
QString roleName(HeadRole r);                                         // translated for display
QList<HeadRole> allRoles();

} // namespace HeadMetrics
} // namespace strata
