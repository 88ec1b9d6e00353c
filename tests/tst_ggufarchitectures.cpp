// GGUF files of the architectures the Llama plugin reads from Hugging Face folders (Qwen2's
// biases, GQA and rotate-half RoPE; the byte-level BPE tokenizer of Llama 3 / Qwen2 GGUFs), and
// the message for an architecture Strata does not know.
#include "GgufBuilder.h"
#include "TestUtil.h"

#include "model/PluginHost.h"
#include "tensor/GgufReader.h"
#include "tensor/SafetensorsReader.h"
#include "tokenize/ByteLevelBpeTokenizer.h"
#include "util/Error.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

#include <map>

using namespace strata;

namespace {

QString writeFile(const QTemporaryDir &dir, const QString &name, const QByteArray &bytes)
{
    const QString path = dir.filePath(name);
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly) || f.write(bytes) != bytes.size())
        qFatal("cannot write %s", qPrintable(path));
    return path;
}

// GPT-2's vocabulary in id order and its merges, as a GGUF stores them.
void readGpt2Tokenizer(QStringList *tokens, QStringList *merges)
{
    QFile ej(testutil::sharedPath(QStringLiteral("tokenizers/gpt2/encoder.json")));
    QVERIFY(ej.open(QIODevice::ReadOnly));
    const QJsonObject vocab = QJsonDocument::fromJson(ej.readAll()).object();
    *tokens = QStringList(vocab.size());
    for (auto it = vocab.begin(); it != vocab.end(); ++it)
        (*tokens)[it.value().toInt()] = it.key();
    QFile mf(testutil::sharedPath(QStringLiteral("tokenizers/gpt2/vocab.bpe")));
    QVERIFY(mf.open(QIODevice::ReadOnly));
    for (const QByteArray &line : mf.readAll().split('\n'))
        if (!line.isEmpty() && !line.startsWith("#version"))
            *merges << QString::fromUtf8(line);
}

} // namespace

class TestGgufArchitectures : public QObject
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

    // The Hugging Face Qwen2 test model written as llama.cpp's converter writes a qwen2 GGUF (tensor
    // names, keys, Q/K rows unpermuted, byte-level BPE tokenizer) traces as the reference says.
    void qwen2GgufMatchesReference()
    {
        const QString hf = QStringLiteral(STRATA_TEST_DATA_DIR "/qwen2-tiny");
        SafetensorsReader w;
        w.open(QDir(hf).filePath(QStringLiteral("model.safetensors")));
        QFile vj(QDir(hf).filePath(QStringLiteral("vocab.json")));
        QVERIFY(vj.open(QIODevice::ReadOnly));
        const QJsonObject vocab = QJsonDocument::fromJson(vj.readAll()).object();
        QStringList tokens(vocab.size());
        for (auto it = vocab.begin(); it != vocab.end(); ++it)
            tokens[it.value().toInt()] = it.key();
        QCOMPARE(tokens.size(), 256);
        while (tokens.size() < 300) // the model's 300 rows: padded as llama.cpp's converter pads
            tokens << QStringLiteral("[PAD%1]").arg(tokens.size());

        std::map<QString, QString> names{{QStringLiteral("model.embed_tokens.weight"), QStringLiteral("token_embd.weight")},
                                         {QStringLiteral("model.norm.weight"), QStringLiteral("output_norm.weight")},
                                         {QStringLiteral("lm_head.weight"), QStringLiteral("output.weight")}};
        const std::pair<const char *, const char *> per[] = {{"input_layernorm.weight", "attn_norm.weight"},
                                                             {"self_attn.q_proj.weight", "attn_q.weight"},
                                                             {"self_attn.q_proj.bias", "attn_q.bias"},
                                                             {"self_attn.k_proj.weight", "attn_k.weight"},
                                                             {"self_attn.k_proj.bias", "attn_k.bias"},
                                                             {"self_attn.v_proj.weight", "attn_v.weight"},
                                                             {"self_attn.v_proj.bias", "attn_v.bias"},
                                                             {"self_attn.o_proj.weight", "attn_output.weight"},
                                                             {"post_attention_layernorm.weight", "ffn_norm.weight"},
                                                             {"mlp.gate_proj.weight", "ffn_gate.weight"},
                                                             {"mlp.up_proj.weight", "ffn_up.weight"},
                                                             {"mlp.down_proj.weight", "ffn_down.weight"}};
        for (int l = 0; l < 2; ++l)
            for (const auto &[h, g] : per)
                names[QStringLiteral("model.layers.%1.%2").arg(l).arg(QLatin1String(h))] = QStringLiteral("blk.%1.%2").arg(l).arg(QLatin1String(g));
        QCOMPARE(int(names.size()), int(w.tensorNames().size()));

        GgufBuilder b;
        b.counts(uint64_t(names.size()), 14);
        b.kvString("general.architecture", "qwen2").kvString("general.name", "qwen2-tiny");
        b.kvU32("qwen2.block_count", 2).kvU32("qwen2.embedding_length", 32).kvU32("qwen2.attention.head_count", 4);
        b.kvU32("qwen2.attention.head_count_kv", 2).kvU32("qwen2.feed_forward_length", 96).kvU32("qwen2.context_length", 64);
        b.kvF32("qwen2.attention.layer_norm_rms_epsilon", 1e-6f).kvF32("qwen2.rope.freq_base", 1e6f);
        b.kvString("tokenizer.ggml.model", "gpt2").kvString("tokenizer.ggml.pre", "qwen2");
        b.kvStrings("tokenizer.ggml.tokens", tokens).kvStrings("tokenizer.ggml.merges", {});
        QByteArray data;
        for (const auto &[hfName, ggufName] : names) {
            const TensorInfo &ti = w.info(hfName);
            std::vector<uint64_t> ne(ti.shape.rbegin(), ti.shape.rend());
            b.tensor(ggufName.toUtf8(), ne, 0, uint64_t(data.size()));
            data.append(reinterpret_cast<const char *>(w.rawData(hfName)), qsizetype(ti.end - ti.begin));
            while (data.size() % 32)
                data.append('\0');
        }
        b.alignTo(32).bytes(data);
        QTemporaryDir dir;
        auto m = m_host.load(writeFile(dir, QStringLiteral("qwen2-tiny.gguf"), b.data()));
        QCOMPARE(m->info().architecture, QStringLiteral("qwen2"));
        QCOMPARE(m->info().nKvHeads, 2);
        SafetensorsReader exp;
        exp.open(QDir(hf).filePath(QStringLiteral("expected.safetensors")));
        const TracePtr t = m->run(exp.tensor(QStringLiteral("input_ids")).toInt64Vector(), TraceOptions{}, nullptr);
        QCOMPARE(int(t->layers.size()), 2);
        for (const LayerTrace &l : t->layers) {
            QVERIFY(testutil::tensorDiff(l.attn, exp, QStringLiteral("attn.%1").arg(l.layer)) <= 1e-4);
            QVERIFY(testutil::tensorDiff(l.residPost, exp, QStringLiteral("resid_post.%1").arg(l.layer)) <= 1e-4);
        }
        const double d = testutil::tensorDiff(t->logits, exp, QStringLiteral("logits"));
        QVERIFY2(d >= 0 && d <= 1e-4, qPrintable(QString::number(d)));
    }

    // GPT-2's own vocabulary and merges stored as GGUF metadata tokenise exactly as the files do.
    void byteLevelTokenizerFromGgufMatchesFiles()
    {
        QStringList tokens, merges;
        readGpt2Tokenizer(&tokens, &merges);
        QCOMPARE(tokens.size(), 50257);
        QCOMPARE(merges.size(), 50000);
        GgufBuilder b;
        b.counts(0, 6).kvString("general.architecture", "gpt2").kvString("tokenizer.ggml.model", "gpt2").kvString("tokenizer.ggml.pre", "gpt-2");
        b.kvStrings("tokenizer.ggml.tokens", tokens).kvStrings("tokenizer.ggml.merges", merges).kvU32("tokenizer.ggml.eos_token_id", 50256);
        QTemporaryDir dir;
        GgufReader g;
        g.open(writeFile(dir, QStringLiteral("gpt2-tok.gguf"), b.data()));
        ByteLevelBpeTokenizer fromGguf, fromFiles;
        fromGguf.loadFromGguf(g);
        fromFiles.loadVocabAndMerges(testutil::sharedPath(QStringLiteral("tokenizers/gpt2/encoder.json")),
                                     testutil::sharedPath(QStringLiteral("tokenizers/gpt2/vocab.bpe")));
        const QStringList corpora = QDir(testutil::sharedPath(QStringLiteral("corpora/en"))).entryList({QStringLiteral("*.txt")}, QDir::Files);
        QVERIFY(!corpora.isEmpty());
        QFile f(QDir(testutil::sharedPath(QStringLiteral("corpora/en"))).filePath(corpora.first()));
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QString text = QString::fromUtf8(f.read(20000)) + QStringLiteral(" naïve café 日本語 12345 DON'T\n\n  x");
        const auto a = fromGguf.encode(text), e = fromFiles.encode(text);
        QVERIFY(e.size() > 3000);
        QCOMPARE(a.size(), e.size());
        for (size_t i = 0; i < a.size(); ++i)
            QVERIFY2(a[i].id == e[i].id, qPrintable(QStringLiteral("token %1: %2 vs %3").arg(i).arg(a[i].id).arg(e[i].id)));
        QCOMPARE(fromGguf.eosId(), int64_t(50256));
        QVERIFY(!fromGguf.prependsBos());
    }

    // The pre-tokenizers named by tokenizer.ggml.pre: Llama 3 splits digits in threes and matches
    // contractions in any case; Qwen2 splits single digits; GPT-2 keeps runs of digits.
    void preTokenizersSplitAsTheirModels_data()
    {
        QTest::addColumn<QString>("pre");
        QTest::addColumn<QStringList>("pieces");
        QTest::newRow("llama-bpe") << QStringLiteral("llama-bpe") << QStringList{QStringLiteral("I"), QStringLiteral("'M"),  QStringLiteral(" in"),
                                                                                 QStringLiteral(" "), QStringLiteral("123"), QStringLiteral("45")};
        QTest::newRow("qwen2") << QStringLiteral("qwen2")
                               << QStringList{QStringLiteral("I"), QStringLiteral("'M"), QStringLiteral(" in"), QStringLiteral(" "), QStringLiteral("1"),
                                              QStringLiteral("2"), QStringLiteral("3"),  QStringLiteral("4"),   QStringLiteral("5")};
        QTest::newRow("gpt-2") << QStringLiteral("gpt-2")
                               << QStringList{QStringLiteral("I"), QStringLiteral("'"), QStringLiteral("M"), QStringLiteral(" in"), QStringLiteral(" 12345")};
    }

    void preTokenizersSplitAsTheirModels()
    {
        QFETCH(QString, pre);
        QFETCH(QStringList, pieces);
        const QString p = ByteLevelBpeTokenizer::ggufPrePattern(pre);
        const QRegularExpression re =
            p.isEmpty() ? ByteLevelBpeTokenizer::gpt2Pattern() : QRegularExpression(p, QRegularExpression::UseUnicodePropertiesOption);
        QVERIFY2(re.isValid(), qPrintable(re.errorString()));
        QStringList got;
        for (auto it = re.globalMatch(QStringLiteral("I'M in 12345")); it.hasNext();)
            got << it.next().captured(0);
        QCOMPARE(got, pieces);
        QCOMPARE(ByteLevelBpeTokenizer::ggufPrePattern(QStringLiteral("deepseek-v3")), QStringLiteral("?"));
    }

    void unknownArchitectureIsNamed()
    {
        GgufBuilder b;
        b.counts(0, 2).kvString("general.architecture", "gemma2").kvString("tokenizer.ggml.model", "llama");
        QTemporaryDir dir;
        const QString path = writeFile(dir, QStringLiteral("gemma.gguf"), b.data());
        try {
            m_host.load(path);
            QFAIL("an unknown architecture loaded");
        } catch (const Error &e) {
            QVERIFY2(e.message().contains(QStringLiteral("'gemma2'")) && e.message().contains(QStringLiteral("llama, qwen2, mistral")),
                     qPrintable(e.message()));
        }
    }
};

QTEST_GUILESS_MAIN(TestGgufArchitectures)
#include "tst_ggufarchitectures.moc"
