#include "TestUtil.h"

#include "analysis/Patching.h"
#include "analysis/Steering.h"
#include "model/ModelFamily.h"
#include "model/PluginHost.h"
#include "store/TraceCodec.h"
#include "util/Error.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QtTest>

using namespace strata;

// Interventions on the named sites: exact invariants on every family, patching sweeps against an
// independent eager PyTorch implementation with one hooked forward per cell
// (tests/reference/make_patching_reference.py), the CLI contract, and head ablation on a real model.
class TestInterventions : public QObject
{
    Q_OBJECT
    PluginHost m_host;
    QJsonObject m_reference;

    static QString modelPath(const QString &name)
    {
        if (name == QLatin1String("gpt2-tiny"))
            return testutil::gpt2TinyDir();
        if (name == QLatin1String("stories260K"))
            return testutil::sharedPath(QStringLiteral("models/stories260K/stories260K.gguf"));
        return QStringLiteral(STRATA_TEST_DATA_DIR "/") + name;
    }

    static std::vector<int64_t> ids(const QJsonValue &v)
    {
        std::vector<int64_t> out;
        for (const QJsonValue &x : v.toArray())
            out.push_back(x.toInteger());
        return out;
    }

    static double maxRelDiff(const std::vector<float> &a, const std::vector<float> &b)
    {
        double scale = 1;
        for (float v : b)
            scale = std::max(scale, double(std::abs(v)));
        return testutil::maxAbsDiff(a, b) / scale;
    }

    // Two prompts of one length that differ in one token, for any model.
    static std::pair<std::vector<int64_t>, std::vector<int64_t>> prompts(LoadedModel &m)
    {
        std::vector<int64_t> clean;
        for (const TokenPiece &p : m.tokenizePrompt(QStringLiteral("Lily and Ben went to the park. Lily gave the ball to")))
            clean.push_back(p.id);
        std::vector<int64_t> corrupt = clean;
        corrupt[corrupt.size() / 2] = (corrupt[corrupt.size() / 2] + 7) % m.info().vocabSize;
        return {clean, corrupt};
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_host.loadFrom({QStringLiteral(STRATA_PLUGIN_BUILD_DIR)});
        QFile f(QStringLiteral(STRATA_SOURCE_DIR "/tests/reference/patching-expected.json"));
        QVERIFY(f.open(QIODevice::ReadOnly));
        m_reference = QJsonDocument::fromJson(f.readAll()).object();
        QVERIFY(!m_reference.isEmpty());
    }

    void invariants_data()
    {
        QTest::addColumn<QString>("model");
        for (const char *m : {"gpt2-tiny", "qwen2-tiny", "neox-tiny", "stories260K"})
            QTest::newRow(m) << QString::fromLatin1(m);
    }

    void invariants()
    {
        QFETCH(QString, model);
        auto m = m_host.load(modelPath(model));
        const auto [clean, corrupt] = prompts(*m);
        const int T = int(clean.size()), L = m->info().nLayers;
        const std::vector<float> cleanLogits = m->nextTokenLogits(clean);

        // Patching resid_pre of layer 0 at every position reproduces the clean run.
        const auto from = m->captureSites(clean, {{Site::ResidPre, 0}, {Site::Z, L - 1}, {Site::AttnOut, L - 1}});
        Intervention all0{Intervention::Kind::Patch, {Site::ResidPre, 0}, {}, {}, {}, from.at({Site::ResidPre, 0}), 1.0, {}};
        QVERIFY(maxRelDiff(m->nextTokenLogits(corrupt, {all0}), cleanLogits) <= 1e-5);
        // ... and so does every position one at a time, together.
        std::vector<Intervention> each;
        for (int p = 0; p < T; ++p)
            each.push_back({Intervention::Kind::Patch, {Site::ResidPre, 0}, {p}, {}, {}, from.at({Site::ResidPre, 0}).slice0(p), 1.0, {}});
        QVERIFY(maxRelDiff(m->nextTokenLogits(corrupt, each), cleanLogits) <= 1e-5);

        // Patching all heads of a layer at all positions equals patching that layer's attn_out.
        Intervention heads{Intervention::Kind::Patch, {Site::Z, L - 1}, {}, {}, {}, from.at({Site::Z, L - 1}), 1.0, {}};
        Intervention attnOut{Intervention::Kind::Patch, {Site::AttnOut, L - 1}, {}, {}, {}, from.at({Site::AttnOut, L - 1}), 1.0, {}};
        const std::vector<float> viaHeads = m->nextTokenLogits(corrupt, {heads});
        QVERIFY(maxRelDiff(viaHeads, m->nextTokenLogits(corrupt, {attnOut})) <= 1e-5);
        QVERIFY(maxRelDiff(viaHeads, m->nextTokenLogits(corrupt)) > 1e-6); // the patch did something

        // Zero-ablating a head changes attn_out by exactly that head's output.
        TraceOptions opt;
        opt.headOutputs = true;
        const TracePtr base = m->run(corrupt, opt, nullptr);
        const int layer = L - 1, head = m->info().nHeads - 1;
        Intervention zero{Intervention::Kind::Zero, {Site::Z, layer}, {}, {head}, {}, {}, 1.0, {}};
        const TracePtr ablated = m->run(corrupt, opt, nullptr, {zero});
        QCOMPARE(int(ablated->interventions.size()), 1);
        // A stored run keeps what was done to it.
        const TracePtr stored = TraceCodec::decode(TraceCodec::encode(*ablated));
        QCOMPARE(int(stored->interventions.size()), 1);
        QCOMPARE(stored->interventions[0].describe(), zero.describe());
        QCOMPARE(stored->interventions[0].heads, std::vector<int>{head});
        const std::vector<float> before = base->layers[size_t(layer)].attnOut.toFloatVector();
        const std::vector<float> after = ablated->layers[size_t(layer)].attnOut.toFloatVector();
        const std::vector<float> headOut = base->layers[size_t(layer)].headOut.slice0(head).toFloatVector();
        std::vector<float> expected(before.size());
        for (size_t i = 0; i < before.size(); ++i)
            expected[i] = before[i] - headOut[i];
        QVERIFY(testutil::maxAbsDiff(after, expected) <= 1e-5);
        QCOMPARE(testutil::maxAbsDiff(ablated->layers[size_t(layer)].headOut.slice0(head).toFloatVector(), std::vector<float>(headOut.size(), 0.f)), 0.0);

        // A batch of variants equals the same variants run one at a time.
        const std::vector<std::vector<Intervention>> variants{{}, {zero}, {heads}, {each[size_t(T / 2)]}};
        const HostTensor batched = m->runVariants(corrupt, variants, nullptr, 3); // two chunks
        const int64_t V = batched.shape()[1];
        for (size_t v = 0; v < variants.size(); ++v)
            QVERIFY(maxRelDiff(batched.slice0(int64_t(v)).toFloatVector(), m->nextTokenLogits(corrupt, variants[v])) <= 1e-5);
        QCOMPARE(V, m->info().vocabSize);
    }

    void scaleAndAddAreExact()
    {
        auto m = m_host.load(testutil::gpt2TinyDir());
        const auto [clean, corrupt] = prompts(*m);
        Q_UNUSED(corrupt);
        const auto got = m->captureSites(clean, {{Site::MlpPost, 1}});
        const HostTensor &act = got.at({Site::MlpPost, 1});
        QCOMPARE(act.shape(), (std::vector<int64_t>{int64_t(clean.size()), m->info().dMlp}));
        Intervention scale{Intervention::Kind::Scale, {Site::MlpPost, 1}, {2}, {}, {5, 9}, {}, 3.0, {}};
        const std::vector<float> dir(size_t(m->info().dMlp), 0.5f);
        Intervention add{Intervention::Kind::Add, {Site::MlpPost, 1}, {0}, {}, {}, HostTensor::fromFloats({m->info().dMlp}, dir.data()), 2.0, {}};
        const HostTensor changed = m->captureSites(clean, {{Site::MlpPost, 1}}, {scale, add}).at({Site::MlpPost, 1});
        const std::vector<float> a = act.toFloatVector(), b = changed.toFloatVector();
        const int64_t F = m->info().dMlp;
        for (int64_t t = 0; t < int64_t(clean.size()); ++t)
            for (int64_t f = 0; f < F; ++f) {
                const float x = a[size_t(t * F + f)];
                const float want = (t == 2 && (f == 5 || f == 9)) ? 3.f * x : t == 0 ? x + 1.f : x;
                QCOMPARE(b[size_t(t * F + f)], want);
            }
    }

    void badInterventionsAreClearErrors()
    {
        auto m = m_host.load(testutil::gpt2TinyDir());
        const auto pair = prompts(*m); // not a structured binding: a lambda below captures clean (C++17)
        const auto &clean = pair.first, &corrupt = pair.second;
        auto message = [&](const std::vector<Intervention> &ivs) {
            try {
                m->nextTokenLogits(clean, ivs);
            } catch (const Error &e) {
                return e.message();
            }
            return QString();
        };
        QVERIFY(message({{Intervention::Kind::Zero, {Site::ResidPre, 9}, {}, {}, {}, {}, 1.0, {}}}).contains(QStringLiteral("layers 0..2")));
        QVERIFY(message({{Intervention::Kind::Zero, {Site::ResidPre, 0}, {99}, {}, {}, {}, 1.0, {}}}).contains(QStringLiteral("position 99")));
        QVERIFY(message({{Intervention::Kind::Zero, {Site::AttnOut, 0}, {}, {1}, {}, {}, 1.0, {}}}).contains(QStringLiteral("has no heads")));
        QVERIFY(message({{Intervention::Kind::Patch, {Site::ResidPre, 0}, {}, {}, {}, {}, 1.0, {}}}).contains(QStringLiteral("needs a value")));
        const std::vector<float> wrong(7, 1.f);
        QVERIFY(message({{Intervention::Kind::Patch, {Site::ResidPre, 0}, {}, {}, {}, HostTensor::fromFloats({7}, wrong.data()), 1.0, {}}})
                    .contains(QStringLiteral("does not fit")));
        // An intervention that overflows: reported with the first site that went non-finite.
        try {
            m->run(clean, TraceOptions{}, nullptr, {{Intervention::Kind::Scale, {Site::ResidPre, 1}, {}, {}, {}, {}, 1e39, {}}});
            QFAIL("an overflowing run was shown");
        } catch (const Error &e) {
            QVERIFY2(e.message().contains(QStringLiteral("first at resid_pre.1")), qPrintable(e.message()));
        }
        QVERIFY_THROWS_EXCEPTION(Error, parseSite(QStringLiteral("resid_pre")));
        QCOMPARE(parseSite(QStringLiteral("z.2")).layer, 2);
        PatchingRequest req;
        req.clean = clean;
        req.corrupt = std::vector<int64_t>(corrupt.begin(), corrupt.end() - 1);
        req.answer = 1, req.wrong = 2;
        try {
            Patching::sweep(*m, req);
            QFAIL("prompts of different lengths were patched");
        } catch (const Error &e) {
            QVERIFY2(e.message().contains(QStringLiteral("same token count")), qPrintable(e.message()));
        }
    }

    void sweepsMatchIndependentReference_data()
    {
        QTest::addColumn<QString>("model");
        QTest::addColumn<int>("sweep");
        for (const QString &m : {QStringLiteral("gpt2-tiny"), QStringLiteral("qwen2-tiny")}) {
            const QJsonArray sweeps = m_reference.value(m).toObject().value(QStringLiteral("sweeps")).toArray();
            for (int s = 0; s < sweeps.size(); ++s) {
                const QJsonObject w = sweeps.at(s).toObject();
                QTest::newRow(qPrintable(QStringLiteral("%1 %2 %3 %4%5")
                                             .arg(m, w[QStringLiteral("site")].toString(), w[QStringLiteral("direction")].toString(),
                                                  w[QStringLiteral("metric")].toString(),
                                                  w.contains(QStringLiteral("attribution")) ? QStringLiteral(" atp") : QString())))
                    << m << s;
            }
        }
    }

    void sweepsMatchIndependentReference()
    {
        QFETCH(QString, model);
        QFETCH(int, sweep);
        const QJsonObject ref = m_reference.value(model).toObject();
        const QJsonObject want = ref.value(QStringLiteral("sweeps")).toArray().at(sweep).toObject();
        auto m = m_host.load(modelPath(model));
        PatchingRequest req;
        req.clean = ids(ref.value(QStringLiteral("clean")));
        req.corrupt = ids(ref.value(QStringLiteral("corrupt")));
        req.answer = ref.value(QStringLiteral("answer")).toInteger();
        req.wrong = ref.value(QStringLiteral("wrong")).toInteger();
        req.site = Patching::parseSiteKind(want.value(QStringLiteral("site")).toString());
        req.direction = want.value(QStringLiteral("direction")).toString() == QLatin1String("noise") ? PatchingRequest::Direction::Noise
                                                                                                     : PatchingRequest::Direction::Denoise;
        req.metric = Patching::parseMetric(want.value(QStringLiteral("metric")).toString());
        req.layer = want.value(QStringLiteral("layer")).toInt(0);
        req.attribution = want.contains(QStringLiteral("attribution"));
        const PatchingResult r = Patching::sweep(*m, req);
        QCOMPARE(r.metric, want.value(QStringLiteral("metric")).toString());
        QVERIFY(std::abs(r.cleanValue - want.value(QStringLiteral("clean_value")).toDouble()) <= 1e-5 * std::max(1.0, std::abs(r.cleanValue)));
        QVERIFY(std::abs(r.corruptValue - want.value(QStringLiteral("corrupt_value")).toDouble()) <= 1e-5 * std::max(1.0, std::abs(r.corruptValue)));
        QCOMPARE(r.rows, want.value(QStringLiteral("rows")).toInt());
        QCOMPARE(r.cols, want.value(QStringLiteral("cols")).toInt());
        QVERIFY(std::abs(r.cleanLogitDiff - want.value(QStringLiteral("clean_logit_diff")).toDouble()) <= 1e-5);
        QVERIFY(std::abs(r.corruptLogitDiff - want.value(QStringLiteral("corrupt_logit_diff")).toDouble()) <= 1e-5);
        const double span = std::abs(r.cleanValue - r.corruptValue), ldSpan = std::abs(r.cleanLogitDiff - r.corruptLogitDiff);
        double worstRaw = 0, worstNorm = 0, worstAtp = 0;
        for (int row = 0; row < r.rows; ++row)
            for (int c = 0; c < r.cols; ++c) {
                worstRaw = std::max(worstRaw, std::abs(r.raw[size_t(row * r.cols + c)] - want[QStringLiteral("raw")][row][c].toDouble()));
                worstNorm = std::max(worstNorm, std::abs(r.value(row, c) - want[QStringLiteral("values")][row][c].toDouble()));
                if (req.attribution)
                    worstAtp = std::max(worstAtp, std::abs(r.attribution[size_t(row * r.cols + c)] - want[QStringLiteral("attribution")][row][c].toDouble()));
            }
        // Patched metrics within 1e-5; normalised values within what that allows after dividing by the
        // clean - corrupted span (5e-3 for the random gpt2-tiny's logit difference).
        QVERIFY2(worstRaw <= 1e-5,
                 qPrintable(QStringLiteral("%1 (raw[0] %2, reference %3)").arg(worstRaw).arg(r.raw[0]).arg(want[QStringLiteral("raw")][0][0].toDouble())));
        QVERIFY2(worstNorm <= std::max(1e-4, 2e-5 / span), qPrintable(QStringLiteral("%1 (span %2)").arg(worstNorm).arg(span)));
        if (req.attribution) {
            QCOMPARE(int(r.attribution.size()), r.rows * r.cols);
            QVERIFY2(worstAtp <= std::max(1e-4, 2e-5 / ldSpan), qPrintable(QStringLiteral("attribution %1 (span %2)").arg(worstAtp).arg(ldSpan)));
            qInfo("attribution patching vs patching: r = %.3f, max error %.3f (normalised)", r.attributionCorrelation, r.attributionMaxError);
        } else {
            QVERIFY(r.attribution.empty());
        }
    }

    void cliPatchAndAblate()
    {
        const QJsonObject ref = m_reference.value(QStringLiteral("gpt2-tiny")).toObject();
        const QJsonObject want = ref.value(QStringLiteral("sweeps")).toArray().at(0).toObject();
        QProcess p;
        p.start(QStringLiteral(STRATA_CLI),
                {QStringLiteral("patch"), QStringLiteral("--model"), testutil::gpt2TinyDir(), QStringLiteral("--clean"),
                 QStringLiteral("When Mary and John went to the store, John gave a drink to"), QStringLiteral("--corrupt"),
                 QStringLiteral("When Mary and John went to the store, Mary gave a drink to"), QStringLiteral("--answer"), QStringLiteral(" Mary"),
                 QStringLiteral("--wrong"), QStringLiteral(" John"), QStringLiteral("--site"), QStringLiteral("resid_pre"), QStringLiteral("--json")});
        QVERIFY(p.waitForFinished(60000));
        QCOMPARE(p.exitCode(), 0);
        const QJsonObject got = QJsonDocument::fromJson(p.readAllStandardOutput()).object();
        for (const char *key : {"site", "metric", "clean_logit_diff", "corrupt_logit_diff", "rows", "cols", "values", "raw"})
            QVERIFY2(got.contains(QLatin1String(key)), key);
        QCOMPARE(got.value(QStringLiteral("metric")).toString(), QStringLiteral("logit_diff"));
        QCOMPARE(got.value(QStringLiteral("rows")).toInt(), 3);
        QCOMPARE(got.value(QStringLiteral("cols")).toInt(), 14);
        for (int r = 0; r < 3; ++r)
            for (int c = 0; c < 14; ++c)
                QVERIFY(std::abs(got[QStringLiteral("raw")][r][c].toDouble() - want[QStringLiteral("raw")][r][c].toDouble()) <= 1e-5);
        // Different token counts: one error line, exit 1.
        p.start(QStringLiteral(STRATA_CLI),
                {QStringLiteral("patch"), QStringLiteral("--model"), testutil::gpt2TinyDir(), QStringLiteral("--clean"), QStringLiteral("a b c"),
                 QStringLiteral("--corrupt"), QStringLiteral("a b"), QStringLiteral("--answer"), QStringLiteral(" a"), QStringLiteral("--wrong"),
                 QStringLiteral(" b"), QStringLiteral("--site"), QStringLiteral("head")});
        QVERIFY(p.waitForFinished(60000));
        QCOMPARE(p.exitCode(), 1);
        const QByteArray err = p.readAllStandardError();
        QVERIFY2(err.startsWith("strata-cli: error: ") && err.count('\n') == 1 && err.contains("same token count"), err.constData());

        // head_position with another metric and attribution patching.
        p.start(QStringLiteral(STRATA_CLI),
                {QStringLiteral("patch"), QStringLiteral("--model"), testutil::gpt2TinyDir(), QStringLiteral("--clean"),
                 QStringLiteral("When Mary and John went to the store, John gave a drink to"), QStringLiteral("--corrupt"),
                 QStringLiteral("When Mary and John went to the store, Mary gave a drink to"), QStringLiteral("--answer"), QStringLiteral(" Mary"),
                 QStringLiteral("--wrong"), QStringLiteral(" John"), QStringLiteral("--site"), QStringLiteral("head_position"), QStringLiteral("--layer"),
                 QStringLiteral("1"), QStringLiteral("--metric"), QStringLiteral("kl"), QStringLiteral("--attribution"), QStringLiteral("--json")});
        QVERIFY(p.waitForFinished(60000));
        QCOMPARE(p.exitCode(), 0);
        const QJsonObject hp = QJsonDocument::fromJson(p.readAllStandardOutput()).object();
        QCOMPARE(hp.value(QStringLiteral("metric")).toString(), QStringLiteral("kl"));
        QCOMPARE(hp.value(QStringLiteral("layer")).toInt(), 1);
        QCOMPARE(hp.value(QStringLiteral("rows")).toInt(), 4);
        QCOMPARE(hp.value(QStringLiteral("cols")).toInt(), 14);
        QCOMPARE(hp.value(QStringLiteral("attribution")).toArray().size(), 4);
        QVERIFY(hp.contains(QStringLiteral("attribution_correlation")));
        p.start(QStringLiteral(STRATA_CLI),
                {QStringLiteral("patch"), QStringLiteral("--model"), testutil::gpt2TinyDir(), QStringLiteral("--clean"), QStringLiteral("a b"),
                 QStringLiteral("--corrupt"), QStringLiteral("a c"), QStringLiteral("--answer"), QStringLiteral(" a"), QStringLiteral("--wrong"),
                 QStringLiteral(" b"), QStringLiteral("--site"), QStringLiteral("head_position")});
        QVERIFY(p.waitForFinished(60000));
        QCOMPARE(p.exitCode(), 1);
        QVERIFY(p.readAllStandardError().contains("needs --layer"));

        p.start(QStringLiteral(STRATA_CLI), {QStringLiteral("ablate"), QStringLiteral("--model"), testutil::gpt2TinyDir(), QStringLiteral("--prompt"),
                                             QStringLiteral("When Mary and John went to the store"), QStringLiteral("--heads"), QStringLiteral("0.1,2.3"),
                                             QStringLiteral("--mode"), QStringLiteral("mean"), QStringLiteral("--json")});
        QVERIFY(p.waitForFinished(60000));
        QCOMPARE(p.exitCode(), 0);
        const QJsonObject ab = QJsonDocument::fromJson(p.readAllStandardOutput()).object();
        QCOMPARE(ab.value(QStringLiteral("heads")).toArray().size(), 2);
        QCOMPARE(ab.value(QStringLiteral("loss_before")).toArray().size(), ab.value(QStringLiteral("tokens")).toArray().size() - 1);
    }

    void steeringAddsTheMeanDifference()
    {
        auto m = m_host.load(modelPath(QStringLiteral("stories260K")));
        const QStringList pos{QStringLiteral("I am so happy today."), QStringLiteral("What a wonderful, lovely day.")};
        const QStringList neg{QStringLiteral("I am so sad today."), QStringLiteral("What a terrible, awful day.")};
        const int layer = 2, D = m->info().dModel;
        int np = 0, nn = 0;
        const std::vector<float> dir = Steering::direction(*m, pos, neg, layer, &np, &nn).toFloatVector();
        // By hand: the mean of resid_pre.2 over every token but BOS of each set, subtracted.
        auto mean = [&](const QStringList &set, int *count) {
            std::vector<double> sum(size_t(D), 0.0);
            *count = 0;
            for (const QString &text : set) {
                std::vector<int64_t> ids;
                for (const TokenPiece &p : m->tokenizePrompt(text))
                    ids.push_back(p.id);
                const std::vector<float> x = m->captureSites(ids, {{Site::ResidPre, layer}}).at({Site::ResidPre, layer}).toFloatVector();
                for (size_t t = 1; t < ids.size(); ++t, ++*count)
                    for (int d = 0; d < D; ++d)
                        sum[size_t(d)] += x[t * size_t(D) + size_t(d)];
            }
            for (double &v : sum)
                v /= *count;
            return sum;
        };
        int cp = 0, cn = 0;
        const std::vector<double> a = mean(pos, &cp), b = mean(neg, &cn);
        QCOMPARE(np, cp);
        QCOMPARE(nn, cn);
        for (int d = 0; d < D; ++d)
            QVERIFY(std::abs(double(dir[size_t(d)]) - (a[size_t(d)] - b[size_t(d)])) < 1e-5);
        // Added with strength s, the residual entering the layer is the plain one + s * direction everywhere.
        std::vector<int64_t> ids;
        for (const TokenPiece &p : m->tokenizePrompt(QStringLiteral("Lily felt")))
            ids.push_back(p.id);
        const Intervention iv = Steering::intervention(HostTensor::fromFloats({D}, dir.data()), layer, 3.0);
        const std::vector<float> plain = m->captureSites(ids, {{Site::ResidPre, layer}}).at({Site::ResidPre, layer}).toFloatVector();
        const std::vector<float> steered = m->captureSites(ids, {{Site::ResidPre, layer}}, {iv}).at({Site::ResidPre, layer}).toFloatVector();
        for (size_t i = 0; i < plain.size(); ++i)
            QVERIFY(std::abs(steered[i] - (plain[i] + 3.f * dir[i % size_t(D)])) < 1e-5);
        // Strength 0 changes nothing; a real strength changes the continuation.
        const SteeringResult none =
            Steering::steer(*m, QStringLiteral("Once upon a time, there was a little girl named Lily. She felt"), pos, neg, layer, 0.0, 12);
        QCOMPARE(none.steeredIds, none.plainIds);
        const SteeringResult some =
            Steering::steer(*m, QStringLiteral("Once upon a time, there was a little girl named Lily. She felt"), pos, neg, layer, 4.0, 12);
        QVERIFY(some.steeredIds != some.plainIds);
        QCOMPARE(some.plain, none.plain);
        QVERIFY2(some.plain.startsWith(QLatin1Char(' ')), qPrintable(some.plain)); // the continuation keeps its leading space
        QVERIFY_THROWS_EXCEPTION(Error, Steering::direction(*m, {}, neg, layer));
        QVERIFY_THROWS_EXCEPTION(Error, Steering::direction(*m, pos, neg, 9));
    }

    void ablatingStoriesPreviousTokenHeadRaisesLoss()
    {
        // stories260K's clearest previous-token head is L1H3 (prev 0.63 in `strata-cli heads`). Natural text
        // of the kind it was trained on, written for this test (not the model's own greedy output, on
        // which its loss is artificially low). Measured: 1.8309 -> 1.8504 nats (zero), 1.8517 (mean); all
        // five previous-token heads (1.2-1.5, 2.0) together: 2.0014.
        auto m = m_host.load(modelPath(QStringLiteral("stories260K")));
        const QString text = QStringLiteral(
            "Tom had a red car. He liked to drive it fast. One day the car broke. Tom was sad. His dad helped him fix it. Tom was happy again and said "
            "thank you. The cat sat on the mat. It was a sunny day. A bird flew by and the cat jumped up. The bird was too fast. The cat went back to "
            "sleep in the sun. Sara wanted a puppy. She asked her mom every day. On her birthday, her mom gave her a box. Inside was a small brown "
            "puppy. Sara hugged it and named it Max.");
        std::vector<int64_t> ids;
        for (const TokenPiece &p : m->tokenizePrompt(text))
            ids.push_back(p.id);
        const AblationResult zero = Ablation::ablateHeads(*m, ids, {{1, 3}}, false);
        const AblationResult mean = Ablation::ablateHeads(*m, ids, {{1, 3}}, true);
        qInfo("stories260K L1H3: mean loss %.4f -> %.4f (zero), %.4f (mean)", zero.meanBefore, zero.meanAfter, mean.meanAfter);
        QVERIFY(zero.meanAfter > zero.meanBefore + 0.01);
        QVERIFY(mean.meanAfter > mean.meanBefore + 0.01);
        const AblationResult all = Ablation::ablateHeads(*m, ids, {{1, 2}, {1, 3}, {1, 4}, {1, 5}, {2, 0}}, false);
        QVERIFY(all.meanAfter > zero.meanAfter + 0.1);
        // The losses "before" are the model's own: they agree with a plain trace's logits.
        const TracePtr t = m->run(ids, TraceOptions{}, nullptr);
        const std::vector<double> own = Ablation::tokenLosses(t->logits.toFloatVector(), t->logits.shape()[1], ids);
        QVERIFY(testutil::maxAbsDiff(own, zero.lossBefore) <= 1e-9);
    }
};

QTEST_GUILESS_MAIN(TestInterventions)
#include "tst_interventions.moc"
