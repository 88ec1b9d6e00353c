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

    // Semantic: tokens of two classes (similarity 1 within a class, 0 across). A head that attends to
    // earlier tokens of its query's class scores high; a previous-token head scores exactly 0,
    // because its keys are as similar as keys at distance 1 are on average.
    void semanticHead()
    {
        const int T = 12;
        auto cls = [](int i) { return i % 3 == 0 ? 0 : 1; };
        std::vector<double> c(size_t(T) * T);
        for (int q = 0; q < T; ++q)
            for (int k = 0; k < T; ++k)
                c[size_t(q) * T + k] = cls(q) == cls(k) ? 1.0 : 0.0;
        const auto same = pattern(T, [&](int q, std::vector<float> &r) {
            int n = 0;
            for (int k = 1; k < q; ++k)
                n += cls(k) == cls(q);
            for (int k = 1; k < q; ++k)
                if (cls(k) == cls(q))
                    r[size_t(k)] = 1.f / float(n);
            if (n == 0)
                r[size_t(q)] = 1;
        });
        const auto other = pattern(T, [&](int q, std::vector<float> &r) {
            int n = 0;
            for (int k = 1; k < q; ++k)
                n += cls(k) != cls(q);
            for (int k = 1; k < q; ++k)
                if (cls(k) != cls(q))
                    r[size_t(k)] = 1.f / float(n);
            if (n == 0)
                r[size_t(q)] = 1;
        });
        const auto prev = pattern(T, [](int q, std::vector<float> &r) { r[size_t(std::max(0, q - 1))] = 1; });
        // The same-class head's keys all have c = 1, so its score is 1 minus the attention-weighted
        // m(q-k) (<= 0.75 here away from multiples of 3); the other-class head's keys have c = 0.
        const double sem = HeadMetrics::semanticScore(same, T, c);
        QVERIFY2(sem > 0.2 && sem <= 1.0, qPrintable(QString::number(sem)));
        const double anti = HeadMetrics::semanticScore(other, T, c);
        QVERIFY2(anti < -0.2 && anti >= -1.0, qPrintable(QString::number(anti)));
        QVERIFY(std::abs(HeadMetrics::semanticScore(prev, T, c)) < 1e-12);
        HeadScores s = HeadMetrics::scoreHead(same, T, iota(T));
        s.semantic = sem;
        QVERIFY(HeadMetrics::roles(s).contains(QStringLiteral("semantic")));
        QVERIFY(std::isnan(HeadMetrics::semanticScore(prev, 2, c)));
    }

    void cosineSimilarityIsCentred()
    {
        // Rows share a large common offset; after centring, rows 1 and 3 point the same way and row 2 the opposite.
        const std::vector<float> v = {9, 9, 10, 11, 8, 7, 10, 11};
        const std::vector<double> c = HeadMetrics::cosineSimilarity(HostTensor::fromFloats({4, 2}, v.data()));
        QVERIFY(std::abs(c[1 * 4 + 3] - 1.0) < 1e-9);
        QVERIFY(std::abs(c[1 * 4 + 2] + 1.0) < 1e-9);
        QVERIFY(std::abs(c[2 * 4 + 1] + 1.0) < 1e-9); // symmetric
        QVERIFY(std::abs(c[2 * 4 + 2] - 1.0) < 1e-9);
    }

    // Block-sparse: three sentences of four tokens. A head that stays in its sentence scores high; a
    // previous-token head's score is worked out by hand: its eligible queries (4..11) keep 6 of 8
    // previous tokens in their sentence, while 8 of the 10 distance-1 pairs (keys >= 1) share one:
    // 6/8 - 8/10 = -0.05.
    void blockSparseHead()
    {
        const int T = 12;
        const std::vector<int> block = {0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2};
        const auto inBlock = pattern(T, [&](int q, std::vector<float> &r) {
            int first = q;
            while (first > 1 && block[size_t(first - 1)] == block[size_t(q)])
                --first;
            for (int k = first; k <= q; ++k)
                r[size_t(k)] = 1.f / float(q - first + 1);
        });
        const auto outside = pattern(T, [&](int q, std::vector<float> &r) { // the previous sentence's last token
            int k = q;
            while (k > 0 && block[size_t(k)] == block[size_t(q)])
                --k;
            r[size_t(k)] = 1;
        });
        const auto prev = pattern(T, [](int q, std::vector<float> &r) { r[size_t(std::max(0, q - 1))] = 1; });
        // Short sentences: a distance-only head keeps much attention inside already (P(1) = 0.8,
        // P(2) = 5/9, P(3) = 2/8), so staying inside scores what it adds over that.
        const double inside = HeadMetrics::blockSparseScore(inBlock, T, block);
        QVERIFY2(inside > 0.15, qPrintable(QString::number(inside)));
        const double out = HeadMetrics::blockSparseScore(outside, T, block);
        QVERIFY2(out < -0.3, qPrintable(QString::number(out)));
        QVERIFY(std::abs(HeadMetrics::blockSparseScore(prev, T, block) - (-0.05)) < 1e-6);
        QVERIFY(std::isnan(HeadMetrics::blockSparseScore(prev, T, std::vector<int>(size_t(T), 0)))); // one block
    }

    void textBlocksFollowSentencesAndParagraphs()
    {
        Trace t;
        t.prompt = QStringLiteral("A b. C d!\n\nE \u4e2d\u3002F");
        const QByteArray u = t.prompt.toUtf8();
        // One token per piece: "A", " b", ".", " C", " d", "!", "\n", "\n", "E", " 中", "。", "F"
        const QList<QByteArray> pieces = {"A", " b", ".", " C", " d", "!", "\n", "\n", "E", " \xe4\xb8\xad", "\xe3\x80\x82", "F"};
        int at = 0;
        for (const QByteArray &piece : pieces) {
            t.tokens.push_back(TokenPiece{0, at, at + int(piece.size())});
            at += int(piece.size());
        }
        QCOMPARE(at, int(u.size()));
        QCOMPARE(HeadMetrics::textBlocks(t, TextBlocks::Sentences), (std::vector<int>{0, 0, 0, 1, 1, 1, 2, 3, 4, 4, 4, 5}));
        QCOMPARE(HeadMetrics::textBlocks(t, TextBlocks::Paragraphs), (std::vector<int>{0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1}));
    }

    // Every role is listed once (the atlas, role mix, report and exports iterate this list).
    void everyRoleListed()
    {
        const QList<HeadRole> roles = HeadMetrics::allRoles();
        QCOMPARE(roles.size(), int(HeadRole::Diffuse) + 1);
        for (int r = 0; r <= int(HeadRole::Diffuse); ++r)
            QVERIFY2(roles.contains(HeadRole(r)), qPrintable(HeadMetrics::roleId(HeadRole(r))));
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
        for (const HeadScores &s : scores) { // three sentences and resid_pre kept: both new scores are measured
            QVERIFY(std::isfinite(s.semantic) && std::abs(s.semantic) <= 2.0);
            QVERIFY(std::isfinite(s.blockSparse) && std::abs(s.blockSparse) <= 1.0);
        }
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
