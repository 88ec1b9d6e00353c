#pragma once

#include <QString>
#include <QStringList>

namespace strata {

class JobControl;

struct HubDownloadRequest
{
    QString repoId; // "org/name"
    QString revision = QStringLiteral("main");
    QStringList files;          // empty: ask the Hub API for the repository's files
    QString endpoint;           // empty: $HF_ENDPOINT or https://huggingface.co
    QString token;              // empty: $HF_TOKEN, $HUGGING_FACE_HUB_TOKEN or $HF_HOME/token
    QString cacheDir;           // empty: HubCache::defaultCacheDirectory()
    int maxAttempts = 4;        // per file; each retry resumes where the last one stopped
    int stallTimeoutMs = 30000; // abort an attempt that receives nothing for this long
};

// Downloads a model repository from the Hugging Face Hub (or any server with the Hub's URL layout
// /{repo}/resolve/{revision}/{file}) into the local cache layout that huggingface_hub uses, so the
// result is also what Python tools find. Partial files are kept as blobs/<etag>.incomplete and
// resumed with HTTP Range requests; sizes are checked against Content-Length and LFS files against
// their SHA-256 ETag. Synchronous: call it on a worker thread (it runs its own event loop).
class HubDownloader
{
public:
    // Returns the snapshot folder. Throws Error (with the HTTP status and URL) or Cancelled.
    static QString download(const HubDownloadRequest &request, const JobControl *control = nullptr);
    static QString defaultEndpoint();
    static QString defaultToken();
    // Files worth fetching for Strata from a repository listing.
    static bool isWantedFile(const QString &name);
};

} // namespace strata
