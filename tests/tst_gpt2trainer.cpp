#include "TestUtil.h"

#include "jobs/JobControl.h"
#include "model/PluginHost.h"
#include "tensor/SafetensorsReader.h"
#include "train/Gpt2Trainer.h"

#include <QTemporaryDir>
#include <QtTest>

using namespace strata;

// Tiny training runs on a slice of real text: the loss falls, the output is a GPT-2 folder Strata
// loads, and an interrupted run resumed from its checkpoint ends exactly where an uninterrupted one does.
class TestGpt2Trainer : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;
    QString m_corpus;

    TrainConfig tiny(const QString &out, int steps) const
    {
        TrainConfig c;
        c.corpusFiles = {m_corpus};
        c.outDir = out;
        c.vocabSize = 400;
        c.layers = 1;
        c.heads = 2;
        c.dModel = 32;
        c.context = 32;
        c.batch = 4;
        c.steps = steps;
        c.warmup = 2;
        c.evalEvery = 4;
        c.checkpointEvery = 4;
        return c;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QFile src(testutil::sharedPath(QStringLiteral("corpora/en/austen.txt")));
        QVERIFY(src.open(QIODevice::ReadOnly));
        m_corpus = m_dir.filePath(QStringLiteral("corpus.txt"));
        QFile out(m_corpus);
        QVERIFY(out.open(QIODevice::WriteOnly));
        out.write(src.read(150000));
    }

    void trainsAndExports()
    {
        const QString out = m_dir.filePath(QStringLiteral("a"));
        std::vector<TrainLogRow> rows = Gpt2Trainer(tiny(out, 40)).run();
        QCOMPARE(rows.size(), size_t(10));
        QVERIFY2(rows.back().valLoss < rows.front().valLoss, "validation loss must fall");
        QVERIFY(rows.back().trainLoss < std::log(400.0)); // better than uniform
        PluginHost host;
        host.loadFrom({QStringLiteral(STRATA_PLUGIN_BUILD_DIR)});
        auto m = host.load(out);
        QCOMPARE(m->info().nLayers, 1);
        QCOMPARE(m->info().vocabSize, int64_t(400));
        // The log on disk is the rows the trainer returned (the Model panel draws it).
        const std::vector<TrainLogRow> logged = readTrainLogCsv(QDir(out).filePath(QStringLiteral("training-log.csv")));
        QCOMPARE(logged.size(), rows.size());
        QCOMPARE(logged.back().step, rows.back().step);
        QVERIFY(std::abs(logged.back().valLoss - rows.back().valLoss) < 1e-4);
        QCOMPARE(logged.back().inductionLayer, rows.back().inductionLayer);
        const TracePtr t = m->trace(QStringLiteral("It is a truth universally acknowledged"));
        QCOMPARE(int(t->layers.size()), 1);
    }

    void resumeContinuesExactly()
    {
        const QString whole = m_dir.filePath(QStringLiteral("whole")), parts = m_dir.filePath(QStringLiteral("parts"));
        Gpt2Trainer(tiny(whole, 12)).run();
        // The same run, interrupted (cancelled) at step 7, then resumed from its checkpoint.
        JobControl control;
        control.setProgressFunction([&](double, const QString &what) {
            if (what.startsWith(QLatin1String("step 7/")))
                control.cancel();
        });
        QVERIFY_THROWS_EXCEPTION(Cancelled, Gpt2Trainer(tiny(parts, 12)).run(&control));
        TrainConfig again = tiny(parts, 12);
        again.resume = true;
        Gpt2Trainer(again).run();
        SafetensorsReader a, b;
        a.open(QDir(whole).filePath(QStringLiteral("model.safetensors")));
        b.open(QDir(parts).filePath(QStringLiteral("model.safetensors")));
        QCOMPARE(a.tensorNames(), b.tensorNames());
        for (const QString &n : a.tensorNames())
            QVERIFY2(testutil::maxAbsDiff(a.floats(n), b.floats(n)) <= 1e-6, qPrintable(n));
    }

    void cancelSavesACheckpoint()
    {
        const QString out = m_dir.filePath(QStringLiteral("c"));
        JobControl control;
        int steps = 0;
        control.setProgressFunction([&](double, const QString &what) {
            if (what.startsWith(QLatin1String("step ")) && ++steps == 3)
                control.cancel();
        });
        TrainConfig c = tiny(out, 200);
        QVERIFY_THROWS_EXCEPTION(Cancelled, Gpt2Trainer(c).run(&control));
        QVERIFY(QFileInfo::exists(QDir(out).filePath(QStringLiteral("checkpoint/state.json"))));
        QVERIFY(!QFileInfo::exists(QDir(out).filePath(QStringLiteral("model.safetensors"))));
    }

    void badInputs()
    {
        TrainConfig c = tiny(m_dir.filePath(QStringLiteral("bad")), 4);
        c.corpusFiles = {m_dir.filePath(QStringLiteral("missing.txt"))};
        QVERIFY_THROWS_EXCEPTION(Error, Gpt2Trainer(c).run());
        c = tiny(m_dir.filePath(QStringLiteral("bad2")), 4);
        c.heads = 3; // 32 is not divisible by 3
        QVERIFY_THROWS_EXCEPTION(Error, Gpt2Trainer(c).run());
    }
};

QTEST_GUILESS_MAIN(TestGpt2Trainer)
#include "tst_gpt2trainer.moc"
