#pragma once

#include "HostTensor.h"

#include <QFile>
#include <QHash>
#include <QString>
#include <QStringList>

#include <memory>

namespace strata {

struct TensorInfo
{
    QString name;
    DType dtype = DType::F32;
    std::vector<int64_t> shape;
    qint64 begin = 0; // byte offsets relative to the data section
    qint64 end = 0;
};

// Reads one .safetensors file through a read-only memory map. open() validates the whole header
// before anything is read: header length against the file size, JSON syntax, every dtype, shape and
// offset pair (in range, matching the shape, not overlapping another tensor). Errors name the file.
class SafetensorsReader
{
public:
    SafetensorsReader() = default;
    ~SafetensorsReader();
    SafetensorsReader(const SafetensorsReader &) = delete;
    SafetensorsReader &operator=(const SafetensorsReader &) = delete;

    void open(const QString &path); // throws Error
    const QString &path() const { return m_path; }

    QStringList tensorNames() const { return m_order; }
    bool contains(const QString &name) const { return m_infos.contains(name); }
    const TensorInfo &info(const QString &name) const; // throws Error when missing
    const QHash<QString, QString> &metadata() const { return m_metadata; }

    const unsigned char *rawData(const QString &name) const;
    // Converted to float32 (F32/F16/BF16/F64 storage), or copied as is (integers stay integers).
    HostTensor tensor(const QString &name) const;
    std::vector<float> floats(const QString &name) const;

private:
    QString m_path;
    QFile m_file;
    const unsigned char *m_map = nullptr;
    qint64 m_dataStart = 0;
    QHash<QString, TensorInfo> m_infos;
    QStringList m_order;
    QHash<QString, QString> m_metadata;
};

// A model's weights: one model.safetensors, or shards listed by model.safetensors.index.json.
class SafetensorsCheckpoint
{
public:
    void openFolder(const QString &folder); // throws Error
    void openFile(const QString &file);

    QStringList tensorNames() const;
    bool contains(const QString &name) const { return m_owner.contains(name); }
    const TensorInfo &info(const QString &name) const;
    HostTensor tensor(const QString &name) const;
    std::vector<float> floats(const QString &name) const;
    const unsigned char *rawData(const QString &name) const;
    QStringList files() const;
    qint64 totalBytes() const { return m_totalBytes; }

private:
    const SafetensorsReader &reader(const QString &name) const;
    std::vector<std::unique_ptr<SafetensorsReader>> m_readers;
    QHash<QString, int> m_owner;
    qint64 m_totalBytes = 0;
};

struct NamedTensor
{
    QString name;
    HostTensor tensor;
};

// Writes a .safetensors file atomically (a temporary file renamed into place on success), so a
// failure never leaves a partial file behind.
void writeSafetensors(const QString &path, const std::vector<NamedTensor> &tensors, const QHash<QString, QString> &metadata = {}); // throws Error

} // namespace strata
