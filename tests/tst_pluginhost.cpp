#include "model/PluginHost.h"
#include "util/Error.h"

#include <QTemporaryDir>
#include <QtTest>

using namespace strata;

class TestPluginHost : public QObject
{
    Q_OBJECT

    static QString pluginFile(const QString &name) { return QStringLiteral(STRATA_TEST_PLUGIN_DIR "/%1/lib%1.so").arg(name); }

private Q_SLOTS:
    void loadsValidPlugin()
    {
        PluginHost host;
        const PluginRecord r = host.loadFile(pluginFile(QStringLiteral("strata_test_valid")));
        QCOMPARE(r.state, PluginRecord::State::Loaded);
        QCOMPARE(r.family, QStringLiteral("testfamily"));
        QCOMPARE(r.formats, QStringList{QStringLiteral("test-folder")});
        QVERIFY(host.family(QStringLiteral("testfamily")));

        // The host hands a folder to the family that recognises it.
        QTemporaryDir dir;
        QFile marker(dir.filePath(QStringLiteral("testfamily.marker")));
        QVERIFY(marker.open(QIODevice::WriteOnly));
        marker.close();
        try {
            host.load(dir.path());
            QFAIL("the test family should refuse to load");
        } catch (const Error &e) {
            QCOMPARE(e.message(), QStringLiteral("The test family loads nothing."));
        }
        // A folder nobody recognises names the known families.
        QTemporaryDir other;
        try {
            host.load(other.path());
            QFAIL("an unrecognised folder loaded");
        } catch (const Error &e) {
            QVERIFY2(e.message().contains(QStringLiteral("unknown model architecture")) && e.message().contains(QStringLiteral("testfamily")),
                     qPrintable(e.message()));
        }
        // A second plugin claiming the same family is refused.
        const PluginRecord dup = host.loadFile(pluginFile(QStringLiteral("strata_test_valid")));
        QCOMPARE(dup.state, PluginRecord::State::Refused);
    }

    void refusesBrokenPlugins_data()
    {
        QTest::addColumn<QString>("plugin");
        QTest::addColumn<int>("state");
        QTest::addColumn<QString>("message");
        QTest::newRow("wrong interface version") << QStringLiteral("strata_test_wrongiid") << int(PluginRecord::State::Refused)
                                                 << QStringLiteral("interface version 1; this Strata provides version 2");
        QTest::newRow("malformed metadata") << QStringLiteral("strata_test_badmeta") << int(PluginRecord::State::Refused)
                                            << QStringLiteral(
                                                   "Malformed metadata: 'family' is missing; 'formats' must be a non-empty array; 'compatVersion' is missing");
    }
    void refusesBrokenPlugins()
    {
        QFETCH(QString, plugin);
        QFETCH(int, state);
        QFETCH(QString, message);
        PluginHost host;
        const PluginRecord r = host.loadFile(pluginFile(plugin));
        QCOMPARE(int(r.state), state);
        QVERIFY2(r.message.contains(message), qPrintable(r.message));
        QVERIFY(host.families().isEmpty());
        QCOMPARE(host.records().size(), 1); // kept for Help > Plugins
    }

    void missingLibraryAndGarbage()
    {
        QTemporaryDir dir;
        // The plugin without the library it links against: metadata reads, loading fails.
        QVERIFY(QFile::copy(pluginFile(QStringLiteral("strata_test_missingdep")), dir.filePath(QStringLiteral("libmissingdep.so"))));
        QFile garbage(dir.filePath(QStringLiteral("libgarbage.so")));
        QVERIFY(garbage.open(QIODevice::WriteOnly));
        garbage.write(QByteArray(4096, 'x'));
        garbage.close();
        PluginHost host;
        host.loadFrom({dir.path()});
        QCOMPARE(host.records().size(), 2);
        const PluginRecord garbageRec = host.records().at(0);
        const PluginRecord missing = host.records().at(1);
        QCOMPARE(garbageRec.state, PluginRecord::State::Failed);
        QVERIFY2(garbageRec.message.startsWith(QStringLiteral("Not a valid Qt plugin")), qPrintable(garbageRec.message));
        QCOMPARE(missing.state, PluginRecord::State::Failed);
        QCOMPARE(missing.family, QStringLiteral("testfamily")); // metadata was read before loading
        QVERIFY2(missing.message.contains(QStringLiteral("libstrata_test_dependency")), qPrintable(missing.message));
        QVERIFY(host.families().isEmpty());

        const PluginRecord none = host.loadFile(dir.filePath(QStringLiteral("libnothing.so")));
        QCOMPARE(none.state, PluginRecord::State::Failed);
    }

    void realGpt2PluginLoads()
    {
        PluginHost host;
        host.loadFrom({QStringLiteral(STRATA_PLUGIN_BUILD_DIR)});
        QVERIFY(host.family(QStringLiteral("gpt2")));
        for (const PluginRecord &r : host.records())
            QVERIFY2(r.state == PluginRecord::State::Loaded, qPrintable(r.file + QStringLiteral(": ") + r.message));
    }
};

QTEST_GUILESS_MAIN(TestPluginHost)
#include "tst_pluginhost.moc"
