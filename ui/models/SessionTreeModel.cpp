#include "SessionTreeModel.h"

#include <QApplication>
#include <QFont>
#include <QLocale>
#include <QPalette>

namespace strata {

namespace {
constexpr quintptr kSessionLevel = 0; // internalId of session rows; run rows carry their session's row + 1

QString firstLine(const QString &text)
{
    QString s = text.section(QLatin1Char('\n'), 0, 0).simplified();
    if (s.size() > 80)
        s = s.left(79) + QChar(0x2026);
    return s;
}
} // namespace

SessionTreeModel::SessionTreeModel(QObject *parent) : QAbstractItemModel(parent) {}

void SessionTreeModel::setWorkspace(Workspace *workspace)
{
    m_workspace = workspace;
    reload();
}

void SessionTreeModel::reload()
{
    QList<Node> fresh;
    QHash<qint64, QString> notes;
    if (m_workspace) {
        try {
            for (const SessionRecord &s : m_workspace->sessions())
                fresh.append(Node{s, m_workspace->runs(s.id)});
            notes = m_workspace->noteTextByRun();
        } catch (const StoreError &e) {
            Q_EMIT loadFailed(e.message());
            return; // keep showing what was read last
        }
    }
    beginResetModel();
    m_sessions = std::move(fresh);
    m_notes = std::move(notes);
    endResetModel();
}

QModelIndex SessionTreeModel::sessionIndex(qint64 sessionId) const
{
    for (int i = 0; i < m_sessions.size(); ++i)
        if (m_sessions[i].session.id == sessionId)
            return index(i, 0);
    return {};
}

QModelIndex SessionTreeModel::runIndex(qint64 runId) const
{
    for (int i = 0; i < m_sessions.size(); ++i)
        for (int j = 0; j < m_sessions[i].runs.size(); ++j)
            if (m_sessions[i].runs[j].id == runId)
                return index(j, 0, index(i, 0));
    return {};
}

QModelIndex SessionTreeModel::index(int row, int column, const QModelIndex &parent) const
{
    if (column < 0 || column >= ColumnCount || row < 0)
        return {};
    if (!parent.isValid())
        return row < m_sessions.size() ? createIndex(row, column, kSessionLevel) : QModelIndex();
    if (parent.internalId() != kSessionLevel || parent.row() >= m_sessions.size())
        return {};
    return row < m_sessions[parent.row()].runs.size() ? createIndex(row, column, quintptr(parent.row()) + 1) : QModelIndex();
}

QModelIndex SessionTreeModel::parent(const QModelIndex &child) const
{
    if (!child.isValid() || child.internalId() == kSessionLevel)
        return {};
    return createIndex(int(child.internalId() - 1), 0, kSessionLevel);
}

int SessionTreeModel::rowCount(const QModelIndex &parent) const
{
    if (!parent.isValid())
        return int(m_sessions.size());
    if (parent.column() != 0 || parent.internalId() != kSessionLevel || parent.row() >= m_sessions.size())
        return 0;
    return int(m_sessions[parent.row()].runs.size());
}

int SessionTreeModel::columnCount(const QModelIndex &) const
{
    return ColumnCount;
}

QVariant SessionTreeModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid())
        return {};
    const bool isSession = index.internalId() == kSessionLevel;
    if (isSession) {
        const SessionRecord &s = m_sessions[index.row()].session;
        switch (role) {
        case Qt::DisplayRole:
            switch (index.column()) {
            case NameColumn:
                return s.name;
            case TokensColumn:
                return tr("%n run(s)", nullptr, s.runCount);
            case CreatedColumn:
                return QLocale().toString(s.created.toLocalTime(), QLocale::ShortFormat);
            default:
                return {};
            }
        case Qt::EditRole:
            return index.column() == NameColumn ? QVariant(s.name) : QVariant();
        case Qt::ToolTipRole:
            return s.description.isEmpty() ? s.name : s.name + QStringLiteral("\n\n") + s.description;
        case Qt::FontRole: {
            QFont f = QApplication::font();
            f.setBold(true);
            return f;
        }
        case IdRole:
        case SessionIdRole:
            return s.id;
        case IsSessionRole:
            return true;
        case CreatedRole:
            return s.created;
        case SearchTextRole:
            return QString(s.name + QLatin1Char('\n') + s.description);
        default:
            return {};
        }
    }
    const RunRecord &r = m_sessions[int(index.internalId() - 1)].runs[index.row()];
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case NameColumn:
            return firstLine(r.prompt);
        case ModelColumn:
            return r.modelName.isEmpty() ? r.modelLocation : r.modelName;
        case TokensColumn:
            return r.tokenCount;
        case CreatedColumn:
            return QLocale().toString(r.created.toLocalTime(), QLocale::ShortFormat);
        case TagsColumn:
            return r.tags.join(QStringLiteral(", "));
        default:
            return {};
        }
    case Qt::ToolTipRole:
        return tr("%1\n\nModel: %2\n%3 tokens, %4 ms\n%5")
            .arg(r.prompt, r.modelLocation)
            .arg(r.tokenCount)
            .arg(r.durationMs, 0, 'f', 1)
            .arg(r.traceKept() ? tr("Trace kept (%1 MB): opens at once.").arg(double(r.traceBytes) / 1048576.0, 0, 'f', 1)
                               : tr("Trace not kept: recomputed when opened with its model loaded."));
    case Qt::ForegroundRole:
        return r.traceKept() ? QVariant() : QVariant(QApplication::palette().color(QPalette::Disabled, QPalette::Text));
    case IdRole:
        return r.id;
    case SessionIdRole:
        return r.sessionId;
    case IsSessionRole:
        return false;
    case TagsRole:
        return r.tags;
    case ModelRole:
        return r.modelName.isEmpty() ? r.modelLocation : r.modelName;
    case CreatedRole:
        return r.created;
    case TraceKeptRole:
        return r.traceKept();
    case SearchTextRole:
        return QString(r.prompt + QLatin1Char('\n') + r.modelName + QLatin1Char('\n') + r.modelLocation + QLatin1Char('\n') + r.tags.join(QLatin1Char(' ')) +
                       QLatin1Char('\n') + m_notes.value(r.id));
    default:
        return {};
    }
}

bool SessionTreeModel::setData(const QModelIndex &index, const QVariant &value, int role)
{
    if (!index.isValid() || role != Qt::EditRole || index.internalId() != kSessionLevel || index.column() != NameColumn)
        return false;
    const QString name = value.toString().trimmed();
    if (name.isEmpty() || name == m_sessions[index.row()].session.name)
        return false;
    Q_EMIT renameRequested(m_sessions[index.row()].session.id, name);
    return true;
}

Qt::ItemFlags SessionTreeModel::flags(const QModelIndex &index) const
{
    if (!index.isValid())
        return Qt::NoItemFlags;
    Qt::ItemFlags f = Qt::ItemIsEnabled | Qt::ItemIsSelectable;
    if (index.internalId() == kSessionLevel && index.column() == NameColumn && m_workspace && !m_workspace->isReadOnly())
        f |= Qt::ItemIsEditable;
    else if (index.internalId() != kSessionLevel)
        f |= Qt::ItemNeverHasChildren;
    return f;
}

QVariant SessionTreeModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case NameColumn:
        return tr("Session / prompt");
    case ModelColumn:
        return tr("Model");
    case TokensColumn:
        return tr("Tokens");
    case CreatedColumn:
        return tr("Created");
    case TagsColumn:
        return tr("Tags");
    default:
        return {};
    }
}

// ---- filter -------------------------------------------------------------------------------------

SessionFilterProxy::SessionFilterProxy(QObject *parent) : QSortFilterProxyModel(parent)
{
    setRecursiveFilteringEnabled(true);
    setSortRole(SessionTreeModel::CreatedRole);
}

void SessionFilterProxy::setText(const QString &text)
{
    m_text = text.trimmed();
    invalidateFilter();
}
void SessionFilterProxy::setTag(const QString &tag)
{
    m_tag = tag;
    invalidateFilter();
}
void SessionFilterProxy::setModelName(const QString &model)
{
    m_model = model;
    invalidateFilter();
}
void SessionFilterProxy::setSince(const QDate &date)
{
    m_since = date;
    invalidateFilter();
}

bool SessionFilterProxy::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    const QModelIndex i = sourceModel()->index(sourceRow, 0, sourceParent);
    const bool textOk = m_text.isEmpty() || i.data(SessionTreeModel::SearchTextRole).toString().contains(m_text, Qt::CaseInsensitive);
    if (i.data(SessionTreeModel::IsSessionRole).toBool())
        return textOk && !runFiltersActive(); // otherwise shown only through a matching run
    if (!m_tag.isEmpty() && !i.data(SessionTreeModel::TagsRole).toStringList().contains(m_tag))
        return false;
    if (!m_model.isEmpty() && i.data(SessionTreeModel::ModelRole).toString() != m_model)
        return false;
    if (m_since.isValid() && i.data(SessionTreeModel::CreatedRole).toDateTime().toLocalTime().date() < m_since)
        return false;
    if (textOk)
        return true;
    // A run of a session whose name or description matches.
    return sourceParent.data(SessionTreeModel::SearchTextRole).toString().contains(m_text, Qt::CaseInsensitive);
}

} // namespace strata
