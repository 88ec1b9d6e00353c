#pragma once

#include "HostTensor.h"

#include <QFile>
#include <QHash>
#include <QString>
#include <QStringList>
#include <QVariant>

namespace strata {

// A few GGUF tensor types (ggml_type) by name; GgmlQuants.h has every type Strata reads, with its
// block layout.
enum class GgmlType : uint32_t { F32 = 0, F16 = 1, Q4_0 = 2, Q4_1 = 3, Q5_0 = 6, Q5_1 = 7, Q8_0 = 8, Q4_K = 12, Q6_K = 14, BF16 = 30 };

struct GgufTensorInfo
{
    QString name;
    uint32_t type = 0;
    std::vector<int64_t> shape; // row-major (GGUF's ne[] reversed): a [ne1=out, ne0=in] matrix is {out, in}
    uint64_t offset = 0;        // relative to the data section
    uint64_t byteSize = 0;
};

// Reads GGUF v2 and v3 through a read-only memory map. open() walks the header, every metadata
// key/value (all types, arrays included) and every tensor info, checking each count, length and
// offset against the bytes that remain before anything is allocated, so a corrupt or hostile file
// fails with a message instead of a huge allocation or a crash.
class GgufReader
{
public:
    GgufReader() = default;
    ~GgufReader();
    GgufReader(const GgufReader &) = delete;
    GgufReader &operator=(const GgufReader &) = delete;

    void open(const QString &path); // throws Error
    const QString &path() const { return m_path; }
    uint32_t version() const { return m_version; }
    uint32_t alignment() const { return m_alignment; }
    qint64 fileSize() const { return m_size; }

    const QStringList &metadataKeys() const { return m_keys; }
    bool hasMetadata(const QString &key) const { return m_meta.contains(key); }
    QVariant metadata(const QString &key) const { return m_meta.value(key); }
    // Typed access with errors that name the file and key.
    QString requireString(const QString &key) const;
    int64_t requireInt(const QString &key) const;
    int64_t optionalInt(const QString &key, int64_t fallback) const;
    double optionalDouble(const QString &key, double fallback) const;

    const QStringList &tensorNames() const { return m_order; }
    bool contains(const QString &name) const { return m_tensors.contains(name); }
    const GgufTensorInfo &info(const QString &name) const;
    // Dequantised to float32 (every type of GgmlQuants.h); another type throws a message naming it.
    HostTensor tensorF32(const QString &name) const;
    void requireReadable(const QString &name) const; // throws that message
    // Elements per tensor type name over all tensors ("Q4_K" -> 6.1e9, ...), for the model card.
    QHash<QString, int64_t> elementsByType() const;
    // "Q4_K_M: Q4_K 62 %, Q6_K 21 %, F32 0.1 %" (general.file_type, then each type's share of the
    // elements, largest first); a file of one type is just its name ("F32").
    QString typeMixSummary() const;
    const unsigned char *rawData(const QString &name) const;

    static QString typeName(uint32_t type);
    static bool typeSupported(uint32_t type);

private:
    QString m_path;
    QFile m_file;
    const unsigned char *m_map = nullptr;
    qint64 m_size = 0;
    uint32_t m_version = 0;
    uint32_t m_alignment = 32;
    qint64 m_dataStart = 0;
    QStringList m_keys;
    QHash<QString, QVariant> m_meta;
    QHash<QString, GgufTensorInfo> m_tensors;
    QStringList m_order;
};

} // namespace strata
