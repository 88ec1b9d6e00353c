#pragma once

#include <QHash>
#include <QMainWindow>

class QAction;
class QActionGroup;
class QDockWidget;
class QLabel;
class QMenu;
class QProgressBar;
class QToolButton;

namespace strata {

class AppContext;
class Panel;

// The shell: menus, one dock per registered panel, the status bar with job progress and cancel,
// saved and restorable layout. Holds no analysis code.
class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    explicit MainWindow(AppContext *context, QWidget *parent = nullptr);
    ~MainWindow() override;

    AppContext *context() const { return m_context; }
    QDockWidget *dock(const QString &panelId) const { return m_docks.value(panelId); }
    Panel *panel(const QString &panelId) const { return m_panels.value(panelId); }
    QStringList panelIds() const { return m_docks.keys(); }
    QList<QAction *> shortcutActions() const;
    QAction *action(const QString &objectName) const;

    void saveLayout() const;
    bool restoreLayout();
    void resetLayout();
    QString welcomeText() const;
    void showWelcome();
    void showShortcuts();
    // The prompt the app opens on: a sentence written twice, so the induction heads show on the second copy.
    static constexpr const char *kSamplePrompt =
        "The old captain looked at the grey sea and said nothing to his men. The old captain looked at the grey sea and said nothing to his men.";
    // First launch: open the demo model and trace a sample prompt once it is loaded.
    void openDemoWithSample(const QString &location, const QString &prompt);

protected:
    void changeEvent(QEvent *e) override;
    void closeEvent(QCloseEvent *e) override;

private:
    void createActions();
    void createMenus();
    void createDocks();
    void createStatusBar();
    void retranslate();
    void updateTitle();
    QAction *makeAction(const QString &name, const QKeySequence &shortcut = {});

    AppContext *m_context;
    QHash<QString, QDockWidget *> m_docks;
    QHash<QString, Panel *> m_panels;
    QHash<QString, QAction *> m_actions;
    QMenu *m_recentWorkspaces = nullptr;
    QString m_lastStoreError;
    QMenu *m_file, *m_edit, *m_view, *m_run, *m_help, *m_language, *m_panelsMenu;
    QActionGroup *m_languageGroup;
    QByteArray m_defaultState;
    QLabel *m_jobLabel;
    QProgressBar *m_progress;
    QToolButton *m_cancel;
    quint64 m_currentJob = 0;
};

} // namespace strata
