#include "util/AtenInclude.h" // first: shields torch from Qt's `slots`

#include "GgufWeight.h"

#include "TensorBridge.h"
#include "Bf16Matmul.h"
#include "TransformerOps.h"
#include "tensor/GgmlQuants.h"
#include "tensor/GgufReader.h"
#include "util/Error.h"

#include <ATen/Parallel.h>

#include <atomic>

#include <QDir>
#include <QtGlobal>

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
    } else if (ti.shape.size() == 1 || qEnvironmentVariable("STRATA_GGUF_DEQUANT") == QLatin1String("load")) {
        // Vectors are tiny; STRATA_GGUF_DEQUANT=load (benchmarks only) dequantises every matrix once.
        w.m_dense = fromHost(g.tensorF32(name));
        requireFinite(w.m_dense, name);
    } else {
        w.m_data = g.rawData(name);
        w.m_type = ti.type;
        w.m_cols = ti.shape.back();
        w.m_rowBytes = ggmlRowBytes(ti.type, w.m_cols);
        w.m_rows = int64_t(ti.byteSize) / w.m_rowBytes;
        w.m_name = name;
    }
    return w;
}

void Weight::setCompute(ComputeRuntime::Compute c)
{
    if (!m_data)
        m_dense = ops::forCompute(m_dense, c);
    else
        m_bf16 = c == ComputeRuntime::Compute::BF16;
}

int64_t Weight::numel() const
{
    return m_data ? m_rows * m_cols : m_dense.defined() ? m_dense.numel() : 0;
}

namespace {

// Scratch matrices of the calling thread, reused when nothing else holds their storage (a caller,
// a hook or an autograd graph keeps it otherwise, and a new one is made): fresh 100 MB buffers per
// matrix and forward pass cost more in page faults than the dequantisation itself.
at::Tensor scratch(int64_t rows, int64_t cols)
{
    thread_local std::vector<at::Tensor> pool;
    for (const at::Tensor &t : pool)
        if (t.numel() == rows * cols && t.storage().use_count() == 1)
            return t.view({rows, cols});
    if (pool.size() >= 8)
        pool.erase(pool.begin());
    pool.push_back(at::empty({rows, cols}, at::TensorOptions().dtype(at::kFloat)));
    return pool.back();
}

void throwNonFinite(const QString &name, int64_t index, int64_t cols)
{
    throw Error(QStringLiteral("Tensor '%1' holds a NaN or infinite value (row %2, column %3) once dequantised: the weights are damaged or were "
                               "saved wrongly.")
                    .arg(name)
                    .arg(index / cols)
                    .arg(index % cols));
}

} // namespace

at::Tensor Weight::dense() const
{
    if (!m_data)
        return m_dense;
    at::Tensor out = at::empty({m_rows, m_cols}, at::TensorOptions().dtype(at::kFloat));
    dequantizeInto(out);
    return out;
}

at::Tensor Weight::denseTransient() const
{
    if (!m_data)
        return m_dense;
    at::Tensor out = scratch(m_rows, m_cols);
    dequantizeInto(out);
    return out;
}

void Weight::dequantizeInto(at::Tensor &out) const
{
    dequantizeRows(0, m_rows, out.data_ptr<float>(), std::max<int64_t>(1, (int64_t(1) << 16) / std::max<int64_t>(1, m_cols)), !m_checked->load());
    m_checked->store(true);
}

void Weight::dequantizeRows(int64_t r0, int64_t rows, float *dst, int64_t grain, bool check) const
{
    // NaN/Inf are looked for on a matrix's first use only (`check`): the stored bytes do not change.
    std::atomic<int64_t> bad{-1};
    at::parallel_for(0, rows, grain, [&](int64_t begin, int64_t end) {
        ggmlDequantizeRows(m_type, m_data + (r0 + begin) * m_rowBytes, dst + begin * m_cols, end - begin, m_cols);
        if (check)
            if (const int64_t i = firstNonFinite(dst + begin * m_cols, (end - begin) * m_cols); i >= 0)
                bad = (r0 + begin) * m_cols + i;
    });
    if (bad >= 0)
        throwNonFinite(m_name, bad, m_cols);
}

at::Tensor Weight::linear(const at::Tensor &x, const at::Tensor &bias) const
{
    if (!m_data || (at::GradMode::is_enabled() && x.requires_grad()))
        return ops::linear(x, denseTransient(), bias);
    std::vector<int64_t> shape(x.sizes().begin(), x.sizes().end());
    shape.back() = m_rows;
    const at::Tensor x2 = x.reshape({-1, m_cols}).to(at::kFloat).contiguous();
    const int64_t n = x2.size(0);
    // Rows per block: 8 MiB of float32 (measured on the 1B shape: 1 MiB to the whole matrix all ran
    // within noise of each other), a multiple of 16.
    const int64_t chunk = std::min(m_rows, std::max<int64_t>(16, (int64_t(1) << 21) / m_cols / 16 * 16));
    at::Tensor buf = at::empty({chunk, m_cols}, at::TensorOptions().dtype(at::kFloat));
    at::Tensor outT = at::empty({m_rows, n}, at::TensorOptions().dtype(at::kFloat));
    float *dst = buf.data_ptr<float>();
    const bool check = !m_checked->load();
    const at::Tensor xT = m_bf16 ? x2.t().to(at::kBFloat16) : x2.t();
    for (int64_t r0 = 0; r0 < m_rows; r0 += chunk) {
        const int64_t r = std::min(chunk, m_rows - r0);
        dequantizeRows(r0, r, dst, std::max<int64_t>(1, r / 2), check);
        at::Tensor slice = outT.narrow(0, r0, r);
        if (m_bf16)
            ops::matmulBf16Out(slice, buf.narrow(0, 0, r).to(at::kBFloat16), xT);
        else
            at::mm_out(slice, buf.narrow(0, 0, r), xT);
    }
    m_checked->store(true);
    at::Tensor out = outT.t();
    if (bias.defined())
        out = out + bias;
    return out.contiguous().view(shape);
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
    if (const int64_t i = firstNonFinite(dst, n * m_cols); i >= 0)
        throwNonFinite(m_name, idx[i / m_cols] * m_cols + i % m_cols, m_cols);
    std::vector<int64_t> shape(ids.sizes().begin(), ids.sizes().end());
    shape.push_back(m_cols);
    return out.view(shape);
}

} // namespace strata
