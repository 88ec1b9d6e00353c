// The session browser: the item models (checked by QAbstractItemModelTester), the filters, every
// edit with Undo/Redo, and runs saved as they are made and reopened in the panels.
#include "AppContext.h"
#include "GuiTestMain.h"
#include "TestUtil.h"
#include "commands/StoreCommand.h"
#include "jobs/JobRunner.h"
#include "models/SessionTreeModel.h"
#include "panels/SessionsPanel.h"
#include "panels/SimilarityPanel.h"
#include "store/TraceCodec.h"
#include "store/Workspace.h"
#include "util/Error.h"

#include <QAbstractItemModelTester>
#include <QJsonArray>
#include <QSignalSpy>
#include <QTreeView>

using namespace strata;

class TestSessionBrowser : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;

    static RunRecord run(qint64 session, const QString &prompt, const QString &model, const QDateTime &created, const QStringList &tags = {})
    {
        RunRecord r;
        r.sessionId = session;
        r.modelLocation = model;
        r.modelName = model;
        r.prompt = prompt;
        r.tokenCount = 5;
        r.created = created;
        r.tags = tags;
        return r;
    }

    // Waits until the context has a saved current run (the save is encoded on the worker).
    static bool waitForSavedRun(AppContext &ctx, int ms = 20000)
    {
        QElapsedTimer t;
        t.start();
        while (!ctx.currentRunSaved() && t.elapsed() < ms)
            QTest::qWait(20);
        return ctx.currentRunSaved();
    }

private Q_SLOTS:
    void modelAndProxyPassTheTester()
    {
        Workspace ws(m_dir.filePath(QStringLiteral("models.strata")));
        const QDateTime now = QDateTime::currentDateTimeUtc();
        const qint64 a = ws.createSession(QStringLiteral("Induction"), QStringLiteral("repeated random tokens"));
        const qint64 b = ws.createSession(QStringLiteral("IOI"));
        ws.createSession(QStringLiteral("Empty"));
        ws.addRun(run(a, QStringLiteral("A B C A B"), QStringLiteral("gpt2"), now.addDays(-30), {QStringLiteral("induction")}));
        ws.addRun(run(a, QStringLiteral("x y z x y"), QStringLiteral("stories260K"), now));
        ws.addRun(
            run(b, QStringLiteral("When Mary and John went to the store"), QStringLiteral("gpt2"), now, {QStringLiteral("ioi"), QStringLiteral("clean")}));

        SessionTreeModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        SessionFilterProxy proxy;
        proxy.setSourceModel(&model);
        QAbstractItemModelTester proxyTester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setWorkspace(&ws);
        QCOMPARE(model.rowCount(), 3);
        const QModelIndex s0 = model.index(0, 0);
        QCOMPARE(s0.data().toString(), QStringLiteral("Induction"));
        QCOMPARE(model.rowCount(s0), 2);
        QCOMPARE(model.index(0, SessionTreeModel::TagsColumn, s0).data().toString(), QStringLiteral("induction"));
        QCOMPARE(model.parent(model.index(1, 0, s0)), s0);
        QVERIFY(model.flags(s0) & Qt::ItemIsEditable);
        QVERIFY(!(model.flags(model.index(0, 0, s0)) & Qt::ItemIsEditable));

        // A rename in place is a request, not a write.
        QSignalSpy rename(&model, &SessionTreeModel::renameRequested);
        QVERIFY(model.setData(s0, QStringLiteral("Induction heads")));
        QCOMPARE(rename.count(), 1);
        QCOMPARE(ws.session(a).name, QStringLiteral("Induction"));

        // Filters: text (in prompts and session names), tag, model, date.
        auto visibleRuns = [&proxy] {
            QStringList out;
            for (int i = 0; i < proxy.rowCount(); ++i)
                for (int j = 0; j < proxy.rowCount(proxy.index(i, 0)); ++j)
                    out << proxy.index(j, 0, proxy.index(i, 0)).data().toString();
            return out;
        };
        QCOMPARE(proxy.rowCount(), 3);
        proxy.setText(QStringLiteral("mary"));
        QCOMPARE(proxy.rowCount(), 1);
        QCOMPARE(visibleRuns(), QStringList{QStringLiteral("When Mary and John went to the store")});
        proxy.setText(QStringLiteral("repeated random")); // a session's description shows all its runs
        QCOMPARE(visibleRuns().size(), 2);
        // Notes are searched too.
        ws.addAnnotation(AnnotationRecord{0,
                                          model.index(0, 0, model.index(1, 0)).data(SessionTreeModel::IdRole).toLongLong(),
                                          -1,
                                          -1,
                                          -1,
                                          -1,
                                          QStringLiteral("name mover heads here"),
                                          {},
                                          {}});
        model.reload();
        proxy.setText(QStringLiteral("name mover"));
        QCOMPARE(visibleRuns(), QStringList{QStringLiteral("When Mary and John went to the store")});
        proxy.setText(QString());
        proxy.setTag(QStringLiteral("ioi"));
        QCOMPARE(visibleRuns(), QStringList{QStringLiteral("When Mary and John went to the store")});
        proxy.setTag(QString());
        proxy.setModelName(QStringLiteral("gpt2"));
        QCOMPARE(visibleRuns().size(), 2);
        proxy.setSince(QDate::currentDate().addDays(-7));
        QCOMPARE(visibleRuns(), QStringList{QStringLiteral("When Mary and John went to the store")});
        proxy.setModelName(QString());
        QCOMPARE(visibleRuns().size(), 2);
        proxy.setSince(QDate());
        QCOMPARE(proxy.rowCount(), 3);

        // Reload after changes keeps the tester happy.
        ws.moveRun(model.index(0, 0, model.index(0, 0)).data(SessionTreeModel::IdRole).toLongLong(), b);
        model.reload();
        QCOMPARE(model.rowCount(model.index(1, 0)), 2);
    }

    void everyEditUndoes()
    {
        AppContext ctx;
        QVERIFY(ctx.openWorkspace(m_dir.filePath(QStringLiteral("undo.strata"))));
        Workspace *ws = ctx.workspace();
        SessionsPanel panel(&ctx);
        QAbstractItemModelTester tester(panel.model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QUndoStack *undo = ctx.undoStack();

        const qint64 s1 = panel.newSession(QStringLiteral("First"));
        QVERIFY(s1);
        QCOMPARE(panel.model()->rowCount(), 1);
        undo->undo();
        QCOMPARE(ws->sessions().size(), 0);
        QCOMPARE(panel.model()->rowCount(), 0);
        undo->redo();
        QCOMPARE(ws->sessions().size(), 1);
        QCOMPARE(ws->sessions().first().id, s1);

        QVERIFY(panel.renameSession(s1, QStringLiteral("Renamed")));
        QCOMPARE(ws->session(s1).name, QStringLiteral("Renamed"));
        undo->undo();
        QCOMPARE(ws->session(s1).name, QStringLiteral("First"));
        undo->redo();

        const qint64 r = ws->addRun(run(s1, QStringLiteral("prompt"), QStringLiteral("demo"), QDateTime::currentDateTimeUtc()));
        panel.model()->reload();
        QVERIFY(panel.setTags(r, {QStringLiteral("a"), QStringLiteral("b")}));
        QCOMPARE(ws->run(r).tags, (QStringList{QStringLiteral("a"), QStringLiteral("b")}));
        undo->undo();
        QVERIFY(ws->run(r).tags.isEmpty());
        undo->redo();

        const qint64 s2 = panel.newSession(QStringLiteral("Second"));
        QVERIFY(panel.moveRun(r, s2));
        QCOMPARE(ws->run(r).sessionId, s2);
        undo->undo();
        QCOMPARE(ws->run(r).sessionId, s1);
        undo->redo();

        panel.selectRun(r);
        QCOMPARE(panel.selectedRun(), r);
        ctx.setLayerHead(0, 0);
        const qint64 note = panel.addNote(r, QStringLiteral("prev-token head?"), true);
        QVERIFY(note);
        QCOMPARE(ws->annotations(r).first().layer, 0);
        QVERIFY(panel.editNote(note, QStringLiteral("previous-token head")));
        QCOMPARE(ws->annotations(r).first().text, QStringLiteral("previous-token head"));
        undo->undo();
        QCOMPARE(ws->annotations(r).first().text, QStringLiteral("prev-token head?"));
        undo->redo();
        QVERIFY(panel.deleteNote(note));
        QVERIFY(ws->annotations(r).isEmpty());
        undo->undo();
        QCOMPARE(ws->annotations(r).first().id, note); // restored as it was
        QCOMPARE(ws->annotations(r).first().text, QStringLiteral("previous-token head"));

        const qint64 mark = panel.bookmarkHead(r, 1, 2, QStringLiteral("name mover?"));
        QVERIFY(mark);
        QCOMPARE(ws->bookmarks(r).size(), 1);
        QCOMPARE(ws->bookmarks(r).first().head, 2);
        undo->undo();
        QVERIFY(ws->bookmarks(r).isEmpty());
        undo->redo();
        QCOMPARE(ws->bookmarks(r).size(), 1);
        QVERIFY(panel.deleteBookmark(ws->bookmarks(r).first().id));
        QVERIFY(ws->bookmarks(r).isEmpty());
        undo->undo();
        QCOMPARE(ws->bookmarks(r).first().note, QStringLiteral("name mover?"));

        QVERIFY(panel.setDescription(s2, QStringLiteral("notes on the session")));
        QCOMPARE(ws->session(s2).description, QStringLiteral("notes on the session"));
        undo->undo();
        QVERIFY(ws->session(s2).description.isEmpty());

        const qint64 copy = panel.duplicateSession(s2);
        QVERIFY(copy);
        QCOMPARE(ws->runs(copy).size(), 1);
        undo->undo();
        QCOMPARE(ws->sessions().size(), 2);

        QVERIFY(panel.deleteRun(r));
        QVERIFY(ws->runs(s2).isEmpty());
        undo->undo();
        QCOMPARE(ws->runs(s2).size(), 1);
        QCOMPARE(ws->annotations(r).size(), 1); // its note came back with it

        QVERIFY(panel.deleteSession(s2));
        QCOMPARE(ws->sessions().size(), 1);
        undo->undo();
        QCOMPARE(ws->sessions().size(), 2);
        QCOMPARE(panel.model()->rowCount(), 2);
    }

    void runsAreSavedAndReopenedWithoutRecomputing()
    {
        AppContext ctx;
        QVERIFY(ctx.openWorkspace(m_dir.filePath(QStringLiteral("runs.strata"))));
        SessionsPanel panel(&ctx);
        QSignalSpy loaded(&ctx, &AppContext::modelChanged);
        ctx.loadModel(testutil::gpt2TinyDir());
        QVERIFY(loaded.wait(20000));

        QSignalSpy traced(&ctx, &AppContext::traceChanged);
        ctx.runPrompt(QStringLiteral("Hello world, hello"));
        QVERIFY(traced.wait(20000));
        QVERIFY(waitForSavedRun(ctx));
        const qint64 first = ctx.currentRun();
        const TracePtr original = ctx.trace();
        ctx.runPrompt(QStringLiteral("Another prompt"));
        QVERIFY(traced.wait(20000));
        QVERIFY(waitForSavedRun(ctx));
        QVERIFY(ctx.currentRun() != first);
        Workspace *ws = ctx.workspace();
        // The same prompt again right away is the same run, not a copy.
        const qint64 second = ctx.currentRun();
        ctx.runPrompt(QStringLiteral("Another prompt"));
        QVERIFY(traced.wait(20000));
        QElapsedTimer wait;
        wait.start();
        while (ctx.currentRun() != second && wait.elapsed() < 10000)
            QTest::qWait(20);
        QCOMPARE(ctx.currentRun(), second);
        QCOMPARE(ws->sessions().size(), 1); // created for the first run
        QCOMPARE(ws->runs(ctx.currentSession()).size(), 2);
        QCOMPARE(panel.model()->rowCount(panel.model()->index(0, 0)), 2);
        QCOMPARE(panel.selectedRun(), ctx.currentRun());

        // Reopen the first run: its stored (float16) trace, not a new forward pass.
        QSignalSpy runChanged(&ctx, &AppContext::currentRunChanged);
        ctx.openRun(first);
        QVERIFY(runChanged.wait(10000));
        QCOMPARE(ctx.currentRun(), first);
        const TracePtr back = ctx.trace();
        QCOMPARE(back->prompt, QStringLiteral("Hello world, hello"));
        QCOMPARE(back->options.storage, DType::F16);
        QCOMPARE(back->tokenIds(), original->tokenIds());
        double worst = 0;
        const HostTensor &a = original->layers[1].attn, &b = back->layers[1].attn;
        for (int64_t i = 0; i < a.numel(); ++i)
            worst = std::max(worst, double(std::abs(a.floatAt(i) - b.floatAt(i))));
        QVERIFY2(worst < 1e-3, qPrintable(QString::number(worst))); // float16 rounding of probabilities
        QCOMPARE(ctx.layer(), 0);

        // A run whose trace was not kept is recomputed with the loaded model, and then kept.
        ws->setTraceBudget(1);
        ctx.runPrompt(QStringLiteral("Not kept"));
        QVERIFY(traced.wait(20000));
        QVERIFY(waitForSavedRun(ctx));
        const qint64 notKept = ctx.currentRun();
        QVERIFY(!ws->run(notKept).traceKept());
        ws->setTraceBudget(qint64(1) << 30);
        ctx.openRun(first);
        QVERIFY(runChanged.wait(10000));
        QSignalSpy messages(&ctx, &AppContext::message);
        ctx.openRun(notKept);
        QVERIFY(traced.wait(20000));
        QCOMPARE(ctx.trace()->prompt, QStringLiteral("Not kept"));
        QCOMPARE(ctx.currentRun(), notKept);
        bool said = false;
        for (const auto &m : messages)
            said = said || m.first().toString().contains(QStringLiteral("recomputing"));
        QVERIFY(said);
        QElapsedTimer t;
        t.start();
        while (!ws->run(notKept).traceKept() && t.elapsed() < 10000)
            QTest::qWait(20);
        QVERIFY(ws->run(notKept).traceKept());
        QCOMPARE(ws->runs(ctx.currentSession()).size(), 3); // recomputing did not add a run

        // A damaged stored trace (one flipped bit) is named and recomputed with the loaded model, and
        // the recomputed trace replaces it.
        QByteArray damaged = ws->loadTraceBlob(first);
        damaged[damaged.size() - 10] = char(damaged[damaged.size() - 10] ^ 0x01);
        ws->storeTrace(first, damaged);
        QVERIFY_THROWS_EXCEPTION(Error, TraceCodec::decode(ws->loadTraceBlob(first)));
        ctx.openRun(second);
        QVERIFY(runChanged.wait(10000));
        messages.clear();
        ctx.openRun(first);
        QTRY_VERIFY_WITH_TIMEOUT(ctx.trace()->prompt == QStringLiteral("Hello world, hello") && ctx.currentRun() == first, 20000);
        bool named = false;
        for (const auto &m : messages)
            named = named || (m.first().toString().contains(QStringLiteral("damaged")) && m.first().toString().contains(QStringLiteral("recomputing")));
        QVERIFY(named);
        QTRY_VERIFY_WITH_TIMEOUT(ws->loadTraceBlob(first) != damaged, 20000);
        QCOMPARE(TraceCodec::decode(ws->loadTraceBlob(first))->tokenIds(), original->tokenIds());
        QCOMPARE(ws->runs(ctx.currentSession()).size(), 3);
    }

    void aFailedWriteLeavesNoUndoStep()
    {
        AppContext ctx;
        QSignalSpy failed(&ctx, &AppContext::storeFailed);
        const bool ok = StoreCommand::push(
            &ctx, QStringLiteral("Broken"), [] { throw StoreError(StoreProblem::Locked, QStringLiteral("The workspace is busy.")); }, [] {});
        QVERIFY(!ok);
        QCOMPARE(ctx.undoStack()->count(), 0);
        QCOMPARE(failed.count(), 1);
        QVERIFY(failed.first().first().toString().contains(QStringLiteral("busy")));
    }

    void quittingSavesTheShownRunOnce()
    {
        AppContext ctx;
        QVERIFY(ctx.openWorkspace(m_dir.filePath(QStringLiteral("quit.strata"))));
        QSignalSpy loaded(&ctx, &AppContext::modelChanged);
        ctx.loadModel(testutil::gpt2TinyDir());
        QVERIFY(loaded.wait(20000));
        QSignalSpy traced(&ctx, &AppContext::traceChanged);
        QSignalSpy busy(ctx.jobs(), &JobRunner::busyChanged);
        ctx.runPrompt(QStringLiteral("Saved on the way out"));
        QVERIFY(traced.wait(20000));
        // The save is queued on the worker; quitting now must not lose the run, nor save it twice.
        ctx.flushUnsavedRun();
        QVERIFY(ctx.currentRunSaved());
        // Let the queued save arrive: the runner reports idle only after the last result was delivered.
        QTRY_VERIFY_WITH_TIMEOUT(!busy.isEmpty() && !busy.last().first().toBool(), 60000);
        QCOMPARE(ctx.workspace()->runs(ctx.currentSession()).size(), 1);
        QVERIFY(ctx.workspace()->run(ctx.currentRun()).traceKept());
    }

    void sentenceSetsAreKeptInTheSession()
    {
        AppContext ctx;
        QVERIFY(ctx.openWorkspace(m_dir.filePath(QStringLiteral("sets.strata"))));
        SimilarityPanel panel(&ctx);
        panel.setSentences({QStringLiteral("I sat by the bank of the river."), QStringLiteral("The bank raised its interest rates.")});
        panel.setWord(QStringLiteral("bank"));
        QVERIFY(panel.saveSet(QStringLiteral("bank senses")));
        QCOMPARE(panel.savedSetNames(), QStringList{QStringLiteral("Session: bank senses")});
        const auto sets = ctx.workspace()->results(ctx.currentSession(), QStringLiteral("sentence-set"));
        QCOMPARE(sets.size(), 1);
        QCOMPARE(sets.first().data.value(QStringLiteral("word")).toString(), QStringLiteral("bank"));
        QCOMPARE(sets.first().data.value(QStringLiteral("sentences")).toArray().size(), 2);
        // A new panel (another launch) finds it in the session.
        SimilarityPanel again(&ctx);
        QCOMPARE(again.savedSetNames(), QStringList{QStringLiteral("Session: bank senses")});
    }

    void brokenWorkspaceIsRefusedAndTheOpenOneStays()
    {
        const QString path = m_dir.filePath(QStringLiteral("ro-gui.strata"));
        {
            Workspace ws(path);
            ws.createSession(QStringLiteral("existing"));
        }
        AppContext ctx;
        // A broken file is refused with a message and the open workspace stays.
        QVERIFY(ctx.openWorkspace(path));
        QFile junk(m_dir.filePath(QStringLiteral("junk.strata")));
        QVERIFY(junk.open(QIODevice::WriteOnly));
        junk.write("not a database at all");
        junk.close();
        QSignalSpy failed(&ctx, &AppContext::storeFailed);
        QVERIFY(!ctx.openWorkspace(junk.fileName()));
        QCOMPARE(failed.count(), 1);
        QVERIFY(failed.first().first().toString().contains(QStringLiteral("not a Strata workspace")));
        QCOMPARE(ctx.workspace()->path(), QFileInfo(path).absoluteFilePath());
    }
};

STRATA_GUI_TEST_MAIN(TestSessionBrowser)
#include "tst_sessionbrowser.moc"
