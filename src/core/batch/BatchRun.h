#pragma once

#include "batch/BatchSpec.h"
#include "model/Trace.h"

#include <QJsonObject>
#include <QSet>
#include <QString>

#include <functional>
#include <memory>

namespace strata {

class JobControl;
class LoadedModel;
class Workspace;
struct ModelInfo;

// The head scores a batch keeps per head and item, in this order (HeadMetrics' definitions).
QStringList batchHeadScoreNames();

namespace Batch {
// The measurements of one item with the spec's analyses, as the shard stores them:
// {"tokens", "heads": {"values": [layer][head][score]}, "lens": {"top1": [point], "kl": [point]},
//  "similarity": [[point x point]], "patching": {...}, "probe": ProbeRun} or {"skipped": why} for an
// item that cannot be measured (too long, clean and corrupted of different lengths, ...). trace gets
// the item's trace when keepTraces is set. Throws Cancelled.
QJsonObject measure(LoadedModel &model, const BatchSpec &spec, const BatchItem &item, TracePtr *trace, const JobControl *control);
} // namespace Batch

// One shard's workspace file, DIR/shard-III-of-NNN.strata: a session holding the spec (kind
// "batch-shard"), the models' identities ("batch-model") and one run plus one "batch-item" result
// per finished item, each item written in one transaction, so an item is either complete or absent.
class BatchShard
{
public:
    // Opens (creating when missing) the shard's file. Throws Error when it holds another spec's shard.
    BatchShard(const QString &dir, const BatchSpec &spec, int shard, int shards, int itemCount); // itemCount: Batch::items(spec).size()
    ~BatchShard();
    QString path() const { return m_path; }
    QSet<int> doneItems() const; // item indices already written
    int doneCount() const;
    // Records a model's identity on first use; throws Error when the shard was started with other weights.
    void noteModel(int model, const ModelInfo &info);
    void write(const BatchItem &item, const ModelInfo &info, const QJsonObject &result, double ms, const QByteArray &encodedTrace);

    // The shard's metadata in a file (for merging); throws StoreError / Error.
    static QJsonObject metaOf(Workspace &ws, qint64 *sessionId);

private:
    QString m_path;
    std::unique_ptr<Workspace> m_ws;
    qint64 m_session = 0;
};

struct BatchRunOptions
{
    int shard = 0, shards = 1;
    int worker = 0, workers = 1; // this process runs the shard's items at positions p with p % workers == worker
    std::function<void(int done, int total, const QString &what)> progress;
};

namespace Batch {
// Runs the shard's items that are not written yet, loading each model once; returns the number
// written by this call. Stops with Cancelled between (or inside) items when control is cancelled;
// what was written stays.
int runShard(const BatchSpec &spec, const QString &dir, const BatchRunOptions &options, const JobControl *control);
} // namespace Batch

} // namespace strata
