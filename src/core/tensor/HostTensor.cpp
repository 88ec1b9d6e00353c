#include "HostTensor.h"

#include "util/Error.h"
#include "util/Half.h"

#include <QStringList>
#include <cstring>

namespace strata {

namespace {
struct DTypeRow
{
    DType type;
    const char *name;
    int size;
    bool floating;
};
constexpr DTypeRow kDTypes[] = {
    {DType::F32, "F32", 4, true},  {DType::F16, "F16", 2, true},  {DType::BF16, "BF16", 2, true}, {DType::F64, "F64", 8, true}, {DType::I64, "I64", 8, false},
    {DType::I32, "I32", 4, false}, {DType::I16, "I16", 2, false}, {DType::I8, "I8", 1, false},    {DType::U8, "U8", 1, false},  {DType::Bool, "BOOL", 1, false},
};
const DTypeRow &row(DType t)
{
    for (const auto &r : kDTypes)
        if (r.type == t)
            return r;
    return kDTypes[0];
}
} // namespace

QString dtypeName(DType t)
{
    return QString::fromLatin1(row(t).name);
}
int dtypeSize(DType t)
{
    return row(t).size;
}
bool isFloatingDType(DType t)
{
    return row(t).floating;
}

bool dtypeFromName(const QString &name, DType *out)
{
    for (const auto &r : kDTypes) {
        if (name == QLatin1String(r.name)) {
            *out = r.type;
            return true;
        }
    }
    return false;
}

HostTensor::HostTensor(DType dtype, std::vector<int64_t> shape) : m_dtype(dtype), m_shape(std::move(shape))
{
    m_bytes.assign(size_t(numel()) * size_t(dtypeSize(dtype)), 0);
}

HostTensor HostTensor::uninitialized(DType dtype, std::vector<int64_t> shape)
{
    HostTensor t;
    t.m_dtype = dtype;
    t.m_shape = std::move(shape);
    t.m_bytes.resize(size_t(t.numel()) * size_t(dtypeSize(dtype)));
    return t;
}

int64_t HostTensor::numel() const
{
    return numelOf(m_shape);
}

int64_t HostTensor::numelOf(const std::vector<int64_t> &shape)
{
    int64_t n = 1;
    for (int64_t d : shape)
        n *= d;
    return n;
}

HostTensor HostTensor::fromFloats(const std::vector<int64_t> &shape, const float *data, DType storage)
{
    HostTensor t = uninitialized(storage, shape);
    const int64_t n = t.numel();
    if (storage == DType::F32) {
        std::memcpy(t.m_bytes.data(), data, size_t(n) * 4);
    } else if (storage == DType::F16) {
        auto *out = reinterpret_cast<uint16_t *>(t.m_bytes.data());
        for (int64_t i = 0; i < n; ++i)
            out[i] = floatToHalf(data[i]);
    } else {
        throw Error(QStringLiteral("Internal error: activations can only be stored as F32 or F16, not %1.").arg(dtypeName(storage)));
    }
    return t;
}

HostTensor HostTensor::fromInt64(const std::vector<int64_t> &ids)
{
    HostTensor t = uninitialized(DType::I64, {int64_t(ids.size())});
    if (!ids.empty())
        std::memcpy(t.m_bytes.data(), ids.data(), ids.size() * 8);
    return t;
}

HostTensor HostTensor::fromRaw(DType dtype, const std::vector<int64_t> &shape, const void *data)
{
    HostTensor t = uninitialized(dtype, shape);
    if (!t.m_bytes.empty())
        std::memcpy(t.m_bytes.data(), data, t.m_bytes.size());
    return t;
}

float HostTensor::floatAt(int64_t i) const
{
    const unsigned char *p = m_bytes.data();
    switch (m_dtype) {
    case DType::F32: {
        float v;
        std::memcpy(&v, p + i * 4, 4);
        return v;
    }
    case DType::F16: {
        uint16_t v;
        std::memcpy(&v, p + i * 2, 2);
        return halfToFloat(v);
    }
    case DType::BF16: {
        uint16_t v;
        std::memcpy(&v, p + i * 2, 2);
        return bf16ToFloat(v);
    }
    case DType::F64: {
        double v;
        std::memcpy(&v, p + i * 8, 8);
        return float(v);
    }
    default:
        return float(intAt(i));
    }
}

int64_t HostTensor::intAt(int64_t i) const
{
    const unsigned char *p = m_bytes.data();
    switch (m_dtype) {
    case DType::I64: {
        int64_t v;
        std::memcpy(&v, p + i * 8, 8);
        return v;
    }
    case DType::I32: {
        int32_t v;
        std::memcpy(&v, p + i * 4, 4);
        return v;
    }
    case DType::I16: {
        int16_t v;
        std::memcpy(&v, p + i * 2, 2);
        return v;
    }
    case DType::I8:
        return int8_t(p[i]);
    case DType::U8:
    case DType::Bool:
        return p[i];
    default:
        return int64_t(floatAt(i));
    }
}

std::vector<float> HostTensor::toFloatVector() const
{
    const int64_t n = numel();
    std::vector<float> out(static_cast<size_t>(n));
    if (m_dtype == DType::F32) {
        if (n)
            std::memcpy(out.data(), m_bytes.data(), size_t(n) * 4);
    } else {
        for (int64_t i = 0; i < n; ++i)
            out[size_t(i)] = floatAt(i);
    }
    return out;
}

std::vector<int64_t> HostTensor::toInt64Vector() const
{
    const int64_t n = numel();
    std::vector<int64_t> out(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i)
        out[size_t(i)] = intAt(i);
    return out;
}

HostTensor HostTensor::slice0(int64_t index) const
{
    if (m_shape.empty() || index < 0 || index >= m_shape[0])
        throw Error(QStringLiteral("Index %1 is out of range for a tensor of shape %2.").arg(index).arg(shapeString(m_shape)));
    std::vector<int64_t> sub(m_shape.begin() + 1, m_shape.end());
    HostTensor t = uninitialized(m_dtype, sub);
    const size_t bytes = t.m_bytes.size();
    if (bytes)
        std::memcpy(t.m_bytes.data(), m_bytes.data() + size_t(index) * bytes, bytes);
    return t;
}

HostTensor HostTensor::converted(DType storage) const
{
    if (storage == m_dtype)
        return *this;
    const std::vector<float> f = toFloatVector();
    return fromFloats(m_shape, f.data(), storage);
}

QString HostTensor::shapeString(const std::vector<int64_t> &shape)
{
    QStringList parts;
    for (int64_t d : shape)
        parts << QString::number(d);
    return QLatin1Char('[') + parts.join(QStringLiteral(", ")) + QLatin1Char(']');
}

} // namespace strata
