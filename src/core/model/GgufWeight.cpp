#include "util/AtenInclude.h" // first: shields torch from Qt's `slots`

#include "GgufWeight.h"

#include "TensorBridge.h"
#include "tensor/GgmlQuants.h"
#include "tensor/GgufReader.h"
#include "util/Error.h"

#include <ATen/Parallel.h>

#include <QDir>

namespace strata {

Weight::Weight(at::Tensor dense) : m_dense(std::move(dense)) {}

Weight Weight::fromGguf(const GgufReader &g, const QString &name, const std::vector<int64_t> &shape)
{
    const GgufTensorInfo &ti = g.info(name);
    if (ti.shape != shape)
        throw Error(QStringLiteral("%1: tensor '%2' has shape %3 but the metadata implies %4.")
                        .arg(QDir::toNativeSeparators(g.path()), name, HostTensor::shapeString(ti.shape), HostTensor::shapeString(shape)));
    g.requireReadable(name);
    Weight w;
    if (ti.type == uint32_t(GgmlType::F32)) {
        w.m_dense = at::from_blob(const_cast<unsigned char *>(g.rawData(name)), ti.shape, at::TensorOptions().dtype(at::kFloat));
        requireFinite(w.m_dense, name);
    } else if (ti.shape.size() == 1) {
        w.m_dense = fromHost(g.tensorF32(name));
        requireFinite(w.m_dense, name);
    } else {
        w.m_data = g.rawData(name);
        w.m_type = ti.type;
        w.m_cols = ti.shape.back();
        w.m_rows = int64_t(ti.byteSize / uint64_t(ggmlRowBytes(ti.type, w.m_cols)));
        w.m_rowBytes = ggmlRowBytes(ti.type, w.m_cols);
        w.m_name = name;
    }
    return w;
}

int64_t Weight::numel() const
{
    return m_data ? m_rows * m_cols : m_dense.defined() ? m_dense.numel() : 0;
}

at::Tensor Weight::dense() const
{
    if (!m_data)
        return m_dense;
    at::Tensor out = at::empty({m_rows, m_cols}, at::TensorOptions().dtype(at::kFloat));
    float *dst = out.data_ptr<float>();
    const int64_t grain = std::max<int64_t>(1, (int64_t(1) << 16) / std::max<int64_t>(1, m_cols));
    at::parallel_for(0, m_rows, grain,
                     [&](int64_t begin, int64_t end) { ggmlDequantizeRows(m_type, m_data + begin * m_rowBytes, dst + begin * m_cols, end - begin, m_cols); });
    requireFinite(out, m_name);
    return out;
}

at::Tensor Weight::rows(const at::Tensor &ids) const
{
    if (!m_data)
        return at::embedding(m_dense, ids);
    const at::Tensor flat = ids.reshape({-1}).to(at::kLong).contiguous();
    const int64_t n = flat.numel();
    const int64_t *idx = flat.data_ptr<int64_t>();
    for (int64_t i = 0; i < n; ++i)
        if (idx[i] < 0 || idx[i] >= m_rows)
            throw Error(QStringLiteral("Token id %1 is outside the embedding's %2 rows.").arg(idx[i]).arg(m_rows));
    at::Tensor out = at::empty({n, m_cols}, at::TensorOptions().dtype(at::kFloat));
    float *dst = out.data_ptr<float>();
    for (int64_t i = 0; i < n; ++i)
        ggmlDequantizeRows(m_type, m_data + idx[i] * m_rowBytes, dst + i * m_cols, 1, m_cols);
    requireFinite(out, m_name);
    std::vector<int64_t> shape(ids.sizes().begin(), ids.sizes().end());
    shape.push_back(m_cols);
    return out.view(shape);
}

} // namespace strata
