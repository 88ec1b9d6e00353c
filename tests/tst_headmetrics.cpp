#include "TestUtil.h"

#include "analysis/HeadMetrics.h"
#include "analysis/InductionProbe.h"
#include "model/ModelFamily.h"
#include "model/PluginHost.h"

#include <QtTest>

#include <cmath>

using namespace strata;

namespace {
// Builds a [T, T] causal attention matrix from a rule giving each row's weights.
std::vector<float> pattern(int T, const std::function<void(int q, std::vector<float> &row)> &rule)
{
    std::vector<float> A(size_t(T) * T, 0.f);
    for (int q = 0; q < T; ++q) {
        std::vector<float> row(size_t(T), 0.f);
        rule(q, row);
        std::copy(row.begin(), row.end(), A.begin() + long(q) * T);
    }
    return A;
}
std::vector<int64_t> iota(int T)
{
    std::vector<int64_t> ids(static_cast<size_t>(T));
    for (int i = 0; i < T; ++i)
        ids[size_t(i)] = 100 + i;
    return ids;
}
} // namespace

class TestHeadMetrics : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void previousTokenHead()
    {
        const int T = 10;
        const auto A = pattern(T, [](int q, std::vector<float> &r) { r[size_t(std::max(0, q - 1))] = 1; });
        const HeadScores s = HeadMetrics::scoreHead(A, T, iota(T));
        QCOMPARE(s.previousToken, 1.0);
        QCOMPARE(s.currentToken, 0.0);
        QCOMPARE(s.localWindow, 1.0);
        QCOMPARE(s.firstToken, 1.0 / 9); // only query 1's previous token is position 0
        QCOMPARE(s.meanDistance, 1.0);
        QCOMPARE(s.entropy, 0.0);
        QVERIFY(std::isnan(s.duplicateToken)); // no token repeats
        QCOMPARE(HeadMetrics::dominantRole(s), HeadRole::PreviousToken);
    }

    void uniformHeadIsDiffuse()
    {
        const int T = 8;
        const auto A = pattern(T, [](int q, std::vector<float> &r) {
            for (int k = 0; k <= q; ++k)
                r[size_t(k)] = 1.f / float(q + 1);
        });
        const HeadScores s = HeadMetrics::scoreHead(A, T, iota(T));
        double prev = 0, ent = 0, dist = 0;
        for (int q = 1; q < T; ++q) {
            prev += 1.0 / (q + 1);
            ent += std::log(q + 1.0);
            dist += q / 2.0; // mean of 0..q
        }
        QVERIFY(std::abs(s.previousToken - prev / 7) < 1e-6);
        QVERIFY(std::abs(s.firstToken - prev / 7) < 1e-6);
        QVERIFY(std::abs(s.entropy - ent / 7) < 1e-5);
        QVERIFY(std::abs(s.normalizedEntropy - 1.0) < 1e-5);
        QVERIFY(std::abs(s.meanDistance - dist / 7) < 1e-5);
        QCOMPARE(HeadMetrics::dominantRole(s), HeadRole::Diffuse);
    }

    void sinkHead()
    {
        const int T = 64; // the definition: mean attention to position 0 > 0.3 on 64-token inputs
        const auto A = pattern(T, [](int q, std::vector<float> &r) {
            r[0] += 0.6f;
            r[size_t(q)] += 0.4f;
        });
        const HeadScores s = HeadMetrics::scoreHead(A, T, iota(T));
        QVERIFY(std::abs(s.firstToken - 0.6) < 1e-6);
        QVERIFY(std::abs(s.currentToken - 0.4) < 1e-6);
        QCOMPARE(HeadMetrics::dominantRole(s), HeadRole::Sink);
        QVERIFY(HeadMetrics::roles(s).contains(QStringLiteral("sink")));
    }

    void currentTokenAndLocalWindow()
    {
        const int T = 12;
        const auto cur = pattern(T, [](int q, std::vector<float> &r) { r[size_t(q)] = 1; });
        QCOMPARE(HeadMetrics::dominantRole(HeadMetrics::scoreHead(cur, T, iota(T))), HeadRole::CurrentToken);
        // Spread evenly over the last three tokens: local, neither previous nor current dominates.
        const auto local = pattern(T, [](int q, std::vector<float> &r) {
            const int lo = std::max(0, q - 2);
            for (int k = lo; k <= q; ++k)
                r[size_t(k)] = 1.f / float(q - lo + 1);
        });
        const HeadScores s = HeadMetrics::scoreHead(local, T, iota(T), 3);
        QVERIFY(std::abs(s.localWindow - 1.0) < 1e-6);
        QCOMPARE(HeadMetrics::dominantRole(s), HeadRole::Local);
    }

    void duplicateTokenHead()
    {
        // Tokens: a b c a b c ...; each repeat attends fully to its earlier copy.
        const int T = 9;
        std::vector<int64_t> ids;
        for (int i = 0; i < T; ++i)
            ids.push_back(i % 3);
        const auto A = pattern(T, [](int q, std::vector<float> &r) { r[size_t(q >= 3 ? q - 3 : q)] = 1; });
        const HeadScores s = HeadMetrics::scoreHead(A, T, ids);
        QCOMPARE(s.duplicateToken, 1.0);
        QCOMPARE(HeadMetrics::dominantRole(s), HeadRole::DuplicateToken);
    }

    void inductionScore()
    {
        // BOS + 5 tokens + the same 5: in the second copy, attend to the token after the earlier occurrence.
        const int n = 5, start = 1, T = start + 2 * n;
        const auto A = pattern(T, [&](int q, std::vector<float> &r) {
            if (q >= start + n)
                r[size_t(q - n + 1)] = 1;
            else
                r[0] = 1;
        });
        QCOMPARE(HeadMetrics::inductionScore(A, T, start, n), 1.0);
        const auto prev = pattern(T, [](int q, std::vector<float> &r) { r[size_t(std::max(0, q - 1))] = 1; });
        QCOMPARE(HeadMetrics::inductionScore(prev, T, start, n), 0.0);
        HeadScores s = HeadMetrics::scoreHead(A, T, iota(T));
        s.induction = 1.0;
        QCOMPARE(HeadMetrics::dominantRole(s), HeadRole::Induction);
    }

    void stripeHead()
    {
        // Every query after position 3 puts 0.8 on position 3 (say, a newline).
        const int T = 20;
        const auto A = pattern(T, [](int q, std::vector<float> &r) {
            if (q > 3) {
                r[3] = 0.8f;
                r[size_t(q)] = 0.2f;
            } else {
                r[size_t(q)] = 1;
            }
        });
        const HeadScores s = HeadMetrics::scoreHead(A, T, iota(T));
        QVERIFY(std::abs(s.stripe - 0.8) < 1e-6);
        QCOMPARE(HeadMetrics::dominantRole(s), HeadRole::Stripe);
    }

    void realModelHasPreviousTokenHeads()
    {
        PluginHost host;
        host.loadFrom({QStringLiteral(STRATA_PLUGIN_BUILD_DIR)});
        auto m = host.load(testutil::sharedPath(QStringLiteral("models/stories260K/stories260K.gguf")));
        const TracePtr t = m->trace(QStringLiteral("Once upon a time, a little girl named Mia lived near a big forest. Every morning Mia walked to the river "
                                                   "with her dog. One day the dog saw a red bird."));
        const std::vector<HeadScores> scores = HeadMetrics::scoreTrace(*t);
        QCOMPARE(int(scores.size()), 5 * 8);
        double best = 0;
        int prevHeads = 0;
        for (const HeadScores &s : scores) {
            best = std::max(best, s.previousToken);
            prevHeads += HeadMetrics::dominantRole(s) == HeadRole::PreviousToken;
        }
        QVERIFY2(best >= 0.5, qPrintable(QString::number(best)));
        QVERIFY(prevHeads >= 1);
        // The induction probe runs the model on random tokens repeated twice.
        int start = 0;
        const auto seq = InductionProbe::sequence(*m, 20, 7, &start);
        QCOMPARE(start, 1); // after BOS
        QCOMPARE(int(seq.size()), 41);
        for (int i = 0; i < 20; ++i)
            QCOMPARE(seq[size_t(start + i)], seq[size_t(start + 20 + i)]);
        const InductionResult ind = InductionProbe::run(*m, 20, 2);
        QCOMPARE(int(ind.score.size()), 5);
        for (const auto &layer : ind.score)
            for (double v : layer)
                QVERIFY(v >= 0 && v <= 1);
    }
};

QTEST_GUILESS_MAIN(TestHeadMetrics)
#include "tst_headmetrics.moc"
