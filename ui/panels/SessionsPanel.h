#pragma once

#include "AppContext.h"
#include "Panel.h"

#include <functional>

class QCheckBox;
class QComboBox;
class QDateEdit;
class QLabel;
class QLineEdit;
class QListWidget;
class QPlainTextEdit;
class QPushButton;
class QTreeView;

namespace strata {

class SessionTreeModel;
class Workspace;
class SessionFilterProxy;

// The session browser: sessions and their runs in the open workspace, filterable by text, tag,
// model and date; create, rename, duplicate, move, delete (all undoable); the selected run's notes
// (optionally anchored to a layer, head and token range) and tags; the selected session's
// description. Opening a run shows it in every panel.
class SessionsPanel : public Panel
{
    Q_OBJECT
public:
    explicit SessionsPanel(AppContext *context);
    void retranslate() override;

    SessionTreeModel *model() const { return m_model; }
    SessionFilterProxy *proxy() const { return m_proxy; }
    QTreeView *view() const { return m_view; }

    // The actions the buttons and the context menu run (public for tests and the File menu).
    qint64 newSession(const QString &name = QString());
    bool renameSession(qint64 id, const QString &name);
    qint64 duplicateSession(qint64 id);
    bool deleteSession(qint64 id);
    bool deleteRun(qint64 runId);
    bool moveRun(qint64 runId, qint64 toSession);
    bool setTags(qint64 runId, const QStringList &tags);
    qint64 addNote(qint64 runId, const QString &text, bool anchored);
    bool editNote(qint64 noteId, const QString &text);
    bool deleteNote(qint64 noteId);
    bool setDescription(qint64 sessionId, const QString &text);
    qint64 bookmarkHead(qint64 runId, int layer, int head, const QString &note);
    bool deleteBookmark(qint64 bookmarkId);
    void exportSession(qint64 id);
    void importSession();

    qint64 selectedSession() const;
    qint64 selectedRun() const;
    void selectRun(qint64 runId);
    void selectSession(qint64 sessionId);

private:
    // The record with this id among those list() reads (a run's notes or bookmarks); false (with a
    // message when reading failed) when it is not there.
    template <typename List, typename Record> bool findRecord(List list, qint64 id, Record *out)
    {
        bool found = false;
        context()->guardStore(
            [&] {
                for (const auto &r : list())
                    if (r.id == id) {
                        *out = r;
                        found = true;
                    }
            },
            QString());
        return found;
    }
    // An undoable command that makes a session (new, duplicate, import); returns its id, 0 on failure.
    qint64 pushSessionCreation(const QString &text, const std::function<qint64(Workspace &)> &create);
    void reloadFilters();
    void showDetails();
    void showContextMenu(const QPoint &pos);
    void openSelected();
    QString anchorText(int layer, int head, int tokenBegin, int tokenEnd) const;

    SessionTreeModel *m_model;
    SessionFilterProxy *m_proxy;
    QTreeView *m_view;
    QLabel *m_workspaceLabel;
    QPushButton *m_new, *m_duplicate, *m_delete, *m_export, *m_import;
    QCheckBox *m_autoSave;
    QLineEdit *m_filter;
    QComboBox *m_tag, *m_modelFilter;
    QCheckBox *m_sinceOn;
    QDateEdit *m_since;
    QLabel *m_detailsTitle;
    QLabel *m_tagsLabel;
    QLineEdit *m_tags;
    QListWidget *m_notes;
    QPlainTextEdit *m_editor;
    QCheckBox *m_anchor;
    QPushButton *m_addNote, *m_saveNote, *m_deleteNote, *m_openRun, *m_bookmark;
    qint64 m_restoreSelection = 0;
    bool m_restoreIsRun = false;
    QList<qint64> m_expanded;
};

} // namespace strata
