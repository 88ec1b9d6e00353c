#include "StoreCommand.h"

#include "AppContext.h"

namespace strata {

StoreCommand::StoreCommand(AppContext *context, const QString &text, Write redo, Write undo)
    : QUndoCommand(text)
    , m_context(context)
    , m_redo(std::move(redo))
    , m_undo(std::move(undo))
{}

void StoreCommand::redo()
{
    m_ok = m_context->guardStore(m_redo, text());
    if (!m_ok)
        setObsolete(true);
}

void StoreCommand::undo()
{
    m_ok = m_context->guardStore(m_undo, QObject::tr("Undo %1").arg(text()));
    if (!m_ok)
        setObsolete(true);
}

bool StoreCommand::push(AppContext *context, const QString &text, Write redo, Write undo)
{
    auto *cmd = new StoreCommand(context, text, std::move(redo), std::move(undo));
    QUndoStack *stack = context->undoStack();
    const int before = stack->index();
    stack->push(cmd); // runs redo(); a command made obsolete by a failed write is deleted, not kept
    return stack->index() > before;
}

} // namespace strata
