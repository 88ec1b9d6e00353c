#include "BatchMerge.h"

#include "batch/BatchAggregate.h"
#include "batch/BatchRun.h"
#include "batch/BatchSpec.h"
#include "store/Workspace.h"
#include "util/Error.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QRegularExpression>

#include <map>
#include <memory>

namespace strata::Batch {

namespace {

struct ShardFile
{
    QString name;
    std::unique_ptr<Workspace> ws;
    qint64 session = 0;
    QJsonObject meta;
};

} // namespace

QJsonObject batchResultOf(const Workspace &ws, qint64 sessionId)
{
    const QList<ResultRecord> r = ws.results(sessionId, QStringLiteral("batch"));
    return r.isEmpty() ? QJsonObject() : r.first().data;
}

BatchMergeSummary merge(const QString &dir, const QString &into, const BatchMergeOptions &options)
{
    const QString shownDir = QDir::toNativeSeparators(dir);
    if (!QFileInfo(dir).isDir())
        throw Error(QStringLiteral("The batch folder %1 does not exist.").arg(shownDir));
    static const QRegularExpression pattern(QStringLiteral("^shard-(\\d+)-of-(\\d+)\\.strata$"));
    std::vector<ShardFile> files;
    for (const QString &name : QDir(dir).entryList({QStringLiteral("shard-*-of-*.strata")}, QDir::Files, QDir::Name)) {
        if (!pattern.match(name).hasMatch())
            continue;
        ShardFile f;
        f.name = name;
        Workspace::Options o;
        o.readOnly = true;
        o.purgeDeleted = false;
        f.ws = std::make_unique<Workspace>(QDir(dir).filePath(name), o);
        f.meta = BatchShard::metaOf(*f.ws, &f.session);
        files.push_back(std::move(f));
    }
    if (files.empty())
        throw Error(QStringLiteral("%1 holds no shard files (shard-III-of-NNN.strata): run strata-cli batch SPEC --out %1 first.").arg(shownDir));

    // One spec, one shard count, one set of weights per model.
    const QString hash = options.specHash.isEmpty() ? files.front().meta.value(QStringLiteral("spec_hash")).toString() : options.specHash;
    const int shards = files.front().meta.value(QStringLiteral("shards")).toInt();
    QStringList foreign;
    for (const ShardFile &f : files)
        if (f.meta.value(QStringLiteral("spec_hash")).toString() != hash || f.meta.value(QStringLiteral("shards")).toInt() != shards)
            foreign << QStringLiteral("%1 (spec %2, %3 shards)")
                           .arg(f.name, f.meta.value(QStringLiteral("spec_hash")).toString().left(12))
                           .arg(f.meta.value(QStringLiteral("shards")).toInt());
    if (!foreign.isEmpty())
        throw Error(
            QStringLiteral("Refusing to merge %1: made from a different batch spec or shard count than %2 (spec %3, %4 shards). Move them "
                           "out of %5 or rerun them with the same spec.")
                .arg(foreign.join(QStringLiteral(", ")), options.specHash.isEmpty() ? files.front().name : QStringLiteral("the given spec"), hash.left(12))
                .arg(shards)
                .arg(shownDir));
    std::map<int, std::pair<QString, QJsonObject>> models; // model index -> (first shard, record)
    QStringList mismatched;
    for (const ShardFile &f : files)
        for (const ResultRecord &r : f.ws->results(f.session, QStringLiteral("batch-model"))) {
            const int m = r.data.value(QStringLiteral("model")).toInt();
            auto it = models.find(m);
            if (it == models.end())
                models[m] = {f.name, r.data};
            else if (it->second.second.value(QStringLiteral("fingerprint")) != r.data.value(QStringLiteral("fingerprint")))
                mismatched << QStringLiteral("%1 (model %2 with fingerprint %3, %4 has %5)")
                                  .arg(f.name, r.data.value(QStringLiteral("location")).toString(),
                                       r.data.value(QStringLiteral("fingerprint")).toString().left(12), it->second.first,
                                       it->second.second.value(QStringLiteral("fingerprint")).toString().left(12));
        }
    if (!mismatched.isEmpty())
        throw Error(QStringLiteral("Refusing to merge: shards ran different weights under one model name: %1.").arg(mismatched.join(QStringLiteral("; "))));

    BatchMergeSummary summary;
    summary.shards = shards;
    const int items = files.front().meta.value(QStringLiteral("items")).toInt();
    summary.expected = items;
    std::vector<bool> present(size_t(shards), false);
    for (const ShardFile &f : files) {
        const int s = f.meta.value(QStringLiteral("shard")).toInt();
        present[size_t(s)] = true;
        const int have = f.ws->resultCount(f.session, QStringLiteral("batch-item"));
        const int want = shardSize(items, s, shards);
        if (have < want)
            summary.incomplete << QStringLiteral("%1: %2 of %3 items").arg(f.name).arg(have).arg(want);
    }
    for (int s = 0; s < shards; ++s)
        if (!present[size_t(s)])
            summary.incomplete << QStringLiteral("%1: missing").arg(shardFileName(s, shards));
    if (!summary.incomplete.isEmpty() && !options.partial)
        throw Error(QStringLiteral("Not every shard is finished (%1). Rerun them (strata-cli batch SPEC --out %2 --shard I/%3 resumes where a shard "
                                   "stopped), or merge what there is with --partial.")
                        .arg(summary.incomplete.join(QStringLiteral("; ")), shownDir)
                        .arg(shards));

    const QJsonObject &first = files.front().meta;
    const QString name = first.value(QStringLiteral("name")).toString();
    Workspace target(into);
    target.transaction([&] {
        for (const SessionRecord &s : target.sessions())
            if (batchResultOf(target, s.id).value(QStringLiteral("spec_hash")).toString() == hash)
                summary.earlier << s.name;
        summary.sessionName = target.uniqueSessionName(name);
        summary.sessionId = target.createSession(summary.sessionName, QStringLiteral("Batch %1 over %2 items, %3 shards, spec %4")
                                                                          .arg(name)
                                                                          .arg(items)
                                                                          .arg(shards)
                                                                          .arg(first.value(QStringLiteral("spec_path")).toString()));
        std::map<int, QList<QJsonObject>> byModel;
        for (const ShardFile &f : files) {
            std::map<qint64, qint64> runIds;
            for (const RunRecord &run : f.ws->runs(f.session)) {
                RunRecord copy = run;
                copy.sessionId = summary.sessionId;
                runIds[run.id] = target.addRun(copy, run.traceKept() ? f.ws->loadTraceBlob(run.id) : QByteArray());
            }
            for (ResultRecord r : f.ws->results(f.session, QStringLiteral("batch-item"))) {
                r.sessionId = summary.sessionId;
                r.data.insert(QStringLiteral("run"), runIds[r.data.value(QStringLiteral("run")).toVariant().toLongLong()]);
                target.addResult(r);
                byModel[r.data.value(QStringLiteral("model")).toInt()].append(r.data);
                ++summary.items;
            }
        }
        QJsonArray modelArray;
        for (const auto &[m, rec] : models) {
            QJsonObject o = rec.second;
            o.insert(QStringLiteral("aggregate"), aggregate(byModel[m]));
            modelArray.append(o);
        }
        ResultRecord batch;
        batch.sessionId = summary.sessionId;
        batch.kind = QStringLiteral("batch");
        batch.name = name;
        batch.modelFingerprint = models.empty() ? QString() : models.begin()->second.second.value(QStringLiteral("fingerprint")).toString();
        batch.data = QJsonObject{{QStringLiteral("name"), name},
                                 {QStringLiteral("spec"), first.value(QStringLiteral("spec"))},
                                 {QStringLiteral("spec_path"), first.value(QStringLiteral("spec_path"))},
                                 {QStringLiteral("spec_hash"), hash},
                                 {QStringLiteral("shards"), shards},
                                 {QStringLiteral("items"), items},
                                 {QStringLiteral("merged_items"), summary.items},
                                 {QStringLiteral("incomplete"), QJsonArray::fromStringList(summary.incomplete)},
                                 {QStringLiteral("models"), modelArray}};
        target.addResult(batch);
    });
    return summary;
}

} // namespace strata::Batch
