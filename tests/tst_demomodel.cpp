#include "TestUtil.h"

#include "analysis/HeadMetrics.h"
#include "analysis/InductionProbe.h"
#include "model/ModelFamily.h"
#include "model/ModelSource.h"
#include "model/PluginHost.h"

#include <QtTest>

using namespace strata;

// The bundled demo model (resources/demo-model, trained by `strata-cli train`) must show what Strata
// is about, measured by Strata's own head analyses with their documented definitions:
// a previous-token head (score >= 0.5 on natural text) and an induction head (score >= 0.4 on 50
// random tokens repeated twice), with roles that differ by layer.
class TestDemoModel : public QObject
{
    Q_OBJECT
    PluginHost m_host;
    std::unique_ptr<LoadedModel> m_model;

private Q_SLOTS:
    void initTestCase()
    {
        m_host.loadFrom({QStringLiteral(STRATA_PLUGIN_BUILD_DIR)});
        const ModelSource src = resolveModelLocation(QStringLiteral("demo"));
        QVERIFY(src.path.endsWith(QLatin1String("demo-model")));
        m_model = m_host.load(QStringLiteral("demo"));
        QCOMPARE(m_model->info().family, QStringLiteral("gpt2"));
        QVERIFY(m_model->info().fileBytes <= 16 * 1024 * 1024);
    }

    void hasAPreviousTokenHead()
    {
        const TracePtr t =
            m_model->trace(QStringLiteral("It was a bright cold day in April, and the clocks were striking thirteen. The old man walked slowly to the river, "
                                          "where his daughter was waiting for him with a letter from her brother, who had gone to sea many years before."));
        double best = 0;
        for (const HeadScores &s : HeadMetrics::scoreTrace(*t))
            best = std::max(best, s.previousToken);
        qInfo("best previous-token score %.3f", best);
        QVERIFY2(best >= 0.5, qPrintable(QString::number(best)));
    }

    void hasAnInductionHead()
    {
        const InductionResult r = InductionProbe::run(*m_model, 50, 4);
        double best = 0;
        int bestLayer = -1;
        for (size_t l = 0; l < r.score.size(); ++l)
            for (double v : r.score[l])
                if (v > best) {
                    best = v;
                    bestLayer = int(l);
                }
        qInfo("best induction score %.3f (layer %d); copy loss %.2f -> %.2f nats", best, bestLayer, r.lossFirstCopy, r.lossSecondCopy);
        QVERIFY2(best >= 0.4, qPrintable(QString::number(best)));
        QVERIFY(bestLayer > 0);                          // induction needs an earlier layer's help
        QVERIFY(r.lossSecondCopy < r.lossFirstCopy - 1); // and it pays: the second copy is predicted far better
    }
};

QTEST_GUILESS_MAIN(TestDemoModel)
#include "tst_demomodel.moc"
