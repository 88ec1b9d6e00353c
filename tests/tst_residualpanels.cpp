#include "GuiTestMain.h"
#include "ExportCheck.h"
#include "TestUtil.h"

#include "AppContext.h"
#include "FigureExport.h"
#include "MainWindow.h"
#include "Scatter3D.h"
#include "panels/ContributionsPanel.h"
#include "panels/ResidualPcaPanel.h"
#include "panels/SimilarityPanel.h"

#include <QApplication>
#include <QDockWidget>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include <qcustomplot.h>

using namespace strata;

// The residual-stream panels (PCA, sentence similarity, contributions) on the real stories260K model.
class TestResidualPanels : public QObject
{
    Q_OBJECT
    AppContext *m_ctx = nullptr;
    MainWindow *m_window = nullptr;

private Q_SLOTS:
    void initTestCase()
    {
        m_ctx = new AppContext;
        m_window = new MainWindow(m_ctx);
        m_window->show();
        QSignalSpy loaded(m_ctx, &AppContext::modelChanged);
        m_ctx->loadModel(testutil::sharedPath(QStringLiteral("models/stories260K/stories260K.gguf")));
        QVERIFY(loaded.wait(30000));
        QSignalSpy traced(m_ctx, &AppContext::traceChanged);
        m_ctx->runPrompt(QStringLiteral("Lily and Ben went to the park. Lily saw a big red ball."));
        QVERIFY(traced.wait(30000));
    }
    void cleanupTestCase()
    {
        delete m_window;
        delete m_ctx;
    }

    void pcaPerLayerAndShared()
    {
        auto *pca = qobject_cast<ResidualPcaPanel *>(m_window->panel(QStringLiteral("ResidualPcaPanel")));
        QVERIFY(pca);
        const int T = m_ctx->trace()->tokenCount();
        for (int stage = 0; stage <= 5; ++stage) {
            pca->setLayerIndex(stage);
            for (bool shared : {false, true}) {
                pca->setSharedBasis(shared);
                QVERIFY(pca->redraw());
                const FigureData fd = pca->figureData();
                QCOMPARE(int(fd.values.size()), T);
                double sx = 0;
                for (const auto &row : fd.values)
                    sx += row[0];
                if (!shared)
                    QVERIFY(std::abs(sx / T) < 1e-4); // a layer's own basis is centred on that layer
            }
        }
    }

    void similarityAcrossLayers()
    {
        auto *sim = qobject_cast<SimilarityPanel *>(m_window->panel(QStringLiteral("SimilarityPanel")));
        sim->setSentences({QStringLiteral("Lily went to the park."), QStringLiteral("Lily walked to the park."), QStringLiteral("The cat ate the fish.")});
        QSignalSpy done(sim, &SimilarityPanel::computed);
        QSignalSpy logged(m_ctx, &AppContext::message);
        sim->compute();
        QVERIFY(done.wait(60000));
        QVERIFY(!logged.isEmpty() && logged.last().first().toString().startsWith(QLatin1String("Similarity of 3 sentences"))); // in the Log
        const auto *r = sim->result();
        QCOMPARE(r->stages.size(), 6); // embeddings + 5 layers
        // The matrix has its colour scale; the line plot's legend sits under the axes, not over the lines.
        auto *matrix = sim->findChild<QCustomPlot *>(QStringLiteral("similarityMatrix"));
        QVERIFY(matrix && matrix->findChild<QCPColorScale *>(QStringLiteral("similarityScale")));
        // Diverging and centred on 0: white there, red at 1 (the diagonal).
        auto *map = qobject_cast<QCPColorMap *>(matrix->plottable(0));
        QVERIFY(map);
        const QColor zero = QColor::fromRgb(map->gradient().color(0.0, QCPRange(-1, 1))), one = QColor::fromRgb(map->gradient().color(1.0, QCPRange(-1, 1)));
        QVERIFY(std::abs(zero.red() - 247) <= 3 && std::abs(zero.green() - 247) <= 3 && std::abs(zero.blue() - 247) <= 3);
        QVERIFY(one.red() > 150 && one.green() < 60 && one.blue() < 60);
        auto *lines = sim->findChild<QCustomPlot *>(QStringLiteral("similarityPlot"));
        QVERIFY(lines && lines->legend->visible());
        QVERIFY(lines->legend->layout() != lines->axisRect()->insetLayout());
        if (const QString dir = qEnvironmentVariable("STRATA_SCREENSHOT_DIR"); !dir.isEmpty()) {
            m_window->dock(QStringLiteral("SimilarityPanel"))->raise();
            QTest::qWait(50);
            m_window->grab().save(QDir(dir).filePath(QStringLiteral("similarity.png")));
        }
        for (const auto &m : r->similarity) {
            QCOMPARE(m.size(), size_t(3));
            for (size_t i = 0; i < 3; ++i) {
                QCOMPARE(m[i][i], 1.0);
                for (size_t j = 0; j < 3; ++j)
                    QCOMPARE(m[i][j], m[j][i]);
            }
        }
        QVERIFY(std::abs(r->ckaWithLast.back() - 1.0) < 1e-9);
        QCOMPARE(int(sim->figureData().values.size()), 3); // three pairs
    }

    void wordInContextMode()
    {
        auto *sim = qobject_cast<SimilarityPanel *>(m_window->panel(QStringLiteral("SimilarityPanel")));
        // "Bank" first in both sentences: under causal attention position 0 sees only itself, so its
        // vectors are identical at every layer and the (raw or centred) cosine is exactly 1.
        sim->setSentences({QStringLiteral("Bank of the river."), QStringLiteral("Bank lends money."), QStringLiteral("The river bank was muddy.")});
        sim->setWord(QStringLiteral("bank"));
        QSignalSpy done(sim, &SimilarityPanel::computed);
        sim->compute();
        QVERIFY(done.wait(60000));
        const auto *r = sim->result();
        for (const auto &m : r->similarity) {
            QVERIFY(std::abs(m[0][1] - 1.0) < 1e-5);
            QVERIFY(m[0][2] < 0.9999); // another position and context
        }
        sim->setWord(QString());
    }

    void pcaIn3DAndByPartOfSpeech()
    {
        auto *pca = qobject_cast<ResidualPcaPanel *>(m_window->panel(QStringLiteral("ResidualPcaPanel")));
        pca->set3D(true);
        auto *view = qobject_cast<Scatter3D *>(pca->view3D());
        QVERIFY(view);
        QCOMPARE(view->pointCount(), m_ctx->trace()->tokenCount());
        QCOMPARE(int(pca->figureData().values.size()), 0); // 3-D of the run: coordinates live in the view
        pca->set3D(false);
        // Tagged sentences: the words of 15 EWT sentences, one legend entry per part of speech.
        QSignalSpy ready(pca, &ResidualPcaPanel::taggedReady);
        pca->loadTagged(testutil::sharedPath(QStringLiteral("probing/ud-en-ewt/en_ewt-ud-dev.conllu")), 15);
        QVERIFY(ready.wait(60000));
        QCOMPARE(ready.first().first().toBool(), true);
        QVERIFY(pca->showingTagged());
        QVERIFY(pca->taggedClasses().contains(QStringLiteral("NOUN")));
        QCOMPARE(pca->plot()->graphCount(), int(pca->taggedClasses().size()));
        const FigureData fd = pca->figureData();
        QVERIFY(fd.values.size() > 100);
        QCOMPARE(int(fd.values.front().size()), 2);
        QVERIFY(fd.rowLabels.front().contains(QLatin1Char('/'))); // word/UPOS
        QVERIFY(fd.rowLabels.front().size() > 2);
        pca->set3D(true);
        QCOMPARE(view->pointCount(), int(fd.values.size()));
        pca->set3D(false);
        // Standardised dimensions: the same words, other coordinates, still centred.
        pca->setStandardise(true);
        const FigureData st = pca->figureData();
        QCOMPARE(st.values.size(), fd.values.size());
        QVERIFY(st.values.front() != fd.values.front());
        double sum = 0;
        for (const auto &row : st.values)
            sum += row[0];
        QVERIFY(std::abs(sum / double(st.values.size())) < 1e-3);
        pca->setStandardise(false);
    }

    void contributionsAndExports()
    {
        auto *c = qobject_cast<ContributionsPanel *>(m_window->panel(QStringLiteral("ContributionsPanel")));
        const FigureData fd = c->figureData();
        QCOMPARE(int(fd.values.size()), 5);
        for (const auto &row : fd.values)
            for (double v : row)
                QVERIFY(v > 0);
        // The legend sits outside the data (it used to cover the layer-0 bars).
        c->plot()->replot();
        QVERIFY(c->plot()->legend->visible());
        QVERIFY(!c->plot()->legend->outerRect().intersects(c->plot()->axisRect()->rect()));
        QTemporaryDir dir;
        auto *pca = qobject_cast<ResidualPcaPanel *>(m_window->panel(QStringLiteral("ResidualPcaPanel")));
        auto *sim = qobject_cast<SimilarityPanel *>(m_window->panel(QStringLiteral("SimilarityPanel")));
        for (QWidget *w : std::initializer_list<QWidget *>{c->plot(), pca->plot(), sim->plot()})
            for (const char *ext : {"png", "svg", "pdf"}) {
                const QString p = dir.filePath(w->objectName() + QLatin1Char('.') + QLatin1String(ext));
                FigureExport::saveFigure(w, p, 500, 380);
                const QString problem = exportcheck::figureProblem(p, 500, 380);
                QVERIFY2(problem.isEmpty(), qPrintable(problem));
            }
        FigureExport::saveData(fd, dir.filePath(QStringLiteral("c.csv")));
        QFile csv(dir.filePath(QStringLiteral("c.csv")));
        QVERIFY(csv.open(QIODevice::ReadOnly));
        QCOMPARE(csv.readAll().trimmed().split('\n').size(), 6);
        const QString dataProblem = exportcheck::dataProblem(dir.filePath(QStringLiteral("c.csv")), fd);
        QVERIFY2(dataProblem.isEmpty(), qPrintable(dataProblem));

        // Direct effects (stories260K has 5 layers): embeddings + a row per layer, the plot drawn.
        const FigureData de = c->effectsData();
        QCOMPARE(int(de.values.size()), 6);
        QCOMPARE(c->effectsPlot()->plottableCount(), 3);
        c->setTargetToken(QStringLiteral(" the"));
        QVERIFY(c->effectsData().title.contains(QStringLiteral("token")));
        // Per head: the prompt is re-run with per-head outputs; one value per layer and head.
        QSignalSpy ready(c, &ContributionsPanel::headEffectsReady);
        c->computeHeadEffects();
        QVERIFY(ready.wait(20000));
        QCOMPARE(int(c->headEffects().size()), 5);
        QCOMPARE(int(c->headEffects().front().size()), 8); // stories260K: 8 heads
        QCOMPARE(c->headEffectsPlot()->plottableCount(), 1);
    }
};

STRATA_GUI_TEST_MAIN(TestResidualPanels)

#include "tst_residualpanels.moc"
