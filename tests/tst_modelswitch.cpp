// A stored run is never read with another model: after switching from gpt2-tiny to stories260K and
// reopening the gpt2-tiny run, the logit lens and next-token views say which model the run needs
// (instead of a raw tensor error over an old heatmap, or predictions decoded with the wrong
// vocabulary), and they come back once that model is loaded again.
#include "AppContext.h"

#include <QDir>
#include <QFileInfo>
#include "GuiTestMain.h"
#include "GuiTestUtil.h"
#include "TestUtil.h"
#include "analysis/Compare.h"
#include "panels/ComparePanel.h"
#include "panels/ContributionsPanel.h"
#include "panels/LogitLensPanel.h"
#include "tokenize/Tokenizer.h"
#include "panels/ModelPanel.h"
#include "panels/PromptPanel.h"
#include "panels/NextTokenPanel.h"

#include <QSignalSpy>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QTableWidget>

using namespace strata;

class TestModelSwitch : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;

private Q_SLOTS:
    void inductionTestBelongsToItsModel()
    {
        AppContext ctx;
        QVERIFY(testutil::loadAndWait(ctx, testutil::gpt2TinyDir()));
        QSignalSpy measured(&ctx, &AppContext::inductionChanged);
        ctx.requestInductionProbe();
        QTRY_VERIFY_WITH_TIMEOUT(ctx.induction() != nullptr, 30000);
        QCOMPARE(int(ctx.induction()->score.size()), 3); // gpt2-tiny: 3 layers
        QVERIFY(testutil::loadAndWait(ctx, testutil::sharedPath(QStringLiteral("models/stories260K/stories260K.gguf"))));
        QVERIFY(ctx.induction() == nullptr); // not the previous model's figures
        // Asked while the old model's test was still running, the new model still gets its own.
        QVERIFY(testutil::loadAndWait(ctx, testutil::gpt2TinyDir()));
        ctx.requestInductionProbe();
        QVERIFY(testutil::loadAndWait(ctx, testutil::sharedPath(QStringLiteral("models/stories260K/stories260K.gguf"))));
        ctx.requestInductionProbe();
        QTRY_VERIFY_WITH_TIMEOUT(ctx.induction() != nullptr, 30000);
        QCOMPARE(int(ctx.induction()->score.size()), 5); // stories260K: 5 layers
        QCOMPARE(int(ctx.induction()->score.front().size()), 8);
    }

    void modelPanelFollowsTheLoadedModel()
    {
        AppContext ctx;
        ModelPanel panel(&ctx);
        QVERIFY(testutil::loadAndWait(ctx, QStringLiteral("demo")));
        QVERIFY(testutil::loadAndWait(ctx, testutil::sharedPath(QStringLiteral("models/stories260K/stories260K.gguf"))));
        auto *list = panel.findChild<QListWidget *>();
        QVERIFY(list && list->currentItem());
        QVERIFY2(list->currentItem()->text().contains(QStringLiteral("stories260K")), qPrintable(list->currentItem()->text()));
        auto *estimate = panel.findChild<QLabel *>(QStringLiteral("modelEstimate"));
        QVERIFY(estimate);
        QVERIFY2(estimate->text().contains(QStringLiteral("5 layers")), qPrintable(estimate->text())); // not the demo model's 4
        // The same file opened through a relative path is still one recent entry.
        const QString relative = QDir::current().relativeFilePath(testutil::sharedPath(QStringLiteral("models/stories260K/stories260K.gguf")));
        QVERIFY(relative.startsWith(QLatin1String("..")));
        QVERIFY(testutil::loadAndWait(ctx, relative));
        const QString canonical = QFileInfo(testutil::sharedPath(QStringLiteral("models/stories260K/stories260K.gguf"))).canonicalFilePath();
        QStringList entries;
        for (int i = 0; i < list->count(); ++i) {
            const QString loc = list->item(i)->data(Qt::ToolTipRole).toString();
            if (QFileInfo(loc).canonicalFilePath() == canonical)
                entries << loc;
        }
        QVERIFY2(entries.size() == 1, qPrintable(entries.join(QStringLiteral(" | "))));
    }

    void continuingTracesTheContinuedPrompt()
    {
        AppContext ctx;
        PromptPanel prompt(&ctx);
        QVERIFY(testutil::loadAndWait(ctx, testutil::sharedPath(QStringLiteral("models/stories260K/stories260K.gguf"))));
        prompt.setPrompt(QStringLiteral("Once upon a time"));
        QSignalSpy traced(&ctx, &AppContext::traceChanged);
        prompt.run();
        QVERIFY(traced.wait(20000));
        const int before = ctx.trace()->tokenCount();
        QSignalSpy continued(&ctx, &AppContext::continuationReady);
        traced.clear();
        ctx.continuePrompt(prompt.prompt(), 5, 0.0, 40);
        QVERIFY(continued.wait(20000));
        // The views follow the continued text: the shown run is the prompt as it now reads.
        QTRY_VERIFY_WITH_TIMEOUT(ctx.trace() && ctx.trace()->prompt == prompt.prompt(), 20000);
        QVERIFY(ctx.trace()->tokenCount() > before);
    }

    void answersWithALeadingSpaceOnSentencePiece()
    {
        // " Lily" on stories260K is "▁" then "▁Lily": the word is scored, and the fields say so.
        AppContext ctx;
        ComparePanel compare(&ctx);
        ContributionsPanel contributions(&ctx);
        QVERIFY(testutil::loadAndWait(ctx, testutil::sharedPath(QStringLiteral("models/stories260K/stories260K.gguf"))));
        LoadedModel &m = *ctx.model();
        QCOMPARE(m.tokenizer().encode(QStringLiteral(" Lily"), false).size(), size_t(2));
        QCOMPARE(Compare::firstToken(m, QStringLiteral(" Lily")), Compare::firstToken(m, QStringLiteral("Lily")));
        QVERIFY(Compare::firstToken(m, QStringLiteral(" Lily")) != Compare::firstToken(m, QStringLiteral(" Ben")));
        compare.setAnswers(QStringLiteral(" Lily"), QStringLiteral(" Ben"));
        QVERIFY2(compare.answerTokensShown().contains(QStringLiteral("scored: ␣Lily")) && compare.answerTokensShown().contains(QStringLiteral("space")),
                 qPrintable(compare.answerTokensShown()));
        auto *target = contributions.findChild<QLineEdit *>(QStringLiteral("dlaTarget"));
        QVERIFY(target);
        target->setText(QStringLiteral(" Lily"));
        QVERIFY2(contributions.targetTokensShown().contains(QStringLiteral("scored: ␣Lily")), qPrintable(contributions.targetTokensShown()));
    }

    void storedRunOfAnotherModel()
    {
        AppContext ctx;
        QVERIFY(ctx.openWorkspace(m_dir.filePath(QStringLiteral("switch.strata"))));
        LogitLensPanel lens(&ctx);
        NextTokenPanel next(&ctx);
        QVERIFY(testutil::loadAndWait(ctx, testutil::gpt2TinyDir()));
        QSignalSpy traced(&ctx, &AppContext::traceChanged);
        ctx.runPrompt(QStringLiteral("When Mary and John went to the store"));
        QVERIFY(traced.wait(20000));
        QTRY_VERIFY_WITH_TIMEOUT(ctx.currentRunSaved(), 20000);
        const qint64 gptRun = ctx.currentRun();
        QTRY_VERIFY_WITH_TIMEOUT(lens.result() != nullptr, 20000);
        QVERIFY(next.table()->rowCount() > 0);

        QVERIFY(testutil::loadAndWait(ctx, testutil::sharedPath(QStringLiteral("models/stories260K/stories260K.gguf"))));
        QSignalSpy opened(&ctx, &AppContext::currentRunChanged);
        ctx.openRun(gptRun);
        QVERIFY(opened.wait(20000));
        QCOMPARE(ctx.trace()->model.family, QStringLiteral("gpt2"));
        QVERIFY(!ctx.modelMatchesTrace());
        QTRY_VERIFY_WITH_TIMEOUT(lens.status().contains(QStringLiteral("load that model")), 10000);
        QVERIFY(lens.result() == nullptr);
        QVERIFY2(!lens.status().contains(QStringLiteral("size of tensor")), qPrintable(lens.status()));
        QVERIFY2(next.headerText().contains(QStringLiteral("load that model")), qPrintable(next.headerText()));
        QCOMPARE(next.table()->rowCount(), 0);

        // The run's own model again (loading clears the shown run), the run reopened: both views come back.
        QVERIFY(testutil::loadAndWait(ctx, testutil::gpt2TinyDir()));
        opened.clear();
        ctx.openRun(gptRun);
        QVERIFY(opened.wait(20000));
        QVERIFY(ctx.modelMatchesTrace());
        QTRY_VERIFY_WITH_TIMEOUT(lens.result() != nullptr, 20000);
        QVERIFY(next.table()->rowCount() > 0);
    }
};

STRATA_GUI_TEST_MAIN(TestModelSwitch)
#include "tst_modelswitch.moc"
