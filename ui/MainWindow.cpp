#include "MainWindow.h"

#include "ProgressText.h"

#include "AboutDialog.h"
#include "AppContext.h"
#include "HubDownloadDialog.h"
#include "ReportDialog.h"
#include "LanguageManager.h"
#include "Panel.h"
#include "PanelRegistry.h"
#include "batch/BatchMerge.h"
#include "jobs/JobRunner.h"
#include "panels/AttentionPanel.h"
#include "panels/PromptPanel.h"
#include "panels/SessionsPanel.h"
#include "store/Workspace.h"
#include "settings/Settings.h"

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QCloseEvent>
#include <QDialog>
#include <QDialogButtonBox>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QHeaderView>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QProgressBar>
#include <QStatusBar>
#include <QTableWidget>
#include <QTextBrowser>
#include <QToolButton>
#include <QUndoStack>
#include <QVBoxLayout>

#include <qcustomplot.h>

namespace strata {

namespace {
const Setting<QByteArray> kWindowState{"MainWindow/state", QByteArray()};
const Setting<QByteArray> kWindowGeometry{"MainWindow/geometry", QByteArray()};
constexpr int kLayoutVersion = 8; // bump when panels change so old layouts are not half-applied
} // namespace

MainWindow::MainWindow(AppContext *context, QWidget *parent) : QMainWindow(parent), m_context(context)
{
    setObjectName(QStringLiteral("StrataMainWindow"));
    setDockNestingEnabled(true);
    setDockOptions(QMainWindow::AnimatedDocks | QMainWindow::AllowNestedDocks | QMainWindow::AllowTabbedDocks);
    createActions();
    createDocks();
    createMenus();
    createStatusBar();
    resize(1400, 880);
    m_defaultState = saveState(kLayoutVersion);
    retranslate();
}

MainWindow::~MainWindow() = default;

QAction *MainWindow::makeAction(const QString &name, const QKeySequence &shortcut)
{
    auto *a = new QAction(this);
    a->setObjectName(name);
    if (!shortcut.isEmpty())
        a->setShortcut(shortcut);
    m_actions.insert(name, a);
    return a;
}

QAction *MainWindow::action(const QString &objectName) const
{
    return m_actions.value(objectName);
}

void MainWindow::createActions()
{
    connect(makeAction(QStringLiteral("openFolder"), QKeySequence::Open), &QAction::triggered, this, [this] {
        const QString dir = QFileDialog::getExistingDirectory(this, tr("Open a Hugging Face model folder"));
        if (!dir.isEmpty())
            m_context->loadModel(dir);
    });
    connect(makeAction(QStringLiteral("openGguf"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O)), &QAction::triggered, this, [this] {
        const QString f = QFileDialog::getOpenFileName(this, tr("Open a GGUF model"), QString(), tr("GGUF models (*.gguf);;All files (*)"));
        if (!f.isEmpty())
            m_context->loadModel(f);
    });
    connect(makeAction(QStringLiteral("openDemo"), QKeySequence(Qt::CTRL | Qt::Key_D)), &QAction::triggered, this,
            [this] { m_context->loadModel(QStringLiteral("demo")); });
    connect(makeAction(QStringLiteral("downloadModel")), &QAction::triggered, this, [this] {
        auto *dlg = new HubDownloadDialog(m_context, this);
        dlg->setAttribute(Qt::WA_DeleteOnClose);
        dlg->open();
    });
    connect(makeAction(QStringLiteral("unloadModel")), &QAction::triggered, m_context, &AppContext::unloadModel);
    connect(makeAction(QStringLiteral("exportFigure"), QKeySequence(Qt::CTRL | Qt::Key_E)), &QAction::triggered, this, [this] {
        if (auto *p = qobject_cast<AttentionPanel *>(panel(QStringLiteral("AttentionPanel"))))
            FigureExport::exportInteractively(this, p->plot(), p->figureData(), QStringLiteral("attention"));
    });
    connect(makeAction(QStringLiteral("layerReport"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_R)), &QAction::triggered, this, [this] {
        auto *dlg = new ReportDialog(m_context, this);
        dlg->setAttribute(Qt::WA_DeleteOnClose);
        dlg->open();
    });
    connect(makeAction(QStringLiteral("newWorkspace")), &QAction::triggered, this, [this] {
        const QString f = QFileDialog::getSaveFileName(this, tr("New workspace"), QStringLiteral("workspace.strata"), tr("Strata workspaces (*.strata)"));
        if (f.isEmpty())
            return;
        if (QFileInfo::exists(f)) {
            QMessageBox::warning(this, tr("New workspace"), tr("%1 already exists. Open it with File › Open workspace, or choose another name.").arg(f));
            return;
        }
        m_context->openWorkspace(f);
    });
    connect(makeAction(QStringLiteral("openWorkspace")), &QAction::triggered, this, [this] {
        const QString f =
            QFileDialog::getOpenFileName(this, tr("Open workspace"), QString(), tr("Strata workspaces (*.strata *.stratasession);;All files (*)"));
        if (!f.isEmpty() && !m_context->openWorkspace(f))
            QMessageBox::warning(this, tr("Open workspace"), tr("The workspace was not opened; the current one stays open.\n\n%1").arg(m_lastStoreError));
    });
    connect(makeAction(QStringLiteral("saveWorkspaceCopy")), &QAction::triggered, this, [this] {
        Workspace *ws = m_context->workspace();
        if (!ws)
            return;
        const QString f = QFileDialog::getSaveFileName(this, tr("Save a copy of the workspace"), QString(), tr("Strata workspaces (*.strata)"));
        if (!f.isEmpty() && m_context->guardStore([&] { ws->saveCopy(f); }, tr("Saving a copy")))
            statusBar()->showMessage(tr("Saved a copy of the workspace to %1.").arg(f), 8000);
    });
    connect(makeAction(QStringLiteral("saveRun"), QKeySequence::Save), &QAction::triggered, this, [this] {
        if (m_context->currentRunSaved())
            statusBar()->showMessage(tr("This run is already saved in the workspace."), 5000);
        else
            m_context->saveCurrentRun();
    });
    connect(makeAction(QStringLiteral("exportSession")), &QAction::triggered, this, [this] {
        if (auto *p = qobject_cast<SessionsPanel *>(panel(QStringLiteral("SessionsPanel"))))
            if (const qint64 s = p->selectedSession() ? p->selectedSession() : m_context->currentSession())
                p->exportSession(s);
    });
    connect(makeAction(QStringLiteral("importSession")), &QAction::triggered, this, [this] {
        if (auto *p = qobject_cast<SessionsPanel *>(panel(QStringLiteral("SessionsPanel"))))
            p->importSession();
    });
    connect(m_context, &AppContext::storeFailed, this, [this](const QString &e) { m_lastStoreError = e; });
    connect(m_context, &AppContext::workspaceChanged, this, &MainWindow::updateTitle);
    connect(makeAction(QStringLiteral("quit"), QKeySequence::Quit), &QAction::triggered, this, &QWidget::close);

    QAction *undo = m_context->undoStack()->createUndoAction(this);
    undo->setObjectName(QStringLiteral("undo"));
    undo->setShortcut(QKeySequence::Undo);
    m_actions.insert(undo->objectName(), undo);
    QAction *redo = m_context->undoStack()->createRedoAction(this);
    redo->setObjectName(QStringLiteral("redo"));
    redo->setShortcut(QKeySequence::Redo);
    m_actions.insert(redo->objectName(), redo);

    connect(makeAction(QStringLiteral("resetLayout")), &QAction::triggered, this, &MainWindow::resetLayout);

    connect(makeAction(QStringLiteral("runPrompt"), QKeySequence(Qt::CTRL | Qt::Key_Return)), &QAction::triggered, this, [this] {
        if (auto *p = qobject_cast<PromptPanel *>(panel(QStringLiteral("PromptPanel"))))
            p->run();
    });
    connect(makeAction(QStringLiteral("cancelJob"), QKeySequence(Qt::Key_Escape)), &QAction::triggered, this, [this] { m_context->jobs()->cancelAll(); });
    connect(makeAction(QStringLiteral("nextHead"), QKeySequence(Qt::ALT | Qt::Key_Right)), &QAction::triggered, this, [this] { m_context->stepHead(1); });
    connect(makeAction(QStringLiteral("previousHead"), QKeySequence(Qt::ALT | Qt::Key_Left)), &QAction::triggered, this, [this] { m_context->stepHead(-1); });
    connect(makeAction(QStringLiteral("nextLayer"), QKeySequence(Qt::ALT | Qt::Key_Down)), &QAction::triggered, this, [this] { m_context->stepLayer(1); });
    connect(makeAction(QStringLiteral("previousLayer"), QKeySequence(Qt::ALT | Qt::Key_Up)), &QAction::triggered, this, [this] { m_context->stepLayer(-1); });
    connect(makeAction(QStringLiteral("nextToken"), QKeySequence(Qt::ALT | Qt::Key_Period)), &QAction::triggered, this, [this] {
        if (auto t = m_context->trace())
            m_context->setToken(std::min(m_context->token() + 1, t->tokenCount() - 1));
    });
    connect(makeAction(QStringLiteral("previousToken"), QKeySequence(Qt::ALT | Qt::Key_Comma)), &QAction::triggered, this, [this] {
        if (m_context->trace())
            m_context->setToken(std::max(m_context->token() - 1, 0));
    });

    connect(makeAction(QStringLiteral("welcome")), &QAction::triggered, this, &MainWindow::showWelcome);
    connect(makeAction(QStringLiteral("shortcuts"), QKeySequence::HelpContents), &QAction::triggered, this, &MainWindow::showShortcuts);
    connect(makeAction(QStringLiteral("plugins")), &QAction::triggered, this, [this] { PluginsDialog(this).exec(); });
    connect(makeAction(QStringLiteral("about")), &QAction::triggered, this, [this] { AboutDialog(this).exec(); });
    for (QAction *a : std::as_const(m_actions))
        addAction(a); // shortcuts work wherever focus is
}

void MainWindow::createDocks()
{
    for (const PanelInfo &info : PanelRegistry::panels()) {
        Panel *p = info.create(m_context);
        p->setObjectName(info.id + QStringLiteral("Widget"));
        auto *dock = new QDockWidget(this);
        dock->setObjectName(info.id);
        dock->setWidget(p);
        addDockWidget(info.area, dock);
        m_docks.insert(info.id, dock);
        m_panels.insert(info.id, p);
    }
    // The attention heatmap deserves the width, with the other views of heads as tabs beside it;
    // the next-token view sits under them.
    QDockWidget *attention = m_docks.value(QStringLiteral("AttentionPanel"));
    if (m_docks.contains(QStringLiteral("NextTokenPanel")))
        splitDockWidget(attention, m_docks[QStringLiteral("NextTokenPanel")], Qt::Vertical);
    for (const char *id : {"AttentionOverviewPanel", "HeadAtlasPanel", "LogitLensPanel", "ResidualPcaPanel", "SimilarityPanel", "ContributionsPanel",
                           "ComparePanel", "PatchingPanel", "AblationPanel", "ProbePanel", "DatasetPanel"})
        if (QDockWidget *d = m_docks.value(QString::fromLatin1(id)))
            tabifyDockWidget(attention, d);
    attention->raise();
    if (QDockWidget *sessions = m_docks.value(QStringLiteral("SessionsPanel"))) {
        tabifyDockWidget(m_docks.value(QStringLiteral("ModelPanel")), sessions);
        m_docks.value(QStringLiteral("ModelPanel"))->raise();
    }
    resizeDocks({m_docks.value(QStringLiteral("ModelPanel")), m_docks.value(QStringLiteral("AttentionPanel"))}, {430, 900}, Qt::Horizontal);
    resizeDocks({m_docks.value(QStringLiteral("AttentionPanel")), m_docks.value(QStringLiteral("NextTokenPanel"))}, {600, 200}, Qt::Vertical);
    resizeDocks({m_docks.value(QStringLiteral("LogPanel"))}, {110}, Qt::Vertical);
}

void MainWindow::createMenus()
{
    m_file = menuBar()->addMenu(QString());
    for (const char *n : {"openFolder", "openGguf", "openDemo", "downloadModel", "unloadModel"})
        m_file->addAction(m_actions.value(QString::fromLatin1(n)));
    m_file->addSeparator();
    for (const char *n : {"newWorkspace", "openWorkspace"})
        m_file->addAction(m_actions.value(QString::fromLatin1(n)));
    m_recentWorkspaces = m_file->addMenu(QString());
    connect(m_recentWorkspaces, &QMenu::aboutToShow, this, [this] {
        m_recentWorkspaces->clear();
        for (const QString &f : m_context->recentWorkspaces())
            m_recentWorkspaces->addAction(f, this, [this, f] { m_context->openWorkspace(f); });
        if (m_recentWorkspaces->isEmpty())
            m_recentWorkspaces->addAction(tr("(none yet)"))->setEnabled(false);
    });
    for (const char *n : {"saveWorkspaceCopy", "saveRun", "exportSession", "importSession"})
        m_file->addAction(m_actions.value(QString::fromLatin1(n)));
    m_file->addSeparator();
    m_file->addAction(m_actions.value(QStringLiteral("exportFigure")));
    m_file->addAction(m_actions.value(QStringLiteral("layerReport")));
    m_file->addSeparator();
    m_file->addAction(m_actions.value(QStringLiteral("quit")));

    m_edit = menuBar()->addMenu(QString());
    m_edit->addAction(m_actions.value(QStringLiteral("undo")));
    m_edit->addAction(m_actions.value(QStringLiteral("redo")));

    m_view = menuBar()->addMenu(QString());
    m_panelsMenu = m_view->addMenu(QString());
    for (const PanelInfo &info : PanelRegistry::panels()) {
        QAction *toggle = m_docks.value(info.id)->toggleViewAction();
        toggle->setObjectName(QStringLiteral("toggle") + info.id);
        m_panelsMenu->addAction(toggle);
    }
    m_view->addAction(m_actions.value(QStringLiteral("resetLayout")));
    m_language = m_view->addMenu(QString());
    m_languageGroup = new QActionGroup(this);
    for (const QString &code : LanguageManager::available()) {
        QAction *a = m_language->addAction(LanguageManager::nativeName(code));
        a->setObjectName(QStringLiteral("language_") + code);
        a->setCheckable(true);
        a->setChecked(code == LanguageManager::current());
        m_languageGroup->addAction(a);
        connect(a, &QAction::triggered, this, [this, code] {
            if (!LanguageManager::setLanguage(code))
                QMessageBox::warning(this, tr("Language"), tr("The translation for %1 could not be loaded.").arg(LanguageManager::nativeName(code)));
        });
    }

    m_run = menuBar()->addMenu(QString());
    for (const char *n : std::initializer_list<const char *>{"runPrompt", "cancelJob", nullptr, "nextHead", "previousHead", "nextLayer", "previousLayer",
                                                             "nextToken", "previousToken"}) {
        if (!n)
            m_run->addSeparator();
        else
            m_run->addAction(m_actions.value(QString::fromLatin1(n)));
    }

    m_help = menuBar()->addMenu(QString());
    for (const char *n : {"welcome", "shortcuts", "plugins", "about"})
        m_help->addAction(m_actions.value(QString::fromLatin1(n)));
}

void MainWindow::createStatusBar()
{
    m_jobLabel = new QLabel;
    m_progress = new QProgressBar;
    m_progress->setObjectName(QStringLiteral("jobProgress"));
    m_progress->setRange(0, 1000);
    m_progress->setMaximumWidth(220);
    m_progress->hide();
    m_cancel = new QToolButton;
    m_cancel->setObjectName(QStringLiteral("cancelJobButton"));
    m_cancel->hide();
    statusBar()->addPermanentWidget(m_jobLabel);
    statusBar()->addPermanentWidget(m_progress);
    statusBar()->addPermanentWidget(m_cancel);
    JobRunner *jobs = m_context->jobs();
    connect(m_cancel, &QToolButton::clicked, this, [this] { m_context->jobs()->cancel(m_currentJob); });
    connect(jobs, &JobRunner::jobStarted, this, [this](quint64 id, const QString &title) {
        m_currentJob = id;
        m_jobLabel->setText(title);
        m_progress->setValue(0);
        m_progress->show();
        m_cancel->show();
    });
    connect(jobs, &JobRunner::jobProgress, this, [this](quint64 id, double f, const QString &what) {
        if (id != m_currentJob)
            return;
        m_progress->setValue(int(f * 1000));
        if (!what.isEmpty())
            m_progress->setFormat(localizedProgress(what) + QStringLiteral(" %p%"));
    });
    connect(jobs, &JobRunner::busyChanged, this, [this](bool busy) {
        if (!busy) {
            m_progress->hide();
            m_cancel->hide();
            m_jobLabel->clear();
        }
    });
    connect(m_context, &AppContext::message, this, [this](const QString &m) { statusBar()->showMessage(m, 8000); });
    connect(m_context, &AppContext::patchingRequested, this, [this] {
        if (QDockWidget *d = dock(QStringLiteral("PatchingPanel"))) {
            d->show();
            d->raise();
        }
    });
    // A batch session opens to its dataset-level figures.
    connect(m_context, &AppContext::currentSessionChanged, this, [this] {
        Workspace *ws = m_context->workspace();
        if (!ws || m_context->currentSession() <= 0)
            return;
        bool batch = false;
        m_context->guardStore([&] { batch = !Batch::batchResultOf(*ws, m_context->currentSession()).isEmpty(); }, QString());
        if (QDockWidget *d = dock(QStringLiteral("DatasetPanel")); d && batch) {
            d->show();
            d->raise();
        }
    });
    connect(m_context, &AppContext::ablationRequested, this, [this] {
        if (QDockWidget *d = dock(QStringLiteral("AblationPanel"))) {
            d->show();
            d->raise();
        }
    });
    connect(m_context, &AppContext::runFailed, this, [this](const QString &e) { statusBar()->showMessage(tr("Run failed: %1").arg(e), 15000); });
}

void MainWindow::updateTitle()
{
    const Workspace *ws = m_context->workspace();
    QString title = tr("Strata — layer-by-layer model workbench");
    if (ws)
        title = QStringLiteral("%1 — %2%3").arg(QFileInfo(ws->path()).fileName(), title, ws->isReadOnly() ? tr(" (read-only)") : QString());
    setWindowTitle(title);
}

void MainWindow::retranslate()
{
    m_recentWorkspaces->setTitle(tr("&Recent workspaces"));
    updateTitle();
    m_file->setTitle(tr("&File"));
    m_edit->setTitle(tr("&Edit"));
    m_view->setTitle(tr("&View"));
    m_run->setTitle(tr("&Run"));
    m_help->setTitle(tr("&Help"));
    m_panelsMenu->setTitle(tr("&Panels"));
    m_language->setTitle(tr("&Language"));
    const QHash<QString, QString> texts{
        {QStringLiteral("openFolder"), tr("Open model &folder…")},
        {QStringLiteral("openGguf"), tr("Open &GGUF file…")},
        {QStringLiteral("openDemo"), tr("Open &demo model")},
        {QStringLiteral("downloadModel"), tr("Download from the &Hub…")},
        {QStringLiteral("unloadModel"), tr("&Unload model")},
        {QStringLiteral("exportFigure"), tr("&Export attention figure…")},
        {QStringLiteral("layerReport"), tr("Layer &report…")},
        {QStringLiteral("newWorkspace"), tr("&New workspace…")},
        {QStringLiteral("openWorkspace"), tr("Open &workspace…")},
        {QStringLiteral("saveWorkspaceCopy"), tr("Save a &copy of the workspace…")},
        {QStringLiteral("saveRun"), tr("&Save run")},
        {QStringLiteral("exportSession"), tr("E&xport session…")},
        {QStringLiteral("importSession"), tr("&Import session…")},
        {QStringLiteral("quit"), tr("&Quit")},
        {QStringLiteral("resetLayout"), tr("&Reset layout")},
        {QStringLiteral("runPrompt"), tr("&Run prompt")},
        {QStringLiteral("cancelJob"), tr("&Cancel running job")},
        {QStringLiteral("nextHead"), tr("Next head")},
        {QStringLiteral("previousHead"), tr("Previous head")},
        {QStringLiteral("nextLayer"), tr("Next layer")},
        {QStringLiteral("previousLayer"), tr("Previous layer")},
        {QStringLiteral("nextToken"), tr("Next token")},
        {QStringLiteral("previousToken"), tr("Previous token")},
        {QStringLiteral("welcome"), tr("&Welcome")},
        {QStringLiteral("shortcuts"), tr("&Keyboard shortcuts")},
        {QStringLiteral("plugins"), tr("&Plugins…")},
        {QStringLiteral("about"), tr("&About Strata")},
    };
    for (auto it = texts.begin(); it != texts.end(); ++it)
        if (QAction *a = m_actions.value(it.key()))
            a->setText(it.value());
    m_actions.value(QStringLiteral("undo"))->setText(tr("&Undo"));
    m_actions.value(QStringLiteral("redo"))->setText(tr("&Redo"));
    for (const PanelInfo &info : PanelRegistry::panels()) {
        QDockWidget *d = m_docks.value(info.id);
        d->setWindowTitle(PanelRegistry::translatedTitle(info));
        d->setToolTip(PanelRegistry::translatedPurpose(info));
    }
    m_cancel->setText(tr("Cancel"));
    for (QAction *a : m_languageGroup->actions())
        a->setChecked(a->objectName() == QStringLiteral("language_") + LanguageManager::current());
}

void MainWindow::changeEvent(QEvent *e)
{
    if (e->type() == QEvent::LanguageChange)
        retranslate();
    QMainWindow::changeEvent(e);
}

void MainWindow::closeEvent(QCloseEvent *e)
{
    saveLayout();
    m_context->jobs()->cancelAll();
    m_context->flushUnsavedRun(); // a save still queued on the worker would be lost with it
    QMainWindow::closeEvent(e);
}

void MainWindow::saveLayout() const
{
    kWindowState.setValue(saveState(kLayoutVersion));
    kWindowGeometry.setValue(saveGeometry());
}

bool MainWindow::restoreLayout()
{
    const QByteArray geometry = kWindowGeometry.value();
    if (!geometry.isEmpty())
        restoreGeometry(geometry);
    const QByteArray state = kWindowState.value();
    return !state.isEmpty() && restoreState(state, kLayoutVersion);
}

void MainWindow::resetLayout()
{
    restoreState(m_defaultState, kLayoutVersion);
    for (QDockWidget *d : std::as_const(m_docks)) {
        d->setFloating(false);
        d->show();
    }
}

QList<QAction *> MainWindow::shortcutActions() const
{
    QList<QAction *> out;
    for (QMenu *m : {m_file, m_edit, m_view, m_run, m_help})
        for (QAction *a : m->actions())
            if (!a->isSeparator() && !a->menu())
                out << a;
    return out;
}

QString MainWindow::welcomeText() const
{
    QString html = tr("<h3>Welcome to Strata</h3><p>Strata shows how a language model turns tokens into ever more abstract representations, "
                      "layer by layer. Type a prompt, press Ctrl+Enter, then look:</p><ul>");
    for (const PanelInfo &info : PanelRegistry::panels())
        html += QStringLiteral("<li><b>%1</b> — %2</li>").arg(PanelRegistry::translatedTitle(info), PanelRegistry::translatedPurpose(info));
    html += tr("</ul><p><b>Where to look first:</b> the sample prompt writes one sentence twice. In the <b>Head atlas</b>, the heads marked "
               "<i>induction</i> attend from each word of the second copy to the word that followed it in the first copy: that is how the model "
               "predicts the rest of the sentence. The <i>previous-token</i> heads of the first layer make it possible. Click a head to see its "
               "attention; the Model panel's Training curves… button shows the step at which the induction heads formed.</p>"
               "<p>Alt+arrow keys step through heads and layers from anywhere; Help › Keyboard shortcuts lists every key.</p>");
    return html;
}

void MainWindow::showWelcome()
{
    auto *box = new QMessageBox(QMessageBox::Information, tr("Welcome"), welcomeText(), QMessageBox::Ok, this);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setObjectName(QStringLiteral("welcomeBox"));
    box->open();
}

void MainWindow::showShortcuts()
{
    QDialog dlg(this);
    dlg.setWindowTitle(tr("Keyboard shortcuts"));
    auto *v = new QVBoxLayout(&dlg);
    const QList<QAction *> actions = shortcutActions();
    auto *table = new QTableWidget(0, 2);
    table->setHorizontalHeaderLabels({tr("Action"), tr("Shortcut")});
    table->horizontalHeader()->setStretchLastSection(true);
    table->verticalHeader()->hide();
    for (QAction *a : actions) {
        if (a->shortcut().isEmpty())
            continue;
        const int r = table->rowCount();
        table->insertRow(r);
        table->setItem(r, 0, new QTableWidgetItem(a->text().remove(QLatin1Char('&'))));
        table->setItem(r, 1, new QTableWidgetItem(a->shortcut().toString(QKeySequence::NativeText)));
    }
    table->resizeColumnsToContents();
    v->addWidget(table);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close);
    connect(buttons, &QDialogButtonBox::rejected, &dlg, &QDialog::reject);
    v->addWidget(buttons);
    dlg.resize(460, 480);
    dlg.exec();
}

void MainWindow::openDemoWithSample(const QString &location, const QString &prompt)
{
    if (auto *p = qobject_cast<PromptPanel *>(panel(QStringLiteral("PromptPanel"))))
        p->setPrompt(prompt);
    auto *once = new QObject(this);
    auto finish = [this, once] {
        disconnect(m_context, nullptr, once, nullptr);
        once->deleteLater();
    };
    connect(m_context, &AppContext::modelChanged, once, [this, finish, prompt] {
        finish();
        if (m_context->hasModel())
            m_context->runPrompt(prompt);
    });
    connect(m_context, &AppContext::modelLoadFailed, once, finish);
    m_context->loadModel(location);
}

} // namespace strata
