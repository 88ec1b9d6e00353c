#include "util/AtenInclude.h"

#include "TransformerOps.h"

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
// Query rows per block of the causal attention: a block of queries only multiplies with the keys it
// can see, so about half of the T x T scores are never computed (T = 1024: 36 of 64 blocks).
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

// Masked scores of a block's queries against the keys it can see, scaled: [B, H, n, end - first].
at::Tensor maskedScores(const at::Tensor &q, const at::Tensor &kk, const QueryBlock &b, int window)
{
    const int64_t d = q.size(3);
    at::Tensor scores = at::matmul(q.narrow(2, b.i0, b.n), kk.narrow(2, b.first, b.end - b.first).transpose(-1, -2)).mul_(1.0 / std::sqrt(double(d)));
    // Without a window only the last n keys (the diagonal block) can be in a query's future.
    const int64_t from = window > 0 ? b.first : b.end - b.n;
    const at::Tensor rows = at::arange(b.i0, b.end, at::kLong).unsqueeze(1), cols = at::arange(from, b.end, at::kLong).unsqueeze(0);
    at::Tensor mask = cols > rows;
    if (window > 0)
        mask = mask.logical_or(rows - cols >= window);
    scores.narrow(3, from - b.first, b.end - from).masked_fill_(mask, -std::numeric_limits<float>::infinity());
    return scores;
}
} // namespace

at::Tensor causalProbs(const at::Tensor &q, const at::Tensor &k, int window)
{
    const int64_t B = q.size(0), Hq = q.size(1), T = q.size(2), Hkv = k.size(1);
    const at::Tensor kk = Hkv != Hq ? k.repeat_interleave(Hq / Hkv, 1) : k;
    if (T <= kCausalBlock)
        return at::softmax(maskedScores(q, kk, queryBlock(0, T, window), window), -1);
    at::Tensor probs = at::empty({B, Hq, T, T}, q.options());
    for (int64_t i0 = 0; i0 < T; i0 += kCausalBlock) {
        const QueryBlock b = queryBlock(i0, T, window);
        at::Tensor rows = probs.narrow(2, b.i0, b.n);
        rows.narrow(3, b.first, b.end - b.first).copy_(at::softmax(maskedScores(q, kk, b, window), -1));
        if (b.first > 0)
            rows.narrow(3, 0, b.first).zero_();
        if (b.end < T)
            rows.narrow(3, b.end, T - b.end).zero_();
    }
    return probs;
}

at::Tensor mixValues(const at::Tensor &probs, const at::Tensor &v, int causalWindow)
{
    const int64_t B = probs.size(0), Hq = probs.size(1), T = probs.size(2), Hkv = v.size(1), d = v.size(3);
    const at::Tensor vv = Hkv != Hq ? v.repeat_interleave(Hq / Hkv, 1) : v;
    if (causalWindow < 0 || T <= kCausalBlock)
        return at::matmul(probs, vv).transpose(1, 2);         // [B, T, Hq, d]
    at::Tensor z = at::empty({B, T, Hq, d}, probs.options()); // contiguous: the output projection reads it as is
    for (int64_t i0 = 0; i0 < T; i0 += kCausalBlock) {
        const QueryBlock b = queryBlock(i0, T, causalWindow);
        const at::Tensor seen = probs.narrow(2, b.i0, b.n).narrow(3, b.first, b.end - b.first);
        z.narrow(1, b.i0, b.n).copy_(at::matmul(seen, vv.narrow(2, b.first, b.end - b.first)).transpose(1, 2));
    }
    return z;
}

int mixWindow(const ModelInfo &info, const at::Tensor &probs, const at::Tensor &ownProbs, int window)
{
    return info.compute == QLatin1String("bf16") && probs.is_same(ownProbs) ? window : -1;
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
    // Written in place: float32 logits of a float32 model straight from the product; otherwise each
    // block converted as it is copied in (a bf16 model's bf16 logits: bf16 -> f16/f32 is exact
    // within f16's range, the same values as through float32).
    at::Tensor dst = at::from_blob(logits.data(), {T, V}, at::TensorOptions().dtype(storage == DType::F32 ? at::kFloat : at::kHalf));
    const bool bf16 = unembedding.scalar_type() == at::kBFloat16;
    if (storage == DType::F32 && !bf16) {
        at::mm_out(dst, fin, unembedding.t());
    } else {
        const int64_t rowsPerBlock = storage == DType::F32 ? T : 128;
        for (int64_t r0 = 0; r0 < T; r0 += rowsPerBlock) {
            const int64_t n = std::min(rowsPerBlock, T - r0);
            const at::Tensor rows = fin.narrow(0, r0, n);
            dst.narrow(0, r0, n).copy_(bf16 ? mmBf16Rounded(rows.to(at::kBFloat16), unembedding.t()) : at::mm(rows, unembedding.t()));
        }
    }
    trace.logits = std::move(logits);
}

at::Tensor mmBf16Rounded(const at::Tensor &a, const at::Tensor &b)
{
    static const bool native = !ComputeRuntime::nativeBf16().isEmpty();
    if (native)
        return at::mm(a, b);
    // Without AMX/AVX512-BF16, libtorch 1.13's own bf16 GEMM loses more than the rounding of its inputs
    // (gpt2-tiny: 92.9 % top-1 agreement with f32 against 97 % with oneDNN): multiply the same
    // bf16-rounded values in float32 and round the result to bf16, as the native path does.
    return at::mm(a.to(at::kFloat), b.to(at::kFloat)).to(at::kBFloat16);
}

at::Tensor mmBf16(const at::Tensor &a, const at::Tensor &b)
{
    return mmBf16Rounded(a, b).to(at::kFloat);
}

namespace {
// A product with a bfloat16 weight: the input is rounded to bfloat16, oneDNN multiplies
// (accumulating in float32), the result comes back as float32 and the bias is added in float32.
// (Adding the bias inside the product, in bf16, measured no faster; libtorch 1.13's mixed
// at::add(bf16, f32) gave other values than widening first: both stay separate passes.)
at::Tensor bf16Product(const at::Tensor &x2, const at::Tensor &wT, const at::Tensor &b)
{
    at::Tensor y = mmBf16(x2.to(at::kBFloat16), wT);
    if (b.defined())
        y.add_(b);
    return y;
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

at::Tensor linear(const at::Tensor &x, const at::Tensor &w, const at::Tensor &b)
{
    std::vector<int64_t> shape(x.sizes().begin(), x.sizes().end());
    shape.back() = w.size(0);
    const at::Tensor x2 = x.reshape({-1, x.size(-1)});
    if (w.scalar_type() == at::kBFloat16)
        return bf16Product(x2, w.t(), b).view(shape);
    return (b.defined() ? at::addmm(b, x2, w.t()) : at::mm(x2, w.t())).view(shape);
}

at::Tensor conv1d(const at::Tensor &x, const at::Tensor &w, const at::Tensor &b)
{
    std::vector<int64_t> shape(x.sizes().begin(), x.sizes().end());
    shape.back() = w.size(1);
    if (w.scalar_type() == at::kBFloat16)
        return bf16Product(x.reshape({-1, x.size(-1)}), w, b).view(shape);
    return at::addmm(b, x.reshape({-1, x.size(-1)}), w).view(shape);
}

at::Tensor headOutputs(const at::Tensor &z, int heads, const at::Tensor &wInOut)
{
    const int64_t T = z.size(0), hd = z.size(1) / heads, D = wInOut.size(1);
    const at::Tensor zh = z.reshape({T, heads, hd}).transpose(0, 1);                   // [H, T, hd]
    const at::Tensor w = wInOut.to(z.scalar_type()).contiguous().view({heads, hd, D}); // [H, hd, D] (float32 even for a bf16 model)
    return at::bmm(zh, w);                                                             // [H, T, D]
}

} // namespace strata::ops
