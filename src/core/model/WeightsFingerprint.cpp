#include "WeightsFingerprint.h"

#include <QCryptographicHash>
#include <QFile>
#include <QFileInfo>

namespace strata {

QString weightsFingerprint(const QStringList &files)
{
    QCryptographicHash h(QCryptographicHash::Sha256);
    for (const QString &path : files) {
        QFile f(path);
        if (!f.open(QIODevice::ReadOnly))
            continue;
        const qint64 size = f.size();
        h.addData(QFileInfo(path).fileName().toUtf8());
        h.addData(QByteArray::number(size));
        auto addRange = [&](qint64 at, qint64 len) {
            if (at < 0 || at >= size)
                return;
            f.seek(at);
            h.addData(f.read(qMin(len, size - at)));
        };
        constexpr qint64 MiB = 1 << 20;
        if (size <= 4 * MiB) {
            addRange(0, size);
            continue;
        }
        addRange(0, MiB);
        for (int i = 1; i <= 14; ++i)
            addRange(size * i / 15, 64 * 1024);
        addRange(size - MiB, MiB);
    }
    return QString::fromLatin1(h.result().toHex().left(16));
}

} // namespace strata
