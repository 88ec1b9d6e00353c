#pragma once

#include "store/Workspace.h"

#include <QAbstractItemModel>
#include <QDate>
#include <QSortFilterProxyModel>

namespace strata {

// Sessions (top level) and their runs (children) of one workspace. Reloads itself when the
// workspace reports a change; views keep their selection by id (IdRole). Renaming a session in
// place does not write: it asks (renameRequested) so that the rename goes through the undo stack.
class SessionTreeModel : public QAbstractItemModel
{
    Q_OBJECT
public:
    enum Column { NameColumn, ModelColumn, TokensColumn, CreatedColumn, TagsColumn, ColumnCount };
    enum Role { IdRole = Qt::UserRole + 1, IsSessionRole, SessionIdRole, TagsRole, ModelRole, CreatedRole, SearchTextRole, TraceKeptRole };

    explicit SessionTreeModel(QObject *parent = nullptr);
    void setWorkspace(Workspace *workspace);
    void reload();

    QModelIndex sessionIndex(qint64 sessionId) const;
    QModelIndex runIndex(qint64 runId) const;

    QModelIndex index(int row, int column, const QModelIndex &parent = QModelIndex()) const override;
    QModelIndex parent(const QModelIndex &child) const override;
    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    bool setData(const QModelIndex &index, const QVariant &value, int role = Qt::EditRole) override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

Q_SIGNALS:
    void renameRequested(qint64 sessionId, const QString &name);
    void loadFailed(const QString &error);

private:
    struct Node
    {
        SessionRecord session;
        QList<RunRecord> runs;
    };
    Workspace *m_workspace = nullptr;
    QList<Node> m_sessions;
    QHash<qint64, QString> m_notes; // run id -> its notes, for the text filter
};

// Filters the tree by free text (session name and description, prompt, model, tags, notes), one tag, one
// model and a first date. A session stays visible when one of its runs matches.
class SessionFilterProxy : public QSortFilterProxyModel
{
    Q_OBJECT
public:
    explicit SessionFilterProxy(QObject *parent = nullptr);
    void setText(const QString &text);
    void setTag(const QString &tag);
    void setModelName(const QString &model);
    void setSince(const QDate &date); // invalid: no date filter

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;

private:
    bool runFiltersActive() const { return !m_tag.isEmpty() || !m_model.isEmpty() || m_since.isValid(); }
    QString m_text, m_tag, m_model;
    QDate m_since;
};

} // namespace strata
