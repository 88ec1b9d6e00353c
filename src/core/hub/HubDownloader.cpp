#include "HubDownloader.h"

#include "HubCache.h"
#include "jobs/JobControl.h"
#include "util/Error.h"

#include <QCryptographicHash>
#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QRegularExpression>
#include <QTimer>

namespace strata {

namespace {

struct Head
{
    int status = 0;
    QString commit;
    QString etag; // 40 (git blob) or 64 (LFS SHA-256) lowercase hex digits, or empty: name the blob by its content
    qint64 size = -1;
};

bool matchesHex(const QString &s, int digits)
{
    static const QRegularExpression re40(QStringLiteral("^[0-9a-f]{40}$"));
    static const QRegularExpression re64(QStringLiteral("^[0-9a-f]{64}$"));
    return (digits == 40 ? re40 : re64).match(s).hasMatch();
}

// The Hub's ETag is the git blob id (40 hex digits) or, for LFS files, the SHA-256 (64). Anything else
// is not used as a file name: the blob is then named by the SHA-256 of what arrived.
QString cleanEtag(QString e)
{
    e = e.trimmed();
    if (e.startsWith(QLatin1String("W/")))
        e = e.mid(2);
    e.remove(QLatin1Char('"'));
    e = e.toLower();
    return matchesHex(e, 40) || matchesHex(e, 64) ? e : QString();
}

// A path element from a listing, a request or a header: relative, no "." or ".." parts, no
// backslashes or control characters.
bool isSafeRelativePath(const QString &p)
{
    if (p.isEmpty() || p.startsWith(QLatin1Char('/')) || p.contains(QLatin1Char('\\')) || p.contains(QLatin1Char(':')))
        return false;
    for (const QChar c : p)
        if (c.unicode() < 0x20 || c.unicode() == 0x7f)
            return false;
    for (const QString &part : p.split(QLatin1Char('/')))
        if (part.isEmpty() || part == QLatin1String(".") || part == QLatin1String(".."))
            return false;
    return true;
}

// Throws unless path (which need not exist yet) lies inside root, also after resolving every
// symbolic link in the part of it that exists.
void checkInside(const QString &root, const QString &path)
{
    const QString base = QDir::cleanPath(QFileInfo(root).absoluteFilePath());
    const QString full = QDir::cleanPath(QFileInfo(path).absoluteFilePath());
    bool inside = full.startsWith(base + QLatin1Char('/'));
    if (inside) {
        const QString canonicalBase = QFileInfo(base).canonicalFilePath();
        QString existing = QFileInfo(full).absolutePath(); // the deepest folder that exists
        while (!QFileInfo::exists(existing) && existing.size() > base.size())
            existing = QFileInfo(existing).absolutePath();
        const QString canonical = QFileInfo(existing).canonicalFilePath();
        inside = !canonicalBase.isEmpty() && (canonical == canonicalBase || canonical.startsWith(canonicalBase + QLatin1Char('/')));
    }
    if (!inside)
        throw Error(
            QStringLiteral("Refusing to write %1: it lies outside the Hub cache folder %2 (the server's answer named a path it may not).").arg(full, base));
}

int statusOf(const QNetworkReply *r)
{
    return r->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
}

bool isRedirect(int status)
{
    return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

bool sameOrigin(const QUrl &a, const QUrl &b)
{
    const int defaultPort = a.scheme() == QLatin1String("https") ? 443 : 80;
    return a.scheme() == b.scheme() && a.host().compare(b.host(), Qt::CaseInsensitive) == 0 && a.port(defaultPort) == b.port(defaultPort);
}

class Session
{
public:
    Session(const HubDownloadRequest &r, const JobControl *c) : req(r), control(c), endpointUrl(r.endpoint) {}

    using Sink = std::function<void(QNetworkReply *)>;
    struct Seen // headers of a chain of redirects: the Hub puts the linked ones on the first answer
    {
        QByteArray commit, linkedEtag, linkedSize;
    };

    // Sends a request and follows redirects itself (at most 10): the token goes only to the
    // endpoint's own scheme, host and port, as the Python client does, and a redirect to another
    // scheme is refused. Only the final answer's body reaches sink.
    std::unique_ptr<QNetworkReply> send(QUrl url, bool headOnly, const QByteArray &range = {}, const Sink &sink = {}, Seen *seen = nullptr)
    {
        for (int hop = 0;; ++hop) {
            QNetworkRequest nr(url);
            nr.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
            nr.setHeader(QNetworkRequest::UserAgentHeader, QStringLiteral("strata/" STRATA_VERSION));
            // huggingface_hub asks for the uncompressed size, so Content-Length is the file's size.
            nr.setRawHeader("Accept-Encoding", "identity");
            if (!req.token.isEmpty() && sameOrigin(url, endpointUrl))
                nr.setRawHeader("Authorization", "Bearer " + req.token.toUtf8());
            if (!range.isEmpty())
                nr.setRawHeader("Range", range);
            std::unique_ptr<QNetworkReply> reply(headOnly ? nam.head(nr) : nam.get(nr));
            wait(reply.get(), [&](QNetworkReply *r) {
                if (isRedirect(statusOf(r)))
                    r->readAll();
                else if (sink)
                    sink(r);
            });
            const int status = statusOf(reply.get());
            if (seen) {
                for (auto [field, name] :
                     {std::pair{&seen->commit, "X-Repo-Commit"}, {&seen->linkedEtag, "X-Linked-Etag"}, {&seen->linkedSize, "X-Linked-Size"}})
                    if (field->isEmpty() && reply->hasRawHeader(name))
                        *field = reply->rawHeader(name);
            }
            if (!isRedirect(status))
                return reply;
            const QByteArray location = reply->rawHeader("Location");
            if (location.isEmpty())
                throw Error(QStringLiteral("%1 answered HTTP %2 without a Location.").arg(url.toString()).arg(status));
            if (hop >= 10)
                throw Error(QStringLiteral("%1: more than 10 redirects.").arg(url.toString()));
            const QUrl next = url.resolved(QUrl::fromEncoded(location));
            if (next.scheme() != url.scheme())
                throw Error(QStringLiteral("%1 redirected to %2, another scheme; Strata does not follow that.").arg(url.toString(), next.toString()));
            url = next;
        }
    }

    // Runs the reply to completion (or cancel / stall), feeding received bytes to sink.
    void wait(QNetworkReply *reply, const Sink &sink = {})
    {
        QEventLoop loop;
        QTimer poll;
        poll.setInterval(100);
        QElapsedTimer sinceData;
        sinceData.start();
        bool stalled = false;
        QObject::connect(&poll, &QTimer::timeout, &loop, [&] {
            if ((control && control->isCancelled()) || sinceData.elapsed() > req.stallTimeoutMs) {
                stalled = !(control && control->isCancelled());
                reply->abort();
            }
        });
        QObject::connect(reply, &QNetworkReply::readyRead, &loop, [&] {
            sinceData.restart();
            if (sink)
                sink(reply);
        });
        QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
        poll.start();
        if (!reply->isFinished())
            loop.exec();
        if (sink && reply->bytesAvailable())
            sink(reply);
        if (control)
            control->throwIfCancelled();
        if (stalled)
            stallFlag = true;
    }

    QUrl fileUrl(const QString &file) const
    {
        return QUrl(req.endpoint + QLatin1Char('/') + req.repoId + QStringLiteral("/resolve/") + req.revision + QLatin1Char('/') + file);
    }

    [[noreturn]] void httpError(int status, const QUrl &url, const QString &detail)
    {
        if (status == 404)
            throw Error(QStringLiteral("Not found on the Hub (HTTP 404): %1.").arg(url.toString()));
        if (status == 401 || status == 403)
            throw Error(
                QStringLiteral("Access denied (HTTP %1) for %2: the repository may be gated or private; set HF_TOKEN.").arg(status).arg(url.toString()));
        throw Error(QStringLiteral("Download of %1 failed: %2.").arg(url.toString(), detail));
    }

    Head head(const QString &file, qint64 listedSize)
    {
        const QUrl url = fileUrl(file);
        Seen seen;
        std::unique_ptr<QNetworkReply> reply = send(url, true, {}, {}, &seen);
        Head h;
        h.status = statusOf(reply.get());
        if (reply->error() != QNetworkReply::NoError || h.status >= 400)
            httpError(h.status, url, reply->errorString());
        h.commit = QString::fromLatin1(seen.commit).trimmed();
        if (!h.commit.isEmpty() && !matchesHex(h.commit, 40))
            throw Error(QStringLiteral("%1: the server sent X-Repo-Commit \"%2\", which is not a commit id (40 hex digits); nothing was written.")
                            .arg(url.toString(), h.commit.left(80)));
        h.etag = cleanEtag(QString::fromLatin1(seen.linkedEtag.isEmpty() ? reply->rawHeader("ETag") : seen.linkedEtag));
        h.size = seen.linkedSize.isEmpty() ? reply->header(QNetworkRequest::ContentLengthHeader).toLongLong() : seen.linkedSize.toLongLong();
        if (!reply->header(QNetworkRequest::ContentLengthHeader).isValid() && seen.linkedSize.isEmpty())
            h.size = -1;
        if (listedSize >= 0 && h.size >= 0 && h.size != listedSize)
            throw Error(QStringLiteral("%1: the server announces %2 bytes, but its listing said %3; nothing was written.")
                            .arg(url.toString())
                            .arg(h.size)
                            .arg(listedSize));
        if (h.size < 0)
            h.size = listedSize;
        return h;
    }

    // Checks a finished download against what the Hub promised: the SHA-256 of an LFS file, the
    // git blob id of a small file. Returns the SHA-256 of the content.
    QString verify(const QString &partial, const Head &h, const QUrl &url)
    {
        QFile f(partial);
        if (!f.open(QIODevice::ReadOnly))
            throw Error(QStringLiteral("Cannot read %1: %2.").arg(partial, f.errorString()));
        QCryptographicHash sha256(QCryptographicHash::Sha256);
        QCryptographicHash gitSha1(QCryptographicHash::Sha1);
        gitSha1.addData("blob " + QByteArray::number(f.size()) + '\0');
        while (!f.atEnd()) {
            const QByteArray chunk = f.read(1 << 20);
            sha256.addData(chunk);
            gitSha1.addData(chunk);
        }
        f.close();
        const QString content = QString::fromLatin1(sha256.result().toHex());
        const QString expected = h.etag.size() == 64 ? content : h.etag.size() == 40 ? QString::fromLatin1(gitSha1.result().toHex()) : h.etag;
        if (expected != h.etag) {
            QFile::remove(partial);
            throw Error(QStringLiteral("%1: the downloaded file does not match the Hub's checksum (%2 %3); it was deleted, try again.")
                            .arg(url.toString(), h.etag.size() == 64 ? QStringLiteral("SHA-256") : QStringLiteral("git blob id"), h.etag));
        }
        return content;
    }

    // Downloads one file into blobs/, resuming a partial one. Returns the blob path.
    QString fetchBlob(const QString &file, const Head &h, const QDir &repoDir, qint64 doneBefore, qint64 totalAll)
    {
        const QString blobs = repoDir.filePath(QStringLiteral("blobs"));
        if (!h.etag.isEmpty()) {
            const QString blob = repoDir.filePath(QStringLiteral("blobs/") + h.etag);
            checkInside(blobs, blob);
            if (QFileInfo(blob).isFile() && !QFileInfo(blob).isSymLink() && (h.size < 0 || QFileInfo(blob).size() == h.size))
                return blob;
        }
        // Without a usable ETag the partial file is keyed by the URL and renamed after its content.
        const QUrl url = fileUrl(file);
        const QString stem = h.etag.isEmpty()
                                 ? QStringLiteral("url-") + QString::fromLatin1(QCryptographicHash::hash(url.toEncoded(), QCryptographicHash::Sha1).toHex())
                                 : h.etag;
        const QString partial = repoDir.filePath(QStringLiteral("blobs/") + stem + QStringLiteral(".incomplete"));
        checkInside(blobs, partial);
        QString lastError;
        for (int attempt = 1; attempt <= req.maxAttempts; ++attempt) {
            QFile out(partial);
            if (!out.open(QIODevice::ReadWrite))
                throw Error(QStringLiteral("Cannot write %1: %2.").arg(partial, out.errorString()));
            qint64 have = out.size();
            if (h.size >= 0 && have > h.size)
                have = 0, out.resize(0);
            out.seek(have);
            bool started = false;
            bool oversized = false;
            stallFlag = false;
            const QByteArray range = have > 0 ? "bytes=" + QByteArray::number(have) + '-' : QByteArray();
            std::unique_ptr<QNetworkReply> reply = send(url, false, range, [&](QNetworkReply *r) {
                if (!started) {
                    started = true;
                    if (have > 0 && statusOf(r) == 200) { // server ignored the Range: start again
                        out.resize(0);
                        out.seek(0);
                        have = 0;
                    }
                }
                const QByteArray chunk = r->readAll();
                if (h.size >= 0 && have + chunk.size() > h.size) { // never more than was announced
                    oversized = true;
                    r->abort();
                    return;
                }
                if (out.write(chunk) != chunk.size())
                    r->abort();
                have += chunk.size();
                if (control && totalAll > 0)
                    control->report(double(doneBefore + have) / double(totalAll), file);
            });
            out.flush();
            const int status = statusOf(reply.get());
            if (status >= 400)
                httpError(status, url, reply->errorString());
            if (oversized) {
                out.close();
                QFile::remove(partial);
                throw Error(QStringLiteral("%1: the server sent more than the %2 bytes it announced; the download was stopped and deleted.")
                                .arg(url.toString())
                                .arg(h.size));
            }
            if (out.error() != QFileDevice::NoError)
                throw Error(QStringLiteral("Cannot write %1: %2 (is the disk full?).").arg(partial, out.errorString()));
            const qint64 got = out.size();
            out.close();
            if (reply->error() == QNetworkReply::NoError && (h.size < 0 || got == h.size))
                break;
            lastError = stallFlag                                  ? QStringLiteral("no data for %1 s").arg(req.stallTimeoutMs / 1000)
                        : reply->error() != QNetworkReply::NoError ? reply->errorString()
                                                                   : QStringLiteral("received %1 of %2 bytes").arg(got).arg(h.size);
            if (attempt == req.maxAttempts)
                throw Error(QStringLiteral("Download of %1 failed after %2 attempts (%3); the partial file is kept and the next download resumes it.")
                                .arg(url.toString())
                                .arg(req.maxAttempts)
                                .arg(lastError));
        }
        const QString content = verify(partial, h, url);
        const QString blob = repoDir.filePath(QStringLiteral("blobs/") + (h.etag.isEmpty() ? content : h.etag));
        checkInside(blobs, blob);
        QFile::remove(blob);
        if (!QFile::rename(partial, blob))
            throw Error(QStringLiteral("Cannot move %1 into place.").arg(blob));
        return blob;
    }

    struct Listed
    {
        QString name;
        qint64 size = -1;
    };

    QList<Listed> listFiles()
    {
        const QUrl url(req.endpoint + QStringLiteral("/api/models/") + req.repoId + QStringLiteral("/revision/") + req.revision +
                       QStringLiteral("?blobs=true"));
        QByteArray body;
        const qint64 maxListing = 64 << 20;
        std::unique_ptr<QNetworkReply> reply = send(url, false, {}, [&](QNetworkReply *r) {
            body += r->readAll();
            if (body.size() > maxListing)
                r->abort();
        });
        const int status = statusOf(reply.get());
        if (status == 401 || status == 403 || status == 404)
            httpError(status, url, reply->errorString());
        if (body.size() > maxListing)
            throw Error(QStringLiteral("%1: the listing is larger than 64 MB; refused.").arg(url.toString()));
        QList<Listed> files;
        if (reply->error() == QNetworkReply::NoError) {
            for (const QJsonValue &s : QJsonDocument::fromJson(body).object().value(QLatin1String("siblings")).toArray()) {
                const QJsonObject o = s.toObject();
                const QString name = o.value(QLatin1String("rfilename")).toString();
                if (!isSafeRelativePath(name))
                    throw Error(QStringLiteral("%1: the listing names a file \"%2\" that is not a plain relative path; nothing was downloaded.")
                                    .arg(url.toString(), name.left(200)));
                if (HubDownloader::isWantedFile(name)) {
                    const QJsonValue lfs = o.value(QLatin1String("lfs"));
                    const QJsonValue size = lfs.isObject() ? lfs.toObject().value(QLatin1String("size")) : o.value(QLatin1String("size"));
                    files.append({name, size.isDouble() ? qint64(size.toDouble()) : -1});
                }
            }
        }
        if (files.isEmpty())
            throw Error(QStringLiteral("Could not list the files of %1 (%2).").arg(req.repoId, reply->errorString()));
        return files;
    }

    HubDownloadRequest req;
    const JobControl *control;
    QUrl endpointUrl;
    QNetworkAccessManager nam;
    bool stallFlag = false;
};

} // namespace

QString HubDownloader::defaultEndpoint()
{
    const QString e = qEnvironmentVariable("HF_ENDPOINT");
    return e.isEmpty() ? QStringLiteral("https://huggingface.co") : e;
}

QString HubDownloader::defaultToken()
{
    for (const char *var : {"HF_TOKEN", "HUGGING_FACE_HUB_TOKEN"}) {
        const QString t = qEnvironmentVariable(var);
        if (!t.isEmpty())
            return t.trimmed();
    }
    const QString home = qEnvironmentVariable("HF_HOME");
    QFile f(QDir(home.isEmpty() ? QDir::home().filePath(QStringLiteral(".cache/huggingface")) : home).filePath(QStringLiteral("token")));
    if (f.open(QIODevice::ReadOnly))
        return QString::fromUtf8(f.readAll()).trimmed();
    return QString();
}

bool HubDownloader::isWantedFile(const QString &name)
{
    const QString lower = name.toLower();
    if (lower.contains(QLatin1Char('/')))
        return false; // sub-folders hold other formats (onnx/, flax/ ...)
    return lower.endsWith(QLatin1String(".json")) || lower.endsWith(QLatin1String(".safetensors")) || lower.endsWith(QLatin1String(".txt")) ||
           lower.endsWith(QLatin1String(".model")) || lower.startsWith(QLatin1String("license")) || lower == QLatin1String("readme.md");
}

QString HubDownloader::download(const HubDownloadRequest &request, const JobControl *control)
{
    HubDownloadRequest req = request;
    if (!HubCache::looksLikeRepoId(req.repoId) || req.repoId.contains(QLatin1Char('@')))
        throw Error(QStringLiteral("'%1' is not a Hub repository id (expected org/name).").arg(req.repoId));
    if (req.endpoint.isEmpty())
        req.endpoint = defaultEndpoint();
    while (req.endpoint.endsWith(QLatin1Char('/')))
        req.endpoint.chop(1);
    if (req.token.isEmpty())
        req.token = defaultToken();
    if (req.cacheDir.isEmpty())
        req.cacheDir = HubCache::defaultCacheDirectory();
    if (req.revision.isEmpty())
        req.revision = QStringLiteral("main");
    if (!isSafeRelativePath(req.revision))
        throw Error(QStringLiteral("'%1' is not a revision (a branch, tag or commit id).").arg(req.revision));
    if (const QUrl e(req.endpoint); !e.isValid() || (e.scheme() != QLatin1String("https") && e.scheme() != QLatin1String("http")) || e.host().isEmpty())
        throw Error(QStringLiteral("'%1' is not an http(s) endpoint.").arg(req.endpoint));

    Session s(req, control);
    QList<Session::Listed> files;
    if (req.files.isEmpty())
        files = s.listFiles();
    for (const QString &f : req.files)
        files.append({f, -1});
    for (const Session::Listed &f : files)
        if (!isSafeRelativePath(f.name))
            throw Error(QStringLiteral("\"%1\" is not a plain relative file name in a repository.").arg(f.name));
    const QString repoPath = QDir(req.cacheDir).filePath(HubCache::repoFolderName(req.repoId));
    const QDir repoDir(repoPath);
    for (const char *sub : {"blobs", "refs", "snapshots"})
        if (!QDir().mkpath(repoDir.filePath(QString::fromLatin1(sub))))
            throw Error(QStringLiteral("Cannot create %1.").arg(repoDir.filePath(QString::fromLatin1(sub))));

    QList<Head> heads;
    qint64 total = 0;
    for (const Session::Listed &f : files) {
        heads << s.head(f.name, f.size);
        total += qMax<qint64>(0, heads.last().size);
    }
    QString commit;
    for (const Head &h : heads)
        if (!h.commit.isEmpty())
            commit = h.commit;
    if (commit.isEmpty())
        commit = req.revision; // servers without X-Repo-Commit: key the snapshot by revision
    const QString snapshots = repoDir.filePath(QStringLiteral("snapshots"));
    const QDir snapshot(repoDir.filePath(QStringLiteral("snapshots/") + commit));
    checkInside(snapshots, snapshot.path());
    qint64 done = 0;
    for (int i = 0; i < files.size(); ++i) {
        const QString link = snapshot.filePath(files[i].name);
        checkInside(snapshots, link);
        const QString blob = s.fetchBlob(files[i].name, heads[i], repoDir, done, total);
        done += qMax<qint64>(0, heads[i].size);
        QDir().mkpath(QFileInfo(link).absolutePath());
        checkInside(snapshots, link); // again, now that its folders exist
        QFile::remove(link);
        const QString target = QFileInfo(link).absoluteDir().relativeFilePath(blob);
        if (!QFile::link(target, link) && !QFile::copy(blob, link))
            throw Error(QStringLiteral("Cannot create %1.").arg(link));
    }
    if (commit != req.revision) {
        const QString refPath = repoDir.filePath(QStringLiteral("refs/") + req.revision);
        checkInside(repoDir.filePath(QStringLiteral("refs")), refPath);
        QDir().mkpath(QFileInfo(refPath).absolutePath());
        QFile ref(refPath);
        if (ref.open(QIODevice::WriteOnly | QIODevice::Truncate))
            ref.write(commit.toUtf8());
    }
    if (control)
        control->report(1.0, QString());
    return snapshot.absolutePath();
}

} // namespace strata
