#include "TestUtil.h"

#include "model/ModelFamily.h"
#include "model/PluginHost.h"
#include "tensor/SafetensorsReader.h"

#include <QtTest>

using namespace strata;

// GPT-NeoX (parallel residual, partial rotary, LayerNorm, untied unembedding) against an independent
// eager PyTorch implementation (tests/reference/make_reference_models.py) on small random weights.
class TestNeoxFamily : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void matchesReference()
    {
        PluginHost host;
        host.loadFrom({QStringLiteral(STRATA_PLUGIN_BUILD_DIR)});
        const QString dir = QStringLiteral(STRATA_TEST_DATA_DIR "/neox-tiny");
        auto m = host.load(dir);
        QCOMPARE(m->info().family, QStringLiteral("neox"));
        SafetensorsReader exp;
        exp.open(QDir(dir).filePath(QStringLiteral("expected.safetensors")));
        const TracePtr t = m->run(exp.tensor(QStringLiteral("input_ids")).toInt64Vector(), TraceOptions{}, nullptr);
        QCOMPARE(int(t->layers.size()), 2);
        QCOMPARE(testutil::referenceLayers(exp), 2);
        for (const LayerTrace &l : t->layers) {
            QVERIFY(testutil::tensorDiff(l.attn, exp, QStringLiteral("attn.%1").arg(l.layer)) <= 1e-4);
            QVERIFY(testutil::tensorDiff(l.residPost, exp, QStringLiteral("resid_post.%1").arg(l.layer)) <= 1e-4);
            // The Trace identities hold for a parallel residual too.
            const auto pre = l.residPre.toFloatVector(), post = l.residPost.toFloatVector(), ao = l.attnOut.toFloatVector(), mo = l.mlpOut.toFloatVector();
            for (size_t i = 0; i < pre.size(); ++i)
                QVERIFY(std::abs(pre[i] + ao[i] + mo[i] - post[i]) < 1e-5);
        }
        const double d = testutil::tensorDiff(t->logits, exp, QStringLiteral("logits"));
        QVERIFY2(d >= 0 && d <= 1e-4, qPrintable(QString::number(d)));
    }
};

QTEST_GUILESS_MAIN(TestNeoxFamily)
#include "tst_neoxfamily.moc"
