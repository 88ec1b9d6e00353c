#include "TestUtil.h"

#include "tensor/SafetensorsReader.h"

#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

using namespace strata;

// strata-cli's documented contract, exercised as other tools use it: through the process.
class TestCli : public QObject
{
    Q_OBJECT

    struct Result
    {
        int code;
        QByteArray out;
        QByteArray err;
    };
    static Result cli(const QStringList &args)
    {
        QProcess p;
        p.start(QStringLiteral(STRATA_CLI), args);
        if (!p.waitForFinished(120000))
            qFatal("strata-cli timed out");
        return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, p.readAllStandardOutput(), p.readAllStandardError()};
    }
    static void expectFailure(const Result &r, const QString &fragment)
    {
        QVERIFY2(r.code > 0, "a bad input must exit non-zero (and not crash)");
        const QList<QByteArray> lines = r.err.trimmed().split('\n');
        QCOMPARE(lines.size(), 1);
        QVERIFY2(lines[0].startsWith("strata-cli: error: "), r.err.constData());
        QVERIFY2(QString::fromUtf8(r.err).contains(fragment), r.err.constData());
    }

private Q_SLOTS:
    // strata-cli report refuses what it cannot write, or a treebank that is missing, before it measures.
    void reportRefusesBadInputsFirst()
    {
        expectFailure(
            cli({QStringLiteral("report"), QStringLiteral("--model"), QStringLiteral("demo"), QStringLiteral("--out"), QStringLiteral("/tmp/r.docx")}),
            QStringLiteral(".pdf, .html or .json"));
        expectFailure(cli({QStringLiteral("report"), QStringLiteral("--model"), QStringLiteral("demo"), QStringLiteral("--out"),
                           QStringLiteral("/nonexistent-strata/r.pdf")}),
                      QStringLiteral("does not exist"));
        expectFailure(cli({QStringLiteral("report"), QStringLiteral("--model"), QStringLiteral("demo"), QStringLiteral("--conllu"),
                           QStringLiteral("/nonexistent-strata.conllu")}),
                      QStringLiteral("file not found"));
        QVERIFY(!QFileInfo::exists(QStringLiteral("/tmp/r.docx")));
    }

    void version()
    {
        const Result r = cli({QStringLiteral("--version")});
        QCOMPARE(r.code, 0);
        QVERIFY(r.out.contains("libtorch 1.13"));
        QVERIFY(r.out.contains("threads "));
    }

    void tokenize()
    {
        const Result r =
            cli({QStringLiteral("tokenize"), QStringLiteral("--model"), testutil::gpt2TinyDir(), QStringLiteral("--text"), QStringLiteral("Hello  world")});
        QCOMPARE(r.code, 0);
        const QJsonObject o = QJsonDocument::fromJson(r.out).object();
        QCOMPARE(o.value(QLatin1String("ids")).toArray(), (QJsonArray{15496, 220, 995})); // from the reference cases
        QCOMPARE(o.value(QLatin1String("tokens")).toArray(), (QJsonArray{QStringLiteral("Hello"), QStringLiteral(" "), QStringLiteral(" world")}));
    }

    void traceMatchesReference()
    {
        QTemporaryDir dir;
        const QString out = dir.filePath(QStringLiteral("t.safetensors"));
        const Result r = cli({QStringLiteral("trace"), QStringLiteral("--model"), testutil::gpt2TinyDir(), QStringLiteral("--prompt"),
                              QStringLiteral("When Mary and John went to the store, John gave a drink to"), QStringLiteral("--out"), out});
        QVERIFY2(r.code == 0, r.err.constData());
        SafetensorsReader got, want;
        got.open(out);
        want.open(QDir(testutil::gpt2TinyDir()).filePath(QStringLiteral("expected.safetensors")));
        QCOMPARE(got.tensor(QStringLiteral("input_ids")).toInt64Vector(), want.tensor(QStringLiteral("p1.input_ids")).toInt64Vector());
        QCOMPARE(got.info(QStringLiteral("input_ids")).dtype, DType::I64);
        for (const QString &n :
             {QStringLiteral("embed"), QStringLiteral("attn.0"), QStringLiteral("attn.2"), QStringLiteral("resid_post.1"), QStringLiteral("logits")})
            QVERIFY2(testutil::maxAbsDiff(got.floats(n), want.floats(QStringLiteral("p1.") + n)) <= 1e-5, qPrintable(n));
        for (int l = 0; l < 3; ++l)
            for (const char *k : {"resid_pre", "resid_mid", "attn_out", "mlp_out"}) {
                const QString n = QStringLiteral("%1.%2").arg(QLatin1String(k)).arg(l);
                QVERIFY2(got.contains(n), qPrintable(n));
                QCOMPARE(got.info(n).shape, (std::vector<int64_t>{14, 64}));
                QCOMPARE(got.info(n).dtype, DType::F32);
            }
    }

    void generatePrintsTheGreedyContinuation()
    {
        // The first new token must be the argmax of the reference logits at the last position.
        SafetensorsReader want;
        want.open(QDir(testutil::gpt2TinyDir()).filePath(QStringLiteral("expected.safetensors")));
        const auto logits = want.floats(QStringLiteral("p0.logits"));
        const auto best = std::max_element(logits.end() - 50257, logits.end()) - (logits.end() - 50257);
        const Result tok = cli({QStringLiteral("tokenize"), QStringLiteral("--model"), testutil::gpt2TinyDir(), QStringLiteral("--text"), QStringLiteral("x")});
        QCOMPARE(tok.code, 0);
        const Result r = cli({QStringLiteral("generate"), QStringLiteral("--model"), testutil::gpt2TinyDir(), QStringLiteral("--prompt"),
                              QStringLiteral("The bank on the river side was muddy after the rain."), QStringLiteral("--max-new-tokens"), QStringLiteral("3")});
        QVERIFY2(r.code == 0, r.err.constData());
        // Re-tokenising the printed continuation gives back the argmax token first.
        const Result back = cli(
            {QStringLiteral("tokenize"), QStringLiteral("--model"), testutil::gpt2TinyDir(), QStringLiteral("--text"), QString::fromUtf8(r.out.chopped(1))});
        const QJsonArray ids = QJsonDocument::fromJson(back.out).object().value(QLatin1String("ids")).toArray();
        QVERIFY(!ids.isEmpty());
        QCOMPARE(ids.at(0).toInteger(), qint64(best));
    }

    // strata-cli bench measures the lengths and capture storages asked for, in that order; the f16
    // trace is half the bytes of the f32 one (every captured tensor is stored in the type asked).
    void benchMeasuresWhatItIsAsked()
    {
        const Result r = cli({QStringLiteral("bench"), QStringLiteral("--model"), testutil::gpt2TinyDir(), QStringLiteral("--tokens"), QStringLiteral("8,16"),
                              QStringLiteral("--capture"), QStringLiteral("f16,f32"), QStringLiteral("--repeats"), QStringLiteral("1"),
                              QStringLiteral("--compute"), QStringLiteral("f32"), QStringLiteral("--json")});
        QCOMPARE(r.code, 0);
        const QJsonObject o = QJsonDocument::fromJson(r.out.mid(r.out.indexOf("\n{") + 1)).object();
        const QJsonArray rows = o.value(QStringLiteral("rows")).toArray();
        QCOMPARE(rows.size(), 4);
        const QStringList want = {QStringLiteral("8 full f16"), QStringLiteral("8 full f32"), QStringLiteral("16 full f16"), QStringLiteral("16 full f32")};
        for (int i = 0; i < 4; ++i) {
            const QJsonObject row = rows[i].toObject();
            QCOMPARE(QStringLiteral("%1 %2").arg(row.value(QStringLiteral("tokens")).toInt()).arg(row.value(QStringLiteral("capture")).toString()), want[i]);
            QCOMPARE(row.value(QStringLiteral("compute")).toString(), QStringLiteral("f32"));
            QVERIFY(row.value(QStringLiteral("ms")).toDouble() > 0);
        }
        for (int i = 0; i < 4; i += 2)
            QCOMPARE(rows[i + 1].toObject().value(QStringLiteral("trace_bytes")).toDouble(),
                     2 * rows[i].toObject().value(QStringLiteral("trace_bytes")).toDouble());
        QVERIFY(o.value(QStringLiteral("gemm_peak_bf16_gflops")).isNull()); // f32 only: not measured
        expectFailure(cli({QStringLiteral("bench"), QStringLiteral("--model"), testutil::gpt2TinyDir(), QStringLiteral("--capture"), QStringLiteral("f64")}),
                      QStringLiteral("--capture: 'f64'"));
        expectFailure(cli({QStringLiteral("bench"), QStringLiteral("--model"), testutil::gpt2TinyDir(), QStringLiteral("--tokens"), QStringLiteral("200"),
                           QStringLiteral("--compute"), QStringLiteral("f32")}),
                      QStringLiteral("outside 1..128"));
    }

    void badInputs()
    {
        QTemporaryDir dir;
        const QString out = dir.filePath(QStringLiteral("t.safetensors"));
        expectFailure(cli({QStringLiteral("trace"), QStringLiteral("--model"), QStringLiteral("/no/such/folder"), QStringLiteral("--prompt"),
                           QStringLiteral("x"), QStringLiteral("--out"), out}),
                      QStringLiteral("does not exist"));
        QString longPrompt;
        for (int i = 0; i < 300; ++i)
            longPrompt += QStringLiteral(" a");
        expectFailure(cli({QStringLiteral("trace"), QStringLiteral("--model"), testutil::gpt2TinyDir(), QStringLiteral("--prompt"), longPrompt,
                           QStringLiteral("--out"), out}),
                      QStringLiteral("takes at most 128"));
        expectFailure(cli({QStringLiteral("trace"), QStringLiteral("--model"), testutil::gpt2TinyDir(), QStringLiteral("--prompt"), QStringLiteral("x")}),
                      QStringLiteral("missing --out"));
        expectFailure(cli({QStringLiteral("trace"), QStringLiteral("--model"), testutil::gpt2TinyDir(), QStringLiteral("--prompt"), QStringLiteral("x"),
                           QStringLiteral("--out"), dir.filePath(QStringLiteral("missing/dir/t.safetensors"))}),
                      QStringLiteral("cannot write"));
        QVERIFY(!QFileInfo::exists(out));
        QVERIFY(QDir(dir.path()).entryList(QDir::Files | QDir::NoDotAndDotDot).isEmpty()); // no partial output

        // A truncated model file.
        QTemporaryDir broken;
        for (const char *f : {"config.json", "vocab.json", "merges.txt"})
            QFile::copy(QDir(testutil::gpt2TinyDir()).filePath(QString::fromLatin1(f)), broken.filePath(QString::fromLatin1(f)));
        QFile src(QDir(testutil::gpt2TinyDir()).filePath(QStringLiteral("model.safetensors")));
        QVERIFY(src.open(QIODevice::ReadOnly));
        QFile dst(broken.filePath(QStringLiteral("model.safetensors")));
        QVERIFY(dst.open(QIODevice::WriteOnly));
        dst.write(src.read(src.size() / 2));
        dst.close();
        expectFailure(cli({QStringLiteral("generate"), QStringLiteral("--model"), broken.path(), QStringLiteral("--prompt"), QStringLiteral("x")}),
                      QStringLiteral("model.safetensors"));
        expectFailure(
            cli({QStringLiteral("generate"), QStringLiteral("--model"), testutil::gpt2TinyDir(), QStringLiteral("--max-new-tokens"), QStringLiteral("-3")}),
            QStringLiteral("--max-new-tokens"));
        const Result unknown = cli({QStringLiteral("frobnicate")});
        QVERIFY(unknown.code != 0);
        QVERIFY(unknown.err.startsWith("strata-cli: error: unknown command"));
    }
};

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
