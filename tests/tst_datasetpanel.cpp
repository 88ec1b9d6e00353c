// A merged batch in the GUI: selecting its session shows the dataset-level figures (the means the
// merge computed, heads ranked with their intervals), a head double-clicked is selected everywhere,
// each figure exports its numbers, and an item opens as an ordinary run, recomputed with its model.
#include "AppContext.h"
#include "GuiTestMain.h"
#include "GuiTestUtil.h"
#include "TestUtil.h"
#include "analysis/Probe.h"
#include "batch/BatchMerge.h"
#include "batch/BatchRun.h"
#include "batch/BatchSpec.h"
#include "panels/DatasetPanel.h"
#include "store/Workspace.h"

#include <QComboBox>
#include <QJsonArray>
#include <QTableWidget>
#include <qcustomplot.h>

using namespace strata;

class TestDatasetPanel : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;
    QString m_workspace;
    QStringList m_prompts{QStringLiteral("Once upon a time there was a little dog."), QStringLiteral("The girl saw a big red ball in the park."),
                          QStringLiteral("Tom and Sue went to the shop to buy some milk."), QStringLiteral("The sun was hot and the cat slept all day."),
                          QStringLiteral("One day a bird sang a song to the tree.")};

private Q_SLOTS:
    void initTestCase()
    {
        QFile data(m_dir.filePath(QStringLiteral("prompts.txt")));
        QVERIFY(data.open(QIODevice::WriteOnly));
        data.write(m_prompts.join(QLatin1Char('\n')).toUtf8());
        data.close();
        QFile spec(m_dir.filePath(QStringLiteral("spec.json")));
        QVERIFY(spec.open(QIODevice::WriteOnly));
        spec.write(R"({"name": "stories", "models": ["demo"], "dataset": {"prompts": "prompts.txt"}, "analyses": ["heads", "lens", "similarity"]})");
        spec.close();
        const BatchSpec s = BatchSpec::load(spec.fileName());
        for (int i = 0; i < 2; ++i) {
            BatchRunOptions o;
            o.shard = i;
            o.shards = 2;
            Batch::runShard(s, m_dir.filePath(QStringLiteral("out")), o, nullptr);
        }
        m_workspace = m_dir.filePath(QStringLiteral("merged.strata"));
        QCOMPARE(Batch::merge(m_dir.filePath(QStringLiteral("out")), m_workspace).items, 5);
    }

    void showsTheBatch()
    {
        AppContext ctx;
        DatasetPanel panel(&ctx);
        QVERIFY(!panel.hasBatch());
        QVERIFY(panel.status().contains(QStringLiteral("docs/BATCH.md")));
        QVERIFY(testutil::loadAndWait(ctx, QStringLiteral("demo")));
        QVERIFY(ctx.openWorkspace(m_workspace));
        const qint64 session = ctx.workspace()->sessions().first().id;
        ctx.setCurrentSession(session);
        QVERIFY(panel.hasBatch());
        QCOMPARE(panel.figures(), (QList<DatasetPanel::Figure>{DatasetPanel::HeadScores, DatasetPanel::Lens, DatasetPanel::Similarity}));

        // The heatmap and the table hold the merge's means: previous-token score (index 0).
        const QJsonObject heads = Batch::batchResultOf(*ctx.workspace(), session)
                                      .value(QStringLiteral("models"))
                                      .toArray()
                                      .first()
                                      .toObject()
                                      .value(QStringLiteral("aggregate"))
                                      .toObject()
                                      .value(QStringLiteral("heads"))
                                      .toObject();
        const int S = batchHeadScoreNames().size();
        panel.setScore(0);
        const FigureData d = panel.figureData();
        QVERIFY(d.title.contains(QStringLiteral("previous_token")));
        const int L = int(d.values.size()), H = int(d.values.front().size());
        QCOMPARE(L, heads.value(QStringLiteral("shape")).toArray()[0].toInt());
        const QJsonArray mean = heads.value(QStringLiteral("mean")).toArray();
        for (int l = 0; l < L; ++l)
            for (int h = 0; h < H; ++h)
                QCOMPARE(d.values[size_t(l)][size_t(h)], mean[(l * H + h) * S].toDouble());
        QTableWidget *t = panel.table();
        QCOMPARE(t->rowCount(), L * H);
        double prev = 1e9;
        for (int r = 0; r < t->rowCount(); ++r) {
            const double v = t->item(r, 1)->text().section(QLatin1Char(' '), 0, 0).toDouble();
            QVERIFY(v <= prev + 1e-3);
            prev = v;
            QCOMPARE(t->item(r, 2)->text(), QStringLiteral("5"));
        }
        // Double-clicking the strongest head selects it in every panel.
        const int layer = t->item(0, 0)->data(Qt::UserRole).toInt(), head = t->item(0, 0)->data(Qt::UserRole + 1).toInt();
        Q_EMIT t->cellDoubleClicked(0, 0);
        QCOMPARE(ctx.layer(), layer);
        QCOMPARE(ctx.head(), head);

        // Logit lens: one point per layer with its interval; the last layer agrees with itself.
        panel.setFigure(DatasetPanel::Lens);
        QCOMPARE(panel.figureData().values.size(), size_t(1));
        QCOMPARE(int(panel.figureData().values[0].size()), L);
        QCOMPARE(panel.figureData().values[0].back(), 1.0);
        QVERIFY(!t->isVisible());
        panel.setFigure(DatasetPanel::Similarity);
        QCOMPARE(int(panel.figureData().values.size()), L + 1);
        QVERIFY(std::abs(panel.figureData().values[0][0] - 1.0) < 1e-6);
        const QString csv = m_dir.filePath(QStringLiteral("similarity.csv"));
        FigureExport::saveData(panel.figureData(), csv);
        QVERIFY(QFileInfo(csv).size() > 20);
    }

    // Pairs and a probe: the patching map averaged over pairs and the probe accuracy by layer point.
    void patchingAndProbeFigures()
    {
        QFile csv(m_dir.filePath(QStringLiteral("pairs.csv")));
        QVERIFY(csv.open(QIODevice::WriteOnly));
        csv.write("clean,corrupted,answer,wrong\n"
                  "\"When Max and Lily went to the sea, Max gave the fish to\",\"When Max and Lily went to the sea, Lily gave the fish to\", Lily, Max\n"
                  "\"When Tim and Ann went to the shop, Tim gave the cake to\",\"When Tim and Ann went to the shop, Ann gave the cake to\", Ann, Tim\n");
        csv.close();
        QFile spec(m_dir.filePath(QStringLiteral("pairs.json")));
        QVERIFY(spec.open(QIODevice::WriteOnly));
        spec.write(QStringLiteral("{\"name\": \"pairs\", \"models\": [\"demo\"], \"dataset\": {\"pairs\": \"pairs.csv\"}, \"analyses\": [\"patching\", "
                                  "\"probe\"], \"probe\": {\"train\": \"%1\", \"dev\": \"%2\", \"max_train\": 30}}")
                       .arg(testutil::sharedPath(QStringLiteral("probing/ud-en-ewt/en_ewt-ud-dev.conllu")),
                            testutil::sharedPath(QStringLiteral("probing/ud-en-ewt/en_ewt-ud-test.conllu")))
                       .toUtf8());
        spec.close();
        Batch::runShard(BatchSpec::load(spec.fileName()), m_dir.filePath(QStringLiteral("pairs-out")), BatchRunOptions{}, nullptr);
        const QString ws = m_dir.filePath(QStringLiteral("pairs.strata"));
        Batch::merge(m_dir.filePath(QStringLiteral("pairs-out")), ws);
        AppContext ctx;
        DatasetPanel panel(&ctx);
        QVERIFY(ctx.openWorkspace(ws));
        const qint64 session = ctx.workspace()->sessions().first().id;
        ctx.setCurrentSession(session);
        QCOMPARE(panel.figures(), (QList<DatasetPanel::Figure>{DatasetPanel::Patching, DatasetPanel::ProbeAccuracy}));
        const QJsonObject agg = Batch::batchResultOf(*ctx.workspace(), session)
                                    .value(QStringLiteral("models"))
                                    .toArray()
                                    .first()
                                    .toObject()
                                    .value(QStringLiteral("aggregate"))
                                    .toObject();
        panel.setFigure(DatasetPanel::Patching);
        const QJsonObject p = agg.value(QStringLiteral("patching")).toObject();
        const FigureData d = panel.figureData();
        const int cols = p.value(QStringLiteral("cols")).toInt();
        QCOMPARE(int(d.values.size()), p.value(QStringLiteral("rows")).toInt());
        for (size_t r = 0; r < d.values.size(); ++r)
            for (int c = 0; c < cols; ++c)
                QCOMPARE(d.values[r][size_t(c)], p.value(QStringLiteral("mean")).toArray()[int(r) * cols + c].toDouble());
        panel.setFigure(DatasetPanel::ProbeAccuracy);
        const ProbeRun run = ProbeRun::fromJson(agg.value(QStringLiteral("probe")).toObject());
        QCOMPARE(panel.figureData().rowLabels, QStringList{QStringLiteral("upos")});
        QCOMPARE(panel.figureData().values[0].size(), run.tasks[0].layers.size());
        QCOMPARE(panel.figureData().values[0].back(), run.tasks[0].layers.back().accuracy);
    }

    // An item is an ordinary run: opened with its model loaded, it is traced again (no trace was kept).
    void itemOpensAsARun()
    {
        AppContext ctx;
        QVERIFY(ctx.openWorkspace(m_workspace));
        QVERIFY(testutil::loadAndWait(ctx, QStringLiteral("demo")));
        const qint64 session = ctx.workspace()->sessions().first().id;
        ctx.setCurrentSession(session);
        const QList<RunRecord> runs = ctx.workspace()->runs(session);
        QCOMPARE(runs.size(), 5);
        QVERIFY(!runs.first().traceKept());
        QSignalSpy traced(&ctx, &AppContext::traceChanged);
        ctx.openRun(runs.first().id);
        QVERIFY(traced.wait(30000));
        QCOMPARE(ctx.trace()->prompt, runs.first().prompt);
        QTRY_VERIFY(ctx.workspace()->runs(session).first().traceKept()); // the recomputed trace is kept with the item

        // A new run while the batch is open goes to a session beside it, not among the items.
        ctx.runPrompt(QStringLiteral("A new prompt of my own."));
        QVERIFY(traced.wait(30000));
        QTRY_VERIFY(ctx.currentRunSaved());
        QCOMPARE(ctx.workspace()->runs(session).size(), 5);
        QCOMPARE(ctx.currentSession(), session);
        const QList<SessionRecord> sessions = ctx.workspace()->sessions();
        QCOMPARE(sessions.size(), 2);
        QCOMPARE(sessions.last().name, QStringLiteral("stories · my runs"));
        QCOMPARE(ctx.workspace()->runs(sessions.last().id).first().prompt, QStringLiteral("A new prompt of my own."));
    }
};

STRATA_GUI_TEST_MAIN(TestDatasetPanel)
#include "tst_datasetpanel.moc"
