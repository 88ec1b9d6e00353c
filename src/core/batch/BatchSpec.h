#pragma once

#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <vector>

namespace strata {

// A batch: models x a dataset x analyses, described by a JSON file (docs/BATCH.md). Paths in it are
// relative to the spec file's folder.
struct BatchSpec
{
    enum class DatasetKind { Prompts, Pairs, ConllU };

    QString path;       // the spec file
    QString name;       // the session name of the merged batch
    QStringList models; // model locations (a folder, a .gguf, a Hub id, "demo")
    DatasetKind dataset = DatasetKind::Prompts;
    QString datasetPath;  // absolute
    int limit = 0;        // items read from the dataset (0: all)
    QStringList analyses; // heads, lens, similarity, patching, probe
    int maxTokens = 512;  // longer items are skipped (recorded with the reason)
    bool keepTraces = false;
    // patching (pairs only): the site swept and how
    QString patchSite = QStringLiteral("head");
    QString patchDirection = QStringLiteral("denoise");
    QString patchMetric = QStringLiteral("logit_diff");
    // probe: one experiment per model (a single item), trained on these CoNLL-U files
    QString probeTrain, probeDev, probeTest;
    QStringList probeTasks{QStringLiteral("upos")};
    int probeMaxTrain = 500;

    QJsonObject json; // the spec as read
    QString hash;     // SHA-256 of the spec's JSON and the dataset's (and probe files') bytes

    bool has(const QString &analysis) const { return analyses.contains(analysis); }
    // Loads and checks a spec; throws Error naming the file and the problem (unknown keys included).
    static BatchSpec load(const QString &path);
    static BatchSpec fromJson(const QJsonObject &json, const QString &path); // path: for relative names
    static QStringList analysisNames();
};

// One unit of work: a dataset row run through one model, or one model's probe experiment.
struct BatchItem
{
    enum class Kind { Prompt, Pair, Probe };
    int index = 0; // global: model * rows + row, then the probe items after all rows
    int model = 0;
    int row = -1; // dataset row (-1 for a probe item)
    Kind kind = Kind::Prompt;
    QString text;                   // the prompt (for a pair: the clean prompt)
    QString corrupt, answer, wrong; // pairs only
    QString key() const { return QStringLiteral("%1").arg(index); }
};

namespace Batch {
// Every item of the spec in index order; throws Error for an unreadable or empty dataset, or a
// pairs file without the columns clean, corrupted, answer, wrong.
std::vector<BatchItem> items(const BatchSpec &spec);
// Which of n shards an item belongs to: index mod n (every item in exactly one shard, shards differ
// by at most one item).
int shardOf(int index, int shards);
// How many of items 0..count-1 shard `shard` of `shards` holds.
int shardSize(int count, int shard, int shards);
// "I/N" with 0 <= I < N; throws Error otherwise.
void parseShard(const QString &text, int *shard, int *shards);
QString shardFileName(int shard, int shards); // "shard-003-of-016.strata"
} // namespace Batch

} // namespace strata
