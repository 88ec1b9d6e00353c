#include "TestUtil.h"

#include "analysis/Compare.h"
#include "analysis/HeadMetrics.h"
#include "analysis/Patching.h"
#include "analysis/Probe.h"
#include "batch/BatchAggregate.h"
#include "batch/BatchMerge.h"
#include "batch/BatchRun.h"
#include "batch/BatchSpec.h"
#include "model/ModelFamily.h"
#include "model/PluginHost.h"
#include "store/Workspace.h"
#include "util/Error.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QSet>
#include <QTemporaryDir>
#include <QtTest>

#include <csignal>
#include <cmath>

using namespace strata;

// strata-cli batch / batch-merge / slurm and the core they call: sharding, resuming, merging.
class TestBatch : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;
    PluginHost m_host;
    std::unique_ptr<LoadedModel> m_demo;

    // Sentences of Jane Austen (public domain, ../shared), lines of 40-120 characters.
    static QStringList prompts(int n, int skip = 500)
    {
        QFile f(QStringLiteral(STRATA_SHARED_DIR "/corpora/en/austen.txt"));
        if (!f.open(QIODevice::ReadOnly))
            qFatal("austen.txt missing");
        QStringList out;
        int seen = 0;
        for (const QByteArray &raw : f.readAll().split('\n')) {
            const QString line = QString::fromUtf8(raw).trimmed();
            if (line.size() < 40 || line.size() > 120 || seen++ < skip)
                continue;
            out << line;
            if (out.size() == n)
                break;
        }
        return out;
    }
    QString writeSpec(const QString &name, const QStringList &lines, const QString &analyses = QStringLiteral("[\"heads\", \"lens\", \"similarity\"]"))
    {
        const QString dir = m_dir.filePath(name);
        QDir().mkpath(dir);
        QFile data(dir + QStringLiteral("/prompts.txt"));
        if (!data.open(QIODevice::WriteOnly))
            qFatal("cannot write prompts");
        data.write(lines.join(QLatin1Char('\n')).toUtf8());
        data.close();
        QFile spec(dir + QStringLiteral("/spec.json"));
        if (!spec.open(QIODevice::WriteOnly))
            qFatal("cannot write spec");
        spec.write(QStringLiteral("{\"name\": \"%1\", \"models\": [\"demo\"], \"dataset\": {\"prompts\": \"prompts.txt\"}, \"analyses\": %2}")
                       .arg(name, analyses)
                       .toUtf8());
        return spec.fileName();
    }
    struct Result
    {
        int code;
        QByteArray out, err;
    };
    static Result cli(const QStringList &args)
    {
        QProcess p;
        p.start(QStringLiteral(STRATA_CLI), args);
        if (!p.waitForFinished(240000))
            qFatal("strata-cli timed out");
        return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, p.readAllStandardOutput(), p.readAllStandardError()};
    }
    // Item index -> its stored result, without the run id (which depends on the write order).
    static QMap<int, QJsonObject> itemsOf(const QString &file)
    {
        Workspace::Options o;
        o.readOnly = true;
        Workspace ws(file, o);
        qint64 session = 0;
        BatchShard::metaOf(ws, &session);
        QMap<int, QJsonObject> out;
        for (ResultRecord r : ws.results(session, QStringLiteral("batch-item"))) {
            r.data.remove(QStringLiteral("run"));
            const int item = r.data.value(QStringLiteral("item")).toInt();
            if (out.contains(item))
                qWarning("item %d written twice", item);
            out[item] = r.data;
        }
        return out;
    }
    // Waits (up to 30 s) until the shard file being written holds at least n items.
    static void waitForItems(const QString &file, int n)
    {
        int done = 0;
        for (int i = 0; i < 600 && done < n; ++i) {
            QTest::qWait(50);
            if (QFileInfo::exists(file))
                try {
                    done = itemsOf(file).size();
                } catch (const Error &) {
                }
        }
    }
    static QJsonArray aggregatesOf(const QString &workspace)
    {
        Workspace ws(workspace);
        QJsonArray out;
        for (const SessionRecord &s : ws.sessions())
            for (const QJsonValue &m : Batch::batchResultOf(ws, s.id).value(QStringLiteral("models")).toArray())
                out.append(m.toObject().value(QStringLiteral("aggregate")));
        return out;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_host.loadFrom({QStringLiteral(STRATA_PLUGIN_BUILD_DIR)});
        m_demo = m_host.load(QStringLiteral("demo"));
    }

    void sharding_data()
    {
        QTest::addColumn<int>("shards");
        for (int n = 1; n <= 7; ++n)
            QTest::addRow("N=%d", n) << n;
    }
    // Every item in exactly one shard, shard sizes within one of each other, for N = 1..7.
    void sharding()
    {
        QFETCH(int, shards);
        const BatchSpec spec = BatchSpec::load(writeSpec(QStringLiteral("shard%1").arg(shards), prompts(23)));
        const std::vector<BatchItem> items = Batch::items(spec);
        QCOMPARE(int(items.size()), 23);
        std::vector<int> owner(items.size(), -1), size(size_t(shards), 0);
        for (int s = 0; s < shards; ++s)
            for (const BatchItem &it : items)
                if (Batch::shardOf(it.index, shards) == s) {
                    QCOMPARE(owner[size_t(it.index)], -1);
                    owner[size_t(it.index)] = s;
                    ++size[size_t(s)];
                }
        for (int o : owner)
            QVERIFY(o >= 0);
        QVERIFY(*std::max_element(size.begin(), size.end()) - *std::min_element(size.begin(), size.end()) <= 1);
    }

    void badInputs()
    {
        int i = 0, n = 0;
        for (const QString &bad : {QStringLiteral("4"), QStringLiteral("4/4"), QStringLiteral("-1/3"), QStringLiteral("a/b"), QStringLiteral("1/0")})
            QVERIFY_THROWS_EXCEPTION(Error, Batch::parseShard(bad, &i, &n));
        Batch::parseShard(QStringLiteral("2/5"), &i, &n);
        QCOMPARE(i, 2);
        QCOMPARE(n, 5);
        const QString spec = writeSpec(QStringLiteral("bad"), prompts(3));
        auto refused = [&](const QByteArray &json, const QString &fragment) {
            QFile f(spec);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(json);
            f.close();
            try {
                BatchSpec::load(spec);
                QFAIL(json.constData());
            } catch (const Error &e) {
                QVERIFY2(e.message().contains(fragment), qPrintable(e.message()));
            }
        };
        refused("{\"models\": [\"demo\"], \"dataset\": {\"prompts\": \"prompts.txt\"}, \"analyses\": [\"heads\"], \"shards\": 3}",
                QStringLiteral("unknown key 'shards'"));
        refused("{\"dataset\": {\"prompts\": \"prompts.txt\"}}", QStringLiteral("'models' is missing"));
        refused("{\"models\": [\"demo\"], \"dataset\": {\"prompts\": \"none.txt\"}}", QStringLiteral("does not exist"));
        refused("{\"models\": [\"demo\"], \"dataset\": {\"prompts\": \"prompts.txt\"}, \"analyses\": [\"patching\"]}",
                QStringLiteral("needs a dataset of pairs"));
        refused("{\"models\": [\"demo\"], \"dataset\": {\"prompts\": \"prompts.txt\"}, \"analyses\": [\"attention\"]}", QStringLiteral("unknown analysis"));
        refused("{\"models\": [\"demo\"], \"dataset\": {\"prompts\": \"prompts.txt\"}, \"max_tokens\": 1.5}", QStringLiteral("'max_tokens'"));
        refused("{\"models\": [\"demo\"", QStringLiteral("not valid JSON"));
    }

    // Student-t intervals against values computed by hand (and t tables).
    void meanInterval()
    {
        const MeanInterval m = Batch::meanInterval({1, 2, 3, 4, std::nan("")});
        QCOMPARE(m.n, 4);
        QCOMPARE(m.mean, 2.5);
        // sd = sqrt(5/3) = 1.290994, se = 0.645497, t(0.975, 3) = 3.182
        QVERIFY(std::abs(m.high - (2.5 + 3.182 * 0.645497)) < 1e-5);
        QVERIFY(std::abs(m.low - (2.5 - 3.182 * 0.645497)) < 1e-5);
        QVERIFY(std::abs(Batch::tQuantile975(40) - 2.021) < 2e-3);
        QVERIFY(std::abs(Batch::tQuantile975(120) - 1.980) < 2e-3);
        QVERIFY(std::abs(Batch::tQuantile975(100000) - 1.960) < 1e-3);
        QCOMPARE(Batch::meanInterval({7}).low, 7.0);
        QVERIFY(std::isnan(Batch::meanInterval({}).mean));
    }

    // Three shards merged give the same figures as one process over the whole spec, and those figures
    // are the means of the head scores computed directly on each prompt's trace.
    void mergedEqualsSingleProcess()
    {
        const QStringList lines = prompts(14);
        const BatchSpec spec = BatchSpec::load(writeSpec(QStringLiteral("merge"), lines));
        const QString three = m_dir.filePath(QStringLiteral("merge/three")), one = m_dir.filePath(QStringLiteral("merge/one"));
        for (int s = 0; s < 3; ++s) {
            BatchRunOptions o;
            o.shard = s;
            o.shards = 3;
            QCOMPARE(Batch::runShard(spec, three, o, nullptr), s < 2 ? 5 : 4);
        }
        QCOMPARE(Batch::runShard(spec, one, BatchRunOptions{}, nullptr), 14);
        const BatchMergeSummary a = Batch::merge(three, m_dir.filePath(QStringLiteral("merge/a.strata")));
        const BatchMergeSummary b = Batch::merge(one, m_dir.filePath(QStringLiteral("merge/b.strata")));
        QCOMPARE(a.items, 14);
        QCOMPARE(b.items, 14);
        QCOMPARE(a.shards, 3);
        QVERIFY(a.incomplete.isEmpty());
        const QJsonArray aggA = aggregatesOf(m_dir.filePath(QStringLiteral("merge/a.strata")));
        const QJsonArray aggB = aggregatesOf(m_dir.filePath(QStringLiteral("merge/b.strata")));
        QCOMPARE(aggA.size(), 1);
        QCOMPARE(aggA, aggB);

        // Independent: the previous-token score of every head, averaged over the prompts by hand.
        const QJsonObject heads = aggA[0].toObject().value(QStringLiteral("heads")).toObject();
        const int L = m_demo->info().nLayers, H = m_demo->info().nHeads, S = batchHeadScoreNames().size();
        QCOMPARE(heads.value(QStringLiteral("shape")).toArray(), (QJsonArray{L, H, S}));
        std::vector<double> sum(size_t(L * H), 0.0);
        for (const QString &p : lines)
            for (const HeadScores &s : HeadMetrics::scoreTrace(*m_demo->trace(p)))
                sum[size_t(s.layer * H + s.head)] += s.previousToken;
        const QJsonArray mean = heads.value(QStringLiteral("mean")).toArray();
        for (int c = 0; c < L * H; ++c)
            QVERIFY2(std::abs(mean[c * S].toDouble() - sum[size_t(c)] / lines.size()) < 1e-9, qPrintable(QString::number(c)));
        const QJsonObject top1 = aggA[0].toObject().value(QStringLiteral("lens")).toObject().value(QStringLiteral("top1")).toObject();
        QCOMPARE(top1.value(QStringLiteral("mean")).toArray().size(), L);
        QCOMPARE(top1.value(QStringLiteral("mean")).toArray().last().toDouble(), 1.0); // the last layer is the model's own prediction
        const QJsonObject sim = aggA[0].toObject().value(QStringLiteral("similarity")).toObject();
        QCOMPARE(sim.value(QStringLiteral("shape")).toArray(), (QJsonArray{L + 1, L + 1}));
        QVERIFY(std::abs(sim.value(QStringLiteral("mean")).toArray()[0].toDouble() - 1.0) < 1e-6);

        // Each item is an ordinary run of the merged session (its prompt, the model's fingerprint).
        Workspace ws(m_dir.filePath(QStringLiteral("merge/a.strata")));
        const QList<RunRecord> runs = ws.runs(ws.sessions().first().id);
        QCOMPARE(runs.size(), 14);
        QSet<QString> texts;
        for (const RunRecord &r : runs) {
            texts.insert(r.prompt);
            QCOMPARE(r.fingerprint, m_demo->info().fingerprint);
        }
        QCOMPARE(texts, QSet<QString>(lines.begin(), lines.end()));
    }

    // Pairs: the merged patching map is the mean of each pair's own sweep; pairs of unequal length are
    // skipped with the reason; the probe runs once per model as one item.
    void patchingAndProbe()
    {
        const QString dir = m_dir.filePath(QStringLiteral("pairs"));
        QDir().mkpath(dir);
        const QList<QStringList> rows{
            {QStringLiteral("When Tom and Sue went to the park, Tom gave the ball to"),
             QStringLiteral("When Tom and Sue went to the park, Sue gave the ball to"), QStringLiteral(" Sue"), QStringLiteral(" Tom")},
            {QStringLiteral("When Tim and Ann went to the shop, Tim gave the cake to"),
             QStringLiteral("When Tim and Ann went to the shop, Ann gave the cake to"), QStringLiteral(" Ann"), QStringLiteral(" Tim")},
            {QStringLiteral("When Max and Lily went to the sea, Max gave the fish to"),
             QStringLiteral("When Max and Lily went to the sea, Lily gave the fish to"), QStringLiteral(" Lily"), QStringLiteral(" Max")}};
        QFile csv(dir + QStringLiteral("/pairs.csv"));
        QVERIFY(csv.open(QIODevice::WriteOnly));
        csv.write("clean,corrupted,answer,wrong\n");
        for (const QStringList &r : rows)
            csv.write(QStringLiteral("\"%1\",\"%2\",%3,%4\n").arg(r[0], r[1], r[2], r[3]).toUtf8());
        csv.close();
        QFile spec(dir + QStringLiteral("/spec.json"));
        QVERIFY(spec.open(QIODevice::WriteOnly));
        spec.write(QStringLiteral("{\"models\": [\"demo\"], \"dataset\": {\"pairs\": \"pairs.csv\"}, \"analyses\": [\"patching\", \"probe\"], "
                                  "\"probe\": {\"train\": \"%1\", \"dev\": \"%2\", \"max_train\": 40}}")
                       .arg(QStringLiteral(STRATA_SHARED_DIR "/probing/ud-en-ewt/en_ewt-ud-dev.conllu"),
                            QStringLiteral(STRATA_SHARED_DIR "/probing/ud-en-ewt/en_ewt-ud-test.conllu"))
                       .toUtf8());
        spec.close();
        const BatchSpec s = BatchSpec::load(spec.fileName());
        QCOMPARE(int(Batch::items(s).size()), 4); // three pairs and the probe
        BatchRunOptions o;
        o.shards = 2;
        Batch::runShard(s, dir + QStringLiteral("/out"), o, nullptr);
        o.shard = 1;
        Batch::runShard(s, dir + QStringLiteral("/out"), o, nullptr);
        Batch::merge(dir + QStringLiteral("/out"), dir + QStringLiteral("/m.strata"));
        const QJsonObject a = aggregatesOf(dir + QStringLiteral("/m.strata"))[0].toObject();

        // Independent: each pair swept directly, the measured ones averaged.
        std::vector<double> sum;
        int measured = 0, skipped = 0;
        for (const QStringList &r : rows) {
            PatchingRequest req;
            req.clean = m_demo->promptIds(r[0]);
            req.corrupt = m_demo->promptIds(r[1]);
            if (req.clean.size() != req.corrupt.size()) {
                ++skipped;
                continue;
            }
            req.answer = Compare::firstToken(*m_demo, r[2]);
            req.wrong = Compare::firstToken(*m_demo, r[3]);
            req.site = PatchingRequest::SiteKind::Head;
            const PatchingResult pr = Patching::sweep(*m_demo, req);
            sum.resize(pr.values.size(), 0.0);
            for (size_t i = 0; i < pr.values.size(); ++i)
                sum[i] += pr.values[i];
            ++measured;
        }
        QVERIFY(measured >= 1);
        QCOMPARE(a.value(QStringLiteral("skipped")).toInt(), skipped);
        const QJsonObject p = a.value(QStringLiteral("patching")).toObject();
        QCOMPARE(p.value(QStringLiteral("rows")).toInt(), m_demo->info().nLayers);
        QCOMPARE(p.value(QStringLiteral("cols")).toInt(), m_demo->info().nHeads);
        const QJsonArray mean = p.value(QStringLiteral("mean")).toArray();
        QCOMPARE(size_t(mean.size()), sum.size());
        for (size_t i = 0; i < sum.size(); ++i)
            QVERIFY2(std::abs(mean[int(i)].toDouble() - sum[i] / measured) < 1e-9, qPrintable(QString::number(i)));
        const ProbeRun probe = ProbeRun::fromJson(a.value(QStringLiteral("probe")).toObject());
        QCOMPARE(int(probe.tasks.size()), 1);
        QCOMPARE(probe.tasks[0].task, QStringLiteral("upos"));
        QCOMPARE(int(probe.tasks[0].layers.size()), m_demo->info().nLayers + 1);
        for (const ProbeLayerResult &l : probe.tasks[0].layers)
            QVERIFY(l.accuracy > probe.tasks[0].majorityAccuracy * 0.5 && l.accuracy <= 1.0);
    }

    // A shard from another spec, or a missing shard, is refused with its name; --partial merges anyway.
    void mergeRefusesMismatchedShards()
    {
        const BatchSpec spec = BatchSpec::load(writeSpec(QStringLiteral("mix"), prompts(6), QStringLiteral("[\"heads\"]")));
        const BatchSpec other = BatchSpec::load(writeSpec(QStringLiteral("mix2"), prompts(6, 900), QStringLiteral("[\"heads\"]")));
        const QString dir = m_dir.filePath(QStringLiteral("mix/out"));
        BatchRunOptions o;
        o.shards = 2;
        Batch::runShard(spec, dir, o, nullptr);
        try {
            Batch::merge(dir, m_dir.filePath(QStringLiteral("mix/m.strata")));
            QFAIL("merged with a shard missing");
        } catch (const Error &e) {
            QVERIFY2(e.message().contains(QStringLiteral("shard-001-of-002.strata: missing")), qPrintable(e.message()));
        }
        BatchMergeOptions partial;
        partial.partial = true;
        QCOMPARE(Batch::merge(dir, m_dir.filePath(QStringLiteral("mix/m.strata")), partial).items, 3);
        o.shard = 1;
        Batch::runShard(other, dir, o, nullptr); // shard 1 of the other spec, into the same folder
        try {
            Batch::merge(dir, m_dir.filePath(QStringLiteral("mix/m2.strata")));
            QFAIL("merged a shard of another spec");
        } catch (const Error &e) {
            QVERIFY2(e.message().contains(QStringLiteral("Refusing to merge shard-001-of-002.strata")), qPrintable(e.message()));
        }
        QVERIFY(!QFileInfo::exists(m_dir.filePath(QStringLiteral("mix/m2.strata"))) || aggregatesOf(m_dir.filePath(QStringLiteral("mix/m2.strata"))).isEmpty());
        // And a rerun into a shard file of another spec is refused before anything is written.
        QVERIFY_THROWS_EXCEPTION(Error, Batch::runShard(spec, dir, o, nullptr));
    }

    // SIGKILL in the middle of a shard, then the same command again: the result equals an
    // uninterrupted run, every item once.
    void killedShardResumes()
    {
        const QString spec = writeSpec(QStringLiteral("kill"), prompts(150, 2000));
        const QString dir = m_dir.filePath(QStringLiteral("kill/out")), clean = m_dir.filePath(QStringLiteral("kill/clean"));
        const QString file = dir + QStringLiteral("/shard-000-of-001.strata");
        QProcess p;
        p.start(QStringLiteral(STRATA_CLI), {QStringLiteral("batch"), spec, QStringLiteral("--out"), dir});
        QVERIFY(p.waitForStarted());
        waitForItems(file, 10);
        ::kill(pid_t(p.processId()), SIGKILL);
        p.waitForFinished();
        const int before = itemsOf(file).size();
        QVERIFY2(before >= 10 && before < 150, qPrintable(QString::number(before)));
        const Result again = cli({QStringLiteral("batch"), spec, QStringLiteral("--out"), dir});
        QVERIFY2(again.code == 0, again.err.constData());
        QVERIFY(cli({QStringLiteral("batch"), spec, QStringLiteral("--out"), clean}).code == 0);
        const QMap<int, QJsonObject> resumed = itemsOf(file), whole = itemsOf(clean + QStringLiteral("/shard-000-of-001.strata"));
        QCOMPARE(resumed.size(), 150);
        QCOMPARE(resumed, whole);
        Workspace ws(file);
        QCOMPARE(ws.integrityCheck(), QStringLiteral("ok"));
        QCOMPARE(ws.runs(ws.sessions().first().id).size(), 150); // no run without its result, none twice
    }

    // Ctrl+C stops between items with a message and exit 130; two workers share a shard.
    void interruptAndWorkers()
    {
        const QString spec = writeSpec(QStringLiteral("int"), prompts(150, 3000));
        const QString dir = m_dir.filePath(QStringLiteral("int/out"));
        QProcess p;
        p.start(QStringLiteral(STRATA_CLI), {QStringLiteral("batch"), spec, QStringLiteral("--out"), dir, QStringLiteral("--workers"), QStringLiteral("2")});
        QVERIFY(p.waitForStarted());
        const QString file = dir + QStringLiteral("/shard-000-of-001.strata");
        waitForItems(file, 6);
        ::kill(pid_t(p.processId()), SIGINT);
        QVERIFY(p.waitForFinished(60000));
        QCOMPARE(p.exitCode(), 130);
        QVERIFY2(p.readAllStandardError().contains("rerun the same command to resume"), "no resume hint");
        QVERIFY(itemsOf(file).size() < 150);
        const Result again = cli({QStringLiteral("batch"), spec, QStringLiteral("--out"), dir, QStringLiteral("--workers"), QStringLiteral("2")});
        QVERIFY2(again.code == 0, again.err.constData());
        const QMap<int, QJsonObject> two = itemsOf(file);
        QCOMPARE(two.size(), 150);
        const Result single = cli({QStringLiteral("batch"), spec, QStringLiteral("--out"), m_dir.filePath(QStringLiteral("int/one"))});
        QVERIFY2(single.code == 0, single.err.constData());
        QCOMPARE(two, itemsOf(m_dir.filePath(QStringLiteral("int/one/shard-000-of-001.strata"))));
    }

    // strata-cli slurm: the array script runs one shard per task id; the merge job waits on the array.
    void slurmScripts()
    {
        const QString spec = writeSpec(QStringLiteral("slurm"), prompts(8), QStringLiteral("[\"heads\"]"));
        const QString dir = m_dir.filePath(QStringLiteral("slurm/out"));
        const QString fake = m_dir.filePath(QStringLiteral("slurm/sbatch"));
        QFile f(fake);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("#!/bin/sh\necho \"$@\" >> \"$(dirname \"$0\")/calls\"\nn=$(wc -l < \"$(dirname \"$0\")/calls\")\necho \"$((41 + n));cluster\"\n");
        f.close();
        f.setPermissions(f.permissions() | QFileDevice::ExeOwner);
        const Result r = cli({QStringLiteral("slurm"), spec, QStringLiteral("--out"), dir, QStringLiteral("--shards"), QStringLiteral("4"),
                              QStringLiteral("--time"), QStringLiteral("00:10:00"), QStringLiteral("--sbatch"), fake, QStringLiteral("--json")});
        QVERIFY2(r.code == 0, r.err.constData());
        const QJsonObject ids = QJsonDocument::fromJson(r.out).object();
        QCOMPARE(ids.value(QStringLiteral("array_job")).toString(), QStringLiteral("42"));
        QCOMPARE(ids.value(QStringLiteral("merge_job")).toString(), QStringLiteral("43"));
        QFile calls(m_dir.filePath(QStringLiteral("slurm/calls")));
        QVERIFY(calls.open(QIODevice::ReadOnly));
        const QList<QByteArray> lines = calls.readAll().trimmed().split('\n');
        QCOMPARE(lines.size(), 2);
        QVERIFY(lines[1].contains("--dependency=afterok:42"));
        QFile script(dir + QStringLiteral("/batch.sbatch"));
        QVERIFY(script.open(QIODevice::ReadOnly));
        const QByteArray text = script.readAll();
        QVERIFY(text.contains("#SBATCH --array=0-3\n"));
        QVERIFY(text.contains("#SBATCH --time=00:10:00\n"));
        // The script as Slurm would run it for task 2.
        QProcess task;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("SLURM_ARRAY_TASK_ID"), QStringLiteral("2"));
        task.setProcessEnvironment(env);
        task.start(QStringLiteral("bash"), {script.fileName()});
        QVERIFY(task.waitForFinished(120000));
        QVERIFY2(task.exitCode() == 0, task.readAllStandardError().constData());
        QCOMPARE(itemsOf(dir + QStringLiteral("/shard-002-of-004.strata")).keys(), (QList<int>{2, 6}));
        // A value that would add a directive is refused.
        const Result bad = cli({QStringLiteral("slurm"), spec, QStringLiteral("--out"), dir, QStringLiteral("--shards"), QStringLiteral("2"),
                                QStringLiteral("--partition"), QStringLiteral("a\n#SBATCH --x"), QStringLiteral("--dry-run")});
        QVERIFY(bad.code != 0);
        QVERIFY(bad.err.contains("is not a Slurm value"));
    }
};

QTEST_GUILESS_MAIN(TestBatch)
#include "tst_batch.moc"
