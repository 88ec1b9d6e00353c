// strata-cli report: the layer report ("how this model abstracts") as PDF, HTML or JSON.
#include "CliSupport.h"

#include "analysis/LayerReport.h"
#include "jobs/JobControl.h"
#include "model/ComputeRuntime.h"
#include "model/ModelFamily.h"
#include "report/ReportRenderer.h"
#include "util/Error.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>

#include <cstdio>
#include <unistd.h>

namespace strata::cli {

namespace {

int cmdReport(QCommandLineParser &p)
{
    ComputeRuntime::configureThreads();
    const auto model = loadModel(p);
    ReportOptions o;
    if (p.isSet(QStringLiteral("prompt")))
        o.prompt = p.value(QStringLiteral("prompt"));
    if (p.isSet(QStringLiteral("prompt-file"))) {
        QFile f(p.value(QStringLiteral("prompt-file")));
        if (!f.open(QIODevice::ReadOnly))
            throw Error(QStringLiteral("%1: cannot open: %2.").arg(f.fileName(), f.errorString()));
        o.prompt = QString::fromUtf8(f.readAll());
    }
    o.conllTrain = p.value(QStringLiteral("conllu"));
    o.conllDev = p.value(QStringLiteral("conllu-dev"));
    o.probeSentences = intValue(p, QStringLiteral("probe-sentences"), o.probeSentences, 20);
    // Everything that can be refused is refused before the measuring starts (minutes on a large model).
    const QString outPath = p.value(QStringLiteral("out"));
    if (!outPath.isEmpty()) {
        if (!outPath.endsWith(QLatin1String(".json")) && !ReportRenderer::isReportFile(outPath))
            throw Error(QStringLiteral("%1: a report is written as .pdf, .html or .json.").arg(outPath));
        const QFileInfo folder(QFileInfo(outPath).absolutePath());
        if (!folder.isDir() || !folder.isWritable())
            throw Error(QStringLiteral("Cannot write the report to %1: the folder %2 does not exist or is not writable.").arg(outPath, folder.filePath()));
    }
    for (const QString &treebank : {o.conllTrain, o.conllDev})
        if (!treebank.isEmpty() && !QFileInfo(treebank).isFile())
            throw Error(QStringLiteral("%1: file not found.").arg(treebank));
    JobControl control;
    const bool terminal = isatty(fileno(stderr)); // progress only for a person watching, never in a log
    if (terminal)
        control.setProgressFunction([](double fraction, const QString &what) {
            if (!what.isEmpty())
                std::fprintf(stderr, "\r%3d %% %-60s", int(100 * fraction), qPrintable(what.left(60)));
        });
    const LayerReport report = LayerReports::build(*model, o, &control);
    if (terminal)
        std::fprintf(stderr, "\r%-70s\r", "");
    if (!outPath.isEmpty() && !outPath.endsWith(QLatin1String(".json"))) {
        ReportRenderer::write(report, outPath);
    } else if (!outPath.isEmpty()) {
        QFile f(outPath);
        if (!f.open(QIODevice::WriteOnly) || f.write(QJsonDocument(report.toJson()).toJson()) < 0)
            throw Error(QStringLiteral("Cannot write %1: %2.").arg(outPath, f.errorString()));
    }
    if (p.isSet(QStringLiteral("json"))) {
        printJson(report.toJson());
        return 0;
    }
    out() << "How " << report.modelLabel << " abstracts (" << report.layers << " layers, prompt of " << report.promptTokens << " tokens, "
          << QString::number(report.seconds, 'f', 1) << " s)\n";
    for (const ReportSection &s : report.sections)
        out() << "\n" << s.title << " [" << LayerReports::verdictName(s.verdict) << "]\n  " << s.reading << "\n";
    if (!outPath.isEmpty())
        out() << "\nwritten to " << outPath << "\n";
    return 0;
}

} // namespace

void addReportCommand(CommandTable &table)
{
    table[QStringLiteral("report")] = {
        QStringLiteral("The layer report: how this model abstracts, in five measured parts and its head roles (PDF, HTML or JSON)"),
        [](OptionSink &p) {
            p.addOption(modelOption());
            p.addOption({QStringLiteral("out"), QStringLiteral("Write the report to FILE (.pdf, .html or .json)"), QStringLiteral("FILE")});
            p.addOption({QStringLiteral("conllu"), QStringLiteral("CoNLL-U treebank for the probes (part 2; without it that part is not measured)"),
                         QStringLiteral("FILE")});
            p.addOption({QStringLiteral("conllu-dev"), QStringLiteral("Held-out CoNLL-U (default: every fifth sentence of --conllu)"), QStringLiteral("FILE")});
            p.addOption({QStringLiteral("probe-sentences"), QStringLiteral("Training sentences read for the probes (default 400)"), QStringLiteral("N")});
            p.addOption({QStringLiteral("prompt"), QStringLiteral("The text the attention parts run on (default: a built-in story)"), QStringLiteral("TEXT")});
            p.addOption({QStringLiteral("prompt-file"), QStringLiteral("Read that text from FILE"), QStringLiteral("FILE")});
            p.addOption({QStringLiteral("json"), QStringLiteral("Print the whole report as JSON")});
        },
        cmdReport};
}

} // namespace strata::cli
