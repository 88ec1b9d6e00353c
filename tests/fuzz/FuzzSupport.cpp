#include "FuzzSupport.h"

#include "util/Error.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QList>
#include <QTemporaryDir>

#include <cstdio>

namespace strata::fuzz {

void rejected(const Error &e)
{
    static const bool verbose = qEnvironmentVariableIsSet("STRATA_FUZZ_VERBOSE");
    if (verbose)
        std::fprintf(stderr, "  refused: %s\n", e.what());
}

void ensureApp()
{
    static int argc = 1;
    static char name[] = "strata-fuzz";
    static char *argv[] = {name, nullptr};
    if (!QCoreApplication::instance())
        new QCoreApplication(argc, argv); // lives as long as the process
}

QString scratchDir()
{
    static QTemporaryDir dir(QDir::tempPath() + QStringLiteral("/strata-fuzz-XXXXXX"));
    return dir.path();
}

QString writeFile(const QString &name, const QByteArray &bytes)
{
    const QString path = scratchDir() + QLatin1Char('/') + name;
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate) || f.write(bytes) != bytes.size())
        qFatal("fuzz: cannot write %s", qPrintable(path));
    return path;
}

QString sharedDir()
{
    return QStringLiteral(STRATA_SHARED_DIR);
}

QList<QByteArray> splitParts(const QByteArray &data, int maxParts)
{
    static const QByteArray marker("\n--8<--\n");
    QList<QByteArray> parts;
    qsizetype from = 0;
    while (parts.size() < maxParts - 1) {
        const qsizetype at = data.indexOf(marker, from);
        if (at < 0)
            break;
        parts.append(data.mid(from, at - from));
        from = at + marker.size();
    }
    parts.append(data.mid(from));
    return parts;
}

} // namespace strata::fuzz
