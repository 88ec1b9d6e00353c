#include "TestUtil.h"

#include "tokenize/ByteLevelBpeTokenizer.h"
#include "util/Error.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

using namespace strata;

class TestByteLevelBpe : public QObject
{
    Q_OBJECT
    ByteLevelBpeTokenizer m_tok;

    static QJsonArray cases()
    {
        QFile f(testutil::sharedPath(QStringLiteral("fixtures/gpt2-tokenizer-cases.json")));
        if (!f.open(QIODevice::ReadOnly))
            qFatal("cannot read the tokenizer cases in ../shared");
        return QJsonDocument::fromJson(f.readAll()).array();
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_tok.loadVocabAndMerges(testutil::sharedPath(QStringLiteral("tokenizers/gpt2/encoder.json")),
                                 testutil::sharedPath(QStringLiteral("tokenizers/gpt2/vocab.bpe")));
        QCOMPARE(m_tok.vocabSize(), int64_t(50257));
        QCOMPARE(m_tok.eosId(), int64_t(50256));
    }

    // Every case computed by an independent GPT-2 tokenizer (npm gpt-3-encoder).
    void matchesReferenceCases_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QList<qint64>>("ids");
        const QJsonArray all = cases();
        QVERIFY(all.size() > 10);
        int i = 0;
        for (const QJsonValue &c : all) {
            QList<qint64> ids;
            for (const QJsonValue &v : c.toObject().value(QLatin1String("ids")).toArray())
                ids << v.toInteger();
            const QString text = c.toObject().value(QLatin1String("text")).toString();
            QTest::addRow("%d: %s", i++, qPrintable(text.left(30))) << text << ids;
        }
    }
    void matchesReferenceCases()
    {
        QFETCH(QString, text);
        QFETCH(QList<qint64>, ids);
        const std::vector<int64_t> got = m_tok.encodeIds(text, false);
        QCOMPARE(QList<qint64>(got.begin(), got.end()), ids);
        QCOMPARE(m_tok.decode(got), text); // byte-level BPE is lossless
    }

    void offsetsCoverThePromptBytes()
    {
        const QString text = QStringLiteral("Hello, 世界! don't");
        const QByteArray utf8 = text.toUtf8();
        const auto pieces = m_tok.encode(text);
        int pos = 0;
        QByteArray joined;
        for (const TokenPiece &p : pieces) {
            QCOMPARE(p.byteBegin, pos);
            QCOMPARE(m_tok.tokenBytes(p.id), utf8.mid(p.byteBegin, p.byteEnd - p.byteBegin));
            pos = p.byteEnd;
        }
        QCOMPARE(pos, int(utf8.size()));
    }

    void specialTokensAreOptional()
    {
        const QString text = QStringLiteral("a<|endoftext|>b");
        const std::vector<int64_t> asText = m_tok.encodeIds(text, false);
        const std::vector<int64_t> parsed = m_tok.encodeIds(text, true);
        QVERIFY(std::find(asText.begin(), asText.end(), 50256) == asText.end());
        QCOMPARE(parsed.size(), size_t(3));
        QCOMPARE(parsed[1], int64_t(50256));
        QVERIFY(m_tok.isSpecial(50256));
    }

    void displayStrings()
    {
        QCOMPARE(m_tok.displayString(m_tok.encodeIds(QStringLiteral(" world"))[0]), QStringLiteral("\u2423world"));
        QCOMPARE(m_tok.displayString(198), QStringLiteral("\u21B5")); // "\n"
        // A token holding part of a UTF-8 character is shown as bytes.
        const auto ids = m_tok.encodeIds(QStringLiteral("你"));
        QVERIFY(ids.size() >= 2);
        QVERIFY(m_tok.displayString(ids[0]).startsWith(QStringLiteral("<0x")));
    }

    void tokenizerJsonGivesTheSameIds()
    {
        // Build a Hugging Face tokenizer.json from the same vocabulary and merges.
        QFile vf(testutil::sharedPath(QStringLiteral("tokenizers/gpt2/encoder.json")));
        QFile mf(testutil::sharedPath(QStringLiteral("tokenizers/gpt2/vocab.bpe")));
        QVERIFY(vf.open(QIODevice::ReadOnly) && mf.open(QIODevice::ReadOnly));
        QJsonArray merges;
        for (const QByteArray &line : mf.readAll().split('\n'))
            if (!line.isEmpty() && !line.startsWith("#version"))
                merges.append(QString::fromUtf8(line));
        QJsonObject vocab = QJsonDocument::fromJson(vf.readAll()).object();
        vocab.remove(QStringLiteral("<|endoftext|>"));
        const QJsonObject root{
            {QStringLiteral("model"),
             QJsonObject{{QStringLiteral("type"), QStringLiteral("BPE")}, {QStringLiteral("vocab"), vocab}, {QStringLiteral("merges"), merges}}},
            {QStringLiteral("added_tokens"),
             QJsonArray{
                 QJsonObject{{QStringLiteral("id"), 50256}, {QStringLiteral("content"), QStringLiteral("<|endoftext|>")}, {QStringLiteral("special"), true}}}}};
        QTemporaryDir dir;
        QFile out(dir.filePath(QStringLiteral("tokenizer.json")));
        QVERIFY(out.open(QIODevice::WriteOnly));
        out.write(QJsonDocument(root).toJson(QJsonDocument::Compact));
        out.close();
        ByteLevelBpeTokenizer fromJson;
        fromJson.loadTokenizerJson(out.fileName());
        for (const QJsonValue &c : cases()) {
            const QString text = c.toObject().value(QLatin1String("text")).toString();
            QCOMPARE(fromJson.encodeIds(text), m_tok.encodeIds(text));
        }
        QCOMPARE(fromJson.encodeIds(QStringLiteral("x<|endoftext|>"), true).back(), int64_t(50256));
    }

    void splitPatternFromTokenizerJson()
    {
        // A Llama-3-style pre-tokenizer: numbers split into groups of at most three digits.
        QJsonObject vocab;
        for (int b = 0; b < 256; ++b)
            vocab.insert(ByteLevelBpeTokenizer::bytesToSymbols(QByteArray(1, char(b))), b);
        const QString llama3 = QStringLiteral(
            "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+");
        const QJsonObject root{
            {QStringLiteral("model"),
             QJsonObject{{QStringLiteral("type"), QStringLiteral("BPE")}, {QStringLiteral("vocab"), vocab}, {QStringLiteral("merges"), QJsonArray{}}}},
            {QStringLiteral("pre_tokenizer"),
             QJsonObject{{QStringLiteral("type"), QStringLiteral("Sequence")},
                         {QStringLiteral("pretokenizers"), QJsonArray{QJsonObject{{QStringLiteral("type"), QStringLiteral("Split")},
                                                                                  {QStringLiteral("pattern"), QJsonObject{{QStringLiteral("Regex"), llama3}}}},
                                                                      QJsonObject{{QStringLiteral("type"), QStringLiteral("ByteLevel")}}}}}}};
        QTemporaryDir dir;
        QFile out(dir.filePath(QStringLiteral("tokenizer.json")));
        QVERIFY(out.open(QIODevice::WriteOnly));
        out.write(QJsonDocument(root).toJson());
        out.close();
        ByteLevelBpeTokenizer t;
        t.loadTokenizerJson(out.fileName());
        // With no merges every byte is a token, so piece boundaries are exactly the pattern's matches.
        QStringList pieces;
        auto it = t.pattern().globalMatch(QStringLiteral("year 12345 IT'S"));
        while (it.hasNext())
            pieces << it.next().captured();
        QCOMPARE(pieces, (QStringList{QStringLiteral("year"), QStringLiteral(" "), QStringLiteral("123"), QStringLiteral("45"), QStringLiteral(" IT"),
                                      QStringLiteral("'S")}));
        QCOMPARE(t.decode(t.encodeIds(QStringLiteral("year 12345 IT'S"))), QStringLiteral("year 12345 IT'S"));
    }

    void badFilesGiveClearErrors()
    {
        QTemporaryDir dir;
        QFile bad(dir.filePath(QStringLiteral("vocab.json")));
        bad.open(QIODevice::WriteOnly);
        bad.write("{\"a\": 0}");
        bad.close();
        QFile merges(dir.filePath(QStringLiteral("merges.txt")));
        merges.open(QIODevice::WriteOnly);
        merges.close();
        ByteLevelBpeTokenizer t;
        try {
            t.loadVocabAndMerges(bad.fileName(), merges.fileName());
            QFAIL("accepted a vocabulary without byte tokens");
        } catch (const Error &e) {
            QVERIFY2(e.message().contains(QStringLiteral("not a byte-level BPE vocabulary")), qPrintable(e.message()));
        }
        QVERIFY_THROWS_EXCEPTION(Error, t.loadVocabAndMerges(dir.filePath(QStringLiteral("missing.json")), merges.fileName()));
    }
};

QTEST_GUILESS_MAIN(TestByteLevelBpe)
#include "tst_bytelevelbpe.moc"
