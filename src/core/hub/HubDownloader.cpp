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
    QString etag;
    qint64 size = -1;
};

QString cleanEtag(QString e)
{
    e = e.trimmed();
    if (e.startsWith(QLatin1String("W/")))
        e = e.mid(2);
    e.remove(QLatin1Char('"'));
    return e;
}

bool isSha256(const QString &s)
{
    static const QRegularExpression re(QStringLiteral("^[0-9a-f]{64}$"));
    return re.match(s).hasMatch();
}

class Session
{
public:
    Session(const HubDownloadRequest &r, const JobControl *c) : req(r), control(c) {}

    QNetworkRequest request(const QUrl &url) const
    {
        QNetworkRequest nr(url);
        nr.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::NoLessSafeRedirectPolicy);
        nr.setHeader(QNetworkRequest::UserAgentHeader, QStringLiteral("strata/" STRATA_VERSION));
        if (!req.token.isEmpty())
            nr.setRawHeader("Authorization", "Bearer " + req.token.toUtf8());
        return nr;
    }

    // Runs the reply to completion (or cancel / stall), feeding received bytes to sink.
    void wait(QNetworkReply *reply, const std::function<void(QNetworkReply *)> &sink = {})
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

    Head head(const QString &file)
    {
        const QUrl url = fileUrl(file);
        QNetworkRequest nr = request(url);
        // huggingface_hub asks for the uncompressed size, so Content-Length is the file's size.
        nr.setRawHeader("Accept-Encoding", "identity");
        std::unique_ptr<QNetworkReply> reply(nam.head(nr));
        wait(reply.get());
        Head h;
        h.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        if (reply->error() != QNetworkReply::NoError || h.status >= 400)
            httpError(h.status, url, reply->errorString());
        h.commit = QString::fromLatin1(reply->rawHeader("X-Repo-Commit"));
        h.etag = cleanEtag(QString::fromLatin1(reply->hasRawHeader("X-Linked-Etag") ? reply->rawHeader("X-Linked-Etag") : reply->rawHeader("ETag")));
        const QByteArray linkedSize = reply->rawHeader("X-Linked-Size");
        h.size = linkedSize.isEmpty() ? reply->header(QNetworkRequest::ContentLengthHeader).toLongLong() : linkedSize.toLongLong();
        if (h.etag.isEmpty())
            h.etag = QString::fromLatin1(QCryptographicHash::hash(url.toString().toUtf8(), QCryptographicHash::Sha1).toHex());
        return h;
    }

    // Downloads one file into blobs/, resuming a partial one. Returns the blob path.
    QString fetchBlob(const QString &file, const Head &h, const QDir &repoDir, qint64 doneBefore, qint64 totalAll)
    {
        const QString blob = repoDir.filePath(QStringLiteral("blobs/") + h.etag);
        if (QFileInfo(blob).isFile() && (h.size < 0 || QFileInfo(blob).size() == h.size))
            return blob;
        const QString partial = blob + QStringLiteral(".incomplete");
        const QUrl url = fileUrl(file);
        QString lastError;
        for (int attempt = 1; attempt <= req.maxAttempts; ++attempt) {
            QFile out(partial);
            if (!out.open(QIODevice::ReadWrite))
                throw Error(QStringLiteral("Cannot write %1: %2.").arg(partial, out.errorString()));
            qint64 have = out.size();
            if (h.size >= 0 && have > h.size)
                have = 0, out.resize(0);
            out.seek(have);
            QNetworkRequest nr = request(url);
            nr.setRawHeader("Accept-Encoding", "identity");
            if (have > 0)
                nr.setRawHeader("Range", "bytes=" + QByteArray::number(have) + '-');
            std::unique_ptr<QNetworkReply> reply(nam.get(nr));
            bool started = false;
            bool restart = false;
            stallFlag = false;
            wait(reply.get(), [&](QNetworkReply *r) {
                if (!started) {
                    started = true;
                    const int status = r->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
                    if (have > 0 && status == 200) { // server ignored the Range: start again
                        restart = true;
                        out.resize(0);
                        out.seek(0);
                        have = 0;
                    }
                }
                const QByteArray chunk = r->readAll();
                if (out.write(chunk) != chunk.size())
                    r->abort();
                have += chunk.size();
                if (control && totalAll > 0)
                    control->report(double(doneBefore + have) / double(totalAll), file);
            });
            Q_UNUSED(restart);
            out.flush();
            const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
            if (status >= 400)
                httpError(status, url, reply->errorString());
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
        if (isSha256(h.etag)) {
            QFile f(partial);
            f.open(QIODevice::ReadOnly);
            QCryptographicHash sha(QCryptographicHash::Sha256);
            sha.addData(&f);
            if (QString::fromLatin1(sha.result().toHex()) != h.etag) {
                f.close();
                QFile::remove(partial);
                throw Error(
                    QStringLiteral("%1: the downloaded file's SHA-256 does not match the Hub's (%2); it was deleted, try again.").arg(url.toString(), h.etag));
            }
        }
        QFile::remove(blob);
        if (!QFile::rename(partial, blob))
            throw Error(QStringLiteral("Cannot move %1 into place.").arg(blob));
        return blob;
    }

    QStringList listFiles()
    {
        const QUrl url(req.endpoint + QStringLiteral("/api/models/") + req.repoId + QStringLiteral("/revision/") + req.revision);
        std::unique_ptr<QNetworkReply> reply(nam.get(request(url)));
        QByteArray body;
        wait(reply.get(), [&](QNetworkReply *r) { body += r->readAll(); });
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        if (status == 401 || status == 403 || status == 404)
            httpError(status, url, reply->errorString());
        QStringList files;
        if (reply->error() == QNetworkReply::NoError) {
            for (const QJsonValue &s : QJsonDocument::fromJson(body).object().value(QLatin1String("siblings")).toArray()) {
                const QString name = s.toObject().value(QLatin1String("rfilename")).toString();
                if (HubDownloader::isWantedFile(name))
                    files << name;
            }
        }
        if (files.isEmpty())
            throw Error(QStringLiteral("Could not list the files of %1 (%2).").arg(req.repoId, reply->errorString()));
        return files;
    }

    HubDownloadRequest req;
    const JobControl *control;
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

    Session s(req, control);
    const QStringList files = req.files.isEmpty() ? s.listFiles() : req.files;
    const QDir repoDir(QDir(req.cacheDir).filePath(HubCache::repoFolderName(req.repoId)));
    for (const char *sub : {"blobs", "refs", "snapshots"})
        if (!QDir().mkpath(repoDir.filePath(QString::fromLatin1(sub))))
            throw Error(QStringLiteral("Cannot create %1.").arg(repoDir.filePath(QString::fromLatin1(sub))));

    QList<Head> heads;
    qint64 total = 0;
    for (const QString &f : files) {
        heads << s.head(f);
        total += qMax<qint64>(0, heads.last().size);
    }
    QString commit;
    for (const Head &h : heads)
        if (!h.commit.isEmpty())
            commit = h.commit;
    if (commit.isEmpty())
        commit = req.revision; // servers without X-Repo-Commit: key the snapshot by revision
    const QDir snapshot(repoDir.filePath(QStringLiteral("snapshots/") + commit));
    qint64 done = 0;
    for (int i = 0; i < files.size(); ++i) {
        const QString blob = s.fetchBlob(files[i], heads[i], repoDir, done, total);
        done += qMax<qint64>(0, heads[i].size);
        const QString link = snapshot.filePath(files[i]);
        QDir().mkpath(QFileInfo(link).absolutePath());
        QFile::remove(link);
        const QString target = QFileInfo(link).absoluteDir().relativeFilePath(blob);
        if (!QFile::link(target, link) && !QFile::copy(blob, link))
            throw Error(QStringLiteral("Cannot create %1.").arg(link));
    }
    if (commit != req.revision) {
        QFile ref(repoDir.filePath(QStringLiteral("refs/") + req.revision));
        if (ref.open(QIODevice::WriteOnly | QIODevice::Truncate))
            ref.write(commit.toUtf8());
    }
    if (control)
        control->report(1.0, QString());
    return snapshot.absolutePath();
}

} // namespace strata
