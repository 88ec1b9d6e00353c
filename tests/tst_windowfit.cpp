// The main window fits a 1600x1000 screen whichever panel is in front, in English and in Chinese
// (it used to grow past it in Compare and in Chinese, pushing the status bar's progress off screen).
#include "AppContext.h"
#include "GuiTestMain.h"
#include "GuiTestUtil.h"
#include "LanguageManager.h"
#include "MainWindow.h"
#include "PanelRegistry.h"
#include "TestUtil.h"

#include <QDockWidget>
#include <QSignalSpy>
#include <QTableWidget>
#include <qcustomplot.h>

using namespace strata;

class TestWindowFit : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void everyPanelFits_data()
    {
        QTest::addColumn<QString>("language");
        QTest::newRow("en") << QStringLiteral("en");
        QTest::newRow("zh_CN") << QStringLiteral("zh_CN");
    }

    void everyPanelFits()
    {
        QFETCH(QString, language);
        QVERIFY(LanguageManager::setLanguage(language));
        AppContext ctx;
        MainWindow w(&ctx);
        w.resize(1600, 1000);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QVERIFY(testutil::loadAndWait(ctx, testutil::sharedPath(QStringLiteral("models/stories260K/stories260K.gguf"))));
        QSignalSpy traced(&ctx, &AppContext::traceChanged);
        ctx.runPrompt(QStringLiteral("Lily had a big dog. One day, Lily took her big dog to the park. The dog ran and ran."));
        QVERIFY(traced.wait(30000));
        QStringList tooBig;
        for (const PanelInfo &info : PanelRegistry::panels()) {
            QDockWidget *d = w.dock(info.id);
            QVERIFY(d);
            d->show();
            d->raise();
            QTest::qWait(30);
            // Its size, and the smallest size its layout allows (what a window manager would have to give it).
            const QSize least = w.minimumSizeHint().expandedTo(w.minimumSize());
            if (w.width() > 1600 || w.height() > 1000 || least.width() > 1600 || least.height() > 1000)
                tooBig << QStringLiteral("%1 (%2x%3, at least %4x%5)").arg(info.id).arg(w.width()).arg(w.height()).arg(least.width()).arg(least.height());
        }
        // Before a first run the plots keep their size (an empty legend squeezed their axes to 50 px),
        // Compare's views by layer have room under the heatmaps and the confusion matrix is readable.
        QStringList squeezed;
        for (const char *id : {"SimilarityPanel", "ComparePanel", "ProbePanel", "DatasetPanel"}) {
            w.dock(QString::fromLatin1(id))->raise();
            QTest::qWait(50);
            for (QCustomPlot *p : w.dock(QString::fromLatin1(id))->findChildren<QCustomPlot *>()) {
                if (!p->isVisible() || p->axisRectCount() == 0)
                    continue;
                p->replot();
                if (p->axisRect()->width() < p->width() / 2 || p->width() < 250 || p->height() < 180)
                    squeezed << QStringLiteral("%1/%2: %3x%4 plot, %5x%6 axes")
                                    .arg(QString::fromLatin1(id), p->objectName())
                                    .arg(p->width())
                                    .arg(p->height())
                                    .arg(p->axisRect()->width())
                                    .arg(p->axisRect()->height());
            }
        }
        auto *confusion = w.findChild<QCustomPlot *>(QStringLiteral("confusionPlot"));
        QVERIFY(confusion);
        QVERIFY2(confusion->width() >= 300 && confusion->height() >= 250, qPrintable(QStringLiteral("%1x%2").arg(confusion->width()).arg(confusion->height())));
        // Next token shows at least its top three predictions (it showed two rows).
        auto *next = w.findChild<QTableWidget *>(QStringLiteral("nextTokenTable"));
        QVERIFY(next);
        w.dock(QStringLiteral("NextTokenPanel"))->raise();
        QTest::qWait(30);
        const int rows = next->viewport()->height() / next->rowHeight(0);
        LanguageManager::setLanguage(QStringLiteral("en"));
        QVERIFY2(rows >= 3, qPrintable(QString::number(rows)));
        QVERIFY2(tooBig.isEmpty(), qPrintable(tooBig.join(QStringLiteral(", "))));
        QVERIFY2(squeezed.isEmpty(), qPrintable(squeezed.join(QStringLiteral("; "))));
    }
};

STRATA_GUI_TEST_MAIN(TestWindowFit)
#include "tst_windowfit.moc"
