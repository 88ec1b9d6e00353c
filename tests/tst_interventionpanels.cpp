// The intervention panels driven as a user drives them: a patching sweep on gpt2-tiny whose heatmap
// equals the core sweep, a clicked cell that becomes the current run (its logit difference is the
// cell's), a sweep saved and reopened with its notes, exports; head ablation from the head atlas and
// on repeated tokens; steering continuations on stories260K.
#include "AppContext.h"
#include "ExportCheck.h"
#include "GuiTestMain.h"
#include "GuiTestUtil.h"
#include "TestUtil.h"
#include "models/HeadScoresModel.h"
#include "panels/AblationPanel.h"
#include "panels/ComparePanel.h"
#include "panels/HeadAtlasPanel.h"
#include "panels/PatchingPanel.h"
#include "store/Workspace.h"

#include <QItemSelectionModel>
#include <QSignalSpy>
#include <QTableView>

#include <qcustomplot.h>

using namespace strata;

class TestInterventionPanels : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;

private Q_SLOTS:
    void patchingSweepClickAndSave()
    {
        AppContext ctx;
        QVERIFY(ctx.openWorkspace(m_dir.filePath(QStringLiteral("patching.strata"))));
        PatchingPanel panel(&ctx);
        QVERIFY(testutil::loadAndWait(ctx, testutil::gpt2TinyDir()));
        const QString clean = QStringLiteral("When Mary and John went to the store, John gave a drink to");
        const QString corrupt = QStringLiteral("When Mary and John went to the store, Mary gave a drink to");
        QSignalSpy done(&panel, &PatchingPanel::finished);

        // Compare mode hands its A (the current run) and B prompts and answers over, and the sweep runs.
        {
            ComparePanel compare(&ctx);
            QSignalSpy traced0(&ctx, &AppContext::traceChanged);
            ctx.runPrompt(clean);
            QVERIFY(traced0.wait(20000));
            compare.setPromptB(corrupt);
            compare.setAnswers(QStringLiteral(" Mary"), QStringLiteral(" John"));
            compare.patchAIntoB();
            QVERIFY(done.wait(60000));
            QCOMPARE(done.first().first().toBool(), true);
            QCOMPARE(panel.result().site, QStringLiteral("resid_pre"));
            done.clear();
        }
        // Different token counts: said, nothing run.
        panel.setPrompts(clean, QStringLiteral("Mary went"));
        panel.setAnswers(QStringLiteral(" Mary"), QStringLiteral(" John"));
        panel.runSweep();
        QCOMPARE(done.count(), 1);
        QCOMPARE(done.first().first().toBool(), false);
        QVERIFY2(panel.status().contains(QStringLiteral("same count")), qPrintable(panel.status()));
        QVERIFY2(panel.answerTokensText().contains(QStringLiteral("scored: ␣Mary")), qPrintable(panel.answerTokensText()));

        panel.setPrompts(clean, corrupt);
        panel.setSite(PatchingRequest::SiteKind::ResidPre);
        panel.setAttribution(true);
        done.clear();
        panel.runSweep();
        QVERIFY(done.wait(60000));
        QCOMPARE(done.first().first().toBool(), true);
        QVERIFY(panel.hasResult());
        // The panel shows what the core sweep computes.
        PatchingRequest req;
        for (const TokenPiece &p : ctx.model()->tokenizePrompt(clean))
            req.clean.push_back(p.id);
        for (const TokenPiece &p : ctx.model()->tokenizePrompt(corrupt))
            req.corrupt.push_back(p.id);
        req.answer = 5335, req.wrong = 1757;
        const PatchingResult direct = Patching::sweep(*ctx.model(), req);
        QCOMPARE(panel.result().rows, direct.rows);
        QCOMPARE(panel.result().cols, direct.cols);
        for (size_t i = 0; i < direct.values.size(); ++i)
            QVERIFY(std::abs(panel.result().values[i] - direct.values[i]) < 1e-6);
        QCOMPARE(panel.plot()->plottableCount(), 2); // patching and its attribution estimate
        QCOMPARE(panel.result().colLabels.value(9), QStringLiteral("9 ␣Mary"));

        // Clicking cell (layer 1, position 9) makes that patched run the current run of every panel.
        QSignalSpy opened(&panel, &PatchingPanel::cellOpened);
        QSignalSpy traced(&ctx, &AppContext::traceChanged);
        panel.openCell(1, 9);
        QVERIFY(opened.wait(30000));
        QCOMPARE(opened.first().first().toBool(), true);
        const TracePtr t = ctx.trace();
        QCOMPARE(int(t->interventions.size()), 1);
        QCOMPARE(t->prompt, corrupt);
        const int64_t V = t->logits.shape()[1], T = t->tokenCount();
        const double ld = double(t->logits.floatAt((T - 1) * V + 5335)) - double(t->logits.floatAt((T - 1) * V + 1757));
        QVERIFY2(std::abs(ld - panel.result().raw[size_t(1 * panel.result().cols + 9)]) < 1e-4, qPrintable(QString::number(ld)));
        // ... and it is saved in the session as its own run, tagged.
        QTRY_VERIFY_WITH_TIMEOUT(ctx.currentRunSaved(), 20000);
        QVERIFY(ctx.workspace()->run(ctx.currentRun()).tags.contains(QStringLiteral("intervention")));

        // Export: the figure and its numbers.
        for (const char *name : {"p.png", "p.svg", "p.pdf"}) {
            const QString path = m_dir.filePath(QString::fromLatin1(name));
            FigureExport::saveFigure(panel.plot(), path, 600, 500);
            const QString problem = exportcheck::figureProblem(path, 600, 500);
            QVERIFY2(problem.isEmpty(), qPrintable(problem));
        }
        const QString csv = m_dir.filePath(QStringLiteral("p.csv"));
        FigureExport::saveData(panel.figureData(), csv);
        const QString dataProblem = exportcheck::dataProblem(csv, panel.figureData());
        QVERIFY2(dataProblem.isEmpty(), qPrintable(dataProblem));
        QVERIFY(panel.figureData().title.contains(QStringLiteral("resid_pre")));

        // Saved with notes; another panel (another launch) reopens it as it was.
        QVERIFY(panel.saveSweep());
        PatchingPanel again(&ctx);
        QCOMPARE(again.savedNames().size(), 1);
        again.openSaved(0);
        QVERIFY(again.hasResult());
        QCOMPARE(again.result().values, panel.result().values);
        QCOMPARE(again.result().attribution, panel.result().attribution);
    }

    void ablationFromTheAtlasAndOnRepeatedTokens()
    {
        AppContext ctx;
        QVERIFY(ctx.openWorkspace(m_dir.filePath(QStringLiteral("ablation.strata"))));
        AblationPanel panel(&ctx);
        HeadAtlasPanel atlas(&ctx);
        atlas.show(); // a hidden atlas does not score
        QVERIFY(testutil::loadAndWait(ctx, testutil::sharedPath(QStringLiteral("models/stories260K/stories260K.gguf"))));
        QSignalSpy traced(&ctx, &AppContext::traceChanged);
        const QString text = QStringLiteral("Tom had a red car. He liked to drive it fast. One day the car broke. Tom was sad. His dad helped him fix it.");
        ctx.runPrompt(text);
        QVERIFY(traced.wait(30000));
        QSignalSpy done(&panel, &AblationPanel::ablated);
        // Bad input: said.
        panel.setHeads(QStringLiteral("9.9"));
        panel.ablate();
        QCOMPARE(done.count(), 1);
        QCOMPARE(done.first().first().toBool(), false);
        // The atlas sends its selected heads (rows of L1H3 and L1H5) and the ablation runs.
        QTableView *table = atlas.findChild<QTableView *>(QStringLiteral("headTable"));
        QVERIFY(table);
        QTRY_VERIFY_WITH_TIMEOUT(table->model()->rowCount() == 40, 30000);
        for (int r = 0; r < table->model()->rowCount(); ++r) {
            const int l = table->model()->index(r, HeadScoresModel::Layer).data().toInt(), h = table->model()->index(r, HeadScoresModel::Head).data().toInt();
            if (l == 1 && (h == 3 || h == 5))
                table->selectionModel()->select(table->model()->index(r, 0), QItemSelectionModel::Select | QItemSelectionModel::Rows);
        }
        QCOMPARE(atlas.selectedHeads(), (QList<QPair<int, int>>{{1, 3}, {1, 5}}));
        done.clear();
        atlas.ablateSelected();
        QVERIFY(done.wait(30000));
        QCOMPARE(done.first().first().toBool(), true);
        std::vector<int64_t> ids = ctx.trace()->tokenIds();
        const AblationResult direct = Ablation::ablateHeads(*ctx.model(), ids, {{1, 3}, {1, 5}}, false);
        QCOMPARE(panel.ablation().lossAfter.size(), direct.lossAfter.size());
        for (size_t i = 0; i < direct.lossAfter.size(); ++i)
            QVERIFY(std::abs(panel.ablation().lossAfter[i] - direct.lossAfter[i]) < 1e-9);
        QVERIFY(panel.ablation().meanAfter > panel.ablation().meanBefore);
        QCOMPARE(panel.lossPlot()->graphCount(), 2);
        const FigureData fd = panel.ablationData();
        QCOMPARE(fd.values.size(), direct.lossBefore.size());
        // All heads of a role, found on the worker: the previous-token heads of the run.
        QSignalSpy roles(&panel, &AblationPanel::roleHeadsReady);
        panel.chooseRole(HeadRole::PreviousToken);
        QVERIFY(roles.wait(30000));
        QStringList expected;
        for (const HeadScores &s : HeadMetrics::scoreTrace(*ctx.trace()))
            if (HeadMetrics::dominantRole(s) == HeadRole::PreviousToken)
                expected << QStringLiteral("%1.%2").arg(s.layer).arg(s.head);
        QVERIFY(!expected.isEmpty());
        QCOMPARE(panel.heads(), expected.join(QLatin1Char(',')));
        // On repeated random tokens: the copy-loss drop before and after, in the same figure.
        panel.setRepeatedSequence(true);
        panel.setMean(true);
        done.clear();
        panel.ablate();
        QVERIFY(done.wait(30000));
        QCOMPARE(done.first().first().toBool(), true);
        QCOMPARE(int(panel.ablation().lossBefore.size()), 2 * 50); // BOS + 2 x 50 tokens
        qInfo("stories260K, mean-ablating L1H3 and L1H5 on repeated tokens: copy-loss drop %.2f -> %.2f nats", panel.copyLossDropBefore(),
              panel.copyLossDropAfter());
        QVERIFY(panel.status().contains(QStringLiteral("In-context copying")));
    }

    void steeringSideBySide()
    {
        AppContext ctx;
        AblationPanel panel(&ctx);
        QVERIFY(testutil::loadAndWait(ctx, testutil::sharedPath(QStringLiteral("models/stories260K/stories260K.gguf"))));
        QSignalSpy done(&panel, &AblationPanel::steered);
        panel.steer(); // nothing typed
        QCOMPARE(done.count(), 1);
        QCOMPARE(done.first().first().toBool(), false);
        panel.setSteeringSets({QStringLiteral("I am so happy today."), QStringLiteral("What a wonderful, lovely day.")},
                              {QStringLiteral("I am so sad today."), QStringLiteral("What a terrible, awful day.")});
        panel.setSteeringPrompt(QStringLiteral("Once upon a time, there was a little girl named Lily. She felt"));
        panel.setSteering(2, 4.0, 15);
        done.clear();
        panel.steer();
        QVERIFY(done.wait(60000));
        QCOMPARE(done.first().first().toBool(), true);
        QVERIFY(panel.steering().plain != panel.steering().steered);
        QVERIFY(panel.steering().directionNorm > 0);
    }
};

STRATA_GUI_TEST_MAIN(TestInterventionPanels)
#include "tst_interventionpanels.moc"
