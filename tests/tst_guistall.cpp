// The GUI thread keeps answering while a long prompt is traced and analysed: a 5 ms timer on the GUI
// thread records the longest gap between its ticks from Run until every job is done (trace, head
// scores, induction test) and the visible panels have drawn. The head atlas scored on the GUI thread
// once (a 25 s freeze after a 1,600-token trace); a hidden atlas now does no work at all.
//
// The figure is printed and written to docs/PERFORMANCE.md; the test fails only on a stall an order of
// magnitude above the 100 ms target, so a noisy shared machine cannot fail it, a freeze can.
#include "AppContext.h"
#include "GuiTestMain.h"
#include "GuiTestUtil.h"
#include "MainWindow.h"
#include "TestUtil.h"
#include "jobs/JobRunner.h"
#include "models/HeadScoresModel.h"
#include "panels/HeadAtlasPanel.h"

#include <QDockWidget>
#include <QElapsedTimer>
#include <QLabel>
#include <QSignalSpy>
#include <QTimer>

using namespace strata;

class TestGuiStall : public QObject
{
    Q_OBJECT

    struct StallMeter
    {
        QTimer timer;
        QElapsedTimer clock;
        qint64 last = 0, longest = 0;
        StallMeter()
        {
            timer.setInterval(5);
            QObject::connect(&timer, &QTimer::timeout, [this] {
                const qint64 now = clock.elapsed();
                longest = std::max(longest, now - last);
                last = now;
            });
            clock.start();
            timer.start();
        }
    };

    static QString longPrompt(int sentences)
    {
        QString text;
        const QStringList s = {QStringLiteral("Once upon a time, Lily saw a big dog in the park."),
                               QStringLiteral("She said hello and the dog wagged its tail."), QStringLiteral("Then they ran to the tree and played all day."),
                               QStringLiteral("At night Lily went home and told her mom.")};
        for (int i = 0; i < sentences; ++i)
            text += s[i % s.size()] + QLatin1Char(' ');
        return text.trimmed();
    }

private Q_SLOTS:
    void longTraceDoesNotFreezeTheWindow()
    {
        AppContext ctx;
        MainWindow window(&ctx);
        window.resize(1600, 1000);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QVERIFY(testutil::loadAndWait(ctx, testutil::sharedPath(QStringLiteral("models/stories260K/stories260K.gguf"))));
        QTRY_VERIFY_WITH_TIMEOUT(!ctx.jobs()->isBusy(), 60000);
        auto *atlas = qobject_cast<HeadAtlasPanel *>(window.panel(QStringLiteral("HeadAtlasPanel")));
        QVERIFY(atlas);
        window.dock(QStringLiteral("HeadAtlasPanel"))->raise();

        const QString prompt = longPrompt(40); // ~500 tokens, near stories260K's 512-token context
        StallMeter meter;
        QSignalSpy traced(&ctx, &AppContext::traceChanged);
        QSignalSpy scored(atlas, &HeadAtlasPanel::scored);
        ctx.runPrompt(prompt);
        QVERIFY(traced.wait(120000));
        QTRY_VERIFY_WITH_TIMEOUT(scored.count() > 0, 120000);
        QTRY_VERIFY_WITH_TIMEOUT(!ctx.jobs()->isBusy(), 120000);
        QTest::qWait(200); // the last deliveries and repaints
        const int tokens = ctx.trace()->tokenCount();
        qInfo("trace of %d tokens with every panel open: longest GUI-thread stall %lld ms", tokens, meter.longest);
        QVERIFY(tokens > 400);
        QCOMPARE(atlas->model()->rowCount(), 5 * 8);
        QVERIFY2(meter.longest < 1000, qPrintable(QStringLiteral("the GUI thread stalled for %1 ms").arg(meter.longest)));
    }

    void hiddenAtlasDoesNoWork()
    {
        AppContext ctx;
        HeadAtlasPanel atlas(&ctx);
        QVERIFY(testutil::loadAndWait(ctx, testutil::sharedPath(QStringLiteral("models/stories260K/stories260K.gguf"))));
        QSignalSpy traced(&ctx, &AppContext::traceChanged);
        QSignalSpy scored(&atlas, &HeadAtlasPanel::scored);
        ctx.runPrompt(QStringLiteral("Once upon a time, Lily saw a big dog."));
        QVERIFY(traced.wait(30000));
        QTRY_VERIFY_WITH_TIMEOUT(!ctx.jobs()->isBusy(), 60000);
        QVERIFY(!atlas.scoring());
        QCOMPARE(scored.count(), 0);
        QCOMPARE(atlas.model()->rowCount(), 0);
        auto *status = atlas.findChild<QLabel *>(QStringLiteral("atlasStatus"));
        QVERIFY(status);
        atlas.show(); // shown: it scores the current run
        QVERIFY(status->text().startsWith(QLatin1String("Scoring the heads")));
        QVERIFY(scored.wait(30000));
        QCOMPARE(atlas.model()->rowCount(), 5 * 8);
        QVERIFY2(status->text().startsWith(QLatin1String("Scores from the current run")), qPrintable(status->text()));
    }
};

STRATA_GUI_TEST_MAIN(TestGuiStall)
#include "tst_guistall.moc"
