#pragma once

#include "tensor/HostTensor.h"
#include "tensor/SafetensorsReader.h"

#include <QDir>
#include <QFileInfo>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QString>
#include <QtTest>

#include <cmath>
#include <limits>

namespace testutil {

inline QString sharedPath(const QString &rel)
{
    return QDir(QStringLiteral(STRATA_SHARED_DIR)).filePath(rel);
}

inline QString gpt2TinyDir()
{
    return sharedPath(QStringLiteral("fixtures/gpt2-tiny"));
}

inline QString shapeText(const std::vector<int64_t> &shape)
{
    QStringList parts;
    for (int64_t d : shape)
        parts << QString::number(d);
    return QLatin1Char('[') + parts.join(QLatin1Char(',')) + QLatin1Char(']');
}

// Largest absolute difference between two float sequences of equal length. A length mismatch, an
// empty pair (nothing was captured) or a NaN fails the calling test right here, with the sizes in the
// message, and returns +infinity, so that `maxAbsDiff(a, b) <= tol` can never pass on it.
template <typename A, typename B> double maxAbsDiff(const A &a, const B &b, const char *file = __builtin_FILE(), int line = __builtin_LINE())
{
    const double inf = std::numeric_limits<double>::infinity();
    if (a.size() != b.size() || a.size() == 0) {
        QTest::qFail(qPrintable(QStringLiteral("maxAbsDiff: %1 values against %2").arg(qint64(a.size())).arg(qint64(b.size()))), file, line);
        return inf;
    }
    double m = 0;
    for (size_t i = 0; i < size_t(a.size()); ++i) {
        const double d = std::abs(double(a[i]) - double(b[i]));
        if (std::isnan(d)) {
            QTest::qFail(qPrintable(QStringLiteral("maxAbsDiff: NaN at element %1").arg(qint64(i))), file, line);
            return inf;
        }
        m = std::max(m, d);
    }
    return m;
}

// The same for a captured tensor against a named tensor of a reference file: the shapes must agree
// (both are named in the failure message) and the reference must hold the name.
inline double tensorDiff(const strata::HostTensor &got, const strata::SafetensorsReader &want, const QString &name, const char *file = __builtin_FILE(),
                         int line = __builtin_LINE())
{
    if (!want.contains(name)) {
        QTest::qFail(qPrintable(QStringLiteral("the reference has no tensor %1").arg(name)), file, line);
        return std::numeric_limits<double>::infinity();
    }
    if (got.shape() != want.info(name).shape) {
        QTest::qFail(qPrintable(QStringLiteral("%1: shape %2, the reference's %3").arg(name, shapeText(got.shape()), shapeText(want.info(name).shape))), file,
                     line);
        return std::numeric_limits<double>::infinity();
    }
    return maxAbsDiff(got.toFloatVector(), want.floats(name), file, line);
}

// How many layers a reference file holds ("attn.0", "attn.1", ... after prefix).
inline int referenceLayers(const strata::SafetensorsReader &want, const QString &prefix = QString())
{
    const QRegularExpression re(QStringLiteral("^") + QRegularExpression::escape(prefix) + QStringLiteral("attn\\.(\\d+)$"));
    int n = 0;
    for (const QString &name : want.tensorNames())
        if (const auto m = re.match(name); m.hasMatch())
            n = std::max(n, m.captured(1).toInt() + 1);
    return n;
}

} // namespace testutil
