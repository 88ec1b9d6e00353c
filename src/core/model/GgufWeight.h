#pragma once

// A weight as the Llama family's forward pass uses it. For plugins and core/model only.
#include "ComputeRuntime.h"
#include "tensor/HostTensor.h"

#pragma push_macro("slots")
#undef slots
#include <ATen/core/Tensor.h>
#pragma pop_macro("slots")

#include <QString>

#include <atomic>
#include <memory>

namespace strata {

class GgufReader;

// Either a dense float32 tensor (Hugging Face folders; GGUF F32 tensors, mapped without a copy;
// vectors such as norms and biases) or a GGUF matrix left in its stored type (F16, BF16 or any
// quantisation) in the file's memory map and dequantised to float32 each time the forward pass
// reaches it (`dense()`), so that a quantised model stays as compact in memory as on disk. The
// reader's map must outlive the weight.
class Weight
{
public:
    Weight() = default;
    Weight(at::Tensor dense); // NOLINT(google-explicit-constructor): a dense tensor is a weight

    // Reads tensor `name` from a GGUF file, checking its shape; matrices of a non-F32 type stay
    // stored. Throws Error naming the file and tensor.
    static Weight fromGguf(const GgufReader &g, const QString &name, const std::vector<int64_t> &shape);

    // bf16: a dense matrix is converted to bfloat16; a stored one multiplies its dequantised blocks in
    // bfloat16. dense() of a stored matrix stays float32.
    void setCompute(ComputeRuntime::Compute c);

    bool defined() const { return m_dense.defined() || m_data != nullptr; }
    bool stored() const { return m_data != nullptr; } // kept in the file's type
    int64_t numel() const;
    uint32_t ggmlType() const { return m_type; }

    // The [rows, cols] float32 matrix: the tensor itself, or a fresh dequantisation (parallel over
    // rows, checked for NaN/Inf).
    at::Tensor dense() const;
    // The same in a scratch buffer of the calling thread that the next call may reuse once nothing
    // holds it any more: for a matrix used once per layer and forward pass (no 100 MB allocation each).
    at::Tensor denseTransient() const;
    // x @ W^T (+ bias) over the last axis of x. A stored matrix is dequantised 8 MiB of rows at a
    // time into one buffer that is multiplied at once, so no float32 copy of the whole matrix is
    // made (under autograd with x requiring grad: dense() instead).
    at::Tensor linear(const at::Tensor &x, const at::Tensor &bias = {}) const;
    // Rows `ids` (any shape of int64) as float32 [..., cols]: an embedding lookup that dequantises
    // only the rows it needs.
    at::Tensor rows(const at::Tensor &ids) const;

private:
    void dequantizeInto(at::Tensor &out) const;
    // Rows r0 .. r0+rows into dst, parallel in blocks of `grain` rows; throws on NaN/Inf when `check`.
    void dequantizeRows(int64_t r0, int64_t rows, float *dst, int64_t grain, bool check) const;

    at::Tensor m_dense;
    const unsigned char *m_data = nullptr;
    uint32_t m_type = 0;
    int64_t m_rows = 0, m_cols = 0, m_rowBytes = 0;
    QString m_name;
    bool m_bf16 = false;
    std::shared_ptr<std::atomic<bool>> m_checked = std::make_shared<std::atomic<bool>>(false);
};

} // namespace strata
