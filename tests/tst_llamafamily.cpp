#include "TestUtil.h"

#include "model/GgufToHf.h"
#include "model/ModelFamily.h"
#include "model/PluginHost.h"
#include "tensor/GgufReader.h"
#include "tensor/SafetensorsReader.h"
#include "tokenize/SentencePieceTokenizer.h"
#include "util/Error.h"

#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QtTest>

using namespace strata;

// Llama-style models: the real stories260K GGUF (golden greedy text from llama2.c's test suite),
// the same model converted to Hugging Face layout, and a Qwen2-style model with Q/K/V biases and
// grouped-query attention checked against an independent PyTorch implementation.
class TestLlamaFamily : public QObject
{
    Q_OBJECT
    PluginHost m_host;

    static QString stories() { return testutil::sharedPath(QStringLiteral("models/stories260K/stories260K.gguf")); }
    static QString goldenText()
    {
        QFile f(testutil::sharedPath(QStringLiteral("models/stories260K/README.md")));
        if (!f.open(QIODevice::ReadOnly))
            return QString();
        const QRegularExpression fence(QStringLiteral("```\\n(.*?)\\n```"), QRegularExpression::DotMatchesEverythingOption);
        return fence.match(QString::fromUtf8(f.readAll())).captured(1);
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_host.loadFrom({QStringLiteral(STRATA_PLUGIN_BUILD_DIR)});
        QVERIFY(m_host.family(QStringLiteral("llama")));
    }

    void cliGeneratesTheGoldenText()
    {
        const QString golden = goldenText();
        QVERIFY(golden.startsWith(QStringLiteral("Once upon a time")));
        QProcess p;
        p.start(QStringLiteral(STRATA_CLI), {QStringLiteral("generate"), QStringLiteral("--model"), stories(), QStringLiteral("--prompt"), QString(),
                                             QStringLiteral("--max-new-tokens"), QStringLiteral("200")});
        QVERIFY(p.waitForFinished(120000));
        QCOMPARE(p.exitCode(), 0);
        QString out = QString::fromUtf8(p.readAllStandardOutput());
        QVERIFY(out.endsWith(QLatin1Char('\n')));
        out.chop(1);
        QCOMPARE(out, golden);
    }

    void modelCardAndGqa()
    {
        auto m = m_host.load(stories());
        const ModelInfo &i = m->info();
        QCOMPARE(i.family, QStringLiteral("llama"));
        QCOMPARE(i.nLayers, 5);
        QCOMPARE(i.nHeads, 8);
        QCOMPARE(i.nKvHeads, 4);
        QCOMPARE(i.headDim, 8);
        QCOMPARE(i.vocabSize, int64_t(512));
        const TracePtr t = m->trace(QStringLiteral("Once upon a time"));
        QCOMPARE(t->tokens.front().id, int64_t(1)); // BOS first
        QCOMPARE(t->kvHeadOfQueryHead, (std::vector<int>{0, 0, 1, 1, 2, 2, 3, 3}));
        QCOMPARE(t->layers.front().attn.shape(), (std::vector<int64_t>{8, t->tokenCount(), t->tokenCount()}));
    }

    void convertedHfFolderGivesTheSameTrace()
    {
        QTemporaryDir dir;
        convertGgufToHf(stories(), dir.path());
        auto gguf = m_host.load(stories());
        auto hf = m_host.load(dir.path());
        QCOMPARE(hf->info().family, QStringLiteral("llama"));
        const QString prompt = QStringLiteral("Lily and Ben went to the park. They saw a big dog.");
        const TracePtr a = gguf->trace(prompt);
        const TracePtr b = hf->trace(prompt);
        QCOMPARE(a->tokenIds(), b->tokenIds()); // tokenizer.json with derived merges tokenises alike
        QCOMPARE(a->layers.size(), b->layers.size());
        // Every captured activation within 1e-5 (they are of order 1).
        for (size_t l = 0; l < a->layers.size(); ++l) {
            const LayerTrace &x = a->layers[l], &y = b->layers[l];
            for (auto [p, q] : {std::pair{&x.attn, &y.attn},
                                {&x.residPre, &y.residPre},
                                {&x.residMid, &y.residMid},
                                {&x.residPost, &y.residPost},
                                {&x.attnOut, &y.attnOut},
                                {&x.mlpOut, &y.mlpOut}})
                QVERIFY(testutil::maxAbsDiff(p->toFloatVector(), q->toFloatVector()) <= 1e-5);
        }
        const std::vector<float> la = a->logits.toFloatVector();
        const double diff = testutil::maxAbsDiff(la, b->logits.toFloatVector());
        double scale = 0;
        for (float v : la)
            scale = std::max(scale, double(std::abs(v)));
        // Logits reach |17.7| here; the rotate-half path sums Q.K in another order, which costs a few
        // float32 ulps (measured 1.05e-5 absolute, 6e-7 relative). Bound them relative to their scale.
        qInfo("logits: max |diff| %.3g, max |logit| %.3g", diff, scale);
        QVERIFY2(diff <= 1e-6 * std::max(1.0, scale), qPrintable(QStringLiteral("max |diff| %1 at scale %2").arg(diff).arg(scale)));
    }

    void tokenizersAgreeOnRealText()
    {
        QTemporaryDir dir;
        convertGgufToHf(stories(), dir.path());
        GgufReader g;
        g.open(stories());
        SentencePieceTokenizer byScore, byRank;
        byScore.loadFromGguf(g);
        byRank.loadFromTokenizerJson(QDir(dir.path()).filePath(QStringLiteral("tokenizer.json")));
        QFile corpus(testutil::sharedPath(QStringLiteral("corpora/en/austen.txt")));
        QVERIFY(corpus.open(QIODevice::ReadOnly));
        int lines = 0;
        while (!corpus.atEnd() && lines < 400) {
            const QString line = QString::fromUtf8(corpus.readLine()).trimmed();
            if (line.isEmpty())
                continue;
            ++lines;
            const std::vector<int64_t> ids = byScore.encodeIds(line);
            QCOMPARE(byRank.encodeIds(line), ids);
            QCOMPARE(byScore.decode(ids), line); // lossless, byte fallback included
        }
        // Characters outside the 512-token vocabulary fall back to their UTF-8 bytes.
        const auto pieces = byScore.encode(QStringLiteral("猫"));
        QCOMPARE(pieces.size(), size_t(4)); // "▁" + three bytes
        QCOMPARE(byScore.decode(byScore.encodeIds(QStringLiteral("猫 and 犬"))), QStringLiteral("猫 and 犬"));
        // Offsets cover the prompt's bytes.
        const QString text = QStringLiteral("A cat, 猫!");
        int end = 0;
        for (const TokenPiece &p : byScore.encode(text)) {
            QVERIFY(p.byteBegin == end || p.byteBegin == p.byteEnd);
            end = std::max(end, p.byteEnd);
        }
        QCOMPARE(end, int(text.toUtf8().size()));
    }

    // Strata's SentencePiece tokenizer against llama.cpp's on the same vocabulary (20 tricky strings,
    // ../shared/fixtures/spm-tokenizer, ids without BOS).
    void sentencePieceMatchesLlamaCpp_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QList<qint64>>("ids");
        QFile f(testutil::sharedPath(QStringLiteral("fixtures/spm-tokenizer/stories260K-cases.json")));
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QJsonArray cases = QJsonDocument::fromJson(f.readAll()).array();
        QCOMPARE(cases.size(), 20);
        int n = 0;
        for (const QJsonValue &c : cases) {
            QList<qint64> ids;
            for (const QJsonValue &v : c[QStringLiteral("ids")].toArray())
                ids << v.toInteger();
            QTest::newRow(qPrintable(QStringLiteral("case %1").arg(n++))) << c[QStringLiteral("text")].toString() << ids;
        }
    }

    void sentencePieceMatchesLlamaCpp()
    {
        QFETCH(QString, text);
        QFETCH(QList<qint64>, ids);
        auto m = m_host.load(testutil::sharedPath(QStringLiteral("models/stories260K/stories260K.gguf")));
        QList<qint64> got;
        for (const TokenPiece &p : m->tokenizer().encode(text, false))
            got << p.id;
        QCOMPARE(got, ids);
    }

    void qwen2BiasesAndGqaMatchReference()
    {
        const QString dir = QStringLiteral(STRATA_TEST_DATA_DIR "/qwen2-tiny");
        auto m = m_host.load(dir);
        QCOMPARE(m->info().nKvHeads, 2);
        SafetensorsReader exp;
        exp.open(QDir(dir).filePath(QStringLiteral("expected.safetensors")));
        const TracePtr t = m->run(exp.tensor(QStringLiteral("input_ids")).toInt64Vector(), TraceOptions{}, nullptr);
        QCOMPARE(int(t->layers.size()), testutil::referenceLayers(exp));
        QVERIFY(testutil::referenceLayers(exp) > 0);
        for (const LayerTrace &l : t->layers) {
            QVERIFY(testutil::tensorDiff(l.attn, exp, QStringLiteral("attn.%1").arg(l.layer)) <= 1e-4);
            QVERIFY(testutil::tensorDiff(l.residPost, exp, QStringLiteral("resid_post.%1").arg(l.layer)) <= 1e-4);
        }
        const double d = testutil::tensorDiff(t->logits, exp, QStringLiteral("logits"));
        QVERIFY2(d >= 0 && d <= 1e-4, qPrintable(QString::number(d)));
    }

    void mistralSlidingWindowAndGqaMatchReference()
    {
        const QString dir = QStringLiteral(STRATA_TEST_DATA_DIR "/mistral-tiny");
        auto m = m_host.load(dir);
        QCOMPARE(m->info().nKvHeads, 1);
        QCOMPARE(m->info().slidingWindow, 6); // shorter than the 19-token input: the window matters
        SafetensorsReader exp;
        exp.open(QDir(dir).filePath(QStringLiteral("expected.safetensors")));
        const TracePtr t = m->run(exp.tensor(QStringLiteral("input_ids")).toInt64Vector(), TraceOptions{}, nullptr);
        QCOMPARE(int(t->layers.size()), testutil::referenceLayers(exp));
        QVERIFY(testutil::referenceLayers(exp) > 0);
        for (const LayerTrace &l : t->layers) {
            QVERIFY(testutil::tensorDiff(l.attn, exp, QStringLiteral("attn.%1").arg(l.layer)) <= 1e-4);
            QVERIFY(testutil::tensorDiff(l.residPost, exp, QStringLiteral("resid_post.%1").arg(l.layer)) <= 1e-4);
        }
        const double d = testutil::tensorDiff(t->logits, exp, QStringLiteral("logits"));
        QVERIFY2(d >= 0 && d <= 1e-4, qPrintable(QString::number(d)));
    }

    void badGgufFilesGiveClearErrors()
    {
        QTemporaryDir dir;
        QFile src(stories());
        QVERIFY(src.open(QIODevice::ReadOnly));
        const QByteArray all = src.readAll();
        const QString truncated = dir.filePath(QStringLiteral("truncated.gguf"));
        QFile out(truncated);
        QVERIFY(out.open(QIODevice::WriteOnly));
        out.write(all.left(all.size() / 3));
        out.close();
        try {
            m_host.load(truncated);
            QFAIL("a truncated GGUF loaded");
        } catch (const Error &e) {
            QVERIFY2(e.message().contains(QStringLiteral("truncated.gguf")) && e.message().contains(QStringLiteral("past the end")), qPrintable(e.message()));
        }
    }
};

QTEST_GUILESS_MAIN(TestLlamaFamily)
#include "tst_llamafamily.moc"
