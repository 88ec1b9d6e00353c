#include "Compare.h"

#include "Faithfulness.h"
#include "ResidualAnalysis.h"
#include "model/ModelFamily.h"
#include "tokenize/Tokenizer.h"
#include "util/Error.h"

#include <QJsonArray>

#include <algorithm>
#include <cmath>

namespace strata {

QString TokenAlignment::describe() const
{
    switch (kind) {
    case Kind::Identical:
        return QStringLiteral("identical tokens");
    case Kind::Positional:
        return QStringLiteral("same length, aligned by position (%1 of %2 tokens differ)")
            .arg(std::count(sameToken.begin(), sameToken.end(), false))
            .arg(pairs.size());
    case Kind::Sequence:
        return QStringLiteral("different lengths, aligned by the longest common subsequence of %1 (%2 pairs; %3 tokens only in A, %4 only in B)")
            .arg(sameTokenizer ? QStringLiteral("token ids") : QStringLiteral("token texts"))
            .arg(pairs.size())
            .arg(onlyA.size())
            .arg(onlyB.size());
    }
    return {};
}

namespace Compare {

namespace {

// Longest common subsequence of two sequences by equality; pairs in increasing order.
template <typename T> std::vector<std::pair<int, int>> lcs(const std::vector<T> &a, const std::vector<T> &b)
{
    const size_t n = a.size(), m = b.size();
    std::vector<std::vector<int>> L(n + 1, std::vector<int>(m + 1, 0));
    for (size_t i = n; i-- > 0;)
        for (size_t j = m; j-- > 0;)
            L[i][j] = a[i] == b[j] ? L[i + 1][j + 1] + 1 : std::max(L[i + 1][j], L[i][j + 1]);
    std::vector<std::pair<int, int>> out;
    size_t i = 0, j = 0;
    while (i < n && j < m) {
        if (a[i] == b[j]) {
            out.emplace_back(int(i), int(j));
            ++i;
            ++j;
        } else if (L[i + 1][j] >= L[i][j + 1]) {
            ++i;
        } else {
            ++j;
        }
    }
    return out;
}

std::vector<float> rowOf(const HostTensor &t, int row)
{
    return t.slice0(row).toFloatVector();
}

const HostTensor &layerPoint(const Trace &t, int point)
{
    return point == 0 ? t.embed : t.layers[size_t(point - 1)].residPost;
}

} // namespace

TokenAlignment align(const Trace &a, const Trace &b, bool sameTokenizer)
{
    TokenAlignment al;
    al.sameTokenizer = sameTokenizer;
    const int Ta = a.tokenCount(), Tb = b.tokenCount();
    if (sameTokenizer && Ta == Tb) {
        for (int i = 0; i < Ta; ++i) {
            al.pairs.emplace_back(i, i);
            al.sameToken.push_back(a.tokens[size_t(i)].id == b.tokens[size_t(i)].id);
        }
        al.kind = std::all_of(al.sameToken.begin(), al.sameToken.end(), [](bool s) { return s; }) ? TokenAlignment::Kind::Identical
                                                                                                  : TokenAlignment::Kind::Positional;
        return al;
    }
    al.kind = TokenAlignment::Kind::Sequence;
    if (sameTokenizer) {
        al.pairs = lcs(a.tokenIds(), b.tokenIds());
    } else {
        std::vector<QString> sa(a.tokenStrings.begin(), a.tokenStrings.end()), sb(b.tokenStrings.begin(), b.tokenStrings.end());
        al.pairs = lcs(sa, sb);
    }
    al.sameToken.assign(al.pairs.size(), true);
    std::vector<bool> usedA(size_t(Ta), false), usedB(size_t(Tb), false);
    for (const auto &[i, j] : al.pairs) {
        usedA[size_t(i)] = true;
        usedB[size_t(j)] = true;
    }
    for (int i = 0; i < Ta; ++i)
        if (!usedA[size_t(i)])
            al.onlyA.push_back(i);
    for (int j = 0; j < Tb; ++j)
        if (!usedB[size_t(j)])
            al.onlyB.push_back(j);
    return al;
}

std::vector<double> alignedAttention(const Trace &t, const TokenAlignment &al, bool sideB, int layer, int head)
{
    const LayerTrace *lt = t.layer(layer);
    if (!lt || lt->attn.isEmpty() || head < 0 || head >= lt->attn.dim(0))
        throw Error(QStringLiteral("Layer %1, head %2 has no attention in this run.").arg(layer).arg(head));
    const int64_t T = lt->attn.dim(1);
    const size_t M = al.pairs.size();
    std::vector<double> out(M * M, std::nan(""));
    for (size_t q = 0; q < M; ++q)
        for (size_t k = 0; k <= q; ++k) {
            const int tq = sideB ? al.pairs[q].second : al.pairs[q].first;
            const int tk = sideB ? al.pairs[k].second : al.pairs[k].first;
            out[q * M + k] = lt->attn.floatAt((int64_t(head) * T + tq) * T + tk);
        }
    return out;
}

std::vector<double> attentionDifference(const Trace &a, const Trace &b, const TokenAlignment &al, int layer, int head)
{
    const std::vector<double> A = alignedAttention(a, al, false, layer, head), B = alignedAttention(b, al, true, layer, head);
    std::vector<double> d(A.size());
    for (size_t i = 0; i < A.size(); ++i)
        d[i] = A[i] - B[i];
    return d;
}

LayerSimilarity layerSimilarity(const Trace &a, const Trace &b, const TokenAlignment &al)
{
    LayerSimilarity s;
    const int La = int(a.layers.size()) + 1, Lb = int(b.layers.size()) + 1;
    const bool sameSpace = a.model.dModel == b.model.dModel && a.model.fingerprint == b.model.fingerprint;
    const int M = int(al.pairs.size());
    for (int p = 0; p < La; ++p) {
        const double depth = La > 1 ? double(p) / (La - 1) : 0;
        const int q = int(std::lround(depth * (Lb - 1)));
        s.depthA.push_back(depth);
        s.layerB.push_back(q);
        const HostTensor &A = layerPoint(a, p), &B = layerPoint(b, q);
        if (A.isEmpty() || B.isEmpty())
            throw Error(QStringLiteral("Comparing layers needs the residual stream of both runs."));
        std::vector<double> perPos;
        if (sameSpace) {
            double sum = 0;
            for (const auto &[i, j] : al.pairs) {
                const double c = ResidualAnalysis::cosine(rowOf(A, i), rowOf(B, j));
                perPos.push_back(c);
                sum += c;
            }
            s.positionMean.push_back(M ? sum / M : std::nan(""));
            s.sentence.push_back(ResidualAnalysis::cosine(ResidualAnalysis::pool(A, ResidualAnalysis::Pooling::Mean),
                                                          ResidualAnalysis::pool(B, ResidualAnalysis::Pooling::Mean)));
        } else {
            s.positionMean.push_back(std::nan(""));
            s.sentence.push_back(std::nan(""));
        }
        s.perPosition.push_back(perPos);
        if (M >= 3) {
            const int da = int(A.dim(1)), db = int(B.dim(1));
            std::vector<float> X, Y;
            for (const auto &[i, j] : al.pairs) {
                const auto ra = rowOf(A, i), rb = rowOf(B, j);
                X.insert(X.end(), ra.begin(), ra.end());
                Y.insert(Y.end(), rb.begin(), rb.end());
            }
            s.cka.push_back(ResidualAnalysis::linearCka(X, Y, M, da, db));
        } else {
            s.cka.push_back(std::nan(""));
        }
    }
    return s;
}

QStringList headMetricNames()
{
    return {QStringLiteral("previous"), QStringLiteral("current"), QStringLiteral("local"),  QStringLiteral("sink"),     QStringLiteral("duplicate"),
            QStringLiteral("distance"), QStringLiteral("entropy"), QStringLiteral("stripe"), QStringLiteral("semantic"), QStringLiteral("block-sparse")};
}

double headMetric(const HeadScores &s, const QString &m)
{
    if (m == QLatin1String("previous"))
        return s.previousToken;
    if (m == QLatin1String("current"))
        return s.currentToken;
    if (m == QLatin1String("local"))
        return s.localWindow;
    if (m == QLatin1String("sink"))
        return s.firstToken;
    if (m == QLatin1String("duplicate"))
        return s.duplicateToken;
    if (m == QLatin1String("distance"))
        return s.meanDistance;
    if (m == QLatin1String("entropy"))
        return s.normalizedEntropy;
    if (m == QLatin1String("stripe"))
        return s.stripe;
    if (m == QLatin1String("semantic"))
        return s.semantic;
    if (m == QLatin1String("block-sparse"))
        return s.blockSparse;
    throw Error(QStringLiteral("Unknown head score '%1' (known: %2).").arg(m, headMetricNames().join(QStringLiteral(", "))));
}

std::vector<HeadDifference> headDifferences(const Trace &a, const Trace &b, const QString &metric)
{
    if (a.model.nLayers != b.model.nLayers || a.model.nHeads != b.model.nHeads)
        throw Error(QStringLiteral("Head-by-head differences need two runs of one model; compare role mixes by depth instead."));
    const std::vector<HeadScores> sa = HeadMetrics::scoreTrace(a), sb = HeadMetrics::scoreTrace(b);
    std::vector<HeadDifference> out;
    for (size_t i = 0; i < sa.size() && i < sb.size(); ++i)
        out.push_back(HeadDifference{sa[i].layer, sa[i].head, headMetric(sa[i], metric), headMetric(sb[i], metric)});
    std::stable_sort(out.begin(), out.end(), [](const HeadDifference &x, const HeadDifference &y) {
        const double dx = std::isnan(x.delta()) ? -1 : std::abs(x.delta()), dy = std::isnan(y.delta()) ? -1 : std::abs(y.delta());
        return dx > dy;
    });
    return out;
}

HostTensor lensLogits(LoadedModel &model, const Trace &t, int position)
{
    const int T = t.tokenCount();
    const int pos = position < 0 ? T - 1 : position;
    if (pos >= T || t.layers.empty() || t.layers.front().residPost.isEmpty())
        throw Error(QStringLiteral("Reading the layers needs the residual stream at position %1 of this run.").arg(pos));
    const int L = int(t.layers.size());
    const int D = int(t.layers.front().residPost.dim(1));
    std::vector<float> rows;
    for (const LayerTrace &l : t.layers) {
        const auto r = rowOf(l.residPost, pos);
        rows.insert(rows.end(), r.begin(), r.end());
    }
    return model.unembed(HostTensor::fromFloats({L, D}, rows.data()));
}

std::vector<double> logitDifference(LoadedModel &model, const Trace &t, int64_t tokenA, int64_t tokenB, int position)
{
    const int T = t.tokenCount();
    const int pos = position < 0 ? T - 1 : position;
    const int64_t V = model.info().vocabSize;
    if (pos >= T || tokenA < 0 || tokenB < 0 || tokenA >= V || tokenB >= V)
        throw Error(QStringLiteral("The answer tokens or the position are outside this run."));
    const int L = int(t.layers.size());
    const HostTensor logits = lensLogits(model, t, pos);
    std::vector<double> out;
    for (int l = 0; l < L; ++l)
        out.push_back(double(logits.floatAt(int64_t(l) * V + tokenA)) - double(logits.floatAt(int64_t(l) * V + tokenB)));
    return out;
}

int64_t predictedToken(const Trace &t, int position, int rank)
{
    if (t.logits.isEmpty())
        throw Error(QStringLiteral("This run kept no logits."));
    const int64_t V = t.logits.dim(1);
    // Only the last position's logits may have been kept.
    const int64_t row = position < 0 || t.logits.dim(0) == 1 ? t.logits.dim(0) - 1 : std::min<int64_t>(position, t.logits.dim(0) - 1);
    const std::vector<float> logits = t.logits.slice0(row).toFloatVector();
    std::vector<int64_t> order(static_cast<size_t>(V));
    for (int64_t v = 0; v < V; ++v)
        order[size_t(v)] = v;
    const int64_t r = std::clamp<int64_t>(rank, 0, V - 1);
    std::partial_sort(order.begin(), order.begin() + r + 1, order.end(), [&](int64_t x, int64_t y) { return logits[size_t(x)] > logits[size_t(y)]; });
    return order[size_t(r)];
}

int64_t firstToken(LoadedModel &model, const QString &text)
{
    if (text.isEmpty())
        return -1;
    const auto pieces = model.tokenizer().encode(text, false);
    if (pieces.empty())
        return -1;
    // " Mary" on a SentencePiece model is a bare "▁" and then "▁Mary": the word is what is meant.
    if (pieces.size() > 1 && model.tokenizer().decode({pieces.front().id}).trimmed().isEmpty())
        return pieces[1].id;
    return pieces.front().id;
}

std::vector<std::vector<double>> roleMix(const Trace &t)
{
    const QList<HeadRole> roles = HeadMetrics::allRoles();
    std::vector<std::vector<double>> mix(t.layers.size(), std::vector<double>(size_t(roles.size()), 0.0));
    for (const HeadScores &s : HeadMetrics::scoreTrace(t)) {
        const int r = int(roles.indexOf(HeadMetrics::dominantRole(s)));
        for (size_t l = 0; l < t.layers.size(); ++l)
            if (t.layers[l].layer == s.layer && r >= 0)
                mix[l][size_t(r)] += 1.0 / std::max(1, t.model.nHeads);
    }
    return mix;
}

QJsonObject toJson(const TokenAlignment &a, const Trace &ta, const Trace &tb)
{
    QJsonArray pairs;
    for (size_t i = 0; i < a.pairs.size(); ++i)
        pairs.append(QJsonObject{{QStringLiteral("a"), a.pairs[i].first},
                                 {QStringLiteral("b"), a.pairs[i].second},
                                 {QStringLiteral("token_a"), ta.tokenStrings.value(a.pairs[i].first)},
                                 {QStringLiteral("token_b"), tb.tokenStrings.value(a.pairs[i].second)},
                                 {QStringLiteral("same"), bool(a.sameToken[i])}});
    QJsonArray onlyA, onlyB;
    for (int i : a.onlyA)
        onlyA.append(i);
    for (int j : a.onlyB)
        onlyB.append(j);
    return QJsonObject{
        {QStringLiteral("kind"), a.describe()}, {QStringLiteral("pairs"), pairs}, {QStringLiteral("only_a"), onlyA}, {QStringLiteral("only_b"), onlyB}};
}

} // namespace Compare

QJsonObject Compare::precisionDifference(const Trace &a, const Trace &b)
{
    if (a.model.fingerprint != b.model.fingerprint || a.model.compute == b.model.compute || a.tokens.empty() || a.tokenIds() != b.tokenIds() ||
        !a.interventions.empty() || !b.interventions.empty())
        return {};
    const bool aExact = a.model.compute == QLatin1String("f32");
    Faithfulness f;
    try {
        f.add(aExact ? a : b, aExact ? b : a);
    } catch (const Error &) {
        return {};
    }
    QJsonObject o = f.toJson();
    o.insert(QStringLiteral("exact"), aExact ? QStringLiteral("A") : QStringLiteral("B"));
    o.insert(QStringLiteral("approx_compute"), aExact ? b.model.compute : a.model.compute);
    return o;
}

} // namespace strata
