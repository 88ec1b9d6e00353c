#include "TestUtil.h"

#include "analysis/LogitLens.h"
#include "analysis/ResidualAnalysis.h"
#include "model/ModelFamily.h"
#include "model/PluginHost.h"
#include "tensor/SafetensorsReader.h"
#include "util/Error.h"

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

    void directEffectsRemoveEachSublayer()
    {
        auto model = PluginHost::instance().load(testutil::gpt2TinyDir());
        const auto t = model->trace(QStringLiteral("The cat sat on the mat because it was"), TraceOptions{});
        const int pos = t->tokenCount() - 2;
        const int64_t V = t->logits.dim(1);
        const int64_t token = 262; // " the"
        const ResidualAnalysis::DirectEffects e = ResidualAnalysis::directEffects(*model, *t, pos, token);
        // The unembedding of the final residual is the model's own logit there.
        QVERIFY(std::abs(e.logit - t->logits.floatAt(int64_t(pos) * V + token)) < 1e-4);
        QCOMPARE(int(e.attn.size()), model->info().nLayers);
        // Each effect is logit(r) - logit(r - c), checked one sublayer at a time here.
        const int64_t D = t->embed.dim(1);
        for (int l = 0; l < model->info().nLayers; ++l)
            for (const bool attn : {true, false}) {
                const HostTensor &c = attn ? t->layers[size_t(l)].attnOut : t->layers[size_t(l)].mlpOut;
                std::vector<float> row(static_cast<size_t>(D));
                for (int64_t d = 0; d < D; ++d)
                    row[size_t(d)] = t->layers.back().residPost.floatAt(int64_t(pos) * D + d) - c.floatAt(int64_t(pos) * D + d);
                const HostTensor out = model->unembed(HostTensor::fromFloats({1, D}, row.data()));
                const double want = e.logit - double(out.floatAt(token));
                QVERIFY(std::abs((attn ? e.attn : e.mlp)[size_t(l)] - want) < 1e-4);
            }
        QVERIFY_THROWS_EXCEPTION(strata::Error, ResidualAnalysis::directEffects(*model, *t, 999, token));
    }

    void perHeadOutputsSumToAttnOut_data()
    {
        QTest::addColumn<QString>("model");
        QTest::newRow("gpt2") << testutil::gpt2TinyDir();
        QTest::newRow("llama gguf") << testutil::sharedPath(QStringLiteral("models/stories260K/stories260K.gguf"));
        QTest::newRow("neox") << QStringLiteral(STRATA_TEST_DATA_DIR "/neox-tiny");
    }
    void perHeadOutputsSumToAttnOut()
    {
        // attn_out = sum over heads of what each head writes + the output bias: the difference is the
        // same vector at every position (zero for Llama, which has no bias).
        QFETCH(QString, model);
        auto m = PluginHost::instance().load(model);
        TraceOptions o;
        o.headOutputs = true;
        const auto t = m->trace(QStringLiteral("The cat sat on the mat."), o);
        for (const LayerTrace &l : t->layers) {
            QCOMPARE(int(l.headOut.dim(0)), m->info().nHeads);
            const int64_t T = l.attnOut.dim(0), D = l.attnOut.dim(1);
            std::vector<double> first(static_cast<size_t>(D));
            double worst = 0;
            for (int64_t p = 0; p < T; ++p)
                for (int64_t d = 0; d < D; ++d) {
                    double sum = 0;
                    for (int64_t h = 0; h < l.headOut.dim(0); ++h)
                        sum += l.headOut.floatAt((h * T + p) * D + d);
                    const double bias = l.attnOut.floatAt(p * D + d) - sum;
                    if (p == 0)
                        first[size_t(d)] = bias;
                    worst = std::max(worst, std::abs(bias - first[size_t(d)]));
                }
            QVERIFY2(worst < 1e-4, qPrintable(QStringLiteral("layer %1: %2").arg(l.layer).arg(worst)));
            if (m->info().family == QLatin1String("llama"))
                for (double b : first)
                    QVERIFY(std::abs(b) < 1e-4);
        }
        // Per-head direct effects: each is the removal of that head alone.
        const int pos = t->tokenCount() - 1;
        const ResidualAnalysis::DirectEffects e = ResidualAnalysis::directEffects(*m, *t, pos, 5);
        QCOMPARE(int(e.heads.size()), m->info().nLayers);
        const int64_t D = t->embed.dim(1), T = t->tokenCount();
        const LayerTrace &l0 = t->layers.front();
        std::vector<float> row(static_cast<size_t>(D));
        for (int64_t d = 0; d < D; ++d)
            row[size_t(d)] = t->layers.back().residPost.floatAt(int64_t(pos) * D + d) - l0.headOut.floatAt((1 * T + pos) * D + d);
        const double want = e.logit - double(m->unembed(HostTensor::fromFloats({1, D}, row.data())).floatAt(5));
        QVERIFY(std::abs(e.heads[0][1] - want) < 1e-4);
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
