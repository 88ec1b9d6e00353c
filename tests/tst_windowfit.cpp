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
        // Next token shows at least its top three predictions (it showed two rows).
        auto *next = w.findChild<QTableWidget *>(QStringLiteral("nextTokenTable"));
        QVERIFY(next);
        w.dock(QStringLiteral("NextTokenPanel"))->raise();
        QTest::qWait(30);
        const int rows = next->viewport()->height() / next->rowHeight(0);
        LanguageManager::setLanguage(QStringLiteral("en"));
        QVERIFY2(rows >= 3, qPrintable(QString::number(rows)));
        QVERIFY2(tooBig.isEmpty(), qPrintable(tooBig.join(QStringLiteral(", "))));
    }
};

STRATA_GUI_TEST_MAIN(TestWindowFit)
#include "tst_windowfit.moc"
