#include "util/AtenInclude.h"

#include "TransformerOps.h"

#include "ModelInfo.h"
#include "TensorBridge.h"
#include "Trace.h"
#include "util/Error.h"

#include <cmath>
#include <cstring>
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

at::Tensor causalProbs(const at::Tensor &q, const at::Tensor &k, int window)
{
    const int64_t Hq = q.size(1), T = q.size(2), d = q.size(3), Hkv = k.size(1);
    const at::Tensor kk = Hkv != Hq ? k.repeat_interleave(Hq / Hkv, 1) : k;
    at::Tensor scores = at::matmul(q, kk.transpose(-1, -2)).mul_(1.0 / std::sqrt(double(d)));
    at::Tensor mask = at::ones({T, T}, at::kBool).triu(1);
    if (window > 0 && window < T)
        mask = mask.logical_or(at::ones({T, T}, at::kBool).tril(-window));
    scores.masked_fill_(mask, -std::numeric_limits<float>::infinity());
    return at::softmax(scores, -1);
}

at::Tensor mixValues(const at::Tensor &probs, const at::Tensor &v)
{
    const int64_t Hq = probs.size(1), Hkv = v.size(1);
    const at::Tensor vv = Hkv != Hq ? v.repeat_interleave(Hq / Hkv, 1) : v;
    return at::matmul(probs, vv).transpose(1, 2); // [B, T, Hq, d]
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

void captureFinal(Trace &trace, const at::Tensor &fin, const at::Tensor &unembedding, DType storage)
{
    trace.finalNorm = toHost(fin, storage);
    const int64_t T = fin.size(0), V = unembedding.size(0);
    HostTensor logits(storage, {T, V});
    const int64_t rowsPerBlock = storage == DType::F32 ? T : 128;
    const int64_t rowBytes = V * dtypeSize(storage);
    for (int64_t r0 = 0; r0 < T; r0 += rowsPerBlock) {
        const int64_t n = std::min(rowsPerBlock, T - r0);
        // A bf16 unembedding (a bf16 model) multiplies in bfloat16; the logits are float32 either way.
        const at::Tensor rows = fin.narrow(0, r0, n);
        const HostTensor part =
            toHost(unembedding.scalar_type() == at::kBFloat16 ? mmBf16(rows.to(at::kBFloat16), unembedding.t()) : at::mm(rows, unembedding.t()), storage);
        std::memcpy(static_cast<unsigned char *>(logits.data()) + r0 * rowBytes, part.data(), part.byteSize());
    }
    trace.logits = std::move(logits);
}

at::Tensor mmBf16(const at::Tensor &a, const at::Tensor &b)
{
    static const bool native = !ComputeRuntime::nativeBf16().isEmpty();
    if (native)
        return at::mm(a, b).to(at::kFloat);
    // Without AMX/AVX512-BF16, libtorch 1.13's own bf16 GEMM loses more than the rounding of its inputs
    // (gpt2-tiny: 92.9 % top-1 agreement with f32 against 97 % with oneDNN): multiply the same
    // bf16-rounded values in float32 and round the result to bf16, as the native path does.
    return at::mm(a.to(at::kFloat), b.to(at::kFloat)).to(at::kBFloat16).to(at::kFloat);
}

namespace {
// A product with a bfloat16 weight: the input is rounded to bfloat16, oneDNN multiplies
// (accumulating in float32), the result comes back as float32 and the bias is added in float32.
at::Tensor bf16Product(const at::Tensor &x2, const at::Tensor &wT, const at::Tensor &b)
{
    // (Adding the bias inside the product, in bf16, measured no faster: it stays a float32 addition.)
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
