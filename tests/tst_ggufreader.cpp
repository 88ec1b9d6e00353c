#include "GgufBuilder.h"
#include "TestUtil.h"

#include "tensor/GgufReader.h"
#include "util/Error.h"
#include "util/Half.h"

#include <QTemporaryDir>
#include <QtTest>

using namespace strata;

class TestGgufReader : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;

    QString write(const QByteArray &bytes)
    {
        static int n = 0;
        const QString p = m_dir.filePath(QStringLiteral("f%1.gguf").arg(n++));
        QFile f(p);
        f.open(QIODevice::WriteOnly);
        f.write(bytes);
        return p;
    }

private Q_SLOTS:
    void readsStories260K()
    {
        GgufReader g;
        g.open(testutil::sharedPath(QStringLiteral("models/stories260K/stories260K.gguf")));
        // Facts stated in ../shared/models/stories260K/README.md.
        QCOMPARE(g.version(), 3u);
        QCOMPARE(g.metadataKeys().size(), 19);
        QCOMPARE(g.tensorNames().size(), 48);
        QCOMPARE(g.alignment(), 32u);
        QCOMPARE(g.requireString(QStringLiteral("general.architecture")), QStringLiteral("llama"));
        QCOMPARE(g.requireInt(QStringLiteral("llama.embedding_length")), int64_t(64));
        QCOMPARE(g.requireInt(QStringLiteral("llama.block_count")), int64_t(5));
        QCOMPARE(g.requireInt(QStringLiteral("llama.attention.head_count_kv")), int64_t(4));
        QCOMPARE(g.requireInt(QStringLiteral("llama.feed_forward_length")), int64_t(172));
        QCOMPARE(g.metadata(QStringLiteral("tokenizer.ggml.tokens")).toStringList().size(), 512);
        QCOMPARE(g.metadata(QStringLiteral("tokenizer.ggml.tokens")).toStringList().at(3), QStringLiteral("<0x00>"));
        QCOMPARE(g.info(QStringLiteral("token_embd.weight")).shape, (std::vector<int64_t>{512, 64}));
        QCOMPARE(g.info(QStringLiteral("blk.0.ffn_gate.weight")).shape, (std::vector<int64_t>{172, 64}));
        for (const QString &n : g.tensorNames())
            QCOMPARE(g.info(n).type, 0u); // all F32
    }

    void dequantises()
    {
        // One F16 tensor [2] and one Q8_0 tensor of one block (32 values), computed by hand.
        QByteArray f16;
        for (float v : {1.5f, -2.0f}) {
            const uint16_t h = floatToHalf(v);
            f16.append(reinterpret_cast<const char *>(&h), 2);
        }
        QByteArray q8;
        const uint16_t scale = floatToHalf(0.5f);
        q8.append(reinterpret_cast<const char *>(&scale), 2);
        for (int j = 0; j < 32; ++j)
            q8.append(char(int8_t(j - 16)));
        GgufBuilder b(2); // version 2 reads too
        b.counts(3, 1).kvString("general.architecture", "test");
        b.tensor("h", {2}, 1, 0).tensor("q", {32}, 8, 32).tensor("q81", {32}, 9, 96); // Q8_1: an activation type
        b.alignTo(32).bytes(f16).alignTo(32);
        b.bytes(q8).alignTo(32).bytes(QByteArray(36, '\0'));
        GgufReader g;
        g.open(write(b.data()));
        QCOMPARE(g.version(), 2u);
        QCOMPARE(g.tensorF32(QStringLiteral("h")).toFloatVector(), (std::vector<float>{1.5f, -2.0f}));
        const std::vector<float> q = g.tensorF32(QStringLiteral("q")).toFloatVector();
        for (int j = 0; j < 32; ++j)
            QCOMPARE(q[size_t(j)], 0.5f * float(j - 16));
        try {
            g.tensorF32(QStringLiteral("q81"));
            QFAIL("Q8_1 was dequantised");
        } catch (const Error &e) {
            QVERIFY2(e.message().contains(QStringLiteral("'q81' is Q8_1, a tensor type Strata cannot read")), qPrintable(e.message()));
        }
    }

    void rejectsMalformedFiles_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QString>("expected");
        auto header = [](uint64_t tensors, uint64_t kvs) {
            GgufBuilder b;
            b.counts(tensors, kvs);
            return b;
        };
        QTest::newRow("empty") << QByteArray() << "not a GGUF file";
        QTest::newRow("bad magic") << QByteArray("GGML").append(QByteArray(40, '\0')) << "bad magic";
        {
            GgufBuilder b(1);
            b.counts(0, 0);
            QTest::newRow("version 1") << b.data() << "version 1 is not supported";
        }
        {
            GgufBuilder b(99);
            b.counts(0, 0);
            QTest::newRow("unknown version") << b.data() << "unknown GGUF version 99";
        }
        QTest::newRow("absurd kv count") << header(0, uint64_t(1) << 60).data() << "metadata entries cannot fit";
        QTest::newRow("absurd tensor count") << header(uint64_t(1) << 50, 0).data() << "tensors cannot fit";
        {
            GgufBuilder b = header(0, 1);
            b.u64(uint64_t(1) << 62).bytes("key").bytes(QByteArray(64, 'x'));
            QTest::newRow("absurd string length") << b.data() << "claims 4611686018427387904 bytes";
        }
        {
            GgufBuilder b = header(0, 1);
            b.str("arr").u32(9).u32(4).u64(uint64_t(1) << 40);
            QTest::newRow("absurd array length") << b.data() << "more than the file can hold";
        }
        {
            GgufBuilder b = header(0, 1);
            b.str("k").u32(42).bytes(QByteArray(64, 'x'));
            QTest::newRow("unknown value type") << b.data() << "unknown value type 42";
        }
        {
            GgufBuilder b = header(0, 2);
            b.kvString("general.architecture", "llama").str("cut").u32(4);
            QTest::newRow("truncated value") << b.data() << "truncated file";
        }
        {
            GgufBuilder b = header(1, 0);
            b.tensor("t", {4}, 0, 0).alignTo(32).bytes(QByteArray(8, '\0'));
            QTest::newRow("tensor past end") << b.data() << "runs past the end of the file";
        }
        {
            GgufBuilder b = header(1, 0);
            b.tensor("t", {4}, 0, 1 << 30).alignTo(32);
            QTest::newRow("offset past end") << b.data() << "runs past the end of the file";
        }
        {
            GgufBuilder b = header(1, 0);
            b.tensor("t", {4}, 0, 4).alignTo(32).bytes(QByteArray(64, '\0'));
            QTest::newRow("misaligned offset") << b.data() << "is not aligned to 32";
        }
        {
            GgufBuilder b = header(1, 0);
            b.tensor("t", {4}, 977, 0).alignTo(32).bytes(QByteArray(64, '\0'));
            QTest::newRow("unknown tensor type") << b.data() << "unknown type 977";
        }
        {
            GgufBuilder b = header(1, 0);
            b.tensor("t", {1, 1, 1, 1, 1}, 0, 0);
            QTest::newRow("five dimensions") << b.data() << "has 5 dimensions";
        }
        {
            GgufBuilder b = header(1, 0);
            b.tensor("t", {uint64_t(1) << 45}, 0, 0);
            QTest::newRow("absurd dimension") << b.data() << "absurd dimension";
        }
        {
            GgufBuilder b = header(1, 1);
            b.kvU32("general.alignment", 24).tensor("t", {4}, 0, 0);
            QTest::newRow("alignment not a power of two") << b.data() << "not a power of two";
        }
    }
    void rejectsMalformedFiles()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(QString, expected);
        const QString path = write(bytes);
        GgufReader g;
        try {
            g.open(path);
            QFAIL("a malformed file was accepted");
        } catch (const Error &e) {
            QVERIFY2(e.message().contains(expected), qPrintable(e.message()));
            QVERIFY2(e.message().contains(QFileInfo(path).fileName()), "the message names the file");
        }
    }
};

QTEST_GUILESS_MAIN(TestGgufReader)
#include "tst_ggufreader.moc"
