#include "util/AtenInclude.h" // first: shields torch from Qt's `slots`

#include "LlamaModel.h"

#include "jobs/JobControl.h"
#include "model/HfConfig.h"
#include "model/GgufWeight.h"
#include "model/HfFolder.h"
#include "model/TensorBridge.h"
#include "model/SiteHooks.h"
#include "model/TransformerOps.h"
#include "model/WeightsFingerprint.h"
#include "tensor/GgufReader.h"
#include "tensor/SafetensorsReader.h"
#include "tokenize/ByteLevelBpeTokenizer.h"
#include "tokenize/SentencePieceTokenizer.h"
#include "util/Error.h"

#include <QDir>
#include <QFileInfo>

#include <cstring>

namespace strata {

namespace {
struct Layer
{
    at::Tensor attnNorm, bq, bk, bv, ffnNorm;
    Weight wq, wk, wv, wo, wGate, wUp, wDown; // GGUF: left in the file's type, dequantised on use
};
} // namespace

struct LlamaModel::Impl
{
    ModelInfo info;
    std::unique_ptr<Tokenizer> tokenizer;
    GgufReader gguf;            // keeps the map alive for zero-copy F32 weights
    SafetensorsCheckpoint ckpt; // idem for Hugging Face folders
    Weight embed;
    at::Tensor finalNorm, output; // the unembedding is dense: the lens and the logits read it often
    std::vector<Layer> layers;
    double eps = 1e-5;
    double theta = 10000;
    int rotaryDims = 0;
    ops::RopeStyle rope = ops::RopeStyle::AdjacentPairs;
};

LlamaModel::LlamaModel() : d(std::make_unique<Impl>()) {}
LlamaModel::~LlamaModel() = default;
const ModelInfo &LlamaModel::info() const
{
    return d->info;
}
const Tokenizer &LlamaModel::tokenizer() const
{
    return *d->tokenizer;
}

QStringList LlamaModel::supportedGgufArchitectures()
{
    return {QStringLiteral("llama"), QStringLiteral("qwen2"), QStringLiteral("mistral")};
}
QStringList LlamaModel::supportedHfModelTypes()
{
    return {QStringLiteral("llama"), QStringLiteral("qwen2"), QStringLiteral("mistral")};
}

namespace {

at::Tensor ggufVector(const GgufReader &g, const QString &name, const std::vector<int64_t> &shape)
{
    return Weight::fromGguf(g, name, shape).dense();
}

void loadFromGguf(LlamaModel::Impl &d, const ModelSource &src, const JobControl *control)
{
    GgufReader &g = d.gguf;
    g.open(src.path);
    const QString arch = g.requireString(QStringLiteral("general.architecture"));
    if (!LlamaModel::supportedGgufArchitectures().contains(arch))
        throw Error(QStringLiteral("%1: GGUF architecture '%2' is not one Strata reads (it reads %3).")
                        .arg(QDir::toNativeSeparators(src.path), arch, LlamaModel::supportedGgufArchitectures().join(QStringLiteral(", "))));
    auto key = [&](const char *k) { return arch + QLatin1Char('.') + QString::fromLatin1(k); };
    ModelInfo &i = d.info;
    i.nLayers = int(g.requireInt(key("block_count")));
    i.dModel = int(g.requireInt(key("embedding_length")));
    i.nHeads = int(g.requireInt(key("attention.head_count")));
    i.nKvHeads = int(g.optionalInt(key("attention.head_count_kv"), i.nHeads));
    i.dMlp = int(g.requireInt(key("feed_forward_length")));
    i.contextLength = int(g.optionalInt(key("context_length"), 2048));
    if (i.nLayers <= 0 || i.nHeads <= 0 || i.nKvHeads <= 0 || i.dModel % i.nHeads || i.nHeads % i.nKvHeads)
        throw Error(
            QStringLiteral("%1: inconsistent attention metadata (%2 heads, %3 KV heads, width %4).").arg(src.path).arg(i.nHeads).arg(i.nKvHeads).arg(i.dModel));
    i.headDim = int(g.optionalInt(key("attention.key_length"), i.dModel / i.nHeads));
    d.eps = g.optionalDouble(key("attention.layer_norm_rms_epsilon"), 1e-5);
    d.theta = g.optionalDouble(key("rope.freq_base"), 10000);
    d.rotaryDims = int(g.optionalInt(key("rope.dimension_count"), i.headDim));
    // llama.cpp's converter permutes Llama's Q/K back to adjacent pairs; Qwen2 keeps rotate-half.
    d.rope = arch == QLatin1String("qwen2") ? ops::RopeStyle::RotateHalf : ops::RopeStyle::AdjacentPairs;

    const QString tokModel = g.metadata(QStringLiteral("tokenizer.ggml.model")).toString();
    if (tokModel == QLatin1String("llama")) {
        auto tok = std::make_unique<SentencePieceTokenizer>();
        tok->loadFromGguf(g);
        d.tokenizer = std::move(tok);
    } else if (tokModel == QLatin1String("gpt2")) { // byte-level BPE: Llama 3, Qwen2, SmolLM
        auto tok = std::make_unique<ByteLevelBpeTokenizer>();
        tok->loadFromGguf(g);
        d.tokenizer = std::move(tok);
    } else {
        throw Error(QStringLiteral("%1: GGUF tokenizer '%2' is not supported (SentencePiece 'llama' and byte-level BPE 'gpt2' are).")
                        .arg(QDir::toNativeSeparators(src.path), tokModel));
    }

    const int64_t D = i.dModel, V = d.tokenizer->vocabSize(), hd = i.headDim, F = i.dMlp;
    d.embed = Weight::fromGguf(g, QStringLiteral("token_embd.weight"), {V, D});
    i.vocabSize = V;
    for (int l = 0; l < i.nLayers; ++l) {
        if (control)
            control->throwIfCancelled();
        const QString p = QStringLiteral("blk.%1.").arg(l);
        Layer L;
        L.attnNorm = ggufVector(g, p + QStringLiteral("attn_norm.weight"), {D});
        L.wq = Weight::fromGguf(g, p + QStringLiteral("attn_q.weight"), {i.nHeads * hd, D});
        L.wk = Weight::fromGguf(g, p + QStringLiteral("attn_k.weight"), {i.nKvHeads * hd, D});
        L.wv = Weight::fromGguf(g, p + QStringLiteral("attn_v.weight"), {i.nKvHeads * hd, D});
        L.wo = Weight::fromGguf(g, p + QStringLiteral("attn_output.weight"), {D, i.nHeads * hd});
        if (g.contains(p + QStringLiteral("attn_q.bias"))) {
            L.bq = ggufVector(g, p + QStringLiteral("attn_q.bias"), {i.nHeads * hd});
            L.bk = ggufVector(g, p + QStringLiteral("attn_k.bias"), {i.nKvHeads * hd});
            L.bv = ggufVector(g, p + QStringLiteral("attn_v.bias"), {i.nKvHeads * hd});
        }
        L.ffnNorm = ggufVector(g, p + QStringLiteral("ffn_norm.weight"), {D});
        L.wGate = Weight::fromGguf(g, p + QStringLiteral("ffn_gate.weight"), {F, D});
        L.wUp = Weight::fromGguf(g, p + QStringLiteral("ffn_up.weight"), {F, D});
        L.wDown = Weight::fromGguf(g, p + QStringLiteral("ffn_down.weight"), {D, F});
        d.layers.push_back(L);
        if (control)
            control->report(0.1 + 0.85 * (l + 1) / i.nLayers, QStringLiteral("Layer %1").arg(l));
    }
    d.finalNorm = ggufVector(g, QStringLiteral("output_norm.weight"), {D});
    if (g.contains(QStringLiteral("output.weight"))) {
        d.output = Weight::fromGguf(g, QStringLiteral("output.weight"), {V, D}).dense();
    } else { // tied: one dense matrix serves both
        d.output = d.embed.dense();
        d.embed = Weight(d.output);
    }
    i.architecture = arch;
    i.dtype = g.typeMixSummary();
    i.fileBytes = g.fileSize();
    i.fingerprint = weightsFingerprint({src.path});
    i.name = QFileInfo(src.path).completeBaseName();
    const QString license = g.metadata(QStringLiteral("general.license")).toString();
    i.licenseText = license;
}

void loadFromHf(LlamaModel::Impl &d, const ModelSource &src, const JobControl *control)
{
    const HfConfig cfg = HfConfig::load(src.filePath(QStringLiteral("config.json")));
    ModelInfo &i = d.info;
    i.nLayers = cfg.requireInt({QStringLiteral("num_hidden_layers")});
    i.dModel = cfg.requireInt({QStringLiteral("hidden_size")});
    i.nHeads = cfg.requireInt({QStringLiteral("num_attention_heads")});
    i.nKvHeads = cfg.optionalInt({QStringLiteral("num_key_value_heads")}, i.nHeads);
    i.dMlp = cfg.requireInt({QStringLiteral("intermediate_size")});
    i.contextLength = cfg.optionalInt({QStringLiteral("max_position_embeddings")}, 2048);
    i.vocabSize = cfg.requireInt({QStringLiteral("vocab_size")});
    if (i.dModel % i.nHeads || i.nHeads % i.nKvHeads)
        throw Error(QStringLiteral("%1: %2 heads and %3 KV heads do not divide width %4.").arg(cfg.path()).arg(i.nHeads).arg(i.nKvHeads).arg(i.dModel));
    i.headDim = cfg.optionalInt({QStringLiteral("head_dim")}, i.dModel / i.nHeads);
    d.eps = cfg.optionalDouble({QStringLiteral("rms_norm_eps")}, 1e-6);
    d.theta = cfg.optionalDouble({QStringLiteral("rope_theta")}, 10000);
    d.rotaryDims = i.headDim;
    d.rope = ops::RopeStyle::RotateHalf;
    // Mistral's sliding window (null in later Mistral releases: full attention); Qwen2 only with use_sliding_window.
    const QJsonValue window = cfg.json().value(QLatin1String("sliding_window"));
    const QString modelType = cfg.json().value(QLatin1String("model_type")).toString();
    const bool windowed = modelType == QLatin1String("mistral") || cfg.json().value(QLatin1String("use_sliding_window")).toBool(false);
    if (windowed && window.isDouble() && window.toInt() > 0 && window.toInt() < i.contextLength)
        i.slidingWindow = window.toInt();
    const QJsonValue scaling = cfg.json().value(QLatin1String("rope_scaling"));
    if (scaling.isObject())
        throw Error(
            QStringLiteral("%1: rope_scaling (%2) is not supported yet.").arg(cfg.path(), scaling.toObject().value(QLatin1String("rope_type")).toString()));

    const QString tj = src.filePath(QStringLiteral("tokenizer.json"));
    std::unique_ptr<Tokenizer> tok;
    try {
        auto sp = std::make_unique<SentencePieceTokenizer>();
        sp->loadFromTokenizerJson(tj);
        tok = std::move(sp);
    } catch (const Error &) {
        tok = HfFolder::loadByteLevelTokenizer(src.path); // Llama 3 / Qwen2 / SmolLM: byte-level BPE
    }
    d.tokenizer = std::move(tok);

    d.ckpt.openFolder(src.path);
    auto W = [&](const QString &n, const std::vector<int64_t> &shape) { return loadWeight(d.ckpt, n, shape); };
    const int64_t D = i.dModel, V = i.vocabSize, hd = i.headDim, F = i.dMlp;
    d.embed = W(QStringLiteral("model.embed_tokens.weight"), {V, D});
    for (int l = 0; l < i.nLayers; ++l) {
        if (control)
            control->throwIfCancelled();
        const QString p = QStringLiteral("model.layers.%1.").arg(l);
        Layer L;
        L.attnNorm = W(p + QStringLiteral("input_layernorm.weight"), {D});
        L.wq = W(p + QStringLiteral("self_attn.q_proj.weight"), {i.nHeads * hd, D});
        L.wk = W(p + QStringLiteral("self_attn.k_proj.weight"), {i.nKvHeads * hd, D});
        L.wv = W(p + QStringLiteral("self_attn.v_proj.weight"), {i.nKvHeads * hd, D});
        L.wo = W(p + QStringLiteral("self_attn.o_proj.weight"), {D, i.nHeads * hd});
        if (d.ckpt.contains(p + QStringLiteral("self_attn.q_proj.bias"))) {
            L.bq = W(p + QStringLiteral("self_attn.q_proj.bias"), {i.nHeads * hd});
            L.bk = W(p + QStringLiteral("self_attn.k_proj.bias"), {i.nKvHeads * hd});
            L.bv = W(p + QStringLiteral("self_attn.v_proj.bias"), {i.nKvHeads * hd});
        }
        L.ffnNorm = W(p + QStringLiteral("post_attention_layernorm.weight"), {D});
        L.wGate = W(p + QStringLiteral("mlp.gate_proj.weight"), {F, D});
        L.wUp = W(p + QStringLiteral("mlp.up_proj.weight"), {F, D});
        L.wDown = W(p + QStringLiteral("mlp.down_proj.weight"), {D, F});
        d.layers.push_back(L);
        if (control)
            control->report(0.1 + 0.85 * (l + 1) / i.nLayers, QStringLiteral("Layer %1").arg(l));
    }
    d.finalNorm = W(QStringLiteral("model.norm.weight"), {D});
    const bool tied = cfg.optionalBool(QStringLiteral("tie_word_embeddings"), false);
    if (d.ckpt.contains(QStringLiteral("lm_head.weight")) && !tied)
        d.output = W(QStringLiteral("lm_head.weight"), {V, D});
    else if (tied || !d.ckpt.contains(QStringLiteral("lm_head.weight")))
        d.output = d.embed.dense();
    i.architecture = cfg.architectures().value(0, cfg.modelType());
    i.dtype = dtypeName(d.ckpt.info(QStringLiteral("model.embed_tokens.weight")).dtype);
    i.fileBytes = d.ckpt.totalBytes();
    i.fingerprint = weightsFingerprint(d.ckpt.files());
    i.name = src.hubId.isEmpty() ? QFileInfo(src.path).fileName() : src.hubId;
    i.licenseText = HfFolder::licenseText(src.path);
}

} // namespace

std::unique_ptr<LlamaModel> LlamaModel::load(const ModelSource &source, const JobControl *control)
{
    std::unique_ptr<LlamaModel> m(new LlamaModel);
    if (source.isFolder())
        loadFromHf(*m->d, source, control);
    else
        loadFromGguf(*m->d, source, control);
    ModelInfo &i = m->d->info;
    i.family = QStringLiteral("llama");
    i.location = source.location;
    i.path = source.path;
    int64_t params = 0;
    auto count = [&](const at::Tensor &t) { params += t.defined() ? t.numel() : 0; };
    params += m->d->embed.numel();
    count(m->d->finalNorm);
    if (m->d->embed.stored() || !m->d->output.is_same(m->d->embed.dense()))
        count(m->d->output);
    for (const Layer &L : m->d->layers) {
        for (const at::Tensor *t : {&L.attnNorm, &L.bq, &L.bk, &L.bv, &L.ffnNorm})
            count(*t);
        for (const Weight *w : {&L.wq, &L.wk, &L.wv, &L.wo, &L.wGate, &L.wUp, &L.wDown})
            params += w->numel();
    }
    i.parameterCount = params;
    const ComputeRuntime::Compute c = ops::chooseCompute(i, source);
    for (Layer &L : m->d->layers)
        for (Weight *w : {&L.wq, &L.wk, &L.wv, &L.wo, &L.wGate, &L.wUp, &L.wDown})
            w->setCompute(c);
    return m;
}

at::Tensor LlamaModel::forwardSites(const at::Tensor &ids, SiteHooks &hooks, const JobControl *control)
{
    const Impl &i = *d;
    ops::checkInput(ids, i.info);
    const int64_t B = ids.size(0), T = ids.size(1);
    const int64_t hd = i.info.headDim, Hq = i.info.nHeads, Hkv = i.info.nKvHeads;
    at::Tensor x = i.embed.rows(ids); // [B, T, D]
    hooks.visit(Site::Embed, -1, x, {});
    for (size_t l = 0; l < i.layers.size(); ++l) {
        if (control) {
            control->throwIfCancelled();
            control->report(double(l) / double(i.layers.size() + 1), QStringLiteral("Layer %1").arg(l));
        }
        const Layer &L = i.layers[l];
        const int li = int(l);
        hooks.visit(Site::ResidPre, li, x, {});
        const at::Tensor h = ops::rmsNorm(x, L.attnNorm, i.eps);
        at::Tensor q = L.wq.linear(h, L.bq).view({B, T, Hq, hd});
        at::Tensor k = L.wk.linear(h, L.bk).view({B, T, Hkv, hd});
        const at::Tensor v = L.wv.linear(h, L.bv).view({B, T, Hkv, hd});
        q = ops::rotary(q, i.rotaryDims, i.theta, i.rope);
        k = ops::rotary(k, i.rotaryDims, i.theta, i.rope);
        at::Tensor probs = ops::causalProbs(q.transpose(1, 2), k.transpose(1, 2), i.info.slidingWindow, ops::computeOf(i.info));
        const at::Tensor own = probs;
        hooks.visit(Site::Attn, li, probs, {});
        at::Tensor z =
            ops::mixValues(probs, v.transpose(1, 2), ops::mixWindow(i.info, probs, own, i.info.slidingWindow), ops::computeOf(i.info)); // [B, T, Hq, hd]
        const at::Tensor wo = L.wo.denseTransient();
        hooks.visit(Site::Z, li, z, wo.t());
        at::Tensor attnOut = ops::linear(z.reshape({B, T, Hq * hd}), wo); // bf16 when wo is (a dense bf16 model)
        hooks.visit(Site::AttnOut, li, attnOut, {});
        x = x + attnOut;
        hooks.visit(Site::ResidMid, li, x, {});
        const at::Tensor h2 = ops::rmsNorm(x, L.ffnNorm, i.eps);
        at::Tensor act = at::silu(L.wGate.linear(h2)) * L.wUp.linear(h2);
        hooks.visit(Site::MlpPost, li, act, {});
        at::Tensor mlpOut = L.wDown.linear(act);
        hooks.visit(Site::MlpOut, li, mlpOut, {});
        x = x + mlpOut;
        hooks.visit(Site::ResidPost, li, x, {});
    }
    at::Tensor fin = ops::rmsNorm(x, i.finalNorm, i.eps);
    hooks.visit(Site::FinalNorm, -1, fin, {});
    return fin;
}

at::Tensor LlamaModel::unembeddingMatrix() const
{
    return d->output;
}

HostTensor LlamaModel::unembed(const HostTensor &residual)
{
    at::InferenceMode guard;
    const at::Tensor x = fromHost(residual).to(at::kFloat);
    const Impl &i = *d;
    return toHost(at::mm(ops::rmsNorm(x, i.finalNorm, i.eps), i.output.t()));
}

} // namespace strata
