#include "BatchRun.h"

#include "analysis/Compare.h"
#include "analysis/HeadMetrics.h"
#include "analysis/LogitLens.h"
#include "analysis/Patching.h"
#include "analysis/Probe.h"
#include "analysis/ResidualAnalysis.h"
#include "jobs/JobControl.h"
#include "model/ModelFamily.h"
#include "model/PluginHost.h"
#include "store/TraceCodec.h"
#include "store/Workspace.h"
#include "util/Error.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QJsonArray>

#include <cmath>

namespace strata {

QStringList batchHeadScoreNames()
{
    return {QStringLiteral("previous_token"),  QStringLiteral("current_token"), QStringLiteral("local_window"),       QStringLiteral("first_token"),
            QStringLiteral("duplicate_token"), QStringLiteral("mean_distance"), QStringLiteral("normalized_entropy"), QStringLiteral("stripe"),
            QStringLiteral("semantic"),        QStringLiteral("block_sparse")};
}

namespace {

QJsonValue number(double v)
{
    return std::isfinite(v) ? QJsonValue(v) : QJsonValue();
}

QJsonArray headValues(const Trace &t)
{
    const std::vector<HeadScores> scores = HeadMetrics::scoreTrace(t);
    QJsonArray layers;
    size_t i = 0;
    for (const LayerTrace &lt : t.layers) {
        QJsonArray heads;
        while (i < scores.size() && scores[i].layer == lt.layer) {
            const HeadScores &s = scores[i++];
            heads.append(QJsonArray{number(s.previousToken), number(s.currentToken), number(s.localWindow), number(s.firstToken), number(s.duplicateToken),
                                    number(s.meanDistance), number(s.normalizedEntropy), number(s.stripe), number(s.semantic), number(s.blockSparse)});
        }
        layers.append(heads);
    }
    return layers;
}

QJsonObject lensSummary(LoadedModel &model, const Trace &t, const JobControl *control)
{
    const LogitLensResult r = LogitLens::compute(model, t, 1, control);
    QJsonArray top1, kl;
    for (int l = 0; l < r.layers; ++l) {
        double agree = 0, div = 0;
        for (int i = 0; i < r.tokens; ++i) {
            agree += r.finalRank[r.at(l, i)] == 0 ? 1 : 0;
            div += r.kl[r.at(l, i)];
        }
        top1.append(agree / std::max(1, r.tokens));
        kl.append(div / std::max(1, r.tokens));
    }
    return {{QStringLiteral("top1"), top1}, {QStringLiteral("kl"), kl}};
}

// Cosine similarity of the mean-pooled residual stream (first position left out) between every
// pair of layer points: the embeddings (resid_pre of the first layer) and each layer's output.
QJsonArray similarity(const Trace &t)
{
    std::vector<std::vector<float>> v;
    if (t.layers.empty())
        return {};
    const int skip = t.tokenCount() > 1 ? 1 : 0;
    v.push_back(ResidualAnalysis::pool(t.layers.front().residPre, ResidualAnalysis::Pooling::Mean, skip));
    for (const LayerTrace &lt : t.layers)
        v.push_back(ResidualAnalysis::pool(lt.residPost, ResidualAnalysis::Pooling::Mean, skip));
    QJsonArray rows;
    for (const auto &a : v) {
        QJsonArray row;
        for (const auto &b : v)
            row.append(number(ResidualAnalysis::cosine(a, b)));
        rows.append(row);
    }
    return rows;
}

QJsonObject skipped(const QString &why)
{
    return {{QStringLiteral("skipped"), why}};
}

} // namespace

namespace Batch {

QJsonObject measure(LoadedModel &model, const BatchSpec &spec, const BatchItem &item, TracePtr *trace, const JobControl *control)
{
    QJsonObject out;
    if (item.kind == BatchItem::Kind::Probe) {
        ProbeRunOptions o;
        o.tasks = spec.probeTasks;
        o.maxTrain = spec.probeMaxTrain;
        const ProbeRun r = Probe::run(model, spec.probeTrain, spec.probeDev, spec.probeTest, o, control);
        out.insert(QStringLiteral("probe"), r.toJson());
        return out;
    }
    std::vector<int64_t> ids;
    try {
        ids = model.promptIds(item.text);
    } catch (const Error &e) {
        return skipped(e.message());
    }
    if (int(ids.size()) > spec.maxTokens)
        return skipped(QStringLiteral("%1 tokens, over max_tokens (%2)").arg(ids.size()).arg(spec.maxTokens));
    out.insert(QStringLiteral("tokens"), int(ids.size()));
    const bool needTrace = spec.has(QStringLiteral("heads")) || spec.has(QStringLiteral("lens")) || spec.has(QStringLiteral("similarity")) || spec.keepTraces;
    if (needTrace) {
        TraceOptions opt;
        opt.logits = spec.has(QStringLiteral("lens")) || spec.keepTraces;
        const TracePtr t = model.trace(item.text, opt, control);
        if (spec.has(QStringLiteral("heads")))
            out.insert(QStringLiteral("heads"), QJsonObject{{QStringLiteral("values"), headValues(*t)}});
        if (spec.has(QStringLiteral("lens")))
            out.insert(QStringLiteral("lens"), lensSummary(model, *t, control));
        if (spec.has(QStringLiteral("similarity")))
            out.insert(QStringLiteral("similarity"), similarity(*t));
        if (trace && spec.keepTraces)
            *trace = t;
    }
    if (spec.has(QStringLiteral("patching")) && item.kind == BatchItem::Kind::Pair) {
        PatchingRequest req;
        req.clean = ids;
        try {
            req.corrupt = model.promptIds(item.corrupt);
        } catch (const Error &e) {
            return skipped(e.message());
        }
        if (req.corrupt.size() != req.clean.size())
            return skipped(QStringLiteral("clean and corrupted prompts have %1 and %2 tokens").arg(req.clean.size()).arg(req.corrupt.size()));
        req.answer = Compare::firstToken(model, item.answer);
        req.wrong = Compare::firstToken(model, item.wrong);
        if (req.answer < 0 || req.wrong < 0)
            return skipped(QStringLiteral("the answer or the wrong answer gives no token"));
        if (req.answer == req.wrong)
            return skipped(QStringLiteral("the answer and the wrong answer are the same token"));
        req.site = Patching::parseSiteKind(spec.patchSite);
        req.metric = Patching::parseMetric(spec.patchMetric);
        req.direction = spec.patchDirection == QLatin1String("noise") ? PatchingRequest::Direction::Noise : PatchingRequest::Direction::Denoise;
        const PatchingResult r = Patching::sweep(model, req, control);
        QJsonArray values;
        for (double v : r.values)
            values.append(number(v));
        out.insert(QStringLiteral("patching"), QJsonObject{{QStringLiteral("rows"), r.rows},
                                                           {QStringLiteral("cols"), r.cols},
                                                           {QStringLiteral("values"), values},
                                                           {QStringLiteral("clean_logit_diff"), number(r.cleanLogitDiff)},
                                                           {QStringLiteral("corrupt_logit_diff"), number(r.corruptLogitDiff)}});
    }
    return out;
}

} // namespace Batch

BatchShard::BatchShard(const QString &dir, const BatchSpec &spec, int shard, int shards, int itemCount)
{
    if (!QDir().mkpath(dir))
        throw Error(QStringLiteral("Cannot create the batch output folder %1.").arg(QDir::toNativeSeparators(dir)));
    m_path = QDir(dir).filePath(Batch::shardFileName(shard, shards));
    m_ws = std::make_unique<Workspace>(m_path);
    const QJsonObject meta{{QStringLiteral("spec"), spec.json}, {QStringLiteral("spec_path"), spec.path}, {QStringLiteral("spec_hash"), spec.hash},
                           {QStringLiteral("name"), spec.name}, {QStringLiteral("shard"), shard},         {QStringLiteral("shards"), shards},
                           {QStringLiteral("items"), itemCount}};
    m_ws->transaction([&] {
        if (m_ws->sessions().isEmpty()) {
            m_session = m_ws->createSession(QStringLiteral("%1 (shard %2/%3)").arg(spec.name).arg(shard).arg(shards), spec.path);
            ResultRecord r;
            r.sessionId = m_session;
            r.kind = QStringLiteral("batch-shard");
            r.name = spec.name;
            r.data = meta;
            m_ws->addResult(r);
        }
    });
    const QJsonObject existing = metaOf(*m_ws, &m_session);
    if (existing.value(QStringLiteral("spec_hash")).toString() != spec.hash || existing.value(QStringLiteral("shard")).toInt() != shard ||
        existing.value(QStringLiteral("shards")).toInt() != shards)
        throw Error(QStringLiteral("%1 holds shard %2/%3 of another batch spec (or of this one before its spec or data changed): use another --out "
                                   "folder, or delete the file to start the shard again.")
                        .arg(QDir::toNativeSeparators(m_path))
                        .arg(existing.value(QStringLiteral("shard")).toInt())
                        .arg(existing.value(QStringLiteral("shards")).toInt()));
}

BatchShard::~BatchShard() = default;

QJsonObject BatchShard::metaOf(Workspace &ws, qint64 *sessionId)
{
    for (const SessionRecord &s : ws.sessions()) {
        const QList<ResultRecord> r = ws.results(s.id, QStringLiteral("batch-shard"));
        if (!r.isEmpty()) {
            if (sessionId)
                *sessionId = s.id;
            return r.first().data;
        }
    }
    throw Error(QStringLiteral("%1 is a workspace but not a batch shard (it has no batch-shard record).").arg(QDir::toNativeSeparators(ws.path())));
}

QSet<int> BatchShard::doneItems() const
{
    QSet<int> done;
    for (const ResultRecord &r : m_ws->results(m_session, QStringLiteral("batch-item")))
        done.insert(r.data.value(QStringLiteral("item")).toInt());
    return done;
}

int BatchShard::doneCount() const
{
    return m_ws->resultCount(m_session, QStringLiteral("batch-item"));
}

void BatchShard::noteModel(int model, const ModelInfo &info)
{
    m_ws->transaction([&] {
        for (const ResultRecord &r : m_ws->results(m_session, QStringLiteral("batch-model")))
            if (r.data.value(QStringLiteral("model")).toInt() == model) {
                if (r.data.value(QStringLiteral("fingerprint")).toString() != info.fingerprint)
                    throw Error(QStringLiteral("%1 was started with other weights for model %2 (%3): fingerprint %4, now %5. Use another --out folder.")
                                    .arg(QDir::toNativeSeparators(m_path), info.location, info.name, r.data.value(QStringLiteral("fingerprint")).toString(),
                                         info.fingerprint));
                return;
            }
        ResultRecord r;
        r.sessionId = m_session;
        r.kind = QStringLiteral("batch-model");
        r.name = info.name;
        r.modelFingerprint = info.fingerprint;
        r.data =
            QJsonObject{{QStringLiteral("model"), model},        {QStringLiteral("location"), info.location},       {QStringLiteral("name"), info.name},
                        {QStringLiteral("family"), info.family}, {QStringLiteral("fingerprint"), info.fingerprint}, {QStringLiteral("layers"), info.nLayers},
                        {QStringLiteral("heads"), info.nHeads}};
        m_ws->addResult(r);
    });
}

void BatchShard::write(const BatchItem &item, const ModelInfo &info, const QJsonObject &result, double ms, const QByteArray &encodedTrace)
{
    m_ws->transaction([&] {
        RunRecord run;
        run.sessionId = m_session;
        run.modelLocation = info.location;
        run.modelName = info.name;
        run.modelFamily = info.family;
        run.fingerprint = info.fingerprint;
        run.prompt = item.text;
        QJsonObject settings{{QStringLiteral("batch_item"), item.index}, {QStringLiteral("batch_model"), item.model}, {QStringLiteral("batch_row"), item.row}};
        if (item.kind == BatchItem::Kind::Pair) {
            settings.insert(QStringLiteral("corrupted"), item.corrupt);
            settings.insert(QStringLiteral("answer"), item.answer);
            settings.insert(QStringLiteral("wrong"), item.wrong);
        }
        run.settings = settings;
        run.durationMs = ms;
        run.tokenCount = result.value(QStringLiteral("tokens")).toInt();
        if (result.contains(QStringLiteral("skipped")))
            run.tags << QStringLiteral("skipped");
        const qint64 runId = m_ws->addRun(run, encodedTrace);
        QJsonObject data = result;
        data.insert(QStringLiteral("item"), item.index);
        data.insert(QStringLiteral("model"), item.model);
        data.insert(QStringLiteral("row"), item.row);
        data.insert(QStringLiteral("run"), runId);
        ResultRecord r;
        r.sessionId = m_session;
        r.kind = QStringLiteral("batch-item");
        r.name = item.key();
        r.modelFingerprint = info.fingerprint;
        r.data = data;
        m_ws->addResult(r);
    });
}

namespace Batch {

int runShard(const BatchSpec &spec, const QString &dir, const BatchRunOptions &options, const JobControl *control)
{
    const std::vector<BatchItem> all = items(spec);
    BatchShard file(dir, spec, options.shard, options.shards, int(all.size()));
    const QSet<int> done = file.doneItems();
    std::vector<BatchItem> mine;
    int position = 0, total = 0;
    for (const BatchItem &it : all) {
        if (shardOf(it.index, options.shards) != options.shard)
            continue;
        if (position++ % options.workers != options.worker)
            continue;
        ++total;
        if (!done.contains(it.index))
            mine.push_back(it);
    }
    int written = 0;
    const int already = total - int(mine.size());
    std::unique_ptr<LoadedModel> model;
    int loaded = -1;
    for (const BatchItem &it : mine) {
        if (control)
            control->throwIfCancelled();
        if (it.model != loaded) {
            model.reset();
            if (options.progress)
                options.progress(already + written, total, QStringLiteral("loading %1").arg(spec.models[it.model]));
            model = PluginHost::instance().load(spec.models[it.model], control);
            loaded = it.model;
            file.noteModel(it.model, model->info());
        }
        QElapsedTimer timer;
        timer.start();
        TracePtr trace;
        const QJsonObject result = measure(*model, spec, it, &trace, control);
        const QByteArray blob = trace ? TraceCodec::encode(*trace) : QByteArray();
        file.write(it, model->info(), result, double(timer.nsecsElapsed()) / 1e6, blob);
        ++written;
        if (options.progress)
            options.progress(already + written, total, QStringLiteral("item %1").arg(it.index));
    }
    return written;
}

} // namespace Batch

} // namespace strata
