// The probe panel on a real (tiny) model: a run with progress on the worker, its plot, table and
// confusion matrix, and the result kept in the session and reopened from there.
#include "AppContext.h"
#include "LanguageManager.h"
#include "GuiTestMain.h"
#include "TestUtil.h"
#include "panels/ProbePanel.h"
#include "store/Workspace.h"

#include <QComboBox>
#include <QSignalSpy>
#include <QTableWidget>

#include <qcustomplot.h>

using namespace strata;

class TestProbePanel : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;

private Q_SLOTS:
    void runsShowsAndKeepsResults()
    {
        const QByteArray sentence = "# text = Dogs bark loudly.\n"
                                    "1\tDogs\tdog\tNOUN\tNNS\t_\t2\tnsubj\t_\t_\n"
                                    "2\tbark\tbark\tVERB\tVBP\t_\t0\troot\t_\t_\n"
                                    "3\tloudly\tloudly\tADV\tRB\t_\t2\tadvmod\t_\tSpaceAfter=No\n"
                                    "4\t.\t.\tPUNCT\t.\t_\t2\tpunct\t_\t_\n"
                                    "\n"
                                    "# text = The cat slept.\n"
                                    "1\tThe\tthe\tDET\tDT\t_\t2\tdet\t_\t_\n"
                                    "2\tcat\tcat\tNOUN\tNN\t_\t3\tnsubj\t_\t_\n"
                                    "3\tslept\tsleep\tVERB\tVBD\t_\t0\troot\t_\tSpaceAfter=No\n"
                                    "4\t.\t.\tPUNCT\t.\t_\t3\tpunct\t_\t_\n"
                                    "\n";
        const QString file = m_dir.filePath(QStringLiteral("tiny.conllu"));
        QFile f(file);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(sentence.repeated(5));
        f.close();

        AppContext ctx;
        QVERIFY(ctx.openWorkspace(m_dir.filePath(QStringLiteral("probe.strata"))));
        ProbePanel panel(&ctx);
        QSignalSpy loaded(&ctx, &AppContext::modelChanged);
        ctx.loadModel(testutil::gpt2TinyDir());
        QVERIFY(loaded.wait(20000));

        panel.setFiles(file, file, QString());
        panel.setTasks({QStringLiteral("upos"), QStringLiteral("deprel")});
        panel.setSentences(0);
        QSignalSpy done(&panel, &ProbePanel::finished);
        QSignalSpy logged(&ctx, &AppContext::message);
        panel.run();
        QVERIFY(done.wait(60000));
        QCOMPARE(done.first().first().toBool(), true);
        bool inLog = false; // the Log records the run
        for (const QList<QVariant> &m : logged)
            inLog = inLog || m.first().toString().startsWith(QLatin1String("Probes on"));
        QVERIFY(inLog);
        QVERIFY(panel.result().has_value());
        const ProbeRun &r = *panel.result();
        QCOMPARE(int(r.tasks.size()), 2);
        QCOMPARE(r.layerPoints, ctx.model()->info().nLayers + 1);
        // accuracy + selectivity + majority line per task
        QCOMPARE(panel.plot()->graphCount(), 6);
        QCOMPARE(panel.findChild<QTableWidget *>()->rowCount(), 2);
        QCOMPARE(panel.confusionPlot()->plottableCount(), 1);
        const FigureData d = panel.figureData();
        QCOMPARE(d.rowLabels.size(), 8);
        QCOMPARE(int(d.values.front().size()), r.layerPoints);

        // Kept in the session; reopening it shows the same numbers.
        const auto saved = ctx.workspace()->results(ctx.currentSession(), QStringLiteral("probe"));
        QCOMPARE(saved.size(), 1);
        QCOMPARE(ProbeRun::fromJson(saved.first().data).toJson(), r.toJson());
        panel.showResult(ProbeRun::fromJson(saved.first().data));
        QCOMPARE(panel.result()->toJson(), r.toJson());

        // A missing file is a message, not a crash, and the shown result stays.
        panel.setFiles(m_dir.filePath(QStringLiteral("missing.conllu")), file, QString());
        done.clear();
        panel.run();
        QVERIFY(done.wait(20000));
        QCOMPARE(done.first().first().toBool(), false);
        QVERIFY(panel.result().has_value());
    }

    void savedResultIsDrawnAfterARestart()
    {
        // The workspace of the test above, opened again as after a restart: the saved result is drawn,
        // not only listed; its table headers follow a language switch.
        AppContext ctx;
        QVERIFY(ctx.openWorkspace(m_dir.filePath(QStringLiteral("probe.strata"))));
        ProbePanel panel(&ctx);
        QVERIFY(panel.result().has_value());
        QCOMPARE(int(panel.result()->tasks.size()), 2);
        QCOMPARE(panel.plot()->graphCount(), 6);
        auto *table = panel.findChild<QTableWidget *>();
        QCOMPARE(table->rowCount(), 2);
        QCOMPARE(table->horizontalHeaderItem(0)->text(), QStringLiteral("Task"));
        QVERIFY(LanguageManager::setLanguage(QStringLiteral("zh_CN")));
        QTRY_COMPARE(table->horizontalHeaderItem(0)->text(), QStringLiteral("任务"));
        QVERIFY(LanguageManager::setLanguage(QStringLiteral("en")));
        QTRY_COMPARE(table->horizontalHeaderItem(0)->text(), QStringLiteral("Task"));
    }
};

STRATA_GUI_TEST_MAIN(TestProbePanel)
#include "tst_probepanel.moc"
