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

    void arcsScoredByHand()
    {
        // "the dog saw a cat": det(the <- dog), nsubj(dog <- saw), det(a <- cat), obj(saw <- cat), root.
        const ConllFile f = ConllU::parse(QStringLiteral("# text = the dog saw a cat\n"
                                                         "1\tthe\tthe\tDET\tDT\t_\t2\tdet\t_\t_\n"
                                                         "2\tdog\tdog\tNOUN\tNN\t_\t3\tnsubj\t_\t_\n"
                                                         "3\tsaw\tsee\tVERB\tVBD\t_\t0\troot\t_\t_\n"
                                                         "4\ta\ta\tDET\tDT\t_\t5\tdet\t_\t_\n"
                                                         "5\tcat\tcat\tNOUN\tNN\t_\t3\tobj\t_\t_\n\n"),
                                          QStringLiteral("t.conllu"));
        QCOMPARE(int(f.sentences.size()), 1);
        // One token per word; layer 0's head looks at the previous word, layer 1's at the first word.
        auto t = std::make_shared<Trace>();
        const int T = 5;
        const int bytes[T][2] = {{0, 3}, {4, 7}, {8, 11}, {12, 13}, {14, 17}};
        for (int i = 0; i < T; ++i)
            t->tokens.push_back(TokenPiece{i, bytes[i][0], bytes[i][1]});
        std::vector<float> prev(size_t(T) * T, 0.f), first(size_t(T) * T, 0.f);
        for (int q = 0; q < T; ++q) {
            prev[size_t(q) * T + size_t(std::max(0, q - 1))] = 1.f;
            first[size_t(q) * T] = 1.f;
        }
        for (int l = 0; l < 2; ++l) {
            LayerTrace lt;
            lt.layer = l;
            lt.attn = HostTensor::fromFloats({1, T, T}, (l == 0 ? prev : first).data());
            t->layers.push_back(lt);
        }
        const SyntacticHeadsResult r = SyntacticHeads::evaluateTraces({t}, f.sentences, 2, 1, 1);
        QCOMPARE(r.sentences, 1);
        auto find = [&](const char *rel) {
            for (const SyntaxScore &s : r.relations)
                if (s.relation == QLatin1String(rel))
                    return s;
            return SyntaxScore{};
        };
        // det: both arcs one word back; the previous-word head gets both, the first-word head only "the".
        const SyntaxScore det = find("det");
        QCOMPARE(det.arcs, 2);
        QCOMPARE(r.accuracy.value(QStringLiteral("det")), (std::vector<double>{1.0, 0.5}));
        QCOMPARE(det.bestLayer, 0);
        QCOMPARE(det.bestHead, 0);
        QCOMPARE(det.bestAccuracy, 1.0);
        QCOMPARE(det.baselineOffset, 1);
        QCOMPARE(det.baselineAccuracy, 1.0);
        // nsubj: saw -> dog, one back: only the previous-word head.
        QCOMPARE(r.accuracy.value(QStringLiteral("nsubj")), (std::vector<double>{1.0, 0.0}));
        // obj: cat -> saw, two back: neither head; the offset-2 baseline gets it.
        const SyntaxScore obj = find("obj");
        QCOMPARE(r.accuracy.value(QStringLiteral("obj")), (std::vector<double>{0.0, 0.0}));
        QCOMPARE(obj.bestLayer, -1);
        QCOMPARE(obj.baselineOffset, 2);
        QCOMPARE(obj.baselineAccuracy, 1.0);
        QVERIFY(!r.accuracy.contains(QStringLiteral("root"))); // no arc to score
    }

    // Each head's syntactic score is its best margin over the offset baseline, across relations.
    void applyToScores()
    {
        SyntacticHeadsResult r;
        r.layers = 1;
        r.heads = 2;
        SyntaxScore nsubj, det;
        nsubj.relation = QStringLiteral("nsubj");
        nsubj.baselineAccuracy = 0.3;
        det.relation = QStringLiteral("det");
        det.baselineAccuracy = 0.6;
        r.relations = {nsubj, det};
        r.accuracy.insert(QStringLiteral("nsubj"), {0.5, 0.2});
        r.accuracy.insert(QStringLiteral("det"), {0.9, 0.1});
        std::vector<HeadScores> scores(2);
        scores[1].head = 1;
        SyntacticHeads::applyTo(r, scores);
        QVERIFY(std::abs(scores[0].syntactic - 0.3) < 1e-12); // det: 0.9 - 0.6 beats nsubj's 0.2
        QCOMPARE(scores[0].syntacticRelation, QStringLiteral("det"));
        QVERIFY(std::abs(scores[1].syntactic - (-0.1)) < 1e-12); // nsubj: 0.2 - 0.3 beats det's -0.5
        QCOMPARE(scores[1].syntacticRelation, QStringLiteral("nsubj"));
        QVERIFY(HeadMetrics::roles(scores[0]).contains(QStringLiteral("syntactic")));
        QVERIFY(!HeadMetrics::roles(scores[1]).contains(QStringLiteral("syntactic")));
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
