#include "LocalHubServer.h"

#include "hub/HubCache.h"
#include "hub/HubDownloader.h"
#include "jobs/JobControl.h"
#include "model/ModelSource.h"
#include "util/Error.h"

#include <QCryptographicHash>
#include <QTemporaryDir>
#include <QtTest>

#include <thread>

using namespace strata;

class TestHubDownloader : public QObject
{
    Q_OBJECT
    QByteArray m_big;

    static QByteArray readFile(const QString &p)
    {
        QFile f(p);
        f.open(QIODevice::ReadOnly);
        return f.readAll();
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_big.resize(3 * 1024 * 1024);
        for (int i = 0; i < m_big.size(); ++i)
            m_big[i] = char((i * 131) ^ (i >> 9));
    }

    void downloadsIntoCacheLayoutAndResumesAfterADrop()
    {
        LocalHubServer server;
        server.addFile(QStringLiteral("org/tiny"), QStringLiteral("config.json"), "{\"model_type\": \"gpt2\"}");
        server.addFile(QStringLiteral("org/tiny"), QStringLiteral("model.safetensors"), m_big);
        server.dropFileOnceAfter(QStringLiteral("model.safetensors"), 1000000);
        QTemporaryDir cache;
        HubDownloadRequest req;
        req.repoId = QStringLiteral("org/tiny");
        req.endpoint = server.endpoint();
        req.cacheDir = cache.path();
        double lastProgress = 0;
        JobControl control([&](double f, const QString &) { lastProgress = f; });
        const QString snap = HubDownloader::download(req, &control);
        QCOMPARE(snap, QDir(cache.path()).filePath(QStringLiteral("models--org--tiny/snapshots/") + LocalHubServer::commitHash()));
        QCOMPARE(readFile(QDir(snap).filePath(QStringLiteral("model.safetensors"))), m_big);
        QVERIFY(QFileInfo(QDir(snap).filePath(QStringLiteral("model.safetensors"))).isSymLink());
        QCOMPARE(lastProgress, 1.0);
        // After the drop, the second request asked only for the rest.
        const QStringList log = server.requestLog();
        QVERIFY2(log.filter(QStringLiteral("model.safetensors range=1000000")).size() == 1, qPrintable(log.join(QLatin1Char('\n'))));
        // refs/main points at the commit, so the Hub id now resolves from the cache.
        qputenv("HF_HUB_CACHE", cache.path().toUtf8());
        const ModelSource src = resolveModelLocation(QStringLiteral("org/tiny"));
        QCOMPARE(src.path, QFileInfo(snap).canonicalFilePath());
        qunsetenv("HF_HUB_CACHE");
        // A second download finds every blob complete and fetches nothing.
        const int before = server.requestLog().filter(QStringLiteral("GET /org/tiny/resolve")).size();
        HubDownloader::download(req);
        QCOMPARE(server.requestLog().filter(QStringLiteral("GET /org/tiny/resolve")).size(), before);
    }

    void notFoundIsAClearError()
    {
        LocalHubServer server;
        server.addFile(QStringLiteral("org/tiny"), QStringLiteral("config.json"), "{}");
        QTemporaryDir cache;
        HubDownloadRequest req;
        req.repoId = QStringLiteral("org/tiny");
        req.endpoint = server.endpoint();
        req.cacheDir = cache.path();
        req.files = {QStringLiteral("config.json"), QStringLiteral("model.safetensors")};
        try {
            HubDownloader::download(req);
            QFAIL("a missing file downloaded");
        } catch (const Error &e) {
            QVERIFY2(e.message().contains(QStringLiteral("HTTP 404")) && e.message().contains(QStringLiteral("model.safetensors")), qPrintable(e.message()));
        }
        req.repoId = QStringLiteral("org/absent");
        req.files.clear();
        QVERIFY_THROWS_EXCEPTION(Error, HubDownloader::download(req));
        req.repoId = QStringLiteral("not a repo id");
        QVERIFY_THROWS_EXCEPTION(Error, HubDownloader::download(req));
    }

    void repeatedDropsGiveUpButKeepThePartialFile()
    {
        LocalHubServer server;
        server.addFile(QStringLiteral("org/tiny"), QStringLiteral("model.safetensors"), m_big);
        server.dropFileOnceAfter(QStringLiteral("model.safetensors"), 500000);
        QTemporaryDir cache;
        HubDownloadRequest req;
        req.repoId = QStringLiteral("org/tiny");
        req.endpoint = server.endpoint();
        req.cacheDir = cache.path();
        req.files = {QStringLiteral("model.safetensors")};
        req.maxAttempts = 1;
        QVERIFY_THROWS_EXCEPTION(Error, HubDownloader::download(req));
        const QString blobs = QDir(cache.path()).filePath(QStringLiteral("models--org--tiny/blobs"));
        const QStringList partial = QDir(blobs).entryList({QStringLiteral("*.incomplete")});
        QCOMPARE(partial.size(), 1);
        QCOMPARE(QFileInfo(QDir(blobs).filePath(partial[0])).size(), qint64(500000));
        // The next call resumes from 500000 and completes.
        req.maxAttempts = 2;
        const QString snap = HubDownloader::download(req);
        QCOMPARE(readFile(QDir(snap).filePath(QStringLiteral("model.safetensors"))), m_big);
        QVERIFY(server.requestLog().filter(QStringLiteral("range=500000")).size() == 1);
    }

    void cancelStopsTheDownload()
    {
        LocalHubServer server;
        server.addFile(QStringLiteral("org/tiny"), QStringLiteral("model.safetensors"), m_big);
        QTemporaryDir cache;
        HubDownloadRequest req;
        req.repoId = QStringLiteral("org/tiny");
        req.endpoint = server.endpoint();
        req.cacheDir = cache.path();
        req.files = {QStringLiteral("model.safetensors")};
        JobControl control;
        control.cancel();
        QVERIFY_THROWS_EXCEPTION(Cancelled, HubDownloader::download(req, &control));
    }
};

QTEST_GUILESS_MAIN(TestHubDownloader)
#include "tst_hubdownloader.moc"
