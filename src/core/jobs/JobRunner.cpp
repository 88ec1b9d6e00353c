#include "JobRunner.h"

#include <QElapsedTimer>
#include <QMetaObject>

namespace strata {

JobRunner::JobRunner(QObject *parent) : QObject(parent)
{
    m_thread = std::thread([this] { loop(); });
}

JobRunner::~JobRunner()
{
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_stopping = true;
        for (auto &j : m_queue)
            j->control->cancel();
        m_queue.clear();
        if (m_running)
            m_running->control->cancel();
    }
    m_wake.notify_all();
    m_thread.join();
}

quint64 JobRunner::submit(const QString &tag, const QString &title, Work work, QObject *receiver, Done done)
{
    auto job = std::make_shared<Job>();
    job->tag = tag;
    job->title = title;
    job->work = std::move(work);
    job->receiver = receiver;
    job->done = std::move(done);
    job->control = std::make_shared<JobControl>();
    std::vector<std::shared_ptr<Job>> replaced;
    bool becameBusy = false;
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        job->id = m_nextId++;
        if (!tag.isEmpty()) {
            for (auto it = m_queue.begin(); it != m_queue.end();) {
                if ((*it)->tag == tag) {
                    replaced.push_back(*it);
                    it = m_queue.erase(it);
                } else {
                    ++it;
                }
            }
        }
        becameBusy = !m_running && m_queue.empty();
        m_queue.push_back(job);
    }
    m_wake.notify_one();
    for (const auto &r : replaced) {
        JobResult res;
        res.id = r->id;
        res.cancelled = true;
        res.error = QStringLiteral("Replaced by a newer request.");
        deliver(r, res);
    }
    if (becameBusy)
        Q_EMIT busyChanged(true);
    return job->id;
}

void JobRunner::cancel(quint64 id)
{
    std::shared_ptr<Job> removed;
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        if (m_running && m_running->id == id) {
            m_running->control->cancel();
            return;
        }
        for (auto it = m_queue.begin(); it != m_queue.end(); ++it) {
            if ((*it)->id == id) {
                removed = *it;
                m_queue.erase(it);
                break;
            }
        }
    }
    if (removed) {
        JobResult res;
        res.id = id;
        res.cancelled = true;
        res.error = QStringLiteral("Cancelled.");
        deliver(removed, res);
    }
}

void JobRunner::cancelAll()
{
    std::deque<std::shared_ptr<Job>> removed;
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        removed.swap(m_queue);
        if (m_running)
            m_running->control->cancel();
    }
    for (const auto &j : removed) {
        JobResult res;
        res.id = j->id;
        res.cancelled = true;
        res.error = QStringLiteral("Cancelled.");
        deliver(j, res);
    }
}

bool JobRunner::isBusy() const
{
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_running || !m_queue.empty();
}

int JobRunner::pendingCount() const
{
    std::lock_guard<std::mutex> lock(m_mutex);
    return int(m_queue.size()) + (m_running ? 1 : 0);
}

QString JobRunner::currentTitle() const
{
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_running ? m_running->title : QString();
}

void JobRunner::deliver(const std::shared_ptr<Job> &job, JobResult result)
{
    // Hop to the runner's thread; there the receiver guard is checked on the receiver's own thread.
    QMetaObject::invokeMethod(
        this,
        [this, job, result] {
            if (job->receiver && job->done)
                job->done(result);
            Q_EMIT jobFinished(result.id, result.ok, result.cancelled, result.error);
            if (!isBusy())
                Q_EMIT busyChanged(false);
        },
        Qt::QueuedConnection);
}

void JobRunner::loop()
{
    for (;;) {
        std::shared_ptr<Job> job;
        {
            std::unique_lock<std::mutex> lock(m_mutex);
            m_wake.wait(lock, [this] { return m_stopping || !m_queue.empty(); });
            if (m_stopping)
                return;
            job = m_queue.front();
            m_queue.pop_front();
            m_running = job;
        }
        const quint64 id = job->id;
        QMetaObject::invokeMethod(
            this, [this, id, title = job->title] { Q_EMIT jobStarted(id, title); }, Qt::QueuedConnection);
        auto lastReport = std::make_shared<QElapsedTimer>();
        lastReport->start();
        job->control->setProgressFunction([this, id, lastReport](double f, const QString &what) {
            if (f < 1.0 && lastReport->elapsed() < 40) // at most ~25 updates a second reach the GUI
                return;
            lastReport->restart();
            QMetaObject::invokeMethod(
                this, [this, id, f, what] { Q_EMIT jobProgress(id, f, what); }, Qt::QueuedConnection);
        });
        JobResult result;
        result.id = id;
        try {
            job->control->throwIfCancelled();
            result.value = job->work(*job->control);
            result.ok = true;
        } catch (const Cancelled &) {
            result.cancelled = true;
            result.error = QStringLiteral("Cancelled.");
        } catch (const Error &e) {
            result.error = e.message();
        } catch (const std::exception &e) {
            result.error = QString::fromLocal8Bit(e.what()).section(QLatin1Char('\n'), 0, 0);
        } catch (...) {
            result.error = QStringLiteral("Unknown failure.");
        }
        {
            std::lock_guard<std::mutex> lock(m_mutex);
            m_running.reset();
        }
        deliver(job, result);
    }
}

} // namespace strata
