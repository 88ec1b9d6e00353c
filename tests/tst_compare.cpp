// Comparing two runs: token alignment, attention differences, per-layer similarity, head score
// differences and the logit difference through the layers, on constructed traces with known answers
// and on a real (tiny) GPT-2; and the strata-cli compare contract.
#include "TestUtil.h"

#include "analysis/Compare.h"
#include "model/ModelFamily.h"
#include "model/PluginHost.h"
#include "util/Error.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QtTest>

#include <cmath>

using namespace strata;

namespace {

// A trace with the given token ids, one layer of 1 head with uniform causal attention (or the given
// matrix), and residual rows e_{id mod D} so that vectors are known exactly.
Trace makeTrace(const std::vector<int64_t> &ids, const std::vector<float> &attn = {}, int D = 4)
{
    Trace t;
    t.model.nLayers = 1;
    t.model.nHeads = 1;
    t.model.dModel = D;
    t.model.fingerprint = QStringLiteral("same");
    const int T = int(ids.size());
    for (int i = 0; i < T; ++i) {
        t.tokens.push_back(TokenPiece{ids[size_t(i)], i, i + 1});
        t.tokenStrings << QStringLiteral("t%1").arg(ids[size_t(i)]);
    }
    std::vector<float> rows(size_t(T) * D, 0.f);
    for (int i = 0; i < T; ++i)
        rows[size_t(i) * D + size_t(ids[size_t(i)] % D)] = 1.f;
    t.embed = HostTensor::fromFloats({T, D}, rows.data());
    LayerTrace l;
    l.layer = 0;
    std::vector<float> a = attn;
    if (a.empty()) {
        a.assign(size_t(T) * T, 0.f);
        for (int q = 0; q < T; ++q)
            for (int k = 0; k <= q; ++k)
                a[size_t(q) * T + size_t(k)] = 1.f / float(q + 1);
    }
    l.attn = HostTensor::fromFloats({1, T, T}, a.data());
    l.residPost = t.embed;
    t.layers.push_back(l);
    return t;
}

} // namespace

class TestCompare : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void alignment()
    {
        const Trace a = makeTrace({1, 2, 3, 4}), same = makeTrace({1, 2, 3, 4}), swapped = makeTrace({1, 5, 3, 4});
        QCOMPARE(int(Compare::align(a, same, true).kind), int(TokenAlignment::Kind::Identical));
        const TokenAlignment p = Compare::align(a, swapped, true);
        QCOMPARE(int(p.kind), int(TokenAlignment::Kind::Positional));
        QCOMPARE(p.sameToken, (std::vector<bool>{true, false, true, true}));
        // Different lengths: 1 2 3 4 vs 1 3 9 4 -> common subsequence 1 3 4 at (0,0) (2,1) (3,3).
        const TokenAlignment s = Compare::align(a, makeTrace({1, 3, 9, 4, 7}), true);
        QCOMPARE(int(s.kind), int(TokenAlignment::Kind::Sequence));
        QCOMPARE(s.pairs, (std::vector<std::pair<int, int>>{{0, 0}, {2, 1}, {3, 3}}));
        QCOMPARE(s.onlyA, std::vector<int>{1});
        QCOMPARE(s.onlyB, (std::vector<int>{2, 4}));
        // Across tokenizers the token texts are matched.
        Trace other = makeTrace({11, 12, 13});
        other.tokenStrings = QStringList{QStringLiteral("t1"), QStringLiteral("x"), QStringLiteral("t4")};
        const TokenAlignment x = Compare::align(a, other, false);
        QCOMPARE(x.pairs, (std::vector<std::pair<int, int>>{{0, 0}, {3, 2}}));
    }

    void attentionDifferenceByHand()
    {
        // A: rows (1), (0.5 0.5), (0.2 0.3 0.5); B: (1), (0.9 0.1), (0.1 0.1 0.8).
        const std::vector<float> aa{1, 0, 0, 0.5f, 0.5f, 0, 0.2f, 0.3f, 0.5f}, bb{1, 0, 0, 0.9f, 0.1f, 0, 0.1f, 0.1f, 0.8f};
        const Trace a = makeTrace({1, 2, 3}, aa), b = makeTrace({1, 6, 3}, bb);
        const TokenAlignment al = Compare::align(a, b, true);
        const std::vector<double> d = Compare::attentionDifference(a, b, al, 0, 0);
        QCOMPARE(int(d.size()), 9);
        QVERIFY(std::abs(d[0]) < 1e-7);
        QVERIFY(std::abs(d[3] - (0.5 - 0.9)) < 1e-6);
        QVERIFY(std::abs(d[7] - (0.3 - 0.1)) < 1e-6);
        QVERIFY(std::isnan(d[1]) && std::isnan(d[5])); // above the diagonal: no attention
        // With a sequence alignment only the matched rows and columns remain: A 1 2 3 vs B 1 3.
        const Trace c = makeTrace({1, 3}, {1, 0, 0.4f, 0.6f});
        const TokenAlignment s = Compare::align(a, c, true);
        const std::vector<double> e = Compare::attentionDifference(a, c, s, 0, 0);
        QCOMPARE(int(e.size()), 4);
        QVERIFY(std::abs(e[2] - (0.2 - 0.4)) < 1e-6); // A[2][0] - B[1][0]
        QVERIFY(std::abs(e[3] - (0.5 - 0.6)) < 1e-6); // A[2][2] - B[1][1]
    }

    void layerSimilarityByHand()
    {
        // Rows are one-hot on id mod 4: ids 1 2 3 vs 1 6 3 -> the middle rows are e2 and e2 (6 mod 4).
        const Trace a = makeTrace({1, 2, 3}), b = makeTrace({1, 6, 3}), c = makeTrace({1, 5, 3});
        const LayerSimilarity s = Compare::layerSimilarity(a, b, Compare::align(a, b, true));
        QCOMPARE(int(s.depthA.size()), 2);
        QVERIFY(std::abs(s.positionMean[0] - 1.0) < 1e-9);
        QVERIFY(std::abs(s.cka[1] - 1.0) < 1e-9);
        // 5 mod 4 = 1: the middle row becomes e1, orthogonal to e2 -> cosines 1, 0, 1.
        const LayerSimilarity t = Compare::layerSimilarity(a, c, Compare::align(a, c, true));
        QCOMPARE(t.perPosition[0], (std::vector<double>{1.0, 0.0, 1.0}));
        QVERIFY(std::abs(t.positionMean[1] - 2.0 / 3.0) < 1e-9);
        // Mean-pooled: (e1 + e2 + e3)/3 vs (2 e1 + e3)/3 -> cos = 3 / (sqrt(3) sqrt(5)).
        QVERIFY(std::abs(t.sentence[0] - 3.0 / (std::sqrt(3.0) * std::sqrt(5.0))) < 1e-6);
        // Another model: no cosines, CKA only.
        Trace other = c;
        other.model.fingerprint = QStringLiteral("other");
        const LayerSimilarity u = Compare::layerSimilarity(a, other, Compare::align(a, other, true));
        QVERIFY(std::isnan(u.positionMean[0]) && std::isnan(u.sentence[0]));
        QVERIFY(!std::isnan(u.cka[0]));
    }

    void headDifferencesByHand()
    {
        // A: every query looks at the previous token (previous-token score 1); B: uniform causal
        // attention, whose previous-token score is the mean over queries q = 1..T-1 of 1/(q+1).
        const int T = 5;
        std::vector<float> prev(size_t(T) * T, 0.f);
        prev[0] = 1.f;
        for (int q = 1; q < T; ++q)
            prev[size_t(q) * T + size_t(q - 1)] = 1.f;
        const Trace a = makeTrace({1, 2, 3, 4, 5}, prev), b = makeTrace({1, 2, 3, 4, 5});
        const std::vector<HeadDifference> d = Compare::headDifferences(a, b, QStringLiteral("previous"));
        QCOMPARE(int(d.size()), 1);
        const double uniform = (1.0 / 2 + 1.0 / 3 + 1.0 / 4 + 1.0 / 5) / 4.0;
        QVERIFY(std::abs(d[0].a - 1.0) < 1e-9);
        QVERIFY(std::abs(d[0].b - uniform) < 1e-6);
        QVERIFY(std::abs(d[0].delta() - (1.0 - uniform)) < 1e-6);
        // Swapped runs: the same difference with the other sign.
        QVERIFY(std::abs(Compare::headDifferences(b, a, QStringLiteral("previous"))[0].delta() + (1.0 - uniform)) < 1e-6);
    }

    void onARealModel()
    {
        auto model = PluginHost::instance().load(testutil::gpt2TinyDir());
        const auto a = model->trace(QStringLiteral("When Mary and John went to the store, John gave a drink to"), TraceOptions{});
        const auto b = model->trace(QStringLiteral("When Mary and John went to the store, Mary gave a drink to"), TraceOptions{});
        const TokenAlignment al = Compare::align(*a, *b, true);
        QCOMPARE(int(al.kind), int(TokenAlignment::Kind::Positional)); // " John" and " Mary" are one token each
        QCOMPARE(std::count(al.sameToken.begin(), al.sameToken.end(), false), 1L);
        const auto diffs = Compare::headDifferences(*a, *b, QStringLiteral("sink"));
        for (size_t i = 1; i < diffs.size(); ++i)
            QVERIFY(std::abs(diffs[i - 1].delta()) >= std::abs(diffs[i].delta()));
        // The runs' own predictions by rank, and answer texts by their first token.
        {
            const int64_t V = a->logits.dim(1), last = a->logits.dim(0) - 1;
            int64_t best = 0;
            for (int64_t v = 1; v < V; ++v)
                if (a->logits.floatAt(last * V + v) > a->logits.floatAt(last * V + best))
                    best = v;
            QCOMPARE(Compare::predictedToken(*a), best);
            const int64_t second = Compare::predictedToken(*a, -1, 1);
            QVERIFY(second != best);
            QVERIFY(a->logits.floatAt(last * V + second) <= a->logits.floatAt(last * V + best));
            QCOMPARE(Compare::firstToken(*model, QString()), int64_t(-1));
            QCOMPARE(Compare::firstToken(*model, QStringLiteral(" Mary")), model->tokenizer().encode(QStringLiteral(" Mary"), false).front().id);
            // The lens at the last position: one row per block, the last one the model's own logits.
            const HostTensor lens = Compare::lensLogits(*model, *a);
            QCOMPARE(int(lens.dim(0)), model->info().nLayers);
            QVERIFY(std::abs(lens.floatAt((lens.dim(0) - 1) * V + best) - a->logits.floatAt(last * V + best)) < 1e-4);
        }
        // The lens's last entry is the model's own logit difference.
        const int64_t mary = model->tokenizer().encode(QStringLiteral(" Mary"), false).front().id;
        const int64_t john = model->tokenizer().encode(QStringLiteral(" John"), false).front().id;
        const std::vector<double> ld = Compare::logitDifference(*model, *a, mary, john);
        QCOMPARE(int(ld.size()), model->info().nLayers);
        const int64_t V = a->logits.dim(1), last = a->logits.dim(0) - 1;
        const double own = double(a->logits.floatAt(last * V + mary)) - double(a->logits.floatAt(last * V + john));
        QVERIFY2(std::abs(ld.back() - own) < 1e-4, qPrintable(QStringLiteral("%1 vs %2").arg(ld.back()).arg(own)));
        bool threw = false;
        try {
            Compare::headDifferences(*a, *b, QStringLiteral("nonsense"));
        } catch (const strata::Error &e) {
            threw = e.message().contains(QStringLiteral("nonsense"));
        }
        QVERIFY(threw);
    }

    void cliContract()
    {
        QProcess p;
        p.start(QStringLiteral(STRATA_CLI), {QStringLiteral("compare"), QStringLiteral("--model"), testutil::gpt2TinyDir(), QStringLiteral("--prompt"),
                                             QStringLiteral("When Mary and John went to the store, John gave a drink to"), QStringLiteral("--prompt-b"),
                                             QStringLiteral("When Mary and John went to the store, Mary gave a drink to"), QStringLiteral("--answer"),
                                             QStringLiteral(" Mary"), QStringLiteral("--answer-b"), QStringLiteral(" John"), QStringLiteral("--json")});
        QVERIFY(p.waitForFinished(60000));
        QCOMPARE(p.exitCode(), 0);
        const QJsonObject o = QJsonDocument::fromJson(p.readAllStandardOutput()).object();
        QVERIFY(o.value(QStringLiteral("one_model")).toBool());
        QVERIFY(o.value(QStringLiteral("alignment")).toObject().value(QStringLiteral("kind")).toString().startsWith(QStringLiteral("same length")));
        const int layers = PluginHost::instance().load(testutil::gpt2TinyDir())->info().nLayers;
        QCOMPARE(o.value(QStringLiteral("cka")).toArray().size(), layers + 1); // embeddings + every block
        QCOMPARE(o.value(QStringLiteral("logit_difference")).toObject().value(QStringLiteral("run_a")).toArray().size(), layers);
        QCOMPARE(o.value(QStringLiteral("logit_difference")).toObject().value(QStringLiteral("answer_a")).toString(), QStringLiteral("␣Mary"));
        QVERIFY(!o.contains(QStringLiteral("precision"))); // two prompts at one precision
        // The same prompt at bf16 (--compute-b alone: model A again): how far B is from the f32 run.
        QProcess b;
        b.start(QStringLiteral(STRATA_CLI),
                {QStringLiteral("compare"), QStringLiteral("--model"), testutil::gpt2TinyDir(), QStringLiteral("--prompt"),
                 QStringLiteral("When Mary and John went to the store"), QStringLiteral("--prompt-b"), QStringLiteral("When Mary and John went to the store"),
                 QStringLiteral("--compute-b"), QStringLiteral("bf16"), QStringLiteral("--json")});
        QVERIFY(b.waitForFinished(60000));
        QCOMPARE(b.exitCode(), 0);
        const QJsonObject ob = QJsonDocument::fromJson(b.readAllStandardOutput()).object();
        QCOMPARE(ob.value(QStringLiteral("compute_a")).toString(), QStringLiteral("f32"));
        QCOMPARE(ob.value(QStringLiteral("compute_b")).toString(), QStringLiteral("bf16"));
        const QJsonObject precision = ob.value(QStringLiteral("precision")).toObject();
        QCOMPARE(precision.value(QStringLiteral("exact")).toString(), QStringLiteral("A"));
        QCOMPARE(precision.value(QStringLiteral("positions")).toInt(), 8);
        const double attn = precision.value(QStringLiteral("max_attention_diff")).toDouble();
        QVERIFY2(attn > 0 && attn < 0.03, qPrintable(QString::number(attn)));
        QCOMPARE(precision.value(QStringLiteral("resid_post_relative_error")).toArray().size(), layers);
        // Missing prompt B: one line on stderr, exit 2.
        QProcess q;
        q.start(QStringLiteral(STRATA_CLI),
                {QStringLiteral("compare"), QStringLiteral("--model"), testutil::gpt2TinyDir(), QStringLiteral("--prompt"), QStringLiteral("x")});
        QVERIFY(q.waitForFinished(30000));
        QVERIFY(q.exitCode() != 0);
        QVERIFY(q.readAllStandardError().contains("prompt-b"));
    }
};

QTEST_GUILESS_MAIN(TestCompare)
#include "tst_compare.moc"
