#include "RandomGpt2.h"

#include "tensor/SafetensorsReader.h"
#include "tokenize/ByteLevelBpeTokenizer.h"
#include "util/Error.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonArray>
#include <QJsonObject>

#include <random>

namespace strata {

void writeRandomGpt2(const QString &folder, const RandomGpt2Spec &s)
{
    if (!QDir().mkpath(folder))
        throw Error(QStringLiteral("Cannot create %1.").arg(folder));
    std::mt19937 rng(s.seed);
    std::normal_distribution<float> normal(0.f, 0.02f);
    std::vector<NamedTensor> tensors;
    auto add = [&](const QString &name, std::vector<int64_t> shape, int kind) {
        HostTensor t(DType::F32, shape);
        auto *p = static_cast<float *>(t.data());
        for (int64_t i = 0; i < t.numel(); ++i)
            p[i] = kind == 0 ? normal(rng) : kind == 1 ? 1.f : 0.f;
        tensors.push_back({name, std::move(t)});
    };
    const int64_t D = s.dModel;
    add(QStringLiteral("wte.weight"), {s.vocab, D}, 0);
    add(QStringLiteral("wpe.weight"), {s.positions, D}, 0);
    for (int l = 0; l < s.layers; ++l) {
        const QString p = QStringLiteral("h.%1.").arg(l);
        add(p + QStringLiteral("ln_1.weight"), {D}, 1);
        add(p + QStringLiteral("ln_1.bias"), {D}, 2);
        add(p + QStringLiteral("attn.c_attn.weight"), {D, 3 * D}, 0);
        add(p + QStringLiteral("attn.c_attn.bias"), {3 * D}, 2);
        add(p + QStringLiteral("attn.c_proj.weight"), {D, D}, 0);
        add(p + QStringLiteral("attn.c_proj.bias"), {D}, 2);
        add(p + QStringLiteral("ln_2.weight"), {D}, 1);
        add(p + QStringLiteral("ln_2.bias"), {D}, 2);
        add(p + QStringLiteral("mlp.c_fc.weight"), {D, 4 * D}, 0);
        add(p + QStringLiteral("mlp.c_fc.bias"), {4 * D}, 2);
        add(p + QStringLiteral("mlp.c_proj.weight"), {4 * D, D}, 0);
        add(p + QStringLiteral("mlp.c_proj.bias"), {D}, 2);
    }
    add(QStringLiteral("ln_f.weight"), {D}, 1);
    add(QStringLiteral("ln_f.bias"), {D}, 2);
    const QDir dir(folder);
    writeSafetensors(dir.filePath(QStringLiteral("model.safetensors")), tensors);

    const QJsonObject cfg{{QStringLiteral("model_type"), QStringLiteral("gpt2")},
                          {QStringLiteral("architectures"), QJsonArray{QStringLiteral("GPT2LMHeadModel")}},
                          {QStringLiteral("n_layer"), s.layers},
                          {QStringLiteral("n_head"), s.heads},
                          {QStringLiteral("n_embd"), s.dModel},
                          {QStringLiteral("n_positions"), s.positions},
                          {QStringLiteral("n_ctx"), s.positions},
                          {QStringLiteral("vocab_size"), s.vocab},
                          {QStringLiteral("activation_function"), QStringLiteral("gelu_new")},
                          {QStringLiteral("layer_norm_epsilon"), 1e-5},
                          {QStringLiteral("tie_word_embeddings"), true}};
    QFile cf(dir.filePath(QStringLiteral("config.json")));
    if (!cf.open(QIODevice::WriteOnly) || cf.write(QJsonDocument(cfg).toJson()) < 0)
        throw Error(QStringLiteral("Cannot write %1.").arg(cf.fileName()));
    QJsonObject vocab;
    for (int b = 0; b < 256; ++b)
        vocab.insert(ByteLevelBpeTokenizer::bytesToSymbols(QByteArray(1, char(b))), b);
    QFile vf(dir.filePath(QStringLiteral("vocab.json")));
    QFile mf(dir.filePath(QStringLiteral("merges.txt")));
    if (!vf.open(QIODevice::WriteOnly) || vf.write(QJsonDocument(vocab).toJson()) < 0 || !mf.open(QIODevice::WriteOnly) || mf.write("#version: 0.2\n") < 0)
        throw Error(QStringLiteral("Cannot write the tokenizer files in %1.").arg(folder));
}

} // namespace strata
