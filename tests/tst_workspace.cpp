// The session store: schema and migrations, every record type, cached traces, sharing, and the
// failures a user meets (crash, lock, read-only file, full disk, a file that is not a workspace,
// a second Strata on the same file). Child processes are this test binary started with --child.
#include "store/TraceCodec.h"
#include "store/Workspace.h"
#include "util/Half.h"

#include <QCryptographicHash>
#include <QProcess>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QThread>
#include <QtTest>

#include <csignal>
#include <random>
#include <unistd.h>

using namespace strata;

namespace {

// A small but complete trace: 3 layers, 2 heads, causal attention rows that sum to 1.
Trace makeTrace(int T = 7, int D = 8, int V = 11, unsigned seed = 1)
{
    std::mt19937 rng(seed);
    std::normal_distribution<float> n(0.f, 2.f);
    Trace t;
    t.model.family = QStringLiteral("gpt2");
    t.model.name = QStringLiteral("tiny");
    t.model.location = QStringLiteral("demo");
    t.model.fingerprint = QStringLiteral("abc123");
    t.model.nLayers = 3;
    t.model.nHeads = 2;
    t.model.nKvHeads = 2;
    t.model.dModel = D;
    t.model.vocabSize = V;
    t.model.contextLength = 64;
    t.prompt = QStringLiteral("Mary 和 John");
    for (int i = 0; i < T; ++i) {
        t.tokens.push_back(TokenPiece{int64_t(i * 3 % V), i, i + 1});
        t.tokenStrings << QStringLiteral("tok%1").arg(i);
    }
    auto randomTensor = [&](std::vector<int64_t> shape) {
        int64_t k = 1;
        for (auto d : shape)
            k *= d;
        std::vector<float> v(static_cast<size_t>(k));
        for (float &x : v)
            x = n(rng);
        return HostTensor::fromFloats(shape, v.data());
    };
    t.embed = randomTensor({T, D});
    t.finalNorm = randomTensor({T, D});
    t.logits = randomTensor({T, V});
    for (int l = 0; l < 3; ++l) {
        LayerTrace lt;
        lt.layer = l;
        std::vector<float> a(static_cast<size_t>(2 * T * T), 0.f);
        for (int h = 0; h < 2; ++h)
            for (int q = 0; q < T; ++q)
                for (int k = 0; k <= q; ++k)
                    a[size_t((h * T + q) * T + k)] = 1.f / float(q + 1);
        lt.attn = HostTensor::fromFloats({2, T, T}, a.data());
        lt.residPre = randomTensor({T, D});
        lt.residMid = randomTensor({T, D});
        lt.residPost = randomTensor({T, D});
        lt.attnOut = randomTensor({T, D});
        lt.mlpOut = randomTensor({T, D});
        t.layers.push_back(std::move(lt));
    }
    t.kvHeadOfQueryHead = {0, 1};
    t.milliseconds = 12.5;
    return t;
}

// Every value equals the float16 rounding of the original.
bool sameAsHalf(const HostTensor &original, const HostTensor &stored)
{
    if (original.shape() != stored.shape() || stored.dtype() != DType::F16)
        return false;
    for (int64_t i = 0; i < original.numel(); ++i)
        if (halfToFloat(floatToHalf(original.floatAt(i))) != stored.floatAt(i))
            return false;
    return true;
}

RunRecord runFor(qint64 session, const QString &prompt)
{
    RunRecord r;
    r.sessionId = session;
    r.modelLocation = QStringLiteral("demo");
    r.modelName = QStringLiteral("Strata demo");
    r.modelFamily = QStringLiteral("gpt2");
    r.fingerprint = QStringLiteral("abc123");
    r.prompt = prompt;
    r.settings = QJsonObject{{QStringLiteral("storage"), QStringLiteral("F16")}};
    r.durationMs = 3.5;
    r.tokenCount = 7;
    return r;
}

QByteArray fileHash(const QString &path)
{
    QFile f(path);
    f.open(QIODevice::ReadOnly);
    return QCryptographicHash::hash(f.readAll(), QCryptographicHash::Sha256);
}

// ---- child processes ----------------------------------------------------------------------------

int childMain(const QString &mode, const QString &path)
{
    QTextStream out(stdout);
    try {
        if (mode == QLatin1String("hold-lock")) {
            // Takes the write lock, says so, and keeps it until told to let go (a line on stdin).
            Workspace ws(path);
            ws.transaction([&] {
                ws.createSession(QStringLiteral("from the child"));
                out << "locked\n";
                out.flush();
                QFile in;
                in.open(stdin, QIODevice::ReadOnly);
                in.readLine();
            });
            return 0;
        }
        if (mode == QLatin1String("write-runs")) {
            // Writes runs with traces until killed, printing each id once committed.
            Workspace ws(path);
            const qint64 s = ws.createSession(QStringLiteral("crash test"));
            const QByteArray blob = TraceCodec::encode(makeTrace(24, 64, 300));
            for (int i = 0;; ++i) {
                const qint64 id = ws.addRun(runFor(s, QStringLiteral("run %1").arg(i)), blob);
                out << id << "\n";
                out.flush();
            }
        }
        if (mode == QLatin1String("add-runs")) {
            // A second Strata adding ten runs to the first session while the parent adds its own.
            Workspace ws(path);
            const qint64 s = ws.sessions().first().id;
            for (int i = 0; i < 10; ++i)
                ws.addRun(runFor(s, QStringLiteral("child %1").arg(i)));
            return 0;
        }
    } catch (const Error &e) {
        QTextStream(stderr) << e.message() << "\n";
        return 2;
    }
    return 1;
}

} // namespace

class TestWorkspace : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    QString file(const QString &name) const { return m_dir.filePath(name); }

    QProcess *startChild(const QString &mode, const QString &path)
    {
        auto *p = new QProcess(this);
        p->setProgram(QCoreApplication::applicationFilePath());
        p->setArguments({QStringLiteral("--child"), mode, path});
        p->setProcessChannelMode(QProcess::SeparateChannels);
        p->start();
        if (!p->waitForStarted(5000))
            qFatal("could not start the child process");
        return p;
    }

private Q_SLOTS:
    void codecRoundTripIsFloat16Exact()
    {
        const Trace t = makeTrace();
        const TracePtr back = TraceCodec::decode(TraceCodec::encode(t));
        QCOMPARE(back->prompt, t.prompt);
        QCOMPARE(back->tokenStrings, t.tokenStrings);
        QCOMPARE(back->tokenIds(), t.tokenIds());
        QCOMPARE(back->tokens[3].byteBegin, 3);
        QCOMPARE(back->model.fingerprint, QStringLiteral("abc123"));
        QCOMPARE(back->model.nLayers, 3);
        QCOMPARE(back->kvHeadOfQueryHead, t.kvHeadOfQueryHead);
        QCOMPARE(back->milliseconds, 12.5);
        QVERIFY(sameAsHalf(t.embed, back->embed));
        QVERIFY(sameAsHalf(t.logits, back->logits));
        QVERIFY(sameAsHalf(t.finalNorm, back->finalNorm));
        QCOMPARE(back->layers.size(), size_t(3));
        for (size_t l = 0; l < 3; ++l) {
            QVERIFY(sameAsHalf(t.layers[l].attn, back->layers[l].attn));
            QVERIFY(sameAsHalf(t.layers[l].residPre, back->layers[l].residPre));
            QVERIFY(sameAsHalf(t.layers[l].residMid, back->layers[l].residMid));
            QVERIFY(sameAsHalf(t.layers[l].residPost, back->layers[l].residPost));
            QVERIFY(sameAsHalf(t.layers[l].attnOut, back->layers[l].attnOut));
            QVERIFY(sameAsHalf(t.layers[l].mlpOut, back->layers[l].mlpOut));
        }
        // Attention of 1/(q+1) is exact in float16 at these sizes: row sums stay 1 to float16 precision.
        double row = 0;
        for (int k = 0; k < 7; ++k)
            row += back->layers[0].attn.floatAt(6 * 7 + k);
        QVERIFY(std::abs(row - 1.0) < 2e-3);
    }

    void codecRejectsDamage()
    {
        const QByteArray good = TraceCodec::encode(makeTrace(32, 16, 50));
        QVERIFY_THROWS_EXCEPTION(Error, TraceCodec::decode(good.left(good.size() / 2)));
        QVERIFY_THROWS_EXCEPTION(Error, TraceCodec::decode(QByteArray("nonsense")));
        QByteArray wrongVersion = good;
        wrongVersion[4] = char(9);
        try {
            TraceCodec::decode(wrongVersion);
            QFAIL("a blob of an unknown version was read");
        } catch (const Error &e) {
            QVERIFY2(e.message().contains(QStringLiteral("version 9")), qPrintable(e.message()));
        }
        // Damage anywhere is detected: near the end (the last tensors, stored raw), in the middle,
        // and in the header. Each names what is damaged.
        for (qsizetype at : {good.size() - 150, good.size() / 2, qsizetype(40)}) {
            QByteArray flipped = good;
            flipped[at] = char(flipped[at] ^ 0x10);
            try {
                TraceCodec::decode(flipped);
                QFAIL(qPrintable(QStringLiteral("one flipped bit at byte %1 of %2 decoded without a word").arg(at).arg(good.size())));
            } catch (const Error &e) {
                QVERIFY2(e.message().contains(QStringLiteral("damaged")), qPrintable(e.message()));
            }
        }
    }

    void everyRecordRoundTrips()
    {
        const QString path = file(QStringLiteral("records.strata"));
        qint64 s1 = 0, s2 = 0, r1 = 0, r2 = 0;
        {
            Workspace ws(path);
            QCOMPARE(ws.schemaVersion(), Workspace::kSchemaVersion);
            QVERIFY(!ws.isReadOnly());
            s1 = ws.createSession(QStringLiteral("IOI"), QStringLiteral("names swapped"));
            s2 = ws.createSession(QStringLiteral("Induction"));
            RunRecord run = runFor(s1, QStringLiteral("When Mary and John went to the store"));
            run.tags = {QStringLiteral("ioi"), QStringLiteral("clean")};
            r1 = ws.addRun(run, TraceCodec::encode(makeTrace()));
            r2 = ws.addRun(runFor(s1, QStringLiteral("corrupted")));
            ws.addAnnotation(AnnotationRecord{0, r1, 2, 1, 3, 5, QStringLiteral("name mover?"), {}, {}});
            ws.addAnnotation(AnnotationRecord{0, r1, -1, -1, -1, -1, QStringLiteral("whole run"), {}, {}});
            ws.addBookmark(BookmarkRecord{0, r1, 2, 1, QStringLiteral("look again")});
            ws.addComparison(ComparisonRecord{0, s1, r1, r2, QStringLiteral("clean vs corrupted"), QStringLiteral("L2H1 differs"), {}, {}});
            ws.addResult(
                ResultRecord{0, s1, QStringLiteral("probe"), QStringLiteral("upos"), QStringLiteral("abc123"), QJsonObject{{QStringLiteral("best"), 2}}, {}});
        }
        Workspace ws(path);
        const auto sessions = ws.sessions();
        QCOMPARE(sessions.size(), 2);
        QCOMPARE(sessions[0].name, QStringLiteral("IOI"));
        QCOMPARE(sessions[0].description, QStringLiteral("names swapped"));
        QCOMPARE(sessions[0].runCount, 2);
        QVERIFY(sessions[0].created.isValid());
        QCOMPARE(sessions[1].runCount, 0);
        const auto runs = ws.runs(s1);
        QCOMPARE(runs.size(), 2);
        QCOMPARE(runs[0].prompt, QStringLiteral("When Mary and John went to the store"));
        QCOMPARE(runs[0].tags, (QStringList{QStringLiteral("clean"), QStringLiteral("ioi")}));
        QCOMPARE(runs[0].settings.value(QStringLiteral("storage")).toString(), QStringLiteral("F16"));
        QVERIFY(runs[0].traceKept());
        QVERIFY(!runs[1].traceKept());
        QVERIFY(!ws.loadTrace(r2));
        QCOMPARE(ws.loadTrace(r1)->tokenCount(), 7);
        const auto notes = ws.annotations(r1);
        QCOMPARE(notes.size(), 2);
        QCOMPARE(notes[0].layer, 2);
        QCOMPARE(notes[0].tokenEnd, 5);
        QCOMPARE(notes[1].layer, -1);
        QCOMPARE(ws.bookmarks(r1).size(), 1);
        QCOMPARE(ws.comparisons(s1).first().runB, r2);
        QCOMPARE(ws.results(s1, QStringLiteral("probe")).first().data.value(QStringLiteral("best")).toInt(), 2);
        QCOMPARE(ws.allTags(), (QStringList{QStringLiteral("clean"), QStringLiteral("ioi")}));

        // Move, rename, delete and bring back (what Undo does), and the purge on the next open.
        ws.moveRun(r2, s2);
        QCOMPARE(ws.runs(s2).size(), 1);
        ws.renameSession(s2, QStringLiteral("Renamed"));
        QCOMPARE(ws.session(s2).name, QStringLiteral("Renamed"));
        ws.setSessionDeleted(s2, true);
        QCOMPARE(ws.sessions().size(), 1);
        ws.setSessionDeleted(s2, false);
        QCOMPARE(ws.sessions().size(), 2);
        ws.setRunDeleted(r1, true);
        QCOMPARE(ws.runs(s1).size(), 0);
        ws.setRunDeleted(r1, false);
        QCOMPARE(ws.runs(s1).size(), 1);
        const qint64 dup = ws.duplicateSession(s1, ws.uniqueSessionName(QStringLiteral("IOI")));
        QCOMPARE(ws.session(dup).name, QStringLiteral("IOI (2)"));
        QCOMPARE(ws.runs(dup).size(), 1);
        QCOMPARE(ws.annotations(ws.runs(dup).first().id).size(), 2);
        ws.setSessionDeleted(s2, true);
        QCOMPARE(ws.integrityCheck(), QStringLiteral("ok"));
    }

    void deletedRowsArePurgedOnNextOpen()
    {
        const QString path = file(QStringLiteral("purge.strata"));
        qint64 s = 0;
        {
            Workspace ws(path);
            s = ws.createSession(QStringLiteral("gone"));
            ws.addRun(runFor(s, QStringLiteral("x")), TraceCodec::encode(makeTrace()));
            ws.setSessionDeleted(s, true);
        }
        Workspace ws(path);
        QVERIFY(ws.sessions().isEmpty());
        QCOMPARE(ws.storedTraceBytes(), 0); // the run and its trace went with the session (cascade)
    }

    void migratesTheFirstSchema()
    {
        const QString path = file(QStringLiteral("v1.strata"));
        {
            Workspace::Options o;
            o.schemaVersion = 1;
            Workspace ws(path, o);
            QCOMPARE(ws.schemaVersion(), 1);
        }
        {
            // Rows as the first Strata wrote them.
            QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("v1"));
            db.setDatabaseName(path);
            QVERIFY(db.open());
            QSqlQuery q(db);
            QVERIFY(q.exec(QStringLiteral("INSERT INTO sessions(id, name, description, created, modified) VALUES(1, 'old', 'd', '2026-01-02T03:04:05.000Z', "
                                          "'2026-01-02T03:04:05.000Z')")));
            QVERIFY(q.exec(QStringLiteral("INSERT INTO runs(id, session_id, model_location, prompt, created, token_count) VALUES(5, 1, 'demo', 'hello', "
                                          "'2026-01-02T03:04:06.000Z', 2)")));
            QVERIFY(q.exec(QStringLiteral("INSERT INTO annotations(run_id, layer, text, created, modified) VALUES(5, 1, 'note', '2026-01-02T03:04:07.000Z', "
                                          "'2026-01-02T03:04:07.000Z')")));
            q = QSqlQuery();
            db.close();
        }
        QSqlDatabase::removeDatabase(QStringLiteral("v1"));
        Workspace ws(path);
        QCOMPARE(ws.schemaVersion(), 2);
        const auto sessions = ws.sessions();
        QCOMPARE(sessions.size(), 1);
        QCOMPARE(sessions[0].name, QStringLiteral("old"));
        QCOMPARE(sessions[0].created, QDateTime(QDate(2026, 1, 2), QTime(3, 4, 5), Qt::UTC));
        QCOMPARE(ws.runs(1).first().prompt, QStringLiteral("hello"));
        QCOMPARE(ws.annotations(5).first().text, QStringLiteral("note"));
        ws.setRunTags(5, {QStringLiteral("migrated")}); // a version-2 table
        QCOMPARE(ws.run(5).tags, QStringList{QStringLiteral("migrated")});
        QCOMPARE(ws.integrityCheck(), QStringLiteral("ok"));
    }

    void traceBudgetDropsOldestTraces()
    {
        Workspace ws(file(QStringLiteral("budget.strata")));
        const QByteArray blob = TraceCodec::encode(makeTrace(20, 32, 100));
        ws.setTraceBudget(qint64(blob.size()) * 2 + 10);
        const qint64 s = ws.createSession(QStringLiteral("budget"));
        QList<qint64> ids;
        for (int i = 0; i < 4; ++i) {
            RunRecord r = runFor(s, QStringLiteral("p%1").arg(i));
            r.created = QDateTime::currentDateTimeUtc().addSecs(i);
            ids << ws.addRun(r, blob);
        }
        QVERIFY(ws.storedTraceBytes() <= ws.traceBudget());
        QVERIFY(!ws.run(ids[0]).traceKept());
        QVERIFY(!ws.run(ids[1]).traceKept());
        QVERIFY(ws.run(ids[2]).traceKept());
        QVERIFY(ws.run(ids[3]).traceKept());
        QCOMPARE(ws.runs(s).size(), 4); // the runs themselves stay
        ws.setTraceBudget(10);
        const qint64 big = ws.addRun(runFor(s, QStringLiteral("too big")), blob);
        QVERIFY(!ws.run(big).traceKept());
    }

    void exportAndImportWithoutClobbering()
    {
        const QString a = file(QStringLiteral("alice.strata")), b = file(QStringLiteral("bob.strata")), shared = file(QStringLiteral("ioi.stratasession"));
        qint64 sa = 0;
        {
            Workspace ws(a);
            sa = ws.createSession(QStringLiteral("IOI"));
            ws.createSession(QStringLiteral("Other, not exported"));
            RunRecord run = runFor(sa, QStringLiteral("clean"));
            run.tags = {QStringLiteral("ioi")};
            const qint64 r1 = ws.addRun(run, TraceCodec::encode(makeTrace()));
            const qint64 r2 = ws.addRun(runFor(sa, QStringLiteral("corrupt")));
            ws.addAnnotation(AnnotationRecord{0, r1, 1, 0, -1, -1, QStringLiteral("look"), {}, {}});
            ws.addComparison(ComparisonRecord{0, sa, r1, r2, QStringLiteral("cmp"), QStringLiteral("notes"), {}, {}});
            ws.exportSession(sa, shared);
        }
        QVERIFY(!QFileInfo::exists(shared + QStringLiteral("-wal")));
        const QByteArray sharedHash = fileHash(shared);
        Workspace bob(b);
        const qint64 own = bob.createSession(QStringLiteral("IOI"));
        bob.addRun(runFor(own, QStringLiteral("Bob's own run")));
        const qint64 imported = bob.importSession(shared);
        const qint64 again = bob.importSession(shared);
        QCOMPARE(fileHash(shared), sharedHash); // importing does not change the file
        QCOMPARE(bob.sessions().size(), 3);
        QCOMPARE(bob.session(own).name, QStringLiteral("IOI"));
        QCOMPARE(bob.runs(own).size(), 1);
        QCOMPARE(bob.runs(own).first().prompt, QStringLiteral("Bob's own run"));
        QCOMPARE(bob.session(imported).name, QStringLiteral("IOI (2)"));
        QCOMPARE(bob.session(again).name, QStringLiteral("IOI (3)"));
        const auto runs = bob.runs(imported);
        QCOMPARE(runs.size(), 2);
        QCOMPARE(runs[0].tags, QStringList{QStringLiteral("ioi")});
        QVERIFY(runs[0].traceKept());
        QVERIFY(sameAsHalf(makeTrace().layers[1].residPost, bob.loadTrace(runs[0].id)->layers[1].residPost));
        QCOMPARE(bob.annotations(runs[0].id).first().text, QStringLiteral("look"));
        const auto cmp = bob.comparisons(imported);
        QCOMPARE(cmp.size(), 1);
        QCOMPARE(cmp[0].runA, runs[0].id);
        QCOMPARE(cmp[0].runB, runs[1].id);
        QVERIFY_THROWS_EXCEPTION(StoreError, bob.importSession(file(QStringLiteral("missing.stratasession"))));
    }

    void hostileSessionFilesOnlyAddData_data()
    {
        QTest::addColumn<QString>("attack");
        QTest::addColumn<QString>("message");
        QTest::newRow("trigger deleting data") << QStringLiteral("CREATE TRIGGER wipe AFTER UPDATE ON sessions BEGIN DELETE FROM runs; END")
                                               << QStringLiteral("trigger 'wipe'");
        QTest::newRow("view shadowing a table") << QStringLiteral("DROP TABLE tags;; CREATE VIEW tags AS SELECT 1 AS id, 'planted' AS name")
                                                << QStringLiteral("view 'tags'");
        QTest::newRow("extra table") << QStringLiteral("CREATE TABLE payload(x)") << QStringLiteral("table 'payload'");
        QTest::newRow("altered table") << QStringLiteral("ALTER TABLE sessions ADD COLUMN evil TEXT DEFAULT 'x'") << QStringLiteral("table 'sessions'");
        QTest::newRow("absurd row size") << QStringLiteral("UPDATE sessions SET description = printf('%.*c', 3000000, 'x')")
                                         << QStringLiteral("larger than Strata accepts");
    }

    void hostileSessionFilesOnlyAddData()
    {
        QFETCH(QString, attack);
        QFETCH(QString, message);
        // A colleague's session file, then changed with raw SQL the way a hostile file would be.
        const QString theirs = file(QStringLiteral("hostile-%1.stratasession").arg(QString::number(qHash(attack))));
        {
            const QString work = file(QStringLiteral("hostile-src-%1.strata").arg(QString::number(qHash(attack))));
            Workspace ws(work);
            const qint64 s = ws.createSession(QStringLiteral("theirs"));
            ws.addRun(runFor(s, QStringLiteral("their run")));
            ws.exportSession(s, theirs);
        }
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("attacker"));
            db.setDatabaseName(theirs);
            QVERIFY(db.open());
            QSqlQuery q(db);
            for (const QString &statement : attack.split(QStringLiteral(";; ")))
                QVERIFY2(q.exec(statement), qPrintable(q.lastError().text()));
            db.close();
        }
        QSqlDatabase::removeDatabase(QStringLiteral("attacker"));
        const QString path = file(QStringLiteral("mine-%1.strata").arg(QString::number(qHash(attack))));
        Workspace mine(path);
        const qint64 own = mine.createSession(QStringLiteral("mine"));
        mine.addRun(runFor(own, QStringLiteral("my run")));
        mine.setImportValueLimit(1 << 20); // 1 MB, so that an absurd value needs no 512 MB file here
        const QByteArray before = fileHash(theirs);
        try {
            mine.importSession(theirs);
            QFAIL("a hostile session file was imported");
        } catch (const StoreError &e) {
            QVERIFY2(e.message().contains(message), qPrintable(e.message()));
        }
        // Nothing but (no) data was added: my session and run are as they were, the file is unchanged.
        QCOMPARE(mine.sessions().size(), 1);
        QCOMPARE(mine.runs(own).size(), 1);
        QCOMPARE(mine.runs(own).first().prompt, QStringLiteral("my run"));
        QCOMPARE(mine.integrityCheck(), QStringLiteral("ok"));
        QCOMPARE(fileHash(theirs), before);
    }

    void refusesWhatIsNotAWorkspace_data()
    {
        QTest::addColumn<QByteArray>("content");
        QTest::addColumn<int>("problem");
        QTest::newRow("text file") << QByteArray("hello, this is a text file\n") << int(StoreProblem::NotWorkspace);
        QTest::newRow("other sqlite") << QByteArray("other") << int(StoreProblem::NotWorkspace);
        QTest::newRow("newer strata") << QByteArray("newer") << int(StoreProblem::NewerSchema);
        QTest::newRow("directory") << QByteArray("dir") << int(StoreProblem::NotWorkspace);
    }
    void refusesWhatIsNotAWorkspace()
    {
        QFETCH(QByteArray, content);
        QFETCH(int, problem);
        const QString path =
            file(QStringLiteral("not-%1.strata").arg(QString::fromLatin1(QTest::currentDataTag()).replace(QLatin1Char(' '), QLatin1Char('-'))));
        if (content == "dir") {
            QDir().mkpath(path);
        } else if (content == "other" || content == "newer") {
            {
                QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("other"));
                db.setDatabaseName(path);
                QVERIFY(db.open());
                QSqlQuery q(db);
                QVERIFY(q.exec(QStringLiteral("CREATE TABLE accounts(id INTEGER PRIMARY KEY, owner TEXT)")));
                QVERIFY(q.exec(QStringLiteral("INSERT INTO accounts(owner) VALUES('someone')")));
                if (content == "newer") {
                    QVERIFY(q.exec(QStringLiteral("PRAGMA application_id = %1").arg(Workspace::kApplicationId)));
                    QVERIFY(q.exec(QStringLiteral("PRAGMA user_version = 99")));
                }
                q = QSqlQuery();
                db.close();
            }
            QSqlDatabase::removeDatabase(QStringLiteral("other"));
        } else {
            QFile f(path);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(content);
        }
        const QByteArray before = QFileInfo(path).isFile() ? fileHash(path) : QByteArray();
        try {
            Workspace ws(path);
            QFAIL("opened something that is not a workspace");
        } catch (const StoreError &e) {
            QCOMPARE(int(e.problem()), problem);
            QVERIFY2(e.message().contains(path), qPrintable(e.message()));
        }
        if (!before.isEmpty())
            QCOMPARE(fileHash(path), before); // untouched
    }

    void readOnlyFileCanBeReadNotWritten()
    {
        QTemporaryDir dir;
        QFile::setPermissions(dir.path(), QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner | QFileDevice::ReadOther |
                                              QFileDevice::ExeOther | QFileDevice::ReadGroup | QFileDevice::ExeGroup);
        const QString path = dir.filePath(QStringLiteral("ro.strata"));
        {
            Workspace ws(path);
            ws.addRun(runFor(ws.createSession(QStringLiteral("kept")), QStringLiteral("p")));
        }
        QFile::setPermissions(path, QFileDevice::ReadOwner | QFileDevice::ReadGroup | QFileDevice::ReadOther);
        QFile::setPermissions(dir.path(), QFileDevice::ReadOwner | QFileDevice::ExeOwner | QFileDevice::ReadOther | QFileDevice::ExeOther |
                                              QFileDevice::ReadGroup | QFileDevice::ExeGroup);
        const QByteArray before = fileHash(path);
        // Root ignores permissions: act as "nobody" for the duration, as a user would be.
        const bool root = geteuid() == 0;
        if (root)
            QVERIFY(setegid(65534) == 0 && seteuid(65534) == 0);
        QString error;
        int sessions = -1;
        bool readOnly = false;
        try {
            Workspace ws(path);
            readOnly = ws.isReadOnly();
            sessions = int(ws.sessions().size());
            try {
                ws.createSession(QStringLiteral("should fail"));
            } catch (const StoreError &e) {
                error = e.message();
            }
        } catch (const StoreError &e) {
            error = QStringLiteral("open failed: ") + e.message();
        }
        if (root)
            QVERIFY(seteuid(0) == 0 && setegid(0) == 0);
        QFile::setPermissions(dir.path(), QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
        QVERIFY2(readOnly, qPrintable(error));
        QCOMPARE(sessions, 1);
        QVERIFY2(error.contains(QStringLiteral("read-only")), qPrintable(error));
        QCOMPARE(fileHash(path), before);
    }

    void lockedByAnotherProcess()
    {
        const QString path = file(QStringLiteral("locked.strata"));
        qint64 s = 0;
        {
            Workspace ws(path);
            s = ws.createSession(QStringLiteral("mine"));
        }
        QProcess *child = startChild(QStringLiteral("hold-lock"), path);
        QVERIFY(child->waitForReadyRead(10000));
        QCOMPARE(child->readLine().trimmed(), QByteArray("locked"));
        Workspace::Options o;
        o.busyTimeoutMs = 200;
        Workspace ws(path, o);
        try {
            ws.addRun(runFor(s, QStringLiteral("while locked")));
            QFAIL("wrote while another process held the write lock");
        } catch (const StoreError &e) {
            QCOMPARE(e.problem(), StoreProblem::Locked);
            QVERIFY2(e.message().contains(QStringLiteral("busy")), qPrintable(e.message()));
        }
        // The refusal came while the other process still held the lock (it holds it until told to
        // let go), so the write gave up after its busy timeout instead of waiting for the other one.
        QCOMPARE(child->state(), QProcess::Running);
        QCOMPARE(ws.sessions().size(), 1); // reading still works while it writes (WAL)
        child->write("release\n");
        child->closeWriteChannel();
        QVERIFY(child->waitForFinished(10000));
        QCOMPARE(child->exitCode(), 0);
        ws.addRun(runFor(s, QStringLiteral("after the lock")));
        QCOMPARE(ws.sessions().size(), 2);
        QCOMPARE(ws.runs(s).size(), 1);
    }

    void diskFullLosesNothing()
    {
        const QString path = file(QStringLiteral("full.strata"));
        Workspace ws(path);
        const qint64 s = ws.createSession(QStringLiteral("before"));
        ws.addRun(runFor(s, QStringLiteral("saved")), TraceCodec::encode(makeTrace()));
        // The file may not grow: a large trace cannot be written.
        ws.setMaxPageCount(QFileInfo(path).size() / 4096 + 8);
        const QByteArray big = TraceCodec::encode(makeTrace(120, 256, 2000, 7));
        try {
            ws.addRun(runFor(s, QStringLiteral("too large")), big);
            QFAIL("wrote past the size limit");
        } catch (const StoreError &e) {
            QCOMPARE(e.problem(), StoreProblem::Full);
            QVERIFY2(e.message().contains(QStringLiteral("full")), qPrintable(e.message()));
        }
        QCOMPARE(ws.runs(s).size(), 1); // the failed run was rolled back whole
        QCOMPARE(ws.runs(s).first().prompt, QStringLiteral("saved"));
        QCOMPARE(ws.integrityCheck(), QStringLiteral("ok"));
        ws.setMaxPageCount(1 << 30);
        ws.addRun(runFor(s, QStringLiteral("after freeing space")), big);
        QCOMPARE(ws.runs(s).size(), 2);
    }

    void secondInstanceSeesChangesAndWritesSafely()
    {
        const QString path = file(QStringLiteral("shared.strata"));
        Workspace first(path);
        const qint64 s = first.createSession(QStringLiteral("together"));
        Workspace second(path);
        QVERIFY(!first.changedElsewhere());
        second.addRun(runFor(s, QStringLiteral("from the second window")));
        QVERIFY(first.changedElsewhere());
        QVERIFY(!first.changedElsewhere());
        QCOMPARE(first.runs(s).size(), 1);
        // Another process writing at the same time: both writers' runs all arrive.
        QProcess *child = startChild(QStringLiteral("add-runs"), path);
        for (int i = 0; i < 10; ++i)
            first.addRun(runFor(s, QStringLiteral("parent %1").arg(i)));
        QVERIFY(child->waitForFinished(20000));
        QCOMPARE(child->exitCode(), 0);
        QCOMPARE(first.runs(s).size(), 21);
        QCOMPARE(first.integrityCheck(), QStringLiteral("ok"));
    }

    void killedWhileWritingLosesNothingCommitted()
    {
        const QString path = file(QStringLiteral("killed.strata"));
        QProcess *child = startChild(QStringLiteral("write-runs"), path);
        QList<qint64> committed;
        QElapsedTimer timer;
        timer.start();
        while (committed.size() < 25 && timer.elapsed() < 20000) {
            child->waitForReadyRead(1000);
            while (child->canReadLine())
                committed << child->readLine().trimmed().toLongLong();
        }
        QVERIFY(committed.size() >= 25);
        ::kill(pid_t(child->processId()), SIGKILL);
        QVERIFY(child->waitForFinished(5000));
        QCOMPARE(child->exitStatus(), QProcess::CrashExit);
        committed << 0; // drain what was printed before the kill
        committed.removeLast();
        while (child->canReadLine())
            committed << child->readLine().trimmed().toLongLong();

        Workspace ws(path);
        QCOMPARE(ws.integrityCheck(), QStringLiteral("ok"));
        const auto runs = ws.runs(ws.sessions().first().id);
        QSet<qint64> present;
        for (const RunRecord &r : runs)
            present.insert(r.id);
        for (qint64 id : committed)
            QVERIFY2(present.contains(id), qPrintable(QStringLiteral("run %1 was committed but is gone").arg(id)));
        // Every stored trace is whole.
        for (const RunRecord &r : runs)
            QCOMPARE(ws.loadTrace(r.id)->tokenCount(), 24);
    }
};

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    if (argc >= 4 && qstrcmp(argv[1], "--child") == 0)
        return childMain(QString::fromLocal8Bit(argv[2]), QString::fromLocal8Bit(argv[3]));
    TestWorkspace t;
    return QTest::qExec(&t, argc, argv);
}

#include "tst_workspace.moc"
