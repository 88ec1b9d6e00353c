#pragma once

#include <QUndoCommand>

#include <functional>

namespace strata {

class AppContext;

// One undoable change to the workspace: a pair of writes (do, undo). A write that fails reports
// its message through AppContext and makes the command obsolete, so that the undo stack never
// holds a step that did not happen.
class StoreCommand : public QUndoCommand
{
public:
    using Write = std::function<void()>;
    StoreCommand(AppContext *context, const QString &text, Write redo, Write undo);

    void redo() override;
    void undo() override;
    bool succeeded() const { return m_ok; }

    // Pushes the command; returns whether its first redo succeeded.
    static bool push(AppContext *context, const QString &text, Write redo, Write undo);

private:
    AppContext *m_context;
    Write m_redo, m_undo;
    bool m_ok = true;
};

} // namespace strata
