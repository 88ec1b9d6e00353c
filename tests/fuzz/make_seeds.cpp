// Writes the seed corpora of the fuzz harnesses (tests/fuzz/corpus/NAME/seed-*): small valid inputs
// of every kind, made here rather than copied from ../shared (the repository holds no copies of it).
// Run by hand when a format changes: build/tests/fuzz/fuzz_make_seeds tests/fuzz/corpus
// Deterministic: the same program writes the same bytes.

#include "../GgufBuilder.h"

#include "analysis/ConllU.h"
#include "store/TraceCodec.h"
#include "store/Workspace.h"
#include "tensor/GgmlQuants.h"
#include "tensor/SafetensorsReader.h"
#include "tokenize/ByteLevelBpeTokenizer.h"
#include "train/Gpt2Trainer.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>

#include <cstdio>
#include <random>

using namespace strata;

namespace {

QString g_out;
std::mt19937 g_rng(20261202);

void put(const QString &harness, const QString &name, const QByteArray &bytes)
{
    QDir().mkpath(g_out + QLatin1Char('/') + harness);
    QFile f(g_out + QLatin1Char('/') + harness + QStringLiteral("/seed-") + name);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate) || f.write(bytes) != bytes.size())
        qFatal("cannot write %s", qPrintable(f.fileName()));
}

QByteArray readAll(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        qFatal("cannot read %s", qPrintable(path));
    return f.readAll();
}

QByteArray json(const QJsonObject &o)
{
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

const QByteArray kSplit("\n--8<--\n");

// GGUF: one [2, 256] tensor of every type Strata reads (random block bytes; a float16 scale field
// of random bits may be NaN, which the reader must report, not trip over).
QByteArray ggufEveryType()
{
    const std::vector<uint32_t> types = ggmlTypesRead();
    GgufBuilder b;
    b.counts(types.size(), 1).kvString("general.architecture", "llama");
    QByteArray data;
    for (uint32_t t : types) {
        const int64_t rowBytes = ggmlRowBytes(t, 256);
        b.tensor(QByteArray("t.") + ggmlTypeName(t).toLatin1(), {256, 2}, t, uint64_t(data.size()));
        for (int64_t i = 0; i < 2 * rowBytes; ++i)
            data.append(char(g_rng() & 0xff));
        while (data.size() % 32)
            data.append('\0');
    }
    return b.alignTo(32).bytes(data).data();
}

void floatArray(GgufBuilder &b, const QByteArray &key, const std::vector<float> &v)
{
    b.str(key).u32(9).u32(6).u64(v.size());
    for (float x : v)
        b.f32(x);
}

void intArray(GgufBuilder &b, const QByteArray &key, const std::vector<int32_t> &v)
{
    b.str(key).u32(9).u32(5).u64(v.size());
    for (int32_t x : v)
        b.raw(&x, 4);
}

// A SentencePiece vocabulary as llama.cpp writes it: <unk>, <s>, </s>, 256 byte tokens, pieces.
QByteArray ggufSentencePiece()
{
    QStringList tokens = {QStringLiteral("<unk>"), QStringLiteral("<s>"), QStringLiteral("</s>")};
    std::vector<float> scores = {0, 0, 0};
    std::vector<int32_t> types = {2, 3, 3};
    for (int i = 0; i < 256; ++i) {
        tokens << QStringLiteral("<0x%1>").arg(i, 2, 16, QLatin1Char('0')).toUpper().replace(QStringLiteral("0X"), QStringLiteral("0x"));
        scores.push_back(0);
        types.push_back(6);
    }
    const QStringList pieces = {QStringLiteral("\u2581"),     QStringLiteral("e"),       QStringLiteral("t"),        QStringLiteral("o"),
                                QStringLiteral("n"),          QStringLiteral("\u2581t"), QStringLiteral("he"),       QStringLiteral("\u2581the"),
                                QStringLiteral("\u2581a"),    QStringLiteral("on"),      QStringLiteral("\u2581on"), QStringLiteral("\u2581O"),
                                QStringLiteral("\u2581Once"), QStringLiteral("\u4e2d"),  QStringLiteral("h"),        QStringLiteral("a"),
                                QStringLiteral("c"),          QStringLiteral("O")};
    for (int i = 0; i < pieces.size(); ++i) {
        tokens << pieces[i];
        scores.push_back(-float(i));
        types.push_back(1);
    }
    GgufBuilder b;
    b.counts(1, 8).kvString("general.architecture", "llama").kvString("tokenizer.ggml.model", "llama");
    b.kvStrings("tokenizer.ggml.tokens", tokens);
    floatArray(b, "tokenizer.ggml.scores", scores);
    intArray(b, "tokenizer.ggml.token_type", types);
    b.kvU32("tokenizer.ggml.bos_token_id", 1).kvU32("tokenizer.ggml.eos_token_id", 2).kvBool("tokenizer.ggml.add_bos_token", true);
    b.tensor("token_embd.weight", {4, uint64_t(tokens.size())}, 0, 0);
    QByteArray data(int(4 * tokens.size() * 4), '\0');
    return b.alignTo(32).bytes(data).data();
}

// A byte-level BPE vocabulary (GPT-2 style symbols) with a few merges, tokenizer.ggml.model = gpt2.
QByteArray ggufByteLevel(const QByteArray &pre)
{
    QStringList tokens;
    for (int i = 0; i < 256; ++i)
        tokens << ByteLevelBpeTokenizer::bytesToSymbols(QByteArray(1, char(i)));
    const QStringList merges = {QStringLiteral("\u0120 t"), QStringLiteral("h e"), QStringLiteral("\u0120t he"), QStringLiteral("i n")};
    tokens << QStringLiteral("\u0120t") << QStringLiteral("he") << QStringLiteral("\u0120the") << QStringLiteral("in") << QStringLiteral("<|endoftext|>");
    std::vector<int32_t> types(size_t(tokens.size()), 1);
    types.back() = 3;
    GgufBuilder b;
    b.counts(0, 6).kvString("general.architecture", "qwen2").kvString("tokenizer.ggml.model", "gpt2");
    b.kvString("tokenizer.ggml.pre", pre).kvStrings("tokenizer.ggml.tokens", tokens).kvStrings("tokenizer.ggml.merges", merges);
    intArray(b, "tokenizer.ggml.token_type", types);
    return b.alignTo(32).data();
}

QByteArray safetensorsFile(const QString &dir, const QString &name, const std::vector<NamedTensor> &tensors)
{
    const QString path = dir + QLatin1Char('/') + name;
    writeSafetensors(path, tensors, {{QStringLiteral("format"), QStringLiteral("pt")}});
    return readAll(path);
}

void safetensorsSeeds(const QString &tmp)
{
    const std::vector<float> six = {1.f, -2.f, 3.5f, 0.f, 1e-3f, -7.f};
    std::vector<NamedTensor> all = {{QStringLiteral("a.f32"), HostTensor::fromFloats({2, 3}, six.data())},
                                    {QStringLiteral("b.f16"), HostTensor::fromFloats({3, 2}, six.data(), DType::F16)},
                                    {QStringLiteral("c.i16"), HostTensor::fromRaw(DType::I16, {3}, "\x01\x00\xff\xff\x10\x00")},
                                    {QStringLiteral("d.ids"), HostTensor::fromInt64({5, 7, 11})}};
    put(QStringLiteral("safetensors"), QStringLiteral("mixed"), safetensorsFile(tmp, QStringLiteral("m.safetensors"), all));
    const QByteArray one = safetensorsFile(tmp, QStringLiteral("1.safetensors"), {all[0], all[1]});
    const QByteArray two = safetensorsFile(tmp, QStringLiteral("2.safetensors"), {all[2], all[3]});
    QJsonObject map;
    map.insert(QStringLiteral("a.f32"), QStringLiteral("model-00001-of-00002.safetensors"));
    map.insert(QStringLiteral("b.f16"), QStringLiteral("model-00001-of-00002.safetensors"));
    map.insert(QStringLiteral("c.i16"), QStringLiteral("model-00002-of-00002.safetensors"));
    map.insert(QStringLiteral("d.ids"), QStringLiteral("model-00002-of-00002.safetensors"));
    QJsonObject index{{QStringLiteral("metadata"), QJsonObject{{QStringLiteral("total_size"), 60}}}, {QStringLiteral("weight_map"), map}};
    put(QStringLiteral("safetensors"), QStringLiteral("sharded"), QByteArray("I") + json(index) + kSplit + one + kSplit + two);
}

void configSeeds()
{
    put(QStringLiteral("hfconfig"), QStringLiteral("gpt2"),
        R"({"architectures":["GPT2LMHeadModel"],"model_type":"gpt2","vocab_size":50257,"n_positions":128,"n_embd":64,"n_layer":3,"n_head":4,"n_inner":null,"activation_function":"gelu_new","layer_norm_epsilon":1e-05,"tie_word_embeddings":true})");
    put(QStringLiteral("hfconfig"), QStringLiteral("llama"),
        R"({"architectures":["LlamaForCausalLM"],"model_type":"llama","hidden_size":64,"intermediate_size":172,"num_hidden_layers":5,"num_attention_heads":8,"num_key_value_heads":4,"rms_norm_eps":1e-05,"rope_theta":10000.0,"vocab_size":512,"max_position_embeddings":512,"tie_word_embeddings":true,"rope_scaling":{"type":"linear","factor":2.0}})");
    put(QStringLiteral("hfconfig"), QStringLiteral("neox"),
        R"({"architectures":["GPTNeoXForCausalLM"],"model_type":"gpt_neox","hidden_size":128,"num_hidden_layers":6,"num_attention_heads":4,"rotary_pct":0.25,"use_parallel_residual":true,"vocab_size":50304,"layer_norm_eps":1e-05})");
}

void tokenizerSeeds()
{
    QJsonObject vocab;
    for (int i = 0; i < 256; ++i)
        vocab.insert(ByteLevelBpeTokenizer::bytesToSymbols(QByteArray(1, char(i))), i);
    vocab.insert(QStringLiteral("\u0120t"), 256);
    vocab.insert(QStringLiteral("he"), 257);
    vocab.insert(QStringLiteral("\u0120the"), 258);
    vocab.insert(QStringLiteral("<|endoftext|>"), 259);
    const QByteArray merges = "#version: 0.2\n\xc4\xa0 t\nh e\n\xc4\xa0t he\n";
    put(QStringLiteral("tokenizer_files"), QStringLiteral("vocab-merges"), QByteArray("V") + json(vocab) + kSplit + merges);
    const QJsonObject model{{QStringLiteral("type"), QStringLiteral("BPE")},
                            {QStringLiteral("vocab"), vocab},
                            {QStringLiteral("merges"), QJsonArray{QStringLiteral("\u0120 t"), QStringLiteral("h e"), QStringLiteral("\u0120t he")}}};
    const QJsonArray added{
        QJsonObject{{QStringLiteral("id"), 259}, {QStringLiteral("content"), QStringLiteral("<|endoftext|>")}, {QStringLiteral("special"), true}}};
    put(QStringLiteral("tokenizer_files"), QStringLiteral("tokenizer-json"),
        QByteArray("J") +
            json({{QStringLiteral("version"), QStringLiteral("1.0")}, {QStringLiteral("added_tokens"), added}, {QStringLiteral("model"), model}}));
    // SentencePiece-style tokenizer.json (Llama 2 layout: BPE with byte fallback).
    QJsonObject spmVocab{{QStringLiteral("<unk>"), 0}, {QStringLiteral("<s>"), 1}, {QStringLiteral("</s>"), 2}};
    for (int i = 0; i < 256; ++i)
        spmVocab.insert(QStringLiteral("<0x%1>").arg(QString::number(i, 16).toUpper().rightJustified(2, QLatin1Char('0'))), 3 + i);
    const QStringList pieces = {QStringLiteral("\u2581"),  QStringLiteral("t"),  QStringLiteral("h"),        QStringLiteral("e"),
                                QStringLiteral("\u2581t"), QStringLiteral("he"), QStringLiteral("\u2581the")};
    for (int i = 0; i < pieces.size(); ++i)
        spmVocab.insert(pieces[i], 259 + i);
    const QJsonObject spmModel{
        {QStringLiteral("type"), QStringLiteral("BPE")},
        {QStringLiteral("byte_fallback"), true},
        {QStringLiteral("unk_token"), QStringLiteral("<unk>")},
        {QStringLiteral("vocab"), spmVocab},
        {QStringLiteral("merges"), QJsonArray{QStringLiteral("\u2581 t"), QStringLiteral("h e"), QJsonArray{QStringLiteral("\u2581t"), QStringLiteral("he")}}}};
    const QJsonArray spmAdded{QJsonObject{{QStringLiteral("id"), 1}, {QStringLiteral("content"), QStringLiteral("<s>")}, {QStringLiteral("special"), true}}};
    put(QStringLiteral("tokenizer_files"), QStringLiteral("sentencepiece-json"),
        QByteArray("S") + json({{QStringLiteral("added_tokens"), spmAdded}, {QStringLiteral("model"), spmModel}}));
}

void textSeeds()
{
    const QList<QByteArray> texts = {"Once upon a time, there was a little girl named Lily.",
                                     "  leading spaces,\ttabs\r\nand\n\nnewlines   ",
                                     "\xe4\xb8\xad\xe6\x96\x87\xe7\x9a\x84\xe5\x8f\xa5\xe5\xad\x90\xe3\x80\x82 \xf0\x9f\x98\x80 caf\xc3\xa9",
                                     "<|endoftext|>Hello<|endoftext|> <s></s>",
                                     "invalid \xff\xfe\xc3 utf-8 \xed\xa0\x80 surrogate",
                                     "it's you'll I'm 1234567 3.14 ...!!! ---"};
    for (int i = 0; i < texts.size(); ++i)
        put(QStringLiteral("tokenize"), QString::number(i), QByteArray(1, char(i & 1)) + texts[i]);
    const QByteArray conllu = "# sent_id = a-1\n# text = I can't go.\n"
                              "1\tI\tI\tPRON\tPRP\tCase=Nom\t3\tnsubj\t_\t_\n"
                              "2-3\tcan't\t_\t_\t_\t_\t_\t_\t_\t_\n"
                              "2\tca\tcan\tAUX\tMD\t_\t4\taux\t_\t_\n"
                              "3\tn't\tnot\tPART\tRB\t_\t4\tadvmod\t_\t_\n"
                              "4\tgo\tgo\tVERB\tVB\t_\t0\troot\t_\tSpaceAfter=No\n"
                              "4.1\tgone\tgo\tVERB\t_\t_\t_\t_\t0:root\t_\n"
                              "5\t.\t.\tPUNCT\t.\t_\t4\tpunct\t_\t_\n\n"
                              "# sent_id = a-2\n"
                              "1\tDogs\tdog\tNOUN\tNNS\t_\t2\tnsubj\t_\t_\n"
                              "2\tbark\tbark\tVERB\tVBP\t_\t0\troot\t_\t_\n\n";
    put(QStringLiteral("conllu"), QStringLiteral("ewt-style"), conllu);
    put(QStringLiteral("csv"), QStringLiteral("csv"),
        "Clabel,text\npositive,\"A fine, sunny day.\"\nnegative,It rained.\n\"neutral\",\"He said \"\"so\"\".\"\n");
    put(QStringLiteral("csv"), QStringLiteral("tsv"), "Tanimal\tThe cat sat.\nplant\tTrees grow.\n\tno label\n");
    std::vector<TrainLogRow> rows(3);
    for (int i = 0; i < 3; ++i) {
        rows[size_t(i)].step = 100 * i;
        rows[size_t(i)].trainLoss = 5.0 - i;
    }
    put(QStringLiteral("csv"), QStringLiteral("training-log"), QByteArray("L") + trainLogCsv(rows).toUtf8());
}

// A small trace of consistent shapes (T = 5, 2 layers, 2 heads, D = 8, V = 16), as a model would make.
Trace syntheticTrace(DType storage, bool headOutputs)
{
    const int T = 5, L = 2, H = 2, D = 8, V = 16;
    std::uniform_real_distribution<float> u(-1.f, 1.f);
    auto random = [&](std::vector<int64_t> shape) {
        std::vector<float> v(static_cast<size_t>(HostTensor::numelOf(shape)));
        for (float &x : v)
            x = u(g_rng);
        return HostTensor::fromFloats(shape, v.data(), storage);
    };
    Trace t;
    t.model.family = QStringLiteral("gpt2");
    t.model.architecture = QStringLiteral("GPT2LMHeadModel");
    t.model.name = QStringLiteral("seed");
    t.model.fingerprint = QStringLiteral("00ff");
    t.model.nLayers = L;
    t.model.nHeads = H;
    t.model.nKvHeads = H;
    t.model.dModel = D;
    t.model.dMlp = 4 * D;
    t.model.headDim = D / H;
    t.model.vocabSize = V;
    t.model.contextLength = 32;
    t.prompt = QStringLiteral("a b c d e");
    for (int i = 0; i < T; ++i) {
        t.tokens.push_back(TokenPiece{i + 1, 2 * i, 2 * i + 1});
        t.tokenStrings << t.prompt.mid(2 * i, 1);
    }
    t.embed = random({T, D});
    for (int l = 0; l < L; ++l) {
        LayerTrace lt;
        lt.layer = l;
        std::vector<float> attn(size_t(H * T * T), 0.f);
        for (int h = 0; h < H; ++h)
            for (int q = 0; q < T; ++q)
                for (int k = 0; k <= q; ++k)
                    attn[size_t((h * T + q) * T + k)] = 1.f / float(q + 1);
        lt.attn = HostTensor::fromFloats({H, T, T}, attn.data(), storage);
        lt.residPre = random({T, D});
        lt.residMid = random({T, D});
        lt.residPost = random({T, D});
        lt.attnOut = random({T, D});
        lt.mlpOut = random({T, D});
        if (headOutputs)
            lt.headOut = random({H, T, D});
        t.layers.push_back(std::move(lt));
    }
    t.finalNorm = random({T, D});
    t.logits = random({T, V});
    t.options.storage = storage;
    t.options.headOutputs = headOutputs;
    t.kvHeadOfQueryHead = {0, 1};
    return t;
}

void storeSeeds(const QString &tmp)
{
    const QByteArray f32 = TraceCodec::encode(syntheticTrace(DType::F32, true));
    put(QStringLiteral("tracecodec"), QStringLiteral("f32-heads"), f32);
    put(QStringLiteral("tracecodec"), QStringLiteral("f16"), TraceCodec::encode(syntheticTrace(DType::F16, false)));
    Workspace ws(tmp + QStringLiteral("/seed.strata"));
    const qint64 session = ws.createSession(QStringLiteral("seed session"), QStringLiteral("made by fuzz_make_seeds"));
    RunRecord run;
    run.sessionId = session;
    run.modelLocation = QStringLiteral("demo");
    run.modelName = QStringLiteral("seed");
    run.modelFamily = QStringLiteral("gpt2");
    run.fingerprint = QStringLiteral("00ff");
    run.prompt = QStringLiteral("a b c d e");
    run.tokenCount = 5;
    const qint64 runId = ws.addRun(run, f32);
    ws.addRun(run);
    AnnotationRecord note;
    note.runId = runId;
    note.layer = 1;
    note.head = 0;
    note.text = QStringLiteral("looks at the first token");
    ws.addAnnotation(note);
    ws.addBookmark(BookmarkRecord{0, runId, 1, 1, QStringLiteral("previous token")});
    ResultRecord result;
    result.sessionId = session;
    result.kind = QStringLiteral("probe");
    result.name = QStringLiteral("upos");
    result.data = QJsonObject{{QStringLiteral("accuracy"), QJsonArray{0.5, 0.7}}};
    ws.addResult(result);
    ws.setRunTags(runId, {QStringLiteral("seed")});
    ws.exportSession(session, tmp + QStringLiteral("/export.strata"));
    put(QStringLiteral("workspace"), QStringLiteral("session"), readAll(tmp + QStringLiteral("/export.strata")));
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    if (argc != 2) {
        std::fprintf(stderr, "usage: fuzz_make_seeds CORPUS_DIR (tests/fuzz/corpus)\n");
        return 2;
    }
    g_out = QString::fromLocal8Bit(argv[1]);
    QTemporaryDir tmp;
    put(QStringLiteral("gguf"), QStringLiteral("every-type"), ggufEveryType());
    put(QStringLiteral("gguf"), QStringLiteral("sentencepiece"), ggufSentencePiece());
    put(QStringLiteral("gguf"), QStringLiteral("llama-bpe"), ggufByteLevel("llama-bpe"));
    put(QStringLiteral("gguf"), QStringLiteral("qwen2"), ggufByteLevel("qwen2"));
    safetensorsSeeds(tmp.path());
    configSeeds();
    tokenizerSeeds();
    textSeeds();
    storeSeeds(tmp.path());
    std::fprintf(stderr, "seeds written to %s\n", argv[1]);
    return 0;
}
