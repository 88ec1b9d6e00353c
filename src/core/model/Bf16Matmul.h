#pragma once

// bfloat16 matrix products with float32 results, for plugins and core/model only (torch types).
#pragma push_macro("slots")
#undef slots
#include <ATen/core/Tensor.h>
#pragma pop_macro("slots")

namespace strata::ops {

// An elementwise function applied to a product's result (after the bias), in the same pass.
enum class Activation { None, GeluTanh, GeluErf, Relu };
// The same function in float32 through ATen, for results that were not computed by matmulBf16.
at::Tensor activate(const at::Tensor &x, Activation act);

// out = (a @ b) * scale + bias for bfloat16 a [..., m, k] and b [..., k, n] (same batch dimensions,
// any strides): oneDNN's matmul accumulates in float32 and writes float32 into out [..., m, n] (any
// strides, e.g. a slice of a larger tensor), so the result is not rounded to bfloat16 and no widening
// pass follows; the float32 bias [n] is added in the same pass, then act (oneDNN's own GELU/ReLU, within
// ~1e-6 of ATen's). A scale and a bias are not combined.
// Where the CPU has no native bf16 (oneDNN would emulate it slowly) the same bf16 values are multiplied
// in float32. Throws Error on operands of the wrong type or shape.
void matmulBf16Out(const at::Tensor &out, const at::Tensor &a, const at::Tensor &b, const at::Tensor &bias = at::Tensor(), double scale = 1.0,
                   Activation act = Activation::None);
// The same into a new contiguous float32 tensor.
at::Tensor matmulBf16(const at::Tensor &a, const at::Tensor &b, const at::Tensor &bias = at::Tensor(), double scale = 1.0, Activation act = Activation::None);

} // namespace strata::ops
