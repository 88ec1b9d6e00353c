#pragma once

#include <QDir>
#include <QFileInfo>
#include <QStandardPaths>
#include <QString>
#include <QtTest>

namespace testutil {

inline QString sharedPath(const QString &rel)
{
    return QDir(QStringLiteral(STRATA_SHARED_DIR)).filePath(rel);
}

inline QString gpt2TinyDir()
{
    return sharedPath(QStringLiteral("fixtures/gpt2-tiny"));
}

// Largest absolute difference between two float sequences of equal length (-1 on size mismatch).
template <typename A, typename B> double maxAbsDiff(const A &a, const B &b)
{
    if (a.size() != b.size())
        return -1;
    double m = 0;
    for (size_t i = 0; i < size_t(a.size()); ++i)
        m = std::max(m, std::abs(double(a[i]) - double(b[i])));
    return m;
}

} // namespace testutil
