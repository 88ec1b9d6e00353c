#include "GgufToHf.h"

#include "tensor/GgufReader.h"
#include "tensor/SafetensorsReader.h"
#include "tokenize/SentencePieceTokenizer.h"
#include "util/Error.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>

#include <cstring>

namespace strata {

namespace {

// Rows of a [heads*hd, in] projection from adjacent-pair order (x0,x1),(x2,x3)... to rotate-half order
// (x0,x2,x4,...,x1,x3,...), per head: the inverse of llama.cpp's permute.
HostTensor permuteForRotateHalf(const HostTensor &w, int heads)
{
    const int64_t rows = w.dim(0), cols = w.dim(1), hd = rows / heads;
    HostTensor out(DType::F32, w.shape());
    const float *src = static_cast<const float *>(w.data());
    float *dst = static_cast<float *>(out.data());
    for (int h = 0; h < heads; ++h)
        for (int64_t i = 0; i < hd / 2; ++i)
            for (int j = 0; j < 2; ++j) {
                const int64_t from = h * hd + 2 * i + j;
                const int64_t to = h * hd + j * (hd / 2) + i;
                std::memcpy(dst + to * cols, src + from * cols, size_t(cols) * sizeof(float));
            }
    return out;
}

void writeJson(const QString &path, const QJsonObject &obj)
{
    QSaveFile f(path);
    const QByteArray bytes = QJsonDocument(obj).toJson(QJsonDocument::Indented);
    if (!f.open(QIODevice::WriteOnly) || f.write(bytes) != bytes.size() || !f.commit())
        throw Error(QStringLiteral("Cannot write %1: %2.").arg(path, f.errorString()));
}

} // namespace

void convertGgufToHf(const QString &ggufPath, const QString &outFolder)
{
    GgufReader g;
    g.open(ggufPath);
    const QString arch = g.requireString(QStringLiteral("general.architecture"));
    if (arch != QLatin1String("llama") && arch != QLatin1String("qwen2"))
        throw Error(QStringLiteral("%1: only Llama-architecture GGUF files can be converted (this one is '%2').").arg(ggufPath, arch));
    auto key = [&](const char *k) { return arch + QLatin1Char('.') + QString::fromLatin1(k); };
    const int layers = int(g.requireInt(key("block_count")));
    const int heads = int(g.requireInt(key("attention.head_count")));
    const int kvHeads = int(g.optionalInt(key("attention.head_count_kv"), heads));
    SentencePieceTokenizer tok;
    tok.loadFromGguf(g);

    const QDir out(outFolder);
    if (!QDir().mkpath(outFolder))
        throw Error(QStringLiteral("Cannot create %1.").arg(outFolder));

    std::vector<NamedTensor> tensors;
    auto put = [&](const QString &hfName, const QString &ggufName) { tensors.push_back({hfName, g.tensorF32(ggufName)}); };
    put(QStringLiteral("model.embed_tokens.weight"), QStringLiteral("token_embd.weight"));
    const bool permute = arch == QLatin1String("llama");
    for (int l = 0; l < layers; ++l) {
        const QString b = QStringLiteral("blk.%1.").arg(l), h = QStringLiteral("model.layers.%1.").arg(l);
        put(h + QStringLiteral("input_layernorm.weight"), b + QStringLiteral("attn_norm.weight"));
        HostTensor q = g.tensorF32(b + QStringLiteral("attn_q.weight")), k = g.tensorF32(b + QStringLiteral("attn_k.weight"));
        tensors.push_back({h + QStringLiteral("self_attn.q_proj.weight"), permute ? permuteForRotateHalf(q, heads) : q});
        tensors.push_back({h + QStringLiteral("self_attn.k_proj.weight"), permute ? permuteForRotateHalf(k, kvHeads) : k});
        put(h + QStringLiteral("self_attn.v_proj.weight"), b + QStringLiteral("attn_v.weight"));
        put(h + QStringLiteral("self_attn.o_proj.weight"), b + QStringLiteral("attn_output.weight"));
        for (const char *bias : {"q", "k", "v"})
            if (g.contains(b + QStringLiteral("attn_%1.bias").arg(QLatin1String(bias))))
                put(h + QStringLiteral("self_attn.%1_proj.bias").arg(QLatin1String(bias)), b + QStringLiteral("attn_%1.bias").arg(QLatin1String(bias)));
        put(h + QStringLiteral("post_attention_layernorm.weight"), b + QStringLiteral("ffn_norm.weight"));
        put(h + QStringLiteral("mlp.gate_proj.weight"), b + QStringLiteral("ffn_gate.weight"));
        put(h + QStringLiteral("mlp.up_proj.weight"), b + QStringLiteral("ffn_up.weight"));
        put(h + QStringLiteral("mlp.down_proj.weight"), b + QStringLiteral("ffn_down.weight"));
    }
    put(QStringLiteral("model.norm.weight"), QStringLiteral("output_norm.weight"));
    const bool tied = !g.contains(QStringLiteral("output.weight"));
    if (!tied)
        put(QStringLiteral("lm_head.weight"), QStringLiteral("output.weight"));
    writeSafetensors(out.filePath(QStringLiteral("model.safetensors")), tensors, {{QStringLiteral("format"), QStringLiteral("pt")}});

    const int64_t headDim = g.optionalInt(key("attention.key_length"), g.requireInt(key("embedding_length")) / heads);
    writeJson(out.filePath(QStringLiteral("config.json")),
              QJsonObject{{QStringLiteral("architectures"),
                           QJsonArray{arch == QLatin1String("qwen2") ? QStringLiteral("Qwen2ForCausalLM") : QStringLiteral("LlamaForCausalLM")}},
                          {QStringLiteral("model_type"), arch},
                          {QStringLiteral("hidden_size"), qint64(g.requireInt(key("embedding_length")))},
                          {QStringLiteral("intermediate_size"), qint64(g.requireInt(key("feed_forward_length")))},
                          {QStringLiteral("num_hidden_layers"), layers},
                          {QStringLiteral("num_attention_heads"), heads},
                          {QStringLiteral("num_key_value_heads"), kvHeads},
                          {QStringLiteral("head_dim"), qint64(headDim)},
                          {QStringLiteral("rms_norm_eps"), g.optionalDouble(key("attention.layer_norm_rms_epsilon"), 1e-5)},
                          {QStringLiteral("rope_theta"), g.optionalDouble(key("rope.freq_base"), 10000)},
                          {QStringLiteral("max_position_embeddings"), qint64(g.optionalInt(key("context_length"), 2048))},
                          {QStringLiteral("vocab_size"), qint64(tok.vocabSize())},
                          {QStringLiteral("tie_word_embeddings"), tied},
                          {QStringLiteral("hidden_act"), QStringLiteral("silu")},
                          {QStringLiteral("bos_token_id"), qint64(tok.bosId())},
                          {QStringLiteral("eos_token_id"), qint64(tok.eosId())},
                          {QStringLiteral("torch_dtype"), QStringLiteral("float32")}});

    QJsonObject vocab;
    QJsonArray added;
    for (int i = 0; i < tok.pieces().size(); ++i) {
        vocab.insert(tok.pieces()[i], i);
        if (tok.tokenType(i) == 2 || tok.tokenType(i) == 3)
            added.append(QJsonObject{{QStringLiteral("id"), i}, {QStringLiteral("content"), tok.pieces()[i]}, {QStringLiteral("special"), true}});
    }
    QJsonArray merges;
    for (const auto &m : tok.derivedMerges())
        merges.append(QJsonArray{m.first, m.second});
    const QString space = QStringLiteral("\u2581");
    writeJson(out.filePath(QStringLiteral("tokenizer.json")),
              QJsonObject{{QStringLiteral("version"), QStringLiteral("1.0")},
                          {QStringLiteral("added_tokens"), added},
                          {QStringLiteral("normalizer"),
                           QJsonObject{{QStringLiteral("type"), QStringLiteral("Sequence")},
                                       {QStringLiteral("normalizers"),
                                        QJsonArray{QJsonObject{{QStringLiteral("type"), QStringLiteral("Prepend")}, {QStringLiteral("prepend"), space}},
                                                   QJsonObject{{QStringLiteral("type"), QStringLiteral("Replace")},
                                                               {QStringLiteral("pattern"), QJsonObject{{QStringLiteral("String"), QStringLiteral(" ")}}},
                                                               {QStringLiteral("content"), space}}}}}},
                          {QStringLiteral("model"), QJsonObject{{QStringLiteral("type"), QStringLiteral("BPE")},
                                                                {QStringLiteral("byte_fallback"), true},
                                                                {QStringLiteral("fuse_unk"), true},
                                                                {QStringLiteral("unk_token"), tok.pieces().value(0)},
                                                                {QStringLiteral("vocab"), vocab},
                                                                {QStringLiteral("merges"), merges}}}});
    writeJson(out.filePath(QStringLiteral("tokenizer_config.json")), QJsonObject{{QStringLiteral("add_bos_token"), tok.prependsBos()},
                                                                                 {QStringLiteral("add_eos_token"), false},
                                                                                 {QStringLiteral("bos_token"), tok.pieces().value(int(tok.bosId()))},
                                                                                 {QStringLiteral("eos_token"), tok.pieces().value(int(tok.eosId()))},
                                                                                 {QStringLiteral("tokenizer_class"), QStringLiteral("LlamaTokenizer")}});
}

} // namespace strata
