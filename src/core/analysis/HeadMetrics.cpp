#include "HeadMetrics.h"

#include <QCoreApplication>

#include <algorithm>
#include <cctype>

namespace strata::HeadMetrics {

HeadScores scoreHead(const std::vector<float> &A, int T, const std::vector<int64_t> &ids, int w)
{
    HeadScores s;
    s.tokens = T;
    if (T < 2)
        return s;
    const double nq = T - 1;
    double dupSum = 0;
    int dupCount = 0;
    for (int q = 1; q < T; ++q) {
        const float *row = A.data() + size_t(q) * T;
        s.previousToken += row[q - 1];
        s.currentToken += row[q];
        s.firstToken += row[0];
        double local = 0, dist = 0, ent = 0, dup = 0;
        bool hasDup = false;
        for (int k = 0; k <= q; ++k) {
            const double a = row[k];
            if (k > q - w)
                local += a;
            dist += a * (q - k);
            if (a > 0)
                ent -= a * std::log(a);
            if (k < q && size_t(q) < ids.size() && ids[size_t(k)] == ids[size_t(q)]) {
                dup += a;
                hasDup = true;
            }
        }
        s.localWindow += local;
        s.meanDistance += dist;
        s.entropy += ent;
        s.normalizedEntropy += ent / std::log(double(q) + 1.0);
        if (hasDup) {
            dupSum += dup;
            ++dupCount;
        }
    }
    s.previousToken /= nq;
    s.currentToken /= nq;
    s.firstToken /= nq;
    s.localWindow /= nq;
    s.meanDistance /= nq;
    s.entropy /= nq;
    s.normalizedEntropy /= nq;
    s.duplicateToken = dupCount ? dupSum / dupCount : std::nan("");
    const int minQueries = std::max(4, T / 4);
    for (int k = 1; k + minQueries < T; ++k) {
        double col = 0;
        for (int q = k + 1; q < T; ++q)
            col += A[size_t(q) * T + k];
        s.stripe = std::max(s.stripe, col / (T - 1 - k));
    }
    return s;
}

std::vector<HeadScores> scoreTrace(const Trace &trace, int localWindow, TextBlocks blocks)
{
    std::vector<HeadScores> out;
    const std::vector<int64_t> ids = trace.tokenIds();
    const int T = trace.tokenCount();
    const std::vector<int> block = textBlocks(trace, blocks);
    for (const LayerTrace &l : trace.layers) {
        if (l.attn.isEmpty() || l.attn.rank() != 3 || l.attn.dim(1) != T || l.attn.dim(2) != T)
            continue;
        const bool hasVectors = l.residPre.rank() == 2 && l.residPre.dim(0) == T;
        const std::vector<double> similarity = hasVectors ? cosineSimilarity(l.residPre) : std::vector<double>();
        for (int h = 0; h < l.attn.dim(0); ++h) {
            const std::vector<float> attn = l.attn.slice0(h).toFloatVector();
            HeadScores s = scoreHead(attn, T, ids, localWindow);
            s.layer = l.layer;
            s.head = h;
            if (hasVectors)
                s.semantic = semanticScore(attn, T, similarity);
            s.blockSparse = blockSparseScore(attn, T, block);
            out.push_back(s);
        }
    }
    return out;
}

std::vector<double> cosineSimilarity(const HostTensor &vectors)
{
    const int T = int(vectors.dim(0)), D = int(vectors.dim(1));
    const std::vector<float> v = vectors.toFloatVector();
    std::vector<double> mean(size_t(D), 0.0), x(size_t(T) * D), norm(size_t(T), 0.0);
    for (int t = 1; t < T; ++t)
        for (int d = 0; d < D; ++d)
            mean[size_t(d)] += v[size_t(t) * D + d] / (T - 1);
    for (int t = 0; t < T; ++t) {
        for (int d = 0; d < D; ++d) {
            const double c = v[size_t(t) * D + d] - (T > 1 ? mean[size_t(d)] : 0.0);
            x[size_t(t) * D + d] = c;
            norm[size_t(t)] += c * c;
        }
        norm[size_t(t)] = std::sqrt(norm[size_t(t)]);
    }
    std::vector<double> sim(size_t(T) * T, 0.0);
    for (int q = 0; q < T; ++q)
        for (int k = 0; k <= q; ++k) {
            double dot = 0;
            for (int d = 0; d < D; ++d)
                dot += x[size_t(q) * D + d] * x[size_t(k) * D + d];
            const double n = norm[size_t(q)] * norm[size_t(k)];
            sim[size_t(q) * T + k] = sim[size_t(k) * T + q] = n > 1e-12 ? dot / n : 0.0;
        }
    return sim;
}

double semanticScore(const std::vector<float> &A, int T, const std::vector<double> &c)
{
    if (T < 3)
        return std::nan("");
    std::vector<double> m(size_t(T), 0.0); // m[d]: mean similarity at distance d over keys >= 1
    for (int d = 1; d < T - 1; ++d) {
        double sum = 0;
        for (int q = d + 1; q < T; ++q)
            sum += c[size_t(q) * T + (q - d)];
        m[size_t(d)] = sum / (T - 1 - d);
    }
    double num = 0, den = 0;
    for (int q = 2; q < T; ++q)
        for (int k = 1; k < q; ++k) {
            const double a = A[size_t(q) * T + k];
            num += a * (c[size_t(q) * T + k] - m[size_t(q - k)]);
            den += a;
        }
    return den > 1e-9 ? num / den : std::nan("");
}

double blockSparseScore(const std::vector<float> &A, int T, const std::vector<int> &block)
{
    if (T < 3 || int(block.size()) != T || block[1] == block[size_t(T) - 1])
        return std::nan("");
    std::vector<double> p(size_t(T), 0.0); // p[d]: share of pairs (keys >= 1) at distance d in one block
    for (int d = 0; d < T - 1; ++d) {
        int same = 0;
        for (int q = d + 1; q < T; ++q)
            same += block[size_t(q)] == block[size_t(q - d)];
        p[size_t(d)] = double(same) / (T - 1 - d);
    }
    double num = 0, den = 0;
    for (int q = 2; q < T; ++q) {
        if (block[size_t(q)] == block[1])
            continue;
        for (int k = 1; k <= q; ++k) {
            const double a = A[size_t(q) * T + k];
            num += a * ((block[size_t(k)] == block[size_t(q)] ? 1.0 : 0.0) - p[size_t(q - k)]);
            den += a;
        }
    }
    return den > 1e-9 ? num / den : std::nan("");
}

std::vector<int> textBlocks(const Trace &trace, TextBlocks kind)
{
    const QByteArray text = trace.prompt.toUtf8();
    std::vector<int> block(size_t(trace.tokenCount()), 0);
    int current = 0;
    for (int i = 0; i < trace.tokenCount(); ++i) {
        block[size_t(i)] = current;
        const TokenPiece &p = trace.tokens[size_t(i)];
        if (p.byteBegin < 0 || p.byteEnd > text.size() || p.byteEnd <= p.byteBegin)
            continue;
        const QString piece = QString::fromUtf8(text.mid(p.byteBegin, p.byteEnd - p.byteBegin));
        bool ends;
        if (kind == TextBlocks::Paragraphs) {
            // An empty line: the whitespace ending the text so far holds two line breaks, one in this token.
            int newlines = 0;
            for (int j = p.byteEnd - 1; j >= 0 && std::isspace(static_cast<unsigned char>(text[j])); --j)
                newlines += text[j] == '\n';
            ends = newlines >= 2 && piece.contains(QLatin1Char('\n'));
        } else {
            const QString t = piece.trimmed();
            static const QString enders = QStringLiteral(".!?\u3002\uff01\uff1f");
            ends = piece.contains(QLatin1Char('\n')) || (!t.isEmpty() && enders.contains(t.back()));
        }
        if (ends)
            ++current;
    }
    return block;
}

double inductionScore(const std::vector<float> &A, int T, int start, int n)
{
    double sum = 0;
    int count = 0;
    for (int i = 0; i < n; ++i) {
        const int q = start + n + i;
        const int k = q - n + 1; // the token that followed the earlier occurrence of token[q]
        if (q >= T)
            break;
        sum += A[size_t(q) * T + k];
        ++count;
    }
    return count ? sum / count : std::nan("");
}

QList<HeadRole> allRoles()
{
    return {HeadRole::Sink,   HeadRole::PreviousToken, HeadRole::Induction, HeadRole::DuplicateToken, HeadRole::CurrentToken, HeadRole::Local,
            HeadRole::Stripe, HeadRole::LongRange,     HeadRole::Semantic,  HeadRole::BlockSparse,    HeadRole::Syntactic,    HeadRole::Diffuse};
}

namespace {
// (role, strength = score / threshold) for every role whose score reaches its threshold.
std::vector<std::pair<HeadRole, double>> candidates(const HeadScores &s, const RoleThresholds &t)
{
    std::vector<std::pair<HeadRole, double>> c;
    auto consider = [&](HeadRole r, double score, double threshold) {
        if (!std::isnan(score) && threshold > 0 && score >= threshold)
            c.emplace_back(r, score / threshold);
    };
    consider(HeadRole::Sink, s.firstToken, t.sink);
    consider(HeadRole::PreviousToken, s.previousToken, t.previousToken);
    consider(HeadRole::Induction, s.induction, t.induction);
    consider(HeadRole::DuplicateToken, s.duplicateToken, t.duplicateToken);
    consider(HeadRole::CurrentToken, s.currentToken, t.currentToken);
    consider(HeadRole::Local, s.localWindow, t.localWindow);
    consider(HeadRole::Stripe, s.stripe, t.stripe);
    consider(HeadRole::Semantic, s.semantic, t.semantic);
    consider(HeadRole::BlockSparse, s.blockSparse, t.blockSparse);
    consider(HeadRole::Syntactic, s.syntactic, t.syntactic);
    if (s.tokens > 0 && s.normalizedEntropy <= t.longRangeMaxEntropy)
        consider(HeadRole::LongRange, s.meanDistance / s.tokens, t.longRangeFraction);
    return c;
}
} // namespace

HeadRole dominantRole(const HeadScores &s, const RoleThresholds &t)
{
    const auto c = candidates(s, t);
    if (c.empty())
        return HeadRole::Diffuse;
    return std::max_element(c.begin(), c.end(), [](const auto &a, const auto &b) { return a.second < b.second; })->first;
}

QStringList roles(const HeadScores &s, const RoleThresholds &t)
{
    QStringList out;
    for (const auto &c : candidates(s, t))
        out << roleId(c.first);
    return out;
}

QString roleId(HeadRole r)
{
    switch (r) {
    case HeadRole::Sink:
        return QStringLiteral("sink");
    case HeadRole::PreviousToken:
        return QStringLiteral("previous-token");
    case HeadRole::Induction:
        return QStringLiteral("induction");
    case HeadRole::DuplicateToken:
        return QStringLiteral("duplicate-token");
    case HeadRole::CurrentToken:
        return QStringLiteral("current-token");
    case HeadRole::Local:
        return QStringLiteral("local");
    case HeadRole::Stripe:
        return QStringLiteral("stripe");
    case HeadRole::LongRange:
        return QStringLiteral("long-range");
    case HeadRole::Semantic:
        return QStringLiteral("semantic");
    case HeadRole::BlockSparse:
        return QStringLiteral("block-sparse");
    case HeadRole::Syntactic:
        return QStringLiteral("syntactic");
    case HeadRole::Diffuse:
        return QStringLiteral("diffuse");
    }
    return QString();
}

QString roleName(HeadRole r)
{
    switch (r) {
    case HeadRole::Sink:
        return QCoreApplication::translate("HeadRole", "Attention sink (BOS)");
    case HeadRole::PreviousToken:
        return QCoreApplication::translate("HeadRole", "Previous token");
    case HeadRole::Induction:
        return QCoreApplication::translate("HeadRole", "Induction");
    case HeadRole::DuplicateToken:
        return QCoreApplication::translate("HeadRole", "Duplicate token");
    case HeadRole::CurrentToken:
        return QCoreApplication::translate("HeadRole", "Current token");
    case HeadRole::Local:
        return QCoreApplication::translate("HeadRole", "Local window");
    case HeadRole::Stripe:
        return QCoreApplication::translate("HeadRole", "Stripe (fixed key)");
    case HeadRole::LongRange:
        return QCoreApplication::translate("HeadRole", "Long range");
    case HeadRole::Semantic:
        return QCoreApplication::translate("HeadRole", "Semantic (similar meaning)");
    case HeadRole::BlockSparse:
        return QCoreApplication::translate("HeadRole", "Block-sparse (own sentence)");
    case HeadRole::Syntactic:
        return QCoreApplication::translate("HeadRole", "Syntactic (dependency arcs)");
    case HeadRole::Diffuse:
        return QCoreApplication::translate("HeadRole", "Diffuse / mixed");
    }
    return QString();
}

} // namespace strata::HeadMetrics
