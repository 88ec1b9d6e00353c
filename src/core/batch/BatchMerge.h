#pragma once

#include <QJsonObject>
#include <QString>
#include <QStringList>

namespace strata {

class Workspace;

struct BatchMergeOptions
{
    QString specHash;     // when set, every shard must come from this spec
    bool partial = false; // merge although shards are missing or unfinished (the result says so)
};

struct BatchMergeSummary
{
    qint64 sessionId = 0;
    QString sessionName;
    int shards = 0, items = 0, expected = 0;
    QStringList earlier;    // sessions of the workspace holding an earlier merge of the same batch (kept)
    QStringList incomplete; // "shard-001-of-004.strata: 12 of 50 items", missing files
};

namespace Batch {
// Collects DIR's shard files into one session of the workspace `into` (created when missing): every
// item's run (and trace when kept) and result, the models, and per model the aggregates
// (BatchAggregate) in a "batch" result. Refuses (Error naming the files) shards from another spec
// or shard count, shards whose model weights differ, and, unless partial, missing or unfinished
// shards. All in one transaction: a refused or failed merge leaves the workspace as it was.
BatchMergeSummary merge(const QString &dir, const QString &into, const BatchMergeOptions &options = {});
// The "batch" result of a session (empty when it is no batch session).
QJsonObject batchResultOf(const Workspace &ws, qint64 sessionId);
} // namespace Batch

} // namespace strata
