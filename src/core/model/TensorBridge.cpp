#include "TensorBridge.h"

#include "tensor/SafetensorsReader.h"
#include "TransformerOps.h"
#include "util/AtenInclude.h"
#include "util/Error.h"

#include <cstring>

namespace strata {

HostTensor toHost(const at::Tensor &t, DType storage)
{
    const at::ScalarType st = storage == DType::F16 ? at::kHalf : storage == DType::I64 ? at::kLong : at::kFloat;
    // Converted straight into the host tensor's memory: one pass, no temporary.
    HostTensor out = HostTensor::uninitialized(storage, std::vector<int64_t>(t.sizes().begin(), t.sizes().end()));
    if (out.byteSize())
        at::from_blob(out.data(), t.sizes(), at::TensorOptions().dtype(st)).copy_(t);
    return out;
}

at::Tensor fromHost(const HostTensor &t)
{
    const at::ScalarType st = t.dtype() == DType::F16 ? at::kHalf : t.dtype() == DType::I64 ? at::kLong : at::kFloat;
    if (t.dtype() != DType::F16 && t.dtype() != DType::I64 && t.dtype() != DType::F32)
        return fromHost(t.converted(DType::F32));
    at::Tensor out = at::empty(t.shape(), at::TensorOptions().dtype(st));
    if (t.byteSize())
        std::memcpy(out.data_ptr(), t.data(), t.byteSize());
    return out;
}

void requireFinite(const at::Tensor &t, const QString &name)
{
    if (!t.is_floating_point() || ops::allFinite(t))
        return;
    const int64_t bad = (~at::isfinite(t)).sum().item<int64_t>();
    throw Error(QStringLiteral("Tensor '%1' holds %2 NaN or infinite value(s) out of %3: the weights are damaged or were saved wrongly.")
                    .arg(name)
                    .arg(bad)
                    .arg(t.numel()));
}

at::Tensor loadWeight(const SafetensorsCheckpoint &ckpt, const QString &name, const std::vector<int64_t> &expectedShape)
{
    if (!ckpt.contains(name))
        throw Error(QStringLiteral("The weights lack tensor '%1'.").arg(name));
    const TensorInfo &ti = ckpt.info(name);
    if (!expectedShape.empty() && ti.shape != expectedShape)
        throw Error(QStringLiteral("Tensor '%1' has shape %2 but config.json implies %3.")
                        .arg(name, HostTensor::shapeString(ti.shape), HostTensor::shapeString(expectedShape)));
    const unsigned char *raw = ckpt.rawData(name);
    at::Tensor w;
    if (ti.dtype == DType::F32 && reinterpret_cast<uintptr_t>(raw) % alignof(float) == 0) {
        w = at::from_blob(const_cast<unsigned char *>(raw), ti.shape, at::TensorOptions().dtype(at::kFloat));
    } else {
        if (!isFloatingDType(ti.dtype))
            throw Error(QStringLiteral("Tensor '%1' holds %2, not floating-point weights.").arg(name, dtypeName(ti.dtype)));
        w = fromHost(ckpt.tensor(name));
    }
    requireFinite(w, name);
    return w;
}

} // namespace strata
