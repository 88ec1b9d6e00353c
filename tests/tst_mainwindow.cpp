#include "GuiTestMain.h"
#include "ExportCheck.h"
#include "TestUtil.h"

#include "AboutDialog.h"
#include "AppContext.h"
#include "FigureExport.h"
#include "LanguageManager.h"
#include "MainWindow.h"
#include "PanelRegistry.h"
#include "ProgressText.h"
#include "jobs/JobRunner.h"
#include "panels/AttentionPanel.h"
#include "panels/NextTokenPanel.h"
#include "panels/PromptPanel.h"
#include "panels/TokenStrip.h"

#include <QApplication>
#include <QDialogButtonBox>
#include <QDockWidget>
#include <QLabel>
#include <QMenuBar>
#include <QPlainTextEdit>
#include <QSignalSpy>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QToolTip>
#include <QtTest>

#include <atomic>
#include <thread>

#include <qcustomplot.h>

using namespace strata;

class TestMainWindow : public QObject
{
    Q_OBJECT

    static void loadTiny(AppContext &ctx)
    {
        QSignalSpy changed(&ctx, &AppContext::modelChanged);
        ctx.loadModel(testutil::gpt2TinyDir());
        QVERIFY(changed.wait(20000));
        QVERIFY(ctx.hasModel());
    }

private Q_SLOTS:
    // Core's English progress messages reach the status bar in the UI language.
    void progressTextIsTranslated()
    {
        QVERIFY(LanguageManager::setLanguage(QStringLiteral("zh_CN")));
        const QString layer = localizedProgress(QStringLiteral("Layer 4"));
        const QString sentence = localizedProgress(QStringLiteral("Sentence 3/40"));
        const QString probing = localizedProgress(QStringLiteral("Probing upos, layer 2/5"));
        QVERIFY(LanguageManager::setLanguage(QStringLiteral("en")));
        QVERIFY2(layer != QLatin1String("Layer 4") && layer.contains(QLatin1Char('4')), qPrintable(layer));
        QVERIFY2(!sentence.contains(QLatin1String("Sentence")) && sentence.contains(QLatin1String("3")) && sentence.contains(QLatin1String("40")),
                 qPrintable(sentence));
        QVERIFY2(probing.contains(QLatin1String("upos")) && !probing.contains(QLatin1String("Probing")), qPrintable(probing));
        QCOMPARE(localizedProgress(QStringLiteral("Layer 4")), QStringLiteral("Layer 4"));
        QCOMPARE(localizedProgress(QStringLiteral("model.safetensors")), QStringLiteral("model.safetensors")); // a file name passes as it is
    }

    void everyPanelIsADock()
    {
        AppContext ctx;
        MainWindow w(&ctx);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QCOMPARE(w.panelIds().size(), PanelRegistry::panels().size());
        for (const PanelInfo &info : PanelRegistry::panels()) {
            QDockWidget *d = w.dock(info.id);
            QVERIFY2(d, qPrintable(info.id));
            QCOMPARE(d->objectName(), info.id);
            QVERIFY(d->isVisible());
            QVERIFY(!d->windowTitle().isEmpty());
            QVERIFY(w.panel(info.id));
            QVERIFY(w.findChild<QAction *>(QStringLiteral("toggle") + info.id));
        }
        // Every menu the issue names exists, and every action with a shortcut is in a menu.
        QStringList menus;
        for (QAction *a : w.menuBar()->actions())
            menus << a->text().remove(QLatin1Char('&'));
        QCOMPARE(menus, (QStringList{QStringLiteral("File"), QStringLiteral("Edit"), QStringLiteral("View"), QStringLiteral("Run"), QStringLiteral("Help")}));
        QVERIFY(w.shortcutActions().size() >= 20);
    }

    void layoutIsSavedRestoredAndReset()
    {
        AppContext ctx;
        {
            MainWindow w(&ctx);
            w.show();
            QVERIFY(QTest::qWaitForWindowExposed(&w));
            w.dock(QStringLiteral("LogPanel"))->hide();
            w.saveLayout();
        }
        MainWindow w2(&ctx);
        QVERIFY(w2.restoreLayout());
        w2.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w2));
        QVERIFY(!w2.dock(QStringLiteral("LogPanel"))->isVisible());
        QVERIFY(w2.dock(QStringLiteral("AttentionPanel"))->isVisible());
        w2.resetLayout();
        QVERIFY(w2.dock(QStringLiteral("LogPanel"))->isVisible());
    }

    void languageSwitchRetranslatesOpenWindows()
    {
        AppContext ctx;
        MainWindow w(&ctx);
        w.show();
        const QString english = w.dock(QStringLiteral("AttentionPanel"))->windowTitle();
        QCOMPARE(english, QStringLiteral("Attention"));
        QVERIFY(LanguageManager::setLanguage(QStringLiteral("zh_CN")));
        QTRY_COMPARE(w.dock(QStringLiteral("AttentionPanel"))->windowTitle(), QStringLiteral("注意力"));
        QTRY_COMPARE(w.menuBar()->actions().at(0)->text(), QStringLiteral("文件(&F)"));
        auto *prompt = qobject_cast<PromptPanel *>(w.panel(QStringLiteral("PromptPanel")));
        QTRY_COMPARE(prompt->findChild<QPushButton *>(QStringLiteral("runButton"))->text(), QStringLiteral("运行"));
        // Qt's own dialogs and buttons too (qtbase_zh_CN from qt6-translations-l10n, installed by setup-debian.sh).
        QDialogButtonBox buttons(QDialogButtonBox::Cancel);
        QCOMPARE(buttons.button(QDialogButtonBox::Cancel)->text(), QStringLiteral("取消"));
        QVERIFY(LanguageManager::setLanguage(QStringLiteral("en")));
        QTRY_COMPARE(w.dock(QStringLiteral("AttentionPanel"))->windowTitle(), english);
    }

    void promptRunReachesEveryPanel()
    {
        AppContext ctx;
        MainWindow w(&ctx);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        loadTiny(ctx);
        auto *prompt = qobject_cast<PromptPanel *>(w.panel(QStringLiteral("PromptPanel")));
        QPlainTextEdit *editor = prompt->editor();
        editor->setFocus();
        QTest::keyClicks(editor, QStringLiteral("Hello  world"));
        auto *count = prompt->findChild<QLabel *>(QStringLiteral("tokenCount"));
        QTRY_COMPARE(count->text(), QStringLiteral("3 / 128 tokens")); // tokenised as you type
        QTRY_COMPARE(prompt->tokenStrip()->count(), 3);

        QSignalSpy traced(&ctx, &AppContext::traceChanged);
        QTest::keyClick(editor, Qt::Key_Return, Qt::ControlModifier);
        QVERIFY(traced.wait(20000));
        const TracePtr t = ctx.trace();
        QVERIFY(t);
        QCOMPARE(t->tokenIds(), (std::vector<int64_t>{15496, 220, 995}));
        QCOMPARE(ctx.token(), 2); // the last token is selected
        // Listening panels received the trace.
        auto *attn = qobject_cast<AttentionPanel *>(w.panel(QStringLiteral("AttentionPanel")));
        QVERIFY(attn->redraw());
        QCOMPARE(attn->figureData().values.size(), size_t(3));
        auto *next = qobject_cast<NextTokenPanel *>(w.panel(QStringLiteral("NextTokenPanel")));
        QCOMPARE(next->table()->rowCount(), 10);

        // Clicking a token selects it everywhere.
        TokenStrip *strip = prompt->tokenStrip();
        QTest::mouseClick(strip, Qt::LeftButton, {}, strip->chipRect(0).center());
        QCOMPARE(ctx.token(), 0);
        QCOMPARE(strip->selected(), 0);
        // Keyboard navigation of heads and layers from anywhere.
        w.action(QStringLiteral("nextHead"))->trigger();
        QCOMPARE(ctx.head(), 1);
        w.action(QStringLiteral("nextLayer"))->trigger();
        QCOMPARE(ctx.layer(), 1);
        for (int i = 0; i < 20; ++i)
            w.action(QStringLiteral("nextHead"))->trigger();
        QCOMPARE(ctx.layer(), 2); // walks on past the last head into the next layer, and stops at the end
        QCOMPARE(ctx.head(), 3);
        QCOMPARE(w.findChild<QSpinBox *>(QStringLiteral("headSpin"))->value(), 3);
    }

    void emptyPlotsSayWhatToDo()
    {
        // Before any run, the plots show what to do instead of bare axes; the message goes with the data.
        AppContext ctx;
        MainWindow w(&ctx);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        auto placeholder = [&](const QString &panel) -> QString {
            for (QCustomPlot *plot : w.panel(panel)->findChildren<QCustomPlot *>())
                if (auto *item = plot->findChild<QCPItemText *>(QStringLiteral("placeholder")))
                    return item->text();
            return QString();
        };
        for (const char *panel : {"AttentionPanel", "LogitLensPanel", "ResidualPcaPanel", "HeadAtlasPanel"})
            QVERIFY2(placeholder(QString::fromLatin1(panel)).startsWith(QLatin1String("Run a prompt")), panel);
        loadTiny(ctx);
        QSignalSpy traced(&ctx, &AppContext::traceChanged);
        ctx.runPrompt(QStringLiteral("Hello world, this is a test"));
        QVERIFY(traced.wait(20000));
        for (const char *panel : {"AttentionPanel", "ResidualPcaPanel"})
            QVERIFY2(placeholder(QString::fromLatin1(panel)).isEmpty(), panel);
    }

    void attentionTooltipShowsTheCell()
    {
        // A resting mouse on the heatmap shows the cell's weight, not the dock's general tooltip.
        AppContext ctx;
        MainWindow w(&ctx);
        w.resize(1400, 900);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        loadTiny(ctx);
        QSignalSpy traced(&ctx, &AppContext::traceChanged);
        ctx.runPrompt(QStringLiteral("Hello world, hello"));
        QVERIFY(traced.wait(20000));
        w.dock(QStringLiteral("AttentionPanel"))->raise();
        auto *attn = qobject_cast<AttentionPanel *>(w.panel(QStringLiteral("AttentionPanel")));
        QVERIFY(attn->redraw());
        auto *plot = attn->findChild<QCustomPlot *>();
        QVERIFY(plot);
        QTRY_VERIFY(plot->isVisible());
        plot->replot();
        const QPoint cell(int(plot->xAxis->coordToPixel(0)), int(plot->yAxis->coordToPixel(2)));
        QHelpEvent help(QEvent::ToolTip, cell, plot->mapToGlobal(cell));
        QCoreApplication::sendEvent(plot, &help);
        QTRY_VERIFY2(QToolTip::text().contains(QStringLiteral("weight")), qPrintable(QToolTip::text()));
        QVERIFY(QToolTip::text().contains(QStringLiteral("query #2")));
        QToolTip::hideText();
    }

    void cancellingKeepsThePreviousRun()
    {
        AppContext ctx;
        MainWindow w(&ctx);
        loadTiny(ctx);
        QSignalSpy traced(&ctx, &AppContext::traceChanged);
        ctx.runPrompt(QStringLiteral("The first run"));
        QVERIFY(traced.wait(20000));
        const TracePtr first = ctx.trace();
        QVERIFY(first);
        // Occupy the worker so the next run is still queued (a long run), then cancel it.
        std::atomic<bool> release{false};
        QObject holder;
        ctx.jobs()->submit(QString(), QStringLiteral("blocker"),
                           [&](JobControl &) {
                               while (!release)
                                   std::this_thread::sleep_for(std::chrono::milliseconds(5));
                               return QVariant();
                           },
                           &holder, {});
        QSignalSpy cancelled(&ctx, &AppContext::runCancelled);
        ctx.runPrompt(QStringLiteral("A second run that will be cancelled"));
        QVERIFY(ctx.isRunning());
        w.action(QStringLiteral("cancelJob"))->trigger();
        release = true;
        QVERIFY(cancelled.wait(5000));
        QCOMPARE(ctx.trace().get(), first.get());
        QCOMPARE(ctx.trace()->prompt, QStringLiteral("The first run"));
        QVERIFY(!ctx.isRunning());
    }

    void runErrorsAreShownNotCrashing()
    {
        AppContext ctx;
        MainWindow w(&ctx);
        QSignalSpy failed(&ctx, &AppContext::runFailed);
        ctx.runPrompt(QStringLiteral("no model yet"));
        QCOMPARE(failed.count(), 1);
        loadTiny(ctx);
        QString longPrompt;
        for (int i = 0; i < 200; ++i)
            longPrompt += QStringLiteral(" x");
        ctx.runPrompt(longPrompt);
        QVERIFY(failed.wait(10000));
        QVERIFY(failed.last().at(0).toString().contains(QStringLiteral("at most 128")));
        QSignalSpy loadFailed(&ctx, &AppContext::modelLoadFailed);
        ctx.loadModel(QStringLiteral("/no/such/model"));
        QVERIFY(loadFailed.wait(10000));
        QVERIFY(ctx.hasModel()); // the loaded model stays
    }

    void aboutAndPluginDialogs()
    {
        QVERIFY(AboutDialog::versionReport().contains(QStringLiteral("libtorch 1.13")));
        QVERIFY(AboutDialog::versionReport().contains(QStringLiteral("Threads:")));
        PluginsDialog d;
        auto *table = d.findChild<QTableWidget *>(QStringLiteral("pluginTable"));
        QVERIFY(table);
        QStringList families;
        for (int r = 0; r < table->rowCount(); ++r)
            families << table->item(r, 0)->text();
        QVERIFY(families.contains(QStringLiteral("gpt2")));
    }

    void figuresExport()
    {
        AppContext ctx;
        MainWindow w(&ctx);
        w.show();
        loadTiny(ctx);
        QSignalSpy traced(&ctx, &AppContext::traceChanged);
        ctx.runPrompt(QStringLiteral("A B C"));
        QVERIFY(traced.wait(20000));
        auto *attn = qobject_cast<AttentionPanel *>(w.panel(QStringLiteral("AttentionPanel")));
        QTemporaryDir dir;
        for (const char *name : {"a.png", "a.pdf"}) {
            const QString p = dir.filePath(QString::fromLatin1(name));
            FigureExport::savePlot(attn->plot(), p, 400, 300);
            const QString problem = exportcheck::figureProblem(p, 400, 300);
            QVERIFY2(problem.isEmpty(), qPrintable(problem));
        }
        const FigureData fd = attn->figureData();
        FigureExport::saveData(fd, dir.filePath(QStringLiteral("a.csv")));
        QFile csv(dir.filePath(QStringLiteral("a.csv")));
        QVERIFY(csv.open(QIODevice::ReadOnly));
        const QList<QByteArray> lines = csv.readAll().trimmed().split('\n');
        QCOMPARE(lines.size(), 1 + ctx.trace()->tokenCount());
        QCOMPARE(lines[1].split(',').value(1).toDouble(), 1.0); // the first token attends only to itself
        const QString dataProblem = exportcheck::dataProblem(dir.filePath(QStringLiteral("a.csv")), fd);
        QVERIFY2(dataProblem.isEmpty(), qPrintable(dataProblem));
        QVERIFY_THROWS_EXCEPTION(Error, FigureExport::saveData(fd, dir.filePath(QStringLiteral("a.xyz"))));

        // An exported figure says what it is, of which model and prompt; the caption is drawn on it.
        const QString caption = FigureExport::caption(attn->plot(), fd.title);
        QVERIFY2(caption.startsWith(fd.title + QStringLiteral(" — ") + ctx.trace()->model.name), qPrintable(caption));
        QVERIFY2(caption.endsWith(QStringLiteral("“A B C”")), qPrintable(caption));
        const QString svg = dir.filePath(QStringLiteral("titled.svg"));
        FigureExport::savePlot(attn->plot(), svg, 400, 300, caption);
        QFile svgFile(svg);
        QVERIFY(svgFile.open(QIODevice::ReadOnly));
        QVERIFY(QString::fromUtf8(svgFile.readAll()).contains(ctx.trace()->model.name));
        QCOMPARE(attn->plot()->plotLayout()->rowCount(), 1); // the caption row is gone again from the panel's plot
        const QString png = dir.filePath(QStringLiteral("titled.png"));
        auto *strip = qobject_cast<PromptPanel *>(w.panel(QStringLiteral("PromptPanel")))->tokenStrip();
        FigureExport::saveFigure(strip, png, 0, 0, caption); // a widget that paints itself: a strip on top
        QVERIFY(QImage(png).height() > strip->grab().height());
    }
};

STRATA_GUI_TEST_MAIN(TestMainWindow)

#include "tst_mainwindow.moc"
