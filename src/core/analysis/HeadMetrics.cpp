#include "HeadMetrics.h"

#include <QCoreApplication>

#include <algorithm>

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

std::vector<HeadScores> scoreTrace(const Trace &trace, int localWindow)
{
    std::vector<HeadScores> out;
    const std::vector<int64_t> ids = trace.tokenIds();
    const int T = trace.tokenCount();
    for (const LayerTrace &l : trace.layers) {
        if (l.attn.isEmpty())
            continue;
        for (int h = 0; h < l.attn.dim(0); ++h) {
            HeadScores s = scoreHead(l.attn.slice0(h).toFloatVector(), T, ids, localWindow);
            s.layer = l.layer;
            s.head = h;
            out.push_back(s);
        }
    }
    return out;
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
    return {HeadRole::Sink,  HeadRole::PreviousToken, HeadRole::Induction, HeadRole::DuplicateToken, HeadRole::CurrentToken,
            HeadRole::Local, HeadRole::Stripe,        HeadRole::LongRange, HeadRole::Diffuse};
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
    case HeadRole::Diffuse:
        return QCoreApplication::translate("HeadRole", "Diffuse / mixed");
    }
    return QString();
}

} // namespace strata::HeadMetrics
