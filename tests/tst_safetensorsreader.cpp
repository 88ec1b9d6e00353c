#include "tensor/SafetensorsReader.h"
#include "util/Error.h"

#include <QTemporaryDir>
#include <QtTest>
#include <cstring>

using namespace strata;

namespace {
// Builds a safetensors file byte by byte (independently of writeSafetensors) so the reader's
// validation is tested against hand-made headers.
QByteArray makeFile(const QByteArray &header, const QByteArray &data, qint64 claimedHeaderLen = -1)
{
    QByteArray out;
    const quint64 len = claimedHeaderLen < 0 ? quint64(header.size()) : quint64(claimedHeaderLen);
    out.append(reinterpret_cast<const char *>(&len), 8);
    out.append(header);
    out.append(data);
    return out;
}

QByteArray floats(std::initializer_list<float> v)
{
    QByteArray b;
    for (float f : v)
        b.append(reinterpret_cast<const char *>(&f), 4);
    return b;
}
} // namespace

class TestSafetensorsReader : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;

    QString write(const QString &name, const QByteArray &bytes)
    {
        const QString path = m_dir.filePath(name);
        QFile f(path);
        f.open(QIODevice::WriteOnly);
        f.write(bytes);
        return path;
    }

private Q_SLOTS:
    void readsValidFile()
    {
        const QByteArray header =
            R"({"__metadata__":{"format":"pt"},"b":{"dtype":"F16","shape":[2],"data_offsets":[16,20]},"a":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]}})";
        QByteArray data = floats({1, 2, 3, 4});
        const uint16_t halves[2] = {0x3C00, 0xC000}; // 1, -2
        data.append(reinterpret_cast<const char *>(halves), 4);
        SafetensorsReader r;
        r.open(write(QStringLiteral("ok.safetensors"), makeFile(header, data)));
        QCOMPARE(r.tensorNames(), (QStringList{QStringLiteral("a"), QStringLiteral("b")}));
        QCOMPARE(r.metadata().value(QStringLiteral("format")), QStringLiteral("pt"));
        QCOMPARE(r.info(QStringLiteral("a")).shape, (std::vector<int64_t>{2, 2}));
        QCOMPARE(r.floats(QStringLiteral("a")), (std::vector<float>{1, 2, 3, 4}));
        QCOMPARE(r.floats(QStringLiteral("b")), (std::vector<float>{1, -2}));
    }

    void rejectsCorruptFiles_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QString>("expected"); // a fragment the message must contain
        const QByteArray good = R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})";
        const QByteArray data = floats({1, 2});
        QTest::newRow("shorter than length field") << QByteArray("abc") << "shorter than the 8-byte header length";
        QTest::newRow("header length past the end") << makeFile(good, data, 1 << 20) << "claims 1048576 bytes";
        QTest::newRow("truncated data") << makeFile(good, data).left(8 + good.size() + 5) << "outside the data section";
        QTest::newRow("invalid json") << makeFile("{\"a\": [", data) << "invalid JSON";
        QTest::newRow("not an object") << makeFile("[1,2]", data) << "not an object";
        QTest::newRow("unknown dtype") << makeFile(R"({"a":{"dtype":"F8_E9","shape":[2],"data_offsets":[0,8]}})", data) << "unsupported dtype 'F8_E9'";
        QTest::newRow("offsets out of range") << makeFile(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,800]}})", data) << "outside the data section";
        QTest::newRow("offsets reversed") << makeFile(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[8,0]}})", data) << "outside the data section";
        QTest::newRow("size contradicts shape") << makeFile(R"({"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})", data) << "needs 12";
        QTest::newRow("overlapping tensors")
            << makeFile(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})", data) << "overlap";
        QTest::newRow("negative dimension") << makeFile(R"({"a":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}})", data) << "invalid dimension";
        QTest::newRow("absurd shape") << makeFile(R"({"a":{"dtype":"F32","shape":[4294967296,4294967296,4294967296],"data_offsets":[0,8]}})", data)
                                      << "absurd shape";
        QTest::newRow("missing offsets") << makeFile(R"({"a":{"dtype":"F32","shape":[2]}})", data) << "data_offsets";
    }
    void rejectsCorruptFiles()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(QString, expected);
        const QString path = write(QStringLiteral("bad.safetensors"), bytes);
        SafetensorsReader r;
        try {
            r.open(path);
            QFAIL("open() accepted a corrupt file");
        } catch (const Error &e) {
            QVERIFY2(e.message().contains(expected), qPrintable(e.message()));
            QVERIFY2(e.message().contains(QStringLiteral("bad.safetensors")), "the message must name the file");
        }
    }

    void missingFileAndTensor()
    {
        SafetensorsReader r;
        QVERIFY_THROWS_EXCEPTION(Error, r.open(m_dir.filePath(QStringLiteral("nope.safetensors"))));
        SafetensorsReader ok;
        ok.open(write(QStringLiteral("one.safetensors"), makeFile(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})", floats({7}))));
        QVERIFY_THROWS_EXCEPTION(Error, ok.info(QStringLiteral("b")));
    }

    void writerRoundTripIsAtomic()
    {
        const QString path = m_dir.filePath(QStringLiteral("w.safetensors"));
        const float v[3] = {1.5f, -2.25f, 3.0f};
        writeSafetensors(path, {{QStringLiteral("x"), HostTensor::fromFloats({3}, v)}, {QStringLiteral("ids"), HostTensor::fromInt64({5, 6})}},
                         {{QStringLiteral("k"), QStringLiteral("v")}});
        SafetensorsReader r;
        r.open(path);
        QCOMPARE(r.floats(QStringLiteral("x")), (std::vector<float>{1.5f, -2.25f, 3.0f}));
        QCOMPARE(r.tensor(QStringLiteral("ids")).toInt64Vector(), (std::vector<int64_t>{5, 6}));
        QCOMPARE(r.metadata().value(QStringLiteral("k")), QStringLiteral("v"));
        // Writing into a folder that does not exist fails cleanly and leaves nothing behind.
        QVERIFY_THROWS_EXCEPTION(Error, writeSafetensors(m_dir.filePath(QStringLiteral("no/such/dir/x.safetensors")), {}));
        QVERIFY(!QFileInfo::exists(m_dir.filePath(QStringLiteral("no"))));
    }

    void shardedCheckpoint()
    {
        QTemporaryDir dir;
        const float a[2] = {1, 2}, b[1] = {3};
        writeSafetensors(dir.filePath(QStringLiteral("model-00001-of-00002.safetensors")), {{QStringLiteral("a"), HostTensor::fromFloats({2}, a)}});
        writeSafetensors(dir.filePath(QStringLiteral("model-00002-of-00002.safetensors")), {{QStringLiteral("b"), HostTensor::fromFloats({1}, b)}});
        QFile idx(dir.filePath(QStringLiteral("model.safetensors.index.json")));
        idx.open(QIODevice::WriteOnly);
        idx.write(R"({"metadata":{},"weight_map":{"a":"model-00001-of-00002.safetensors","b":"model-00002-of-00002.safetensors"}})");
        idx.close();
        SafetensorsCheckpoint ck;
        ck.openFolder(dir.path());
        QCOMPARE(ck.floats(QStringLiteral("b")), (std::vector<float>{3}));
        QCOMPARE(ck.files().size(), 2);

        // An index that points a tensor at the wrong shard is refused.
        idx.open(QIODevice::WriteOnly | QIODevice::Truncate);
        idx.write(R"({"weight_map":{"a":"model-00002-of-00002.safetensors","b":"model-00002-of-00002.safetensors"}})");
        idx.close();
        SafetensorsCheckpoint bad;
        QVERIFY_THROWS_EXCEPTION(Error, bad.openFolder(dir.path()));
        // A folder with neither file says so.
        QTemporaryDir empty;
        SafetensorsCheckpoint none;
        try {
            none.openFolder(empty.path());
            QFAIL("accepted an empty folder");
        } catch (const Error &e) {
            QVERIFY(e.message().contains(QStringLiteral("neither model.safetensors")));
        }
    }
};

QTEST_GUILESS_MAIN(TestSafetensorsReader)
#include "tst_safetensorsreader.moc"
