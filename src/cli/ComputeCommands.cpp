// strata-cli faithfulness: one text run at f32 and at bf16 compute, and how far apart they are.
#include "CliSupport.h"

#include "analysis/Faithfulness.h"
#include "model/ComputeRuntime.h"
#include "model/ModelFamily.h"
#include "model/PluginHost.h"
#include "tokenize/Tokenizer.h"
#include "util/Error.h"

#include <QDir>
#include <QFile>

namespace strata::cli {

namespace {

int cmdFaithfulness(QCommandLineParser &p)
{
    ComputeRuntime::configureThreads();
    const QString loc = p.isSet(QStringLiteral("model")) ? p.value(QStringLiteral("model")) : QStringLiteral("demo");
    const QString textPath = requireValue(p, QStringLiteral("text"));
    QFile f(textPath);
    if (!f.open(QIODevice::ReadOnly))
        throw Error(QStringLiteral("%1: cannot open: %2.").arg(QDir::toNativeSeparators(textPath), f.errorString()));
    const QString text = QString::fromUtf8(f.readAll());
    const auto exact = PluginHost::instance().load(loc, nullptr, QStringLiteral("f32"));
    const auto approx = PluginHost::instance().load(loc, nullptr, QStringLiteral("bf16"));
    const int wanted = intValue(p, QStringLiteral("tokens"), 2048, 2);
    const int window = std::min(intValue(p, QStringLiteral("window"), 256, 2), exact->info().contextLength);
    std::vector<int64_t> ids;
    for (const TokenPiece &t : exact->tokenizer().encode(text))
        ids.push_back(t.id);
    if (int64_t(ids.size()) < wanted)
        throw Error(
            QStringLiteral("%1 holds %2 tokens for this model; --tokens asks for %3.").arg(QDir::toNativeSeparators(textPath)).arg(ids.size()).arg(wanted));
    ids.resize(size_t(wanted));
    const Faithfulness fa = Faithfulness::measure(*exact, *approx, ids, size_t(window));
    if (p.isSet(QStringLiteral("json"))) {
        QJsonObject o = fa.toJson();
        o.insert(QStringLiteral("model"), exact->info().name);
        o.insert(QStringLiteral("window"), window);
        o.insert(QStringLiteral("bf16"), ComputeRuntime::nativeBf16().isEmpty() ? QStringLiteral("emulated") : ComputeRuntime::nativeBf16());
        printJson(o);
        return 0;
    }
    out() << exact->info().name << ": bf16 against f32 over " << fa.positions << " tokens (windows of " << window << ")\n"
          << "max |attention difference|   " << QString::number(fa.maxAttnDiff, 'g', 3) << "\n"
          << "resid_post relative error    ";
    for (double r : fa.residRelError())
        out() << QString::number(r, 'g', 3) << " ";
    out() << "\nlogits relative error        " << QString::number(fa.logitsRelError(), 'g', 3) << "\n"
          << "top-1 agreement              " << QString::number(100.0 * fa.top1Agreement(), 'f', 2) << " %\n";
    return 0;
}

} // namespace

void addComputeCommands(CommandTable &table)
{
    table[QStringLiteral("faithfulness")] = {
        QStringLiteral("bf16 against f32 compute on one text: attention, residual stream, top-1 agreement"),
        [](OptionSink &p) {
            p.addOption(modelOption());
            p.addOption({QStringLiteral("text"), QStringLiteral("A text file (at least --tokens tokens)"), QStringLiteral("FILE")});
            p.addOption({QStringLiteral("tokens"), QStringLiteral("Tokens to compare (default 2048)"), QStringLiteral("N")});
            p.addOption({QStringLiteral("window"), QStringLiteral("Tokens per run (default 256, at most the context)"), QStringLiteral("N")});
            p.addOption({QStringLiteral("json"), QStringLiteral("Print JSON")});
        },
        cmdFaithfulness};
}

} // namespace strata::cli
