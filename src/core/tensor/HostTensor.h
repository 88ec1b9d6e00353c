#pragma once

#include <QString>

#include <cstdint>
#include <memory>
#include <new>
#include <utility>
#include <vector>

namespace strata {

enum class DType { F32, F16, BF16, F64, I64, I32, I16, I8, U8, Bool };

QString dtypeName(DType t);
bool dtypeFromName(const QString &name, DType *out);
int dtypeSize(DType t);
bool isFloatingDType(DType t);

// A dense, row-major tensor held in host memory without torch, so that Traces can travel to the
// GUI, the store and the CLI without any of them including torch headers. Storage is F32 or F16
// for activations (F16 halves trace memory), I64 for token ids.
class HostTensor
{
public:
    HostTensor() = default;
    HostTensor(DType dtype, std::vector<int64_t> shape); // zero-filled
    // Contents undefined until written: for a caller that fills every byte (no zero-filling pass).
    static HostTensor uninitialized(DType dtype, std::vector<int64_t> shape);

    static HostTensor fromFloats(const std::vector<int64_t> &shape, const float *data, DType storage = DType::F32);
    static HostTensor fromInt64(const std::vector<int64_t> &ids);
    static HostTensor fromRaw(DType dtype, const std::vector<int64_t> &shape, const void *data);

    bool isEmpty() const { return m_shape.empty() && m_bytes.empty(); }
    DType dtype() const { return m_dtype; }
    const std::vector<int64_t> &shape() const { return m_shape; }
    int64_t dim(int i) const { return m_shape.at(size_t(i)); }
    int rank() const { return int(m_shape.size()); }
    int64_t numel() const;
    static int64_t numelOf(const std::vector<int64_t> &shape); // product of the dimensions (1 for a scalar)
    size_t byteSize() const { return m_bytes.size(); }

    const void *data() const { return m_bytes.data(); }
    void *data() { return m_bytes.data(); }

    float floatAt(int64_t flatIndex) const;
    int64_t intAt(int64_t flatIndex) const;
    std::vector<float> toFloatVector() const;
    std::vector<int64_t> toInt64Vector() const;
    // Copy of the slice [index, ...] along the first dimension.
    HostTensor slice0(int64_t index) const;
    HostTensor converted(DType storage) const;

    static QString shapeString(const std::vector<int64_t> &shape);

private:
    DType m_dtype = DType::F32;
    std::vector<int64_t> m_shape;
    // resize() without value-initialising: the bytes are written by whoever asked for them.
    template <class T> struct DefaultInit : std::allocator<T>
    {
        template <class U> struct rebind
        {
            using other = DefaultInit<U>;
        };
        DefaultInit() = default;
        template <class U> DefaultInit(const DefaultInit<U> &) noexcept {}
        template <class U> void construct(U *p) noexcept { ::new (static_cast<void *>(p)) U; }
        template <class U, class... Args> void construct(U *p, Args &&...args) { ::new (static_cast<void *>(p)) U(std::forward<Args>(args)...); }
    };
    using ByteAllocator = DefaultInit<unsigned char>;
    std::vector<unsigned char, ByteAllocator> m_bytes;
};

} // namespace strata
