#include "util/AtenInclude.h" // first: shields torch from Qt's `slots`

#include "ModelFamily.h"
#include "SiteHooks.h"
#include "TensorBridge.h"
#include "Bf16Matmul.h"
#include "TransformerOps.h"
#include "jobs/JobControl.h"
#include "util/Error.h"

#include <QStringList>

#include <algorithm>
#include <cstring>

// What every family shares on top of its forward pass: capture into a Trace, interventions, batched
// variants and site capture are all users of the named sites the family's forwardSites calls.

namespace strata {

namespace {

QString shapeText(at::IntArrayRef s)
{
    QStringList parts;
    for (int64_t d : s)
        parts << QString::number(d);
    return QLatin1Char('[') + parts.join(QLatin1Char(',')) + QLatin1Char(']');
}

// Which entries of one row's activation (no batch dimension) the intervention changes.
at::Tensor selectionMask(const Intervention &iv, const at::Tensor &row)
{
    const Site s = iv.site.site;
    const int posDim = s == Site::Attn ? 1 : 0;
    const int headDim = s == Site::Attn ? 0 : s == Site::Z ? 1 : -1;
    const int64_t nd = row.dim();
    at::Tensor mask = at::ones(row.sizes(), at::kBool);
    auto restrict = [&](int dim, const std::vector<int> &idx, const char *what) {
        if (idx.empty())
            return;
        const int64_t n = row.size(dim);
        at::Tensor m = at::zeros({n}, at::kBool);
        bool *p = m.data_ptr<bool>();
        for (int i : idx) {
            if (i < 0 || i >= n)
                throw Error(QStringLiteral("%1: %2 %3 is out of range (0..%4).").arg(siteName(s, iv.site.layer), QLatin1String(what)).arg(i).arg(n - 1));
            p[i] = true;
        }
        std::vector<int64_t> shape(size_t(nd), 1);
        shape[size_t(dim)] = n;
        mask = mask & m.view(shape);
    };
    restrict(posDim, iv.positions, "position");
    if (!iv.heads.empty()) {
        if (headDim < 0)
            throw Error(QStringLiteral("%1 has no heads: heads apply to the attn and z sites.").arg(siteName(s, iv.site.layer)));
        restrict(headDim, iv.heads, "head");
    }
    if (!iv.neurons.empty()) {
        if (s == Site::Attn)
            throw Error(QStringLiteral("%1 has no neurons.").arg(siteName(s, iv.site.layer)));
        restrict(int(nd - 1), iv.neurons, "neuron");
    }
    return mask;
}

at::Tensor applyOne(const Intervention &iv, const at::Tensor &row)
{
    using K = Intervention::Kind;
    const at::Tensor mask = selectionMask(iv, row);
    at::Tensor value;
    if (iv.kind == K::Patch || iv.kind == K::Mean || iv.kind == K::Resample || iv.kind == K::Add) {
        if (iv.value.isEmpty())
            throw Error(QStringLiteral("%1 needs a value.").arg(iv.describe()));
        value = fromHost(iv.value).to(row.scalar_type());
        bool fits = value.dim() <= row.dim();
        for (int64_t i = 1; fits && i <= value.dim(); ++i)
            fits = value.size(-i) == 1 || value.size(-i) == row.size(-i);
        if (!fits)
            throw Error(QStringLiteral("%1: the value has shape %2, which does not fit the site's activation %3.")
                            .arg(iv.describe(), shapeText(value.sizes()), shapeText(row.sizes())));
    }
    switch (iv.kind) {
    case K::Zero:
        return row.masked_fill(mask, 0.0);
    case K::Patch:
    case K::Mean:
    case K::Resample:
        return at::where(mask, value, row);
    case K::Scale:
        return at::where(mask, row * iv.scale, row);
    case K::Add:
        return at::where(mask, row + value * iv.scale, row);
    }
    return row;
}

// Fills a Trace from batch row 0, as the families' inline capture code did before the sites. Notes
// the first site whose activation is not finite (NaN or Inf), which run() then reports.
class CaptureHooks final : public SiteHooks
{
public:
    CaptureHooks(Trace &t, const TraceOptions &o) : trace(t), opt(o) {}
    void visit(Site site, int layer, at::Tensor &act, const at::Tensor &outProjection) override
    {
        const DType st = opt.storage;
        const at::Tensor a = act.select(0, 0);
        if (firstNonFinite.isEmpty() && site != Site::Attn && site != Site::Z && !ops::allFinite(a))
            firstNonFinite = siteName(site, layer);
        if (site == Site::Embed) {
            trace.embed = toHost(a, st);
            return;
        }
        if (site == Site::FinalNorm) {
            finalNorm = a;
            return;
        }
        if (!opt.keepsLayer(layer))
            return;
        switch (site) {
        case Site::ResidPre:
            current = LayerTrace{};
            current.layer = layer;
            if (opt.residuals)
                current.residPre = toHost(a, st);
            break;
        case Site::Attn:
            if (opt.attention)
                current.attn = toHost(a, st);
            break;
        case Site::Z:
            if (opt.headOutputs) {
                const int64_t T = a.size(0), H = a.size(1), hd = a.size(2);
                current.headOut = toHost(ops::headOutputs(a.reshape({T, H * hd}), int(H), outProjection), st);
            }
            break;
        case Site::AttnOut:
            if (opt.residuals)
                current.attnOut = toHost(a, st);
            break;
        case Site::ResidMid:
            if (opt.residuals)
                current.residMid = toHost(a, st);
            break;
        case Site::MlpPost:
            if (opt.neurons)
                current.mlpPost = toHost(a, st);
            break;
        case Site::MlpOut:
            if (opt.residuals)
                current.mlpOut = toHost(a, st);
            break;
        case Site::ResidPost:
            if (opt.residuals)
                current.residPost = toHost(a, st);
            trace.layers.push_back(std::move(current));
            current = LayerTrace{};
            break;
        default:
            break;
        }
    }
    at::Tensor finalNorm;
    QString firstNonFinite;

private:
    Trace &trace;
    const TraceOptions &opt;
    LayerTrace current;
};

class CollectHooks final : public SiteHooks
{
public:
    explicit CollectHooks(const std::vector<SiteRef> &w) : want(w) {}
    void visit(Site site, int layer, at::Tensor &act, const at::Tensor &) override
    {
        const SiteRef here{site, siteHasLayer(site) ? layer : -1};
        if (std::find(want.begin(), want.end(), here) != want.end())
            got[here] = toHost(act.select(0, 0));
    }
    std::vector<SiteRef> want;
    std::map<SiteRef, HostTensor> got;
};

// Makes the embedding a leaf that requires a gradient and keeps the wanted sites' activations
// (their gradients retained) for one backward pass.
class GradHooks final : public SiteHooks
{
public:
    explicit GradHooks(const std::vector<SiteRef> &w) : want(w) {}
    void visit(Site site, int layer, at::Tensor &act, const at::Tensor &) override
    {
        if (site == Site::Embed)
            act = act.detach().requires_grad_(true);
        const SiteRef here{site, siteHasLayer(site) ? layer : -1};
        if (std::find(want.begin(), want.end(), here) == want.end())
            return;
        if (!act.is_leaf())
            act.retain_grad();
        kept[here] = act;
    }
    std::vector<SiteRef> want;
    std::map<SiteRef, at::Tensor> kept;
};

void checkInterventions(const std::vector<Intervention> &list, const ModelInfo &info)
{
    for (const Intervention &iv : list) {
        const bool layered = siteHasLayer(iv.site.site);
        if (layered && (iv.site.layer < 0 || iv.site.layer >= info.nLayers))
            throw Error(QStringLiteral("%1: this model has layers 0..%2.").arg(iv.describe()).arg(info.nLayers - 1));
        if (!layered && iv.site.layer >= 0)
            throw Error(QStringLiteral("%1: %2 takes no layer.").arg(iv.describe(), siteName(iv.site.site)));
    }
}

at::Tensor idsTensor(const std::vector<int64_t> &ids)
{
    return at::tensor(ids, at::kLong).unsqueeze(0);
}

} // namespace

void InterventionHooks::visit(Site site, int layer, at::Tensor &act, const at::Tensor &)
{
    bool cloned = false;
    for (size_t b = 0; b < m_variants.size(); ++b) {
        if (!m_variants[b])
            continue;
        for (const Intervention &iv : *m_variants[b]) {
            if (iv.site.site != site || (siteHasLayer(site) && iv.site.layer != layer))
                continue;
            if (!cloned) { // never change a tensor that something else may still hold
                act = act.clone();
                cloned = true;
            }
            at::Tensor row = act.select(0, int64_t(b));
            row.copy_(applyOne(iv, row));
        }
    }
}

at::Tensor LoadedModel::logitsMatrix() const
{
    if (info().compute != QLatin1String("bf16"))
        return unembeddingMatrix();
    if (!m_logitsBf16)
        m_logitsBf16 = std::make_shared<at::Tensor>(unembeddingMatrix().to(at::kBFloat16));
    return *m_logitsBf16;
}

std::shared_ptr<Trace> LoadedModel::run(const std::vector<int64_t> &ids, const TraceOptions &options, const JobControl *control,
                                        const std::vector<Intervention> &interventions)
{
    checkInterventions(interventions, info());
    at::InferenceMode guard;
    ComputeRuntime::ReuseScope reuse;
    auto trace = std::make_shared<Trace>();
    trace->model = info(); // a trace always names its model and compute precision
    CaptureHooks capture(*trace, options);
    InterventionHooks change({&interventions});
    HookList both({&change, &capture});
    forwardSites(idsTensor(ids), interventions.empty() ? static_cast<SiteHooks &>(capture) : both, control);
    if (!capture.firstNonFinite.isEmpty())
        throw Error(QStringLiteral("The forward pass produced NaN or infinite values, first at %1%2; nothing is shown rather than a meaningless trace.")
                        .arg(capture.firstNonFinite, interventions.empty() ? QString() : QStringLiteral(" (with the interventions applied)")));
    const at::Tensor W = logitsMatrix();
    const at::Tensor &fin = capture.finalNorm;
    // The layers' kept blocks fit nothing the logits need: freed now, they do not add to the peak
    // (GPT-2-small T = 1024, f16 capture: peak RSS 1,281-1,302 MB before, 1,266-1,277 MB after, no slower).
    ComputeRuntime::releaseKept();
    at::Tensor last;
    if (options.logits)
        ops::captureFinal(*trace, fin, W, options.storage);
    else
        last = W.scalar_type() == at::kBFloat16 ? ops::matmulBf16(fin[fin.size(0) - 1].unsqueeze(0).to(at::kBFloat16), W.t())
                                                : at::matmul(fin[fin.size(0) - 1], W.t()).unsqueeze(0);
    ops::completeTrace(*trace, last, options, info());
    trace->interventions = interventions;
    if (control)
        control->report(1.0, QString());
    return trace;
}

std::vector<float> LoadedModel::nextTokenLogits(const std::vector<int64_t> &ids, const std::vector<Intervention> &interventions)
{
    checkInterventions(interventions, info());
    at::InferenceMode guard;
    ComputeRuntime::ReuseScope reuse;
    NoHooks none;
    InterventionHooks change({&interventions});
    const at::Tensor fin = forwardSites(idsTensor(ids), interventions.empty() ? static_cast<SiteHooks &>(none) : change, nullptr);
    return ops::toFloats(at::matmul(fin[0][fin.size(1) - 1], unembeddingMatrix().t()));
}

HostTensor LoadedModel::runVariants(const std::vector<int64_t> &ids, const std::vector<std::vector<Intervention>> &variants, const JobControl *control,
                                    int maxBatch)
{
    for (const auto &v : variants)
        checkInterventions(v, info());
    at::InferenceMode guard;
    ComputeRuntime::ReuseScope reuse;
    const int64_t T = int64_t(ids.size()), N = int64_t(variants.size());
    const ModelInfo &mi = info();
    if (maxBatch <= 0) { // activations alive at once per row, float32: residual copies, MLP, attention
        const double perRow = 4.0 * double(T) * (12.0 * mi.dModel + 3.0 * mi.dMlp + 3.0 * double(mi.nHeads) * double(T));
        maxBatch = int(std::clamp(512e6 / std::max(1.0, perRow), 1.0, 256.0));
    }
    const at::Tensor W = unembeddingMatrix();
    HostTensor out(DType::F32, {N, W.size(0)});
    const at::Tensor row = idsTensor(ids);
    for (int64_t b0 = 0; b0 < N; b0 += maxBatch) {
        if (control) {
            control->throwIfCancelled();
            control->report(double(b0) / double(std::max<int64_t>(1, N)),
                            QStringLiteral("Variants %1-%2 of %3").arg(b0 + 1).arg(std::min(N, b0 + maxBatch)).arg(N));
        }
        const int64_t n = std::min<int64_t>(maxBatch, N - b0);
        std::vector<const std::vector<Intervention> *> chunk;
        for (int64_t i = 0; i < n; ++i)
            chunk.push_back(&variants[size_t(b0 + i)]);
        InterventionHooks change(chunk);
        const at::Tensor fin = forwardSites(row.expand({n, T}).contiguous(), change, nullptr);
        const at::Tensor logits = at::matmul(fin.select(1, T - 1), W.t()).contiguous(); // [n, V]
        if (!ops::allFinite(logits))
            throw Error(QStringLiteral("Variants %1-%2 produced NaN or infinite logits.").arg(b0 + 1).arg(b0 + n));
        std::memcpy(static_cast<float *>(out.data()) + b0 * W.size(0), logits.data_ptr<float>(), size_t(logits.numel()) * sizeof(float));
    }
    if (control)
        control->report(1.0, QString());
    return out;
}

LoadedModel::SiteGradients LoadedModel::siteGradients(const std::vector<int64_t> &ids, const std::vector<SiteRef> &sites, int64_t answer, int64_t wrong)
{
    for (const SiteRef &s : sites)
        if (siteHasLayer(s.site) && (s.layer < 0 || s.layer >= info().nLayers))
            throw Error(QStringLiteral("%1: this model has layers 0..%2.").arg(siteName(s.site, s.layer)).arg(info().nLayers - 1));
    for (int64_t id : {answer, wrong})
        if (id < 0 || id >= info().vocabSize)
            throw Error(QStringLiteral("Token id %1 is outside the vocabulary.").arg(id));
    at::AutoGradMode grad(true);
    ComputeRuntime::ReuseScope reuse;
    GradHooks hooks(sites);
    const at::Tensor fin = forwardSites(idsTensor(ids), hooks, nullptr);
    const at::Tensor last = at::matmul(fin.select(0, 0).select(0, fin.size(1) - 1), unembeddingMatrix().t());
    const at::Tensor ld = last[answer] - last[wrong];
    ld.backward();
    SiteGradients r;
    r.logitDiff = ld.item<double>();
    for (const auto &[ref, t] : hooks.kept) {
        r.activation[ref] = toHost(t.detach().select(0, 0));
        r.gradient[ref] = t.grad().defined() ? toHost(t.grad().select(0, 0)) : toHost(at::zeros_like(t.detach().select(0, 0)));
    }
    return r;
}

std::map<SiteRef, HostTensor> LoadedModel::captureSites(const std::vector<int64_t> &ids, const std::vector<SiteRef> &sites,
                                                        const std::vector<Intervention> &interventions)
{
    checkInterventions(interventions, info());
    for (const SiteRef &s : sites)
        if (siteHasLayer(s.site) && (s.layer < 0 || s.layer >= info().nLayers))
            throw Error(QStringLiteral("%1: this model has layers 0..%2.").arg(siteName(s.site, s.layer)).arg(info().nLayers - 1));
    at::InferenceMode guard;
    ComputeRuntime::ReuseScope reuse;
    CollectHooks collect(sites);
    InterventionHooks change({&interventions});
    HookList both({&change, &collect});
    forwardSites(idsTensor(ids), both, nullptr);
    return collect.got;
}

} // namespace strata
