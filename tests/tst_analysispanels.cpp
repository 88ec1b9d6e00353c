#include "GuiTestMain.h"
#include "ExportCheck.h"
#include "TestUtil.h"

#include "AppContext.h"
#include "FigureExport.h"
#include "MainWindow.h"
#include "models/HeadScoresModel.h"
#include "panels/AttentionOverviewPanel.h"
#include "panels/HeadAtlasPanel.h"
#include "analysis/SyntacticHeads.h"
#include "model/ModelFamily.h"
#include <QSignalSpy>
#include "panels/LogitLensPanel.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QSignalSpy>
#include <QTableView>
#include <QTemporaryDir>
#include <QtTest>

#include <qcustomplot.h>

using namespace strata;

// The head atlas, logit lens and all-heads overview on the real stories260K model, driven as a user would.
class TestAnalysisPanels : public QObject
{
    Q_OBJECT
    AppContext *m_ctx = nullptr;
    MainWindow *m_window = nullptr;

private Q_SLOTS:
    void initTestCase()
    {
        m_ctx = new AppContext;
        m_window = new MainWindow(m_ctx);
        m_window->resize(1500, 1000);
        m_window->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_window));
        QSignalSpy loaded(m_ctx, &AppContext::modelChanged);
        m_ctx->loadModel(testutil::sharedPath(QStringLiteral("models/stories260K/stories260K.gguf")));
        QVERIFY(loaded.wait(30000));
        QSignalSpy traced(m_ctx, &AppContext::traceChanged);
        QSignalSpy induction(m_ctx, &AppContext::inductionChanged);
        m_ctx->runPrompt(QStringLiteral("Once upon a time, Lily saw a big dog. Lily said hello to the dog."));
        QVERIFY(traced.wait(30000));
        QTRY_VERIFY_WITH_TIMEOUT(induction.count() > 0, 60000); // the atlas asked for the induction test
    }
    void cleanupTestCase()
    {
        delete m_window;
        delete m_ctx;
    }

    void headAtlasScoresAndSelects()
    {
        auto *atlas = qobject_cast<HeadAtlasPanel *>(m_window->panel(QStringLiteral("HeadAtlasPanel")));
        QVERIFY(atlas);
        HeadScoresModel *model = atlas->model();
        QAbstractItemModelTester tester(model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        // The heads are scored on the worker once the atlas is on screen.
        m_window->dock(QStringLiteral("HeadAtlasPanel"))->raise();
        QTRY_COMPARE_WITH_TIMEOUT(model->rowCount(), 5 * 8, 30000);
        // Induction scores were merged in from the probe.
        for (const HeadScores &s : model->scores())
            QVERIFY(!std::isnan(s.induction));
        bool hasPrev = false;
        for (int r = 0; r < model->rowCount(); ++r)
            hasPrev = hasPrev || model->roleOf(r) == HeadRole::PreviousToken;
        QVERIFY(hasPrev);
        // Clicking a head in the grid selects it everywhere.
        m_window->dock(QStringLiteral("HeadAtlasPanel"))->raise();
        QCustomPlot *grid = atlas->grid();
        QTRY_VERIFY(grid->isVisible());
        grid->replot();
        const QPoint cell(int(grid->xAxis->coordToPixel(5)), int(grid->yAxis->coordToPixel(3)));
        QTest::mouseClick(grid, Qt::LeftButton, {}, cell);
        QCOMPARE(m_ctx->layer(), 3);
        QCOMPARE(m_ctx->head(), 5);
        // Sorting by a score column puts the largest first.
        auto *table = atlas->findChild<QTableView *>(QStringLiteral("headTable"));
        table->sortByColumn(HeadScoresModel::Previous, Qt::DescendingOrder);
        const double top = table->model()->index(0, HeadScoresModel::Previous).data(Qt::UserRole).toDouble();
        for (int r = 1; r < table->model()->rowCount(); ++r)
            QVERIFY(table->model()->index(r, HeadScoresModel::Previous).data(Qt::UserRole).toDouble() <= top);
    }

    // A treebank picked in the atlas gives every head its best relation against the offset baseline,
    // the same numbers strata-cli syntax computes (SyntacticHeads::evaluate on the same sentences).
    void headAtlasSyntaxFromATreebank()
    {
        auto *atlas = qobject_cast<HeadAtlasPanel *>(m_window->panel(QStringLiteral("HeadAtlasPanel")));
        m_window->dock(QStringLiteral("HeadAtlasPanel"))->raise();
        QTRY_COMPARE_WITH_TIMEOUT(atlas->model()->rowCount(), 5 * 8, 30000);
        QSignalSpy measured(atlas, &HeadAtlasPanel::syntaxMeasured);
        const QString conllu = testutil::sharedPath(QStringLiteral("probing/ud-en-ewt/en_ewt-ud-dev.conllu"));
        atlas->setTreebank(conllu);
        QVERIFY(measured.wait(120000));
        const ConllFile f = ConllU::load(conllu, 200);
        const SyntacticHeadsResult direct = SyntacticHeads::evaluate(*m_ctx->model(), f.sentences);
        for (const HeadScores &s : atlas->model()->scores()) {
            QVERIFY(!std::isnan(s.syntactic));
            const std::vector<double> &acc = direct.accuracy.value(s.syntacticRelation);
            double baseline = 0;
            for (const SyntaxScore &r : direct.relations)
                if (r.relation == s.syntacticRelation)
                    baseline = r.baselineAccuracy;
            QVERIFY(std::abs(s.syntactic - (acc[size_t(s.layer * 8 + s.head)] - baseline)) < 1e-12);
        }
        const QModelIndex cell = atlas->model()->index(0, HeadScoresModel::Syntactic);
        QVERIFY(cell.data().toString().contains(atlas->model()->scores().front().syntacticRelation));
    }

    void logitLensReadsEveryLayer()
    {
        auto *lens = qobject_cast<LogitLensPanel *>(m_window->panel(QStringLiteral("LogitLensPanel")));
        QTRY_VERIFY_WITH_TIMEOUT(lens->result() != nullptr, 20000);
        const LogitLensResult &r = *lens->result();
        QCOMPARE(r.layers, 5);
        QCOMPARE(r.tokens, m_ctx->trace()->tokenCount());
        for (int t = 0; t < r.tokens; ++t)
            QCOMPARE(r.finalRank[r.at(4, t)], 0); // the last layer is the model's own prediction
        QCOMPARE(lens->figureData().values.size(), size_t(5));
        for (auto m : {LogitLensPanel::Metric::FinalRank, LogitLensPanel::Metric::KlToFinal, LogitLensPanel::Metric::TopProbability})
            lens->setMetric(m); // every colouring draws without trouble
    }

    void logitLensLabelsAfterAHiddenCompute()
    {
        // Computed while hidden (its tab not in front), the lens draws its top-token labels once shown.
        LogitLensPanel lens(m_ctx);
        QSignalSpy traced(m_ctx, &AppContext::traceChanged);
        m_ctx->runPrompt(QStringLiteral("Once upon a time, Lily saw a big dog. Lily said hello to the dog."));
        QVERIFY(traced.wait(30000));
        QTRY_VERIFY_WITH_TIMEOUT(lens.result() != nullptr, 20000);
        QCOMPARE(lens.labelCount(), 0);
        lens.resize(1500, 700);
        lens.show();
        QVERIFY(QTest::qWaitForWindowExposed(&lens));
        QTRY_COMPARE(lens.labelCount(), lens.result()->layers * lens.result()->tokens);
        lens.resize(300, 700); // too narrow to read them: dropped
        QTRY_COMPARE(lens.labelCount(), 0);
    }

    void overviewClickFocusesAHead()
    {
        auto *overview = qobject_cast<AttentionOverviewPanel *>(m_window->panel(QStringLiteral("AttentionOverviewPanel")));
        m_window->dock(QStringLiteral("AttentionOverviewPanel"))->raise();
        HeadThumbnails *thumbs = overview->thumbnails();
        QTRY_VERIFY(thumbs->isVisible());
        QCOMPARE(thumbs->layers(), 5);
        QCOMPARE(thumbs->heads(), 8);
        QTest::mouseClick(thumbs, Qt::LeftButton, {}, thumbs->cellRect(2, 6).center());
        QCOMPARE(m_ctx->layer(), 2);
        QCOMPARE(m_ctx->head(), 6);
    }

    void everyFigureExports()
    {
        QTemporaryDir dir;
        auto *atlas = qobject_cast<HeadAtlasPanel *>(m_window->panel(QStringLiteral("HeadAtlasPanel")));
        auto *lens = qobject_cast<LogitLensPanel *>(m_window->panel(QStringLiteral("LogitLensPanel")));
        auto *overview = qobject_cast<AttentionOverviewPanel *>(m_window->panel(QStringLiteral("AttentionOverviewPanel")));
        const QList<QPair<QString, QWidget *>> figures{{QStringLiteral("atlas"), atlas->grid()},
                                                       {QStringLiteral("mix"), atlas->chart()},
                                                       {QStringLiteral("lens"), lens->plot()},
                                                       {QStringLiteral("overview"), overview->thumbnails()}};
        for (const auto &f : figures)
            for (const char *ext : {"png", "svg", "pdf"}) {
                const QString path = dir.filePath(f.first + QLatin1Char('.') + QLatin1String(ext));
                FigureExport::saveFigure(f.second, path, 500, 400);
                const QString problem = exportcheck::figureProblem(path, 500, 400);
                QVERIFY2(problem.isEmpty(), qPrintable(problem));
            }
        for (const char *name : {"atlas.json", "atlas.csv"}) {
            const QString path = dir.filePath(QString::fromLatin1(name));
            FigureExport::saveData(atlas->figureData(), path);
            const QString problem = exportcheck::dataProblem(path, atlas->figureData());
            QVERIFY2(problem.isEmpty(), qPrintable(problem));
        }
        QVERIFY(!atlas->figureData().values.empty());
    }
};

STRATA_GUI_TEST_MAIN(TestAnalysisPanels)

#include "tst_analysispanels.moc"
