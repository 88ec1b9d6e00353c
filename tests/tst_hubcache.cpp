#include "hub/HubCache.h"
#include "model/ModelSource.h"
#include "util/Error.h"

#include <QTemporaryDir>
#include <QtTest>

using namespace strata;

class TestHubCache : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void cacheDirectoryFollowsEnvironment()
    {
        qputenv("HF_HUB_CACHE", "/tmp/a");
        QCOMPARE(HubCache::defaultCacheDirectory(), QStringLiteral("/tmp/a"));
        qunsetenv("HF_HUB_CACHE");
        qputenv("HF_HOME", "/tmp/hfhome");
        QCOMPARE(HubCache::defaultCacheDirectory(), QStringLiteral("/tmp/hfhome/hub"));
        qunsetenv("HF_HOME");
        qunsetenv("XDG_CACHE_HOME");
        QCOMPARE(HubCache::defaultCacheDirectory(), QDir::home().filePath(QStringLiteral(".cache/huggingface/hub")));
    }

    void resolvesHubIdsInTheCache()
    {
        QTemporaryDir cache;
        const QString commit = QStringLiteral("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
        const QDir repo(QDir(cache.path()).filePath(QStringLiteral("models--openai-community--gpt2")));
        QVERIFY(repo.mkpath(QStringLiteral("snapshots/") + commit));
        QVERIFY(repo.mkpath(QStringLiteral("refs")));
        QFile ref(repo.filePath(QStringLiteral("refs/main")));
        QVERIFY(ref.open(QIODevice::WriteOnly));
        ref.write(commit.toLatin1() + '\n');
        ref.close();
        qputenv("HF_HUB_CACHE", cache.path().toUtf8());
        const ModelSource a = resolveModelLocation(QStringLiteral("openai-community/gpt2"));
        QCOMPARE(a.path, QFileInfo(repo.filePath(QStringLiteral("snapshots/") + commit)).canonicalFilePath());
        QCOMPARE(a.hubId, QStringLiteral("openai-community/gpt2"));
        const ModelSource b = resolveModelLocation(QStringLiteral("openai-community/gpt2@") + commit);
        QCOMPARE(b.path, a.path);
        QCOMPARE(HubCache::listModels().size(), 1);
        try {
            resolveModelLocation(QStringLiteral("someone/else"));
            QFAIL("an unknown Hub id resolved");
        } catch (const Error &e) {
            QVERIFY2(e.message().contains(cache.path()), qPrintable(e.message()));
        }
        qunsetenv("HF_HUB_CACHE");
    }

    void repoIdSyntax_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<bool>("ok");
        QTest::newRow("org/name") << QStringLiteral("gpt2/small-v1.0") << true;
        QTest::newRow("with revision") << QStringLiteral("org/name@main") << true;
        QTest::newRow("dots") << QStringLiteral("../etc") << false;
        QTest::newRow("spaces") << QStringLiteral("a b") << false;
        QTest::newRow("three parts") << QStringLiteral("a/b/c") << false;
    }
    void repoIdSyntax()
    {
        QFETCH(QString, text);
        QFETCH(bool, ok);
        QCOMPARE(HubCache::looksLikeRepoId(text), ok);
    }
};

QTEST_GUILESS_MAIN(TestHubCache)
#include "tst_hubcache.moc"
