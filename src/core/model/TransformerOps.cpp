#include "util/AtenInclude.h"

#include "TransformerOps.h"

#include "Bf16Matmul.h"
#include "ModelInfo.h"
#include "TensorBridge.h"
#include "Trace.h"
#include "util/Error.h"

#include <cmath>
#include <limits>

namespace strata::ops {

at::Tensor rmsNorm(const at::Tensor &x, const at::Tensor &weight, double eps)
{
    return x * at::rsqrt(x.pow(2).mean(-1, true) + eps) * weight;
}

at::Tensor rotary(const at::Tensor &x, int rotaryDims, double theta, RopeStyle style)
{
    const int64_t T = x.size(-3);
    const int64_t half = rotaryDims / 2;
    const at::Tensor inv = at::pow(theta, at::arange(0, half, at::kDouble) * (-2.0 / rotaryDims));
    const at::Tensor ang = at::outer(at::arange(0, T, at::kDouble), inv).to(at::kFloat); // [T, half]
    const at::Tensor cos = ang.cos().unsqueeze(1), sin = ang.sin().unsqueeze(1);         // [T, 1, half]
    const at::Tensor rot = x.narrow(-1, 0, rotaryDims);
    at::Tensor out;
    if (style == RopeStyle::AdjacentPairs) {
        std::vector<int64_t> pairShape(x.sizes().begin(), x.sizes().end() - 1);
        std::vector<int64_t> rotShape = pairShape;
        pairShape.push_back(half);
        pairShape.push_back(2);
        rotShape.push_back(rotaryDims);
        const at::Tensor pairs = rot.reshape(pairShape);
        const at::Tensor a = pairs.select(-1, 0), b = pairs.select(-1, 1);
        out = at::stack({a * cos - b * sin, a * sin + b * cos}, -1).reshape(rotShape);
    } else {
        const at::Tensor a = rot.narrow(-1, 0, half), b = rot.narrow(-1, half, half);
        out = at::cat({a * cos - b * sin, b * cos + a * sin}, -1);
    }
    if (rotaryDims == x.size(-1))
        return out;
    return at::cat({out, x.narrow(-1, rotaryDims, x.size(-1) - rotaryDims)}, -1);
}

namespace {
// Query rows per block of the causal attention: the softmax of a block runs over the keys it can see
// only, and a bf16 model's block multiplies with those keys only, so about half of the T x T scores
// are never computed (T = 1024: 36 of 64 blocks).
constexpr int64_t kCausalBlock = 128;

// Queries [i0, end) and the keys [first, end) they can see: the one rule causalProbs and mixValues share.
struct QueryBlock
{
    int64_t i0, n, first, end;
};

QueryBlock queryBlock(int64_t i0, int64_t T, int window)
{
    const int64_t n = std::min(kCausalBlock, T - i0);
    return {i0, n, window > 0 ? std::max<int64_t>(0, i0 - window + 1) : 0, i0 + n};
}

// Sets to -inf, in scores [B, H, n, end - first] of queries [i0, end) against keys [first, end), what
// those queries must not see: the future (only the last n keys can be in it) and, with a window, keys
// window or more positions back.
void maskBlock(at::Tensor &scores, int64_t i0, int64_t first, int64_t end, int window)
{
    const int64_t n = scores.size(2);
    const int64_t from = window > 0 ? first : end - n;
    const at::Tensor rows = at::arange(i0, end, at::kLong).unsqueeze(1), cols = at::arange(from, end, at::kLong).unsqueeze(0);
    at::Tensor mask = cols > rows;
    if (window > 0)
        mask = mask.logical_or(rows - cols >= window);
    scores.narrow(3, from - first, end - from).masked_fill_(mask, -std::numeric_limits<float>::infinity());
}

// The attention scores' scale, 1 / sqrt(head dim) of q [B, H, T, head dim].
double scoreScale(const at::Tensor &q)
{
    return 1.0 / std::sqrt(double(q.size(3)));
}

// Masked scores of a block's queries against the keys it can see, scaled: [B, H, n, end - first].
// bfloat16 q and kk (a bf16 model) multiply through oneDNN into float32 scores, scaled in the same pass.
at::Tensor maskedScores(const at::Tensor &q, const at::Tensor &kk, const QueryBlock &b, int window)
{
    const double scale = scoreScale(q);
    const at::Tensor qb = q.narrow(2, b.i0, b.n), kb = kk.narrow(2, b.first, b.end - b.first).transpose(-1, -2);
    at::Tensor scores = q.scalar_type() == at::kBFloat16 ? matmulBf16(qb, kb, at::Tensor(), scale) : at::matmul(qb, kb).mul_(scale);
    maskBlock(scores, b.i0, b.first, b.end, window);
    return scores;
}
} // namespace

at::Tensor causalProbs(const at::Tensor &q, const at::Tensor &k, int window, ComputeRuntime::Compute compute)
{
    const int64_t B = q.size(0), Hq = q.size(1), T = q.size(2), Hkv = k.size(1);
    const bool bf16 = compute == ComputeRuntime::Compute::BF16;
    const at::Tensor qq = bf16 ? q.to(at::kBFloat16) : q, k1 = bf16 ? k.to(at::kBFloat16) : k;
    const at::Tensor kk = Hkv != Hq ? k1.repeat_interleave(Hq / Hkv, 1) : k1;
    if (T <= kCausalBlock)
        return at::softmax(maskedScores(qq, kk, queryBlock(0, T, window), window), -1);
    // float32 stays exact: OpenBLAS gives other last bits for the same dot products in products of
    // other shapes on some CPUs (AMD Zen 3: a block's rows differ from the same rows of the whole
    // product), so a float32 model's scores come from the one whole product the unblocked pass
    // computed, and only the softmax runs in blocks, each block's probabilities written over its own
    // rows of the scores (one T x T buffer per layer, not two). bf16 models multiply each block's
    // visible keys only.
    at::Tensor probs = bf16 ? at::empty({B, Hq, T, T}, q.options()) : at::matmul(qq, kk.transpose(-1, -2)).mul_(scoreScale(q));
    for (int64_t i0 = 0; i0 < T; i0 += kCausalBlock) {
        const QueryBlock b = queryBlock(i0, T, window);
        at::Tensor rows = probs.narrow(2, b.i0, b.n);
        at::Tensor seen = rows.narrow(3, b.first, b.end - b.first);
        if (bf16) {
            seen.copy_(at::softmax(maskedScores(qq, kk, b, window), -1));
        } else {
            maskBlock(seen, b.i0, b.first, b.end, window);
            seen.copy_(at::softmax(seen, -1));
        }
        if (b.first > 0)
            rows.narrow(3, 0, b.first).zero_();
        if (b.end < T)
            rows.narrow(3, b.end, T - b.end).zero_();
    }
    return probs;
}

at::Tensor mixValues(const at::Tensor &probs, const at::Tensor &v, int causalWindow, ComputeRuntime::Compute compute)
{
    const int64_t B = probs.size(0), Hq = probs.size(1), T = probs.size(2), Hkv = v.size(1), d = v.size(3);
    const bool bf16 = compute == ComputeRuntime::Compute::BF16;
    const at::Tensor v1 = bf16 ? v.to(at::kBFloat16) : v;
    const at::Tensor vv = Hkv != Hq ? v1.repeat_interleave(Hq / Hkv, 1) : v1;
    if (!bf16 && (causalWindow < 0 || T <= kCausalBlock))
        return at::matmul(probs, vv).transpose(1, 2); // [B, T, Hq, d]
    // Contiguous [B, T, Hq, d]: the output projection reads it as is. A bf16 model's products write
    // their float32 results straight into it.
    at::Tensor z = at::empty({B, T, Hq, d}, probs.options());
    if (causalWindow < 0 || T <= kCausalBlock) {
        matmulBf16Out(z.transpose(1, 2), probs.to(at::kBFloat16), vv);
        return z;
    }
    for (int64_t i0 = 0; i0 < T; i0 += kCausalBlock) {
        const QueryBlock b = queryBlock(i0, T, causalWindow);
        const at::Tensor seen = probs.narrow(2, b.i0, b.n).narrow(3, b.first, b.end - b.first);
        const at::Tensor vs = vv.narrow(2, b.first, b.end - b.first);
        if (bf16)
            matmulBf16Out(z.narrow(1, b.i0, b.n).transpose(1, 2), seen.to(at::kBFloat16), vs);
        else
            z.narrow(1, b.i0, b.n).copy_(at::matmul(seen, vs).transpose(1, 2));
    }
    return z;
}

int mixWindow(const ModelInfo &info, const at::Tensor &probs, const at::Tensor &ownProbs, int window)
{
    return computeOf(info) == ComputeRuntime::Compute::BF16 && probs.is_same(ownProbs) ? window : -1;
}

ComputeRuntime::Compute computeOf(const ModelInfo &info)
{
    return info.compute == QLatin1String("bf16") ? ComputeRuntime::Compute::BF16 : ComputeRuntime::Compute::F32;
}

void checkInput(const std::vector<int64_t> &ids, const ModelInfo &info)
{
    for (int64_t id : ids)
        if (id < 0 || id >= info.vocabSize)
            throw Error(QStringLiteral("Token id %1 is outside the vocabulary (0..%2).").arg(id).arg(info.vocabSize - 1));
    if (ids.empty() || int64_t(ids.size()) > info.contextLength)
        throw Error(QStringLiteral("%1 tokens given; this model takes 1 to %2.").arg(ids.size()).arg(info.contextLength));
}

void checkInput(const at::Tensor &ids, const ModelInfo &info)
{
    if (ids.dim() != 2 || ids.size(1) == 0 || ids.size(1) > info.contextLength)
        throw Error(QStringLiteral("%1 tokens given; this model takes 1 to %2.").arg(ids.dim() == 2 ? ids.size(1) : 0).arg(info.contextLength));
    const int64_t lo = ids.min().item<int64_t>(), hi = ids.max().item<int64_t>();
    for (int64_t id : {lo, hi})
        if (id < 0 || id >= info.vocabSize)
            throw Error(QStringLiteral("Token id %1 is outside the vocabulary (0..%2).").arg(id).arg(info.vocabSize - 1));
}

void completeTrace(Trace &trace, const at::Tensor &lastLogits, const TraceOptions &options, const ModelInfo &info)
{
    if (!options.logits)
        trace.logits = toHost(lastLogits, options.storage);
    const int group = std::max(1, info.nHeads / std::max(1, info.nKvHeads));
    trace.kvHeadOfQueryHead.clear();
    for (int h = 0; h < info.nHeads; ++h)
        trace.kvHeadOfQueryHead.push_back(h / group);
}

std::vector<float> toFloats(const at::Tensor &t)
{
    const at::Tensor c = t.to(at::kFloat).contiguous();
    const float *p = c.data_ptr<float>();
    return std::vector<float>(p, p + c.numel());
}

bool allFinite(const at::Tensor &t)
{
    if (t.numel() == 0 || !t.is_floating_point())
        return true;
    const auto range = at::aminmax(t);
    return std::isfinite(std::get<0>(range).item<double>()) && std::isfinite(std::get<1>(range).item<double>());
}

void captureFinal(Trace &trace, const at::Tensor &fin, const at::Tensor &unembedding, DType storage)
{
    trace.finalNorm = toHost(fin, storage);
    const int64_t T = fin.size(0), V = unembedding.size(0);
    HostTensor logits = HostTensor::uninitialized(storage, {T, V});
    // Written in place: float32 logits straight from the product; f16 ones in blocks of 128 rows,
    // each converted as it is copied in.
    at::Tensor dst = at::from_blob(logits.data(), {T, V}, at::TensorOptions().dtype(storage == DType::F32 ? at::kFloat : at::kHalf));
    const bool bf16 = unembedding.scalar_type() == at::kBFloat16;
    const at::Tensor finIn = bf16 ? fin.to(at::kBFloat16) : fin;
    const auto product = [&](const at::Tensor &out, const at::Tensor &rows) {
        if (bf16)
            matmulBf16Out(out, rows, unembedding.t());
        else
            at::mm_out(const_cast<at::Tensor &>(out), rows, unembedding.t());
    };
    if (storage == DType::F32) {
        product(dst, finIn);
    } else {
        const int64_t rowsPerBlock = 128;
        at::Tensor block = at::empty({std::min(rowsPerBlock, T), V}, fin.options().dtype(at::kFloat));
        for (int64_t r0 = 0; r0 < T; r0 += rowsPerBlock) {
            const int64_t n = std::min(rowsPerBlock, T - r0);
            const at::Tensor out = block.narrow(0, 0, n);
            product(out, finIn.narrow(0, r0, n));
            dst.narrow(0, r0, n).copy_(out);
        }
    }
    trace.logits = std::move(logits);
}

namespace {
// A product with a bfloat16 weight: the input is rounded to bfloat16, oneDNN multiplies
// (accumulating in float32) and writes float32 with the float32 bias and act applied in the same pass.
at::Tensor bf16Product(const at::Tensor &x2, const at::Tensor &wT, const at::Tensor &b, Activation act)
{
    return matmulBf16(x2.to(at::kBFloat16), wT, b, 1.0, act);
}
} // namespace

ComputeRuntime::Compute chooseCompute(ModelInfo &info, const ModelSource &source)
{
    QString warning;
    const ComputeRuntime::Compute c =
        ComputeRuntime::resolveCompute(source.compute.isEmpty() ? ComputeRuntime::computeRequest() : source.compute, info.parameterCount, &warning);
    info.compute = ComputeRuntime::computeName(c);
    info.computeNote = warning;
    return c;
}

at::Tensor forCompute(const at::Tensor &w, ComputeRuntime::Compute c)
{
    return c == ComputeRuntime::Compute::BF16 && w.defined() ? w.to(at::kBFloat16) : w;
}

at::Tensor linear(const at::Tensor &x, const at::Tensor &w, const at::Tensor &b, Activation act)
{
    std::vector<int64_t> shape(x.sizes().begin(), x.sizes().end());
    shape.back() = w.size(0);
    const at::Tensor x2 = x.reshape({-1, x.size(-1)});
    if (w.scalar_type() == at::kBFloat16)
        return bf16Product(x2, w.t(), b, act).view(shape);
    return activate((b.defined() ? at::addmm(b, x2, w.t()) : at::mm(x2, w.t())).view(shape), act);
}

at::Tensor conv1d(const at::Tensor &x, const at::Tensor &w, const at::Tensor &b, Activation act)
{
    std::vector<int64_t> shape(x.sizes().begin(), x.sizes().end());
    shape.back() = w.size(1);
    if (w.scalar_type() == at::kBFloat16)
        return bf16Product(x.reshape({-1, x.size(-1)}), w, b, act).view(shape);
    return activate(at::addmm(b, x.reshape({-1, x.size(-1)}), w).view(shape), act);
}

at::Tensor headOutputs(const at::Tensor &z, int heads, const at::Tensor &wInOut)
{
    const int64_t T = z.size(0), hd = z.size(1) / heads, D = wInOut.size(1);
    const at::Tensor zh = z.reshape({T, heads, hd}).transpose(0, 1);                   // [H, T, hd]
    const at::Tensor w = wInOut.to(z.scalar_type()).contiguous().view({heads, hd, D}); // [H, hd, D] (float32 even for a bf16 model)
    return at::bmm(zh, w);                                                             // [H, T, D]
}

} // namespace strata::ops
