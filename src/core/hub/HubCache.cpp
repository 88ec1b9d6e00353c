#include "HubCache.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>

namespace strata {

QStringList HubCache::cacheDirectories()
{
    QStringList dirs;
    const QString hubCache = qEnvironmentVariable("HF_HUB_CACHE");
    const QString hfHome = qEnvironmentVariable("HF_HOME");
    const QString xdg = qEnvironmentVariable("XDG_CACHE_HOME");
    if (!hubCache.isEmpty())
        dirs << hubCache;
    else if (!hfHome.isEmpty())
        dirs << QDir(hfHome).filePath(QStringLiteral("hub"));
    else if (!xdg.isEmpty())
        dirs << QDir(xdg).filePath(QStringLiteral("huggingface/hub"));
    else
        dirs << QDir::home().filePath(QStringLiteral(".cache/huggingface/hub"));
    return dirs;
}

QString HubCache::defaultCacheDirectory()
{
    return cacheDirectories().constFirst();
}

bool HubCache::looksLikeRepoId(const QString &text)
{
    static const QRegularExpression re(QStringLiteral("^[A-Za-z0-9][A-Za-z0-9_.-]*(/[A-Za-z0-9][A-Za-z0-9_.-]*)?(@[A-Za-z0-9_./-]+)?$"));
    return re.match(text).hasMatch() && !text.contains(QLatin1String(".."));
}

QString HubCache::repoFolderName(const QString &repoId)
{
    return QStringLiteral("models--") + QString(repoId).replace(QLatin1Char('/'), QStringLiteral("--"));
}

QString HubCache::findSnapshot(const QString &repoId, const QString &revision, const QString &cacheDir)
{
    const QStringList dirs = cacheDir.isEmpty() ? cacheDirectories() : QStringList{cacheDir};
    const QString rev = revision.isEmpty() ? QStringLiteral("main") : revision;
    for (const QString &d : dirs) {
        const QDir repo(QDir(d).filePath(repoFolderName(repoId)));
        if (!repo.exists())
            continue;
        QString commit = rev;
        QFile ref(repo.filePath(QStringLiteral("refs/") + rev));
        if (ref.open(QIODevice::ReadOnly))
            commit = QString::fromUtf8(ref.readAll()).trimmed();
        const QString snap = repo.filePath(QStringLiteral("snapshots/") + commit);
        if (!commit.isEmpty() && QFileInfo(snap).isDir())
            return QFileInfo(snap).canonicalFilePath();
    }
    return QString();
}

QList<HubCache::Entry> HubCache::listModels(const QString &cacheDir)
{
    QList<Entry> out;
    const QStringList dirs = cacheDir.isEmpty() ? cacheDirectories() : QStringList{cacheDir};
    for (const QString &d : dirs) {
        const QDir cache(d);
        for (const QString &name : cache.entryList({QStringLiteral("models--*")}, QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name)) {
            const QString repoId = name.mid(8).replace(QStringLiteral("--"), QStringLiteral("/"));
            const QDir refs(cache.filePath(name + QStringLiteral("/refs")));
            for (const QString &rev : refs.entryList(QDir::Files)) {
                const QString snap = findSnapshot(repoId, rev, d);
                if (!snap.isEmpty())
                    out.append({repoId, rev, snap});
            }
        }
    }
    return out;
}

} // namespace strata
