// The probe panel on a real (tiny) model: a run with progress on the worker, its plot, table and
// confusion matrix, and the result kept in the session and reopened from there.
#include "AppContext.h"
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
        panel.run();
        QVERIFY(done.wait(60000));
        QCOMPARE(done.first().first().toBool(), true);
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
};

STRATA_GUI_TEST_MAIN(TestProbePanel)
#include "tst_probepanel.moc"
