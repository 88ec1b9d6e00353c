#include "util/AtenInclude.h" // first: shields torch from Qt's `slots`

#include "Bf16Matmul.h"

#include "ComputeRuntime.h"
#include "util/Error.h"

#include <dnnl.hpp>

#include <cstdint>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

namespace strata::ops {

namespace {
using dt = dnnl::memory::data_type;

dnnl::memory::desc describe(const at::Tensor &t, dt type)
{
    const dnnl::memory::dims dims(t.sizes().begin(), t.sizes().end());
    const dnnl::memory::dims strides(t.strides().begin(), t.strides().end());
    return dnnl::memory::desc(dims, type, strides);
}

// The bias [n] as oneDNN wants it: the output's rank, broadcast over every dimension but the last.
dnnl::memory::desc biasDesc(const at::Tensor &out)
{
    dnnl::memory::dims dims(size_t(out.dim()), 1), strides(size_t(out.dim()), out.size(-1));
    dims.back() = out.size(-1);
    strides.back() = 1;
    return dnnl::memory::desc(dims, dt::f32, strides);
}

void appendShape(std::string &key, const at::Tensor &t)
{
    for (int64_t s : t.sizes())
        key += std::to_string(s) + ',';
    key += '/';
    for (int64_t s : t.strides())
        key += std::to_string(s) + ',';
    key += ';';
}

// oneDNN's matmul primitives, one per shape, strides and epilogue: creating a primitive descriptor
// costs tens of microseconds (it tries every implementation), and a forward pass asks for the same
// few dozen shapes again and again. Bounded: cleared when it grows past kMaxPrimitives. A null entry:
// only the reference kernels take this layout.
class PrimitiveCache
{
public:
    static PrimitiveCache &instance()
    {
        static PrimitiveCache c;
        return c;
    }
    const dnnl::engine &engine() const { return engine_; }
    std::shared_ptr<dnnl::matmul> get(const at::Tensor &a, const at::Tensor &b, const at::Tensor &bias, float scale, Activation act, const at::Tensor &out)
    {
        uint32_t scaleBits = 0; // exact: two scales never share a key
        std::memcpy(&scaleBits, &scale, sizeof scaleBits);
        std::string key = std::to_string(scaleBits) + (bias.defined() ? "b" : "-") + std::to_string(int(act)) + ';';
        appendShape(key, a);
        appendShape(key, b);
        appendShape(key, out);
        std::lock_guard<std::mutex> lock(mutex_);
        auto it = cache_.find(key);
        if (it != cache_.end())
            return it->second;
        dnnl::primitive_attr attr;
        if (scale != 1.0f)
            attr.set_output_scales(0, {scale});
        if (act != Activation::None) {
            dnnl::post_ops ops;
            const dnnl::algorithm alg = act == Activation::GeluTanh  ? dnnl::algorithm::eltwise_gelu_tanh
                                        : act == Activation::GeluErf ? dnnl::algorithm::eltwise_gelu_erf
                                                                     : dnnl::algorithm::eltwise_relu;
            ops.append_eltwise(1.0f, alg, 0.0f, 0.0f);
            attr.set_post_ops(ops);
        }
        const auto src = describe(a, dt::bf16), wei = describe(b, dt::bf16), dst = describe(out, dt::f32);
        std::unique_ptr<dnnl::matmul::desc> desc;
        if (bias.defined()) {
            desc = std::make_unique<dnnl::matmul::desc>(src, wei, biasDesc(out), dst);
        } else {
            desc = std::make_unique<dnnl::matmul::desc>(src, wei, dst);
        }
        const dnnl::matmul::primitive_desc pd(*desc, attr, engine_);
        // oneDNN's reference kernels (what it falls back to for layouts its fast kernels refuse, e.g.
        // zero strides) are scalar loops, far slower than the float32 product: null means use that.
        const bool reference = std::string(pd.impl_info_str()).rfind("ref", 0) == 0;
        auto prim = reference ? nullptr : std::make_shared<dnnl::matmul>(pd);
        if (cache_.size() >= kMaxPrimitives)
            cache_.clear();
        cache_.emplace(std::move(key), prim);
        return prim;
    }

private:
    static constexpr size_t kMaxPrimitives = 2048;
    dnnl::engine engine_{dnnl::engine::kind::cpu, 0};
    std::mutex mutex_;
    std::unordered_map<std::string, std::shared_ptr<dnnl::matmul>> cache_;
};

void checkOperands(const at::Tensor &a, const at::Tensor &b, const at::Tensor &bias, double scale, const at::Tensor &out)
{
    if (a.scalar_type() != at::kBFloat16 || b.scalar_type() != at::kBFloat16 || a.dim() < 2 || a.dim() != b.dim() || a.size(-1) != b.size(-2))
        throw Error(QStringLiteral("matmulBf16: operands must be bfloat16 [..., m, k] and [..., k, n] of the same rank."));
    for (int64_t i = 0; i + 2 < a.dim(); ++i)
        if (a.size(i) != b.size(i))
            throw Error(QStringLiteral("matmulBf16: batch dimensions differ."));
    if (bias.defined() && (bias.scalar_type() != at::kFloat || bias.dim() != 1 || bias.size(0) != b.size(-1) || scale != 1.0))
        throw Error(QStringLiteral("matmulBf16: the bias must be float32 [n], and is not combined with a scale."));
    if (out.scalar_type() != at::kFloat || out.dim() != a.dim() || out.size(-2) != a.size(-2) || out.size(-1) != b.size(-1))
        throw Error(QStringLiteral("matmulBf16: the output must be float32 [..., m, n]."));
}

// False where oneDNN has no fast kernel for these layouts.
bool runOnednn(const at::Tensor &out, const at::Tensor &a, const at::Tensor &b, const at::Tensor &bias, double scale, Activation act)
{
    PrimitiveCache &cache = PrimitiveCache::instance();
    const auto prim = cache.get(a, b, bias, float(scale), act, out);
    if (!prim)
        return false;
    thread_local dnnl::stream stream(cache.engine());
    const auto mem = [&](const at::Tensor &t, dt type) { return dnnl::memory(describe(t, type), cache.engine(), t.data_ptr()); };
    std::unordered_map<int, dnnl::memory> args{{DNNL_ARG_SRC, mem(a, dt::bf16)}, {DNNL_ARG_WEIGHTS, mem(b, dt::bf16)}, {DNNL_ARG_DST, mem(out, dt::f32)}};
    const at::Tensor bc = bias.defined() ? bias.contiguous() : at::Tensor();
    if (bc.defined())
        args.emplace(DNNL_ARG_BIAS, dnnl::memory(biasDesc(out), cache.engine(), bc.data_ptr()));
    prim->execute(stream, args);
    stream.wait();
    return true;
}
} // namespace

at::Tensor activate(const at::Tensor &x, Activation act)
{
    switch (act) {
    case Activation::GeluTanh:
        return at::gelu(x, "tanh");
    case Activation::GeluErf:
        return at::gelu(x);
    case Activation::Relu:
        return at::relu(x);
    case Activation::None:
        break;
    }
    return x;
}

void matmulBf16Out(const at::Tensor &out, const at::Tensor &a, const at::Tensor &b, const at::Tensor &bias, double scale, Activation act)
{
    checkOperands(a, b, bias, scale, out);
    if (out.numel() == 0)
        return;
    if (a.size(-1) == 0) {
        out.zero_();
        if (bias.defined())
            out.add_(bias);
        if (act != Activation::None)
            out.copy_(activate(out, act));
        return;
    }
    static const bool native = !ComputeRuntime::nativeBf16().isEmpty();
    if (native) {
        try {
            if (runOnednn(out, a, b, bias, scale, act))
                return;
        } catch (const dnnl::error &) {
            // A layout oneDNN refuses outright: the same values through the float32 product below.
        }
    }
    // Without AMX/AVX512-BF16 oneDNN's bf16 kernels are emulated (slower than float32): multiply the
    // same bf16 values in float32, which is what the native kernels compute.
    at::Tensor r = at::matmul(a.to(at::kFloat), b.to(at::kFloat));
    if (scale != 1.0)
        r.mul_(scale);
    if (bias.defined())
        r.add_(bias);
    out.copy_(activate(r, act));
}

at::Tensor matmulBf16(const at::Tensor &a, const at::Tensor &b, const at::Tensor &bias, double scale, Activation act)
{
    std::vector<int64_t> shape(a.sizes().begin(), a.sizes().end());
    shape.back() = b.size(-1);
    at::Tensor out = at::empty(shape, a.options().dtype(at::kFloat));
    matmulBf16Out(out, a, b, bias, scale, act);
    return out;
}

} // namespace strata::ops
