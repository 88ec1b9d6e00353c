#include "AppContext.h"

#include "jobs/JobRunner.h"
#include "model/PluginHost.h"
#include "settings/Settings.h"
#include "tokenize/Tokenizer.h"

#include <QDir>
#include <QFileInfo>

#include <algorithm>
#include <cmath>
#include <random>

namespace strata {

namespace {
const Setting<QStringList> kRecentModels{"Models/recent", {}};
constexpr int kMaxRecent = 10;
} // namespace

AppContext::AppContext(QObject *parent) : QObject(parent), m_jobs(new JobRunner(this)) {}

AppContext::~AppContext() = default;

QStringList AppContext::recentModels() const
{
    return kRecentModels.value();
}

void AppContext::rememberRecent(const QString &location)
{
    QStringList r = kRecentModels.value();
    r.removeAll(location);
    r.prepend(location);
    while (r.size() > kMaxRecent)
        r.removeLast();
    kRecentModels.setValue(r);
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
            m_layer = m_head = 0;
            m_token = -1;
            // Folders and files are remembered by absolute path; "demo" and Hub ids as typed.
            rememberRecent(QFileInfo::exists(location) ? m_model->info().path : location);
            const ModelInfo &i = m_model->info();
            Q_EMIT message(tr("Loaded %1: %2 layers, %3 heads, d=%4.").arg(i.name).arg(i.nLayers).arg(i.nHeads).arg(i.dModel));
            Q_EMIT modelChanged();
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
    Q_EMIT runStarted();
    m_runId = m_jobs->submit(
        QStringLiteral("trace"), tr("Tracing prompt"),
        [model, prompt](JobControl &c) {
            TracePtr t = model->trace(prompt, TraceOptions{}, &c);
            return QVariant::fromValue(t);
        },
        this,
        [this](const JobResult &r) {
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
            setTrace(t);
        });
}

void AppContext::cancelRun()
{
    if (m_runId)
        m_jobs->cancel(m_runId);
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
            m_inductionPending = false;
            if (model != m_model)
                return; // the model changed meanwhile
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
