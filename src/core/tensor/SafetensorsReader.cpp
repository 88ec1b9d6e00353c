#include "SafetensorsReader.h"

#include "util/Error.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>

#include <algorithm>
#include <cstring>
#include <limits>

namespace strata {

namespace {
constexpr qint64 kMaxHeaderBytes = 100 * 1024 * 1024; // the format's own limit

QString fileLabel(const QString &path)
{
    return QDir::toNativeSeparators(path);
}

bool mulOverflows(qint64 a, qint64 b, qint64 *out)
{
    if (a < 0 || b < 0)
        return true;
    if (a != 0 && b > std::numeric_limits<qint64>::max() / a)
        return true;
    *out = a * b;
    return false;
}
} // namespace

SafetensorsReader::~SafetensorsReader()
{
    if (m_map)
        m_file.unmap(const_cast<unsigned char *>(m_map));
}

void SafetensorsReader::open(const QString &path)
{
    m_path = path;
    const QString label = fileLabel(path);
    m_file.setFileName(path);
    if (!QFileInfo::exists(path))
        throw Error(QStringLiteral("%1: file not found.").arg(label));
    if (!m_file.open(QIODevice::ReadOnly))
        throw Error(QStringLiteral("%1: cannot open: %2.").arg(label, m_file.errorString()));
    const qint64 size = m_file.size();
    if (size < 8)
        throw Error(QStringLiteral("%1: not a safetensors file (only %2 bytes, shorter than the 8-byte header length).").arg(label).arg(size));
    uchar *map = m_file.map(0, size);
    if (!map)
        throw Error(QStringLiteral("%1: cannot map the file into memory: %2.").arg(label, m_file.errorString()));
    m_map = map;

    quint64 headerLen = 0;
    std::memcpy(&headerLen, m_map, 8); // little-endian on every platform we build for
    if (headerLen > quint64(kMaxHeaderBytes) || qint64(headerLen) > size - 8)
        throw Error(QStringLiteral("%1: corrupt safetensors header: it claims %2 bytes but the file has only %3 after the length field.")
                        .arg(label)
                        .arg(headerLen)
                        .arg(size - 8));
    m_dataStart = 8 + qint64(headerLen);
    const qint64 dataSize = size - m_dataStart;

    QJsonParseError perr;
    const QByteArray headerBytes = QByteArray::fromRawData(reinterpret_cast<const char *>(m_map + 8), qsizetype(headerLen));
    const QJsonDocument doc = QJsonDocument::fromJson(headerBytes, &perr);
    if (perr.error != QJsonParseError::NoError)
        throw Error(QStringLiteral("%1: corrupt safetensors header: invalid JSON at byte %2 (%3).").arg(label).arg(perr.offset).arg(perr.errorString()));
    if (!doc.isObject())
        throw Error(QStringLiteral("%1: corrupt safetensors header: the JSON is not an object.").arg(label));

    const QJsonObject root = doc.object();
    std::vector<TensorInfo> byOffset;
    for (auto it = root.begin(); it != root.end(); ++it) {
        const QString name = it.key();
        if (name == QLatin1String("__metadata__")) {
            if (!it.value().isObject())
                throw Error(QStringLiteral("%1: __metadata__ must be an object of strings.").arg(label));
            const QJsonObject md = it.value().toObject();
            for (auto m = md.begin(); m != md.end(); ++m)
                m_metadata.insert(m.key(), m.value().toString());
            continue;
        }
        if (!it.value().isObject())
            throw Error(QStringLiteral("%1: entry '%2' is not an object.").arg(label, name));
        const QJsonObject o = it.value().toObject();
        TensorInfo ti;
        ti.name = name;
        const QString dt = o.value(QLatin1String("dtype")).toString();
        if (!dtypeFromName(dt, &ti.dtype))
            throw Error(QStringLiteral("%1: tensor '%2' has unsupported dtype '%3'.").arg(label, name, dt.isEmpty() ? QStringLiteral("(missing)") : dt));
        const QJsonValue shapeV = o.value(QLatin1String("shape"));
        if (!shapeV.isArray())
            throw Error(QStringLiteral("%1: tensor '%2' has no shape array.").arg(label, name));
        qint64 numel = 1;
        for (const QJsonValue &d : shapeV.toArray()) {
            if (!d.isDouble() || d.toDouble() < 0 || d.toDouble() != double(qint64(d.toDouble())))
                throw Error(QStringLiteral("%1: tensor '%2' has an invalid dimension in its shape.").arg(label, name));
            const qint64 dim = qint64(d.toDouble());
            ti.shape.push_back(dim);
            if (mulOverflows(numel, dim, &numel))
                throw Error(QStringLiteral("%1: tensor '%2' has an absurd shape.").arg(label, name));
        }
        const QJsonArray offs = o.value(QLatin1String("data_offsets")).toArray();
        if (offs.size() != 2 || !offs[0].isDouble() || !offs[1].isDouble())
            throw Error(QStringLiteral("%1: tensor '%2' needs data_offsets [begin, end].").arg(label, name));
        ti.begin = qint64(offs[0].toDouble());
        ti.end = qint64(offs[1].toDouble());
        if (ti.begin < 0 || ti.end < ti.begin || ti.end > dataSize)
            throw Error(QStringLiteral("%1: tensor '%2' has data offsets [%3, %4] outside the data section of %5 bytes.")
                            .arg(label, name)
                            .arg(ti.begin)
                            .arg(ti.end)
                            .arg(dataSize));
        qint64 expected = 0;
        if (mulOverflows(numel, dtypeSize(ti.dtype), &expected) || expected != ti.end - ti.begin)
            throw Error(QStringLiteral("%1: tensor '%2' has %3 bytes of data but shape %4 of %5 needs %6.")
                            .arg(label, name)
                            .arg(ti.end - ti.begin)
                            .arg(HostTensor::shapeString(ti.shape), dtypeName(ti.dtype))
                            .arg(expected));
        byOffset.push_back(ti);
        m_infos.insert(name, ti);
    }
    std::sort(byOffset.begin(), byOffset.end(),
              [](const TensorInfo &a, const TensorInfo &b) { return a.begin != b.begin ? a.begin < b.begin : a.end < b.end; });
    for (size_t i = 1; i < byOffset.size(); ++i) {
        if (byOffset[i].begin < byOffset[i - 1].end)
            throw Error(QStringLiteral("%1: tensors '%2' and '%3' overlap in the file.").arg(label, byOffset[i - 1].name, byOffset[i].name));
    }
    for (const auto &ti : byOffset)
        m_order << ti.name;
}

const TensorInfo &SafetensorsReader::info(const QString &name) const
{
    auto it = m_infos.constFind(name);
    if (it == m_infos.constEnd())
        throw Error(QStringLiteral("%1: tensor '%2' is missing.").arg(fileLabel(m_path), name));
    return *it;
}

const unsigned char *SafetensorsReader::rawData(const QString &name) const
{
    return m_map + m_dataStart + info(name).begin;
}

HostTensor SafetensorsReader::tensor(const QString &name) const
{
    const TensorInfo &ti = info(name);
    const DType target = isFloatingDType(ti.dtype) ? DType::F32 : ti.dtype;
    HostTensor out(target, ti.shape);
    const unsigned char *src = rawData(name);
    if (target == ti.dtype) {
        if (out.byteSize())
            std::memcpy(out.data(), src, out.byteSize());
        return out;
    }
    HostTensor view(ti.dtype, ti.shape);
    if (view.byteSize())
        std::memcpy(view.data(), src, view.byteSize());
    return view.converted(DType::F32);
}

std::vector<float> SafetensorsReader::floats(const QString &name) const
{
    const TensorInfo &ti = info(name);
    if (!isFloatingDType(ti.dtype))
        throw Error(QStringLiteral("%1: tensor '%2' holds %3, not floating-point values.").arg(fileLabel(m_path), name, dtypeName(ti.dtype)));
    return tensor(name).toFloatVector();
}

void SafetensorsCheckpoint::openFile(const QString &file)
{
    auto r = std::make_unique<SafetensorsReader>();
    r->open(file);
    const int idx = int(m_readers.size());
    for (const QString &n : r->tensorNames()) {
        if (m_owner.contains(n))
            throw Error(QStringLiteral("%1: tensor '%2' also appears in another shard.").arg(fileLabel(file), n));
        m_owner.insert(n, idx);
    }
    m_totalBytes += QFileInfo(file).size();
    m_readers.push_back(std::move(r));
}

void SafetensorsCheckpoint::openFolder(const QString &folder)
{
    const QDir dir(folder);
    const QString index = dir.filePath(QStringLiteral("model.safetensors.index.json"));
    const QString single = dir.filePath(QStringLiteral("model.safetensors"));
    if (QFileInfo::exists(single)) {
        openFile(single);
        return;
    }
    if (!QFileInfo::exists(index)) {
        const bool hasBin = QFileInfo::exists(dir.filePath(QStringLiteral("pytorch_model.bin")));
        throw Error(hasBin ? QStringLiteral("%1 has only pytorch_model.bin; Strata reads model.safetensors (convert it with the safetensors tools).")
                                 .arg(fileLabel(folder))
                           : QStringLiteral("%1 has neither model.safetensors nor model.safetensors.index.json.").arg(fileLabel(folder)));
    }
    QFile f(index);
    if (!f.open(QIODevice::ReadOnly))
        throw Error(QStringLiteral("%1: cannot open: %2.").arg(fileLabel(index), f.errorString()));
    QJsonParseError perr;
    const QJsonDocument doc = QJsonDocument::fromJson(f.readAll(), &perr);
    if (perr.error != QJsonParseError::NoError || !doc.isObject())
        throw Error(QStringLiteral("%1: invalid JSON (%2).").arg(fileLabel(index), perr.errorString()));
    const QJsonObject map = doc.object().value(QLatin1String("weight_map")).toObject();
    if (map.isEmpty())
        throw Error(QStringLiteral("%1: no weight_map.").arg(fileLabel(index)));
    QStringList shards;
    for (auto it = map.begin(); it != map.end(); ++it) {
        const QString shard = it.value().toString();
        if (shard.isEmpty() || shard.contains(QLatin1Char('/')) || shard.contains(QLatin1Char('\\')) || shard.contains(QChar(0)) ||
            shard.contains(QLatin1String("..")))
            throw Error(QStringLiteral("%1: tensor '%2' maps to an invalid shard name.").arg(fileLabel(index), it.key()));
        if (!shards.contains(shard))
            shards << shard;
    }
    shards.sort();
    for (const QString &s : shards)
        openFile(dir.filePath(s));
    for (auto it = map.begin(); it != map.end(); ++it) {
        const auto own = m_owner.constFind(it.key());
        if (own == m_owner.constEnd() || QFileInfo(m_readers[size_t(*own)]->path()).fileName() != it.value().toString())
            throw Error(QStringLiteral("%1: tensor '%2' is not in shard %3.").arg(fileLabel(index), it.key(), it.value().toString()));
    }
}

QStringList SafetensorsCheckpoint::tensorNames() const
{
    QStringList all;
    for (const auto &r : m_readers)
        all << r->tensorNames();
    return all;
}

QStringList SafetensorsCheckpoint::files() const
{
    QStringList all;
    for (const auto &r : m_readers)
        all << r->path();
    return all;
}

const SafetensorsReader &SafetensorsCheckpoint::reader(const QString &name) const
{
    auto it = m_owner.constFind(name);
    if (it == m_owner.constEnd())
        throw Error(QStringLiteral("The checkpoint has no tensor named '%1'.").arg(name));
    return *m_readers[size_t(*it)];
}

const TensorInfo &SafetensorsCheckpoint::info(const QString &name) const
{
    return reader(name).info(name);
}
HostTensor SafetensorsCheckpoint::tensor(const QString &name) const
{
    return reader(name).tensor(name);
}
std::vector<float> SafetensorsCheckpoint::floats(const QString &name) const
{
    return reader(name).floats(name);
}
const unsigned char *SafetensorsCheckpoint::rawData(const QString &name) const
{
    return reader(name).rawData(name);
}

void writeSafetensors(const QString &path, const std::vector<NamedTensor> &tensors, const QHash<QString, QString> &metadata)
{
    QJsonObject header;
    if (!metadata.isEmpty()) {
        QJsonObject md;
        for (auto it = metadata.begin(); it != metadata.end(); ++it)
            md.insert(it.key(), it.value());
        header.insert(QStringLiteral("__metadata__"), md);
    }
    qint64 offset = 0;
    for (const auto &nt : tensors) {
        QJsonArray shape;
        for (int64_t d : nt.tensor.shape())
            shape.append(qint64(d));
        const qint64 end = offset + qint64(nt.tensor.byteSize());
        header.insert(nt.name, QJsonObject{{QStringLiteral("dtype"), dtypeName(nt.tensor.dtype())},
                                           {QStringLiteral("shape"), shape},
                                           {QStringLiteral("data_offsets"), QJsonArray{offset, end}}});
        offset = end;
    }
    QByteArray json = QJsonDocument(header).toJson(QJsonDocument::Compact);
    while (json.size() % 8) // keep the data section 8-byte aligned, as the reference writer does
        json.append(' ');
    QSaveFile out(path);
    if (!out.open(QIODevice::WriteOnly))
        throw Error(QStringLiteral("%1: cannot write: %2.").arg(fileLabel(path), out.errorString()));
    const quint64 len = quint64(json.size());
    bool ok = out.write(reinterpret_cast<const char *>(&len), 8) == 8 && out.write(json) == json.size();
    for (const auto &nt : tensors) {
        if (!ok)
            break;
        ok = out.write(static_cast<const char *>(nt.tensor.data()), qint64(nt.tensor.byteSize())) == qint64(nt.tensor.byteSize());
    }
    if (!ok || !out.commit())
        throw Error(QStringLiteral("%1: writing failed (%2); nothing was written.").arg(fileLabel(path), out.errorString()));
}

} // namespace strata
