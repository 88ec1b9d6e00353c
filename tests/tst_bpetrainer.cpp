#include "tokenize/BpeTrainer.h"
#include "tokenize/ByteLevelBpeTokenizer.h"

#include <QTemporaryDir>
#include <QtTest>

using namespace strata;

class TestBpeTrainer : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void learnsTheMostFrequentPairsFirst()
    {
        // Pair counts: ('t','h') and ('h','e') 6 each (one "the" + five " the"), (' ','t') 5. The tie goes
        // to the smaller pair ('h'=104 < 't'=116), then "t"+"he", then " "+"the".
        BpeTrainer t;
        t.addText(QStringLiteral("the the the the cat sat the the"));
        const BpeTrainer::Result r = t.train(256 + 3);
        QCOMPARE(int(r.tokens.size()), 259);
        QCOMPARE(r.merges.size(), size_t(3));
        QCOMPARE(r.merges[0], (std::pair<QByteArray, QByteArray>{"h", "e"}));
        QCOMPARE(r.merges[1], (std::pair<QByteArray, QByteArray>{"t", "he"}));
        QCOMPARE(r.merges[2], (std::pair<QByteArray, QByteArray>{" ", "the"}));
        QCOMPARE(r.tokens[258], QByteArray(" the"));
    }

    void isDeterministicAndRoundTrips()
    {
        const QString text =
            QStringLiteral("It is a truth universally acknowledged, that a single man in possession of a good fortune, must be in want of a wife. "
                           "However little known the feelings or views of such a man may be on his first entering a neighbourhood.");
        BpeTrainer a, b;
        a.addText(text);
        b.addText(text);
        const auto ra = a.train(320), rb = b.train(320);
        QCOMPARE(ra.merges, rb.merges);
        QTemporaryDir dir;
        BpeTrainer::save(ra, dir.path());
        ByteLevelBpeTokenizer tok;
        tok.loadVocabAndMerges(dir.filePath(QStringLiteral("vocab.json")), dir.filePath(QStringLiteral("merges.txt")));
        QCOMPARE(tok.vocabSize(), int64_t(ra.tokens.size() + 1)); // + <|endoftext|>
        QCOMPARE(tok.eosId(), int64_t(ra.tokens.size()));
        // Byte-level: any text encodes and decodes exactly, Chinese included.
        for (const QString &s : {text, QStringLiteral("信息论 and 注意力头 🙂"), QStringLiteral("  spaces\n\ttabs")})
            QCOMPARE(tok.decode(tok.encodeIds(s)), s);
        // Learned merges shorten the text it was learned from.
        QVERIFY(tok.encodeIds(text).size() < size_t(text.toUtf8().size()) * 2 / 3);
    }
};

QTEST_GUILESS_MAIN(TestBpeTrainer)
#include "tst_bpetrainer.moc"
