// strata-cli bench: forward pass + full trace timed per length, capture storage and compute
// precision, against the GEMM peak measured in the same run; --store and --patching time saving
// runs and the batched patching sweep.
#include "CliSupport.h"

#include "RandomGpt2.h"
#include "model/ComputeRuntime.h"
#include "model/ModelFamily.h"
#include "model/PluginHost.h"
#include "store/TraceCodec.h"
#include "store/Workspace.h"
#include "tokenize/Tokenizer.h"
#include "util/Error.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonObject>
#include <QTemporaryDir>

#include <algorithm>
#include <malloc.h>

namespace strata::cli {

namespace {

// Floating-point operations of one forward pass over T tokens (multiply-adds counted as 2): the
// projections (Q, K, V with grouped KV heads, output), the two attention products, the MLP (two
// matrices, three for gated families) and the unembedding.
double forwardFlops(const ModelInfo &i, int T)
{
    const double D = i.dModel, V = double(i.vocabSize), t = T, M = i.dMlp;
    const double hd = i.headDim > 0 ? i.headDim : D / std::max(1, i.nHeads);
    const double q = hd * i.nHeads, kv = hd * (i.nKvHeads > 0 ? i.nKvHeads : i.nHeads);
    const double mlpMatrices = i.family == QLatin1String("gpt2") || i.family == QLatin1String("neox") ? 2 : 3;
    const double perLayer = 2 * t * D * (q + 2 * kv) + 2 * t * t * q * 2 + 2 * t * q * D + 2 * t * D * M * mlpMatrices;
    return i.nLayers * perLayer + 2 * t * D * V;
}

long long resetPeakRss()
{
    QFile f(QStringLiteral("/proc/self/clear_refs"));
    if (f.open(QIODevice::WriteOnly))
        f.write("5");
    return ComputeRuntime::currentRssBytes();
}

long long peakRssSinceReset()
{
    QFile f(QStringLiteral("/proc/self/status"));
    if (!f.open(QIODevice::ReadOnly))
        return ComputeRuntime::peakRssBytes();
    for (const QByteArray &line : f.readAll().split('\n'))
        if (line.startsWith("VmHWM:"))
            return line.mid(6).trimmed().split(' ').value(0).toLongLong() * 1024;
    return ComputeRuntime::peakRssBytes();
}

// Saving a run with its trace into a workspace and reopening it, as the session browser does.
int benchStore(LoadedModel &model, const QList<int> &lengths, int repeats, const QString &dir)
{
    Workspace ws(QDir(dir).filePath(QStringLiteral("bench.strata")));
    const qint64 session = ws.createSession(QStringLiteral("bench"));
    out() << "model " << model.info().name << "; a run saved with its trace (float16) and reopened\n"
          << QStringLiteral("%1 %2 %3 %4 %5 %6\n")
                 .arg(QStringLiteral("T"), 6)
                 .arg(QStringLiteral("trace MB"), 9)
                 .arg(QStringLiteral("stored MB"), 10)
                 .arg(QStringLiteral("encode ms"), 10)
                 .arg(QStringLiteral("save ms"), 8)
                 .arg(QStringLiteral("reopen ms"), 10);
    for (int T : lengths) {
        std::vector<int64_t> ids(static_cast<size_t>(T));
        for (int i = 0; i < T; ++i)
            ids[size_t(i)] = (i * 7919) % std::min<int64_t>(model.info().vocabSize, 50000);
        const std::shared_ptr<Trace> trace = model.run(ids, TraceOptions{}, nullptr);
        for (int i = 0; i < T; ++i) {
            trace->tokens.push_back(TokenPiece{ids[size_t(i)], i, i + 1});
            trace->tokenStrings << model.tokenizer().displayString(ids[size_t(i)]);
        }
        double encodeMs = 1e100, saveMs = 1e100, reopenMs = 1e100;
        qint64 stored = 0;
        for (int r = 0; r < repeats; ++r) {
            QElapsedTimer timer;
            timer.start();
            const QByteArray blob = TraceCodec::encode(*trace);
            encodeMs = std::min(encodeMs, double(timer.nsecsElapsed()) / 1e6);
            stored = blob.size();
            RunRecord run;
            run.sessionId = session;
            run.modelLocation = model.info().location;
            run.prompt = QStringLiteral("bench");
            run.tokenCount = T;
            timer.restart();
            const qint64 id = ws.addRun(run, blob);
            saveMs = std::min(saveMs, double(timer.nsecsElapsed()) / 1e6);
            timer.restart();
            const TracePtr back = ws.loadTrace(id);
            reopenMs = std::min(reopenMs, double(timer.nsecsElapsed()) / 1e6);
            if (!back || back->tokenCount() != T)
                throw Error(QStringLiteral("The reopened trace is not the one saved."));
        }
        out() << QStringLiteral("%1 %2 %3 %4 %5 %6\n")
                     .arg(T, 6)
                     .arg(double(trace->byteSize()) / 1048576.0, 9, 'f', 1)
                     .arg(double(stored) / 1048576.0, 10, 'f', 1)
                     .arg(encodeMs, 10, 'f', 1)
                     .arg(saveMs, 8, 'f', 1)
                     .arg(reopenMs, 10, 'f', 1);
        out().flush();
    }
    return 0;
}

int cmdBench(QCommandLineParser &p)
{
    const int threads = ComputeRuntime::configureThreads(intValue(p, QStringLiteral("threads"), 0, 0));
    QTemporaryDir tmp;
    QString loc = p.value(QStringLiteral("model"));
    QTextStream err(stderr);
    if (loc.isEmpty()) {
        // --save-model keeps the random model so that other tools (the PyTorch baseline) can run it.
        const QString folder = p.isSet(QStringLiteral("save-model")) ? p.value(QStringLiteral("save-model")) : tmp.path();
        err << "writing a random GPT-2-small (124M parameters) to " << folder << "...\n";
        err.flush();
        writeRandomGpt2(folder, RandomGpt2Spec{});
        loc = folder;
    }
    // --compute f32,bf16: the same model at each precision, one after the other in this run.
    const QStringList computes = p.isSet(QStringLiteral("compute")) ? p.value(QStringLiteral("compute")).split(QLatin1Char(','), Qt::SkipEmptyParts)
                                                                    : QStringList{ComputeRuntime::computeRequest()};
    for (const QString &c : computes)
        ComputeRuntime::resolveCompute(c, 0); // an unknown name fails before anything runs
    QList<int> lengths;
    for (const QString &s : p.value(QStringLiteral("tokens")).split(QLatin1Char(','), Qt::SkipEmptyParts))
        lengths << s.toInt();
    if (lengths.isEmpty())
        lengths = {32, 128, 512, 1024};
    const int repeats = intValue(p, QStringLiteral("repeats"), 3, 1);
    QList<DType> storages;
    for (const QString &c : p.value(QStringLiteral("capture")).split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        if (c == QLatin1String("f32"))
            storages << DType::F32;
        else if (c == QLatin1String("f16"))
            storages << DType::F16;
        else
            throw Error(QStringLiteral("--capture: '%1' is not a storage type (f32 or f16).").arg(c));
    }
    if (storages.isEmpty())
        storages = {DType::F32, DType::F16};
    const double peak = ComputeRuntime::measureGemmGflops(1024, 5);
    // The bf16 peak only when a bf16 run may follow: the product bf16 compute uses (on a CPU without
    // native bf16 the float32 product of bf16 values, so "% peak" is against what really ran).
    const bool anyBf16 = std::any_of(computes.begin(), computes.end(), [](const QString &c) { return c != QLatin1String("f32"); });
    const double peakBf16 = anyBf16 ? ComputeRuntime::measureGemmGflops(1024, 5, true) : 0.0;
    // The peak measurement's buffers go back to the system, so that the peak RSS of each row is what
    // the model's runs need, not what the bench needed before loading (glibc keeps freed memory).
    malloc_trim(0);
    QJsonArray rows;
    double loadSeconds = 0;
    long long loadedRss = 0;
    for (const QString &computeRequest : computes) {
        QElapsedTimer loadTimer;
        loadTimer.start();
        const auto model = PluginHost::instance().load(loc, nullptr, computeRequest);
        loadSeconds = double(loadTimer.elapsed()) / 1000.0;
        loadedRss = ComputeRuntime::currentRssBytes();
        const ModelInfo &info = model->info();
        if (p.isSet(QStringLiteral("store")))
            return benchStore(*model, lengths, repeats, tmp.path());
        if (p.isSet(QStringLiteral("patching")))
            return benchPatching(*model, p.isSet(QStringLiteral("tokens")) ? lengths : QList<int>{16}, repeats);
        out() << "model " << info.name << " (" << info.parameterCount << " parameters, " << info.dtype << "), " << threads << " threads\n"
              << "loaded in " << QString::number(loadSeconds, 'f', 1) << " s, RSS after loading " << QString::number(double(loadedRss) / 1048576.0, 'f', 0)
              << " MB\n"
              << "BLAS " << ComputeRuntime::blasDescription() << "\n"
              << "compute " << info.compute << (info.computeNote.isEmpty() ? QString() : QStringLiteral(" (") + info.computeNote + QLatin1Char(')')) << "\n"
              << "GEMM peak (1024^3, same run): float32 " << QString::number(peak, 'f', 1) << " GFLOP/s, bfloat16 "
              << (anyBf16 ? QString::number(peakBf16, 'f', 1) + QStringLiteral(" GFLOP/s") : QStringLiteral("not measured (f32 only)")) << " ("
              << (ComputeRuntime::nativeBf16().isEmpty() ? QStringLiteral("emulated: float32 products of bf16 values") : ComputeRuntime::nativeBf16()) << ")\n"
              << QStringLiteral("%1 %2 %3 %4 %5 %6 %7\n")
                     .arg(QStringLiteral("T"), 6)
                     .arg(QStringLiteral("capture"), 9)
                     .arg(QStringLiteral("best ms"), 10)
                     .arg(QStringLiteral("GFLOP/s"), 9)
                     .arg(QStringLiteral("% peak"), 7)
                     .arg(QStringLiteral("trace MB"), 9)
                     .arg(QStringLiteral("peak RSS MB"), 12);
        out().flush();
        for (int T : lengths) {
            if (T < 1 || T > info.contextLength)
                throw Error(QStringLiteral("--tokens: %1 is outside 1..%2.").arg(T).arg(info.contextLength));
            std::vector<int64_t> ids(static_cast<size_t>(T));
            for (int i = 0; i < T; ++i)
                ids[size_t(i)] = (i * 7919) % std::min<int64_t>(info.vocabSize, 50000);
            for (const DType storage : storages) {
                TraceOptions opt;
                opt.storage = storage;
                resetPeakRss();
                double best = 1e100;
                int64_t bytes = 0;
                for (int r = 0; r < repeats; ++r) {
                    QElapsedTimer timer;
                    timer.start();
                    auto t = model->run(ids, opt, nullptr);
                    best = std::min(best, double(timer.nsecsElapsed()) / 1e6);
                    bytes = t->byteSize();
                }
                const double gflops = forwardFlops(info, T) / (best / 1e3) / 1e9;
                const long long rss = peakRssSinceReset();
                const QString cap = storage == DType::F32 ? QStringLiteral("full f32") : QStringLiteral("full f16");
                const double relPeak = info.compute == QLatin1String("bf16") ? peakBf16 : peak;
                out() << QStringLiteral("%1 %2 %3 %4 %5 %6 %7\n")
                             .arg(T, 6)
                             .arg(cap, 9)
                             .arg(best, 10, 'f', 1)
                             .arg(gflops, 9, 'f', 1)
                             .arg(100.0 * gflops / relPeak, 6, 'f', 1)
                             .arg(double(bytes) / 1048576.0, 9, 'f', 1)
                             .arg(double(rss) / 1048576.0, 12, 'f', 1);
                out().flush();
                rows.append(QJsonObject{{QStringLiteral("tokens"), T},
                                        {QStringLiteral("compute"), info.compute},
                                        {QStringLiteral("capture"), cap},
                                        {QStringLiteral("ms"), best},
                                        {QStringLiteral("gflops"), gflops},
                                        {QStringLiteral("peak_fraction"), gflops / relPeak},
                                        {QStringLiteral("trace_bytes"), qint64(bytes)},
                                        {QStringLiteral("peak_rss_bytes"), qint64(rss)}});
            }
        }
    }
    out() << "peak RSS of the whole run (VmHWM): " << QString::number(double(ComputeRuntime::peakRssBytes()) / 1048576.0, 'f', 0) << " MB\n";
    if (p.isSet(QStringLiteral("json")))
        printJson(QJsonObject{{QStringLiteral("gemm_peak_gflops"), peak},
                              {QStringLiteral("gemm_peak_bf16_gflops"), anyBf16 ? QJsonValue(peakBf16) : QJsonValue()},
                              {QStringLiteral("threads"), threads},
                              {QStringLiteral("load_seconds"), loadSeconds},
                              {QStringLiteral("rss_after_load_bytes"), qint64(loadedRss)},
                              {QStringLiteral("rows"), rows}});
    return 0;
}

} // namespace

void addBenchCommand(CommandTable &table)
{
    table[QStringLiteral("bench")] = {
        QStringLiteral("Benchmark forward + full trace (a random GPT-2-small, or --model)"),
        [](OptionSink &p) {
            p.addOption(modelOption());
            p.addOption({QStringLiteral("tokens"), QStringLiteral("Comma-separated lengths (default 32,128,512,1024)"), QStringLiteral("LIST")});
            p.addOption({QStringLiteral("repeats"), QStringLiteral("Runs per length (best is reported)"), QStringLiteral("N")});
            p.addOption({QStringLiteral("threads"), QStringLiteral("Torch threads (default: all cores)"), QStringLiteral("N")});
            p.addOption({QStringLiteral("json"), QStringLiteral("Also print JSON")});
            p.addOption({QStringLiteral("save-model"), QStringLiteral("Write the random model to DIR and keep it"), QStringLiteral("DIR")});
            p.addOption({QStringLiteral("patching"),
                         QStringLiteral("Time a full resid_pre patching sweep (batched) against one forward pass per cell (default T = 16)")});
            p.addOption({QStringLiteral("store"), QStringLiteral("Measure saving runs with traces to a workspace and reopening them")});
            p.addOption({QStringLiteral("compute"), QStringLiteral("Compute precisions to measure, e.g. f32,bf16 (default: the current request)"),
                         QStringLiteral("LIST")});
            p.addOption(
                {QStringLiteral("capture"), QStringLiteral("Storage of the captured activations to measure: f32,f16 (default both)"), QStringLiteral("LIST")});
        },
        cmdBench};
}

} // namespace strata::cli
