#include "util/AtenInclude.h" // first: shields torch from Qt's `slots`

#include "NeoxModel.h"

#include "jobs/JobControl.h"
#include "model/HfConfig.h"
#include "model/HfFolder.h"
#include "model/SiteHooks.h"
#include "model/TensorBridge.h"
#include "model/TransformerOps.h"
#include "model/WeightsFingerprint.h"
#include "tensor/SafetensorsReader.h"
#include "tokenize/Tokenizer.h"
#include "util/Error.h"

#include <QFileInfo>

namespace strata {

namespace {
struct Layer
{
    at::Tensor ln1w, ln1b, ln2w, ln2b, qkvW, qkvB, denseW, denseB, upW, upB, downW, downB;
};
} // namespace

struct NeoxModel::Impl
{
    ModelInfo info;
    std::unique_ptr<Tokenizer> tokenizer;
    SafetensorsCheckpoint ckpt;
    at::Tensor embed, lnfW, lnfB, unembed;
    std::vector<Layer> layers;
    double eps = 1e-5;
    double theta = 10000;
    int rotaryDims = 0;
    bool parallel = true;
    QString act;

    // The MLP's neurons after the nonlinearity (the mlp_post site); the down projection follows.
    at::Tensor mlpHidden(const Layer &L, const at::Tensor &h) const
    {
        const ops::Activation a = act == QLatin1String("gelu")   ? ops::Activation::GeluErf
                                  : act == QLatin1String("relu") ? ops::Activation::Relu
                                                                 : ops::Activation::GeluTanh;
        return ops::linear(h, L.upW, L.upB, a);
    }
};

NeoxModel::NeoxModel() : d(std::make_unique<Impl>()) {}
NeoxModel::~NeoxModel() = default;
const ModelInfo &NeoxModel::info() const
{
    return d->info;
}
const Tokenizer &NeoxModel::tokenizer() const
{
    return *d->tokenizer;
}

std::unique_ptr<NeoxModel> NeoxModel::load(const ModelSource &source, const JobControl *control)
{
    std::unique_ptr<NeoxModel> m(new NeoxModel);
    Impl &d = *m->d;
    const HfConfig cfg = HfConfig::load(source.filePath(QStringLiteral("config.json")));
    ModelInfo &i = d.info;
    i.nLayers = cfg.requireInt({QStringLiteral("num_hidden_layers")});
    i.dModel = cfg.requireInt({QStringLiteral("hidden_size")});
    i.nHeads = cfg.requireInt({QStringLiteral("num_attention_heads")});
    i.nKvHeads = i.nHeads;
    i.dMlp = cfg.requireInt({QStringLiteral("intermediate_size")});
    i.vocabSize = cfg.requireInt({QStringLiteral("vocab_size")});
    i.contextLength = cfg.optionalInt({QStringLiteral("max_position_embeddings")}, 2048);
    if (i.dModel % i.nHeads)
        throw Error(QStringLiteral("%1: hidden_size %2 is not divisible by %3 heads.").arg(cfg.path()).arg(i.dModel).arg(i.nHeads));
    i.headDim = i.dModel / i.nHeads;
    d.eps = cfg.optionalDouble({QStringLiteral("layer_norm_eps")}, 1e-5);
    d.theta = cfg.optionalDouble({QStringLiteral("rotary_emb_base"), QStringLiteral("rope_theta")}, 10000);
    d.rotaryDims = int(i.headDim * cfg.optionalDouble({QStringLiteral("rotary_pct")}, 0.25));
    d.rotaryDims -= d.rotaryDims % 2;
    d.parallel = cfg.optionalBool(QStringLiteral("use_parallel_residual"), true);
    d.act = cfg.optionalString(QStringLiteral("hidden_act"), QStringLiteral("gelu"));
    if (d.act != QLatin1String("gelu") && d.act != QLatin1String("gelu_new") && d.act != QLatin1String("gelu_fast") && d.act != QLatin1String("relu"))
        throw Error(QStringLiteral("%1: hidden_act '%2' is not supported.").arg(cfg.path(), d.act));
    d.tokenizer = HfFolder::loadByteLevelTokenizer(source.path);
    d.ckpt.openFolder(source.path);
    auto W = [&](const QString &n, const std::vector<int64_t> &shape) { return loadWeight(d.ckpt, n, shape); };
    const int64_t D = i.dModel, V = i.vocabSize, F = i.dMlp;
    d.embed = W(QStringLiteral("gpt_neox.embed_in.weight"), {V, D});
    for (int l = 0; l < i.nLayers; ++l) {
        if (control)
            control->throwIfCancelled();
        const QString p = QStringLiteral("gpt_neox.layers.%1.").arg(l);
        Layer L;
        L.ln1w = W(p + QStringLiteral("input_layernorm.weight"), {D});
        L.ln1b = W(p + QStringLiteral("input_layernorm.bias"), {D});
        L.ln2w = W(p + QStringLiteral("post_attention_layernorm.weight"), {D});
        L.ln2b = W(p + QStringLiteral("post_attention_layernorm.bias"), {D});
        L.qkvW = W(p + QStringLiteral("attention.query_key_value.weight"), {3 * D, D});
        L.qkvB = W(p + QStringLiteral("attention.query_key_value.bias"), {3 * D});
        L.denseW = W(p + QStringLiteral("attention.dense.weight"), {D, D});
        L.denseB = W(p + QStringLiteral("attention.dense.bias"), {D});
        L.upW = W(p + QStringLiteral("mlp.dense_h_to_4h.weight"), {F, D});
        L.upB = W(p + QStringLiteral("mlp.dense_h_to_4h.bias"), {F});
        L.downW = W(p + QStringLiteral("mlp.dense_4h_to_h.weight"), {D, F});
        L.downB = W(p + QStringLiteral("mlp.dense_4h_to_h.bias"), {D});
        d.layers.push_back(L);
        if (control)
            control->report(0.1 + 0.85 * (l + 1) / i.nLayers, QStringLiteral("Layer %1").arg(l));
    }
    d.lnfW = W(QStringLiteral("gpt_neox.final_layer_norm.weight"), {D});
    d.lnfB = W(QStringLiteral("gpt_neox.final_layer_norm.bias"), {D});
    d.unembed = W(QStringLiteral("embed_out.weight"), {V, D});
    int64_t params = 0;
    for (const QString &n : d.ckpt.tensorNames()) {
        if (n.contains(QLatin1String("attention.bias")) || n.contains(QLatin1String("masked_bias")) || n.contains(QLatin1String("rotary_emb")))
            continue;
        int64_t k = 1;
        for (int64_t s : d.ckpt.info(n).shape)
            k *= s;
        params += k;
    }
    i.family = QStringLiteral("neox");
    i.architecture = cfg.architectures().value(0, QStringLiteral("GPTNeoXForCausalLM"));
    i.location = source.location;
    i.path = source.path;
    i.name = source.hubId.isEmpty() ? QFileInfo(source.path).fileName() : source.hubId;
    i.parameterCount = params;
    i.dtype = dtypeName(d.ckpt.info(QStringLiteral("gpt_neox.embed_in.weight")).dtype);
    i.fileBytes = d.ckpt.totalBytes();
    i.fingerprint = weightsFingerprint(d.ckpt.files());
    i.licenseText = HfFolder::licenseText(source.path);
    const ComputeRuntime::Compute c = ops::chooseCompute(i, source);
    for (Layer &L : d.layers)
        for (at::Tensor *w : {&L.qkvW, &L.denseW, &L.upW, &L.downW})
            *w = ops::forCompute(*w, c);
    return m;
}

at::Tensor NeoxModel::forwardSites(const at::Tensor &ids, SiteHooks &hooks, const JobControl *control)
{
    const Impl &i = *d;
    ops::checkInput(ids, i.info);
    const int64_t B = ids.size(0), T = ids.size(1), D = i.info.dModel, H = i.info.nHeads, hd = i.info.headDim;
    at::Tensor x = at::embedding(i.embed, ids); // [B, T, D]
    hooks.visit(Site::Embed, -1, x, {});
    for (size_t l = 0; l < i.layers.size(); ++l) {
        if (control) {
            control->throwIfCancelled();
            control->report(double(l) / double(i.layers.size() + 1), QStringLiteral("Layer %1").arg(l));
        }
        const Layer &L = i.layers[l];
        const int li = int(l);
        hooks.visit(Site::ResidPre, li, x, {});
        const at::Tensor h = at::layer_norm(x, {D}, L.ln1w, L.ln1b, i.eps);
        const at::Tensor qkv = ops::linear(h, L.qkvW, L.qkvB).view({B, T, H, 3 * hd}); // per head [q | k | v]
        at::Tensor q = qkv.narrow(-1, 0, hd), k = qkv.narrow(-1, hd, hd);
        const at::Tensor v = qkv.narrow(-1, 2 * hd, hd);
        q = ops::rotary(q.contiguous(), i.rotaryDims, i.theta, ops::RopeStyle::RotateHalf);
        k = ops::rotary(k.contiguous(), i.rotaryDims, i.theta, ops::RopeStyle::RotateHalf);
        at::Tensor probs = ops::causalProbs(q.transpose(1, 2), k.transpose(1, 2), 0, ops::computeOf(i.info));
        const at::Tensor own = probs;
        hooks.visit(Site::Attn, li, probs, {});
        at::Tensor z = ops::mixValues(probs, v.transpose(1, 2), ops::mixWindow(i.info, probs, own), ops::computeOf(i.info)); // [B, T, H, hd]
        hooks.visit(Site::Z, li, z, L.denseW.t());
        at::Tensor attnOut = ops::linear(z.reshape({B, T, H * hd}), L.denseW, L.denseB);
        hooks.visit(Site::AttnOut, li, attnOut, {});
        at::Tensor mid = x + attnOut; // with a parallel residual, resid_mid is resid_pre + attn_out (the MLP does not read it)
        hooks.visit(Site::ResidMid, li, mid, {});
        const at::Tensor mlpIn = at::layer_norm(i.parallel ? x : mid, {D}, L.ln2w, L.ln2b, i.eps);
        at::Tensor act = i.mlpHidden(L, mlpIn);
        hooks.visit(Site::MlpPost, li, act, {});
        at::Tensor mlpOut = ops::linear(act, L.downW, L.downB);
        hooks.visit(Site::MlpOut, li, mlpOut, {});
        x = mid + mlpOut;
        hooks.visit(Site::ResidPost, li, x, {});
    }
    at::Tensor fin = at::layer_norm(x, {D}, i.lnfW, i.lnfB, i.eps);
    hooks.visit(Site::FinalNorm, -1, fin, {});
    return fin;
}

at::Tensor NeoxModel::unembeddingMatrix() const
{
    return d->unembed;
}

HostTensor NeoxModel::unembed(const HostTensor &residual)
{
    at::InferenceMode guard;
    const at::Tensor x = fromHost(residual).to(at::kFloat);
    const Impl &i = *d;
    const ModelInfo &info = i.info;
    return toHost(at::mm(at::layer_norm(x, {info.dModel}, i.lnfW, i.lnfB, i.eps), i.unembed.t()));
}

} // namespace strata
