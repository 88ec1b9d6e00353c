// SessionsPanel's undoable edits of the workspace (sessions, runs, tags, notes, bookmarks,
// descriptions; export and import), each one StoreCommand on the shared undo stack. The tree, its
// filters, the details pane and the context menu are in SessionsPanel.cpp.
#include "SessionsPanel.h"

#include "AppContext.h"
#include "commands/StoreCommand.h"
#include "store/Workspace.h"

#include <QFileDialog>
#include <QPlainTextEdit>
#include <QRegularExpression>

namespace strata {

// ---- undoable actions ---------------------------------------------------------------------------

qint64 SessionsPanel::pushSessionCreation(const QString &text, const std::function<qint64(Workspace &)> &create)
{
    Workspace *ws = context()->workspace();
    if (!ws)
        return 0;
    // Undo hides the new session; redo shows the same one again rather than making another.
    auto id = std::make_shared<qint64>(0);
    const bool ok = StoreCommand::push(
        context(), text,
        [ws, id, create] {
            if (*id)
                ws->setSessionDeleted(*id, false);
            else
                *id = create(*ws);
        },
        [ws, id] { ws->setSessionDeleted(*id, true); });
    return ok ? *id : 0;
}

qint64 SessionsPanel::newSession(const QString &name)
{
    Workspace *ws = context()->workspace();
    QString wanted;
    if (!ws || !context()->guardStore(
                   [&] {
                       wanted = ws->uniqueSessionName(
                           name.isEmpty() ? tr("Session %1").arg(QLocale().toString(QDateTime::currentDateTime(), QLocale::ShortFormat)) : name);
                   },
                   QString()))
        return 0;
    const qint64 id = pushSessionCreation(tr("New session"), [wanted](Workspace &w) { return w.createSession(wanted); });
    if (!id)
        return 0;
    context()->setCurrentSession(id);
    selectSession(id);
    return id;
}

bool SessionsPanel::renameSession(qint64 id, const QString &name)
{
    Workspace *ws = context()->workspace();
    QString old;
    if (!ws || !context()->guardStore([&] { old = ws->session(id).name; }, QString()))
        return false;
    return StoreCommand::push(
        context(), tr("Rename session"), [ws, id, name] { ws->renameSession(id, name); }, [ws, id, old] { ws->renameSession(id, old); });
}

qint64 SessionsPanel::duplicateSession(qint64 sessionId)
{
    Workspace *ws = context()->workspace();
    QString name;
    if (!ws || !context()->guardStore([&] { name = ws->uniqueSessionName(tr("%1 (copy)").arg(ws->session(sessionId).name)); }, QString()))
        return 0;
    return pushSessionCreation(tr("Duplicate session"), [sessionId, name](Workspace &w) { return w.duplicateSession(sessionId, name); });
}

bool SessionsPanel::deleteSession(qint64 id)
{
    Workspace *ws = context()->workspace();
    return ws && StoreCommand::push(
                     context(), tr("Delete session"), [ws, id] { ws->setSessionDeleted(id, true); }, [ws, id] { ws->setSessionDeleted(id, false); });
}

bool SessionsPanel::deleteRun(qint64 runId)
{
    Workspace *ws = context()->workspace();
    return ws && StoreCommand::push(
                     context(), tr("Delete run"), [ws, runId] { ws->setRunDeleted(runId, true); }, [ws, runId] { ws->setRunDeleted(runId, false); });
}

bool SessionsPanel::moveRun(qint64 runId, qint64 toSession)
{
    Workspace *ws = context()->workspace();
    qint64 from = 0;
    if (!ws || !context()->guardStore([&] { from = ws->run(runId).sessionId; }, QString()))
        return false;
    return StoreCommand::push(
        context(), tr("Move run"), [ws, runId, toSession] { ws->moveRun(runId, toSession); }, [ws, runId, from] { ws->moveRun(runId, from); });
}

bool SessionsPanel::setTags(qint64 runId, const QStringList &tags)
{
    Workspace *ws = context()->workspace();
    QStringList old;
    if (!ws || !context()->guardStore([&] { old = ws->run(runId).tags; }, QString()))
        return false;
    return StoreCommand::push(
        context(), tr("Change tags"), [ws, runId, tags] { ws->setRunTags(runId, tags); }, [ws, runId, old] { ws->setRunTags(runId, old); });
}

qint64 SessionsPanel::addNote(qint64 runId, const QString &text, bool anchored)
{
    Workspace *ws = context()->workspace();
    if (!ws || text.trimmed().isEmpty())
        return 0;
    AnnotationRecord a;
    a.runId = runId;
    a.text = text.trimmed();
    if (anchored) {
        a.layer = context()->layer();
        a.head = context()->head();
        a.tokenBegin = context()->token();
        a.tokenEnd = context()->token() >= 0 ? context()->token() + 1 : -1;
    }
    auto rec = std::make_shared<AnnotationRecord>(a);
    const bool ok = StoreCommand::push(
        context(), tr("Add note"), [ws, rec] { rec->id = ws->addAnnotation(*rec); }, [ws, rec] { ws->deleteAnnotation(rec->id); });
    if (ok)
        m_editor->clear();
    return ok ? rec->id : 0;
}

bool SessionsPanel::editNote(qint64 noteId, const QString &text)
{
    Workspace *ws = context()->workspace();
    const qint64 run = selectedRun();
    if (!ws || !run)
        return false;
    AnnotationRecord old;
    if (!findRecord([&] { return ws->annotations(run); }, noteId, &old))
        return false;
    AnnotationRecord now = old;
    now.text = text.trimmed();
    return StoreCommand::push(
        context(), tr("Edit note"), [ws, now] { ws->updateAnnotation(now); }, [ws, old] { ws->updateAnnotation(old); });
}

bool SessionsPanel::deleteNote(qint64 noteId)
{
    Workspace *ws = context()->workspace();
    const qint64 run = selectedRun();
    if (!ws || !run)
        return false;
    AnnotationRecord old;
    if (!findRecord([&] { return ws->annotations(run); }, noteId, &old))
        return false;
    return StoreCommand::push(
        context(), tr("Delete note"), [ws, noteId] { ws->deleteAnnotation(noteId); }, [ws, old] { ws->addAnnotation(old); });
}

qint64 SessionsPanel::bookmarkHead(qint64 runId, int layer, int head, const QString &note)
{
    Workspace *ws = context()->workspace();
    if (!ws)
        return 0;
    auto rec = std::make_shared<BookmarkRecord>(BookmarkRecord{0, runId, layer, head, note});
    const bool ok = StoreCommand::push(
        context(), tr("Bookmark head"), [ws, rec] { rec->id = ws->addBookmark(*rec); }, [ws, rec] { ws->deleteBookmark(rec->id); });
    return ok ? rec->id : 0;
}

bool SessionsPanel::deleteBookmark(qint64 bookmarkId)
{
    Workspace *ws = context()->workspace();
    const qint64 run = selectedRun();
    if (!ws || !run)
        return false;
    BookmarkRecord old;
    if (!findRecord([&] { return ws->bookmarks(run); }, bookmarkId, &old))
        return false;
    auto rec = std::make_shared<BookmarkRecord>(old);
    return StoreCommand::push(
        context(), tr("Delete bookmark"), [ws, rec] { ws->deleteBookmark(rec->id); }, [ws, rec] { rec->id = ws->addBookmark(*rec); });
}

bool SessionsPanel::setDescription(qint64 sessionId, const QString &text)
{
    Workspace *ws = context()->workspace();
    QString old;
    if (!ws || !context()->guardStore([&] { old = ws->session(sessionId).description; }, QString()))
        return false;
    return StoreCommand::push(
        context(), tr("Change description"), [ws, sessionId, text] { ws->setSessionDescription(sessionId, text); },
        [ws, sessionId, old] { ws->setSessionDescription(sessionId, old); });
}

void SessionsPanel::exportSession(qint64 id)
{
    Workspace *ws = context()->workspace();
    if (!ws)
        return;
    QString name;
    if (!context()->guardStore([&] { name = ws->session(id).name; }, QString()))
        return;
    QString safe = name;
    safe.replace(QRegularExpression(QStringLiteral("[^\\w\\- ]")), QStringLiteral("_"));
    const QString file = QFileDialog::getSaveFileName(this, tr("Export session"), safe + QStringLiteral(".stratasession"),
                                                      tr("Strata sessions (*.stratasession);;All files (*)"));
    if (file.isEmpty())
        return;
    if (context()->guardStore([&] { ws->exportSession(id, file); }, tr("Exporting the session")))
        Q_EMIT context()->message(tr("Exported “%1” to %2.").arg(name, file));
}

void SessionsPanel::importSession()
{
    Workspace *ws = context()->workspace();
    if (!ws)
        return;
    const QString file = QFileDialog::getOpenFileName(this, tr("Import a session"), QString(), tr("Strata sessions (*.stratasession *.strata);;All files (*)"));
    if (file.isEmpty())
        return;
    if (const qint64 id = pushSessionCreation(tr("Import session"), [file](Workspace &w) { return w.importSession(file); }))
        selectSession(id);
}

} // namespace strata
