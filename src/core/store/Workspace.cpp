#include "Workspace.h"

#include "WorkspaceSql.h"

#include <QAtomicInteger>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QUrl>
#include <QSqlDriver>
#include <QVariant>

#include <sqlite3.h>

#include <set>
#include <tuple>

namespace strata {

namespace {
QAtomicInteger<quint64> g_connectionCounter;
} // namespace

namespace workspace_sql {

QString nowText()
{
    return QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs);
}

QDateTime fromText(const QVariant &v)
{
    QDateTime d = QDateTime::fromString(v.toString(), Qt::ISODateWithMs);
    d.setTimeSpec(Qt::UTC);
    return d;
}

QString jsonText(const QJsonObject &o)
{
    return QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Compact));
}

QJsonObject jsonObject(const QVariant &v)
{
    return QJsonDocument::fromJson(v.toString().toUtf8()).object();
}

QVariant nullable(int v)
{
    return v < 0 ? QVariant(QMetaType(QMetaType::Int)) : QVariant(v);
}

int orMinusOne(const QVariant &v)
{
    return v.isNull() ? -1 : v.toInt();
}

StoreError errorFor(const QString &path, const QSqlError &e)
{
    const int code = e.nativeErrorCode().toInt() & 0xff;
    const QString detail = e.databaseText().isEmpty() ? e.text() : e.databaseText();
    switch (code) {
    case 5: // SQLITE_BUSY
    case 6: // SQLITE_LOCKED
        return StoreError(StoreProblem::Locked, QObject::tr("The workspace %1 is busy: another program (perhaps another Strata window) is writing to it. "
                                                            "Nothing was changed; try again in a moment.")
                                                    .arg(path));
    case 8: // SQLITE_READONLY
        return StoreError(StoreProblem::ReadOnly, QObject::tr("The workspace %1 is read-only (file permissions or a read-only disk): it can be "
                                                              "looked at but not changed. Save a copy to work on it.")
                                                      .arg(path));
    case 13: // SQLITE_FULL
        return StoreError(StoreProblem::Full, QObject::tr("The disk holding %1 is full (or the workspace reached its size limit). The change was not "
                                                          "saved; everything saved before is intact. Free some space and try again.")
                                                  .arg(path));
    case 26: // SQLITE_NOTADB
        return StoreError(StoreProblem::NotWorkspace, QObject::tr("%1 is not a Strata workspace (it is not an SQLite database).").arg(path));
    case 11: // SQLITE_CORRUPT
        return StoreError(StoreProblem::Corrupt, QObject::tr("The workspace %1 is damaged (%2). Open a saved copy instead.").arg(path, detail));
    case 18: // SQLITE_TOOBIG
        return StoreError(StoreProblem::Other,
                          QObject::tr("%1 holds a value larger than Strata accepts from a file (%2); nothing was read from it.").arg(path, detail));
    case 14: // SQLITE_CANTOPEN
        return StoreError(StoreProblem::Missing, QObject::tr("The workspace %1 cannot be opened (%2).").arg(path, detail));
    default:
        return StoreError(StoreProblem::Other, QObject::tr("Workspace %1: %2").arg(path, detail));
    }
}

// One statement with positional bindings; throws StoreError on failure.
QSqlQuery sql(const QString &connection, const QString &path, const QString &statement, const QVariantList &binds)
{
    QSqlQuery q(QSqlDatabase::database(connection, false));
    q.setForwardOnly(true);
    if (!q.prepare(statement))
        throw errorFor(path, q.lastError());
    for (const QVariant &b : binds) {
        // A null QString would bind as SQL NULL; text columns are NOT NULL, empty means empty.
        if (b.typeId() == QMetaType::QString && b.toString().isNull())
            q.addBindValue(QStringLiteral(""));
        else
            q.addBindValue(b);
    }
    if (!q.exec())
        throw errorFor(path, q.lastError());
    return q;
}

} // namespace workspace_sql

using namespace workspace_sql;

namespace {

// Schema, one step per version. Version 1 is the first released schema; never edit a step that
// has shipped, add one.
const char *const kSchemaV1[] = {
    "CREATE TABLE sessions(id INTEGER PRIMARY KEY, name TEXT NOT NULL, description TEXT NOT NULL DEFAULT '', created TEXT NOT NULL, modified TEXT NOT NULL)",
    "CREATE TABLE runs(id INTEGER PRIMARY KEY, session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE, model_location TEXT NOT NULL, "
    "model_name TEXT NOT NULL DEFAULT '', model_family TEXT NOT NULL DEFAULT '', fingerprint TEXT NOT NULL DEFAULT '', prompt TEXT NOT NULL, "
    "settings TEXT NOT NULL DEFAULT '{}', created TEXT NOT NULL, duration_ms REAL NOT NULL DEFAULT 0, token_count INTEGER NOT NULL DEFAULT 0)",
    "CREATE INDEX runs_by_session ON runs(session_id)",
    "CREATE TABLE traces(run_id INTEGER PRIMARY KEY REFERENCES runs(id) ON DELETE CASCADE, bytes INTEGER NOT NULL, data BLOB NOT NULL)",
    ("CREATE TABLE annotations(id INTEGER PRIMARY KEY, run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE, layer INTEGER, head INTEGER, "
     "token_begin INTEGER, token_end INTEGER, text TEXT NOT NULL, created TEXT NOT NULL, modified TEXT NOT NULL)"),
    "CREATE INDEX annotations_by_run ON annotations(run_id)",
};
const char *const kSchemaV2[] = {
    "ALTER TABLE sessions ADD COLUMN deleted INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE runs ADD COLUMN deleted INTEGER NOT NULL DEFAULT 0",
    "CREATE TABLE tags(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE)",
    "CREATE TABLE run_tags(run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE, tag_id INTEGER NOT NULL REFERENCES tags(id) ON DELETE CASCADE, "
    "PRIMARY KEY(run_id, tag_id))",
    "CREATE TABLE bookmarks(id INTEGER PRIMARY KEY, run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE, layer INTEGER NOT NULL, "
    "head INTEGER NOT NULL, note TEXT NOT NULL DEFAULT '')",
    "CREATE TABLE comparisons(id INTEGER PRIMARY KEY, session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE, "
    "run_a INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE, run_b INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE, "
    "name TEXT NOT NULL DEFAULT '', notes TEXT NOT NULL DEFAULT '', settings TEXT NOT NULL DEFAULT '{}', created TEXT NOT NULL)",
    "CREATE TABLE results(id INTEGER PRIMARY KEY, session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE, kind TEXT NOT NULL, "
    "name TEXT NOT NULL DEFAULT '', model_fingerprint TEXT NOT NULL DEFAULT '', data TEXT NOT NULL, created TEXT NOT NULL)",
    "CREATE INDEX results_by_session ON results(session_id, kind)",
};

} // namespace

Workspace::Workspace(const QString &path, QObject *parent) : Workspace(path, Options{}, parent) {}

Workspace::Workspace(const QString &path, const Options &options, QObject *parent)
    : QObject(parent)
    , m_path(QFileInfo(path).absoluteFilePath())
    , m_connection(QStringLiteral("strata-workspace-%1").arg(g_connectionCounter.fetchAndAddRelaxed(1)))
{
    try {
        openConnection(options);
    } catch (...) {
        QSqlDatabase::database(m_connection, false).close();
        QSqlDatabase::removeDatabase(m_connection);
        throw;
    }
}

Workspace::~Workspace()
{
    {
        QSqlDatabase db = QSqlDatabase::database(m_connection, false);
        db.close();
    }
    QSqlDatabase::removeDatabase(m_connection);
}

void Workspace::openConnection(const Options &options)
{
    const QFileInfo fi(m_path);
    const bool exists = fi.exists();
    if (exists && !fi.isFile())
        throw StoreError(StoreProblem::NotWorkspace, tr("%1 is not a Strata workspace (it is not a file).").arg(m_path));
    m_readOnly = options.readOnly;
    if (exists && fi.size() > 0) {
        QFile f(m_path);
        if (!f.open(QIODevice::ReadOnly))
            throw StoreError(StoreProblem::Missing, tr("The workspace %1 cannot be read: %2.").arg(m_path, f.errorString()));
        if (f.read(16) != QByteArray("SQLite format 3\0", 16))
            throw StoreError(StoreProblem::NotWorkspace, tr("%1 is not a Strata workspace (it is not an SQLite database).").arg(m_path));
        f.close();
        if (!m_readOnly && !f.open(QIODevice::ReadWrite))
            m_readOnly = true; // permissions: show it, change nothing
    } else if (!exists && !QFileInfo(fi.absolutePath()).isDir()) {
        throw StoreError(StoreProblem::Missing, tr("The folder of %1 does not exist.").arg(m_path));
    } else if (!exists && m_readOnly) {
        throw StoreError(StoreProblem::Missing, tr("The workspace %1 does not exist.").arg(m_path));
    }

    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_connection);
    db.setDatabaseName(m_path);
    if (m_readOnly)
        db.setConnectOptions(QStringLiteral("QSQLITE_OPEN_READONLY"));
    if (!db.open())
        throw errorFor(m_path, db.lastError());
    auto exec = [this](const QString &statement) { return sql(m_connection, m_path, statement); };
    if (options.untrusted)
        hardenAgainstHostileSchema(options);
    exec(QStringLiteral("PRAGMA busy_timeout = %1").arg(options.busyTimeoutMs));
    exec(QStringLiteral("PRAGMA foreign_keys = ON"));

    QSqlQuery q;
    try {
        q = exec(QStringLiteral("PRAGMA application_id"));
    } catch (const StoreError &e) {
        if (!m_readOnly || e.problem() != StoreProblem::ReadOnly)
            throw;
        // A WAL workspace in a folder we cannot write: SQLite cannot create its shared-memory
        // file. Nobody can change a file we may not write either, so read it as immutable.
        q = QSqlQuery();
        db.close();
        QUrl url = QUrl::fromLocalFile(m_path);
        url.setScheme(QStringLiteral("file"));
        url.setQuery(QStringLiteral("immutable=1"));
        db.setDatabaseName(url.toString());
        db.setConnectOptions(QStringLiteral("QSQLITE_OPEN_READONLY;QSQLITE_OPEN_URI"));
        if (!db.open())
            throw errorFor(m_path, db.lastError());
        exec(QStringLiteral("PRAGMA foreign_keys = ON"));
        q = exec(QStringLiteral("PRAGMA application_id"));
    }
    const quint32 appId = q.next() ? quint32(q.value(0).toLongLong()) : 0;
    q = exec(QStringLiteral("PRAGMA user_version"));
    const int version = q.next() ? q.value(0).toInt() : 0;
    q = exec(QStringLiteral("SELECT count(*) FROM sqlite_schema"));
    const int objects = q.next() ? q.value(0).toInt() : 0;
    q = QSqlQuery();

    if (appId != kApplicationId && objects > 0)
        throw StoreError(StoreProblem::NotWorkspace, tr("%1 is an SQLite database, but not a Strata workspace.").arg(m_path));
    if (version > kSchemaVersion)
        throw StoreError(StoreProblem::NewerSchema, tr("%1 was written by a newer Strata (workspace version %2; this Strata reads up to version %3). "
                                                       "Nothing was changed; update Strata to open it.")
                                                        .arg(m_path)
                                                        .arg(version)
                                                        .arg(kSchemaVersion));
    const int target = std::clamp(options.schemaVersion, 1, kSchemaVersion);
    if (version < target) {
        if (m_readOnly)
            throw StoreError(StoreProblem::ReadOnly, tr("%1 was written by an older Strata and needs upgrading, but it is read-only. "
                                                        "Copy it somewhere writable and open the copy.")
                                                         .arg(m_path));
        if (version == 0)
            exec(QStringLiteral("PRAGMA journal_mode = WAL"));
        migrate(version, target);
    }
    if (!m_readOnly) {
        exec(QStringLiteral("PRAGMA journal_mode = WAL"));
        exec(QStringLiteral("PRAGMA synchronous = FULL"));
        if (options.purgeDeleted && target >= 2)
            purge();
    }
    changedElsewhere();
}

namespace {
// Every schema object any version of Strata creates: (type, name, SQL text as SQLite stores it).
const std::set<std::tuple<QString, QString, QString>> &stratasSchemaObjects()
{
    static const std::set<std::tuple<QString, QString, QString>> objects = [] {
        std::set<std::tuple<QString, QString, QString>> out;
        const QString name = QStringLiteral("strata-schema-reference");
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
            db.setDatabaseName(QStringLiteral(":memory:"));
            if (db.open()) {
                QSqlQuery q(db);
                auto record = [&] {
                    QSqlQuery r(QStringLiteral("SELECT type, name, sql FROM sqlite_schema"), db);
                    while (r.next())
                        out.insert({r.value(0).toString(), r.value(1).toString(), r.value(2).toString()});
                };
                for (const char *s : kSchemaV1)
                    q.exec(QString::fromLatin1(s));
                record();
                for (const char *s : kSchemaV2)
                    q.exec(QString::fromLatin1(s));
                record();
            }
            db.close();
        }
        QSqlDatabase::removeDatabase(name);
        return out;
    }();
    return objects;
}
} // namespace

void Workspace::hardenAgainstHostileSchema(const Options &options)
{
    QSqlDatabase db = QSqlDatabase::database(m_connection, false);
    const QVariant handle = db.driver()->handle();
    sqlite3 *h = handle.isValid() && qstrcmp(handle.typeName(), "sqlite3*") == 0 ? *static_cast<sqlite3 *const *>(handle.constData()) : nullptr;
    if (!h)
        throw StoreError(StoreProblem::Other, tr("%1 cannot be opened safely (no SQLite handle); it was not imported.").arg(m_path));
    int on = 0;
    sqlite3_db_config(h, SQLITE_DBCONFIG_DEFENSIVE, 1, &on);
    sqlite3_db_config(h, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, nullptr);
    sqlite3_db_config(h, SQLITE_DBCONFIG_ENABLE_TRIGGER, 0, nullptr);
    sqlite3_db_config(h, SQLITE_DBCONFIG_ENABLE_VIEW, 0, nullptr);
    sqlite3_limit(h, SQLITE_LIMIT_LENGTH, int(std::clamp<qint64>(options.maxValueBytes, 1024, 1 << 30)));
    if (!on)
        throw StoreError(StoreProblem::Other, tr("%1 cannot be opened safely (SQLite's defensive mode is not available); it was not imported.").arg(m_path));
    QSqlQuery q = sql(m_connection, m_path, QStringLiteral("SELECT type, name, sql FROM sqlite_schema"));
    const auto &known = stratasSchemaObjects();
    while (q.next()) {
        const QString type = q.value(0).toString(), name = q.value(1).toString(), text = q.value(2).toString();
        if (type == QLatin1String("index") && name.startsWith(QLatin1String("sqlite_autoindex_")) && text.isEmpty())
            continue; // SQLite's own index of a UNIQUE or PRIMARY KEY constraint
        if (!known.count({type, name, text}))
            throw StoreError(StoreProblem::NotWorkspace, tr("%1 is not a Strata file as Strata writes it: it holds %2 '%3', which Strata never creates. "
                                                            "Nothing was imported.")
                                                             .arg(m_path, type, name.left(80)));
    }
}

void Workspace::migrate(int from, int to)
{
    transaction([&] {
        for (int v = from + 1; v <= to; ++v) {
            const char *const *begin = v == 1 ? std::begin(kSchemaV1) : std::begin(kSchemaV2);
            const char *const *end = v == 1 ? std::end(kSchemaV1) : std::end(kSchemaV2);
            for (auto s = begin; s != end; ++s)
                sql(m_connection, m_path, QString::fromLatin1(*s));
            sql(m_connection, m_path, QStringLiteral("PRAGMA user_version = %1").arg(v));
        }
        sql(m_connection, m_path, QStringLiteral("PRAGMA application_id = %1").arg(kApplicationId));
    });
}

void Workspace::purge()
{
    QSqlQuery q =
        sql(m_connection, m_path, QStringLiteral("SELECT EXISTS(SELECT 1 FROM runs WHERE deleted = 1) OR EXISTS(SELECT 1 FROM sessions WHERE deleted = 1)"));
    if (!q.next() || !q.value(0).toBool())
        return;
    q = QSqlQuery();
    try {
        transaction([&] {
            sql(m_connection, m_path, QStringLiteral("DELETE FROM runs WHERE deleted = 1"));
            sql(m_connection, m_path, QStringLiteral("DELETE FROM sessions WHERE deleted = 1"));
            sql(m_connection, m_path, QStringLiteral("DELETE FROM tags WHERE id NOT IN (SELECT tag_id FROM run_tags)"));
        });
    } catch (const StoreError &e) {
        if (e.problem() != StoreProblem::Locked)
            throw;
        // Another Strata is writing: tidy up next time.
    }
}

void Workspace::transaction(const std::function<void()> &fn)
{
    requireWritable();
    if (m_transactionDepth > 0) {
        fn();
        return;
    }
    sql(m_connection, m_path, QStringLiteral("BEGIN IMMEDIATE"));
    ++m_transactionDepth;
    try {
        fn();
        sql(m_connection, m_path, QStringLiteral("COMMIT"));
        --m_transactionDepth;
    } catch (...) {
        --m_transactionDepth;
        QSqlQuery(QSqlDatabase::database(m_connection, false)).exec(QStringLiteral("ROLLBACK"));
        throw;
    }
    Q_EMIT changed();
}

void Workspace::requireWritable() const
{
    if (m_readOnly)
        throw StoreError(StoreProblem::ReadOnly, tr("The workspace %1 is open read-only: it can be looked at but not changed. "
                                                    "Save a copy to work on it.")
                                                     .arg(m_path));
}

int Workspace::schemaVersion() const
{
    QSqlQuery q = sql(m_connection, m_path, QStringLiteral("PRAGMA user_version"));
    return q.next() ? q.value(0).toInt() : 0;
}

QString Workspace::integrityCheck() const
{
    QSqlQuery q = sql(m_connection, m_path, QStringLiteral("PRAGMA integrity_check"));
    QStringList lines;
    while (q.next())
        lines << q.value(0).toString();
    return lines.join(QLatin1Char('\n'));
}

bool Workspace::changedElsewhere()
{
    QSqlQuery q = sql(m_connection, m_path, QStringLiteral("PRAGMA data_version"));
    const qint64 v = q.next() ? q.value(0).toLongLong() : 0;
    const bool changedNow = m_dataVersion >= 0 && v != m_dataVersion;
    m_dataVersion = v;
    return changedNow;
}

void Workspace::saveCopy(const QString &file) const
{
    const QString target = QFileInfo(file).absoluteFilePath();
    if (target == m_path)
        throw StoreError(StoreProblem::Other, tr("A copy cannot replace the workspace it is made from."));
    const QString part = target + QStringLiteral(".part");
    QFile::remove(part);
    try {
        sql(m_connection, m_path, QStringLiteral("VACUUM INTO ?"), {part});
    } catch (const StoreError &e) {
        QFile::remove(part);
        throw StoreError(e.problem(), tr("Could not save a copy to %1: %2").arg(target, e.message()));
    }
    QFile::remove(target);
    if (!QFile::rename(part, target)) {
        QFile::remove(part);
        throw StoreError(StoreProblem::Other, tr("Could not save a copy to %1 (renaming the finished file failed).").arg(target));
    }
}

void Workspace::setMaxPageCount(qint64 pages)
{
    sql(m_connection, m_path, QStringLiteral("PRAGMA max_page_count = %1").arg(pages));
}

// ---- sessions ---------------------------------------------------------------------------------

QList<SessionRecord> Workspace::sessions() const
{
    QSqlQuery q = sql(m_connection, m_path,
                      QStringLiteral("SELECT s.id, s.name, s.description, s.created, s.modified, "
                                     "(SELECT count(*) FROM runs r WHERE r.session_id = s.id AND r.deleted = 0) "
                                     "FROM sessions s WHERE s.deleted = 0 ORDER BY s.created, s.id"));
    QList<SessionRecord> out;
    while (q.next())
        out.append(SessionRecord{q.value(0).toLongLong(), q.value(1).toString(), q.value(2).toString(), fromText(q.value(3)), fromText(q.value(4)),
                                 q.value(5).toInt()});
    return out;
}

SessionRecord Workspace::session(qint64 id) const
{
    QSqlQuery q = sql(m_connection, m_path,
                      QStringLiteral("SELECT s.id, s.name, s.description, s.created, s.modified, "
                                     "(SELECT count(*) FROM runs r WHERE r.session_id = s.id AND r.deleted = 0) FROM sessions s WHERE s.id = ?"),
                      {id});
    if (!q.next())
        throw StoreError(StoreProblem::Other, tr("Session %1 is not in the workspace %2.").arg(id).arg(m_path));
    return SessionRecord{q.value(0).toLongLong(), q.value(1).toString(), q.value(2).toString(), fromText(q.value(3)), fromText(q.value(4)), q.value(5).toInt()};
}

QString Workspace::uniqueSessionName(const QString &wanted) const
{
    QSet<QString> taken;
    QSqlQuery q = sql(m_connection, m_path, QStringLiteral("SELECT name FROM sessions WHERE deleted = 0"));
    while (q.next())
        taken.insert(q.value(0).toString());
    if (!taken.contains(wanted))
        return wanted;
    for (int i = 2;; ++i) {
        const QString n = QStringLiteral("%1 (%2)").arg(wanted).arg(i);
        if (!taken.contains(n))
            return n;
    }
}

qint64 Workspace::createSession(const QString &name, const QString &description)
{
    qint64 id = 0;
    transaction([&] {
        const QString now = nowText();
        id = sql(m_connection, m_path, QStringLiteral("INSERT INTO sessions(name, description, created, modified) VALUES(?, ?, ?, ?)"),
                 {name, description, now, now})
                 .lastInsertId()
                 .toLongLong();
    });
    return id;
}

void Workspace::renameSession(qint64 id, const QString &name)
{
    transaction([&] { sql(m_connection, m_path, QStringLiteral("UPDATE sessions SET name = ?, modified = ? WHERE id = ?"), {name, nowText(), id}); });
}

void Workspace::setSessionDescription(qint64 id, const QString &text)
{
    transaction([&] { sql(m_connection, m_path, QStringLiteral("UPDATE sessions SET description = ?, modified = ? WHERE id = ?"), {text, nowText(), id}); });
}

qint64 Workspace::duplicateSession(qint64 id, const QString &newName)
{
    qint64 copy = 0;
    transaction([&] { copy = copySessionInto(*this, id, newName); });
    return copy;
}

void Workspace::setSessionDeleted(qint64 id, bool deleted)
{
    transaction([&] { sql(m_connection, m_path, QStringLiteral("UPDATE sessions SET deleted = ? WHERE id = ?"), {deleted ? 1 : 0, id}); });
}

// ---- copying sessions (duplicate, export, import) ---------------------------------------------

qint64 Workspace::copySessionInto(Workspace &target, qint64 sessionId, const QString &name) const
{
    const SessionRecord s = session(sessionId);
    qint64 newSession = 0;
    target.transaction([&] {
        const QString now = nowText();
        newSession = sql(target.m_connection, target.m_path, QStringLiteral("INSERT INTO sessions(name, description, created, modified) VALUES(?, ?, ?, ?)"),
                         {name, s.description, s.created.toString(Qt::ISODateWithMs), now})
                         .lastInsertId()
                         .toLongLong();
        QHash<qint64, qint64> runMap;
        for (RunRecord r : runs(sessionId)) {
            const qint64 oldId = r.id;
            r.sessionId = newSession;
            const qint64 id = target.addRun(r, loadTraceBlob(oldId));
            runMap.insert(oldId, id);
            for (AnnotationRecord a : annotations(oldId)) {
                a.id = 0;
                a.runId = id;
                target.addAnnotation(a);
            }
            for (BookmarkRecord b : bookmarks(oldId)) {
                b.runId = id;
                target.addBookmark(b);
            }
        }
        for (ComparisonRecord c : comparisons(sessionId)) {
            if (!runMap.contains(c.runA) || !runMap.contains(c.runB))
                continue;
            c.sessionId = newSession;
            c.runA = runMap.value(c.runA);
            c.runB = runMap.value(c.runB);
            target.addComparison(c);
        }
        for (ResultRecord r : results(sessionId)) {
            r.sessionId = newSession;
            target.addResult(r);
        }
    });
    return newSession;
}

void Workspace::exportSession(qint64 sessionId, const QString &file) const
{
    const QString target = QFileInfo(file).absoluteFilePath();
    if (target == m_path)
        throw StoreError(StoreProblem::Other, tr("A session cannot be exported over the workspace it comes from."));
    const QString part = target + QStringLiteral(".part");
    auto removePart = [&part] {
        for (const QString &suffix : {QString(), QStringLiteral("-wal"), QStringLiteral("-shm")})
            QFile::remove(part + suffix);
    };
    removePart();
    try {
        Workspace out(part);
        out.setTraceBudget(std::numeric_limits<qint64>::max());
        copySessionInto(out, sessionId, session(sessionId).name);
        // One self-contained file to send: no -wal beside it.
        sql(out.m_connection, out.m_path, QStringLiteral("PRAGMA journal_mode = DELETE"));
    } catch (const StoreError &e) {
        removePart();
        throw StoreError(e.problem(), tr("Could not export the session to %1: %2").arg(target, e.message()));
    }
    QFile::remove(target);
    if (!QFile::rename(part, target))
        throw StoreError(StoreProblem::Other, tr("Could not export the session to %1 (renaming the finished file failed).").arg(target));
}

qint64 Workspace::importSession(const QString &file)
{
    requireWritable();
    if (!QFileInfo::exists(file))
        throw StoreError(StoreProblem::Missing, tr("%1 does not exist.").arg(file));
    // Work on a private copy: the file given may be read-only, in use, or of an older schema,
    // and importing must not change it.
    QTemporaryDir tmp;
    const QString copy = tmp.filePath(QStringLiteral("import.strata"));
    if (!tmp.isValid() || !QFile::copy(file, copy))
        throw StoreError(StoreProblem::Other, tr("Could not read %1 to import it.").arg(file));
    QFile(copy).setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    // Commits still in the source's write-ahead log belong to it too.
    if (QFileInfo::exists(file + QStringLiteral("-wal")))
        QFile::copy(file + QStringLiteral("-wal"), copy + QStringLiteral("-wal"));
    qint64 first = 0;
    {
        Options untrusted;
        untrusted.untrusted = true;
        untrusted.maxValueBytes = m_importValueLimit;
        untrusted.purgeDeleted = false; // read only what Strata's own queries select; change nothing in it
        Workspace src(copy, untrusted);
        const QList<SessionRecord> list = src.sessions();
        if (list.isEmpty())
            throw StoreError(StoreProblem::Other, tr("%1 holds no session to import.").arg(file));
        transaction([&] {
            for (const SessionRecord &s : list) {
                const qint64 id = src.copySessionInto(*this, s.id, uniqueSessionName(s.name));
                if (!first)
                    first = id;
            }
        });
    }
    return first;
}

} // namespace strata
