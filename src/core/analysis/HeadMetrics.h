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
    int tokens = 0;
};

enum class HeadRole { Sink, PreviousToken, Induction, DuplicateToken, CurrentToken, Local, Stripe, LongRange, Diffuse };

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
};

namespace HeadMetrics {

// Scores for a single head from its attention (row-major [T, T]) and the token ids.
HeadScores scoreHead(const std::vector<float> &attn, int T, const std::vector<int64_t> &ids, int localWindow = 3);
// Every head of every captured layer.
std::vector<HeadScores> scoreTrace(const Trace &trace, int localWindow = 3);
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
