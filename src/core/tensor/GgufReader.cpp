#include "GgufReader.h"

#include "GgmlQuants.h"

#include <algorithm>

#include "util/Error.h"
#include "util/Half.h"

#include <QDir>
#include <QFileInfo>

#include <cstring>
#include <limits>

namespace strata {

namespace {

enum ValueType : uint32_t { U8 = 0, I8 = 1, U16 = 2, I16 = 3, U32 = 4, I32 = 5, F32v = 6, BOOL = 7, STRING = 8, ARRAY = 9, U64 = 10, I64 = 11, F64 = 12 };

int scalarSize(uint32_t t)
{
    switch (t) {
    case U8:
    case I8:
    case BOOL:
        return 1;
    case U16:
    case I16:
        return 2;
    case U32:
    case I32:
    case F32v:
        return 4;
    case U64:
    case I64:
    case F64:
        return 8;
    default:
        return 0;
    }
}

// Bounds-checked little-endian cursor over the mapped file.
class Cursor
{
public:
    Cursor(const unsigned char *p, qint64 size, const QString &label) : m_p(p), m_size(size), m_label(label) {}
    qint64 pos() const { return m_pos; }
    qint64 remaining() const { return m_size - m_pos; }

    void need(qint64 n, const char *what) const
    {
        if (n < 0 || n > remaining())
            throw Error(QStringLiteral("%1: corrupt GGUF: %2 at byte %3 needs %4 bytes but only %5 remain (truncated file?).")
                            .arg(m_label, QString::fromLatin1(what))
                            .arg(m_pos)
                            .arg(n)
                            .arg(remaining()));
    }
    template <typename T> T read(const char *what)
    {
        need(sizeof(T), what);
        T v;
        std::memcpy(&v, m_p + m_pos, sizeof(T));
        m_pos += sizeof(T);
        return v;
    }
    QString readString(const char *what)
    {
        const uint64_t len = read<uint64_t>(what);
        if (len > uint64_t(remaining()))
            throw Error(QStringLiteral("%1: corrupt GGUF: %2 at byte %3 claims %4 bytes, more than the %5 left in the file.")
                            .arg(m_label, QString::fromLatin1(what))
                            .arg(m_pos - 8)
                            .arg(len)
                            .arg(remaining()));
        const QString s = QString::fromUtf8(reinterpret_cast<const char *>(m_p + m_pos), qsizetype(len));
        m_pos += qint64(len);
        return s;
    }
    void skip(qint64 n, const char *what)
    {
        need(n, what);
        m_pos += n;
    }

private:
    const unsigned char *m_p;
    qint64 m_size;
    qint64 m_pos = 0;
    QString m_label;
};

QVariant readScalar(Cursor &c, uint32_t t)
{
    switch (t) {
    case U8:
        return uint(c.read<uint8_t>("value"));
    case I8:
        return int(c.read<int8_t>("value"));
    case U16:
        return uint(c.read<uint16_t>("value"));
    case I16:
        return int(c.read<int16_t>("value"));
    case U32:
        return uint(c.read<uint32_t>("value"));
    case I32:
        return int(c.read<int32_t>("value"));
    case F32v:
        return double(c.read<float>("value"));
    case BOOL:
        return c.read<uint8_t>("value") != 0;
    case U64:
        return qulonglong(c.read<uint64_t>("value"));
    case I64:
        return qlonglong(c.read<int64_t>("value"));
    case F64:
        return c.read<double>("value");
    case STRING:
        return c.readString("string value");
    default:
        return QVariant();
    }
}

QVariant readValue(Cursor &c, uint32_t t, const QString &key, const QString &label, int depth)
{
    if (t != ARRAY) {
        if (t > F64)
            throw Error(QStringLiteral("%1: corrupt GGUF: metadata '%2' has unknown value type %3.").arg(label, key).arg(t));
        return readScalar(c, t);
    }
    if (depth > 2)
        throw Error(QStringLiteral("%1: corrupt GGUF: metadata '%2' nests arrays too deeply.").arg(label, key));
    const uint32_t et = c.read<uint32_t>("array element type");
    const uint64_t n = c.read<uint64_t>("array length");
    if (et > F64)
        throw Error(QStringLiteral("%1: corrupt GGUF: metadata array '%2' has unknown element type %3.").arg(label, key).arg(et));
    // Every element takes at least one byte (a string at least its 8-byte length): check before allocating.
    const uint64_t minElem = et == STRING ? 8 : et == ARRAY ? 12 : uint64_t(scalarSize(et));
    if (n > uint64_t(c.remaining()) / minElem)
        throw Error(QStringLiteral("%1: corrupt GGUF: metadata array '%2' claims %3 elements, more than the file can hold.").arg(label, key).arg(n));
    if (et == STRING) {
        QStringList list;
        list.reserve(qsizetype(n));
        for (uint64_t i = 0; i < n; ++i)
            list << c.readString("array string");
        return list;
    }
    QVariantList list;
    list.reserve(qsizetype(n));
    for (uint64_t i = 0; i < n; ++i)
        list << readValue(c, et, key, label, depth + 1);
    return list;
}

// Bytes per block and elements per block of a type Strata reads (GgmlQuants.h has the table).
bool blockLayout(uint32_t type, int *blockBytes, int *blockElems)
{
    const GgmlTypeTraits *t = ggmlTypeTraits(type);
    if (!t)
        return false;
    *blockBytes = t->blockBytes;
    *blockElems = t->blockElems;
    return true;
}

} // namespace

GgufReader::~GgufReader()
{
    if (m_map)
        m_file.unmap(const_cast<unsigned char *>(m_map));
}

QString GgufReader::typeName(uint32_t type)
{
    return ggmlTypeName(type);
}

bool GgufReader::typeSupported(uint32_t type)
{
    return ggmlTypeTraits(type) != nullptr;
}

void GgufReader::open(const QString &path)
{
    m_path = path;
    const QString label = QDir::toNativeSeparators(path);
    if (!QFileInfo(path).isFile())
        throw Error(QStringLiteral("%1: file not found.").arg(label));
    m_file.setFileName(path);
    if (!m_file.open(QIODevice::ReadOnly))
        throw Error(QStringLiteral("%1: cannot open: %2.").arg(label, m_file.errorString()));
    m_size = m_file.size();
    if (m_size < 24)
        throw Error(QStringLiteral("%1: not a GGUF file (only %2 bytes).").arg(label).arg(m_size));
    m_map = m_file.map(0, m_size);
    if (!m_map)
        throw Error(QStringLiteral("%1: cannot map the file: %2.").arg(label, m_file.errorString()));

    Cursor c(m_map, m_size, label);
    const uint32_t magic = c.read<uint32_t>("magic");
    if (magic != 0x46554747u) // "GGUF" little-endian
        throw Error(QStringLiteral("%1: not a GGUF file (bad magic).").arg(label));
    m_version = c.read<uint32_t>("version");
    if (m_version == 1)
        throw Error(QStringLiteral("%1: GGUF version 1 is not supported (re-convert the model with a current llama.cpp).").arg(label));
    if (m_version != 2 && m_version != 3)
        throw Error(QStringLiteral("%1: unknown GGUF version %2 (Strata reads 2 and 3).").arg(label).arg(m_version));
    const uint64_t nTensors = c.read<uint64_t>("tensor count");
    const uint64_t nKv = c.read<uint64_t>("metadata count");
    // Each key/value takes at least 8+1+4+1 bytes, each tensor info at least 8+1+4+8+4+8.
    if (nKv > uint64_t(c.remaining()) / 14)
        throw Error(QStringLiteral("%1: corrupt GGUF: %2 metadata entries cannot fit in the file.").arg(label).arg(nKv));
    if (nTensors > uint64_t(c.remaining()) / 33)
        throw Error(QStringLiteral("%1: corrupt GGUF: %2 tensors cannot fit in the file.").arg(label).arg(nTensors));

    for (uint64_t i = 0; i < nKv; ++i) {
        const QString key = c.readString("metadata key");
        const uint32_t type = c.read<uint32_t>("metadata value type");
        m_meta.insert(key, readValue(c, type, key, label, 0));
        m_keys << key;
    }
    if (m_meta.contains(QStringLiteral("general.alignment"))) {
        const qlonglong a = m_meta.value(QStringLiteral("general.alignment")).toLongLong();
        if (a <= 0 || a > 65536 || (a & (a - 1)) != 0)
            throw Error(QStringLiteral("%1: corrupt GGUF: general.alignment %2 is not a power of two.").arg(label).arg(a));
        m_alignment = uint32_t(a);
    }

    std::vector<GgufTensorInfo> infos;
    for (uint64_t i = 0; i < nTensors; ++i) {
        GgufTensorInfo ti;
        ti.name = c.readString("tensor name");
        const uint32_t nDims = c.read<uint32_t>("tensor dimension count");
        if (nDims == 0 || nDims > 4)
            throw Error(QStringLiteral("%1: corrupt GGUF: tensor '%2' has %3 dimensions.").arg(label, ti.name).arg(nDims));
        std::vector<int64_t> ne;
        uint64_t numel = 1;
        for (uint32_t d = 0; d < nDims; ++d) {
            const uint64_t dim = c.read<uint64_t>("tensor dimension");
            if (dim == 0 || dim > (uint64_t(1) << 40) || numel > std::numeric_limits<uint64_t>::max() / dim)
                throw Error(QStringLiteral("%1: corrupt GGUF: tensor '%2' has an absurd dimension %3.").arg(label, ti.name).arg(dim));
            numel *= dim;
            ne.push_back(int64_t(dim));
        }
        ti.shape.assign(ne.rbegin(), ne.rend());
        ti.type = c.read<uint32_t>("tensor type");
        ti.offset = c.read<uint64_t>("tensor offset");
        int bb = 0, be = 0;
        if (!blockLayout(ti.type, &bb, &be)) {
            if (ti.type > 64)
                throw Error(QStringLiteral("%1: corrupt GGUF: tensor '%2' has unknown type %3.").arg(label, ti.name).arg(ti.type));
            ti.byteSize = 0; // a real but unsupported quantisation: sized on use
        } else {
            if (ne[0] % be != 0)
                throw Error(QStringLiteral("%1: corrupt GGUF: tensor '%2' rows are not a whole number of %3 blocks.").arg(label, ti.name, typeName(ti.type)));
            ti.byteSize = numel / uint64_t(be) * uint64_t(bb);
        }
        if (m_tensors.contains(ti.name))
            throw Error(QStringLiteral("%1: corrupt GGUF: tensor '%2' appears twice.").arg(label, ti.name));
        m_tensors.insert(ti.name, ti);
        m_order << ti.name;
        infos.push_back(ti);
    }
    m_dataStart = (c.pos() + m_alignment - 1) / m_alignment * m_alignment;
    const qint64 dataSize = m_size - m_dataStart;
    if (dataSize < 0 && nTensors > 0)
        throw Error(QStringLiteral("%1: corrupt GGUF: the file ends before its tensor data.").arg(label));
    for (const GgufTensorInfo &ti : infos) {
        if (ti.offset % m_alignment != 0)
            throw Error(QStringLiteral("%1: corrupt GGUF: tensor '%2' offset %3 is not aligned to %4.").arg(label, ti.name).arg(ti.offset).arg(m_alignment));
        if (ti.offset > uint64_t(std::max<qint64>(0, dataSize)) || ti.byteSize > uint64_t(dataSize) - ti.offset)
            throw Error(QStringLiteral("%1: corrupt GGUF: tensor '%2' (%3 bytes at offset %4) runs past the end of the file.")
                            .arg(label, ti.name)
                            .arg(ti.byteSize)
                            .arg(ti.offset));
    }
}

QString GgufReader::requireString(const QString &key) const
{
    const QVariant v = m_meta.value(key);
    if (v.typeId() != QMetaType::QString)
        throw Error(QStringLiteral("%1: metadata '%2' is missing or not a string.").arg(QDir::toNativeSeparators(m_path), key));
    return v.toString();
}

int64_t GgufReader::requireInt(const QString &key) const
{
    const QVariant v = m_meta.value(key);
    bool ok = false;
    const qlonglong n = v.toLongLong(&ok);
    if (!v.isValid() || !ok || v.typeId() == QMetaType::QString || v.typeId() == QMetaType::QStringList)
        throw Error(QStringLiteral("%1: metadata '%2' is missing or not an integer.").arg(QDir::toNativeSeparators(m_path), key));
    return n;
}

int64_t GgufReader::optionalInt(const QString &key, int64_t fallback) const
{
    return m_meta.contains(key) ? requireInt(key) : fallback;
}

double GgufReader::optionalDouble(const QString &key, double fallback) const
{
    if (!m_meta.contains(key))
        return fallback;
    bool ok = false;
    const double d = m_meta.value(key).toDouble(&ok);
    if (!ok)
        throw Error(QStringLiteral("%1: metadata '%2' is not a number.").arg(QDir::toNativeSeparators(m_path), key));
    return d;
}

const GgufTensorInfo &GgufReader::info(const QString &name) const
{
    auto it = m_tensors.constFind(name);
    if (it == m_tensors.constEnd())
        throw Error(QStringLiteral("%1: tensor '%2' is missing.").arg(QDir::toNativeSeparators(m_path), name));
    return *it;
}

const unsigned char *GgufReader::rawData(const QString &name) const
{
    return m_map + m_dataStart + info(name).offset;
}

HostTensor GgufReader::tensorF32(const QString &name) const
{
    const GgufTensorInfo &ti = info(name);
    requireReadable(name);
    HostTensor out(DType::F32, ti.shape);
    const int64_t rowLength = ti.shape.back();
    ggmlDequantizeRows(ti.type, rawData(name), static_cast<float *>(out.data()), out.numel() / rowLength, rowLength);
    return out;
}

void GgufReader::requireReadable(const QString &name) const
{
    const GgufTensorInfo &ti = info(name);
    if (!typeSupported(ti.type))
        throw Error(QStringLiteral("%1: tensor '%2' is %3, a tensor type Strata cannot read (it reads F32, F16, BF16 and every ggml "
                                   "quantisation: Q4_0 ... Q8_0, the K-quants, the IQ types, TQ1_0/TQ2_0 and MXFP4).")
                        .arg(QDir::toNativeSeparators(m_path), name, typeName(ti.type)));
}

QHash<QString, int64_t> GgufReader::elementsByType() const
{
    QHash<QString, int64_t> out;
    for (const GgufTensorInfo &ti : m_tensors)
        out[typeName(ti.type)] += HostTensor::numelOf(ti.shape);
    return out;
}

QString GgufReader::typeMixSummary() const
{
    const QHash<QString, int64_t> by = elementsByType();
    int64_t total = 0;
    std::vector<std::pair<int64_t, QString>> parts;
    for (auto it = by.begin(); it != by.end(); ++it) {
        total += it.value();
        parts.emplace_back(it.value(), it.key());
    }
    std::sort(parts.begin(), parts.end(), [](const auto &a, const auto &b) { return a.first != b.first ? a.first > b.first : a.second < b.second; });
    const QString fileType =
        m_meta.contains(QStringLiteral("general.file_type")) ? ggmlFileTypeName(m_meta.value(QStringLiteral("general.file_type")).toLongLong()) : QString();
    if (parts.size() == 1)
        return fileType.isEmpty() || fileType == parts[0].second ? parts[0].second : fileType + QStringLiteral(": ") + parts[0].second;
    QStringList shares;
    for (const auto &[n, name] : parts) {
        const double pct = 100.0 * double(n) / double(std::max<int64_t>(1, total));
        shares << QStringLiteral("%1 %2 %").arg(name, pct >= 9.95 ? QString::number(pct, 'f', 0) : QString::number(pct, 'g', 2));
    }
    return (fileType.isEmpty() ? QString() : fileType + QStringLiteral(": ")) + shares.join(QStringLiteral(", "));
}

} // namespace strata
