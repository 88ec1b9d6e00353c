#include "AppContext.h"
#include "FigureExport.h"
#include "TrainingCurves.h"
#include "LanguageManager.h"
#include "MainWindow.h"
#include "model/ComputeRuntime.h"
#include "settings/Settings.h"
#include "util/Error.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDockWidget>
#include <QFileInfo>
#include <QIcon>
#include <QTimer>

#include "util/ManPage.h"

#include <cstdio>
#include <cstring>
#include <memory>

#include <qcustomplot.h>

using namespace strata;

namespace {
const char *const kDescription = "Strata: see how a GPT-style model builds meaning layer by layer.";

struct Options
{
    QCommandLineOption model{QStringLiteral("model"), QStringLiteral("Model to open (folder, .gguf file, Hub id in the local cache, or 'demo')."),
                             QStringLiteral("LOC")};
    QCommandLineOption prompt{QStringLiteral("prompt"), QStringLiteral("Prompt to trace once the model is loaded."), QStringLiteral("TEXT")};
    QCommandLineOption language{QStringLiteral("language"), QStringLiteral("UI language: en or zh_CN."), QStringLiteral("CODE")};
    QCommandLineOption resetLayout{QStringLiteral("reset-layout"), QStringLiteral("Start with the default panel layout.")};
    QCommandLineOption panel{QStringLiteral("panel"), QStringLiteral("Panel to bring to the front, e.g. HeadAtlasPanel."), QStringLiteral("ID")};
    QCommandLineOption workspace{QStringLiteral("workspace"),
                                 QStringLiteral("Workspace file to open (default: the last one, or the one in the user's data folder)."),
                                 QStringLiteral("FILE")};
    QCommandLineOption quitAfter{QStringLiteral("quit-after"), QStringLiteral("Quit after N seconds (smoke tests)."), QStringLiteral("N")};
    QCommandLineOption trainingCurves{QStringLiteral("training-curves"),
                                      QStringLiteral("Draw the training curves of a training-log.csv (written by strata-cli train) into the "
                                                     "figure file given with --export (.png, .svg or .pdf) and exit."),
                                      QStringLiteral("CSV")};
    QCommandLineOption exportTo{QStringLiteral("export"), QStringLiteral("The figure file --training-curves writes."), QStringLiteral("FILE")};
    QList<QCommandLineOption> all() const { return {model, prompt, language, resetLayout, panel, workspace, quitAfter, trainingCurves, exportTo}; }
};

// The man page from the same options the parser takes (printed at build time; no display needed).
QString manPage()
{
    ManPage m;
    m.name = QStringLiteral("strata");
    m.summary = QStringLiteral("a desktop workbench that shows how a GPT-style language model builds meaning layer by layer");
    m.synopsis << QStringLiteral("strata [OPTIONS]");
    m.description << QString::fromLatin1(kDescription)
                  << QStringLiteral("Strata loads a real model, runs prompts, and shows attention per layer and head, head roles, the residual stream, "
                                    "the logit lens, probes, comparisons, activation patching, ablation and steering, with sessions kept in a "
                                    "workspace file. Without --model it opens the bundled demo model on a sample prompt.");
    ManPage::Section o;
    o.title = QStringLiteral("Options");
    o.entries.append({QStringLiteral("\\fB\\-h\\fR, \\fB\\-\\-help\\fR"), QStringLiteral("Show the options and exit.")});
    o.entries.append({QStringLiteral("\\fB\\-v\\fR, \\fB\\-\\-version\\fR"), QStringLiteral("Show the version and exit.")});
    for (const QCommandLineOption &opt : Options().all())
        o.entries.append({ManPage::optionTerm(opt), opt.description()});
    m.sections << o;
    ManPage::Section env;
    env.title = QStringLiteral("Environment");
    env.entries = ManPage::strataEnvironment();
    env.entries.append({QStringLiteral("\\fBHF_HUB_CACHE\\fR, \\fBHF_HOME\\fR, \\fBHF_ENDPOINT\\fR, \\fBHF_TOKEN\\fR"),
                        QStringLiteral("The Hugging Face cache and Hub server, as huggingface_hub reads them.")});
    m.sections << env;
    ManPage::Section exit;
    exit.title = QStringLiteral("Exit status");
    exit.paragraphs << QStringLiteral("0 when the window was closed normally; problems with models, files and workspaces are shown in the window and "
                                      "its log rather than ending the program.");
    m.sections << exit;
    ManPage::Section see;
    see.title = QStringLiteral("See also");
    see.paragraphs << QStringLiteral("strata-cli(1)");
    m.sections << see;
    return m.toRoff(QStringLiteral(STRATA_VERSION));
}
} // namespace

int main(int argc, char **argv)
{
    if (argc == 2 && std::strcmp(argv[1], "--man") == 0) {
        std::fputs(manPage().toUtf8().constData(), stdout);
        return 0;
    }
    ComputeRuntime::configureAllocator();
    QApplication app(argc, argv);
    Settings::initApplicationIdentity();
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/strata.svg")));
    QApplication::setDesktopFileName(QStringLiteral("org.strata.Strata"));

    QCommandLineParser parser;
    parser.setApplicationDescription(QString::fromLatin1(kDescription));
    parser.addHelpOption();
    parser.addVersionOption();
    const Options options;
    const QCommandLineOption &model = options.model, &prompt = options.prompt, &language = options.language, &resetLayout = options.resetLayout,
                             &panel = options.panel, &workspace = options.workspace, &quitAfter = options.quitAfter;
    parser.addOptions(options.all());
    parser.process(app);

    if (parser.isSet(options.trainingCurves)) {
        try {
            if (!parser.isSet(options.exportTo))
                throw Error(QStringLiteral("--training-curves needs --export FILE (.png, .svg or .pdf)."));
            const QString csv = parser.value(options.trainingCurves);
            const QString name = QFileInfo(QFileInfo(csv).absolutePath()).fileName();
            std::unique_ptr<QCustomPlot> plot(TrainingCurves::makePlot(readTrainLogCsv(csv), QStringLiteral("Training curves: %1").arg(name)));
            FigureExport::savePlot(plot.get(), parser.value(options.exportTo), 900, 640);
        } catch (const Error &e) {
            std::fprintf(stderr, "strata: %s\n", qPrintable(e.message()));
            return 1;
        }
        return 0;
    }
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
    // One sentence written twice: on the second copy the demo model's induction heads attend to the
    // word that followed the current one in the first copy (docs/DEMO_MODEL.md).
    const QString sample = parser.isSet(prompt) ? parser.value(prompt) : QString::fromLatin1(MainWindow::kSamplePrompt);
    window.openDemoWithSample(loc, sample);
    if (!kWelcomed.value() && !parser.isSet(quitAfter)) {
        window.showWelcome();
        kWelcomed.setValue(true);
    }
    if (parser.isSet(quitAfter))
        QTimer::singleShot(parser.value(quitAfter).toInt() * 1000, &app, &QApplication::quit);
    return app.exec();
}
