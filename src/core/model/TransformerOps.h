#pragma once

#include "Bf16Matmul.h"
#include "ComputeRuntime.h"
#include "ModelInfo.h"
#include "ModelSource.h"

// Building blocks shared by the model families. For plugins and core/model only (torch types).
#pragma push_macro("slots")
#undef slots
#include <ATen/core/Tensor.h>
#pragma pop_macro("slots")

#include "tensor/HostTensor.h"

#include <cstdint>
#include <utility>
#include <vector>

namespace strata {
struct ModelInfo;
struct Trace;
struct TraceOptions;
} // namespace strata

namespace strata::ops {

// Throws Error when a token id is outside the vocabulary or the length outside 1..context.
void checkInput(const std::vector<int64_t> &ids, const ModelInfo &info);
// The same for a batch [B, T] of int64 ids.
void checkInput(const at::Tensor &ids, const ModelInfo &info);
// What every family does after its forward pass: the last position's logits when full logits were not
// kept, and which KV head each query head reads (grouped-query attention; identity otherwise).
void completeTrace(Trace &trace, const at::Tensor &lastLogits, const TraceOptions &options, const ModelInfo &info);
std::vector<float> toFloats(const at::Tensor &t);
// True when no element is NaN or infinite: one pass (aminmax, which propagates NaN), ~25x cheaper
// than isfinite(t).all() on a [512, 3072] activation.
bool allFinite(const at::Tensor &t);
// Stores the final-norm output and the full logits fin @ unembedding^T ([T, V]) in the trace. With F16
// storage the logits are computed in blocks of 128 rows, so the float32 [T, V] matrix never exists whole.
void captureFinal(Trace &trace, const at::Tensor &fin, const at::Tensor &unembedding, DType storage);

// x * rsqrt(mean(x^2) + eps) * weight, over the last dimension (Llama's RMSNorm, in float32).
at::Tensor rmsNorm(const at::Tensor &x, const at::Tensor &weight, double eps);

enum class RopeStyle {
    AdjacentPairs, // rotates (x[2i], x[2i+1]): original Llama, GGUF "llama"
    RotateHalf     // rotates (x[i], x[i + d/2]): Hugging Face, GPT-NeoX, GGUF "qwen2"
};

// Rotary position embedding of x [..., T, heads, headDim] on its first rotaryDims dims (positions 0..T-1).
at::Tensor rotary(const at::Tensor &x, int rotaryDims, double theta, RopeStyle style);

// Causal softmax attention in two steps, so that the pattern is a site between them. q [B, Hq, T, d],
// k [B, Hkv, T, d] with Hq a multiple of Hkv (query head h reads KV head h / (Hq/Hkv)):
// probabilities [B, Hq, T, T]; with window > 0 a query sees only the last window keys (itself
// included: key k is masked for query q when q - k >= window, as Hugging Face's Mistral). Then each
// head's output from probabilities and v [B, Hkv, T, d]: z [B, T, Hq, d]. Long prompts go in blocks
// of query rows that only meet the keys they can see (about half the work at T = 1024).
// The probabilities are bit-identical to the whole masked softmax. causalWindow >= 0 says that probs
// are causalProbs' own (zero where a query cannot see a key, with that window), so mixValues may skip
// those keys; -1 multiplies the whole matrix. mixWindow() chooses.
// With compute BF16 (a bf16 model) both products take bfloat16 operands (q, k; probabilities, v) and
// give float32 results through oneDNN (matmulBf16): scores, probabilities and z stay float32.
at::Tensor causalProbs(const at::Tensor &q, const at::Tensor &k, int window = 0, ComputeRuntime::Compute compute = ComputeRuntime::Compute::F32);
at::Tensor mixValues(const at::Tensor &probs, const at::Tensor &v, int causalWindow = -1, ComputeRuntime::Compute compute = ComputeRuntime::Compute::F32);
// The causalWindow for mixValues: the model's window for a bf16 model whose pattern no hook replaced
// (a replaced one may have weight anywhere); -1 for f32, whose results stay bit-identical to the whole
// product (the blocked one sums in another order past ~256 keys: up to 3e-6 apart).
int mixWindow(const ModelInfo &info, const at::Tensor &probs, const at::Tensor &ownProbs, int window = 0);
// The compute precision a loaded model runs at (info.compute).
ComputeRuntime::Compute computeOf(const ModelInfo &info);

// What each head writes into the residual stream: z [T, H * hd] (heads concatenated) through its
// slice of the output projection, [H, T, D], without the output bias. wInOut is the projection as
// [H * hd, D] (GPT-2's Conv1D layout; pass w.t() for a Linear weight stored [D, H * hd]).
at::Tensor headOutputs(const at::Tensor &z, int heads, const at::Tensor &wInOut);

// y = x @ w^T (+ b): a Linear layer whose weight is stored [out, in]; x [..., in]. A bfloat16 w (a bf16
// model) multiplies in bfloat16 (matmulBf16: float32 accumulation and result, the bias in the same pass).
// act follows the bias (fused into a bf16 product; ATen's function after a float32 one, the same bits
// as calling it separately).
at::Tensor linear(const at::Tensor &x, const at::Tensor &w, const at::Tensor &b = at::Tensor(), Activation act = Activation::None);
// The compute precision a model gets (source.compute, or auto by its parameter count and the CPU):
// sets info.compute and info.computeNote. Families call it once info.parameterCount is known.
ComputeRuntime::Compute chooseCompute(ModelInfo &info, const ModelSource &source);
// A weight matrix as a model of compute precision c holds it (bf16: converted; f32: itself).
at::Tensor forCompute(const at::Tensor &w, ComputeRuntime::Compute c);
// y = x @ w + b: GPT-2's Conv1D, weight stored [in, out]; x [..., in].
at::Tensor conv1d(const at::Tensor &x, const at::Tensor &w, const at::Tensor &b, Activation act = Activation::None);

} // namespace strata::ops
