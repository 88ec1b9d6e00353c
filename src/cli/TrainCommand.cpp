// strata-cli train: a small GPT-2 (and its byte-level BPE) trained on text or on the induction task.
#include "CliSupport.h"

#include "jobs/JobControl.h"
#include "model/ComputeRuntime.h"
#include "train/Gpt2Trainer.h"
#include "util/Error.h"

#include <QDir>
#include <QFileInfo>

#include <csignal>
#include <limits>

namespace strata::cli {

namespace {

JobControl *g_trainControl = nullptr;
extern "C" void stopTraining(int)
{
    if (g_trainControl)
        g_trainControl->cancel(); // an atomic store: safe in a signal handler
}

int cmdTrain(QCommandLineParser &p)
{
    TrainConfig c;
    const QString task = p.value(QStringLiteral("task"));
    if (!task.isEmpty() && task != QLatin1String("text") && task != QLatin1String("induction"))
        throw Error(QStringLiteral("--task must be text or induction, not %1.").arg(task));
    if (task == QLatin1String("induction")) {
        c.task = TrainTask::Induction;
        c.vocabSize = 64;
    }
    const QStringList corpus = p.values(QStringLiteral("corpus"));
    if (corpus.isEmpty() && c.task == TrainTask::Text)
        throw Error(QStringLiteral("missing --corpus (a .txt file or a folder of them; repeatable), or --task induction."));
    for (const QString &entry : corpus) {
        const QFileInfo fi(entry);
        if (fi.isDir()) {
            const QStringList txt = QDir(entry).entryList({QStringLiteral("*.txt")}, QDir::Files, QDir::Name);
            if (txt.isEmpty())
                throw Error(QStringLiteral("--corpus %1 holds no .txt files.").arg(entry));
            for (const QString &f : txt)
                c.corpusFiles << QDir(entry).filePath(f);
        } else if (fi.isFile()) {
            c.corpusFiles << entry;
        } else {
            throw Error(QStringLiteral("--corpus %1 does not exist.").arg(entry));
        }
    }
    c.outDir = requireValue(p, QStringLiteral("out"));
    c.vocabSize = intValue(p, QStringLiteral("vocab"), c.vocabSize, c.task == TrainTask::Text ? 300 : 8);
    c.layers = intValue(p, QStringLiteral("layers"), c.layers, 1);
    c.heads = intValue(p, QStringLiteral("heads"), c.heads, 1);
    c.dModel = intValue(p, QStringLiteral("d-model"), c.dModel, 8);
    c.context = intValue(p, QStringLiteral("context"), c.context, 16);
    c.batch = intValue(p, QStringLiteral("batch"), c.batch, 1);
    c.steps = intValue(p, QStringLiteral("steps"), c.steps, 1);
    c.warmup = intValue(p, QStringLiteral("warmup"), std::min(c.warmup, c.steps / 10 + 1), 1);
    c.evalEvery = intValue(p, QStringLiteral("eval-every"), c.evalEvery, 1);
    c.checkpointEvery = intValue(p, QStringLiteral("checkpoint-every"), c.checkpointEvery, 1);
    c.seed = uint64_t(intValue(p, QStringLiteral("seed"), int(c.seed), 0));
    c.maxCorpusBytes = intValue(p, QStringLiteral("max-corpus-mb"), 0, 0) * int64_t(1000000);
    const QString share = QStringLiteral("a number from 0 to 1");
    c.lr = doubleValue(p, QStringLiteral("lr"), c.lr, std::numeric_limits<double>::denorm_min(), std::numeric_limits<double>::infinity(),
                       QStringLiteral("a positive number"));
    c.repeatFraction = doubleValue(p, QStringLiteral("repeat-fraction"), c.repeatFraction, 0, 1, share);
    c.minPeriod = intValue(p, QStringLiteral("min-period"), c.minPeriod, 1);
    c.maxPeriod = intValue(p, QStringLiteral("max-period"), c.maxPeriod, 0);
    c.maxPrefixShare = doubleValue(p, QStringLiteral("max-prefix"), c.maxPrefixShare, 0, 1, share);
    c.inductionSteps = intValue(p, QStringLiteral("induction-steps"), c.inductionSteps, 0);
    c.probeLength = intValue(p, QStringLiteral("probe-length"), c.probeLength, 0);
    const QString autocast = p.value(QStringLiteral("autocast"));
    if (!autocast.isEmpty() && autocast != QLatin1String("bf16") && autocast != QLatin1String("off"))
        throw Error(QStringLiteral("--autocast must be bf16 or off, not %1.").arg(autocast));
    c.autocastBf16 = autocast == QLatin1String("bf16");
    c.resume = p.isSet(QStringLiteral("resume"));
    c.sinusoidalPositions = !p.isSet(QStringLiteral("random-positions"));
    const int threads = ComputeRuntime::configureThreads(intValue(p, QStringLiteral("threads"), 0, 0));
    QTextStream err(stderr);
    JobControl control([&](double f, const QString &what) {
        err << "\r" << QString::number(100 * f, 'f', 1) << "% " << what << "      ";
        err.flush();
    });
    g_trainControl = &control;
    std::signal(SIGINT, stopTraining);
    std::signal(SIGTERM, stopTraining);
    err << "training with " << threads << " threads; Ctrl+C saves a checkpoint and stops\n";
    Gpt2Trainer trainer(c, [&](const QString &line) {
        err << "\r" << line << "\n";
        err.flush();
    });
    try {
        trainer.run(&control);
    } catch (const Cancelled &) {
        g_trainControl = nullptr;
        return 130;
    }
    g_trainControl = nullptr;
    out() << c.outDir << "\n";
    return 0;
}

} // namespace

void addTrainCommand(CommandTable &table)
{
    table[QStringLiteral("train")] = {
        QStringLiteral("Train a small GPT-2 (and its byte-level BPE) on text, or on the induction task; writes a Hugging Face folder"),
        [](OptionSink &p) {
            p.addOption({QStringLiteral("task"), QStringLiteral("text (default: --corpus) or induction (random tokens, every row a repeated segment)"),
                         QStringLiteral("T")});
            p.addOption({QStringLiteral("corpus"), QStringLiteral("Training text: a .txt file or a folder of them (repeatable)"), QStringLiteral("PATH")});
            p.addOption({QStringLiteral("out"), QStringLiteral("Output model folder"), QStringLiteral("DIR")});
            p.addOption(
                {QStringLiteral("vocab"), QStringLiteral("BPE vocabulary size (default 4096; induction task: tokens, default 64)"), QStringLiteral("N")});
            p.addOption({QStringLiteral("layers"), QStringLiteral("Layers (default 4)"), QStringLiteral("N")});
            p.addOption({QStringLiteral("heads"), QStringLiteral("Heads per layer (default 4)"), QStringLiteral("N")});
            p.addOption({QStringLiteral("d-model"), QStringLiteral("Width (default 128)"), QStringLiteral("N")});
            p.addOption({QStringLiteral("context"), QStringLiteral("Context length (default 128)"), QStringLiteral("N")});
            p.addOption({QStringLiteral("batch"), QStringLiteral("Sequences per step (default 32)"), QStringLiteral("N")});
            p.addOption({QStringLiteral("steps"), QStringLiteral("Optimiser steps (default 6000)"), QStringLiteral("N")});
            p.addOption({QStringLiteral("warmup"), QStringLiteral("Warm-up steps (default 150)"), QStringLiteral("N")});
            p.addOption({QStringLiteral("lr"), QStringLiteral("Peak learning rate (default 1e-3)"), QStringLiteral("X")});
            p.addOption(
                {QStringLiteral("repeat-fraction"), QStringLiteral("Share of text rows holding a repeated random segment (default 0.5)"), QStringLiteral("X")});
            p.addOption({QStringLiteral("min-period"), QStringLiteral("Shortest period of the repeated segment (default 4)"), QStringLiteral("N")});
            p.addOption({QStringLiteral("max-period"), QStringLiteral("Longest period (default: half the context)"), QStringLiteral("N")});
            p.addOption({QStringLiteral("induction-steps"),
                         QStringLiteral("Text: the first N steps train on the induction task alone (random tokens repeated; default 0)"), QStringLiteral("N")});
            p.addOption({QStringLiteral("max-prefix"),
                         QStringLiteral("The repeated segment starts after up to this share of the row, ramped in from 0 over the middle third of "
                                        "training (default 0.5)"),
                         QStringLiteral("X")});
            p.addOption(
                {QStringLiteral("probe-length"), QStringLiteral("Induction probe: N random tokens twice (default min(50, context/2))"), QStringLiteral("N")});
            p.addOption(
                {QStringLiteral("autocast"), QStringLiteral("bf16: matrix products in bfloat16 (CPU autocast); off (default)"), QStringLiteral("MODE")});
            p.addOption({QStringLiteral("eval-every"), QStringLiteral("Steps between evaluations (default 250)"), QStringLiteral("N")});
            p.addOption({QStringLiteral("checkpoint-every"), QStringLiteral("Steps between checkpoints (default 250)"), QStringLiteral("N")});
            p.addOption({QStringLiteral("seed"), QStringLiteral("Random seed (default 1234)"), QStringLiteral("N")});
            p.addOption({QStringLiteral("max-corpus-mb"), QStringLiteral("Use at most this many MB of text"), QStringLiteral("N")});
            p.addOption({QStringLiteral("threads"), QStringLiteral("Torch threads (default: all cores)"), QStringLiteral("N")});
            p.addOption({QStringLiteral("resume"), QStringLiteral("Continue from the checkpoint in OUT/checkpoint")});
            p.addOption({QStringLiteral("random-positions"), QStringLiteral("Initialise position embeddings with noise instead of sinusoids")});
        },
        cmdTrain};
}

} // namespace strata::cli
