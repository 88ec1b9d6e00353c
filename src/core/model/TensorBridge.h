#pragma once

// Conversions between torch tensors and Strata's torch-free types. For plugins and core/model only.
#include "tensor/HostTensor.h"

#pragma push_macro("slots")
#undef slots
#include <ATen/core/Tensor.h>
#pragma pop_macro("slots")

#include <QString>

namespace strata {

class SafetensorsCheckpoint;

// Copies a tensor into host storage as F32 or F16 (torch converts, vectorised).
HostTensor toHost(const at::Tensor &t, DType storage = DType::F32);
at::Tensor fromHost(const HostTensor &t);

// A float32 weight. F32 tensors are wrapped without copying (the checkpoint's memory map must
// outlive the result); F16/BF16/F64 are converted. Throws Error naming the tensor when its shape
// differs from expectedShape (empty: no check).
// Throws Error naming the tensor (and how many of its values) when it holds NaN or Inf.
void requireFinite(const at::Tensor &t, const QString &name);

at::Tensor loadWeight(const SafetensorsCheckpoint &ckpt, const QString &name, const std::vector<int64_t> &expectedShape = {});

} // namespace strata
