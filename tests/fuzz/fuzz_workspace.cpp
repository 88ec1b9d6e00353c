// A session file from someone else: Workspace::importSession into a workspace of ours, then every
// imported run's trace decoded, as opening the session in the GUI would. Also the file opened
// directly with the untrusted options (read-only). A hostile file may only fail with a message or
// add data; afterwards our own workspace must still pass SQLite's integrity check.

#include "FuzzSupport.h"

#include "store/TraceCodec.h"
#include "store/Workspace.h"
#include "util/Error.h"

#include <QFile>

using namespace strata;

namespace {

// Never destroyed at exit: Qt SQL's own statics may be gone by then.
Workspace *g_target = nullptr;
int g_imports = 0;

Workspace &target()
{
    // A fresh workspace now and then, so that a long run does not grow one file without bound.
    if (!g_target || g_imports >= 200) {
        if (g_target && g_target->integrityCheck() != QStringLiteral("ok"))
            qFatal("our workspace fails SQLite's integrity check after imports");
        delete g_target;
        const QString path = fuzz::scratchDir() + QStringLiteral("/target.strata");
        for (const QString &suffix : {QString(), QStringLiteral("-wal"), QStringLiteral("-shm")})
            QFile::remove(path + suffix);
        g_target = new Workspace(path);
        g_target->createSession(QStringLiteral("ours"));
        g_imports = 0;
    }
    return *g_target;
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
    fuzz::ensureApp();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QString file = fuzz::writeFile(QStringLiteral("shared.strata"), fuzz::bytes(data, size));
    for (const QString &suffix : {QStringLiteral("-wal"), QStringLiteral("-shm")})
        QFile::remove(file + suffix);
    Workspace &ws = target();
    ++g_imports;
    try {
        const qint64 session = ws.importSession(file);
        for (const RunRecord &run : ws.runs(session)) {
            try {
                (void)ws.loadTrace(run.id);
            } catch (const Error &e) {
                fuzz::rejected(e);
            }
            (void)ws.annotations(run.id);
            (void)ws.bookmarks(run.id);
        }
        (void)ws.results(session);
        (void)ws.comparisons(session);
    } catch (const Error &e) {
        fuzz::rejected(e);
    }
    bool oursThere = false;
    for (const SessionRecord &s : ws.sessions())
        oursThere = oursThere || s.name == QStringLiteral("ours");
    if (!oursThere)
        qFatal("an import removed or renamed a session that was there before");
    try {
        Workspace::Options options;
        options.readOnly = true;
        options.untrusted = true;
        Workspace other(file, options);
        for (const SessionRecord &s : other.sessions())
            (void)other.runs(s.id);
    } catch (const Error &e) {
        fuzz::rejected(e);
    }
    return 0;
}
