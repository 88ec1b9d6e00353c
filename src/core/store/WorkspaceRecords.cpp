// Workspace's records inside a session: runs with their traces and tags, annotations, bookmarks,
// saved comparisons and results. Sessions, the connection, the schema and copying sessions are in
// Workspace.cpp; both use the statement helpers of WorkspaceSql.h.
#include "Workspace.h"

#include "TraceCodec.h"
#include "WorkspaceSql.h"

#include <QSqlQuery>
#include <QVariant>

namespace strata {

using namespace workspace_sql;

// ---- runs -------------------------------------------------------------------------------------

namespace {
const char *const kRunColumns = "r.id, r.session_id, r.model_location, r.model_name, r.model_family, r.fingerprint, r.prompt, r.settings, r.created, "
                                "r.duration_ms, r.token_count, coalesce(t.bytes, 0), "
                                "(SELECT group_concat(g.name, char(31)) FROM run_tags rt JOIN tags g ON g.id = rt.tag_id WHERE rt.run_id = r.id)";

RunRecord runFrom(const QSqlQuery &q)
{
    RunRecord r;
    r.id = q.value(0).toLongLong();
    r.sessionId = q.value(1).toLongLong();
    r.modelLocation = q.value(2).toString();
    r.modelName = q.value(3).toString();
    r.modelFamily = q.value(4).toString();
    r.fingerprint = q.value(5).toString();
    r.prompt = q.value(6).toString();
    r.settings = jsonObject(q.value(7));
    r.created = fromText(q.value(8));
    r.durationMs = q.value(9).toDouble();
    r.tokenCount = q.value(10).toInt();
    r.traceBytes = q.value(11).toLongLong();
    r.tags = q.value(12).toString().split(QChar(31), Qt::SkipEmptyParts);
    r.tags.sort(Qt::CaseInsensitive);
    return r;
}
} // namespace

QList<RunRecord> Workspace::runs(qint64 sessionId) const
{
    QSqlQuery q = sql(m_connection, m_path,
                      QStringLiteral("SELECT %1 FROM runs r LEFT JOIN traces t ON t.run_id = r.id WHERE r.session_id = ? AND r.deleted = 0 "
                                     "ORDER BY r.created, r.id")
                          .arg(QLatin1String(kRunColumns)),
                      {sessionId});
    QList<RunRecord> out;
    while (q.next())
        out.append(runFrom(q));
    return out;
}

RunRecord Workspace::run(qint64 id) const
{
    QSqlQuery q = sql(m_connection, m_path,
                      QStringLiteral("SELECT %1 FROM runs r LEFT JOIN traces t ON t.run_id = r.id WHERE r.id = ?").arg(QLatin1String(kRunColumns)), {id});
    if (!q.next())
        throw StoreError(StoreProblem::Other, tr("Run %1 is not in the workspace %2.").arg(id).arg(m_path));
    return runFrom(q);
}

qint64 Workspace::addRun(const RunRecord &r, const QByteArray &encodedTrace)
{
    qint64 id = 0;
    transaction([&] {
        id = sql(m_connection, m_path,
                 QStringLiteral("INSERT INTO runs(session_id, model_location, model_name, model_family, fingerprint, prompt, settings, created, "
                                "duration_ms, token_count) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"),
                 {r.sessionId, r.modelLocation, r.modelName, r.modelFamily, r.fingerprint, r.prompt, jsonText(r.settings),
                  r.created.isValid() ? r.created.toUTC().toString(Qt::ISODateWithMs) : nowText(), r.durationMs, r.tokenCount})
                 .lastInsertId()
                 .toLongLong();
        sql(m_connection, m_path, QStringLiteral("UPDATE sessions SET modified = ? WHERE id = ?"), {nowText(), r.sessionId});
        if (!r.tags.isEmpty())
            setRunTags(id, r.tags);
        if (!encodedTrace.isEmpty())
            storeTrace(id, encodedTrace);
    });
    return id;
}

void Workspace::storeTrace(qint64 runId, const QByteArray &encodedTrace)
{
    if (encodedTrace.size() > m_traceBudget)
        return; // larger than the whole budget: keep the run, recompute its trace when opened
    transaction([&] {
        sql(m_connection, m_path, QStringLiteral("INSERT OR REPLACE INTO traces(run_id, bytes, data) VALUES(?, ?, ?)"),
            {runId, qint64(encodedTrace.size()), encodedTrace});
        evictTraces(runId);
    });
}

void Workspace::evictTraces(qint64 keepRunId)
{
    qint64 total = storedTraceBytes();
    if (total <= m_traceBudget)
        return;
    QSqlQuery q =
        sql(m_connection, m_path,
            QStringLiteral("SELECT t.run_id, t.bytes FROM traces t JOIN runs r ON r.id = t.run_id WHERE t.run_id <> ? ORDER BY r.created, r.id"), {keepRunId});
    QList<qint64> drop;
    while (total > m_traceBudget && q.next()) {
        drop << q.value(0).toLongLong();
        total -= q.value(1).toLongLong();
    }
    q = QSqlQuery();
    for (qint64 id : drop)
        sql(m_connection, m_path, QStringLiteral("DELETE FROM traces WHERE run_id = ?"), {id});
}

qint64 Workspace::storedTraceBytes() const
{
    QSqlQuery q = sql(m_connection, m_path, QStringLiteral("SELECT coalesce(sum(bytes), 0) FROM traces"));
    return q.next() ? q.value(0).toLongLong() : 0;
}

QByteArray Workspace::loadTraceBlob(qint64 runId) const
{
    QSqlQuery q = sql(m_connection, m_path, QStringLiteral("SELECT data FROM traces WHERE run_id = ?"), {runId});
    return q.next() ? q.value(0).toByteArray() : QByteArray();
}

TracePtr Workspace::loadTrace(qint64 runId) const
{
    const QByteArray blob = loadTraceBlob(runId);
    return blob.isEmpty() ? nullptr : TraceCodec::decode(blob);
}

void Workspace::moveRun(qint64 runId, qint64 sessionId)
{
    transaction([&] {
        sql(m_connection, m_path, QStringLiteral("UPDATE runs SET session_id = ? WHERE id = ?"), {sessionId, runId});
        sql(m_connection, m_path, QStringLiteral("UPDATE sessions SET modified = ? WHERE id = ?"), {nowText(), sessionId});
    });
}

void Workspace::setRunDeleted(qint64 runId, bool deleted)
{
    transaction([&] { sql(m_connection, m_path, QStringLiteral("UPDATE runs SET deleted = ? WHERE id = ?"), {deleted ? 1 : 0, runId}); });
}

void Workspace::setRunTags(qint64 runId, const QStringList &tags)
{
    transaction([&] {
        sql(m_connection, m_path, QStringLiteral("DELETE FROM run_tags WHERE run_id = ?"), {runId});
        for (const QString &raw : tags) {
            const QString tag = raw.trimmed();
            if (tag.isEmpty())
                continue;
            sql(m_connection, m_path, QStringLiteral("INSERT OR IGNORE INTO tags(name) VALUES(?)"), {tag});
            sql(m_connection, m_path, QStringLiteral("INSERT OR IGNORE INTO run_tags(run_id, tag_id) SELECT ?, id FROM tags WHERE name = ?"), {runId, tag});
        }
    });
}

QStringList Workspace::allTags() const
{
    QSqlQuery q = sql(m_connection, m_path,
                      QStringLiteral("SELECT DISTINCT g.name FROM tags g JOIN run_tags rt ON rt.tag_id = g.id JOIN runs r ON r.id = rt.run_id "
                                     "WHERE r.deleted = 0 ORDER BY g.name COLLATE NOCASE"));
    QStringList out;
    while (q.next())
        out << q.value(0).toString();
    return out;
}

QStringList Workspace::allModels() const
{
    QSqlQuery q = sql(m_connection, m_path, QStringLiteral("SELECT DISTINCT model_name FROM runs WHERE deleted = 0 ORDER BY model_name COLLATE NOCASE"));
    QStringList out;
    while (q.next())
        out << q.value(0).toString();
    return out;
}

// ---- annotations, bookmarks, comparisons, results ---------------------------------------------

QList<AnnotationRecord> Workspace::annotations(qint64 runId) const
{
    QSqlQuery q = sql(m_connection, m_path,
                      QStringLiteral("SELECT id, run_id, layer, head, token_begin, token_end, text, created, modified FROM annotations WHERE run_id = ? "
                                     "ORDER BY created, id"),
                      {runId});
    QList<AnnotationRecord> out;
    while (q.next())
        out.append(AnnotationRecord{q.value(0).toLongLong(), q.value(1).toLongLong(), orMinusOne(q.value(2)), orMinusOne(q.value(3)), orMinusOne(q.value(4)),
                                    orMinusOne(q.value(5)), q.value(6).toString(), fromText(q.value(7)), fromText(q.value(8))});
    return out;
}

QHash<qint64, QString> Workspace::noteTextByRun() const
{
    QSqlQuery q = sql(m_connection, m_path, QStringLiteral("SELECT run_id, group_concat(text, char(10)) FROM annotations GROUP BY run_id"));
    QHash<qint64, QString> out;
    while (q.next())
        out.insert(q.value(0).toLongLong(), q.value(1).toString());
    return out;
}

qint64 Workspace::addAnnotation(const AnnotationRecord &a)
{
    qint64 id = 0;
    transaction([&] {
        const QString created = a.created.isValid() ? a.created.toUTC().toString(Qt::ISODateWithMs) : nowText();
        id = sql(m_connection, m_path,
                 QStringLiteral("INSERT INTO annotations(id, run_id, layer, head, token_begin, token_end, text, created, modified) "
                                "VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?)"),
                 {a.id > 0 ? QVariant(a.id) : QVariant(QMetaType(QMetaType::LongLong)), a.runId, nullable(a.layer), nullable(a.head), nullable(a.tokenBegin),
                  nullable(a.tokenEnd), a.text, created, nowText()})
                 .lastInsertId()
                 .toLongLong();
    });
    return id;
}

void Workspace::updateAnnotation(const AnnotationRecord &a)
{
    transaction([&] {
        sql(m_connection, m_path,
            QStringLiteral("UPDATE annotations SET layer = ?, head = ?, token_begin = ?, token_end = ?, text = ?, modified = ? WHERE id = ?"),
            {nullable(a.layer), nullable(a.head), nullable(a.tokenBegin), nullable(a.tokenEnd), a.text, nowText(), a.id});
    });
}

void Workspace::deleteAnnotation(qint64 id)
{
    transaction([&] { sql(m_connection, m_path, QStringLiteral("DELETE FROM annotations WHERE id = ?"), {id}); });
}

QList<BookmarkRecord> Workspace::bookmarks(qint64 runId) const
{
    QSqlQuery q =
        sql(m_connection, m_path, QStringLiteral("SELECT id, run_id, layer, head, note FROM bookmarks WHERE run_id = ? ORDER BY layer, head"), {runId});
    QList<BookmarkRecord> out;
    while (q.next())
        out.append(BookmarkRecord{q.value(0).toLongLong(), q.value(1).toLongLong(), q.value(2).toInt(), q.value(3).toInt(), q.value(4).toString()});
    return out;
}

qint64 Workspace::addBookmark(const BookmarkRecord &b)
{
    qint64 id = 0;
    transaction([&] {
        id =
            sql(m_connection, m_path, QStringLiteral("INSERT INTO bookmarks(run_id, layer, head, note) VALUES(?, ?, ?, ?)"), {b.runId, b.layer, b.head, b.note})
                .lastInsertId()
                .toLongLong();
    });
    return id;
}

void Workspace::deleteBookmark(qint64 id)
{
    transaction([&] { sql(m_connection, m_path, QStringLiteral("DELETE FROM bookmarks WHERE id = ?"), {id}); });
}

QList<ComparisonRecord> Workspace::comparisons(qint64 sessionId) const
{
    QSqlQuery q = sql(m_connection, m_path,
                      QStringLiteral("SELECT id, session_id, run_a, run_b, name, notes, settings, created FROM comparisons WHERE session_id = ? "
                                     "ORDER BY created, id"),
                      {sessionId});
    QList<ComparisonRecord> out;
    while (q.next())
        out.append(ComparisonRecord{q.value(0).toLongLong(), q.value(1).toLongLong(), q.value(2).toLongLong(), q.value(3).toLongLong(), q.value(4).toString(),
                                    q.value(5).toString(), jsonObject(q.value(6)), fromText(q.value(7))});
    return out;
}

qint64 Workspace::addComparison(const ComparisonRecord &c)
{
    qint64 id = 0;
    transaction([&] {
        id = sql(m_connection, m_path,
                 QStringLiteral("INSERT INTO comparisons(session_id, run_a, run_b, name, notes, settings, created) VALUES(?, ?, ?, ?, ?, ?, ?)"),
                 {c.sessionId, c.runA, c.runB, c.name, c.notes, jsonText(c.settings), nowText()})
                 .lastInsertId()
                 .toLongLong();
    });
    return id;
}

void Workspace::updateComparisonNotes(qint64 id, const QString &notes)
{
    transaction([&] { sql(m_connection, m_path, QStringLiteral("UPDATE comparisons SET notes = ? WHERE id = ?"), {notes, id}); });
}

void Workspace::deleteComparison(qint64 id)
{
    transaction([&] { sql(m_connection, m_path, QStringLiteral("DELETE FROM comparisons WHERE id = ?"), {id}); });
}

QList<ResultRecord> Workspace::results(qint64 sessionId, const QString &kind) const
{
    QSqlQuery q = sql(m_connection, m_path,
                      QStringLiteral("SELECT id, session_id, kind, name, model_fingerprint, data, created FROM results WHERE session_id = ? "
                                     "AND (? = '' OR kind = ?) ORDER BY created, id"),
                      {sessionId, kind, kind});
    QList<ResultRecord> out;
    while (q.next())
        out.append(ResultRecord{q.value(0).toLongLong(), q.value(1).toLongLong(), q.value(2).toString(), q.value(3).toString(), q.value(4).toString(),
                                jsonObject(q.value(5)), fromText(q.value(6))});
    return out;
}

int Workspace::resultCount(qint64 sessionId, const QString &kind) const
{
    QSqlQuery q = sql(m_connection, m_path, QStringLiteral("SELECT count(*) FROM results WHERE session_id = ? AND kind = ?"), {sessionId, kind});
    return q.next() ? q.value(0).toInt() : 0;
}

qint64 Workspace::addResult(const ResultRecord &r)
{
    qint64 id = 0;
    transaction([&] {
        id = sql(m_connection, m_path, QStringLiteral("INSERT INTO results(session_id, kind, name, model_fingerprint, data, created) VALUES(?, ?, ?, ?, ?, ?)"),
                 {r.sessionId, r.kind, r.name, r.modelFingerprint, jsonText(r.data), nowText()})
                 .lastInsertId()
                 .toLongLong();
    });
    return id;
}

void Workspace::deleteResult(qint64 id)
{
    transaction([&] { sql(m_connection, m_path, QStringLiteral("DELETE FROM results WHERE id = ?"), {id}); });
}

} // namespace strata
