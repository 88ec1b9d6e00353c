#include "TestUtil.h"

#include "jobs/JobControl.h"
#include "model/ModelFamily.h"
#include "model/PluginHost.h"
#include "tensor/SafetensorsReader.h"
#include "tokenize/Tokenizer.h"
#include "util/Error.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtEndian>
#include <QtTest>

#include <limits>

using namespace strata;

// The GPT-2 forward pass against ../shared/fixtures/gpt2-tiny/expected.safetensors, computed by an
// independent PyTorch GPT-2 (tanh GELU, float32). The bound is 1e-5.
class TestGpt2Forward : public QObject
{
    Q_OBJECT
    PluginHost m_host;
    std::unique_ptr<LoadedModel> m_model;
    SafetensorsReader m_expected;
    QStringList m_prompts;

    // A copy of the fixture folder whose weights pass through edit() first.
    QString editedCopy(QTemporaryDir &dir, const std::function<void(std::vector<NamedTensor> &, QJsonObject &)> &edit)
    {
        SafetensorsReader src;
        src.open(QDir(testutil::gpt2TinyDir()).filePath(QStringLiteral("model.safetensors")));
        std::vector<NamedTensor> tensors;
        for (const QString &n : src.tensorNames())
            tensors.push_back({n, src.tensor(n)});
        QFile cf(QDir(testutil::gpt2TinyDir()).filePath(QStringLiteral("config.json")));
        cf.open(QIODevice::ReadOnly);
        QJsonObject cfg = QJsonDocument::fromJson(cf.readAll()).object();
        edit(tensors, cfg);
        writeSafetensors(dir.filePath(QStringLiteral("model.safetensors")), tensors);
        QFile out(dir.filePath(QStringLiteral("config.json")));
        out.open(QIODevice::WriteOnly);
        out.write(QJsonDocument(cfg).toJson());
        out.close();
        for (const char *f : {"vocab.json", "merges.txt"})
            QFile::copy(QDir(testutil::gpt2TinyDir()).filePath(QString::fromLatin1(f)), dir.filePath(QString::fromLatin1(f)));
        return dir.path();
    }

    void expectLoadError(const QString &folder, const QString &fragment)
    {
        try {
            m_host.load(folder);
            QFAIL("the broken model loaded");
        } catch (const Error &e) {
            QVERIFY2(e.message().contains(fragment), qPrintable(e.message()));
        }
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_host.loadFrom({QStringLiteral(STRATA_PLUGIN_BUILD_DIR)});
        QVERIFY(m_host.family(QStringLiteral("gpt2")));
        m_model = m_host.load(testutil::gpt2TinyDir());
        m_expected.open(QDir(testutil::gpt2TinyDir()).filePath(QStringLiteral("expected.safetensors")));
        QFile f(QDir(testutil::gpt2TinyDir()).filePath(QStringLiteral("expected.json")));
        QVERIFY(f.open(QIODevice::ReadOnly));
        for (const QJsonValue &p : QJsonDocument::fromJson(f.readAll()).object().value(QLatin1String("prompts")).toArray())
            m_prompts << p.toString();
        QCOMPARE(m_prompts.size(), 3);
    }

    void modelCard()
    {
        const ModelInfo &i = m_model->info();
        QCOMPARE(i.family, QStringLiteral("gpt2"));
        QCOMPARE(i.nLayers, 3);
        QCOMPARE(i.nHeads, 4);
        QCOMPARE(i.dModel, 64);
        QCOMPARE(i.contextLength, 128);
        QCOMPARE(i.vocabSize, int64_t(50257));
        // wte 50257*64 + wpe 128*64 + 3 blocks * (4*64*64+4*64 + 2*64*256+256+64 + 4*64 + 3*64*64... ) summed from the file
        QVERIFY(i.parameterCount > 50257 * 64);
        QCOMPARE(i.fingerprint.size(), 16);
    }

    void matchesIndependentReference_data()
    {
        QTest::addColumn<int>("prompt");
        for (int k = 0; k < 3; ++k)
            QTest::addRow("p%d", k) << k;
    }
    void matchesIndependentReference()
    {
        QFETCH(int, prompt);
        const QString p = QStringLiteral("p%1.").arg(prompt);
        const TracePtr t = m_model->trace(m_prompts[prompt]);
        QCOMPARE(t->tokenIds(), m_expected.tensor(p + QStringLiteral("input_ids")).toInt64Vector());
        const double tol = 1e-5;
        auto check = [&](const HostTensor &got, const QString &name) {
            const std::vector<float> want = m_expected.floats(p + name);
            QCOMPARE(got.shape(), m_expected.info(p + name).shape);
            const double diff = testutil::maxAbsDiff(got.toFloatVector(), want);
            QVERIFY2(diff >= 0 && diff <= tol, qPrintable(QStringLiteral("%1%2: max |diff| = %3").arg(p, name).arg(diff)));
        };
        check(t->embed, QStringLiteral("embed"));
        QCOMPARE(int(t->layers.size()), 3);
        for (const LayerTrace &l : t->layers) {
            check(l.attn, QStringLiteral("attn.%1").arg(l.layer));
            check(l.residPost, QStringLiteral("resid_post.%1").arg(l.layer));
        }
        check(t->logits, QStringLiteral("logits"));
    }

    void residualStreamIdentities()
    {
        const TracePtr t = m_model->trace(m_prompts[1]);
        for (const LayerTrace &l : t->layers) {
            const auto pre = l.residPre.toFloatVector(), mid = l.residMid.toFloatVector(), post = l.residPost.toFloatVector();
            const auto ao = l.attnOut.toFloatVector(), mo = l.mlpOut.toFloatVector();
            std::vector<float> sum1(pre.size()), sum2(pre.size());
            for (size_t i = 0; i < pre.size(); ++i) {
                sum1[i] = pre[i] + ao[i];
                sum2[i] = mid[i] + mo[i];
            }
            QVERIFY(testutil::maxAbsDiff(sum1, mid) < 1e-6);
            QVERIFY(testutil::maxAbsDiff(sum2, post) < 1e-6);
            if (l.layer > 0)
                QCOMPARE(pre, t->layer(l.layer - 1)->residPost.toFloatVector());
            else
                QCOMPARE(pre, t->embed.toFloatVector());
            // Attention rows are causal distributions.
            const int T = t->tokenCount();
            for (int h = 0; h < l.attn.dim(0); ++h)
                for (int q = 0; q < T; ++q) {
                    double s = 0;
                    for (int k = 0; k < T; ++k) {
                        const float w = l.attn.floatAt((int64_t(h) * T + q) * T + k);
                        if (k > q)
                            QCOMPARE(w, 0.0f);
                        s += w;
                    }
                    QVERIFY(std::abs(s - 1.0) < 1e-5);
                }
        }
    }

    void limitedAndHalfCapture()
    {
        TraceOptions opt;
        opt.storage = DType::F16;
        opt.layers = {1};
        opt.logits = false;
        const TracePtr t = m_model->trace(m_prompts[0], opt);
        QCOMPARE(int(t->layers.size()), 1);
        QCOMPARE(t->layers[0].layer, 1);
        QCOMPARE(t->layers[0].attn.dtype(), DType::F16);
        QCOMPARE(t->logits.shape(), (std::vector<int64_t>{1, 50257})); // last position only
        const auto want = m_expected.floats(QStringLiteral("p0.attn.1"));
        QVERIFY(testutil::maxAbsDiff(t->layers[0].attn.toFloatVector(), want) < 1e-3); // fp16 keeps ~3 digits
        const auto logits = m_expected.floats(QStringLiteral("p0.logits"));
        const std::vector<float> lastRow(logits.end() - 50257, logits.end());
        QVERIFY(testutil::maxAbsDiff(t->logits.toFloatVector(), lastRow) < 2e-2);
    }

    void greedyMatchesArgmaxOfLogits()
    {
        const auto ids = m_expected.tensor(QStringLiteral("p1.input_ids")).toInt64Vector();
        const auto logits = m_expected.floats(QStringLiteral("p1.logits"));
        const std::vector<float> last(logits.end() - 50257, logits.end());
        const int64_t want = int64_t(std::max_element(last.begin(), last.end()) - last.begin());
        QCOMPARE(m_model->generateGreedy(ids, 1), std::vector<int64_t>{want});
    }

    void transformerPrefixAndUntiedHead()
    {
        QTemporaryDir dir;
        editedCopy(dir, [](std::vector<NamedTensor> &ts, QJsonObject &cfg) {
            HostTensor wte;
            for (auto &t : ts) {
                if (t.name == QLatin1String("wte.weight"))
                    wte = t.tensor;
                t.name.prepend(QStringLiteral("transformer."));
            }
            ts.push_back({QStringLiteral("lm_head.weight"), wte});
            cfg.insert(QStringLiteral("tie_word_embeddings"), false);
        });
        auto m = m_host.load(dir.path());
        const TracePtr t = m->trace(m_prompts[2]);
        QVERIFY(testutil::maxAbsDiff(t->logits.toFloatVector(), m_expected.floats(QStringLiteral("p2.logits"))) <= 1e-5);
    }

    void nonFiniteWeightsAreNamed()
    {
        // A copy of gpt2-tiny with one NaN and one Inf in a weight: refused at load, the tensor named.
        QTemporaryDir dir;
        for (const char *f : {"config.json", "vocab.json", "merges.txt", "model.safetensors"})
            QVERIFY(QFile::copy(QDir(testutil::gpt2TinyDir()).filePath(QString::fromLatin1(f)), dir.filePath(QString::fromLatin1(f))));
        QFile file(dir.filePath(QStringLiteral("model.safetensors")));
        QFile::setPermissions(file.fileName(), QFileDevice::ReadOwner | QFileDevice::WriteOwner);
        QVERIFY(file.open(QIODevice::ReadWrite));
        const QByteArray head = file.read(8);
        const quint64 n = qFromLittleEndian<quint64>(head.constData());
        const QJsonObject header = QJsonDocument::fromJson(file.read(qint64(n))).object();
        QString name;
        for (const QString &k : header.keys())
            if (k.endsWith(QLatin1String("h.1.mlp.c_fc.weight")))
                name = k;
        QVERIFY(!name.isEmpty());
        const qint64 at = 8 + qint64(n) + qint64(header[name].toObject()[QStringLiteral("data_offsets")].toArray()[0].toDouble());
        const float bad[2] = {std::numeric_limits<float>::quiet_NaN(), std::numeric_limits<float>::infinity()};
        file.seek(at + 40);
        file.write(reinterpret_cast<const char *>(bad), sizeof bad);
        file.close();
        try {
            m_host.load(dir.path());
            QFAIL("a model with NaN weights loaded");
        } catch (const Error &e) {
            QVERIFY2(e.message().contains(name) && e.message().contains(QStringLiteral("2 NaN or infinite")), qPrintable(e.message()));
        }
    }

    void badInputsGiveClearErrors()
    {
        // Prompt longer than n_positions (128).
        QString longPrompt;
        for (int i = 0; i < 200; ++i)
            longPrompt += QStringLiteral(" word");
        try {
            m_model->trace(longPrompt);
            QFAIL("an over-long prompt ran");
        } catch (const Error &e) {
            QVERIFY2(e.message().contains(QStringLiteral("at most 128")), qPrintable(e.message()));
        }
        QVERIFY_THROWS_EXCEPTION(Error, m_model->trace(QString()));

        QTemporaryDir missing;
        editedCopy(missing, [](std::vector<NamedTensor> &ts, QJsonObject &) {
            ts.erase(std::remove_if(ts.begin(), ts.end(), [](const NamedTensor &t) { return t.name == QLatin1String("h.1.mlp.c_fc.bias"); }), ts.end());
        });
        expectLoadError(missing.path(), QStringLiteral("h.1.mlp.c_fc.bias"));

        QTemporaryDir shape;
        editedCopy(shape, [](std::vector<NamedTensor> &, QJsonObject &cfg) { cfg.insert(QStringLiteral("n_embd"), 32); });
        expectLoadError(shape.path(), QStringLiteral("config.json implies"));

        QTemporaryDir noField;
        editedCopy(noField, [](std::vector<NamedTensor> &, QJsonObject &cfg) { cfg.remove(QStringLiteral("n_layer")); });
        expectLoadError(noField.path(), QStringLiteral("'n_layer' or 'num_hidden_layers' is missing"));

        QTemporaryDir unknown;
        editedCopy(unknown, [](std::vector<NamedTensor> &, QJsonObject &cfg) {
            cfg.insert(QStringLiteral("model_type"), QStringLiteral("bert"));
            cfg.insert(QStringLiteral("architectures"), QJsonArray{QStringLiteral("BertModel")});
        });
        expectLoadError(unknown.path(), QStringLiteral("unknown model architecture"));

        expectLoadError(QStringLiteral("/no/such/model"), QStringLiteral("does not exist"));
    }

    void cancelStopsTheRun()
    {
        JobControl control;
        control.cancel();
        QVERIFY_THROWS_EXCEPTION(Cancelled, m_model->trace(m_prompts[0], {}, &control));
    }
};

QTEST_GUILESS_MAIN(TestGpt2Forward)
#include "tst_gpt2forward.moc"
