// strata-cli batch, batch-merge and slurm: dataset-scale runs, sharded, resumable, on one machine or a
// Slurm job array (see docs/BATCH.md).
#include "CliSupport.h"

#include "batch/BatchMerge.h"
#include "batch/BatchRun.h"
#include "batch/BatchSpec.h"
#include "jobs/JobControl.h"
#include "model/ComputeRuntime.h"
#include "store/Workspace.h"
#include "util/Error.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonObject>
#include <QProcess>
#include <QThread>

#include <csignal>
#include <cstdio>
#include <memory>
#include <unistd.h>

namespace strata::cli {

namespace {

JobControl g_stop; // SIGINT / SIGTERM (Ctrl+C, scancel): stop between items, or inside one (not written)

extern "C" void onStopSignal(int)
{
    g_stop.cancel();
}

void installStopHandlers()
{
    struct sigaction sa = {};
    sa.sa_handler = onStopSignal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);
}

QString specArgument(const QCommandLineParser &p, const QString &usage)
{
    const QStringList pos = p.positionalArguments();
    if (pos.size() < 2)
        throw Error(QStringLiteral("usage: %1").arg(usage));
    if (pos.size() > 2)
        throw Error(QStringLiteral("one argument expected, not '%1' (usage: %2).").arg(pos.mid(1).join(QLatin1Char(' ')), usage));
    return pos[1];
}

// Progress on stderr: rewritten in place on a terminal, a line every tenth of the way otherwise.
class Progress
{
public:
    explicit Progress(QString label) : m_label(std::move(label)), m_tty(isatty(STDERR_FILENO) != 0) { m_timer.start(); }
    void show(int done, int total, int startedAt, const QString &what)
    {
        const double s = double(m_timer.elapsed()) / 1000.0;
        const double rate = s > 0 ? (done - startedAt) / s : 0;
        const QString line = QStringLiteral("%1: %2/%3 items, %4 items/s%5")
                                 .arg(m_label)
                                 .arg(done)
                                 .arg(total)
                                 .arg(rate, 0, 'f', 1)
                                 .arg(what.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(what));
        if (m_tty) {
            std::fprintf(stderr, "\r%-78s", qPrintable(line.left(78)));
        } else {
            const int tenth = total > 0 ? done * 10 / total : 10;
            if (tenth == m_lastTenth)
                return;
            m_lastTenth = tenth;
            std::fprintf(stderr, "%s\n", qPrintable(line));
        }
        std::fflush(stderr);
    }
    void finish()
    {
        if (m_tty)
            std::fprintf(stderr, "\n");
    }
    double seconds() const { return double(m_timer.elapsed()) / 1000.0; }

private:
    QString m_label;
    bool m_tty;
    int m_lastTenth = -1;
    QElapsedTimer m_timer;
};

// --workers K: K processes of this program, one per share of the shard's items, writing to the same
// shard file (SQLite serialises their item transactions); this one shows the progress and waits.
int runWorkers(const QCommandLineParser &p, const BatchSpec &spec, const QString &outDir, int shard, int shards, int workers)
{
    const int count = int(Batch::items(spec).size());
    const int total = Batch::shardSize(count, shard, shards);
    BatchShard file(outDir, spec, shard, shards, count); // created (and checked) before the workers open it
    const int before = file.doneCount();
    const int threads = std::max(1, ComputeRuntime::configureThreads() / workers);
    std::vector<std::unique_ptr<QProcess>> procs;
    for (int k = 0; k < workers; ++k) {
        auto proc = std::make_unique<QProcess>();
        QStringList args{QStringLiteral("batch"),    spec.path,
                         QStringLiteral("--out"),    outDir,
                         QStringLiteral("--shard"),  QStringLiteral("%1/%2").arg(shard).arg(shards),
                         QStringLiteral("--worker"), QStringLiteral("%1/%2").arg(k).arg(workers)};
        if (p.isSet(QStringLiteral("compute")))
            args << QStringLiteral("--compute") << p.value(QStringLiteral("compute"));
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        if (!env.contains(QStringLiteral("STRATA_THREADS")))
            env.insert(QStringLiteral("STRATA_THREADS"), QString::number(threads));
        proc->setProcessEnvironment(env);
        proc->setProcessChannelMode(QProcess::ForwardedChannels);
        proc->start(QCoreApplication::applicationFilePath(), args);
        if (!proc->waitForStarted())
            throw Error(QStringLiteral("Cannot start worker %1: %2").arg(k).arg(proc->errorString()));
        procs.push_back(std::move(proc));
    }
    Progress progress(QStringLiteral("batch shard %1/%2, %3 workers").arg(shard).arg(shards).arg(workers));
    bool stopping = false;
    for (;;) {
        bool running = false;
        for (auto &proc : procs)
            running = running || proc->state() != QProcess::NotRunning;
        if (!running)
            break;
        if (g_stop.isCancelled() && !stopping) {
            stopping = true;
            for (auto &proc : procs)
                proc->terminate(); // SIGTERM: each stops after (or inside) its current item
        }
        procs.front()->waitForFinished(500);
        for (auto &proc : procs)
            proc->waitForFinished(0);
        progress.show(file.doneCount(), total, before, QString());
    }
    progress.finish();
    int failed = 0;
    for (auto &proc : procs)
        failed += proc->exitStatus() != QProcess::NormalExit || proc->exitCode() != 0 ? 1 : 0;
    const int done = file.doneCount();
    std::fprintf(stderr, "batch: shard %d/%d: %d of %d items written (%d now) in %.1f s, %.2f items/s, %d workers -> %s\n", shard, shards, done, total,
                 done - before, progress.seconds(), progress.seconds() > 0 ? (done - before) / progress.seconds() : 0.0, workers,
                 qPrintable(QDir::toNativeSeparators(file.path())));
    if (stopping || (failed && done < total)) {
        std::fprintf(stderr, "batch: %s; rerun the same command to resume.\n", stopping ? "stopped" : "a worker failed");
        return stopping ? 130 : 1;
    }
    return 0;
}

int cmdBatch(QCommandLineParser &p)
{
    const QString usage = QStringLiteral("strata-cli batch SPEC --out DIR [--shard I/N] [--workers K]");
    const BatchSpec spec = BatchSpec::load(specArgument(p, usage));
    const QString outDir = QFileInfo(requireValue(p, QStringLiteral("out"))).absoluteFilePath();
    int shard = 0, shards = 1;
    if (p.isSet(QStringLiteral("shard")))
        Batch::parseShard(p.value(QStringLiteral("shard")), &shard, &shards);
    const int workers = intValue(p, QStringLiteral("workers"), 1, 1);
    installStopHandlers();
    ComputeRuntime::configureThreads();
    if (!p.isSet(QStringLiteral("worker")) && workers > 1)
        return runWorkers(p, spec, outDir, shard, shards, workers);

    BatchRunOptions o;
    o.shard = shard;
    o.shards = shards;
    const bool quiet = p.isSet(QStringLiteral("worker"));
    if (quiet)
        Batch::parseShard(p.value(QStringLiteral("worker")), &o.worker, &o.workers);
    Progress progress(QStringLiteral("batch shard %1/%2").arg(shard).arg(shards));
    int startedAt = -1, lastDone = 0, lastTotal = 0;
    if (!quiet)
        o.progress = [&](int done, int total, const QString &what) {
            if (startedAt < 0)
                startedAt = done;
            lastDone = done;
            lastTotal = total;
            progress.show(done, total, startedAt, what);
        };
    try {
        const int written = Batch::runShard(spec, outDir, o, &g_stop);
        if (!quiet) {
            progress.finish();
            std::fprintf(stderr, "batch: shard %d/%d: %d items written now (%d of %d done) in %.1f s, %.2f items/s -> %s\n", shard, shards, written, lastDone,
                         lastTotal, progress.seconds(), progress.seconds() > 0 ? written / progress.seconds() : 0.0,
                         qPrintable(QDir::toNativeSeparators(QDir(outDir).filePath(Batch::shardFileName(shard, shards)))));
        }
    } catch (const Cancelled &) {
        if (!quiet) {
            progress.finish();
            std::fprintf(stderr, "batch: stopped; %d of %d items are written. Rerun the same command to resume.\n", lastDone, lastTotal);
        }
        return 130;
    }
    return 0;
}

int cmdBatchMerge(QCommandLineParser &p)
{
    const QString dir = specArgument(p, QStringLiteral("strata-cli batch-merge DIR --into WORKSPACE [--spec SPEC] [--partial]"));
    const QString into = requireValue(p, QStringLiteral("into"));
    BatchMergeOptions o;
    o.partial = p.isSet(QStringLiteral("partial"));
    if (p.isSet(QStringLiteral("spec")))
        o.specHash = BatchSpec::load(p.value(QStringLiteral("spec"))).hash;
    const BatchMergeSummary s = Batch::merge(dir, into, o);
    if (p.isSet(QStringLiteral("json"))) {
        printJson(QJsonObject{{QStringLiteral("session"), s.sessionId},
                              {QStringLiteral("session_name"), s.sessionName},
                              {QStringLiteral("shards"), s.shards},
                              {QStringLiteral("items"), s.items},
                              {QStringLiteral("expected"), s.expected},
                              {QStringLiteral("incomplete"), QJsonArray::fromStringList(s.incomplete)},
                              {QStringLiteral("earlier"), QJsonArray::fromStringList(s.earlier)}});
        return 0;
    }
    out() << "merged " << s.items << " of " << s.expected << " items from " << s.shards << (s.shards == 1 ? " shard" : " shards") << " into session '"
          << s.sessionName << "' of " << QDir::toNativeSeparators(into) << "\n";
    for (const QString &i : s.incomplete)
        out() << "  incomplete: " << i << "\n";
    if (!s.earlier.isEmpty())
        out() << "  earlier merges of this batch are kept: " << s.earlier.join(QStringLiteral(", ")) << "\n";
    return 0;
}

// The dataset-level figures of a merged batch: the "batch" result as JSON, or a short reading.
int cmdBatchShow(QCommandLineParser &p)
{
    const QString file = specArgument(p, QStringLiteral("strata-cli batch-show WORKSPACE [--session NAME] [--json]"));
    if (!QFileInfo(file).isFile())
        throw Error(QStringLiteral("The workspace %1 does not exist.").arg(QDir::toNativeSeparators(file)));
    Workspace::Options o;
    o.readOnly = true;
    o.purgeDeleted = false;
    Workspace ws(file, o);
    QJsonArray batches;
    for (const SessionRecord &s : ws.sessions()) {
        if (p.isSet(QStringLiteral("session")) && s.name != p.value(QStringLiteral("session")))
            continue;
        QJsonObject b = Batch::batchResultOf(ws, s.id);
        if (b.isEmpty())
            continue;
        b.insert(QStringLiteral("session"), s.name);
        batches.append(b);
    }
    if (batches.isEmpty())
        throw Error(QStringLiteral("%1 holds no merged batch%2 (strata-cli batch-merge DIR --into %1 makes one).")
                        .arg(QDir::toNativeSeparators(file),
                             p.isSet(QStringLiteral("session")) ? QStringLiteral(" named '%1'").arg(p.value(QStringLiteral("session"))) : QString()));
    if (p.isSet(QStringLiteral("json"))) {
        printJson(batches);
        return 0;
    }
    const QStringList scores = batchHeadScoreNames();
    for (const QJsonValue &bv : batches) {
        const QJsonObject b = bv.toObject();
        out() << "session '" << b.value(QStringLiteral("session")).toString() << "': batch " << b.value(QStringLiteral("name")).toString() << ", "
              << b.value(QStringLiteral("merged_items")).toInt() << " of " << b.value(QStringLiteral("items")).toInt() << " items, "
              << b.value(QStringLiteral("shards")).toInt() << (b.value(QStringLiteral("shards")).toInt() == 1 ? " shard\n" : " shards\n");
        for (const QJsonValue &mv : b.value(QStringLiteral("models")).toArray()) {
            const QJsonObject m = mv.toObject();
            const QJsonObject a = m.value(QStringLiteral("aggregate")).toObject();
            out() << "model " << m.value(QStringLiteral("name")).toString() << ": " << a.value(QStringLiteral("measured")).toInt() << " items measured, "
                  << a.value(QStringLiteral("skipped")).toInt() << " skipped, " << QString::number(a.value(QStringLiteral("tokens_mean")).toDouble(), 'f', 1)
                  << " tokens on average\n";
            const QJsonObject h = a.value(QStringLiteral("heads")).toObject();
            const QJsonArray shape = h.value(QStringLiteral("shape")).toArray();
            if (shape.size() == 3) {
                const int heads = shape[1].toInt(), nScores = shape[2].toInt();
                const QJsonArray mean = h.value(QStringLiteral("mean")).toArray(), low = h.value(QStringLiteral("low")).toArray(),
                                 high = h.value(QStringLiteral("high")).toArray();
                out() << "  strongest head per score (mean over items, 95 % interval):\n";
                for (int s = 0; s < nScores && s < scores.size(); ++s) {
                    int best = -1;
                    for (int c = s; c < mean.size(); c += nScores)
                        if (!mean[c].isNull() && (best < 0 || mean[c].toDouble() > mean[best].toDouble()))
                            best = c;
                    if (best < 0)
                        continue;
                    const int cell = best / nScores;
                    out() << "    " << scores[s].leftJustified(20) << QStringLiteral("L%1H%2").arg(cell / heads).arg(cell % heads).leftJustified(8)
                          << QString::number(mean[best].toDouble(), 'f', 3) << "  [" << QString::number(low[best].toDouble(), 'f', 3) << ", "
                          << QString::number(high[best].toDouble(), 'f', 3) << "]\n";
                }
            }
            const QJsonObject top1 = a.value(QStringLiteral("lens")).toObject().value(QStringLiteral("top1")).toObject();
            if (!top1.isEmpty()) {
                out() << "  logit lens, share of positions whose top token is already the final one, by layer:";
                for (const QJsonValue &v : top1.value(QStringLiteral("mean")).toArray())
                    out() << " " << QString::number(v.toDouble(), 'f', 2);
                out() << "\n";
            }
        }
    }
    return 0;
}

} // namespace

void addSlurmCommand(CommandTable &table); // SlurmCommand.cpp

void addBatchCommands(CommandTable &table)
{
    table[QStringLiteral("batch")] = {
        QStringLiteral("Run a batch spec over its dataset, one shard of it, resumable (docs/BATCH.md)"),
        [](OptionSink &p) {
            p.addOption({QStringLiteral("out"), QStringLiteral("Folder for the shard files (created when missing)"), QStringLiteral("DIR")});
            p.addOption({QStringLiteral("shard"), QStringLiteral("Run shard I of N (items whose index mod N is I; default 0/1)"), QStringLiteral("I/N")});
            p.addOption({QStringLiteral("workers"), QStringLiteral("Processes sharing the shard (default 1)"), QStringLiteral("K")});
            p.addOption({QStringLiteral("worker"), QStringLiteral("Internal: run as worker k of K of --workers"), QStringLiteral("k/K")});
        },
        cmdBatch};
    table[QStringLiteral("batch-merge")] = {
        QStringLiteral("Collect a batch's shard files into one session of a workspace, with the dataset-level figures"),
        [](OptionSink &p) {
            p.addOption({QStringLiteral("into"), QStringLiteral("The workspace to add the batch session to (created when missing)"), QStringLiteral("FILE")});
            p.addOption({QStringLiteral("spec"), QStringLiteral("Refuse shards not made from this spec"), QStringLiteral("SPEC")});
            p.addOption({QStringLiteral("partial"), QStringLiteral("Merge although shards are missing or unfinished")});
            p.addOption({QStringLiteral("json"), QStringLiteral("Print the summary as JSON")});
        },
        cmdBatchMerge};
    table[QStringLiteral("batch-show")] = {
        QStringLiteral("Print the dataset-level figures of the merged batches in a workspace"),
        [](OptionSink &p) {
            p.addOption({QStringLiteral("session"), QStringLiteral("Only the batch session of this name"), QStringLiteral("NAME")});
            p.addOption({QStringLiteral("json"), QStringLiteral("Print them as JSON")});
        },
        cmdBatchShow};
    addSlurmCommand(table);
}

} // namespace strata::cli
