// Linear probes: the classifier against a hand-solved optimum and an independent optimality check,
// control-task labels, metrics, loaders, sub-word alignment and pooling against the model's own trace,
// the feature cache, and a whole run.
#include "TestUtil.h"

#include "analysis/Probe.h"
#include "model/ModelFamily.h"
#include "model/PluginHost.h"
#include "model/ComputeRuntime.h"
#include "util/Error.h"
#include "util/Half.h"

#include <QtTest>

#include <cmath>
#include <optional>
#include <random>

using namespace strata;

namespace {

// Sub-words galore for GPT-2's BPE: "Unbelievably" and "hippopotamus" split into several tokens.
const char *const kConllu = "# text = Unbelievably, the hippopotamus slept.\n"
                            "1\tUnbelievably\tunbelievably\tADV\tRB\t_\t5\tadvmod\t_\tSpaceAfter=No\n"
                            "2\t,\t,\tPUNCT\t,\t_\t5\tpunct\t_\t_\n"
                            "3\tthe\tthe\tDET\tDT\t_\t4\tdet\t_\t_\n"
                            "4\thippopotamus\thippopotamus\tNOUN\tNN\t_\t5\tnsubj\t_\t_\n"
                            "5\tslept\tsleep\tVERB\tVBD\t_\t0\troot\t_\tSpaceAfter=No\n"
                            "6\t.\t.\tPUNCT\t.\t_\t5\tpunct\t_\t_\n"
                            "\n"
                            "# text = Dogs bark loudly.\n"
                            "1\tDogs\tdog\tNOUN\tNNS\t_\t2\tnsubj\t_\t_\n"
                            "2\tbark\tbark\tVERB\tVBP\t_\t0\troot\t_\t_\n"
                            "3\tloudly\tloudly\tADV\tRB\t_\t2\tadvmod\t_\tSpaceAfter=No\n"
                            "4\t.\t.\tPUNCT\t.\t_\t2\tpunct\t_\t_\n"
                            "\n";

QString writeFile(const QTemporaryDir &dir, const QString &name, const QByteArray &content)
{
    const QString path = dir.filePath(name);
    QFile f(path);
    f.open(QIODevice::WriteOnly);
    f.write(content);
    return path;
}

} // namespace

class TestProbe : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;

private Q_SLOTS:
    void initTestCase() { ComputeRuntime::configureThreads(2); }

    void logisticRegressionMatchesTheHandSolvedOptimum()
    {
        // Two points, x = +1 (class 1) and x = -1 (class 0). By symmetry the optimum has W = (-a, +a)
        // and equal biases; the objective log(1 + e^{-2a}) + l2 a^2 is stationary where
        // sigma(-2a) = l2 * a. Solved here by bisection, independently of the probe's optimiser.
        for (const double l2 : {0.5, 0.1, 0.01}) {
            double lo = 0, hi = 100;
            for (int i = 0; i < 200; ++i) {
                const double a = (lo + hi) / 2;
                (1.0 / (1.0 + std::exp(2 * a)) > l2 * a ? lo : hi) = a;
            }
            const double a = (lo + hi) / 2;
            ProbeTrainOptions o;
            o.l2 = l2;
            o.float64 = true;
            o.standardize = false;
            o.maxSteps = 200;
            const ProbeClassifier c = Probe::train({1.f, -1.f}, 2, 1, {1, 0}, 2, nullptr, nullptr, o);
            QVERIFY2(std::abs((c.weight[1] - c.weight[0]) - 2 * a) < 1e-6,
                     qPrintable(QStringLiteral("l2 %1: %2 vs %3").arg(l2).arg(c.weight[1] - c.weight[0]).arg(2 * a)));
            QVERIFY(std::abs(c.weight[1] + c.weight[0]) < 1e-6);
            QVERIFY(std::abs(c.bias[1] - c.bias[0]) < 1e-6);
            QCOMPARE(c.predict({2.f, -0.5f}, 2), (std::vector<int>{1, 0}));
        }
    }

    void logisticRegressionIsStationary()
    {
        // Three overlapping Gaussian classes in 5-D. At the returned weights the gradient of
        // mean CE + l2/2 |W|^2, computed here in double from the definition, vanishes.
        const int n = 300, d = 5, C = 3;
        std::mt19937 rng(3);
        std::normal_distribution<float> g(0.f, 1.f);
        std::vector<float> x(size_t(n) * d);
        std::vector<int> y(static_cast<size_t>(n));
        for (int i = 0; i < n; ++i) {
            y[size_t(i)] = i % C;
            for (int j = 0; j < d; ++j)
                x[size_t(i) * d + size_t(j)] = g(rng) + (j == y[size_t(i)] ? 1.5f : 0.f);
        }
        ProbeTrainOptions o;
        o.l2 = 0.05;
        o.float64 = true;
        o.standardize = false;
        o.maxSteps = 200;
        const ProbeClassifier c = Probe::train(x, n, d, y, C, nullptr, nullptr, o);
        std::vector<double> gw(size_t(d) * C, 0.0), gb(size_t(C), 0.0);
        for (int i = 0; i < n; ++i) {
            double z[C], mx = -1e300, sum = 0;
            for (int k = 0; k < C; ++k) {
                z[k] = c.bias[size_t(k)];
                for (int j = 0; j < d; ++j)
                    z[k] += double(x[size_t(i) * d + size_t(j)]) * c.weight[size_t(j) * C + size_t(k)];
                mx = std::max(mx, z[k]);
            }
            for (int k = 0; k < C; ++k)
                sum += std::exp(z[k] - mx);
            for (int k = 0; k < C; ++k) {
                const double r = std::exp(z[k] - mx) / sum - (y[size_t(i)] == k ? 1.0 : 0.0);
                gb[size_t(k)] += r / n;
                for (int j = 0; j < d; ++j)
                    gw[size_t(j) * C + size_t(k)] += r * x[size_t(i) * d + size_t(j)] / n;
            }
        }
        double worst = 0;
        for (size_t i = 0; i < gw.size(); ++i)
            worst = std::max(worst, std::abs(gw[i] + o.l2 * c.weight[i]));
        for (double v : gb)
            worst = std::max(worst, std::abs(v));
        QVERIFY2(worst < 1e-6, qPrintable(QString::number(worst)));
        // And it classifies the separable-ish data well above chance.
        QVERIFY(ProbeData::accuracy(y, c.predict(x, n)) > 0.7);
    }

    void earlyStoppingKeepsTheBestDevWeights_data()
    {
        QTest::addColumn<bool>("mlp");
        QTest::newRow("logistic") << false;
        QTest::newRow("mlp") << true;
    }

    void earlyStoppingKeepsTheBestDevWeights()
    {
        QFETCH(bool, mlp);
        // Dev data whose accuracy falls as the fit improves: the training rows with every label inverted
        // (dev accuracy = 1 - training accuracy). Training must stop early and keep the weights of its
        // best dev step, not its last. Checked by replaying the same (seeded) optimisation one step count
        // at a time without dev data and reading each step's dev accuracy.
        const int n = 200, d = 20;
        std::mt19937 rng(5);
        std::normal_distribution<float> g(0.f, 1.f);
        std::vector<float> x(size_t(n) * d);
        std::vector<int> y(static_cast<size_t>(n)), inverted(static_cast<size_t>(n));
        for (int i = 0; i < n; ++i) {
            for (int j = 0; j < d; ++j)
                x[size_t(i * d + j)] = g(rng);
            y[size_t(i)] = x[size_t(i * d)] + x[size_t(i * d + 1)] + 0.5f * g(rng) > 0 ? 1 : 0;
            inverted[size_t(i)] = 1 - y[size_t(i)];
        }
        ProbeTrainOptions o;
        o.l2 = 1e-6;
        o.maxSteps = 100;
        o.patience = 3;
        o.mlp = mlp;
        o.hidden = 16;
        const ProbeClassifier c = Probe::train(x, n, d, y, 2, &x, &inverted, o);
        QVERIFY2(c.steps < (mlp ? 1000 : 100), qPrintable(QString::number(c.steps)));
        double best = -1, last = -1;
        for (int k = 1; k <= c.steps; ++k) {
            ProbeTrainOptions ok = o;
            (mlp ? ok.maxEpochs : ok.maxSteps) = k;
            last = ProbeData::accuracy(inverted, Probe::train(x, n, d, y, 2, nullptr, nullptr, ok).predict(x, n));
            best = std::max(best, last);
        }
        const double kept = ProbeData::accuracy(inverted, c.predict(x, n));
        qInfo("stopped after %d steps; dev accuracy kept %.3f, best replayed step %.3f, last step %.3f", c.steps, kept, best, last);
        QCOMPARE(kept, best);
        if (mlp)
            QVERIFY(kept > last); // the fit kept moving after the best step, so keeping it mattered
    }

    void controlLabelsAreFixedPerWordType()
    {
        const std::vector<double> dist{0.7, 0.2, 0.1};
        QCOMPARE(ProbeData::controlLabel(QStringLiteral("Bank"), dist, 7), ProbeData::controlLabel(QStringLiteral("bank"), dist, 7));
        // Same type, same label, in any order and in any run.
        std::vector<int> counts(3, 0);
        for (int i = 0; i < 20000; ++i) {
            const QString type = QStringLiteral("w%1").arg(i);
            const int a = ProbeData::controlLabel(type, dist, 7);
            QCOMPARE(ProbeData::controlLabel(type, dist, 7), a);
            QVERIFY(a >= 0 && a < 3);
            ++counts[size_t(a)];
        }
        // Labels follow the given distribution (20000 types: standard error < 0.004).
        QVERIFY(std::abs(counts[0] / 20000.0 - 0.7) < 0.015);
        QVERIFY(std::abs(counts[2] / 20000.0 - 0.1) < 0.015);
        // Another seed is another control task.
        int differ = 0;
        for (int i = 0; i < 200; ++i)
            differ += ProbeData::controlLabel(QStringLiteral("w%1").arg(i), dist, 7) != ProbeData::controlLabel(QStringLiteral("w%1").arg(i), dist, 8);
        QVERIFY(differ > 40);
    }

    void metricsByHand()
    {
        const std::vector<int> gold{0, 0, 1, 1, 2, -1}, pred{0, 1, 1, 1, 0, 2};
        QCOMPARE(ProbeData::accuracy(gold, pred), 3.0 / 6.0);
        // Class 0: tp 1, fp 1, fn 1 -> F1 0.5. Class 1: tp 2, fp 1, fn 0 -> 0.8. Class 2: tp 0, fp 1, fn 1 -> 0.
        QVERIFY(std::abs(ProbeData::macroF1(gold, pred, 3) - (0.5 + 0.8 + 0.0) / 3) < 1e-12);
        const std::vector<int> m = ProbeData::confusion(gold, pred, 3);
        QCOMPARE(m, (std::vector<int>{1, 1, 0, 0, 2, 0, 1, 0, 0}));
        QVERIFY(std::abs(ProbeData::expectedLayer({0.5, 0.5, 1.0}) - (0 * 0.5 + 1 * 0.5 + 2 * 1.0) / 2.0) < 1e-12);
        // Gains 0.2 at layer 1, none at 2 (a drop), 0.1 at 3: (1 * 0.2 + 3 * 0.1) / 0.3.
        QVERIFY(std::abs(ProbeData::gainWeightedLayer({0.5, 0.7, 0.6, 0.7}) - (0.2 + 0.3) / 0.3) < 1e-12);
        QCOMPARE(ProbeData::gainWeightedLayer({0.5, 0.5}), 0.0);
        QCOMPARE(ProbeData::headDistanceBucket(3, 0), QStringLiteral("root"));
        QCOMPARE(ProbeData::headDistanceBucket(3, 4), QStringLiteral("+1"));
        QCOMPARE(ProbeData::headDistanceBucket(5, 3), QStringLiteral("-2"));
        QCOMPARE(ProbeData::headDistanceBucket(9, 1), QStringLiteral("<=-4"));
        QCOMPARE(ProbeData::headDistanceBucket(1, 9), QStringLiteral(">=+4"));
    }

    void loadersValidate()
    {
        const QString csv =
            writeFile(m_dir, QStringLiteral("s.csv"), "label,text\npos,\"Great, really great\"\nneg,Awful film\nbroken line without a comma\n,empty label\n");
        const ProbeDataset d = ProbeData::load(csv);
        QCOMPARE(int(d.sentences.size()), 2);
        QCOMPARE(d.sentences[0].text, QStringLiteral("Great, really great"));
        QCOMPARE(d.sentenceLabels, (QStringList{QStringLiteral("pos"), QStringLiteral("neg")}));
        QCOMPARE(d.problems.size(), 2);
        QVERIFY2(d.problems[0].contains(QStringLiteral("s.csv:4:")), qPrintable(d.problems[0]));
        const QString tsv = writeFile(m_dir, QStringLiteral("s.tsv"), "a\tone two\nb\tthree\n");
        QCOMPARE(ProbeData::load(tsv).sentenceLabels, (QStringList{QStringLiteral("a"), QStringLiteral("b")}));
        QVERIFY_THROWS_EXCEPTION(strata::Error, ProbeData::load(writeFile(m_dir, QStringLiteral("empty.csv"), "only junk\n")));
        QVERIFY_THROWS_EXCEPTION(strata::Error, ProbeData::load(m_dir.filePath(QStringLiteral("missing.conllu"))));
        const ProbeDataset c = ProbeData::load(writeFile(m_dir, QStringLiteral("w.conllu"), kConllu));
        QCOMPARE(ProbeData::wordLabel(c.sentences[0], 3, ProbeTask::Upos), QStringLiteral("NOUN"));
        QCOMPARE(ProbeData::wordLabel(c.sentences[0], 3, ProbeTask::HeadDistance), QStringLiteral("+1"));
        QCOMPARE(ProbeData::wordLabel(c.sentences[0], 4, ProbeTask::HeadDistance), QStringLiteral("root"));
    }

    void poolingPicksTheRightSubwords_data()
    {
        QTest::addColumn<int>("pooling");
        QTest::newRow("first") << int(WordPooling::First);
        QTest::newRow("last") << int(WordPooling::Last);
        QTest::newRow("mean") << int(WordPooling::Mean);
    }
    void poolingPicksTheRightSubwords()
    {
        QFETCH(int, pooling);
        auto model = PluginHost::instance().load(testutil::gpt2TinyDir());
        const ProbeDataset data = ProbeData::load(writeFile(m_dir, QStringLiteral("p.conllu"), kConllu));
        FeatureOptions o;
        o.pooling = WordPooling(pooling);
        const FeatureSet f = FeatureSet::extract(*model, data, o);
        QCOMPARE(f.layers(), model->info().nLayers + 1);
        QCOMPARE(f.items(), 10); // every word of both sentences
        // The model's own trace of sentence 0, and which tokens each word covers (by byte offsets,
        // written out here for GPT-2's byte-level BPE: a token's leading space belongs to it).
        TraceOptions to;
        to.attention = false;
        const auto t = model->trace(data.sentences[0].text, to);
        const ConllSentence &s = data.sentences[0];
        std::vector<std::vector<int>> tokensOf(s.words.size());
        for (int i = 0; i < t->tokenCount(); ++i)
            for (size_t w = 0; w < s.words.size(); ++w)
                if (t->tokens[size_t(i)].byteEnd > s.words[w].byteBegin && t->tokens[size_t(i)].byteBegin < s.words[w].byteEnd)
                    tokensOf[w].push_back(i);
        QVERIFY2(tokensOf[0].size() >= 2 && tokensOf[3].size() >= 2, "the test needs multi-piece words");
        const int D = f.dim();
        for (int layer : {0, 2}) {
            const std::vector<float> feats = f.layer(layer);
            const HostTensor &src = layer == 0 ? t->embed : t->layers[size_t(layer - 1)].residPost;
            for (int item = 0; item < 6; ++item) {
                QCOMPARE(f.refs()[size_t(item)], std::make_pair(0, item));
                const std::vector<int> &toks = tokensOf[size_t(item)];
                for (int d = 0; d < D; ++d) {
                    double want = 0;
                    if (o.pooling == WordPooling::First)
                        want = src.floatAt(int64_t(toks.front()) * D + d);
                    else if (o.pooling == WordPooling::Last)
                        want = src.floatAt(int64_t(toks.back()) * D + d);
                    else {
                        for (int tok : toks)
                            want += src.floatAt(int64_t(tok) * D + d);
                        want /= double(toks.size());
                    }
                    const float stored = feats[size_t(item) * D + size_t(d)];
                    QVERIFY2(std::abs(stored - want) <= 1e-3 * std::max(1.0, std::abs(want)),
                             qPrintable(QStringLiteral("layer %1 word %2 dim %3: %4 vs %5").arg(layer).arg(item).arg(d).arg(stored).arg(want)));
                }
            }
        }
    }

    void featureCacheIsReused()
    {
        auto model = PluginHost::instance().load(testutil::gpt2TinyDir());
        const ProbeDataset data = ProbeData::load(writeFile(m_dir, QStringLiteral("c.conllu"), kConllu));
        FeatureOptions o;
        o.cacheDir = m_dir.filePath(QStringLiteral("cache"));
        std::optional<FeatureSet> a = FeatureSet::extract(*model, data, o);
        QVERIFY(!a->fromCache());
        std::optional<FeatureSet> b = FeatureSet::extract(*model, data, o);
        QVERIFY(b->fromCache());
        QCOMPARE(b->file(), a->file());
        const std::vector<float> layer1 = a->layer(1);
        QCOMPARE(b->layer(1), layer1);
        const QString cacheFile = a->file();
        a.reset(); // unmapped before the file is damaged below
        b.reset();
        o.pooling = WordPooling::Mean; // another key
        QVERIFY(!FeatureSet::extract(*model, data, o).fromCache());
        // A damaged cache file is replaced, not trusted.
        {
            QFile f(cacheFile);
            QVERIFY(f.open(QIODevice::ReadWrite));
            f.resize(f.size() / 2);
        }
        o.pooling = WordPooling::First;
        const FeatureSet c = FeatureSet::extract(*model, data, o);
        QVERIFY(!c.fromCache());
        QCOMPARE(c.layer(1), layer1);
    }

    void wholeRunAndItsJson()
    {
        auto model = PluginHost::instance().load(testutil::gpt2TinyDir());
        const QString file = writeFile(m_dir, QStringLiteral("run.conllu"), QByteArray(kConllu).repeated(6));
        ProbeRunOptions o;
        o.tasks = {QStringLiteral("upos"), QStringLiteral("headdist")};
        const ProbeRun r = Probe::run(*model, file, file, QString(), o);
        QVERIFY(r.evalIsDev);
        QCOMPARE(r.layerPoints, model->info().nLayers + 1);
        QCOMPARE(int(r.tasks.size()), 2);
        const ProbeTaskResult &upos = r.tasks[0];
        QCOMPARE(upos.task, QStringLiteral("upos"));
        QCOMPARE(upos.trainItems, 60);
        // Majority by hand: PUNCT 3 + ... of 10 words per pair of sentences: ADV 2, PUNCT 3, DET 1, NOUN 2, VERB 2.
        QCOMPARE(upos.majorityClass, QStringLiteral("PUNCT"));
        QVERIFY(std::abs(upos.majorityAccuracy - 0.3) < 1e-12);
        QCOMPARE(int(upos.layers.size()), r.layerPoints);
        for (const ProbeLayerResult &l : upos.layers) {
            QVERIFY(l.accuracy >= 0 && l.accuracy <= 1);
            QVERIFY(l.controlAccuracy >= 0);
            QCOMPARE(int(l.confusion.size()), int(upos.classes.size() * upos.classes.size()));
        }
        // Train = eval: a linear probe on 768... no: on gpt2-tiny's vectors of 10 distinct words fits them.
        QVERIFY(upos.layers.back().accuracy > 0.9);
        const ProbeRun back = ProbeRun::fromJson(r.toJson());
        QCOMPARE(back.toJson(), r.toJson());
        // Mixing task kinds is refused with a clear message.
        o.tasks = {QStringLiteral("upos"), QStringLiteral("sentence")};
        QVERIFY_THROWS_EXCEPTION(strata::Error, Probe::run(*model, file, file, QString(), o));
        o.tasks = {QStringLiteral("pos")};
        QVERIFY_THROWS_EXCEPTION(strata::Error, Probe::run(*model, file, file, QString(), o));
    }
};

QTEST_GUILESS_MAIN(TestProbe)
#include "tst_probe.moc"
