#include "AppContext.h"
#include "LanguageManager.h"
#include "MainWindow.h"
#include "model/ComputeRuntime.h"
#include "settings/Settings.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDockWidget>
#include <QIcon>
#include <QTimer>

using namespace strata;

int main(int argc, char **argv)
{
    QApplication app(argc, argv);
    Settings::initApplicationIdentity();
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/strata.svg")));
    QApplication::setDesktopFileName(QStringLiteral("org.strata.Strata"));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Strata: see how a GPT-style model builds meaning layer by layer."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption model(QStringLiteral("model"), QStringLiteral("Model to open (folder, .gguf file, Hub id in the local cache, or 'demo')."),
                                   QStringLiteral("LOC"));
    const QCommandLineOption prompt(QStringLiteral("prompt"), QStringLiteral("Prompt to trace once the model is loaded."), QStringLiteral("TEXT"));
    const QCommandLineOption language(QStringLiteral("language"), QStringLiteral("UI language: en or zh_CN."), QStringLiteral("CODE"));
    const QCommandLineOption resetLayout(QStringLiteral("reset-layout"), QStringLiteral("Start with the default panel layout."));
    const QCommandLineOption panel(QStringLiteral("panel"), QStringLiteral("Panel to bring to the front, e.g. HeadAtlasPanel."), QStringLiteral("ID"));
    const QCommandLineOption workspace(QStringLiteral("workspace"),
                                       QStringLiteral("Workspace file to open (default: the last one, or the one in the user's data folder)."),
                                       QStringLiteral("FILE"));
    const QCommandLineOption quitAfter(QStringLiteral("quit-after"), QStringLiteral("Quit after N seconds (smoke tests)."), QStringLiteral("N"));
    parser.addOptions({model, prompt, language, resetLayout, panel, workspace, quitAfter});
    parser.process(app);

    ComputeRuntime::configureThreads();
    if (parser.isSet(language))
        LanguageManager::setLanguage(parser.value(language));
    else
        LanguageManager::applySaved();

    AppContext context;
    MainWindow window(&context);
    {
        // The workspace asked for, else the last one used, else the default; one that cannot be
        // opened (moved, locked, damaged) says why and the default is used instead.
        const QStringList recent = context.recentWorkspaces();
        const QString wanted = parser.isSet(workspace) ? parser.value(workspace) : (recent.isEmpty() ? AppContext::defaultWorkspacePath() : recent.first());
        if (!context.openWorkspace(wanted) && wanted != AppContext::defaultWorkspacePath())
            context.openWorkspace(AppContext::defaultWorkspacePath());
    }
    if (!parser.isSet(resetLayout))
        window.restoreLayout();
    window.show();
    if (parser.isSet(panel)) {
        if (QDockWidget *d = window.dock(parser.value(panel))) {
            d->show();
            d->raise();
        }
    }

    static const Setting<bool> kWelcomed{"UI/welcomed", false};
    const QString loc = parser.isSet(model) ? parser.value(model) : QStringLiteral("demo");
    const QString sample = parser.isSet(prompt) ? parser.value(prompt) : QStringLiteral("When Mary and John went to the store, John gave a drink to");
    window.openDemoWithSample(loc, sample);
    if (!kWelcomed.value() && !parser.isSet(quitAfter)) {
        window.showWelcome();
        kWelcomed.setValue(true);
    }
    if (parser.isSet(quitAfter))
        QTimer::singleShot(parser.value(quitAfter).toInt() * 1000, &app, &QApplication::quit);
    return app.exec();
}
