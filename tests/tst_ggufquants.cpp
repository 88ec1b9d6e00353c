// Every ggml quantisation against the external fixtures of ../shared/fixtures/gguf-quants (written
// and dequantised by llama.cpp's gguf-py, the forward pass by llama2.c's PyTorch model.py).
#include "GgufBuilder.h"
#include "TestUtil.h"

#include "model/ModelEstimate.h"
#include "model/PluginHost.h"
#include "tensor/GgmlQuants.h"
#include "tensor/GgufReader.h"
#include "util/Error.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <cstring>

using namespace strata;

namespace {

QString fixture(const QString &name)
{
    return testutil::sharedPath(QStringLiteral("fixtures/gguf-quants/") + name);
}

// Distance in float32 units in the last place (same sign assumed for non-zero neighbours).
int64_t ulpDistance(float a, float b)
{
    if (a == b)
        return 0;
    int32_t ia, ib;
    std::memcpy(&ia, &a, 4);
    std::memcpy(&ib, &b, 4);
    if ((ia < 0) != (ib < 0))
        return std::numeric_limits<int64_t>::max();
    return std::llabs(int64_t(ia) - int64_t(ib));
}

} // namespace

class TestGgufQuants : public QObject
{
    Q_OBJECT

    PluginHost m_host;

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        m_host.loadFrom({QStringLiteral(STRATA_PLUGIN_BUILD_DIR)});
        QVERIFY(m_host.family(QStringLiteral("llama")));
    }

    void gridsAreIntact_data()
    {
        QTest::addColumn<int>("grid");
        QTest::addColumn<int>("entries");
        QTest::addColumn<int>("width");
        QTest::addColumn<QList<int>>("values");
        const QList<int> iq2{8, 25, 43}, iq1{0, 1, 2};
        QTest::newRow("iq2xxs") << int(ggml_detail::Grid::Iq2xxs) << 256 << 8 << iq2;
        QTest::newRow("iq2xs") << int(ggml_detail::Grid::Iq2xs) << 512 << 8 << iq2;
        QTest::newRow("iq2s") << int(ggml_detail::Grid::Iq2s) << 1024 << 8 << iq2;
        QTest::newRow("iq3xxs") << int(ggml_detail::Grid::Iq3xxs) << 256 << 4 << QList<int>{4, 12, 20, 28, 36, 44, 52, 62};
        QTest::newRow("iq3s") << int(ggml_detail::Grid::Iq3s) << 512 << 4 << QList<int>{1, 3, 5, 7, 9, 11, 13, 15};
        QTest::newRow("iq1s") << int(ggml_detail::Grid::Iq1s) << 2048 << 8 << iq1;
    }

    // A damaged table (a lost or changed digit) breaks the ascending order, a count or a value.
    void gridsAreIntact()
    {
        QFETCH(int, grid);
        QFETCH(int, entries);
        QFETCH(int, width);
        QFETCH(QList<int>, values);
        const auto g = ggml_detail::Grid(grid);
        int n = 0, w = 0;
        const uint8_t *table = ggml_detail::grid(g, &n, &w);
        QCOMPARE(n, entries);
        QCOMPARE(w, width);
        for (int i = 1; i < n; ++i)
            QVERIFY2(ggml_detail::gridCode(g, i) > ggml_detail::gridCode(g, i - 1), qPrintable(QStringLiteral("entry %1").arg(i)));
        for (int i = 0; i < n * w; ++i)
            QVERIFY2(values.contains(int(table[i])), qPrintable(QStringLiteral("value %1 at %2").arg(table[i]).arg(i)));
        // The first entry is the all-lowest point of the lattice in every table.
        for (int j = 0; j < w; ++j)
            QCOMPARE(int(table[j]), values.first());
    }

    void everyTypeMatchesGgufPy_data()
    {
        QTest::addColumn<QString>("tensor");
        QTest::addColumn<uint32_t>("type");
        for (uint32_t id : ggmlTypesRead())
            QTest::newRow(ggmlTypeTraits(id)->name) << QStringLiteral("t.") + ggmlTypeName(id).toLower() << id;
    }

    void everyTypeMatchesGgufPy()
    {
        QFETCH(QString, tensor);
        QFETCH(uint32_t, type);
        GgufReader g;
        g.open(fixture(QStringLiteral("quant-tensors.gguf")));
        SafetensorsReader exp;
        exp.open(fixture(QStringLiteral("quant-tensors.expected.safetensors")));
        QVERIFY2(g.contains(tensor), qPrintable(tensor));
        QCOMPARE(g.info(tensor).type, type);
        QCOMPARE(g.info(tensor).shape, (std::vector<int64_t>{3, 512}));
        const std::vector<float> got = g.tensorF32(tensor).toFloatVector();
        const std::vector<float> want = exp.floats(tensor);
        QCOMPARE(got.size(), want.size());
        // d*q - m types may round once more or less (FMA, order); every other type is exact.
        const QString name = ggmlTypeName(type);
        const bool offset = name == QLatin1String("Q4_1") || name == QLatin1String("Q5_1") || name == QLatin1String("Q2_K") || name == QLatin1String("Q4_K") ||
                            name == QLatin1String("Q5_K");
        int64_t worst = 0;
        int at = -1;
        double maxAbs = 0;
        for (size_t i = 0; i < got.size(); ++i) {
            const int64_t u = ulpDistance(got[i], want[i]);
            if (u > worst) {
                worst = u;
                at = int(i);
            }
            maxAbs = std::max(maxAbs, double(std::fabs(want[i])));
        }
        QVERIFY2(maxAbs > 0, "the reference is all zeros");
        QVERIFY2(worst <= (offset ? 1 : 0), qPrintable(QStringLiteral("%1: %2 ulp at element %3 (got %4, want %5)")
                                                           .arg(name)
                                                           .arg(worst)
                                                           .arg(at)
                                                           .arg(got[size_t(std::max(at, 0))])
                                                           .arg(want[size_t(std::max(at, 0))])));
    }

    void mixedLlamaMatchesReference_data()
    {
        QTest::addColumn<int>("prompt");
        QFile f(fixture(QStringLiteral("llama-quant-mixed.expected.json")));
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QJsonArray prompts = QJsonDocument::fromJson(f.readAll()).object().value(QLatin1String("prompts")).toArray();
        QCOMPARE(prompts.size(), 3);
        for (int k = 0; k < prompts.size(); ++k)
            QTest::newRow(qPrintable(QStringLiteral("p%1").arg(k))) << k;
    }

    void mixedLlamaMatchesReference()
    {
        QFETCH(int, prompt);
        auto m = m_host.load(fixture(QStringLiteral("llama-quant-mixed.gguf")));
        QCOMPARE(m->info().nLayers, 2);
        QCOMPARE(m->info().nKvHeads, 2);
        SafetensorsReader exp;
        exp.open(fixture(QStringLiteral("llama-quant-mixed.expected.safetensors")));
        const QString p = QStringLiteral("p%1.").arg(prompt);
        const std::vector<int64_t> ids = exp.tensor(p + QStringLiteral("input_ids")).toInt64Vector();
        QVERIFY(ids.size() > 10);
        const TracePtr t = m->run(ids, TraceOptions{}, nullptr);
        auto within = [&](const HostTensor &got, const QString &name) {
            const std::vector<float> ref = exp.floats(p + name);
            double scale = 1;
            for (float v : ref)
                scale = std::max(scale, double(std::fabs(v)));
            const double d = testutil::tensorDiff(got, exp, p + name);
            QVERIFY2(d <= 1e-4 * scale, qPrintable(QStringLiteral("%1: max |diff| %2, allowed %3").arg(name).arg(d).arg(1e-4 * scale)));
        };
        within(t->embed, QStringLiteral("embed"));
        QCOMPARE(int(t->layers.size()), 2);
        for (const LayerTrace &l : t->layers) {
            within(l.attn, QStringLiteral("attn.%1").arg(l.layer));
            within(l.residPost, QStringLiteral("resid_post.%1").arg(l.layer));
        }
        within(t->finalNorm, QStringLiteral("final_norm"));
        within(t->logits, QStringLiteral("logits"));
    }

    void modelCardNamesTheTypes()
    {
        auto m = m_host.load(fixture(QStringLiteral("llama-quant-mixed.gguf")));
        const QString types = m->info().dtype;
        // Shares of the 1,836,288 elements (README's table): Q4_K = 256x256 + 256x768 = 14.3 %, the
        // lone Q4_1 matrix 256x128 = 1.8 %, the five F32 norms 1280 = 0.07 %; largest first.
        QVERIFY2(types.startsWith(QStringLiteral("Q4_K 14 %, Q5_0 14 %, ")), qPrintable(types));
        QVERIFY2(types.contains(QStringLiteral("Q4_1 1.8 %")) && types.endsWith(QStringLiteral("F32 0.07 %")), qPrintable(types));
        for (const char *t : {"Q2_K", "Q3_K", "Q4_0", "Q5_K", "Q6_K", "Q8_0"})
            QVERIFY2(types.contains(QLatin1String(t)), qPrintable(types));
        QCOMPARE(m->info().parameterCount, int64_t(1836288));
        // Before loading: the same mix, and the memory beyond the mapped file is the dense float32
        // unembedding (Q8_0 output 512 x 256) + the largest attn_output (256 x 256) + the 8 MiB block buffer.
        const ModelEstimate e = estimateModel(fixture(QStringLiteral("llama-quant-mixed.gguf")));
        QVERIFY2(e.known, qPrintable(e.error));
        QCOMPARE(e.weightTypes, types);
        QCOMPARE(e.weightMemoryBytes, int64_t(512 * 256 * 4 + 256 * 256 * 4 + (8 << 20)));
        QCOMPARE(e.weightFileBytes, QFileInfo(fixture(QStringLiteral("llama-quant-mixed.gguf"))).size());
        // An all-F32 file is mapped as it is: nothing beyond the map.
        const ModelEstimate f32 = estimateModel(testutil::sharedPath(QStringLiteral("models/stories260K/stories260K.gguf")));
        QVERIFY2(f32.known, qPrintable(f32.error));
        QCOMPARE(f32.weightMemoryBytes, int64_t(0));
        QCOMPARE(f32.weightTypes, QStringLiteral("F32"));
    }

    // Every type (and the Q4_K_M mix) through a whole forward pass: strata-cli gguf-random writes a
    // 2-layer model with every matrix in that type; it loads, names the type and traces finitely.
    void everyTypeRunsAForwardPass_data()
    {
        QTest::addColumn<QString>("mix");
        QTest::addColumn<QString>("dtype");
        QTest::newRow("q4_k_m") << QStringLiteral("q4_k_m") << QStringLiteral("Q4_K_M: Q4_K 80 %, Q6_K 20 %, F32 0.07 %");
        for (uint32_t id : ggmlTypesRead())
            QTest::newRow(ggmlTypeTraits(id)->name) << ggmlTypeName(id).toLower() << ggmlTypeName(id);
    }

    void everyTypeRunsAForwardPass()
    {
        QFETCH(QString, mix);
        QFETCH(QString, dtype);
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("r.gguf"));
        QProcess p;
        p.start(QStringLiteral(STRATA_CLI), {QStringLiteral("gguf-random"), QStringLiteral("--out"), path, QStringLiteral("--mix"), mix});
        QVERIFY(p.waitForFinished(60000));
        QVERIFY2(p.exitCode() == 0, p.readAllStandardError().constData());
        auto m = m_host.load(path);
        QVERIFY2(m->info().dtype.startsWith(dtype), qPrintable(m->info().dtype));
        const TracePtr t = m->run({1, 300, 301, 302, 303, 304, 305, 306}, TraceOptions{}, nullptr);
        const std::vector<float> logits = t->logits.toFloatVector();
        QCOMPARE(logits.size(), size_t(8 * 512));
        double spread = 0;
        for (float v : logits) {
            QVERIFY(std::isfinite(v));
            spread = std::max(spread, double(std::fabs(v - logits[0])));
        }
        QVERIFY2(spread > 0, "constant logits: the weights were not read"); // random weights give varied logits
    }

    void badQuantisedTensorsGiveClearErrors_data()
    {
        QTest::addColumn<QByteArray>("file");
        QTest::addColumn<QString>("message");
        {
            // A Q4_K row of 100 elements is not a whole number of 256-element blocks.
            GgufBuilder b;
            b.counts(1, 1).kvString("general.architecture", "llama");
            b.tensor("w", {100, 2}, 12, 0).alignTo(32).bytes(QByteArray(2 * 144, '\x01'));
            QTest::newRow("partial block") << b.data() << QStringLiteral("'w' rows are not a whole number of Q4_K blocks");
        }
        {
            // Two Q6_K rows of 256 need 420 bytes; the file ends after 300.
            GgufBuilder b;
            b.counts(1, 1).kvString("general.architecture", "llama");
            b.tensor("w", {256, 2}, 14, 0).alignTo(32).bytes(QByteArray(300, '\x01'));
            QTest::newRow("short data") << b.data() << QStringLiteral("'w' (420 bytes at offset 0) runs past the end");
        }
        {
            // An IQ2_XXS tensor whose offset leaves fewer bytes than its 66-byte blocks need.
            GgufBuilder b;
            b.counts(1, 1).kvString("general.architecture", "llama");
            b.tensor("w", {512, 1}, 16, 32).alignTo(32).bytes(QByteArray(132, '\x01'));
            QTest::newRow("offset past data") << b.data() << QStringLiteral("'w' (132 bytes at offset 32) runs past the end");
        }
    }

    void badQuantisedTensorsGiveClearErrors()
    {
        QFETCH(QByteArray, file);
        QFETCH(QString, message);
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("bad.gguf"));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(file);
        f.close();
        GgufReader g;
        try {
            g.open(path);
            QFAIL("a malformed quantised tensor was accepted");
        } catch (const Error &e) {
            QVERIFY2(e.message().contains(message) && e.message().contains(QStringLiteral("bad.gguf")), qPrintable(e.message()));
        }
    }
};

QTEST_GUILESS_MAIN(TestGgufQuants)
#include "tst_ggufquants.moc"
