#include "util/AtenInclude.h" // first: shields torch from Qt's `slots`

#include "Gpt2Model.h"

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

#include <QDir>
#include <QFileInfo>

#include <cmath>

namespace strata {

namespace {
struct Block
{
    at::Tensor ln1w, ln1b, attnW, attnB, projW, projB, ln2w, ln2b, fcW, fcB, fcProjW, fcProjB;
};
} // namespace

struct Gpt2Model::Impl
{
    ModelInfo info;
    std::unique_ptr<Tokenizer> tokenizer;
    SafetensorsCheckpoint ckpt; // owns the memory maps the weights point into
    at::Tensor wte, wpe, lnfW, lnfB, lmHead;
    std::vector<Block> blocks;
    double lnEps = 1e-5;
    int nHead = 0;
};

Gpt2Model::Gpt2Model() : d(std::make_unique<Impl>()) {}
Gpt2Model::~Gpt2Model() = default;
const ModelInfo &Gpt2Model::info() const
{
    return d->info;
}
const Tokenizer &Gpt2Model::tokenizer() const
{
    return *d->tokenizer;
}

std::unique_ptr<Gpt2Model> Gpt2Model::load(const ModelSource &source, const JobControl *control)
{
    std::unique_ptr<Gpt2Model> m(new Gpt2Model);
    Impl &d = *m->d;
    const QString folder = source.path;
    const HfConfig cfg = HfConfig::load(source.filePath(QStringLiteral("config.json")));
    const int nLayer = cfg.requireInt({QStringLiteral("n_layer"), QStringLiteral("num_hidden_layers")});
    const int nHead = cfg.requireInt({QStringLiteral("n_head"), QStringLiteral("num_attention_heads")});
    const int dModel = cfg.requireInt({QStringLiteral("n_embd"), QStringLiteral("hidden_size")});
    const int nPos = cfg.requireInt({QStringLiteral("n_positions"), QStringLiteral("max_position_embeddings")});
    const int vocab = cfg.requireInt({QStringLiteral("vocab_size")});
    const int dMlp = cfg.optionalInt({QStringLiteral("n_inner")}, 4 * dModel);
    if (dModel % nHead != 0)
        throw Error(QStringLiteral("%1: n_embd (%2) is not divisible by n_head (%3).").arg(cfg.path()).arg(dModel).arg(nHead));
    const QString act = cfg.optionalString(QStringLiteral("activation_function"), QStringLiteral("gelu_new"));
    if (act != QLatin1String("gelu_new") && act != QLatin1String("gelu_pytorch_tanh") && act != QLatin1String("gelu_fast"))
        throw Error(QStringLiteral("%1: activation_function '%2' is not supported (GPT-2 uses gelu_new).").arg(cfg.path(), act));
    d.lnEps = cfg.optionalDouble({QStringLiteral("layer_norm_epsilon")}, 1e-5);
    d.nHead = nHead;

    if (control)
        control->report(0.05, QStringLiteral("Reading tokenizer"));
    d.tokenizer = HfFolder::loadByteLevelTokenizer(folder);
    if (d.tokenizer->vocabSize() > vocab)
        throw Error(QStringLiteral("%1: the tokenizer has %2 tokens but config.json says vocab_size %3.").arg(folder).arg(d.tokenizer->vocabSize()).arg(vocab));

    if (control)
        control->report(0.2, QStringLiteral("Mapping weights"));
    d.ckpt.openFolder(folder);
    const QString prefix = d.ckpt.contains(QStringLiteral("transformer.wte.weight")) ? QStringLiteral("transformer.") : QString();
    auto W = [&](const QString &name, const std::vector<int64_t> &shape) { return loadWeight(d.ckpt, prefix + name, shape); };
    const int64_t D = dModel;
    d.wte = W(QStringLiteral("wte.weight"), {vocab, D});
    d.wpe = W(QStringLiteral("wpe.weight"), {nPos, D});
    for (int l = 0; l < nLayer; ++l) {
        if (control)
            control->throwIfCancelled();
        const QString p = QStringLiteral("h.%1.").arg(l);
        Block b;
        b.ln1w = W(p + QStringLiteral("ln_1.weight"), {D});
        b.ln1b = W(p + QStringLiteral("ln_1.bias"), {D});
        b.attnW = W(p + QStringLiteral("attn.c_attn.weight"), {D, 3 * D});
        b.attnB = W(p + QStringLiteral("attn.c_attn.bias"), {3 * D});
        b.projW = W(p + QStringLiteral("attn.c_proj.weight"), {D, D});
        b.projB = W(p + QStringLiteral("attn.c_proj.bias"), {D});
        b.ln2w = W(p + QStringLiteral("ln_2.weight"), {D});
        b.ln2b = W(p + QStringLiteral("ln_2.bias"), {D});
        b.fcW = W(p + QStringLiteral("mlp.c_fc.weight"), {D, dMlp});
        b.fcB = W(p + QStringLiteral("mlp.c_fc.bias"), {dMlp});
        b.fcProjW = W(p + QStringLiteral("mlp.c_proj.weight"), {dMlp, D});
        b.fcProjB = W(p + QStringLiteral("mlp.c_proj.bias"), {D});
        d.blocks.push_back(b);
        if (control)
            control->report(0.2 + 0.7 * (l + 1) / nLayer, QStringLiteral("Layer %1").arg(l));
    }
    d.lnfW = W(QStringLiteral("ln_f.weight"), {D});
    d.lnfB = W(QStringLiteral("ln_f.bias"), {D});
    const bool tied = cfg.optionalBool(QStringLiteral("tie_word_embeddings"), true);
    if (d.ckpt.contains(QStringLiteral("lm_head.weight")) && !tied)
        d.lmHead = loadWeight(d.ckpt, QStringLiteral("lm_head.weight"), {vocab, D});
    else
        d.lmHead = d.wte;

    // Extra tensors that are not GPT-2's tell us the folder is something else mislabelled.
    int64_t params = 0;
    for (const QString &n : d.ckpt.tensorNames()) {
        const TensorInfo &ti = d.ckpt.info(n);
        if (n.endsWith(QLatin1String(".attn.bias")) || n.endsWith(QLatin1String(".attn.masked_bias")))
            continue; // HF stores the causal mask as a buffer
        int64_t k = 1;
        for (int64_t s : ti.shape)
            k *= s;
        params += k;
    }

    ModelInfo &info = d.info;
    info.family = QStringLiteral("gpt2");
    info.architecture = cfg.architectures().value(0, QStringLiteral("GPT2LMHeadModel"));
    info.location = source.location;
    info.path = folder;
    info.name = source.hubId.isEmpty() ? QFileInfo(folder).fileName() : source.hubId;
    info.nLayers = nLayer;
    info.nHeads = nHead;
    info.nKvHeads = nHead;
    info.dModel = dModel;
    info.dMlp = dMlp;
    info.headDim = dModel / nHead;
    info.vocabSize = vocab;
    info.contextLength = nPos;
    info.parameterCount = params;
    info.dtype = dtypeName(d.ckpt.info(prefix + QStringLiteral("wte.weight")).dtype);
    info.fileBytes = d.ckpt.totalBytes();
    info.fingerprint = weightsFingerprint(d.ckpt.files());
    info.licenseText = HfFolder::licenseText(folder);
    const ComputeRuntime::Compute c = ops::chooseCompute(info, source);
    for (Block &b : d.blocks)
        for (at::Tensor *w : {&b.attnW, &b.projW, &b.fcW, &b.fcProjW})
            *w = ops::forCompute(*w, c);
    if (control)
        control->report(1.0, QString());
    return m;
}

at::Tensor Gpt2Model::forwardSites(const at::Tensor &ids, SiteHooks &hooks, const JobControl *control)
{
    const Impl &i = *d;
    ops::checkInput(ids, i.info);
    const int64_t B = ids.size(0), T = ids.size(1);
    const int64_t D = i.info.dModel;
    const int64_t H = i.nHead;
    const int64_t dh = D / H;
    const double eps = i.lnEps;
    const ComputeRuntime::Compute compute = ops::computeOf(i.info);

    at::Tensor x = at::embedding(i.wte, ids) + i.wpe.narrow(0, 0, T); // [B, T, D]
    hooks.visit(Site::Embed, -1, x, {});
    for (size_t l = 0; l < i.blocks.size(); ++l) {
        if (control) {
            control->throwIfCancelled();
            control->report(double(l) / double(i.blocks.size() + 1), QStringLiteral("Layer %1").arg(l));
        }
        const Block &b = i.blocks[l];
        const int L = int(l);
        hooks.visit(Site::ResidPre, L, x, {});
        const at::Tensor h = at::layer_norm(x, {D}, b.ln1w, b.ln1b, eps);
        const auto parts = ops::conv1d(h, b.attnW, b.attnB).split(D, -1);  // q | k | v, each [B, T, D]
        const at::Tensor q = parts[0].view({B, T, H, dh}).transpose(1, 2); // [B, H, T, dh]
        const at::Tensor k = parts[1].view({B, T, H, dh}).transpose(1, 2);
        const at::Tensor v = parts[2].view({B, T, H, dh}).transpose(1, 2);
        at::Tensor attn = ops::causalProbs(q, k, 0, compute);
        const at::Tensor probs = attn;
        hooks.visit(Site::Attn, L, attn, {});
        at::Tensor z = ops::mixValues(attn, v, ops::mixWindow(i.info, attn, probs), compute); // [B, T, H, dh]
        hooks.visit(Site::Z, L, z, b.projW);
        at::Tensor attnOut = ops::conv1d(z.reshape({B, T, D}), b.projW, b.projB);
        hooks.visit(Site::AttnOut, L, attnOut, {});
        x = x + attnOut;
        hooks.visit(Site::ResidMid, L, x, {});
        const at::Tensor h2 = at::layer_norm(x, {D}, b.ln2w, b.ln2b, eps);
        at::Tensor act = ops::conv1d(h2, b.fcW, b.fcB, ops::Activation::GeluTanh);
        hooks.visit(Site::MlpPost, L, act, {});
        at::Tensor mlpOut = ops::conv1d(act, b.fcProjW, b.fcProjB);
        hooks.visit(Site::MlpOut, L, mlpOut, {});
        x = x + mlpOut;
        hooks.visit(Site::ResidPost, L, x, {});
    }
    at::Tensor fin = at::layer_norm(x, {D}, i.lnfW, i.lnfB, eps);
    hooks.visit(Site::FinalNorm, -1, fin, {});
    return fin;
}

at::Tensor Gpt2Model::unembeddingMatrix() const
{
    return d->lmHead;
}

HostTensor Gpt2Model::unembed(const HostTensor &residual)
{
    at::InferenceMode guard;
    const at::Tensor x = fromHost(residual).to(at::kFloat);
    const Impl &i = *d;
    const ModelInfo &info = i.info;
    return toHost(at::mm(at::layer_norm(x, {info.dModel}, i.lnfW, i.lnfB, i.lnEps), i.lmHead.t()));
}

} // namespace strata
