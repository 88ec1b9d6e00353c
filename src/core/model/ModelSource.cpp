#include "ModelSource.h"

#include "hub/HubCache.h"
#include "util/Error.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QProcessEnvironment>

namespace strata {

QString ModelSource::filePath(const QString &name) const
{
    return QDir(isFolder() ? path : QFileInfo(path).absolutePath()).filePath(name);
}

QStringList demoModelCandidates()
{
    QStringList c;
    const QString env = qEnvironmentVariable("STRATA_DEMO_MODEL");
    if (!env.isEmpty())
        c << env;
    const QString app = QCoreApplication::applicationDirPath();
    if (!app.isEmpty()) {
        c << QDir(app).filePath(QStringLiteral("../share/strata/demo-model"));
        c << QDir(app).filePath(QStringLiteral("../resources/demo-model")); // build tree
    }
#ifdef STRATA_SOURCE_DIR
    c << QStringLiteral(STRATA_SOURCE_DIR "/resources/demo-model");
#endif
    return c;
}

ModelSource resolveModelLocation(const QString &location)
{
    ModelSource src;
    src.location = location;
    const QString loc = location.trimmed();
    if (loc.isEmpty())
        throw Error(QStringLiteral("No model given: name a folder, a .gguf file, a Hub id or 'demo'."));

    if (loc == QLatin1String("demo")) {
        const QStringList candidates = demoModelCandidates();
        for (const QString &c : candidates) {
            if (QFileInfo(QDir(c).filePath(QStringLiteral("config.json"))).isFile()) {
                src.kind = ModelSource::Kind::Folder;
                src.path = QFileInfo(c).canonicalFilePath();
                return src;
            }
        }
        throw Error(QStringLiteral("The bundled demo model was not found (looked in %1). Rebuild it with 'strata-cli train' or reinstall Strata.")
                        .arg(candidates.join(QStringLiteral(", "))));
    }

    const QFileInfo fi(loc);
    if (fi.exists()) {
        if (fi.isDir()) {
            src.kind = ModelSource::Kind::Folder;
            src.path = fi.canonicalFilePath();
            return src;
        }
        const QString name = fi.fileName();
        if (name == QLatin1String("config.json") || name.endsWith(QLatin1String(".safetensors")) || name == QLatin1String("model.safetensors.index.json")) {
            src.kind = ModelSource::Kind::Folder;
            src.path = fi.canonicalPath();
            return src;
        }
        src.kind = ModelSource::Kind::File;
        src.path = fi.canonicalFilePath();
        return src;
    }

    if (HubCache::looksLikeRepoId(loc)) {
        QString repo = loc, rev;
        const int at = int(loc.indexOf(QLatin1Char('@')));
        if (at > 0) {
            repo = loc.left(at);
            rev = loc.mid(at + 1);
        }
        const QString snapshot = HubCache::findSnapshot(repo, rev);
        if (!snapshot.isEmpty()) {
            src.kind = ModelSource::Kind::Folder;
            src.path = snapshot;
            src.hubId = repo;
            src.revision = rev;
            return src;
        }
        throw Error(QStringLiteral("'%1' is not a folder or file here, and the Hub id was not found in the local Hugging Face cache (%2). Download it first.")
                        .arg(loc, HubCache::cacheDirectories().join(QStringLiteral(", "))));
    }
    throw Error(QStringLiteral("'%1' does not exist: give a model folder, a .gguf file, a Hub id (org/name) in the local cache, or 'demo'.").arg(loc));
}

} // namespace strata
