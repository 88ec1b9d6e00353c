#pragma once

#include <QString>
#include <QStringList>

namespace strata {

// The local Hugging Face Hub cache, laid out as huggingface_hub lays it out:
//   <cache>/models--org--name/{blobs/<hash>, refs/<revision> (a commit), snapshots/<commit>/<file>}
// so that models a user already downloaded with Python tools load without another download.
class HubCache
{
public:
    // $HF_HUB_CACHE, else $HF_HOME/hub, else $XDG_CACHE_HOME/huggingface/hub, else ~/.cache/huggingface/hub.
    static QStringList cacheDirectories();
    static QString defaultCacheDirectory();
    static bool looksLikeRepoId(const QString &text);
    static QString repoFolderName(const QString &repoId); // "models--org--name"
    // The snapshot folder of repo at revision (a branch, tag or commit; empty means "main"), or empty.
    static QString findSnapshot(const QString &repoId, const QString &revision = QString(), const QString &cacheDir = QString());

    struct Entry
    {
        QString repoId;
        QString revision;
        QString snapshotPath;
    };
    static QList<Entry> listModels(const QString &cacheDir = QString());
};

} // namespace strata
