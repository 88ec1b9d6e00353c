// SafetensorsReader and SafetensorsCheckpoint on hostile bytes. Input: one .safetensors file, or
// (first byte 'I') a model.safetensors.index.json and two shards separated by "\n--8<--\n",
// opened as a folder the way a Hugging Face model is. Every tensor the header accepts is read and
// converted, so an offset, shape or dtype the validation let through is touched here.

#include "FuzzSupport.h"

#include "tensor/SafetensorsReader.h"
#include "util/Error.h"

#include <QDir>

using namespace strata;

namespace {

constexpr int64_t kMaxElements = int64_t(1) << 22;

template <typename Reader> void readAll(const Reader &reader, const QStringList &names)
{
    for (const QString &name : names) {
        const TensorInfo &info = reader.info(name);
        const int64_t n = HostTensor::numelOf(info.shape);
        if (n > kMaxElements)
            continue;
        const HostTensor t = reader.tensor(name);
        if (t.numel() != n)
            qFatal("tensor %s: %lld elements, header says %lld", qPrintable(name), static_cast<long long>(t.numel()), static_cast<long long>(n));
        if (isFloatingDType(info.dtype))
            (void)reader.floats(name);
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray input = fuzz::bytes(data, size);
    try {
        if (input.startsWith('I')) {
            const QList<QByteArray> parts = fuzz::splitParts(input.mid(1), 3);
            const QString folder = fuzz::scratchDir() + QStringLiteral("/sharded");
            QDir(folder).removeRecursively();
            QDir().mkpath(folder);
            fuzz::writeFile(QStringLiteral("sharded/model.safetensors.index.json"), parts.value(0));
            fuzz::writeFile(QStringLiteral("sharded/model-00001-of-00002.safetensors"), parts.value(1));
            fuzz::writeFile(QStringLiteral("sharded/model-00002-of-00002.safetensors"), parts.value(2));
            SafetensorsCheckpoint ckpt;
            ckpt.openFolder(folder);
            readAll(ckpt, ckpt.tensorNames());
        } else {
            SafetensorsReader reader;
            reader.open(fuzz::writeFile(QStringLiteral("input.safetensors"), input));
            readAll(reader, reader.tensorNames());
        }
    } catch (const Error &e) {
        fuzz::rejected(e);
    }
    return 0;
}
