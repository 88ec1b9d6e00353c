#include "BatchSpec.h"

#include "analysis/ConllU.h"
#include "analysis/Patching.h"
#include "analysis/ProbeData.h"
#include "util/Error.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSet>

namespace strata {

namespace {

const QStringList kAnalyses{QStringLiteral("heads"), QStringLiteral("lens"), QStringLiteral("similarity"), QStringLiteral("patching"), QStringLiteral("probe")};

[[noreturn]] void fail(const QString &path, const QString &what)
{
    throw Error(QStringLiteral("Batch spec %1: %2").arg(QDir::toNativeSeparators(path), what));
}

void checkKeys(const QString &path, const QJsonObject &o, const QStringList &allowed, const QString &where)
{
    for (auto it = o.begin(); it != o.end(); ++it)
        if (!allowed.contains(it.key()))
            fail(path, QStringLiteral("unknown key '%1'%2 (known: %3).").arg(it.key(), where, allowed.join(QStringLiteral(", "))));
}

QString stringOf(const QString &path, const QJsonObject &o, const QString &key, const QString &fallback)
{
    if (!o.contains(key))
        return fallback;
    if (!o.value(key).isString() || o.value(key).toString().isEmpty())
        fail(path, QStringLiteral("'%1' must be a non-empty string.").arg(key));
    return o.value(key).toString();
}

int intOf(const QString &path, const QJsonObject &o, const QString &key, int fallback, int minimum)
{
    if (!o.contains(key))
        return fallback;
    const double v = o.value(key).toDouble(-1);
    if (!o.value(key).isDouble() || v != double(int(v)) || v < minimum)
        fail(path, QStringLiteral("'%1' must be a whole number of at least %2.").arg(key).arg(minimum));
    return int(v);
}

QStringList stringsOf(const QString &path, const QJsonValue &v, const QString &key)
{
    QStringList out;
    if (v.isString())
        out << v.toString();
    else if (v.isArray())
        for (const QJsonValue &e : v.toArray()) {
            if (!e.isString() || e.toString().isEmpty())
                fail(path, QStringLiteral("'%1' must list non-empty strings.").arg(key));
            out << e.toString();
        }
    else
        fail(path, QStringLiteral("'%1' must be a string or a list of strings.").arg(key));
    if (out.isEmpty())
        fail(path, QStringLiteral("'%1' is empty.").arg(key));
    return out;
}

QString fileIn(const QString &path, const QString &name)
{
    const QString abs = QFileInfo(name).isAbsolute() ? name : QFileInfo(path).absoluteDir().filePath(name);
    if (!QFileInfo(abs).isFile())
        fail(path, QStringLiteral("the file %1 does not exist.").arg(QDir::toNativeSeparators(abs)));
    return QFileInfo(abs).absoluteFilePath();
}

QByteArray readAll(const QString &file)
{
    QFile f(file);
    if (!f.open(QIODevice::ReadOnly))
        throw Error(QStringLiteral("Cannot read %1: %2").arg(QDir::toNativeSeparators(file), f.errorString()));
    return f.readAll();
}

} // namespace

QStringList BatchSpec::analysisNames()
{
    return kAnalyses;
}

BatchSpec BatchSpec::load(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        throw Error(QStringLiteral("Cannot read the batch spec %1: %2").arg(QDir::toNativeSeparators(path), f.errorString()));
    QJsonParseError err;
    const QJsonDocument doc = QJsonDocument::fromJson(f.read(qint64(1) << 24), &err);
    if (err.error != QJsonParseError::NoError)
        fail(path, QStringLiteral("not valid JSON at byte %1 (%2).").arg(err.offset).arg(err.errorString()));
    if (!doc.isObject())
        fail(path, QStringLiteral("the top level must be a JSON object."));
    return fromJson(doc.object(), path);
}

BatchSpec BatchSpec::fromJson(const QJsonObject &o, const QString &path)
{
    BatchSpec s;
    s.path = QFileInfo(path).absoluteFilePath();
    s.json = o;
    checkKeys(path, o,
              {QStringLiteral("name"), QStringLiteral("models"), QStringLiteral("dataset"), QStringLiteral("analyses"), QStringLiteral("max_tokens"),
               QStringLiteral("keep_traces"), QStringLiteral("patching"), QStringLiteral("probe")},
              QString());
    s.name = stringOf(path, o, QStringLiteral("name"), QFileInfo(path).completeBaseName());
    if (!o.contains(QStringLiteral("models")))
        fail(path, QStringLiteral("'models' is missing (e.g. \"models\": [\"demo\"])."));
    s.models = stringsOf(path, o.value(QStringLiteral("models")), QStringLiteral("models"));
    // A model given as a relative path is found beside the spec (as the dataset is), so that a Slurm
    // task started in another folder loads the same files.
    for (QString &m : s.models) {
        const QString beside = QFileInfo(path).absoluteDir().filePath(m);
        if (!QFileInfo(m).isAbsolute() && QFileInfo::exists(beside))
            m = QFileInfo(beside).absoluteFilePath();
    }
    if (QSet<QString>(s.models.begin(), s.models.end()).size() != s.models.size())
        fail(path, QStringLiteral("a model is listed twice in 'models'."));

    const QJsonObject d = o.value(QStringLiteral("dataset")).toObject();
    if (!o.value(QStringLiteral("dataset")).isObject())
        fail(path, QStringLiteral("'dataset' must be an object such as {\"prompts\": \"prompts.txt\"}."));
    checkKeys(path, d, {QStringLiteral("prompts"), QStringLiteral("pairs"), QStringLiteral("conllu"), QStringLiteral("limit")},
              QStringLiteral(" in 'dataset'"));
    int kinds = 0;
    for (const auto &[key, kind] : {std::pair{QStringLiteral("prompts"), DatasetKind::Prompts}, std::pair{QStringLiteral("pairs"), DatasetKind::Pairs},
                                    std::pair{QStringLiteral("conllu"), DatasetKind::ConllU}})
        if (d.contains(key)) {
            ++kinds;
            s.dataset = kind;
            s.datasetPath = fileIn(path, stringOf(path, d, key, QString()));
        }
    if (kinds != 1)
        fail(path, QStringLiteral("'dataset' needs exactly one of 'prompts' (a text file, one prompt per line), 'pairs' (CSV/TSV with clean, "
                                  "corrupted, answer, wrong) or 'conllu'."));
    s.limit = intOf(path, d, QStringLiteral("limit"), 0, 0);

    s.analyses = o.contains(QStringLiteral("analyses")) ? stringsOf(path, o.value(QStringLiteral("analyses")), QStringLiteral("analyses"))
                                                        : QStringList{QStringLiteral("heads")};
    for (const QString &a : s.analyses)
        if (!kAnalyses.contains(a))
            fail(path, QStringLiteral("unknown analysis '%1' (known: %2).").arg(a, kAnalyses.join(QStringLiteral(", "))));
    if (s.has(QStringLiteral("patching")) && s.dataset != DatasetKind::Pairs)
        fail(path, QStringLiteral("'patching' needs a dataset of pairs (\"dataset\": {\"pairs\": \"pairs.csv\"})."));
    s.maxTokens = intOf(path, o, QStringLiteral("max_tokens"), 512, 2);
    if (o.contains(QStringLiteral("keep_traces")) && !o.value(QStringLiteral("keep_traces")).isBool())
        fail(path, QStringLiteral("'keep_traces' must be true or false."));
    s.keepTraces = o.value(QStringLiteral("keep_traces")).toBool(false);

    const QJsonObject pt = o.value(QStringLiteral("patching")).toObject();
    checkKeys(path, pt, {QStringLiteral("site"), QStringLiteral("direction"), QStringLiteral("metric")}, QStringLiteral(" in 'patching'"));
    s.patchSite = stringOf(path, pt, QStringLiteral("site"), s.patchSite);
    s.patchDirection = stringOf(path, pt, QStringLiteral("direction"), s.patchDirection);
    s.patchMetric = stringOf(path, pt, QStringLiteral("metric"), s.patchMetric);
    try {
        const auto site = Patching::parseSiteKind(s.patchSite);
        if (site != PatchingRequest::SiteKind::Head)
            fail(path, QStringLiteral("patching over a dataset averages maps cell by cell, so its site must be 'head' (layer x head): prompts of "
                                      "different lengths have no common positions."));
        Patching::parseMetric(s.patchMetric);
    } catch (const Error &e) {
        if (e.message().startsWith(QStringLiteral("Batch spec")))
            throw;
        fail(path, e.message());
    }
    if (s.patchDirection != QLatin1String("denoise") && s.patchDirection != QLatin1String("noise"))
        fail(path, QStringLiteral("patching 'direction' must be denoise or noise."));

    const QJsonObject pr = o.value(QStringLiteral("probe")).toObject();
    checkKeys(path, pr, {QStringLiteral("train"), QStringLiteral("dev"), QStringLiteral("test"), QStringLiteral("tasks"), QStringLiteral("max_train")},
              QStringLiteral(" in 'probe'"));
    if (s.has(QStringLiteral("probe"))) {
        if (!pr.contains(QStringLiteral("train")) || !pr.contains(QStringLiteral("dev")))
            fail(path, QStringLiteral("'probe' needs {\"train\": \"a.conllu\", \"dev\": \"b.conllu\"} (held-out data for early stopping and, "
                                      "without \"test\", for the accuracies), and optionally test, tasks, max_train."));
        s.probeTrain = fileIn(path, stringOf(path, pr, QStringLiteral("train"), QString()));
        s.probeDev = fileIn(path, stringOf(path, pr, QStringLiteral("dev"), QString()));
        if (pr.contains(QStringLiteral("test")))
            s.probeTest = fileIn(path, stringOf(path, pr, QStringLiteral("test"), QString()));
        if (pr.contains(QStringLiteral("tasks")))
            s.probeTasks = stringsOf(path, pr.value(QStringLiteral("tasks")), QStringLiteral("tasks"));
        for (const QString &t : s.probeTasks) {
            ProbeTask task;
            if (!ProbeData::taskFromName(t, &task))
                fail(path, QStringLiteral("unknown probe task '%1'.").arg(t));
        }
        s.probeMaxTrain = intOf(path, pr, QStringLiteral("max_train"), 500, 1);
    }

    QCryptographicHash h(QCryptographicHash::Sha256);
    h.addData(QJsonDocument(o).toJson(QJsonDocument::Compact));
    for (const QString &file : {s.datasetPath, s.probeTrain, s.probeDev, s.probeTest})
        if (!file.isEmpty())
            h.addData(readAll(file));
    s.hash = QString::fromLatin1(h.result().toHex());
    return s;
}

namespace Batch {

std::vector<BatchItem> items(const BatchSpec &spec)
{
    std::vector<BatchItem> rows;
    const QString shown = QDir::toNativeSeparators(spec.datasetPath);
    if (spec.dataset == BatchSpec::DatasetKind::ConllU) {
        const ConllFile f = ConllU::load(spec.datasetPath, spec.limit);
        for (const ConllSentence &s : f.sentences) {
            BatchItem it;
            it.text = s.text;
            rows.push_back(it);
        }
    } else {
        QString text = QString::fromUtf8(readAll(spec.datasetPath));
        text.remove(QLatin1Char('\r'));
        QStringList lines = text.split(QLatin1Char('\n'));
        if (spec.dataset == BatchSpec::DatasetKind::Prompts) {
            for (const QString &line : lines)
                if (!line.trimmed().isEmpty()) {
                    BatchItem it;
                    it.text = line;
                    rows.push_back(it);
                }
        } else {
            const QChar sep = spec.datasetPath.endsWith(QLatin1String(".tsv"), Qt::CaseInsensitive) ? QLatin1Char('\t') : QLatin1Char(',');
            while (!lines.isEmpty() && lines.first().trimmed().isEmpty())
                lines.removeFirst();
            if (lines.isEmpty())
                throw Error(QStringLiteral("The pairs file %1 is empty.").arg(shown));
            const QStringList header = ProbeData::splitCsv(lines.takeFirst(), sep);
            auto column = [&](const QStringList &names) {
                for (const QString &n : names)
                    for (int i = 0; i < header.size(); ++i)
                        if (header[i].trimmed().compare(n, Qt::CaseInsensitive) == 0)
                            return i;
                throw Error(QStringLiteral("The pairs file %1 has no column '%2' in its header line (it needs clean, corrupted, answer, wrong).")
                                .arg(shown, names.first()));
            };
            const int cClean = column({QStringLiteral("clean")}), cCorrupt = column({QStringLiteral("corrupted"), QStringLiteral("corrupt")});
            const int cAnswer = column({QStringLiteral("answer")}), cWrong = column({QStringLiteral("wrong")});
            int lineNo = 1;
            for (const QString &line : lines) {
                ++lineNo;
                if (line.trimmed().isEmpty())
                    continue;
                const QStringList f = ProbeData::splitCsv(line, sep);
                if (f.size() != header.size())
                    throw Error(QStringLiteral("%1:%2: %3 fields where the header has %4 (quote a text that holds the separator).")
                                    .arg(shown)
                                    .arg(lineNo)
                                    .arg(f.size())
                                    .arg(header.size()));
                BatchItem it;
                it.kind = BatchItem::Kind::Pair;
                it.text = f[cClean];
                it.corrupt = f[cCorrupt];
                it.answer = f[cAnswer];
                it.wrong = f[cWrong];
                rows.push_back(it);
            }
        }
    }
    if (spec.limit > 0 && int(rows.size()) > spec.limit)
        rows.resize(size_t(spec.limit));
    if (rows.empty())
        throw Error(QStringLiteral("The dataset %1 holds no items.").arg(shown));

    std::vector<BatchItem> out;
    const int n = int(rows.size());
    for (int m = 0; m < spec.models.size(); ++m)
        for (int r = 0; r < n; ++r) {
            BatchItem it = rows[size_t(r)];
            it.index = m * n + r;
            it.model = m;
            it.row = r;
            out.push_back(it);
        }
    if (spec.has(QStringLiteral("probe")))
        for (int m = 0; m < spec.models.size(); ++m) {
            BatchItem it;
            it.kind = BatchItem::Kind::Probe;
            it.index = int(spec.models.size()) * n + m;
            it.model = m;
            it.text = QStringLiteral("probe: %1").arg(QFileInfo(spec.probeTrain).fileName());
            out.push_back(it);
        }
    return out;
}

int shardOf(int index, int shards)
{
    return shards <= 1 ? 0 : index % shards;
}

int shardSize(int count, int shard, int shards)
{
    return shards <= 1 ? count : count / shards + (shard < count % shards ? 1 : 0);
}

void parseShard(const QString &text, int *shard, int *shards)
{
    const QStringList parts = text.split(QLatin1Char('/'));
    bool ok1 = false, ok2 = false;
    const int i = parts.size() == 2 ? parts[0].toInt(&ok1) : -1;
    const int n = parts.size() == 2 ? parts[1].toInt(&ok2) : 0;
    if (!ok1 || !ok2 || n < 1 || i < 0 || i >= n || n > 100000)
        throw Error(QStringLiteral("'%1' is not a shard: give I/N with 0 <= I < N, e.g. 0/4.").arg(text));
    *shard = i;
    *shards = n;
}

QString shardFileName(int shard, int shards)
{
    return QStringLiteral("shard-%1-of-%2.strata").arg(shard, 3, 10, QLatin1Char('0')).arg(shards, 3, 10, QLatin1Char('0'));
}

} // namespace Batch

} // namespace strata
