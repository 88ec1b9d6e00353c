#include "TestUtil.h"

#include "analysis/ConllU.h"
#include "analysis/SyntacticHeads.h"
#include "model/ModelFamily.h"
#include "model/PluginHost.h"

#include <QtTest>

using namespace strata;

class TestSyntacticHeads : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void parsesConllU()
    {
        const QString text = QStringLiteral("# sent_id = a\n# text = I don't know.\n"
                                            "1\tI\tI\tPRON\tPRP\t_\t4\tnsubj\t_\t_\n"
                                            "2-3\tdon't\t_\t_\t_\t_\t_\t_\t_\t_\n"
                                            "2\tdo\tdo\tAUX\tVBP\t_\t4\taux\t_\t_\n"
                                            "3\tn't\tnot\tPART\tRB\t_\t4\tadvmod\t_\t_\n"
                                            "4\tknow\tknow\tVERB\tVB\t_\t0\troot\t_\tSpaceAfter=No\n"
                                            "5\t.\t.\tPUNCT\t.\t_\t4\tpunct\t_\t_\n"
                                            "\n"
                                            "# sent_id = b\n"
                                            "1\tDogs\tdog\tNOUN\tNNS\t_\t2\tnsubj:pass\t_\t_\n"
                                            "2\tbark\tbark\tVERB\tVBP\t_\t0\troot\t_\t_\n"
                                            "\n"
                                            "# sent_id = c\n"
                                            "1\tBroken\tbroken\tADJ\tJJ\t_\t0\troot\t_\n" // 9 fields
                                            "\n");
        const ConllFile f = ConllU::parse(text, QStringLiteral("t.conllu"));
        QCOMPARE(int(f.sentences.size()), 2);
        QCOMPARE(f.problems.size(), 1);
        QVERIFY2(f.problems[0].startsWith(QStringLiteral("t.conllu:15:")), qPrintable(f.problems[0]));
        const ConllSentence &a = f.sentences[0];
        QCOMPARE(a.text, QStringLiteral("I don't know."));
        QCOMPARE(int(a.words.size()), 5); // the multi-word token line is skipped
        QCOMPARE(a.words[2].form, QStringLiteral("n't"));
        QCOMPARE(a.words[2].head, 4);
        QCOMPARE(a.words[3].deprel, QStringLiteral("root"));
        QCOMPARE(a.words[2].byteBegin, 4); // "do" at 2..4, "n't" at 4..7
        QCOMPARE(a.words[4].byteBegin, 12);
        const ConllSentence &b = f.sentences[1];
        QCOMPARE(b.text, QStringLiteral("Dogs bark"));        // rebuilt from the forms
        QCOMPARE(b.words[0].deprel, QStringLiteral("nsubj")); // subtype dropped
    }

    void alignsSubwordsToWords()
    {
        PluginHost host;
        host.loadFrom({QStringLiteral(STRATA_PLUGIN_BUILD_DIR)});
        auto m = host.load(testutil::gpt2TinyDir());
        const ConllFile f = ConllU::parse(QStringLiteral("# text = Unbelievably, the hippopotamus slept.\n"
                                                         "1\tUnbelievably\t_\tADV\t_\t_\t5\tadvmod\t_\tSpaceAfter=No\n"
                                                         "2\t,\t_\tPUNCT\t_\t_\t5\tpunct\t_\t_\n"
                                                         "3\tthe\t_\tDET\t_\t_\t4\tdet\t_\t_\n"
                                                         "4\thippopotamus\t_\tNOUN\t_\t_\t5\tnsubj\t_\t_\n"
                                                         "5\tslept\t_\tVERB\t_\t_\t0\troot\t_\tSpaceAfter=No\n"
                                                         "6\t.\t_\tPUNCT\t_\t_\t5\tpunct\t_\t_\n\n"),
                                          QStringLiteral("x"));
        QCOMPARE(int(f.sentences.size()), 1);
        const ConllSentence &s = f.sentences[0];
        const TracePtr t = m->trace(s.text);
        const std::vector<int> tw = SyntacticHeads::alignTokensToWords(*t, s);
        QCOMPARE(int(tw.size()), t->tokenCount());
        // Each token's text lies inside its word (plus the leading space GPT-2 attaches).
        std::vector<int> pieces(6, 0);
        for (int i = 0; i < t->tokenCount(); ++i) {
            QVERIFY(tw[size_t(i)] >= 0);
            ++pieces[size_t(tw[size_t(i)])];
            const QString tokText = QString::fromUtf8(m->tokenizer().tokenBytes(t->tokens[size_t(i)].id)).trimmed();
            QVERIFY2(s.words[size_t(tw[size_t(i)])].form.contains(tokText), qPrintable(tokText));
        }
        QVERIFY(pieces[0] >= 2); // "Unbelievably" and "hippopotamus" are several BPE pieces
        QVERIFY(pieces[3] >= 2);
        for (int w = 0; w < 6; ++w)
            QVERIFY(pieces[size_t(w)] >= 1);
        // Tokens are in word order.
        for (size_t i = 1; i < tw.size(); ++i)
            QVERIFY(tw[i] >= tw[i - 1]);
    }

    void wordAttentionByHand()
    {
        // 4 tokens -> words {0, 1, 1, 2}. Token attention rows (causal):
        const std::vector<float> A{1, 0, 0, 0, 0.5f, 0.5f, 0, 0, 0.2f, 0.3f, 0.5f, 0, 0.1f, 0.2f, 0.3f, 0.4f};
        const auto W = SyntacticHeads::wordAttention(A, 4, {0, 1, 1, 2}, 3);
        // Word 1 = mean of token rows 1 and 2; to word 1 = sum of columns 1 and 2.
        QVERIFY(std::abs(W[1 * 3 + 0] - (0.5 + 0.2) / 2) < 1e-6);       // float inputs
        QVERIFY(std::abs(W[1 * 3 + 1] - (0.5 + 0.3 + 0.5) / 2) < 1e-6); // float inputs
        QVERIFY(std::abs(W[2 * 3 + 1] - 0.5) < 1e-6);                   // float inputs
        QVERIFY(std::abs(W[2 * 3 + 2] - 0.4) < 1e-6);                   // float inputs
    }

    void realTreebank()
    {
        PluginHost host;
        host.loadFrom({QStringLiteral(STRATA_PLUGIN_BUILD_DIR)});
        auto m = host.load(testutil::sharedPath(QStringLiteral("models/stories260K/stories260K.gguf")));
        const ConllFile f = ConllU::load(testutil::sharedPath(QStringLiteral("probing/ud-en-ewt/en_ewt-ud-dev.conllu")), 120);
        QCOMPARE(int(f.sentences.size()), 120);
        const SyntacticHeadsResult r = SyntacticHeads::evaluate(*m, f.sentences, 20);
        QVERIFY(r.sentences > 100);
        bool hasDet = false;
        for (const SyntaxScore &s : r.relations) {
            QVERIFY(s.bestAccuracy >= 0 && s.bestAccuracy <= 1);
            QVERIFY(s.bestLayer >= 0 && s.bestLayer < 5);
            if (s.relation == QLatin1String("det")) {
                hasDet = true;
                // English determiners mostly sit right before their noun: the offset-1 baseline is strong.
                QCOMPARE(s.baselineOffset, 1);
                QVERIFY(s.baselineAccuracy > 0.5);
            }
        }
        QVERIFY(hasDet);
    }
};

QTEST_GUILESS_MAIN(TestSyntacticHeads)
#include "tst_syntacticheads.moc"
