// strata-cli gguf-random: a random-weight Llama GGUF of a given shape and type mix, so that large
// models (an 8B shape in Q4_K_M) can be benchmarked here without downloads.
#include "CliSupport.h"

#include "RandomGguf.h"
#include "util/Error.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>

namespace strata::cli {

namespace {

int cmdGgufRandom(QCommandLineParser &p)
{
    const QString outPath = requireValue(p, QStringLiteral("out"));
    RandomGgufSpec spec = randomGgufShape(p.isSet(QStringLiteral("shape")) ? p.value(QStringLiteral("shape")) : QStringLiteral("tiny"));
    if (p.isSet(QStringLiteral("mix")))
        spec.mix = p.value(QStringLiteral("mix"));
    spec.seed = unsigned(intValue(p, QStringLiteral("seed"), 1, 0));
    if (p.isSet(QStringLiteral("tied")))
        spec.tied = true;
    QTextStream err(stderr);
    QElapsedTimer timer;
    timer.start();
    int lastPercent = -1;
    writeRandomGguf(outPath, spec, [&](double f) {
        const int pc = int(f * 100);
        if (pc != lastPercent && pc % 5 == 0) {
            err << "\rwriting " << pc << " %";
            err.flush();
            lastPercent = pc;
        }
    });
    err << "\n";
    out() << QStringLiteral("%1: %2 layers, d %3, %4/%5 heads, FFN %6, vocabulary %7, %8%9; %10 MB in %11 s\n")
                 .arg(QDir::toNativeSeparators(outPath))
                 .arg(spec.layers)
                 .arg(spec.dModel)
                 .arg(spec.heads)
                 .arg(spec.kvHeads)
                 .arg(spec.ffn)
                 .arg(spec.vocab)
                 .arg(spec.mix, spec.tied ? QStringLiteral(", tied embedding") : QString())
                 .arg(double(QFileInfo(outPath).size()) / 1048576.0, 0, 'f', 1)
                 .arg(double(timer.elapsed()) / 1000.0, 0, 'f', 1);
    return 0;
}

} // namespace

void addGgufCommands(CommandTable &table)
{
    table[QStringLiteral("gguf-random")] = {
        QStringLiteral("Write a random-weight Llama GGUF of a given shape and type mix (for benchmarks)"),
        [](OptionSink &p) {
            p.addOption({QStringLiteral("out"), QStringLiteral("The .gguf file to write"), QStringLiteral("FILE")});
            p.addOption({QStringLiteral("shape"), QStringLiteral("8b, 1b, tiny (default) or L,D,H,KV,F,V"), QStringLiteral("SHAPE")});
            p.addOption(
                {QStringLiteral("mix"), QStringLiteral("q4_k_m (default) or one type for every matrix: q8_0, q6_k, iq4_xs, f16, ..."), QStringLiteral("MIX")});
            p.addOption({QStringLiteral("tied"), QStringLiteral("No output.weight: the embedding is also the unembedding")});
            p.addOption({QStringLiteral("seed"), QStringLiteral("Random seed (default 1)"), QStringLiteral("N")});
        },
        cmdGgufRandom};
}

} // namespace strata::cli
