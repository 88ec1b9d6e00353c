// Compare mode on a real (tiny) GPT-2: a clean and a corrupted prompt, the three heatmaps following
// the shared cursor, the layer plots, and a comparison saved in the session and reopened as it was.
#include "AppContext.h"
#include "GuiTestMain.h"
#include "GuiTestUtil.h"
#include "TestUtil.h"
#include "panels/ComparePanel.h"
#include "store/Workspace.h"

#include <QComboBox>
#include <QSignalSpy>
#include <QTableWidget>

#include <qcustomplot.h>

using namespace strata;

class TestComparePanel : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;

private Q_SLOTS:
    void cleanAgainstCorrupted()
    {
        AppContext ctx;
        QVERIFY(ctx.openWorkspace(m_dir.filePath(QStringLiteral("compare.strata"))));
        ComparePanel panel(&ctx);
        QSignalSpy loaded(&ctx, &AppContext::modelChanged);
        ctx.loadModel(testutil::gpt2TinyDir());
        QVERIFY(loaded.wait(20000));
        QSignalSpy traced(&ctx, &AppContext::traceChanged);
        ctx.runPrompt(QStringLiteral("When Mary and John went to the store, John gave a drink to"));
        QVERIFY(traced.wait(20000));
        QElapsedTimer t;
        t.start();
        while (!ctx.currentRunSaved() && t.elapsed() < 20000)
            QTest::qWait(20);
        const qint64 runA = ctx.currentRun();
        QVERIFY(runA);

        // Without prompt B: a message, not a crash.
        QSignalSpy done(&panel, &ComparePanel::finished);
        panel.compare();
        QCOMPARE(done.count(), 1);
        QCOMPARE(done.first().first().toBool(), false);

        panel.setPromptB(QStringLiteral("When Mary and John went to the store, Mary gave a drink to"));
        panel.setAnswers(QStringLiteral(" Mary"), QStringLiteral(" John"));
        done.clear();
        QSignalSpy logged(&ctx, &AppContext::message);
        panel.compare();
        QVERIFY(done.wait(20000));
        QCOMPARE(done.first().first().toBool(), true);
        bool inLog = false; // the Log records the comparison
        for (const QList<QVariant> &m : logged)
            inLog = inLog || m.first().toString().startsWith(QLatin1String("Compared A"));
        QVERIFY(inLog);
        QVERIFY(panel.hasComparison());
        QCOMPARE(int(panel.alignment().kind), int(TokenAlignment::Kind::Positional));
        QCOMPARE(panel.heatmaps()->plottableCount(), 3);
        QCOMPARE(int(panel.logitDifferenceA().size()), ctx.model()->info().nLayers);
        // The clean run prefers " Mary" more than the corrupted one does at the last block, or at least differs.
        QVERIFY(panel.logitDifferenceA().back() != panel.logitDifferenceB().back());
        const FigureData tab = panel.tabData(); // the open tab: similarity by layer
        QCOMPARE(tab.rowLabels.size(), 3);
        QCOMPARE(int(tab.values.front().size()), ctx.model()->info().nLayers + 1);
        const FigureData d = panel.differenceData();
        QCOMPARE(d.rowLabels.size(), int(panel.alignment().pairs.size()));
        ctx.setLayerHead(1, 1); // the shared cursor redraws the heatmaps and the shared PCA
        QCOMPARE(panel.heatmaps()->plottableCount(), 3);
        QCOMPARE(panel.pcaPlot()->graphCount(), 2); // A's and B's tokens in one basis
        QCOMPARE(panel.pcaPlot()->graph(0)->dataCount() + panel.pcaPlot()->graph(1)->dataCount(), int(panel.alignment().pairs.size()) * 2);
        QCOMPARE(panel.lensTable()->rowCount(), ctx.model()->info().nLayers);

        QVERIFY(panel.saveComparison());
        Workspace *ws = ctx.workspace();
        const auto cmp = ws->comparisons(ctx.currentSession());
        QCOMPARE(cmp.size(), 1);
        QCOMPARE(cmp.first().runA, runA); // A was already saved; only B is added
        QCOMPARE(ws->runs(ctx.currentSession()).size(), 2);
        QCOMPARE(cmp.first().settings.value(QStringLiteral("head")).toInt(), 1);

        // Reopen in a fresh panel: same alignment, A becomes the current run again.
        ctx.runPrompt(QStringLiteral("Something else entirely"));
        QVERIFY(traced.wait(20000));
        ComparePanel again(&ctx);
        again.openComparison(cmp.first().id);
        QVERIFY(again.hasComparison());
        QCOMPARE(ctx.trace()->prompt, QStringLiteral("When Mary and John went to the store, John gave a drink to"));
        QCOMPARE(again.alignment().pairs, panel.alignment().pairs);
        QCOMPARE(ctx.layer(), 1);
        QCOMPARE(int(again.logitDifferenceA().size()), ctx.model()->info().nLayers);
    }

    // The same prompt at f32 (A) and bf16 (B) on the loaded model: B is labelled bf16, the panel says
    // how far it is from A, a second comparison reuses the bf16 model, and a saved comparison keeps
    // both the precision choice and the measurement.
    void sameRunAtBf16()
    {
        AppContext ctx;
        QVERIFY(ctx.openWorkspace(m_dir.filePath(QStringLiteral("precision.strata"))));
        ComparePanel panel(&ctx);
        QVERIFY(testutil::loadAndWait(ctx, testutil::gpt2TinyDir()));
        QCOMPARE(ctx.model()->info().compute, QStringLiteral("f32"));
        QSignalSpy traced(&ctx, &AppContext::traceChanged);
        const QString prompt = QStringLiteral("When Mary and John went to the store, John gave a drink to");
        ctx.runPrompt(prompt);
        QVERIFY(traced.wait(20000));
        QSignalSpy done(&panel, &ComparePanel::finished);
        const auto compareAndWait = [&] { // true when B was traced and compared
            done.clear();
            panel.compare();
            return done.wait(20000) && done.first().first().toBool();
        };
        panel.setPromptB(prompt);
        panel.setComputeB(QStringLiteral("bf16"));
        QVERIFY(compareAndWait());
        QCOMPARE(int(panel.alignment().kind), int(TokenAlignment::Kind::Identical));
        const QJsonObject p = panel.precision();
        QCOMPARE(p.value(QStringLiteral("exact")).toString(), QStringLiteral("A"));
        QCOMPARE(p.value(QStringLiteral("approx_compute")).toString(), QStringLiteral("bf16"));
        QCOMPARE(p.value(QStringLiteral("positions")).toInteger(), qint64(ctx.trace()->tokenCount()));
        const double attn = p.value(QStringLiteral("max_attention_diff")).toDouble();
        QVERIFY2(attn > 0 && attn < 0.03, qPrintable(QString::number(attn)));
        QVERIFY2(panel.statusText().contains(QStringLiteral("Only the precision differs, bf16 against f32")), qPrintable(panel.statusText()));
        QVERIFY(panel.statusText().contains(QStringLiteral(" · bf16")));
        QCOMPARE(panel.modelB()->info().compute, QStringLiteral("bf16"));
        QCOMPARE(ctx.model()->info().compute, QStringLiteral("f32")); // A's model is untouched
        const LoadedModel *first = panel.modelB().get();
        QVERIFY(compareAndWait());
        QCOMPARE(panel.modelB().get(), first); // not loaded again

        // Back to "as loaded": B is an f32 run like A, so no precision line.
        panel.setComputeB(QString());
        QVERIFY(compareAndWait());
        QVERIFY(panel.precision().isEmpty());
        QVERIFY(!panel.statusText().contains(QStringLiteral("Only the precision differs, bf16 against f32")));

        panel.setComputeB(QStringLiteral("bf16"));
        QVERIFY(compareAndWait());
        QVERIFY(panel.saveComparison());
        const auto cmp = ctx.workspace()->comparisons(ctx.currentSession());
        QCOMPARE(cmp.size(), 1);
        QCOMPARE(cmp.first().settings.value(QStringLiteral("compute_b")).toString(), QStringLiteral("bf16"));
        ComparePanel again(&ctx);
        again.openComparison(cmp.first().id);
        QCOMPARE(again.precision(), p);
        QVERIFY(again.statusText().contains(QStringLiteral("Only the precision differs, bf16 against f32")));
        QCOMPARE(again.findChild<QComboBox *>(QStringLiteral("compareComputeB"))->currentData().toString(), QStringLiteral("bf16"));
    }
};

STRATA_GUI_TEST_MAIN(TestComparePanel)
#include "tst_comparepanel.moc"
