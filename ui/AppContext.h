#pragma once

#include "analysis/InductionProbe.h"
#include "model/ModelFamily.h"
#include "model/Trace.h"

#include <QObject>
#include <QStringList>
#include <QUndoStack>

#include <memory>
#include <optional>

namespace strata {

class JobRunner;

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
    void setTrace(TracePtr trace);
    // Greedy (temperature 0) or sampled continuation of prompt, appended text delivered by continuationReady.
    void continuePrompt(const QString &prompt, int tokens, double temperature, int topK);

    // The induction test of the loaded model (random tokens repeated twice), run once per model on
    // request; inductionChanged follows.
    void requestInductionProbe();
    const InductionResult *induction() const { return m_induction ? &*m_induction : nullptr; }

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

private:
    void rememberRecent(const QString &location);
    JobRunner *m_jobs;
    QUndoStack m_undo;
    std::shared_ptr<LoadedModel> m_model;
    TracePtr m_trace;
    std::optional<InductionResult> m_induction;
    bool m_inductionPending = false;
    quint64 m_runId = 0;
    int m_layer = 0;
    int m_head = 0;
    int m_token = -1;
};

} // namespace strata

Q_DECLARE_METATYPE(std::shared_ptr<strata::LoadedModel>)
Q_DECLARE_METATYPE(strata::InductionResult)
