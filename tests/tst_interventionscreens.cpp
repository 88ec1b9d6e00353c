// The intervention panels, and Compare with the same prompt at f32 and bf16, in the main window at
// 1600x1000, in English and Chinese, on stories260K:
// the window must not grow past the screen, and with STRATA_SCREENSHOT_DIR set the windows are saved
// as PNG files to look at.
#include "AppContext.h"
#include "GuiTestMain.h"
#include "LanguageManager.h"
#include "MainWindow.h"
#include "TestUtil.h"
#include "panels/AblationPanel.h"
#include "panels/ComparePanel.h"
#include "panels/PatchingPanel.h"

#include <QDockWidget>
#include <QSignalSpy>

using namespace strata;

class TestInterventionScreens : public QObject
{
    Q_OBJECT

    static void save(QWidget &w, const QString &name)
    {
        const QString dir = qEnvironmentVariable("STRATA_SCREENSHOT_DIR");
        if (!dir.isEmpty())
            QVERIFY(w.grab().save(QDir(dir).filePath(name)));
    }

private Q_SLOTS:
    void panelsFitAndShowTheirResults_data()
    {
        QTest::addColumn<QString>("language");
        QTest::newRow("en") << QStringLiteral("en");
        QTest::newRow("zh_CN") << QStringLiteral("zh_CN");
    }

    void panelsFitAndShowTheirResults()
    {
        QFETCH(QString, language);
        QVERIFY(LanguageManager::setLanguage(language));
        AppContext ctx;
        MainWindow w(&ctx);
        w.resize(1600, 1000);
        w.show();
        QSignalSpy loaded(&ctx, &AppContext::modelChanged);
        ctx.loadModel(testutil::sharedPath(QStringLiteral("models/stories260K/stories260K.gguf")));
        QVERIFY(loaded.wait(30000));
        QSignalSpy traced(&ctx, &AppContext::traceChanged);
        const QString clean = QStringLiteral("Lily had a big dog. One day, Lily took her big dog to the park. The");
        ctx.runPrompt(clean);
        QVERIFY(traced.wait(30000));

        auto *patching = qobject_cast<PatchingPanel *>(w.panel(QStringLiteral("PatchingPanel")));
        QVERIFY(patching);
        w.dock(QStringLiteral("PatchingPanel"))->show();
        w.dock(QStringLiteral("PatchingPanel"))->raise();
        patching->setPrompts(clean, QStringLiteral("Lily had a big cat. One day, Lily took her big cat to the park. The"));
        patching->setAnswers(QStringLiteral("dog"), QStringLiteral("cat"));
        patching->setSite(PatchingRequest::SiteKind::ResidPre);
        patching->setAttribution(true);
        QSignalSpy done(patching, &PatchingPanel::finished);
        patching->runSweep();
        QVERIFY(done.wait(60000));
        QVERIFY(done.first().first().toBool());
        QTest::qWait(50);
        save(w, QStringLiteral("patching-%1.png").arg(language));
        QVERIFY2(w.width() <= 1600 && w.height() <= 1000, qPrintable(QStringLiteral("%1x%2").arg(w.width()).arg(w.height())));

        auto *ablation = qobject_cast<AblationPanel *>(w.panel(QStringLiteral("AblationPanel")));
        QVERIFY(ablation);
        w.dock(QStringLiteral("AblationPanel"))->show();
        w.dock(QStringLiteral("AblationPanel"))->raise();
        ablation->setHeads(QStringLiteral("1.2,1.3,1.4,1.5,2.0"));
        QSignalSpy ablated(ablation, &AblationPanel::ablated);
        ablation->ablate();
        QVERIFY(ablated.wait(30000));
        QVERIFY(ablated.first().first().toBool());
        QTest::qWait(50);
        save(w, QStringLiteral("ablation-%1.png").arg(language));
        QVERIFY2(w.width() <= 1600 && w.height() <= 1000, qPrintable(QStringLiteral("%1x%2").arg(w.width()).arg(w.height())));

        auto *compare = qobject_cast<ComparePanel *>(w.panel(QStringLiteral("ComparePanel")));
        QVERIFY(compare);
        w.dock(QStringLiteral("ComparePanel"))->show();
        w.dock(QStringLiteral("ComparePanel"))->raise();
        compare->setPromptB(clean);
        compare->setComputeB(QStringLiteral("bf16"));
        QSignalSpy compared(compare, &ComparePanel::finished);
        compare->compare();
        QVERIFY(compared.wait(30000));
        QVERIFY(compared.first().first().toBool());
        QVERIFY(!compare->precision().isEmpty());
        QTest::qWait(50);
        save(w, QStringLiteral("compare-precision-%1.png").arg(language));
        QVERIFY2(w.width() <= 1600 && w.height() <= 1000, qPrintable(QStringLiteral("%1x%2").arg(w.width()).arg(w.height())));
        LanguageManager::setLanguage(QStringLiteral("en"));
    }
};

STRATA_GUI_TEST_MAIN(TestInterventionScreens)
#include "tst_interventionscreens.moc"
