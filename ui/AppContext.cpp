#include "AppContext.h"

#include "batch/BatchMerge.h"

#include <QJsonArray>

#include "jobs/JobRunner.h"
#include "model/PluginHost.h"
#include "settings/Settings.h"
#include "store/TraceCodec.h"
#include "store/Workspace.h"
#include "tokenize/Tokenizer.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonObject>
#include <QStandardPaths>

#include <algorithm>
#include <cmath>
#include <random>

namespace strata {

namespace {
const Setting<QStringList> kRecentModels{"Models/recent", {}};
const Setting<QStringList> kRecentWorkspaces{"Workspace/recent", {}};
const Setting<bool> kAutoSave{"Workspace/autoSave", true};
const Setting<int> kTraceBudgetMb{"Workspace/traceBudgetMB", 2048};
const Setting<qlonglong> kLastSession{"Workspace/lastSession", 0};
constexpr int kMaxRecent = 10;
constexpr int kPollMs = 2000; // how often another Strata's changes to the same workspace are looked for

// Puts an entry first in a most-recent-first list setting, keeping at most kMaxRecent.
void pushRecent(const Setting<QStringList> &list, const QString &entry)
{
    QStringList r = list.value();
    r.removeAll(entry);
    r.prepend(entry);
    while (r.size() > kMaxRecent)
        r.removeLast();
    list.setValue(r);
}
} // namespace

AppContext::AppContext(QObject *parent) : QObject(parent), m_jobs(new JobRunner(this)), m_pollTimer(new QTimer(this))
{
    m_pollTimer->setInterval(kPollMs);
    connect(m_pollTimer, &QTimer::timeout, this, [this] {
        if (!m_workspace)
            return;
        try {
            if (m_workspace->changedElsewhere())
                Q_EMIT workspaceContentChanged();
        } catch (const StoreError &) {
            // Busy or gone for a moment: look again at the next tick.
        }
    });
}

AppContext::~AppContext() = default;

QString AppContext::defaultWorkspacePath()
{
    const QString dir = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
    QDir().mkpath(dir);
    return QDir(dir).filePath(QStringLiteral("workspace.strata"));
}

QStringList AppContext::recentWorkspaces() const
{
    return kRecentWorkspaces.value();
}

bool AppContext::openWorkspace(const QString &path)
{
    std::unique_ptr<Workspace> ws;
    try {
        ws = std::make_unique<Workspace>(path);
    } catch (const StoreError &e) {
        Q_EMIT message(e.message());
        Q_EMIT storeFailed(e.message());
        return false;
    }
    ws->setTraceBudget(qint64(kTraceBudgetMb.value()) * 1024 * 1024);
    connect(ws.get(), &Workspace::changed, this, &AppContext::workspaceContentChanged);
    m_undo.clear(); // commands refer to the workspace they were made in
    m_workspace = std::move(ws);
    m_currentRun = 0;
    m_session = 0;
    const qint64 last = kLastSession.value();
    try {
        for (const SessionRecord &s : m_workspace->sessions())
            if (s.id == last || !m_session)
                m_session = s.id;
    } catch (const StoreError &e) {
        Q_EMIT message(e.message());
    }
    pushRecent(kRecentWorkspaces, m_workspace->path());
    m_pollTimer->start();
    Q_EMIT message(m_workspace->isReadOnly() ? tr("Opened workspace %1 read-only: runs are not saved to it.").arg(m_workspace->path())
                                             : tr("Workspace: %1").arg(m_workspace->path()));
    Q_EMIT workspaceChanged();
    Q_EMIT workspaceContentChanged();
    Q_EMIT currentRunChanged();
    return true;
}

void AppContext::setCurrentSession(qint64 id)
{
    if (id == m_session)
        return;
    m_session = id;
    kLastSession.setValue(id);
    Q_EMIT currentSessionChanged();
}

bool AppContext::guardStore(const std::function<void()> &write, const QString &what)
{
    try {
        write();
        return true;
    } catch (const Error &e) {
        const QString text = what.isEmpty() ? e.message() : tr("%1 failed: %2").arg(what, e.message());
        Q_EMIT message(text);
        Q_EMIT storeFailed(text);
        return false;
    }
}

qint64 AppContext::ensureSession()
{
    if (!m_workspace)
        return 0;
    try {
        const QList<SessionRecord> all = m_workspace->sessions();
        for (const SessionRecord &s : all)
            if (s.id == m_session) {
                // A merged batch holds its items only: what is run while it is open goes to a session beside it.
                const QJsonObject batch = Batch::batchResultOf(*m_workspace, s.id);
                if (batch.isEmpty())
                    return m_session;
                const QString name = tr("%1 · my runs").arg(s.name);
                for (const SessionRecord &other : all)
                    if (other.name == name)
                        return other.id;
                qint64 id = 0;
                if (guardStore([&] { id = m_workspace->createSession(name, tr("Runs made while the batch session %1 was open.").arg(s.name)); }, QString()))
                    Q_EMIT message(tr("The batch session %1 keeps only its items; new runs and results are kept in the session %2.").arg(s.name, name));
                return id;
            }
        if (!all.isEmpty()) {
            setCurrentSession(all.last().id);
            return m_session;
        }
    } catch (const StoreError &) {
    }
    qint64 id = 0;
    guardStore([&] { id = m_workspace->createSession(tr("Session of %1").arg(QLocale().toString(QDate::currentDate(), QLocale::ShortFormat))); }, QString());
    if (id)
        setCurrentSession(id);
    return id;
}

bool AppContext::autoSave() const
{
    return kAutoSave.value();
}

void AppContext::setAutoSave(bool on)
{
    kAutoSave.setValue(on);
}

void AppContext::saveCurrentRun()
{
    if (m_trace && !m_currentRun)
        saveTrace(m_trace);
}

void AppContext::flushUnsavedRun()
{
    if (!m_trace || m_currentRun || !autoSave() || !m_workspace || m_workspace->isReadOnly())
        return;
    const TracePtr trace = m_trace;
    QByteArray blob;
    try {
        blob = TraceCodec::encode(*trace);
    } catch (const Error &e) {
        Q_EMIT message(tr("Saving the run failed: %1").arg(e.message()));
        return;
    }
    writeRun(trace, blob);
    m_flushed = trace.get();
}

void AppContext::writeRun(const TracePtr &trace, const QByteArray &blob)
{
    const qint64 session = ensureSession();
    if (!session)
        return;
    RunRecord run;
    run.sessionId = session;
    run.modelLocation = trace->model.location;
    run.modelName = trace->model.runLabel();
    run.modelFamily = trace->model.family;
    run.fingerprint = trace->model.fingerprint;
    run.prompt = trace->prompt;
    run.durationMs = trace->milliseconds;
    run.tokenCount = trace->tokenCount();
    run.settings = QJsonObject{{QStringLiteral("storage"), dtypeName(trace->options.storage)},
                               {QStringLiteral("attention"), trace->options.attention},
                               {QStringLiteral("residuals"), trace->options.residuals},
                               {QStringLiteral("logits"), trace->options.logits}};
    if (!trace->interventions.empty()) { // a patched or ablated run is never the plain run of the same prompt
        QJsonArray changes;
        for (const Intervention &iv : trace->interventions)
            changes.append(iv.describe());
        run.settings.insert(QStringLiteral("interventions"), changes);
        run.tags << QStringLiteral("intervention");
    }
    qint64 id = 0;
    // The same prompt again on the same model (every launch traces the sample, for one) is the same run:
    // the session keeps one, unless the earlier one lost its trace.
    try {
        const QList<RunRecord> earlier = m_workspace->runs(session);
        if (!earlier.isEmpty() && earlier.last().prompt == run.prompt && earlier.last().fingerprint == run.fingerprint &&
            earlier.last().settings == run.settings && earlier.last().traceKept()) {
            if (trace == m_trace) {
                m_currentRun = earlier.last().id;
                Q_EMIT currentRunChanged();
            }
            return;
        }
    } catch (const StoreError &) {
        // Cannot read: try to write below, which reports the problem.
    }
    if (guardStore([&] { id = m_workspace->addRun(run, blob); }, tr("Saving the run (it stays on screen; File › Save run tries again)"))) {
        if (trace == m_trace) {
            m_currentRun = id;
            Q_EMIT currentRunChanged();
        }
    }
}

void AppContext::saveTrace(const TracePtr &trace)
{
    if (!m_workspace || !trace)
        return;
    if (m_workspace->isReadOnly()) {
        Q_EMIT message(tr("The run was not saved: the workspace is read-only."));
        return;
    }
    // Encoding (float16, compression) is the slow part: on the worker. The write is here, on the
    // thread that owns the workspace connection.
    static quint64 serial = 0;
    m_jobs->submit(
        QStringLiteral("encode-trace-%1").arg(++serial), tr("Saving the run"), [trace](JobControl &) { return QVariant(TraceCodec::encode(*trace)); }, this,
        [this, trace](const JobResult &r) {
            if (!r.ok) {
                if (!r.cancelled)
                    Q_EMIT message(tr("Saving the run failed: %1").arg(r.error));
                return;
            }
            if (!m_workspace || trace.get() == m_flushed)
                return;
            writeRun(trace, r.value.toByteArray());
        });
}

bool AppContext::recomputeStoredRun(qint64 runId, const RunRecord &run, const QString &why)
{
    if (!m_model || run.fingerprint.isEmpty() || m_model->info().fingerprint != run.fingerprint)
        return false;
    Q_EMIT message(why);
    m_recomputing = true;
    m_currentRun = runId;
    runPrompt(run.prompt);
    Q_EMIT currentRunChanged();
    return true;
}

void AppContext::openRun(qint64 runId)
{
    if (!m_workspace || runId == 0)
        return;
    RunRecord run;
    QByteArray blob;
    if (!guardStore(
            [&] {
                run = m_workspace->run(runId);
                blob = m_workspace->loadTraceBlob(runId);
            },
            tr("Opening the run")))
        return;
    setCurrentSession(run.sessionId);
    if (blob.isEmpty()) {
        if (!recomputeStoredRun(runId, run, tr("The trace of this run was not kept; recomputing it with %1.").arg(m_model ? m_model->info().name : QString())))
            Q_EMIT message(tr("The trace of this run was not kept and its model (%1) is not loaded: load it, then open the run again to recompute it.")
                               .arg(run.modelLocation));
        return;
    }
    m_jobs->submit(
        QStringLiteral("open-run"), tr("Opening the run"), [blob](JobControl &) { return QVariant::fromValue(TraceCodec::decode(blob)); }, this,
        [this, runId, run](const JobResult &r) {
            if (!r.ok) {
                if (r.cancelled)
                    return;
                // A damaged stored trace (its checksums say so): recompute it when its model is loaded.
                if (!recomputeStoredRun(runId, run,
                                        tr("The stored trace of run %1 is damaged (%2); recomputing it with %3.")
                                            .arg(runId)
                                            .arg(r.error, m_model ? m_model->info().name : QString())))
                    Q_EMIT message(tr("The stored trace of run %1 is damaged (%2). Load its model (%3) and open the run again to recompute it.")
                                       .arg(runId)
                                       .arg(r.error, run.modelLocation));
                return;
            }
            m_currentRun = runId;
            setTrace(r.value.value<TracePtr>());
            if (!m_model || m_model->info().fingerprint != run.fingerprint)
                Q_EMIT message(tr("Showing a stored run of %1. Panels that need the model itself (logit lens, next token) wait until it is loaded.")
                                   .arg(run.modelName.isEmpty() ? run.modelLocation : run.modelName));
            Q_EMIT currentRunChanged();
        });
}

QStringList AppContext::recentModels() const
{
    return kRecentModels.value();
}

void AppContext::rememberRecent(const QString &location)
{
    // A file or folder is remembered by its absolute, canonical path, so that one model opened as
    // "../shared/x.gguf" and as "/work/shared/x.gguf" is one entry (Hub ids and "demo" stay as given).
    const QFileInfo fi(location);
    const QString key = fi.exists() ? fi.canonicalFilePath() : location;
    QStringList r = kRecentModels.value();
    r.erase(std::remove_if(r.begin(), r.end(), [&](const QString &e) { return QFileInfo(e).exists() && QFileInfo(e).canonicalFilePath() == key; }), r.end());
    kRecentModels.setValue(r);
    pushRecent(kRecentModels, key);
}

void AppContext::loadModel(const QString &location)
{
    Q_EMIT modelLoading(location);
    Q_EMIT message(tr("Loading model %1…").arg(location));
    m_jobs->submit(
        QStringLiteral("load-model"), tr("Loading %1").arg(location),
        [location](JobControl &c) {
            std::shared_ptr<LoadedModel> m = PluginHost::instance().load(location, &c);
            return QVariant::fromValue(m);
        },
        this,
        [this, location](const JobResult &r) {
            if (!r.ok) {
                if (!r.cancelled)
                    Q_EMIT modelLoadFailed(r.error);
                Q_EMIT message(r.cancelled ? tr("Loading cancelled.") : tr("Could not load %1: %2").arg(location, r.error));
                return;
            }
            m_model = r.value.value<std::shared_ptr<LoadedModel>>();
            m_trace.reset();
            // What was measured on the previous model belongs to it (a test still running for it is
            // dropped when it arrives).
            m_induction.reset();
            m_inductionPending = false;
            m_layer = m_head = 0;
            m_token = -1;
            // Folders and files are remembered by absolute path; "demo" and Hub ids as typed.
            rememberRecent(QFileInfo::exists(location) ? m_model->info().path : location);
            const ModelInfo &i = m_model->info();
            Q_EMIT message(tr("Loaded %1: %2 layers, %3 heads, d=%4.").arg(i.name).arg(i.nLayers).arg(i.nHeads).arg(i.dModel));
            Q_EMIT modelChanged();
            Q_EMIT inductionChanged();
            Q_EMIT traceChanged();
            Q_EMIT selectionChanged();
        });
}

void AppContext::unloadModel()
{
    cancelRun();
    m_model.reset();
    m_induction.reset();
    m_trace.reset();
    Q_EMIT message(tr("Model unloaded."));
    Q_EMIT modelChanged();
    Q_EMIT traceChanged();
}

void AppContext::runPrompt(const QString &prompt)
{
    if (!m_model) {
        Q_EMIT runFailed(tr("No model is loaded. Open one from the Model panel or the File menu."));
        return;
    }
    std::shared_ptr<LoadedModel> model = m_model;
    const qint64 recomputeRun = m_recomputing ? m_currentRun : 0; // a stored run whose trace was not kept
    m_recomputing = false;
    Q_EMIT runStarted();
    m_runId = m_jobs->submit(
        QStringLiteral("trace"), tr("Tracing prompt"),
        [model, prompt](JobControl &c) {
            TracePtr t = model->trace(prompt, TraceOptions{}, &c);
            return QVariant::fromValue(t);
        },
        this,
        [this, recomputeRun](const JobResult &r) {
            if (r.id != m_runId)
                return; // an older request that was replaced
            m_runId = 0;
            if (r.cancelled) {
                Q_EMIT message(tr("Run cancelled; the previous run is still shown."));
                Q_EMIT runCancelled();
                return;
            }
            if (!r.ok) {
                Q_EMIT message(tr("Run failed: %1").arg(r.error));
                Q_EMIT runFailed(r.error);
                return;
            }
            const TracePtr t = r.value.value<TracePtr>();
            Q_EMIT message(tr("Traced %1 tokens in %2 ms.").arg(t->tokenCount()).arg(t->milliseconds, 0, 'f', 1));
            m_currentRun = recomputeRun;
            setTrace(t);
            if (recomputeRun) {
                // The stored run had no trace: keep the recomputed one with it now.
                const qint64 id = recomputeRun;
                m_jobs->submit(
                    QStringLiteral("encode-trace-%1").arg(id), tr("Saving the run"), [t](JobControl &) { return QVariant(TraceCodec::encode(*t)); }, this,
                    [this, id](const JobResult &e) {
                        if (e.ok && m_workspace && !m_workspace->isReadOnly())
                            guardStore([&] { m_workspace->storeTrace(id, e.value.toByteArray()); }, tr("Keeping the recomputed trace"));
                    });
            } else if (m_workspace && autoSave()) {
                saveTrace(t);
            }
            Q_EMIT currentRunChanged();
        });
}

void AppContext::cancelRun()
{
    if (m_runId)
        m_jobs->cancel(m_runId);
}

void AppContext::showNewRun(TracePtr trace)
{
    m_currentRun = 0;
    setTrace(trace);
    if (m_workspace && autoSave())
        saveTrace(trace);
    Q_EMIT currentRunChanged();
}

void AppContext::setTrace(TracePtr trace)
{
    m_trace = std::move(trace);
    if (m_trace) {
        m_layer = std::clamp(m_layer, 0, std::max(0, m_trace->model.nLayers - 1));
        m_head = std::clamp(m_head, 0, std::max(0, m_trace->model.nHeads - 1));
        m_token = m_trace->tokenCount() - 1;
    }
    Q_EMIT traceChanged();
    Q_EMIT selectionChanged();
}

void AppContext::continuePrompt(const QString &prompt, int tokens, double temperature, int topK)
{
    if (!m_model)
        return;
    std::shared_ptr<LoadedModel> model = m_model;
    m_jobs->submit(
        QStringLiteral("continue"), tr("Generating"),
        [model, prompt, tokens, temperature, topK](JobControl &c) {
            std::vector<int64_t> ids;
            for (const TokenPiece &p : model->tokenizePrompt(prompt))
                ids.push_back(p.id);
            model->checkLength(ids.size());
            const size_t start = ids.size();
            std::mt19937 rng(std::random_device{}());
            for (int i = 0; i < tokens; ++i) {
                c.throwIfCancelled();
                if (model->info().contextLength > 0 && int(ids.size()) >= model->info().contextLength)
                    break;
                const std::vector<float> logits = model->nextTokenLogits(ids);
                int64_t next = 0;
                if (temperature <= 0) {
                    next = int64_t(std::max_element(logits.begin(), logits.end()) - logits.begin());
                } else {
                    std::vector<int64_t> order(logits.size());
                    for (size_t k = 0; k < order.size(); ++k)
                        order[k] = int64_t(k);
                    const size_t keep = topK > 0 ? std::min(order.size(), size_t(topK)) : order.size();
                    std::partial_sort(order.begin(), order.begin() + long(keep), order.end(),
                                      [&](int64_t a, int64_t b) { return logits[size_t(a)] > logits[size_t(b)]; });
                    std::vector<double> w(keep);
                    const double mx = logits[size_t(order[0])];
                    for (size_t k = 0; k < keep; ++k)
                        w[k] = std::exp((logits[size_t(order[k])] - mx) / temperature);
                    std::discrete_distribution<size_t> pick(w.begin(), w.end());
                    next = order[pick(rng)];
                }
                if (next == model->tokenizer().eosId())
                    break;
                ids.push_back(next);
                c.report(double(i + 1) / tokens, QString());
            }
            const QString before = model->tokenizer().decode(std::vector<int64_t>(ids.begin(), ids.begin() + long(start)));
            const QString all = model->tokenizer().decode(ids);
            return QVariant(all.startsWith(before) ? all.mid(before.size()) : all);
        },
        this,
        [this](const JobResult &r) {
            if (r.ok)
                Q_EMIT continuationReady(r.value.toString());
            else if (!r.cancelled)
                Q_EMIT message(tr("Generation failed: %1").arg(r.error));
        });
}

void AppContext::requestInductionProbe()
{
    if (!m_model || m_induction || m_inductionPending)
        return;
    m_inductionPending = true;
    std::shared_ptr<LoadedModel> model = m_model;
    m_jobs->submit(
        QStringLiteral("induction"), tr("Induction test"), [model](JobControl &c) { return QVariant::fromValue(InductionProbe::run(*model, 50, 4, 1234, &c)); },
        this,
        [this, model](const JobResult &r) {
            if (model != m_model)
                return; // the model changed meanwhile (its own test may be pending now)
            m_inductionPending = false;
            if (!r.ok) {
                if (!r.cancelled)
                    Q_EMIT message(tr("Induction test failed: %1").arg(r.error));
                return;
            }
            m_induction = r.value.value<InductionResult>();
            Q_EMIT message(tr("Induction test: loss %1 → %2 nats from the first to the second copy.")
                               .arg(m_induction->lossFirstCopy, 0, 'f', 2)
                               .arg(m_induction->lossSecondCopy, 0, 'f', 2));
            Q_EMIT inductionChanged();
        });
}

void AppContext::setLayer(int layer)
{
    setLayerHead(layer, m_head);
}
void AppContext::setHead(int head)
{
    setLayerHead(m_layer, head);
}

void AppContext::setLayerHead(int layer, int head)
{
    const int nl = m_trace ? m_trace->model.nLayers : (m_model ? m_model->info().nLayers : 1);
    const int nh = m_trace ? m_trace->model.nHeads : (m_model ? m_model->info().nHeads : 1);
    layer = std::clamp(layer, 0, std::max(0, nl - 1));
    head = std::clamp(head, 0, std::max(0, nh - 1));
    if (layer == m_layer && head == m_head)
        return;
    m_layer = layer;
    m_head = head;
    Q_EMIT selectionChanged();
}

void AppContext::setToken(int token)
{
    if (token == m_token)
        return;
    m_token = token;
    Q_EMIT selectionChanged();
}

void AppContext::stepLayer(int delta)
{
    setLayerHead(m_layer + delta, m_head);
}

void AppContext::stepHead(int delta)
{
    const int nh = m_trace ? m_trace->model.nHeads : (m_model ? m_model->info().nHeads : 1);
    const int nl = m_trace ? m_trace->model.nLayers : (m_model ? m_model->info().nLayers : 1);
    // Stepping past the last head moves on to the next layer, so one key walks every head.
    int flat = m_layer * nh + m_head + delta;
    flat = std::clamp(flat, 0, nl * nh - 1);
    setLayerHead(flat / nh, flat % nh);
}

} // namespace strata
