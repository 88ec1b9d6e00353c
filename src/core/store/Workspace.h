#pragma once

#include "model/Trace.h"
#include "util/Error.h"

#include <QDateTime>
#include <QHash>
#include <QJsonObject>
#include <QObject>
#include <QSqlDatabase>
#include <QStringList>

#include <functional>

namespace strata {

// What went wrong with a workspace, so that the GUI can say what to do about it.
enum class StoreProblem { Other, NotWorkspace, NewerSchema, ReadOnly, Locked, Full, Corrupt, Missing };

class StoreError : public Error
{
public:
    StoreError(StoreProblem problem, const QString &message) : Error(message), m_problem(problem) {}
    StoreProblem problem() const { return m_problem; }

private:
    StoreProblem m_problem;
};

struct SessionRecord
{
    qint64 id = 0;
    QString name;
    QString description;
    QDateTime created;
    QDateTime modified;
    int runCount = 0;
};

struct RunRecord
{
    qint64 id = 0;
    qint64 sessionId = 0;
    QString modelLocation;
    QString modelName;
    QString modelFamily;
    QString fingerprint;
    QString prompt;
    QJsonObject settings;
    QDateTime created;
    double durationMs = 0;
    int tokenCount = 0;
    qint64 traceBytes = 0; // 0: the trace was not kept
    QStringList tags;
    bool traceKept() const { return traceBytes > 0; }
};

// A note on a run, optionally anchored to a layer, a head and a token range (-1: not anchored).
struct AnnotationRecord
{
    qint64 id = 0;
    qint64 runId = 0;
    int layer = -1;
    int head = -1;
    int tokenBegin = -1;
    int tokenEnd = -1;
    QString text;
    QDateTime created;
    QDateTime modified;
};

struct BookmarkRecord
{
    qint64 id = 0;
    qint64 runId = 0;
    int layer = 0;
    int head = 0;
    QString note;
};

struct ComparisonRecord
{
    qint64 id = 0;
    qint64 sessionId = 0;
    qint64 runA = 0;
    qint64 runB = 0;
    QString name;
    QString notes;
    QJsonObject settings;
    QDateTime created;
};

// Results stored by analyses (probe results, sentence sets): a kind, a name and a JSON document.
struct ResultRecord
{
    qint64 id = 0;
    qint64 sessionId = 0;
    QString kind; // "probe", "sentence-set", ...
    QString name;
    QString modelFingerprint;
    QJsonObject data;
    QDateTime created;
};

// One workspace: one SQLite file holding sessions, runs, cached traces, annotations, tags,
// bookmarks, comparisons and analysis results. The only code in Strata that speaks SQL.
//
// WAL journal, foreign keys on, synchronous=FULL, every write in one BEGIN IMMEDIATE transaction,
// so a crash loses at most the write in flight. Another process writing at the same time makes a
// write wait up to the busy timeout and then fail with StoreProblem::Locked; nothing is half-written.
// Deleting a session or run only marks it (so that Undo can bring it back); marked rows are purged
// the next time the workspace is opened.
// A Workspace belongs to the thread that opened it.
class Workspace : public QObject
{
    Q_OBJECT
public:
    static constexpr int kSchemaVersion = 2;
    static constexpr quint32 kApplicationId = 0x53545241; // "STRA"

    struct Options
    {
        bool readOnly = false;
        int busyTimeoutMs = 4000;
        int schemaVersion = kSchemaVersion; // tests create old schemas with this; never above the current one
        bool purgeDeleted = true;
        // A file from someone else (import): SQLite's defensive mode, no triggers or views run, no
        // untrusted functions in the schema, every schema object must be one Strata itself creates,
        // and no single value may exceed maxValueBytes. Anything else is refused before any read.
        bool untrusted = false;
        qint64 maxValueBytes = qint64(512) << 20;
    };

    // Opens (creating when missing) the workspace at path. Throws StoreError.
    explicit Workspace(const QString &path, QObject *parent = nullptr);
    Workspace(const QString &path, const Options &options, QObject *parent = nullptr);
    ~Workspace() override;

    QString path() const { return m_path; }
    bool isReadOnly() const { return m_readOnly; }
    int schemaVersion() const;
    QString integrityCheck() const; // "ok" when healthy
    // True once since the last call when another connection (another Strata) committed a change.
    bool changedElsewhere();
    // Copies the whole workspace into a new file (VACUUM INTO): File > Save a copy.
    void saveCopy(const QString &file) const;
    // Disk-full simulation for tests: the database may not grow beyond pages * page size.
    void setMaxPageCount(qint64 pages);

    // Sessions
    QList<SessionRecord> sessions() const;
    SessionRecord session(qint64 id) const;
    qint64 createSession(const QString &name, const QString &description = QString());
    void renameSession(qint64 id, const QString &name);
    void setSessionDescription(qint64 id, const QString &text);
    qint64 duplicateSession(qint64 id, const QString &newName);
    void setSessionDeleted(qint64 id, bool deleted);
    QString uniqueSessionName(const QString &wanted) const;

    // Runs
    QList<RunRecord> runs(qint64 sessionId) const;
    RunRecord run(qint64 id) const;
    // encodedTrace: TraceCodec::encode output, or empty to keep only the run's description.
    qint64 addRun(const RunRecord &run, const QByteArray &encodedTrace = QByteArray());
    void moveRun(qint64 runId, qint64 sessionId);
    void setRunDeleted(qint64 runId, bool deleted);
    void setRunTags(qint64 runId, const QStringList &tags);
    QStringList allTags() const;
    QStringList allModels() const;
    // The run's stored trace, or null when it was not kept (or was evicted by the size budget).
    TracePtr loadTrace(qint64 runId) const;
    QByteArray loadTraceBlob(qint64 runId) const;
    void storeTrace(qint64 runId, const QByteArray &encodedTrace);
    // Cached traces beyond this many bytes are dropped, oldest run first (their runs stay).
    void setTraceBudget(qint64 bytes) { m_traceBudget = bytes; }
    qint64 traceBudget() const { return m_traceBudget; }
    qint64 storedTraceBytes() const;

    // Annotations
    QList<AnnotationRecord> annotations(qint64 runId) const;
    // Every run's notes joined into one text (for searching), by run id.
    QHash<qint64, QString> noteTextByRun() const;
    qint64 addAnnotation(const AnnotationRecord &a); // a.id != 0 restores that id (undo)
    void updateAnnotation(const AnnotationRecord &a);
    void deleteAnnotation(qint64 id);

    // Bookmarked heads, comparisons, analysis results
    QList<BookmarkRecord> bookmarks(qint64 runId) const;
    qint64 addBookmark(const BookmarkRecord &b);
    void deleteBookmark(qint64 id);
    QList<ComparisonRecord> comparisons(qint64 sessionId) const;
    qint64 addComparison(const ComparisonRecord &c);
    void updateComparisonNotes(qint64 id, const QString &notes);
    void deleteComparison(qint64 id);
    QList<ResultRecord> results(qint64 sessionId, const QString &kind = QString()) const;
    qint64 addResult(const ResultRecord &r);
    int resultCount(qint64 sessionId, const QString &kind) const;
    void deleteResult(qint64 id);

    // Sharing: a session to a file of its own (a one-session workspace), and back into any
    // workspace as a new session (renamed when the name is taken); nothing existing is touched.
    void exportSession(qint64 sessionId, const QString &file) const;
    qint64 importSession(const QString &file);
    void setImportValueLimit(qint64 bytes) { m_importValueLimit = bytes; } // tests: absurd row sizes without 512 MB files

    // Runs fn inside one BEGIN IMMEDIATE ... COMMIT; rolls back and rethrows on any exception.
    void transaction(const std::function<void()> &fn);

Q_SIGNALS:
    void changed();

private:
    void openConnection(const Options &options);
    void hardenAgainstHostileSchema(const Options &options);
    void migrate(int from, int to);
    qint64 m_importValueLimit = qint64(512) << 20;
    void purge();
    void evictTraces(qint64 keepRunId);
    qint64 copySessionInto(Workspace &target, qint64 sessionId, const QString &name) const;
    void requireWritable() const;

    QString m_path;
    QString m_connection;
    bool m_readOnly = false;
    qint64 m_traceBudget = qint64(1) << 30;
    qint64 m_dataVersion = -1;
    int m_transactionDepth = 0;
};

} // namespace strata
