#pragma once

#include "util/Error.h"

#include <QString>

#include <atomic>
#include <functional>

namespace strata {

// Thrown by long work when its JobControl was cancelled; callers treat it as "stopped on request".
class Cancelled : public Error
{
public:
    Cancelled() : Error(QStringLiteral("Cancelled.")) {}
};

// What long-running work sees of its job: a cancel flag to poll and a progress sink. Safe to use
// from any thread; progress may be called often (the runner throttles delivery to the GUI).
class JobControl
{
public:
    using ProgressFn = std::function<void(double fraction, const QString &what)>;

    JobControl() = default;
    explicit JobControl(ProgressFn fn) : m_progress(std::move(fn)) {}

    void cancel() { m_cancelled.store(true, std::memory_order_relaxed); }
    bool isCancelled() const { return m_cancelled.load(std::memory_order_relaxed); }
    void throwIfCancelled() const
    {
        if (isCancelled())
            throw Cancelled();
    }
    void report(double fraction, const QString &what = QString()) const
    {
        if (m_progress)
            m_progress(fraction, what);
    }
    void setProgressFunction(ProgressFn fn) { m_progress = std::move(fn); }

private:
    std::atomic<bool> m_cancelled{false};
    ProgressFn m_progress;
};

} // namespace strata
