#include "LocalHubServer.h"

#include "hub/HubCache.h"
#include "hub/HubDownloader.h"
#include "jobs/JobControl.h"
#include "model/ModelSource.h"
#include "util/Error.h"

#include <QCryptographicHash>
#include <QDirIterator>
#include <QRegularExpression>
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

    // Every file under root that is not inside allowed (relative paths, for messages).
    static QStringList filesOutside(const QString &root, const QString &allowed)
    {
        QStringList out;
        QDirIterator it(root, QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden | QDir::System, QDirIterator::Subdirectories);
        while (it.hasNext()) {
            const QString p = it.next();
            if (!p.startsWith(allowed + QLatin1Char('/')) && p != allowed && !allowed.startsWith(p + QLatin1Char('/')))
                out << QDir(root).relativeFilePath(p);
        }
        return out;
    }

    void hostileHeadersWriteNothingOutsideTheCache_data()
    {
        QTest::addColumn<QByteArray>("header");
        QTest::addColumn<QByteArray>("value");
        QTest::addColumn<bool>("refused");
        QTest::newRow("etag ../ path") << QByteArray("ETag") << QByteArray("\"../../../../../../x/pwned-etag\"") << false;
        QTest::newRow("etag .bashrc") << QByteArray("ETag") << QByteArray("\"../../.bashrc\"") << false;
        QTest::newRow("etag absolute") << QByteArray("ETag") << QByteArray("\"/tmp/pwned\"") << false;
        QTest::newRow("linked etag ../") << QByteArray("X-Linked-Etag") << QByteArray("\"../../../../../../x/pwned-linked\"") << false;
        QTest::newRow("commit ../ path") << QByteArray("X-Repo-Commit") << QByteArray("../../../../../../x/pwned-commit") << true;
        QTest::newRow("commit not hex") << QByteArray("X-Repo-Commit") << QByteArray("main") << true;
    }

    void hostileHeadersWriteNothingOutsideTheCache()
    {
        QFETCH(QByteArray, header);
        QFETCH(QByteArray, value);
        QFETCH(bool, refused);
        LocalHubServer server;
        const QByteArray content = "{\"model_type\": \"gpt2\"}";
        server.addFile(QStringLiteral("org/tiny"), QStringLiteral("config.json"), content);
        LocalHubServer::Mode mode;
        mode.headers = {{header, value}};
        server.setMode(QStringLiteral("config.json"), mode);
        QTemporaryDir root; // the cache sits seven folders down, so "six levels up" is still inside root
        const QString cache = QDir(root.path()).filePath(QStringLiteral("a/b/c/d/e/f/g/cache"));
        QVERIFY(QDir().mkpath(cache));
        HubDownloadRequest req;
        req.repoId = QStringLiteral("org/tiny");
        req.endpoint = server.endpoint();
        req.cacheDir = cache;
        if (refused) {
            try {
                HubDownloader::download(req);
                QFAIL("a hostile X-Repo-Commit was accepted");
            } catch (const Error &e) {
                QVERIFY2(e.message().contains(QStringLiteral("X-Repo-Commit")), qPrintable(e.message()));
            }
        } else {
            const QString snap = HubDownloader::download(req);
            QCOMPARE(readFile(QDir(snap).filePath(QStringLiteral("config.json"))), content);
            // The blob is named by the SHA-256 of what arrived.
            const QString sha = QString::fromLatin1(QCryptographicHash::hash(content, QCryptographicHash::Sha256).toHex());
            QVERIFY(QFileInfo::exists(QDir(cache).filePath(QStringLiteral("models--org--tiny/blobs/") + sha)));
        }
        const QStringList outside = filesOutside(root.path(), cache);
        QVERIFY2(outside.isEmpty(), qPrintable(outside.join(QLatin1Char(' '))));
        QVERIFY(!QFileInfo::exists(QStringLiteral("/tmp/pwned")));
    }

    void tokenGoesOnlyToTheEndpointsHost()
    {
        LocalHubServer endpoint, storage;
        const QByteArray content(200000, 'w');
        endpoint.addFile(QStringLiteral("org/tiny"), QStringLiteral("model.safetensors"), content);
        endpoint.addFile(QStringLiteral("org/tiny"), QStringLiteral("config.json"), "{}");
        storage.addFile(QStringLiteral("org/tiny"), QStringLiteral("model.safetensors"), content);
        LocalHubServer::Mode redirect;
        // Another host name and port: the Hub's storage lives elsewhere.
        redirect.redirectTo = storage.endpoint().replace(QStringLiteral("127.0.0.1"), QStringLiteral("localhost"));
        endpoint.setMode(QStringLiteral("model.safetensors"), redirect);
        QTemporaryDir cache;
        HubDownloadRequest req;
        req.repoId = QStringLiteral("org/tiny");
        req.endpoint = endpoint.endpoint();
        req.cacheDir = cache.path();
        req.token = QStringLiteral("hf_secret_token");
        const QString snap = HubDownloader::download(req);
        QCOMPARE(readFile(QDir(snap).filePath(QStringLiteral("model.safetensors"))), content);
        QVERIFY2(storage.requestLog().filter(QStringLiteral("model.safetensors")).size() >= 2, qPrintable(storage.requestLog().join(QLatin1Char('\n'))));
        QVERIFY2(storage.authorizations().isEmpty(), qPrintable(storage.authorizations().join(QLatin1Char('\n'))));
        // The endpoint itself got the token on every request (listing, HEAD and GET of each file).
        const QStringList auth = endpoint.authorizations();
        QCOMPARE(auth.size(), endpoint.requestLog().size());
        for (const QString &a : auth)
            QVERIFY2(a.endsWith(QStringLiteral(" hf_secret_token")), qPrintable(a));
        // HF_TOKEN is read from the environment when the request has none.
        qputenv("HF_TOKEN", "hf_from_env");
        QCOMPARE(HubDownloader::defaultToken(), QStringLiteral("hf_from_env"));
        qunsetenv("HF_TOKEN");
        qputenv("HF_ENDPOINT", "http://127.0.0.1:1");
        QCOMPARE(HubDownloader::defaultEndpoint(), QStringLiteral("http://127.0.0.1:1"));
        qunsetenv("HF_ENDPOINT");
    }

    void redirectToAnotherSchemeIsRefused_data()
    {
        QTest::addColumn<QString>("target");
        QTest::newRow("https") << QStringLiteral("https://127.0.0.1:9");
        QTest::newRow("ftp") << QStringLiteral("ftp://127.0.0.1:9");
        QTest::newRow("file") << QStringLiteral("file://");
    }

    void redirectToAnotherSchemeIsRefused()
    {
        QFETCH(QString, target);
        LocalHubServer server;
        server.addFile(QStringLiteral("org/tiny"), QStringLiteral("config.json"), "{}");
        LocalHubServer::Mode redirect;
        redirect.redirectTo = target;
        server.setMode(QStringLiteral("config.json"), redirect);
        QTemporaryDir cache;
        HubDownloadRequest req;
        req.repoId = QStringLiteral("org/tiny");
        req.endpoint = server.endpoint();
        req.cacheDir = cache.path();
        req.token = QStringLiteral("hf_secret_token");
        try {
            HubDownloader::download(req);
            QFAIL("a redirect to another scheme was followed");
        } catch (const Error &e) {
            QVERIFY2(e.message().contains(QStringLiteral("another scheme")), qPrintable(e.message()));
        }
    }

    void integrityFailuresAreErrors_data()
    {
        QTest::addColumn<int>("kind");
        QTest::addColumn<QString>("message");
        QTest::newRow("corrupted body") << 0 << QStringLiteral("does not match the Hub's checksum");
        QTest::newRow("wrong etag") << 1 << QStringLiteral("does not match the Hub's checksum");
        QTest::newRow("wrong git blob id") << 2 << QStringLiteral("git blob id");
        QTest::newRow("truncated body") << 3 << QStringLiteral("failed after 1 attempts");
        QTest::newRow("more than announced") << 4 << QStringLiteral("more than the 1000 bytes");
        QTest::newRow("size beyond the listing") << 5 << QStringLiteral("but its listing said 1000");
    }

    void integrityFailuresAreErrors()
    {
        QFETCH(int, kind);
        QFETCH(QString, message);
        LocalHubServer server;
        QByteArray content = m_big.left(400000);
        server.addFile(QStringLiteral("org/tiny"), QStringLiteral("model.safetensors"), content);
        LocalHubServer::Mode mode;
        if (kind == 0) {
            mode.body = content;
            mode.body[123456] = char(mode.body[123456] ^ 1);
        } else if (kind == 1) {
            mode.headers = {{"ETag", '"' + QCryptographicHash::hash("other", QCryptographicHash::Sha256).toHex() + '"'}};
        } else if (kind == 2) {
            mode.headers = {{"ETag", '"' + QCryptographicHash::hash("other", QCryptographicHash::Sha1).toHex() + '"'}};
        } else if (kind == 3) {
            mode.claimedLength = content.size() + 5000;
        } else if (kind == 4) {
            mode.headers = {{"X-Linked-Size", "1000"}};
        } else {
            mode.listedSize = 1000;
        }
        server.setMode(QStringLiteral("model.safetensors"), mode);
        QTemporaryDir cache;
        HubDownloadRequest req;
        req.repoId = QStringLiteral("org/tiny");
        req.endpoint = server.endpoint();
        req.cacheDir = cache.path();
        req.maxAttempts = 1;
        if (kind == 3 || kind == 4) // no listing: the HEAD answer alone announces the size
            req.files = {QStringLiteral("model.safetensors")};
        try {
            HubDownloader::download(req);
            QFAIL("a damaged download was accepted");
        } catch (const Error &e) {
            QVERIFY2(e.message().contains(message), qPrintable(e.message()));
        }
        // No complete blob and no snapshot file came of it.
        const QDir blobs(QDir(cache.path()).filePath(QStringLiteral("models--org--tiny/blobs")));
        QCOMPARE(blobs.entryList(QDir::Files).filter(QRegularExpression(QStringLiteral("^[0-9a-f]+$"))), QStringList());
        QVERIFY(!QFileInfo::exists(
            QDir(cache.path()).filePath(QStringLiteral("models--org--tiny/snapshots/") + LocalHubServer::commitHash() + QStringLiteral("/model.safetensors"))));
    }

    void gitBlobIdIsChecked()
    {
        LocalHubServer server;
        const QByteArray content = "{\"a\": 1}";
        server.addFile(QStringLiteral("org/tiny"), QStringLiteral("config.json"), content);
        LocalHubServer::Mode mode;
        const QByteArray gitId = QCryptographicHash::hash("blob " + QByteArray::number(content.size()) + '\0' + content, QCryptographicHash::Sha1).toHex();
        mode.headers = {{"ETag", '"' + gitId + '"'}};
        server.setMode(QStringLiteral("config.json"), mode);
        QTemporaryDir cache;
        HubDownloadRequest req;
        req.repoId = QStringLiteral("org/tiny");
        req.endpoint = server.endpoint();
        req.cacheDir = cache.path();
        HubDownloader::download(req);
        QVERIFY(QFileInfo::exists(QDir(cache.path()).filePath(QStringLiteral("models--org--tiny/blobs/") + QString::fromLatin1(gitId))));
    }

    void hostileNamesAreRefused_data()
    {
        QTest::addColumn<QString>("listed");
        QTest::addColumn<QString>("requested");
        QTest::newRow("listing ..") << QStringLiteral("../../evil.json") << QString();
        QTest::newRow("listing absolute") << QStringLiteral("/etc/evil.json") << QString();
        QTest::newRow("listing backslash") << QStringLiteral("..\\evil.json") << QString();
        QTest::newRow("request ..") << QString() << QStringLiteral("../../../evil.json");
        QTest::newRow("request absolute") << QString() << QStringLiteral("/tmp/evil.json");
    }

    void hostileNamesAreRefused()
    {
        QFETCH(QString, listed);
        QFETCH(QString, requested);
        LocalHubServer server;
        server.addFile(QStringLiteral("org/tiny"), QStringLiteral("config.json"), "{}");
        if (!listed.isEmpty())
            server.addListingName(QStringLiteral("org/tiny"), listed);
        QTemporaryDir root;
        const QString cache = QDir(root.path()).filePath(QStringLiteral("a/b/c/cache"));
        QVERIFY(QDir().mkpath(cache));
        HubDownloadRequest req;
        req.repoId = QStringLiteral("org/tiny");
        req.endpoint = server.endpoint();
        req.cacheDir = cache;
        if (!requested.isEmpty())
            req.files = {requested};
        QVERIFY_THROWS_EXCEPTION(Error, HubDownloader::download(req));
        QCOMPARE(filesOutside(root.path(), cache), QStringList());
        req.files.clear();
        req.revision = QStringLiteral("../../../x");
        QVERIFY_THROWS_EXCEPTION(Error, HubDownloader::download(req));
        QCOMPARE(filesOutside(root.path(), cache), QStringList());
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
