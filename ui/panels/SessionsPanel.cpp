#include "SessionsPanel.h"

#include "AppContext.h"
#include "models/SessionTreeModel.h"
#include "store/Workspace.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDateEdit>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMenu>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QShortcut>
#include <QSplitter>
#include <QTreeView>
#include <QVBoxLayout>

namespace strata {

namespace {
constexpr int kNoteIdRole = Qt::UserRole + 1;
constexpr int kBookmarkIdRole = Qt::UserRole + 3;
constexpr int kBookmarkHeadRole = Qt::UserRole + 4; // QPoint(layer, head)
} // namespace

SessionsPanel::SessionsPanel(AppContext *context) : Panel(context), m_model(new SessionTreeModel(this)), m_proxy(new SessionFilterProxy(this))
{
    m_proxy->setSourceModel(m_model);
    auto *v = new QVBoxLayout(this);
    v->setContentsMargins(4, 4, 4, 4);
    m_workspaceLabel = new QLabel;
    m_workspaceLabel->setWordWrap(true);
    m_workspaceLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    v->addWidget(m_workspaceLabel);

    auto *buttons = new QHBoxLayout;
    m_new = new QPushButton;
    m_duplicate = new QPushButton;
    m_delete = new QPushButton;
    m_export = new QPushButton;
    m_import = new QPushButton;
    for (QPushButton *b : {m_new, m_duplicate, m_delete, m_export, m_import})
        buttons->addWidget(b);
    buttons->addStretch();
    v->addLayout(buttons);
    m_autoSave = new QCheckBox;
    m_autoSave->setChecked(context->autoSave());
    v->addWidget(m_autoSave);

    auto *filters = new QHBoxLayout;
    m_filter = new QLineEdit;
    m_filter->setClearButtonEnabled(true);
    m_filter->setObjectName(QStringLiteral("sessionFilter"));
    m_tag = new QComboBox;
    m_modelFilter = new QComboBox;
    m_sinceOn = new QCheckBox;
    m_since = new QDateEdit(QDate::currentDate().addDays(-7));
    m_since->setCalendarPopup(true);
    m_since->setEnabled(false);
    filters->addWidget(m_filter, 3);
    filters->addWidget(m_tag, 1);
    filters->addWidget(m_modelFilter, 1);
    filters->addWidget(m_sinceOn);
    filters->addWidget(m_since);
    v->addLayout(filters);

    auto *split = new QSplitter(Qt::Vertical);
    m_view = new QTreeView;
    m_view->setObjectName(QStringLiteral("sessionTree"));
    m_view->setModel(m_proxy);
    m_view->setSortingEnabled(false);
    m_view->setUniformRowHeights(true);
    m_view->setEditTriggers(QAbstractItemView::EditKeyPressed | QAbstractItemView::SelectedClicked);
    m_view->setContextMenuPolicy(Qt::CustomContextMenu);
    m_view->header()->setSectionResizeMode(QHeaderView::Interactive);
    m_view->header()->resizeSection(0, 240);
    m_view->setMinimumHeight(150);
    split->addWidget(m_view);

    auto *details = new QWidget;
    auto *dv = new QVBoxLayout(details);
    dv->setContentsMargins(0, 0, 0, 0);
    m_detailsTitle = new QLabel;
    m_detailsTitle->setWordWrap(true);
    dv->addWidget(m_detailsTitle);
    auto *tagRow = new QHBoxLayout;
    m_tagsLabel = new QLabel;
    m_tags = new QLineEdit;
    m_tags->setObjectName(QStringLiteral("runTags"));
    tagRow->addWidget(m_tagsLabel);
    tagRow->addWidget(m_tags, 1);
    m_openRun = new QPushButton;
    tagRow->addWidget(m_openRun);
    dv->addLayout(tagRow);
    m_notes = new QListWidget;
    m_notes->setObjectName(QStringLiteral("runNotes"));
    m_notes->setWordWrap(true);
    m_notes->setMinimumHeight(50);
    dv->addWidget(m_notes, 1);
    m_editor = new QPlainTextEdit;
    m_editor->setObjectName(QStringLiteral("noteEditor"));
    m_editor->setMaximumHeight(90);
    dv->addWidget(m_editor);
    auto *noteRow = new QHBoxLayout;
    m_anchor = new QCheckBox;
    m_anchor->setChecked(true);
    m_addNote = new QPushButton;
    m_saveNote = new QPushButton;
    m_deleteNote = new QPushButton;
    m_bookmark = new QPushButton;
    m_bookmark->setObjectName(QStringLiteral("bookmarkHead"));
    noteRow->addWidget(m_anchor, 1);
    noteRow->addWidget(m_bookmark);
    noteRow->addWidget(m_addNote);
    noteRow->addWidget(m_saveNote);
    noteRow->addWidget(m_deleteNote);
    dv->addLayout(noteRow);
    split->addWidget(details);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);
    v->addWidget(split, 1);

    // Keep expansion and selection across reloads (every change reloads the model).
    connect(m_model, &QAbstractItemModel::modelAboutToBeReset, this, [this] {
        m_expanded.clear();
        for (int i = 0; i < m_proxy->rowCount(); ++i) {
            const QModelIndex s = m_proxy->index(i, 0);
            if (m_view->isExpanded(s))
                m_expanded << s.data(SessionTreeModel::IdRole).toLongLong();
        }
        const QModelIndex cur = m_view->currentIndex();
        m_restoreSelection = cur.isValid() ? cur.data(SessionTreeModel::IdRole).toLongLong() : 0;
        m_restoreIsRun = cur.isValid() && !cur.data(SessionTreeModel::IsSessionRole).toBool();
    });
    connect(m_model, &QAbstractItemModel::modelReset, this, [this] {
        for (qint64 id : std::as_const(m_expanded))
            m_view->expand(m_proxy->mapFromSource(m_model->sessionIndex(id)));
        const qint64 current = this->context()->currentSession();
        m_view->expand(m_proxy->mapFromSource(m_model->sessionIndex(current)));
        if (m_restoreSelection) {
            if (m_restoreIsRun)
                selectRun(m_restoreSelection);
            else
                selectSession(m_restoreSelection);
        }
        reloadFilters();
        showDetails();
    });
    connect(m_model, &SessionTreeModel::renameRequested, this, [this](qint64 id, const QString &name) { renameSession(id, name); });
    connect(m_model, &SessionTreeModel::loadFailed, context, &AppContext::message);
    connect(context, &AppContext::workspaceChanged, this, [this] {
        m_model->setWorkspace(this->context()->workspace());
        Workspace *ws = this->context()->workspace();
        m_workspaceLabel->setText(ws ? (ws->isReadOnly() ? tr("Workspace (read-only): %1") : tr("Workspace: %1")).arg(ws->path())
                                     : tr("No workspace is open."));
    });
    connect(context, &AppContext::workspaceContentChanged, m_model, &SessionTreeModel::reload);
    connect(context, &AppContext::currentRunChanged, this, [this] {
        if (const qint64 id = this->context()->currentRun())
            selectRun(id);
    });
    connect(context, &AppContext::selectionChanged, this, [this] {
        if (m_anchor->isChecked())
            showDetails();
    });

    connect(m_view->selectionModel(), &QItemSelectionModel::currentChanged, this, [this](const QModelIndex &cur) {
        if (cur.isValid())
            this->context()->setCurrentSession(cur.data(SessionTreeModel::SessionIdRole).toLongLong());
        showDetails();
    });
    connect(m_view, &QTreeView::activated, this, &SessionsPanel::openSelected);
    connect(m_view, &QWidget::customContextMenuRequested, this, &SessionsPanel::showContextMenu);
    auto *del = new QShortcut(QKeySequence::Delete, m_view, nullptr, nullptr, Qt::WidgetShortcut);
    connect(del, &QShortcut::activated, this, [this] {
        if (const qint64 run = selectedRun())
            deleteRun(run);
        else if (const qint64 s = selectedSession())
            deleteSession(s);
    });

    connect(m_new, &QPushButton::clicked, this, [this] { newSession(); });
    connect(m_duplicate, &QPushButton::clicked, this, [this] {
        if (const qint64 s = selectedSession())
            duplicateSession(s);
    });
    connect(m_delete, &QPushButton::clicked, this, [this] {
        if (const qint64 run = selectedRun())
            deleteRun(run);
        else if (const qint64 s = selectedSession())
            deleteSession(s);
    });
    connect(m_export, &QPushButton::clicked, this, [this] {
        if (const qint64 s = selectedSession())
            exportSession(s);
    });
    connect(m_import, &QPushButton::clicked, this, &SessionsPanel::importSession);
    connect(m_autoSave, &QCheckBox::toggled, context, &AppContext::setAutoSave);

    connect(m_filter, &QLineEdit::textChanged, m_proxy, &SessionFilterProxy::setText);
    connect(m_tag, &QComboBox::currentIndexChanged, this, [this](int i) { m_proxy->setTag(i <= 0 ? QString() : m_tag->itemText(i)); });
    connect(m_modelFilter, &QComboBox::currentIndexChanged, this, [this](int i) { m_proxy->setModelName(i <= 0 ? QString() : m_modelFilter->itemText(i)); });
    connect(m_sinceOn, &QCheckBox::toggled, this, [this](bool on) {
        m_since->setEnabled(on);
        m_proxy->setSince(on ? m_since->date() : QDate());
    });
    connect(m_since, &QDateEdit::dateChanged, this, [this](const QDate &d) {
        if (m_sinceOn->isChecked())
            m_proxy->setSince(d);
    });
    connect(m_proxy, &QAbstractItemModel::layoutChanged, this, [this] { m_view->expandAll(); });
    connect(m_proxy, &QAbstractItemModel::rowsInserted, this, [this] {
        if (!m_filter->text().isEmpty() || m_tag->currentIndex() > 0 || m_modelFilter->currentIndex() > 0 || m_sinceOn->isChecked())
            m_view->expandAll();
    });

    connect(m_tags, &QLineEdit::editingFinished, this, [this] {
        const qint64 run = selectedRun();
        if (!run)
            return;
        QStringList tags;
        for (const QString &t : m_tags->text().split(QLatin1Char(','), Qt::SkipEmptyParts))
            if (!t.trimmed().isEmpty())
                tags << t.trimmed();
        tags.removeDuplicates();
        tags.sort(Qt::CaseInsensitive);
        const QModelIndex i = m_model->runIndex(run);
        if (tags != i.data(SessionTreeModel::TagsRole).toStringList())
            setTags(run, tags);
    });
    connect(m_openRun, &QPushButton::clicked, this, &SessionsPanel::openSelected);
    connect(m_notes, &QListWidget::currentItemChanged, this, [this](QListWidgetItem *item) {
        m_saveNote->setEnabled(item != nullptr);
        m_deleteNote->setEnabled(item != nullptr);
        if (item)
            m_editor->setPlainText(item->data(Qt::UserRole + 2).toString());
    });
    connect(m_addNote, &QPushButton::clicked, this, [this] {
        if (const qint64 run = selectedRun())
            addNote(run, m_editor->toPlainText(), m_anchor->isChecked());
        else if (const qint64 s = selectedSession())
            setDescription(s, m_editor->toPlainText());
    });
    connect(m_saveNote, &QPushButton::clicked, this, [this] {
        if (QListWidgetItem *item = m_notes->currentItem())
            editNote(item->data(kNoteIdRole).toLongLong(), m_editor->toPlainText());
    });
    connect(m_deleteNote, &QPushButton::clicked, this, [this] {
        if (QListWidgetItem *item = m_notes->currentItem()) {
            if (const qint64 b = item->data(kBookmarkIdRole).toLongLong())
                deleteBookmark(b);
            else
                deleteNote(item->data(kNoteIdRole).toLongLong());
        }
    });
    connect(m_bookmark, &QPushButton::clicked, this, [this] {
        if (const qint64 run = selectedRun())
            bookmarkHead(run, this->context()->layer(), this->context()->head(), m_editor->toPlainText().trimmed());
    });
    // Double-clicking a bookmark or an anchored note moves the shared cursor there.
    connect(m_notes, &QListWidget::itemDoubleClicked, this, [this](QListWidgetItem *item) {
        const QPoint lh = item->data(kBookmarkHeadRole).toPoint();
        if (item->data(kBookmarkHeadRole).isValid() && lh.x() >= 0)
            this->context()->setLayerHead(lh.x(), std::max(0, lh.y()));
    });

    m_model->setWorkspace(context->workspace());
    retranslate();
}

void SessionsPanel::retranslate()
{
    m_new->setText(tr("New session"));
    m_new->setToolTip(tr("Start a new session; new runs are saved into it."));
    m_duplicate->setText(tr("Duplicate"));
    m_delete->setText(tr("Delete"));
    m_delete->setToolTip(tr("Delete the selected run or session (Del). Edit › Undo brings it back."));
    m_export->setText(tr("Export…"));
    m_export->setToolTip(tr("Write the selected session to one file to share it."));
    m_import->setText(tr("Import…"));
    m_import->setToolTip(tr("Add the sessions of a shared file to this workspace (nothing here is replaced)."));
    m_autoSave->setText(tr("Save every run into the current session"));
    m_filter->setPlaceholderText(tr("Filter: names, prompts, models, tags, notes"));
    m_sinceOn->setText(tr("Since"));
    m_tagsLabel->setText(tr("Tags"));
    m_tags->setPlaceholderText(tr("comma, separated"));
    m_openRun->setText(tr("Open run"));
    m_editor->setPlaceholderText(tr("Write a note about this run (or the session's description)…"));
    m_saveNote->setText(tr("Update note"));
    m_deleteNote->setText(tr("Delete note"));
    m_bookmark->setToolTip(tr("Bookmark the current head for this run (the text above becomes its note)"));
    reloadFilters();
    showDetails();
    if (Workspace *ws = context()->workspace())
        m_workspaceLabel->setText((ws->isReadOnly() ? tr("Workspace (read-only): %1") : tr("Workspace: %1")).arg(ws->path()));
    else
        m_workspaceLabel->setText(tr("No workspace is open."));
}

void SessionsPanel::reloadFilters()
{
    Workspace *ws = context()->workspace();
    QStringList tags, models;
    if (ws) {
        try {
            tags = ws->allTags();
            models = ws->allModels();
        } catch (const StoreError &) {
        }
    }
    auto refill = [](QComboBox *box, const QString &all, const QStringList &items) {
        const QString current = box->currentIndex() > 0 ? box->currentText() : QString();
        box->blockSignals(true);
        box->clear();
        box->addItem(all);
        box->addItems(items);
        const int i = current.isEmpty() ? 0 : box->findText(current);
        box->setCurrentIndex(std::max(0, i));
        box->blockSignals(false);
    };
    refill(m_tag, tr("All tags"), tags);
    refill(m_modelFilter, tr("All models"), models);
}

qint64 SessionsPanel::selectedSession() const
{
    const QModelIndex i = m_view->currentIndex();
    return i.isValid() ? i.data(SessionTreeModel::SessionIdRole).toLongLong() : 0;
}

qint64 SessionsPanel::selectedRun() const
{
    const QModelIndex i = m_view->currentIndex();
    return i.isValid() && !i.data(SessionTreeModel::IsSessionRole).toBool() ? i.data(SessionTreeModel::IdRole).toLongLong() : 0;
}

void SessionsPanel::selectRun(qint64 runId)
{
    const QModelIndex i = m_proxy->mapFromSource(m_model->runIndex(runId));
    if (!i.isValid())
        return;
    m_view->expand(i.parent());
    m_view->setCurrentIndex(i);
    m_view->scrollTo(i);
}

void SessionsPanel::selectSession(qint64 sessionId)
{
    const QModelIndex i = m_proxy->mapFromSource(m_model->sessionIndex(sessionId));
    if (i.isValid())
        m_view->setCurrentIndex(i);
}

QString SessionsPanel::anchorText(int layer, int head, int tokenBegin, int tokenEnd) const
{
    QStringList parts;
    if (layer >= 0)
        parts << tr("layer %1").arg(layer);
    if (head >= 0)
        parts << tr("head %1").arg(head);
    if (tokenBegin >= 0)
        parts << (tokenEnd > tokenBegin + 1 ? tr("tokens %1–%2").arg(tokenBegin).arg(tokenEnd - 1) : tr("token %1").arg(tokenBegin));
    return parts.isEmpty() ? tr("whole run") : parts.join(QStringLiteral(", "));
}

void SessionsPanel::showDetails()
{
    Workspace *ws = context()->workspace();
    const qint64 run = selectedRun();
    const qint64 session = selectedSession();
    const bool writable = ws && !ws->isReadOnly();
    m_notes->clear();
    m_tags->setEnabled(run && writable);
    m_openRun->setEnabled(run != 0);
    m_notes->setEnabled(run != 0);
    m_anchor->setEnabled(run != 0);
    m_saveNote->setEnabled(false);
    m_deleteNote->setEnabled(false);
    m_addNote->setEnabled(writable && (run || session));
    m_duplicate->setEnabled(writable && session);
    m_delete->setEnabled(writable && (run || session));
    m_export->setEnabled(session != 0);
    m_new->setEnabled(writable);
    m_import->setEnabled(writable);
    m_anchor->setText(tr("Anchor to %1").arg(anchorText(context()->layer(), context()->head(), context()->token(), context()->token() + 1)));
    m_bookmark->setText(tr("★ L%1H%2").arg(context()->layer()).arg(context()->head()));
    m_bookmark->setEnabled(writable && run);
    if (!ws || (!run && !session)) {
        m_detailsTitle->setText(tr("Select a session or a run. Runs are saved here as you make them; double-click one to show it again."));
        m_tags->clear();
        m_addNote->setText(tr("Add note"));
        return;
    }
    try {
        if (run) {
            const RunRecord r = ws->run(run);
            m_detailsTitle->setText(
                tr("<b>Run</b> on %1, %2 tokens — %3").arg(r.modelName.toHtmlEscaped()).arg(r.tokenCount).arg(r.prompt.left(200).toHtmlEscaped()));
            if (!m_tags->hasFocus())
                m_tags->setText(r.tags.join(QStringLiteral(", ")));
            for (const BookmarkRecord &b : ws->bookmarks(run)) {
                auto *item = new QListWidgetItem(
                    QStringLiteral("★ L%1H%2%3").arg(b.layer).arg(b.head).arg(b.note.isEmpty() ? QString() : QStringLiteral(" — ") + b.note));
                item->setData(kBookmarkIdRole, b.id);
                item->setData(kBookmarkHeadRole, QPoint(b.layer, b.head));
                item->setData(Qt::UserRole + 2, b.note);
                item->setToolTip(tr("Bookmarked head; double-click to look at it"));
                m_notes->addItem(item);
            }
            for (const AnnotationRecord &a : ws->annotations(run)) {
                auto *item = new QListWidgetItem(QStringLiteral("[%1] %2").arg(anchorText(a.layer, a.head, a.tokenBegin, a.tokenEnd), a.text));
                item->setData(kNoteIdRole, a.id);
                item->setData(kBookmarkHeadRole, QPoint(a.layer, a.head));
                item->setData(Qt::UserRole + 2, a.text);
                item->setToolTip(QLocale().toString(a.modified.toLocalTime(), QLocale::ShortFormat));
                m_notes->addItem(item);
            }
            m_addNote->setText(tr("Add note"));
        } else {
            const SessionRecord s = ws->session(session);
            m_detailsTitle->setText(
                tr("<b>Session</b> %1 — %n run(s). The text below becomes its description.", nullptr, s.runCount).arg(s.name.toHtmlEscaped()));
            m_tags->clear();
            if (!m_editor->hasFocus())
                m_editor->setPlainText(s.description);
            m_addNote->setText(tr("Save description"));
        }
    } catch (const StoreError &e) {
        m_detailsTitle->setText(e.message().toHtmlEscaped());
    }
}

void SessionsPanel::openSelected()
{
    if (const qint64 run = selectedRun())
        context()->openRun(run);
}

void SessionsPanel::showContextMenu(const QPoint &pos)
{
    const QModelIndex i = m_view->indexAt(pos);
    if (!i.isValid())
        return;
    m_view->setCurrentIndex(i);
    Workspace *ws = context()->workspace();
    QMenu menu(this);
    const qint64 run = selectedRun();
    const qint64 session = selectedSession();
    if (run) {
        menu.addAction(tr("Open run"), this, &SessionsPanel::openSelected);
        QMenu *move = menu.addMenu(tr("Move to session"));
        try {
            for (const SessionRecord &s : ws->sessions())
                if (s.id != session)
                    move->addAction(s.name, this, [this, run, id = s.id] { moveRun(run, id); });
        } catch (const StoreError &) {
        }
        move->setEnabled(!move->isEmpty() && !ws->isReadOnly());
        menu.addAction(tr("Delete run"), this, [this, run] { deleteRun(run); })->setEnabled(!ws->isReadOnly());
    } else {
        menu.addAction(tr("Rename"), this, [this, i] { m_view->edit(i.siblingAtColumn(0)); })->setEnabled(!ws->isReadOnly());
        menu.addAction(tr("Duplicate"), this, [this, session] { duplicateSession(session); })->setEnabled(!ws->isReadOnly());
        menu.addAction(tr("Export…"), this, [this, session] { exportSession(session); });
        menu.addAction(tr("Delete session"), this, [this, session] { deleteSession(session); })->setEnabled(!ws->isReadOnly());
    }
    menu.exec(m_view->viewport()->mapToGlobal(pos));
}

} // namespace strata
