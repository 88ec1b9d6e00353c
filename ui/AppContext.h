#pragma once

#include "analysis/HeadMetrics.h"
#include "analysis/InductionProbe.h"
#include "model/ModelFamily.h"
#include "model/Trace.h"

#include <QObject>
#include <QStringList>
#include <QTimer>
#include <QUndoStack>

#include <functional>

#include <memory>
#include <optional>

namespace strata {

class JobRunner;
class Workspace;
struct RunRecord;

// The state every panel observes: the loaded model, the current run (Trace) and the selection
// (layer, head, token). Panels never talk to each other; they set and read this. Model work runs on
// the job runner; results arrive here on the GUI thread.
class AppContext : public QObject
{
    Q_OBJECT
public:
    explicit AppContext(QObject *parent = nullptr);
    ~AppContext() override;

    JobRunner *jobs() const { return m_jobs; }
    QUndoStack *undoStack() { return &m_undo; }

    // Model
    std::shared_ptr<LoadedModel> model() const { return m_model; }
    bool hasModel() const { return bool(m_model); }
    void loadModel(const QString &location); // asynchronous; modelChanged or modelLoadFailed follow
    void unloadModel();
    QStringList recentModels() const;

    // Runs
    void runPrompt(const QString &prompt); // asynchronous; traceChanged or runFailed follow
    void cancelRun();
    bool isRunning() const { return m_runId != 0; }
    TracePtr trace() const { return m_trace; }
    // The loaded model is the current run's own (same weights): views that need the model itself
    // (its unembedding, its vocabulary) may use it. A stored run of another model must not be read
    // with the loaded one.
    bool modelMatchesTrace() const { return m_model && m_trace && m_model->info().fingerprint == m_trace->model.fingerprint; }
    void setTrace(TracePtr trace);
    // A run made here (a patched or ablated run): shown in every panel and saved like a traced one.
    void showNewRun(TracePtr trace);
    // Greedy (temperature 0) or sampled continuation of prompt, appended text delivered by continuationReady.
    void continuePrompt(const QString &prompt, int tokens, double temperature, int topK);

    // The induction test of the loaded model (random tokens repeated twice), run once per model on
    // request; inductionChanged follows.
    void requestInductionProbe();
    const InductionResult *induction() const { return m_induction ? &*m_induction : nullptr; }

    // Workspace and sessions. Every finished run is saved (with its trace, encoded on the worker)
    // into the current session of the open workspace; a failure to save says why and keeps the run
    // shown, and saveCurrentRun() tries again.
    Workspace *workspace() const { return m_workspace.get(); }
    bool openWorkspace(const QString &path); // false (and a message) when it cannot be opened; the old one stays
    static QString defaultWorkspacePath();
    QStringList recentWorkspaces() const;
    qint64 currentSession() const { return m_session; }
    void setCurrentSession(qint64 id);
    qint64 ensureSession(); // the current session, created when there is none
    qint64 currentRun() const { return m_currentRun; }
    bool currentRunSaved() const { return m_currentRun != 0; }
    void saveCurrentRun();
    // On quitting: writes the shown run now (on this thread) when it should have been saved and the
    // save had not happened yet.
    void flushUnsavedRun();
    // Shows a stored run in every panel: from its cached trace, or recomputed when the trace was not
    // kept and the run's model is the one loaded (otherwise a message says which model to load).
    void openRun(qint64 runId);
    bool autoSave() const;
    void setAutoSave(bool on);
    // Reports the first problem a workspace write hits as a message; returns false on failure.
    bool guardStore(const std::function<void()> &write, const QString &what);

    // Selection
    int layer() const { return m_layer; }
    int head() const { return m_head; }
    int token() const { return m_token; }
    void setLayer(int layer);
    void setHead(int head);
    void setToken(int token);
    void setLayerHead(int layer, int head);
    void stepLayer(int delta);
    void stepHead(int delta);

Q_SIGNALS:
    void modelLoading(const QString &location);
    void modelChanged();
    void modelLoadFailed(const QString &error);
    void runStarted();
    void traceChanged();
    void runFailed(const QString &error);
    void runCancelled();
    void selectionChanged();
    void continuationReady(const QString &text);
    void inductionChanged();
    void message(const QString &text);
    void workspaceChanged();        // another workspace was opened
    void workspaceContentChanged(); // sessions, runs or notes changed (here or in another Strata)
    void currentRunChanged();
    void currentSessionChanged();
    void storeFailed(const QString &error);
    // The head atlas asks for these heads (layer, head) to be ablated; the ablation panel answers.
    void ablationRequested(const QList<QPair<int, int>> &heads);
    // Compare mode asks for a patching sweep (A clean, B corrupted); the patching panel answers.
    void patchingRequested(const QString &clean, const QString &corrupt, const QString &answer, const QString &wrong);

private:
    void rememberRecent(const QString &location);
    void saveTrace(const TracePtr &trace);
    void writeRun(const TracePtr &trace, const QByteArray &encodedTrace);
    // A stored run without a usable trace (not kept, or damaged) is traced again when its model is the
    // one loaded, and the new trace kept with it; false when that model is not loaded.
    bool recomputeStoredRun(qint64 runId, const RunRecord &run, const QString &why);
    JobRunner *m_jobs;
    QUndoStack m_undo;
    std::shared_ptr<LoadedModel> m_model;
    TracePtr m_trace;
    std::optional<InductionResult> m_induction;
    bool m_inductionPending = false;
    quint64 m_runId = 0;
    std::unique_ptr<Workspace> m_workspace;
    qint64 m_session = 0;
    qint64 m_currentRun = 0;
    bool m_recomputing = false;
    const Trace *m_flushed = nullptr; // saved by flushUnsavedRun: a late save of it is dropped
    QTimer *m_pollTimer;
    int m_layer = 0;
    int m_head = 0;
    int m_token = -1;
};

} // namespace strata

Q_DECLARE_METATYPE(std::shared_ptr<strata::LoadedModel>)
Q_DECLARE_METATYPE(strata::InductionResult)
Q_DECLARE_METATYPE(std::vector<strata::HeadScores>)
