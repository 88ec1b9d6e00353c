#include "TestUtil.h"

#include "analysis/LogitLens.h"
#include "model/ModelFamily.h"
#include "model/PluginHost.h"
#include "tensor/SafetensorsReader.h"

#include <QtTest>

#include <cmath>

using namespace strata;

class TestLogitLens : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void softmaxAndKl()
    {
        const float logits[3] = {0.f, std::log(2.f), std::log(5.f)};
        const auto p = LogitLens::softmax(logits, 3);
        QVERIFY(std::abs(p[0] - 0.125) < 1e-7 && std::abs(p[1] - 0.25) < 1e-7 && std::abs(p[2] - 0.625) < 1e-7); // float logits
        QCOMPARE(LogitLens::klDivergence(p, p), 0.0);
        const std::vector<double> u{1.0 / 3, 1.0 / 3, 1.0 / 3};
        const double expected = 0.125 * std::log(0.375) + 0.25 * std::log(0.75) + 0.625 * std::log(1.875);
        QVERIFY(std::abs(LogitLens::klDivergence(p, u) - expected) < 1e-6);
    }

    void lastLayerIsTheModelsOwnPrediction()
    {
        PluginHost host;
        host.loadFrom({QStringLiteral(STRATA_PLUGIN_BUILD_DIR)});
        auto m = host.load(testutil::gpt2TinyDir());
        // unembed(resid_post of the last layer) reproduces the independent reference's logits.
        SafetensorsReader exp;
        exp.open(QDir(testutil::gpt2TinyDir()).filePath(QStringLiteral("expected.safetensors")));
        const HostTensor last = exp.tensor(QStringLiteral("p0.resid_post.2"));
        QVERIFY(testutil::maxAbsDiff(m->unembed(last).toFloatVector(), exp.floats(QStringLiteral("p0.logits"))) <= 1e-5);

        const TracePtr t = m->trace(QStringLiteral("When Mary and John went to the store, John gave a drink to"));
        const LogitLensResult r = LogitLens::compute(*m, *t, 5);
        QCOMPARE(r.layers, 3);
        QCOMPARE(r.tokens, t->tokenCount());
        for (int i = 0; i < r.tokens; ++i) {
            const size_t cell = r.at(2, i);
            QCOMPARE(r.finalRank[cell], 0);
            QVERIFY(r.kl[cell] < 1e-6);
            QCOMPARE(r.top[cell].front().id, r.finalToken[size_t(i)]);
            for (int l = 0; l < 3; ++l) {
                QVERIFY(r.kl[r.at(l, i)] >= -1e-6);
                QVERIFY(r.finalProb[r.at(l, i)] >= 0 && r.finalProb[r.at(l, i)] <= 1);
                QCOMPARE(int(r.top[r.at(l, i)].size()), 5);
            }
        }
    }
};

QTEST_GUILESS_MAIN(TestLogitLens)
#include "tst_logitlens.moc"
